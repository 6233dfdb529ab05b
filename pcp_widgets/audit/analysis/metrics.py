"""The audit metrics of the dashboards and the monthly report, as pure functions of stored records.

Each function takes the frame ``Store.read_records(kind)`` gives (or the same frame after
:func:`~pcp_widgets.audit.analysis.frames.prepare` and any :class:`~pcp_widgets.audit.analysis.frames.Filters`)
and returns a tidy DataFrame: one row per thing counted, one column per measure, ready to
chart and to show as the table behind the chart. Nothing here reads the database, draws
or formats: pages, the report and the commissioner export all compute from these.

Grouping is by the names in ``by``: any stored column, plus ``week`` and ``month`` (each
row's period, as the date it starts) and, for events and observations, ``hour``. Counts
over declared choices (event types, routines, statuses), periods and hours include the
zeros, because a week with no refusals is a point on a chart, not a gap in it.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from pcp_widgets.audit.analysis import wording
from pcp_widgets.audit.analysis.frames import (
    HOUR,
    NO,
    NOT_APPLICABLE,
    NOT_RECORDED,
    PARTLY,
    PERIODS,
    YES,
    Filters,
    apply_filters,
    period_end,
    period_range,
    prepare,
    with_groups,
)
from pcp_widgets.audit.schema.sheets import FILE_AUDIT_QUESTIONS, OBSERVATION, OBSERVATION_CHECKS, sheet_for
from pcp_widgets.audit.schema.settings import (
    MIN_STAFF_OBSERVATIONS,
    RAG_DTYPE,
    RagBands,
    min_staff_observations,
    rag_bands,
)

QUESTIONS = dict(FILE_AUDIT_QUESTIONS)
#: The observation checks and the overall judgement, in sheet order.
CHECKS = {**dict(OBSERVATION_CHECKS), "matches_plan": OBSERVATION.field("matches_plan").header}
#: Confidence below this is flagged "make the step smaller" (docs/domain.md, the action_plan tool).
LOW_CONFIDENCE = 6
#: Reviews fall due this many months after the last one (see :func:`reviews_on_time`).
REVIEW_INTERVAL_MONTHS = 6


# -- file audits ----------------------------------------------------------------------


def file_score(codes: np.ndarray) -> np.ndarray:
    """Each file's score from its answer codes, one row per file and one column per question
    (0 Yes, 1 Partly, 2 No, 3 N/A, -1 blank): THE file score, the one function behind the
    dashboards, the monthly report and the commissioner export, so they cannot disagree.

    score = (2 x Yes + 1 x Partly) / (2 x questions answered other than N/A) x 100; a file
    with every question N/A (or blank) has no score (NaN) rather than a misleading 0.
    """
    yes, partly, no = _answer_counts(codes)
    return _score(yes, partly, yes + partly + no)


def _answer_counts(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Yes, Partly and No answers per row of ``codes``."""
    return tuple((codes == code).sum(axis=1) for code in (YES, PARTLY, NO))


def file_scores(file_audit: pd.DataFrame, bands: RagBands | None = None) -> pd.DataFrame:
    """Each audited file's answer counts, :func:`file_score` and band (the organisation's bands,
    :func:`~.settings.rag_bands`, unless given); no band where there is no score."""
    bands = bands or rag_bands()
    frame = prepare("file_audit", file_audit)
    codes = _codes(frame, QUESTIONS)
    yes, partly, no = _answer_counts(codes)
    out = frame[["audit_date", "service", "person_ref"]].assign(
        yes=yes, partly=partly, no=no, not_applicable=len(QUESTIONS) - (yes + partly + no), score=file_score(codes))
    return out.assign(rag=bands.band(out["score"]).to_numpy())


def score_by_service_month(file_audit: pd.DataFrame, bands: RagBands | None = None,
                           by: Sequence[str] = ("service", "month")) -> pd.DataFrame:
    """Files audited and their mean score (with its band) per service and month, or any other ``by``."""
    bands = bands or rag_bands()
    scores = with_groups(file_scores(file_audit, bands), "file_audit", by)
    grouped = scores.groupby(list(by), observed=True)["score"]
    out = pd.DataFrame({"files": grouped.size(), "mean_score": grouped.mean()}).reset_index()
    return out.assign(rag=bands.band(out["mean_score"]).to_numpy())


