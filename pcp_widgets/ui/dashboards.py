"""The four audit dashboards, declared once: plan quality, observation sampling, incidents and
refusals, and outcomes. Each panel is a metric from :mod:`pcp_widgets.audit.analysis.metrics` and a
chart (a Making Data Count run chart from :mod:`pcp_widgets.audit.analysis.spc`, or a plain chart from
:mod:`pcp_widgets.audit.outputs.charts`); :class:`pcp_widgets.ui.dashboard.DashboardPage` does the rest.
"""

from __future__ import annotations

import pandas as pd

from pcp_widgets.access import Action, Identity, NotAllowed, visible_services
from pcp_widgets.audit.outputs import charts
from pcp_widgets.audit.outputs.run_chart import draw_xmr
from pcp_widgets.audit.analysis import metrics, spc, wording
from pcp_widgets.identity import current_identity
from pcp_widgets.ui.dashboard import Dashboard, DashboardPage, Drawn, Panel, View
from pcp_widgets.ui.gate import RefusedPage, page_or_refusal

#: Fewer points than this and a run chart has too little to say; the chart says so instead.
MIN_RUN_POINTS = 2


def run_chart(frame: pd.DataFrame, date: str, value: str, label: str, period: str, title: str, *,
              higher_is_better: bool | None, floor: float | None = None, changes=()) -> Drawn:
    """An XmR chart of ``frame[value]`` by ``frame[date]``, with its special causes in words."""
    frame = frame.dropna(subset=[value])
    if len(frame) < MIN_RUN_POINTS:
        message = "Too few points in the chosen dates for a run chart."
        return Drawn(charts.empty_figure(title, message), (message,))
    result = spc.xmr(frame[value], frame[date], label=label, period=period, floor=floor,
                     higher_is_better=higher_is_better)
    figure = draw_xmr(result, title=title, changes=changes, higher_is_better=higher_is_better)
    return Drawn(figure, tuple(result.sentences))


#: Yes blue, Partly orange, No vermillion (Okabe and Ito's): "No" is never green, the colour of "good".
ANSWER_COLOURS = ("#0072B2", "#E69F00", "#D55E00")


# -- plan quality ------------------------------------------------------------------------------


def _monthly_scores(view: View) -> pd.DataFrame:
    return metrics.score_by_service_month(view["file_audit"], by=("month",))


def _service_scores(view: View) -> pd.DataFrame:
    scores = metrics.score_by_service_month(view["file_audit"], by=("service",))
    wording_rates = metrics.specific_wording_by_service(view["file_audit"])[["service", "specific_rate"]]
    table = scores.merge(wording_rates, on="service", how="left").sort_values("mean_score")
    return table.assign(label=table["service"].astype(str) + " (" + table["rag"].astype(str) + ")")


PLAN_QUALITY = Dashboard(
    path="audits/plan_quality.ipynb",
    intro="Monthly file audits: the score of each plan audited ((2 x Yes + Partly) / (2 x questions answered) "
          "x 100), by month and by service, with green at 80 or more, amber 60 to 79 and red below 60; the weakest "
          "questions; and how often best-support wording is specific enough to act on.",
    kinds=("file_audit",),
    panels=(
        Panel("trend", "Mean file score by month",
              "A run chart: the line is the mean score of the files audited each month; the solid line is the "
              "average and the dashed lines the process limits. Points marked by shape are special causes.",
              _monthly_scores,
              lambda table, view: run_chart(table, "month", "mean_score", "mean file score", "month",
                                            "Mean file score by month", higher_is_better=True),
              {"month": "Month", "files": "Files audited", "mean_score": "Mean score", "rag": "Band"}),
        Panel("services", "Mean file score by service",
              "Each service's mean score over the chosen dates, with its band in words, and the share of "
              "best-support samples written specifically enough for a new member of staff to act on.",
              _service_scores,
              lambda table, view: Drawn(charts.bar_chart(table, "label", "mean_score",
                                                         "Mean file score by service, lowest first",
                                                         "Mean file score", percent=True)),
              {"service": "Service", "files": "Files audited", "mean_score": "Mean score", "rag": "Band",
               "specific_rate": "Specific wording (%)"}),
        Panel("questions", "Weakest questions first",
              "For each audit question, the share of Yes, Partly and No among the files where it applied.",
              lambda view: metrics.question_shares(view["file_audit"]),
              lambda table, view: Drawn(charts.stacked_shares(
                  table, "text", ["yes_share", "partly_share", "no_share"], "Answers per question, weakest first",
                  part_labels={"yes_share": "Yes", "partly_share": "Partly", "no_share": "No"},
                  colours=ANSWER_COLOURS)),
              {"text": "Question", "answered": "Answered", "yes": "Yes", "partly": "Partly", "no": "No",
               "not_applicable": "N/A", "yes_share": "Yes (%)", "score": "Question score"}),
    ),
)


