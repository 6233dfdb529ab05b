"""The monthly governance report: one PDF a governance meeting can read in black and white.

Headline scores and bands by service for the month, the run charts up to the month's end
with their special causes in words, the weakest audit questions, refusals and incidents with
plan changes and what followed them, outcomes, and suggested actions drawn from the numbers.
The content is built as render blocks (:mod:`pcp_widgets.render.blocks`) and printed by the
same PDF renderer as the tools.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pcp_widgets.audit.outputs import charts
from pcp_widgets.audit.analysis import metrics, spc
from pcp_widgets.audit.outputs import run_chart
from pcp_widgets.audit.analysis.frames import Filters, prepare
from pcp_widgets.audit.schema.months import first_day, last_day, parse_month
from pcp_widgets.audit.schema.settings import rag_bands
from pcp_widgets.errors import NotFound, UsageError
from pcp_widgets.render.blocks import Bullets, Chart, Layout, Table, Text

KINDS = ("file_audit", "observation", "event", "plan_change", "outcome", "review")
#: How many plan changes the report describes: those with a clear change first, then the most recent.
MOST_CHANGES = 8
#: How many recent plan changes are compared at all (each comparison filters the events once).
COMPARED_CHANGES = 60
#: How far back a plan change may be and still be followed up in this month's report.
CHANGE_LOOKBACK_DAYS = 270
#: A question whose Yes share is below this is named in the suggested actions.
WEAK_QUESTION_YES = 60.0
#: A service whose specific-wording rate is below this is named in the suggested actions.
LOW_SPECIFIC_RATE = 50.0


@dataclass(frozen=True)
class Month:
    start: dt.date
    end: dt.date

    @classmethod
    def parse(cls, text: str) -> "Month":
        number = parse_month(text, "--month")
        return cls(first_day(number), last_day(number))

    @property
    def name(self) -> str:
        return f"{self.start:%B %Y}"

    def previous(self) -> "Month":
        return Month.parse(f"{self.start - dt.timedelta(days=1):%Y-%m}")


def _rows(frame: pd.DataFrame, columns: dict[str, str]) -> tuple:
    """Table rows of text from a frame's columns, numbers to one decimal place."""
    return tuple(tuple((_text(value),) for value in record) for record in frame[list(columns)].itertuples(index=False))


def _text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, (pd.Timestamp, dt.date)):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _chart(label: str, figure, sentences=()) -> Chart:
    return Chart(label, charts.png_bytes(figure, dpi=150), tuple(sentences))


def _run_chart(label: str, frame: pd.DataFrame, date: str, value: str, period: str, higher_is_better, *,
               floor=None, changes=()) -> tuple[Chart, list[spc.Finding]]:
    frame = frame.dropna(subset=[value])
    if len(frame) < 2:
        return _chart(label, charts.empty_figure(label, "Too few points for a run chart."),
                      ["Too few points for a run chart."]), []
    result = spc.xmr(frame[value], frame[date], label=label.lower(), period=period, floor=floor,
                     higher_is_better=higher_is_better)
    figure = run_chart.draw_xmr(result, title=label, changes=changes, higher_is_better=higher_is_better)
    return _chart(label, figure, result.sentences), result.findings