def question_shares(file_audit: pd.DataFrame) -> pd.DataFrame:
    """Yes / Partly / No per question, weakest first.

    Shares are of the answers other than N/A. "Weakest" is the question's own score by the
    file-score formula (Partly counts half), so of two questions with the same Yes share
    the one with more No answers comes first.
    """
    frame = prepare("file_audit", file_audit)
    out = _answer_table(_codes(frame, QUESTIONS), QUESTIONS, "question")
    return out.sort_values(["score", "no_share", "question"], ascending=[True, False, True],
                           kind="stable").reset_index(drop=True)


def specific_wording_by_service(file_audit: pd.DataFrame, by: Sequence[str] = ("service",)) -> pd.DataFrame:
    """Per service, how many best-support samples were audited and the share written specifically.

    Uses :func:`pcp_widgets.audit.analysis.wording.is_generic`; blank samples are not counted.
    """
    frame = with_groups(prepare("file_audit", file_audit), "file_audit", by)
    written, generic = wording.statement_flags(frame["best_support_sample"])
    frame = frame[written].assign(specific=~generic[written])
    grouped = frame.groupby(list(by), observed=True)["specific"]
    out = pd.DataFrame({"samples": grouped.size(), "specific": grouped.sum()}).reset_index()
    return out.assign(specific_rate=_percent(out["specific"], out["samples"]))


# -- shared counting ------------------------------------------------------------------


def _answer_table(codes: np.ndarray, names: dict[str, str], key: str,
                  groups: np.ndarray | None = None, group_count: int = 1) -> pd.DataFrame:
    """Counts of each answer per (group, column), and shares of those answered (not N/A, not blank).

    Rows whose group is -1 (a blank or out-of-range group value) are left out.
    """
    if groups is None:
        groups = np.zeros(len(codes), dtype=np.int64)
    keep = groups >= 0
    width = len(names)
    flat = (groups[keep, None] * width + np.arange(width)) * 5 + (codes[keep].astype(np.int64) + 1)
    counts = np.bincount(flat.ravel(), minlength=group_count * width * 5).reshape(-1, 5)
    yes, partly, no = counts[:, YES + 1], counts[:, PARTLY + 1], counts[:, NO + 1]
    answered = yes + partly + no
    shares = {f"{name}_share": _percent(value, answered) for name, value in (("yes", yes), ("partly", partly),
                                                                               ("no", no))}
    score = _score(yes, partly, answered)
    return pd.DataFrame({
        key: np.tile(list(names), group_count), "text": np.tile(list(names.values()), group_count),
        "answered": answered, "yes": yes, "partly": partly, "no": no,
        "not_applicable": counts[:, NOT_APPLICABLE + 1], **shares, "score": score,
    })


def _score(yes: np.ndarray, partly: np.ndarray, answered: np.ndarray) -> np.ndarray:
    """The file-score formula (docs/domain.md): (2 x Yes + 1 x Partly) / (2 x answered other than N/A) x 100;
    NaN if none answered."""
    return _percent(2 * yes + partly, 2 * answered)


def _percent(part, whole) -> np.ndarray:
    """part / whole x 100, NaN where whole is 0 (nothing to take a share of)."""
    part, whole = np.asarray(part, dtype=float), np.asarray(whole, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / whole * 100, np.nan)


def _codes(frame: pd.DataFrame, keys) -> np.ndarray:
    """The answer codes of ``keys`` as one (rows, columns) array: 0 Yes, 1 Partly, 2 No, 3 N/A, -1 blank."""
    if not len(frame):
        return np.empty((0, len(keys)), dtype=np.int8)
    return np.column_stack([frame[k].cat.codes.to_numpy() for k in keys])


def _group_ids(frame: pd.DataFrame, kind: str, by: Sequence[str], span=None) -> tuple[np.ndarray, pd.DataFrame]:
    """Each row's group number (-1: in no group) and the groups, one row each, in number order.

    The groups are every combination of the ``by`` levels (see :func:`_levels`), so counts
    made with ``np.bincount`` over these numbers include the zeros.
    """
    levels = [_levels(frame, kind, name, span) for name in by]
    ids = np.zeros(len(frame), dtype=np.int64)
    valid = np.ones(len(frame), dtype=bool)
    for name, level in zip(by, levels):
        positions = _positions(frame[name], level)
        valid &= positions >= 0
        ids = ids * len(level) + positions
    ids[~valid] = -1
    if not by:
        return ids, pd.DataFrame(index=range(1))
    keys = pd.MultiIndex.from_product(levels, names=list(by)).to_frame(index=False)
    return ids, keys