# -- observation sampling ------------------------------------------------------------------------


def _overall_match(view: View, by: tuple[str, ...]) -> pd.DataFrame:
    rates = metrics.match_rates(view["observation"], by=by)
    return rates[rates["check"] == "matches_plan"].drop(columns=["check", "text"])


def _staff_shown(table: pd.DataFrame) -> tuple[str, ...]:
    """Who the staff chart shows, and how many it leaves out (the threshold is the organisation's setting)."""
    least, left_out = table.attrs["min_observations"], table.attrs["staff_left_out"]
    shown = f"Staff observed at least {least} times are shown."
    if not left_out:
        return (shown,)
    return (f"{shown} {left_out} more {'was' if left_out == 1 else 'were'} observed fewer times and "
            f"{'is' if left_out == 1 else 'are'} not shown.",)


OBSERVATIONS = Dashboard(
    path="audits/observation_sampling.ipynb",
    intro="Does practice match the plan? Each observed episode of support is checked for consent, choice, "
          "stepping back, communication, routine, dignity and knowing the person. Staff are shown only where they "
          "have been observed several times (the number is under their chart), so one visit never judges anyone.",
    kinds=("observation",),
    panels=(
        Panel("trend", "Practice matching the plan, by month",
              "A run chart of the share of observations where practice matched the plan overall.",
              lambda view: _overall_match(view, ("month",)),
              lambda table, view: run_chart(table, "month", "match_rate", "% matching the plan", "month",
                                            "Practice matching the plan, by month", higher_is_better=True),
              {"month": "Month", "observed": "Observed", "yes": "Matched", "match_rate": "Matched (%)"}),
        Panel("checks", "Each check",
              "The share of observations where each check was met (of those where it applied).",
              lambda view: metrics.match_rates(view["observation"]).sort_values("match_rate"),
              lambda table, view: Drawn(charts.bar_chart(table, "text", "match_rate", "Checks met",
                                                         "Met (%)", percent=True)),
              {"text": "Check", "observed": "Observed", "yes": "Met", "no": "Not met", "match_rate": "Met (%)"}),
        Panel("routines", "By routine",
              "The share of observations matching the plan overall, for each routine.",
              lambda view: _overall_match(view, ("routine",)).sort_values("match_rate"),
              lambda table, view: Drawn(charts.bar_chart(table, "routine", "match_rate",
                                                         "Matching the plan, by routine", "Matched (%)",
                                                         percent=True)),
              {"routine": "Routine", "observed": "Observed", "yes": "Matched", "match_rate": "Matched (%)"}),
        Panel("staff", "Practice by staff member",
              "Staff observed often enough to judge fairly, lowest match first, with the check they most often "
              "missed: a prompt for supervision, not a verdict.",
              lambda view: metrics.practice_by_staff(view["observation"]),
              lambda table, view: Drawn(charts.bar_chart(table, "staff_ref", "match_rate",
                                                         "Matching the plan, by staff member, lowest first",
                                                         "Matched (%)", percent=True), _staff_shown(table)),
              {"staff_ref": "Staff ref", "observations": "Observations", "matched": "Matched",
               "match_rate": "Matched (%)", "most_missed": "Check most often missed"}),
    ),
)


# -- incidents and refusals ----------------------------------------------------------------------


def _weekly(view: View, event_type: str) -> pd.DataFrame:
    """Full weeks of the chosen dates (or of all the records), so a quiet person's empty weeks count as zero."""
    events = view["event"]
    counts = metrics.event_counts(events[(events["event_type"] == event_type).to_numpy()], by=("week",),
                                  span=view.filters.span(view.all_records["event"], "event"))
    return counts[counts["complete"]].drop(columns=["complete"])