class MonthlyReport:
    """The report's content for one month, from the stored records."""

    def __init__(self, store, month: str):
        self.month = Month.parse(month)
        self.data = {kind: prepare(kind, store.read_records(kind)) for kind in KINDS}
        self.upto = {kind: Filters(end=self.month.end).apply(frame, kind) for kind, frame in self.data.items()}
        self.now = self._in(self.month)
        self.before = self._in(self.month.previous())
        if not any(len(self.now[kind]) for kind in ("file_audit", "observation", "event")):
            raise NotFound(f"There are no file audits, observations or events for {self.month.name}; import the "
                           "month's workbooks first, or choose another month.")
        self.findings: list[spc.Finding] = []

    def _in(self, month: Month) -> dict[str, pd.DataFrame]:
        return {kind: Filters(start=month.start, end=month.end).apply(frame, kind) for kind, frame in self.data.items()}

    # -- sections ----------------------------------------------------------------------------

    def headline(self) -> Table:
        rows = [("Files audited", *(len(m["file_audit"]) for m in (self.now, self.before)))]
        rows.append(("Mean file score", *(self._mean_score(m) for m in (self.now, self.before))))
        rows.append(("Observations matching the plan (%)", *(self._match(m) for m in (self.now, self.before))))
        for kind in ("refusal", "incident", "safeguarding concern"):
            rows.append((f"{kind.capitalize()}s", *(int((m["event"]["event_type"] == kind).sum())
                                                    for m in (self.now, self.before))))
        rows.append(("Outcomes reviewed", *(len(m["outcome"]) for m in (self.now, self.before))))
        return Table("Headlines", ("Measure", self.month.name, self.month.previous().name),
                     tuple(tuple((_text(v),) for v in row) for row in rows))

    def _mean_score(self, month: dict) -> str:
        scores = metrics.file_scores(month["file_audit"])
        if scores["score"].notna().sum() == 0:
            return "–"
        mean = scores["score"].mean()
        return f"{mean:.1f} ({rag_bands().band([mean]).iloc[0]})"

    def _match(self, month: dict):
        rates = metrics.match_rates(month["observation"])
        overall = rates[rates["check"] == "matches_plan"]["match_rate"]
        return overall.iloc[0] if len(overall) else None

    def services(self) -> Table:
        table = self.service_scores()
        columns = {"service": "Service", "files": "Files", "mean_score": "Mean score", "rag": "Band",
                   "specific_rate": "Specific wording (%)"}
        return Table(f"Plan quality by service, {self.month.name}", tuple(columns.values()), _rows(table, columns),
                     empty_note="No files were audited this month.")

    def service_scores(self) -> pd.DataFrame:
        audits = self.now["file_audit"]
        scores = metrics.score_by_service_month(audits, by=("service",))
        wording = metrics.specific_wording_by_service(audits)[["service", "specific_rate"]]
        return scores.merge(wording, on="service", how="left").sort_values("mean_score")

    def weakest_questions(self) -> Table:
        shares = metrics.question_shares(self.now["file_audit"]).head(5)
        columns = {"text": "Question", "yes_share": "Yes (%)", "partly_share": "Partly (%)", "no_share": "No (%)"}
        return Table("The weakest audit questions this month", tuple(columns.values()), _rows(shares, columns),
                     empty_note="No files were audited this month.")

    def trend_charts(self) -> list[Chart]:
        monthly = metrics.score_by_service_month(self.upto["file_audit"], by=("month",))
        match = metrics.match_rates(self.upto["observation"], by=("month",))
        match = match[match["check"] == "matches_plan"]
        made = []
        for args in (("Mean file score by month", monthly, "month", "mean_score", "month", True),
                     ("Observations matching the plan by month (%)", match, "month", "match_rate", "month", True)):
            chart, findings = _run_chart(*args)
            made.append(chart)
            self.findings += findings
        events = self.upto["event"]
        span = (pd.Timestamp(events["event_date"].min()), pd.Timestamp(self.month.end)) if len(events) else None
        for kind in ("refusal", "incident"):
            counts = metrics.event_counts(events[(events["event_type"] == kind).to_numpy()], by=("week",), span=span)
            if "complete" in counts:
                counts = counts[counts["complete"]]
            # Provider-wide, plan changes are too many to draw; the section on plan changes follows them up.
            chart, findings = _run_chart(f"{kind.capitalize()}s per week", counts, "week", "events", "week", False,
                                         floor=0)
            made.append(chart)
            self.findings += findings
        return made

    def special_causes(self) -> Bullets:
        recent = [f.sentence for f in self.findings if f.end.date() >= self.month.start - dt.timedelta(days=6)]
        return Bullets("Special causes reaching into this month", tuple(dict.fromkeys(recent)),
                       empty_note="None: every run chart varies within its process limits this month.")

    def plan_changes(self) -> Bullets:
        """Each person's latest plan change with at least 28 days since, and refusals before and after.

        Changes where refusals clearly fell or rose come first; the rest are counted in one line.
        """
        changes = self.upto["plan_change"]
        newest = pd.Timestamp(self.month.end - dt.timedelta(days=spc.MIN_DAYS_EACH_SIDE))
        oldest = pd.Timestamp(self.month.end - dt.timedelta(days=CHANGE_LOOKBACK_DAYS))
        window = changes[(changes["change_date"] >= oldest) & (changes["change_date"] <= newest)]
        judged = spc.latest_changes_judged(self.upto["event"], window, compared=COMPARED_CHANGES)
        lines = spc.change_summary(judged, MOST_CHANGES, " See the Incidents and refusals page.")
        return Bullets("Plan changes and what followed (refusals per 28 days, before and after)", tuple(lines),
                       empty_note="No plan changes between one and nine months ago to follow up.")

    def outcomes(self) -> Table:
        counts = metrics.outcome_status_counts(self.now["outcome"], by=())
        columns = {"status": "Status", "outcomes": "Outcomes reviewed", "share": "Share (%)"}
        return Table(f"Outcomes reviewed in {self.month.name}", tuple(columns.values()), _rows(counts, columns),
                     empty_note="No outcomes were reviewed this month.")

    def suggested_actions(self) -> Bullets:
        actions = []
        scores = self.service_scores()
        for row in scores[scores["rag"].astype(str) == "red"].itertuples():
            actions.append(f"{row.service}: mean file score {row.mean_score:.0f} (red). Review a sample of plans "
                           "with the team leader and agree what to improve before next month's audit.")
        for row in scores[scores["specific_rate"] < LOW_SPECIFIC_RATE].itertuples():
            actions.append(f"{row.service}: only {row.specific_rate:.0f}% of best-support samples are specific. "
                           "Coach staff to write what a new member of staff would do, when and how.")
        weak = metrics.question_shares(self.now["file_audit"])
        for row in weak[weak["yes_share"] < WEAK_QUESTION_YES].head(3).itertuples():
            actions.append(f"'{row.text}': Yes in {row.yes_share:.0f}% of files. Make it a supervision prompt "
                           "this month.")
        concerns = [f for f in self.findings if f.end.date() >= self.month.start and "concern" in f.sentence]
        for finding in concerns[:3]:
            actions.append(f"Look into the special cause: {finding.sentence}")
        overdue = metrics.overdue_reviews(self.upto["review"], as_of=pd.Timestamp(self.month.end))
        if len(overdue):
            actions.append(f"{len(overdue)} people's reviews are overdue; book them, starting with the longest "
                           "overdue.")
        return Bullets("Suggested actions", tuple(actions),
                       empty_note="Nothing stands out this month: keep auditing and observing as planned.")

    def layout(self) -> Layout:
        blocks = [self.headline(), self.services(), self.weakest_questions(), *self.trend_charts()]
        blocks += [self.special_causes(), self.plan_changes(), self.outcomes(), self.suggested_actions(),
                   Text("About this report", "Scores: (2 x Yes + Partly) / (2 x questions answered other than N/A) "
                        "x 100; green 80 or more, amber 60 to 79, red below 60. Run charts follow NHS England's "
                        "Making Data Count: the dashed lines are the process limits, and special causes are a "
                        "point beyond a limit, 7 or more in a row on one side of the mean, 6 or more rising or "
                        "falling, or two of three near a limit. A change in rate after a plan change says the "
                        "rate changed, not that the plan change caused it.")]
        return Layout(f"Monthly governance report: {self.month.name}",
                      f"From the audit records stored up to {self.month.end:%d/%m/%Y}.", "", tuple(blocks))


def write_monthly_report(store, month: str, out: Path) -> Path:
    """Write the month's report as a PDF to ``out`` (atomically: no half-written file on failure)."""
    from pcp_widgets.render import write_atomically
    from pcp_widgets.render.pdf import layout_pdf

    out = Path(out)
    if out.suffix.lower() != ".pdf":
        raise UsageError(f"The monthly report is a PDF: give --out a name ending in .pdf, not {out.name}.")
    if not out.parent.is_dir():
        raise UsageError(f"The folder {out.parent} does not exist; create it or choose another --out.")
    report = MonthlyReport(store, month)
    data = layout_pdf(report.layout(), footer=f"Monthly governance report · {report.month.name}")
    write_atomically(out, data)
    return out