def _levels(frame: pd.DataFrame, kind: str, name: str, span=None) -> pd.Index:
    """A grouping column's values: every period in the span, hour and declared choice; others as found."""
    column = frame[name]
    if name in PERIODS:
        start, end = span or (column.min(), column.max())
        return period_range(start, end, name) if len(column) else pd.DatetimeIndex([])
    if isinstance(column.dtype, pd.CategoricalDtype) and _declared(kind, name):
        return pd.Index(column.cat.categories)
    return pd.Index(column.dropna().unique()).sort_values()


def _declared(kind: str, name: str) -> bool:
    """Whether a column's values are fixed (the schema's choices and answers, the 24 hours)."""
    if name == HOUR:
        return True
    sheet = sheet_for(kind)
    return name in sheet.keys and sheet.field(name).type.dropdown is not None


def _positions(column: pd.Series, level: pd.Index) -> np.ndarray:
    """Where each value of ``column`` is in ``level`` (-1 when it is not there or blank)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        lookup = np.append(level.get_indexer(column.cat.categories), -1)
        return lookup[column.cat.codes.to_numpy()]
    return level.get_indexer(column)


def _count(frame: pd.DataFrame, kind: str, by: Sequence[str], span=None, name: str = "count") -> pd.DataFrame:
    """Rows per group, zeros included."""
    ids, keys = _group_ids(frame, kind, by, span)
    return keys.assign(**{name: np.bincount(ids[ids >= 0], minlength=len(keys))})


# -- observations ---------------------------------------------------------------------


def match_rates(observations: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Each check's match rate (share of Yes among those answered), overall or per ``by`` group.

    ``by=()`` gives one row per check; ``by=("routine",)`` the same per routine, every
    routine listed (one never observed has a NaN rate); ``by=("service", "month")`` for
    trends. ``matches_plan`` is the observer's overall judgement, where Partly is possible:
    its rate counts Yes only, and its Partly share is given beside it.
    """
    frame = with_groups(prepare("observation", observations), "observation", by)
    ids, keys = _group_ids(frame, "observation", by)
    table = _answer_table(_codes(frame, CHECKS), CHECKS, "check", ids, len(keys))
    table = table.rename(columns={"answered": "observed", "yes_share": "match_rate"}).drop(columns="score")
    repeated = keys.loc[keys.index.repeat(len(CHECKS))].reset_index(drop=True)
    return pd.concat([repeated, table], axis=1)


def practice_by_staff(observations: pd.DataFrame, min_observations: int | None = None) -> pd.DataFrame:
    """Each staff member's observed practice, only for those observed at least ``min_observations`` times
    (the organisation's :func:`~.settings.min_staff_observations` unless given).

    Fewer observations say more about the day than the person, and a table of one-off
    failures by staff ref is unfair; how many staff were left out is in
    ``result.attrs["staff_left_out"]`` so a page can say so. ``match_rate`` is the share of
    observations judged to match the plan; ``most_missed`` is the check answered No most
    often, in the sheet's words (blank when none was). Lowest match rate first.
    """
    least = min_staff_observations() if min_observations is None else min_observations
    frame = prepare("observation", observations)
    ids, keys = _group_ids(frame, "observation", ("staff_ref",))
    table = _answer_table(_codes(frame, CHECKS), CHECKS, "check", ids, len(keys))
    width = len(CHECKS)
    overall = table.iloc[width - 1::width]  # matches_plan, the last check
    no = table["no"].to_numpy().reshape(len(keys), width)[:, :-1]
    check_words = np.array(list(CHECKS.values())[:-1])
    out = keys.assign(
        observations=np.bincount(ids[ids >= 0], minlength=len(keys)),
        matched=overall["yes"].to_numpy(),
        match_rate=overall["yes_share"].to_numpy(),
        checks_missed=no.sum(axis=1),
        most_missed=np.where(no.max(axis=1, initial=0) > 0, check_words[no.argmax(axis=1)], ""),
    )
    enough = out["observations"] >= least
    shown = out[enough].sort_values(["match_rate", "staff_ref"], kind="stable").reset_index(drop=True)
    shown.attrs["staff_left_out"] = int((~enough & (out["observations"] > 0)).sum())
    shown.attrs["min_observations"] = least
    return shown


# -- incidents and refusals -----------------------------------------------------------