def _events_by_type(events: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per ``by`` value, one column of event counts per event type."""
    counts = metrics.event_counts(events, by=(by, "event_type"))
    return counts.pivot_table(index=by, columns="event_type", values="events", aggfunc="sum", fill_value=0,
                              observed=True).reset_index()


def _refusals_and_incidents(events: pd.DataFrame) -> pd.DataFrame:
    return events[events["event_type"].isin(["refusal", "incident"]).to_numpy()]


def _chosen(view: View) -> bool:
    """Whether one person or one service is chosen: plan changes belong on their charts only."""
    return bool(view.filters.person_ref or view.filters.service)


def _changes(view: View):
    """The plan changes to draw: a chosen person's or service's (every service's at once would
    be thousands of lines in a year, hiding the chart and saying nothing)."""
    return spc.plan_change_marks(view["plan_change"]) if _chosen(view) else []


#: With a service chosen, how many people's latest plan changes are judged, and how many with a
#: clear change are described (the rest are counted in one sentence).
SERVICE_CHANGES_JUDGED = 20
SERVICE_CHANGES_SHOWN = 5


def _before_after_sentences(view: View) -> tuple[str, ...]:
    """For a chosen person, the rate before and after each of their plan changes in view; for a
    chosen service, each person's latest change judged on that person's own events."""
    if not _chosen(view) or view["plan_change"].empty:
        return ()
    span = view.filters.span(view.all_records["event"], "event")
    start, end = span if span else (None, None)
    if not view.filters.person_ref:
        judged = spc.latest_changes_judged(view["event"], view["plan_change"], compared=SERVICE_CHANGES_JUDGED,
                                           event_types=("refusal", "incident"), start=start, end=end)
        return tuple(spc.change_summary(judged, SERVICE_CHANGES_SHOWN))
    sentences = []
    for day, _label in _changes(view)[:3]:
        for comparison in spc.before_after(view["event"], day, event_types=("refusal", "incident"),
                                           start=start, end=end):
            sentences.append(comparison.sentence)
    return tuple(sentences)


def _weekly_chart(event_type: str, label: str):
    def draw(table: pd.DataFrame, view: View) -> Drawn:
        drawn = run_chart(table, "week", "events", label, "week", f"{label.capitalize()} per week",
                          higher_is_better=False, floor=0, changes=_changes(view))
        return Drawn(drawn.figure, drawn.sentences + view.once(_before_after_sentences))
    return draw


INCIDENTS = Dashboard(
    path="audits/incidents_and_refusals.ipynb",
    intro="Refusals and incidents per week as run charts. Choose a person (for example the demo's P-0007) or a "
          "service to see their plan changes drawn on the charts and whether a change was followed by fewer "
          "refusals: the rate per 28 days before and after is given in words, or 'too little data to judge'.",
    kinds=("event", "plan_change"),
    person_filter=True,
    panels=(
        Panel("refusals", "Refusals per week",
              "A run chart of refusals per full week; with a person or a service chosen, vertical lines are "
              "their plan changes.",
              lambda view: _weekly(view, "refusal"), _weekly_chart("refusal", "refusals"),
              {"week": "Week starting", "events": "Refusals"}),
        Panel("incidents", "Incidents per week",
              "A run chart of incidents per full week; with a person or a service chosen, vertical lines are "
              "their plan changes.",
              lambda view: _weekly(view, "incident"), _weekly_chart("incident", "incidents"),
              {"week": "Week starting", "events": "Incidents"}),
        Panel("routines", "By type and routine",
              "How many events of each type happened in each routine.",
              lambda view: _events_by_type(view["event"], "routine"),
              lambda table, view: Drawn(charts.grouped_bars(
                  table, "routine", [c for c in table.columns if c != "routine"][:4], "Events by routine",
                  "Events"))),
        Panel("hours", "By hour of day",
              "Refusals and incidents by the hour they happened (where a time was recorded).",
              lambda view: _events_by_type(_refusals_and_incidents(view["event"]), "hour"),
              lambda table, view: Drawn(charts.grouped_bars(
                  table, "hour", [c for c in ("refusal", "incident") if c in table.columns],
                  "Refusals and incidents by hour of day", "Events"))),
        Panel("triggers", "Triggers",
              "The triggers recorded, most frequent first.",
              lambda view: metrics.event_counts(view["event"], by=("trigger",)).sort_values("events",
                                                                                           ascending=False),
              lambda table, view: Drawn(charts.bar_chart(table, "trigger", "events", "Events by trigger, most first",
                                                         "Events")),
              {"trigger": "Trigger", "events": "Events"}),
        Panel("recovery", "Recovery time",
              "The median minutes until the person was settled again, by routine, with the middle half's range.",
              lambda view: metrics.recovery_times(view["event"], by=("routine",)),
              lambda table, view: Drawn(charts.bar_chart(table, "routine", "median_minutes",
                                                         "Median recovery time by routine", "Minutes")),
              {"routine": "Routine", "events": "Events with a time", "median_minutes": "Median (minutes)",
               "lower_quartile": "Lower quartile", "upper_quartile": "Upper quartile"}),
    ),
)


# -- outcomes ------------------------------------------------------------------------------------


def _copies_by_service(copies: pd.DataFrame) -> pd.DataFrame:
    """Near-identical reviews per service, most first (the chart shows the first 20)."""
    counts = copies.groupby("service", observed=True).size().rename("reviews").reset_index()
    return counts.sort_values(["reviews", "service"], ascending=[False, True], kind="stable")


OUTCOMES = Dashboard(
    path="audits/outcomes.ipynb",
    intro="Outcomes in the person's words, reviewed over time: their status, the share of planned steps done and "
          "the person's confidence at each review, reviews on time, and reviews whose wording barely changed.",
    kinds=("outcome", "review"),
    person_filter=True,
    panels=(
        Panel("status", "Outcome status",
              "How many outcomes are in progress, achieved, on hold, not achieved or abandoned.",
              lambda view: metrics.outcome_status_counts(view["outcome"], by=()),
              lambda table, view: Drawn(charts.bar_chart(table, "status", "outcomes", "Outcomes by status",
                                                         "Outcomes")),
              {"status": "Status", "outcomes": "Outcomes", "share": "Share (%)"}),
        Panel("steps", "Steps done, by month",
              "A run chart of the mean share of planned steps done at each month's reviews.",
              lambda view: metrics.progress_over_time(view["outcome"]),
              lambda table, view: run_chart(table, "month", "mean_completion", "% of steps done", "month",
                                            "Steps done, by month", higher_is_better=True),
              {"month": "Month", "outcomes": "Outcomes reviewed", "mean_completion": "Steps done (%)",
               "median_confidence": "Median confidence", "low_confidence": "Confidence below 6",
               "cancellations_per_outcome": "Cancellations per outcome"}),
        Panel("on_time", "Reviews on time",
              f"Reviews held within {metrics.REVIEW_INTERVAL_MONTHS} months of the person's previous review.",
              lambda view: metrics.reviews_on_time(view["review"], by=("month",)),
              lambda table, view: Drawn(charts.line_chart(table.dropna(subset=["on_time_rate"]), "month", None,
                                                          "on_time_rate", "Reviews on time, by month",
                                                          "On time (%)", percent=True)),
              {"month": "Month", "reviews": "Reviews", "with_previous": "With an earlier review",
               "on_time": "On time", "late": "Late", "on_time_rate": "On time (%)"}),
        Panel("copies", "Reviews that repeat the previous one",
              "Reviews of the same person whose wording is nearly the same as the previous review: they show "
              "no learning or progress.",
              lambda view: wording.near_identical_reviews(view["review"]),
              lambda table, view: Drawn(charts.bar_chart(_copies_by_service(table), "service", "reviews",
                                                         "Near-identical reviews by service, most first",
                                                         "Reviews")),
              {"person_ref": "Person ref", "service": "Service", "earlier_review": "Earlier review",
               "later_review": "Later review", "similarity": "Similarity"}),
    ),
)

DASHBOARDS: dict[str, Dashboard] = {d.path: d for d in (PLAN_QUALITY, OBSERVATIONS, INCIDENTS, OUTCOMES)}


def dashboard_page(path: str, store=None) -> DashboardPage | RefusedPage:
    """The page for one of :data:`DASHBOARDS`, by its notebook's path, for the signed-in person if their
    role views dashboards (:func:`~pcp_widgets.ui.gate.page_or_refusal`), holding their services' records.

    In a kernel Voila keeps warm, the libraries are imported, the records of the services the
    server's person may see read and prepared, and the panels the page opens on (all those
    services, all dates) drawn before anyone opens the page, so it shows them at once. Nothing is
    logged until someone opens it; then they sign in through the gate, and the records are read
    again and the panels drawn afresh if something was imported meanwhile or their services
    changed, so the charts show the data as it is then and only what is theirs to see.
    """
    from pcp_widgets.store import open_store
    from pcp_widgets.ui.dashboard import load_records, render_ahead
    from pcp_widgets.ui.start import kept_warm, wait_for_visit

    dashboard = DASHBOARDS[path]
    store = store or open_store()
    services, loaded_after = _expected_services(store), store.latest_import()
    records = load_records(store, dashboard.kinds, services) if services != frozenset() else None
    drawn = render_ahead(dashboard, records) if kept_warm() and records is not None else {}
    wait_for_visit()

    def build(identity: Identity) -> DashboardPage:
        theirs = visible_services(identity, Action.VIEW_DASHBOARDS)
        if records is None or theirs != services or store.latest_import() != loaded_after:
            return DashboardPage(dashboard, store, records=load_records(store, dashboard.kinds, theirs),
                                 identity=identity)
        return DashboardPage(dashboard, store, records=records, drawn=drawn, identity=identity)

    return page_or_refusal(path, store, build)


def _expected_services(store) -> frozenset[str] | None:
    """The services whose dashboards the server's person may see, looked up without signing in (nothing
    logged): what a kernel kept warm prepares. Empty when they may see none."""
    try:
        identity = current_identity(store)
    except NotAllowed:
        return frozenset()
    return visible_services(identity, Action.VIEW_DASHBOARDS)