def event_counts(events: pd.DataFrame, by: Sequence[str] = ("week", "event_type"), span=None) -> pd.DataFrame:
    """Events per group: per ``week`` or ``month`` and by ``event_type``, ``routine``, ``trigger``, ``hour``...

    Every declared type and routine, every hour and every period of ``span`` (a pair of
    dates; default the first and last event's) is listed, with 0 where nothing happened.
    A blank routine or trigger is counted as "not recorded"; an event without a time is
    left out of counts by ``hour``. With a period, ``complete`` says whether the whole
    period lies inside the span: a chart should not read a half-week as a good week.
    """
    frame = _with_not_recorded(with_groups(prepare("event", events), "event", by), by)
    if span is None and len(frame) and any(p in by for p in PERIODS):
        span = (frame["event_date"].min(), frame["event_date"].max())
    out = _count(frame, "event", by, span, name="events")
    period = next((p for p in PERIODS if p in by), None)
    if period:
        out["complete"] = _whole_periods(out[period], period, span)
    return out


def _whole_periods(starts: pd.Series, period: str, span) -> np.ndarray:
    """Whether each period, from its start, lies wholly inside ``span`` (none do without a span)."""
    if span is None:
        return np.zeros(len(starts), dtype=bool)
    inside = (starts >= pd.Timestamp(span[0])) & (period_end(starts, period) <= pd.Timestamp(span[1]))
    return inside.to_numpy(dtype=bool)


def _with_not_recorded(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Blank routines and triggers as an explicit "not recorded", so they are counted, not dropped."""
    filled = {}
    for name in ("routine", "trigger"):
        if name in by:
            column = frame[name].cat.add_categories([NOT_RECORDED])
            filled[name] = column.fillna(NOT_RECORDED)
    return frame.assign(**filled) if filled else frame


def recovery_times(events: pd.DataFrame, by: Sequence[str] = ("event_type",)) -> pd.DataFrame:
    """Median recovery time (minutes), with the quartiles and how many events recorded one."""
    frame = with_groups(prepare("event", events), "event", by)
    frame = frame[frame["recovery_minutes"].notna().to_numpy()]
    if not by:
        values = frame["recovery_minutes"]
        return pd.DataFrame({"events": [len(values)], "median_minutes": [values.median()],
                             "lower_quartile": [values.quantile(0.25)], "upper_quartile": [values.quantile(0.75)]})
    grouped = frame.groupby(list(by), observed=True)["recovery_minutes"]
    quartiles = grouped.quantile([0.25, 0.5, 0.75]).unstack().reindex(columns=[0.25, 0.5, 0.75])
    return pd.DataFrame({"events": grouped.size(), "median_minutes": quartiles[0.5],
                         "lower_quartile": quartiles[0.25], "upper_quartile": quartiles[0.75]}).reset_index()


# -- outcomes -------------------------------------------------------------------------


def outcome_status_counts(outcomes: pd.DataFrame, by: Sequence[str] = ("service",)) -> pd.DataFrame:
    """Outcome rows per status (every status listed) and each status's share of its group."""
    frame = with_groups(prepare("outcome", outcomes), "outcome", by)
    out = _count(frame, "outcome", (*by, "status"), name="outcomes")
    totals = out.groupby(list(by), observed=True)["outcomes"].transform("sum") if by else out["outcomes"].sum()
    return out.assign(share=_percent(out["outcomes"], totals))


def step_progress(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Each outcome at each review: steps done of planned, confidence, and the change since its last review.

    Rows are in order of person, outcome and review date, so a page can draw one line per
    outcome. ``low_confidence`` marks confidence below :data:`LOW_CONFIDENCE` (the action
    plan's "make the step smaller").
    """
    frame = prepare("outcome", outcomes)
    order = np.lexsort((frame["review_date"].to_numpy(), frame["outcome"].to_numpy(dtype=object),
                        frame["person_ref"].cat.codes.to_numpy()))
    frame = frame.iloc[order]
    same = (frame[["person_ref", "outcome"]].shift() == frame[["person_ref", "outcome"]]).all(axis=1).to_numpy()
    completion = _percent(frame["steps_done"], frame["steps_total"])
    out = frame[["review_date", "service", "person_ref", "outcome", "status", "steps_done", "steps_total",
                 "confidence", "cancellations"]].assign(completion=completion)
    previous = out[["steps_done", "confidence"]].shift()
    previous.loc[~same, :] = np.nan  # a different outcome's last review is not this one's
    return out.assign(
        steps_change=out["steps_done"] - previous["steps_done"],
        confidence_change=out["confidence"] - previous["confidence"],
        low_confidence=(out["confidence"] < LOW_CONFIDENCE).to_numpy(),
    ).reset_index(drop=True)


def progress_over_time(outcomes: pd.DataFrame, by: Sequence[str] = ("month",)) -> pd.DataFrame:
    """Per period (or any ``by``): outcomes reviewed, mean step completion, median confidence,
    how many had low confidence, and cancelled sessions per outcome reviewed."""
    frame = with_groups(step_progress(outcomes), "outcome", by)
    grouped = frame.groupby(list(by), observed=True)
    return pd.DataFrame({
        "outcomes": grouped.size(),
        "mean_completion": grouped["completion"].mean(),
        "median_confidence": grouped["confidence"].median(),
        "low_confidence": grouped["low_confidence"].sum(),
        "cancellations_per_outcome": grouped["cancellations"].mean(),
    }).reset_index()


# -- reviews --------------------------------------------------------------------------


def review_intervals(reviews: pd.DataFrame, interval_months: int = REVIEW_INTERVAL_MONTHS) -> pd.DataFrame:
    """Each review with the person's previous one and whether it was on time.

    The data has no due dates, so they are derived: a review falls due ``interval_months``
    after the previous review, by the end of that month (reviews are planned by the month;
    the demo and most providers review six-monthly, and the file audit's q01 asks for at least
    yearly, so pass 12 for that standard). A review held by then is on time, however early;
    a person's first review in the data has no previous one and is neither.
    """
    frame = prepare("review", reviews)
    order = np.lexsort((frame["review_date"].to_numpy(), frame["person_ref"].cat.codes.to_numpy()))
    frame = frame.iloc[order][["review_date", "service", "person_ref"]]
    same_person = (frame["person_ref"].shift() == frame["person_ref"]).to_numpy()
    previous = frame["review_date"].shift().where(same_person)
    due_by = _due_by(previous, interval_months)
    late_days = (frame["review_date"] - due_by).dt.days
    return frame.assign(previous_review=previous, due_by=due_by,
                        on_time=(late_days <= 0).where(previous.notna()).astype("boolean"),
                        days_late=late_days.clip(lower=0)).reset_index(drop=True)


def _due_by(previous: pd.Series, interval_months: int) -> pd.Series:
    """The last day of the month ``interval_months`` after each previous review."""
    months = previous.to_numpy(dtype="datetime64[M]") + np.timedelta64(interval_months + 1, "M")
    return pd.Series(months.astype("datetime64[D]") - np.timedelta64(1, "D"), index=previous.index,
                     dtype="datetime64[ns]")


def reviews_on_time(reviews: pd.DataFrame, interval_months: int = REVIEW_INTERVAL_MONTHS,
                    by: Sequence[str] = ("service", "month")) -> pd.DataFrame:
    """Per group: reviews held, those with a previous review to be due from, how many were on time.

    See :func:`review_intervals` for how "on time" is worked out from the review dates.
    """
    frame = with_groups(review_intervals(reviews, interval_months), "review", by)
    frame = frame.assign(counted=frame["on_time"].notna(), on_time=frame["on_time"].fillna(False))
    grouped = frame.groupby(list(by), observed=True)
    out = pd.DataFrame({"reviews": grouped.size(), "with_previous": grouped["counted"].sum(),
                        "on_time": grouped["on_time"].sum()}).reset_index()
    return out.assign(late=out["with_previous"] - out["on_time"],
                      on_time_rate=_percent(out["on_time"], out["with_previous"]))


def overdue_reviews(reviews: pd.DataFrame, as_of=None, interval_months: int = REVIEW_INTERVAL_MONTHS) -> pd.DataFrame:
    """People whose next review was due by ``as_of`` (default: the latest review date) and has not happened."""
    frame = review_intervals(reviews, interval_months)
    latest = frame.groupby("person_ref", observed=True).tail(1)
    as_of = pd.Timestamp(as_of) if as_of is not None else frame["review_date"].max()
    due_by = _due_by(latest["review_date"], interval_months)
    overdue = latest.assign(last_review=latest["review_date"], next_due_by=due_by,
                            days_overdue=(as_of - due_by).dt.days)
    overdue = overdue[overdue["days_overdue"] > 0]
    return overdue[["service", "person_ref", "last_review", "next_due_by", "days_overdue"]].sort_values(
        "days_overdue", ascending=False, kind="stable").reset_index(drop=True)


__all__ = ["RagBands", "RAG_DTYPE", "QUESTIONS", "CHECKS", "MIN_STAFF_OBSERVATIONS", "LOW_CONFIDENCE",
           "REVIEW_INTERVAL_MONTHS", "Filters", "apply_filters", "prepare",
           "file_score", "file_scores", "score_by_service_month", "question_shares", "specific_wording_by_service",
           "match_rates", "practice_by_staff", "event_counts", "recovery_times", "outcome_status_counts",
           "step_progress", "progress_over_time", "review_intervals", "reviews_on_time", "overdue_reviews"]
