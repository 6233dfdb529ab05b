"""Run charts as NHS England's "Making Data Count" works them out, and before/after a plan change.

This module finds the limits and the special causes and says them in words; the chart itself is
drawn by :func:`pcp_widgets.audit.outputs.run_chart.draw_xmr`.

An XmR chart (statistical process control) separates the ordinary ups and downs of a
measure from changes worth acting on. Its limits come from the data's own variation:

* the mean of the points, and the moving ranges (each point's distance from the one before);
* process limits at mean +/- 2.66 x the mean moving range (2.66 = 3 / 1.128, three sigma
  estimated from the moving ranges), and "near a limit" at two thirds of that (two sigma).

Four rules mark special cause variation (Making Data Count's, in its order):

1. a point beyond a process limit;
2. a shift: 7 or more points in a row on the same side of the mean (a point exactly on
   the mean ends the run);
3. a trend: 6 or more points in a row each higher (or each lower) than the one before
   (a repeated value ends the run);
4. two of three points in a row near or beyond a limit (beyond two sigma), on the same side.

Making Data Count advises at least 15 points before the limits are trusted, and 20 when
they can be; fewer still draw, with a sentence saying the limits are provisional.

:func:`before_after` answers the manager's question about a plan change: the rate of
refusals and incidents per 28 days before and after it, or "too little data to judge".
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from pcp_widgets.audit.analysis.frames import Filters, apply_filters, prepare

#: 3 / d2 for moving ranges of two points (d2 = 1.128): the process limits' distance in mean moving ranges.
LIMIT_FACTOR = 2.66
SHIFT_RUN = 7
TREND_RUN = 6
#: Fewer points than this and the limits are provisional (Making Data Count's advice).
MIN_POINTS = 15

RULES = {
    "beyond_limit": "a point beyond a process limit",
    "shift": f"{SHIFT_RUN} or more points in a row on one side of the mean",
    "trend": f"{TREND_RUN} or more points in a row rising or falling",
    "two_of_three": "two of three points near a process limit",
}


@dataclass(frozen=True)
class Finding:
    """One special cause: which rule, the first and last point's dates, which way, and the sentence for it."""

    rule: str
    start: pd.Timestamp
    end: pd.Timestamp
    direction: str  # "high" or "low" ("rising"/"falling" are reported as high/low too)
    sentence: str


@dataclass(frozen=True)
class ProcessLimits:
    """One stage's centre line and limits (the whole series, or the points between two re-basings)."""

    start: pd.Timestamp
    points: int
    mean: float
    mean_moving_range: float
    upper: float
    lower: float
    upper_near: float
    lower_near: float


@dataclass
class XmrResult:
    """An XmR chart's numbers: the points with their flags and limits, and what they show in words.

    ``points`` has a row per point: date, value, moving range, that point's mean and limits
    (they differ only between stages), a column per rule and ``special``. ``stages`` holds
    each stage's limits; ``mean``, ``upper`` and ``lower`` are the latest stage's.
    """

    points: pd.DataFrame
    stages: list[ProcessLimits]
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    label: str = "value"
    period: str = "point"

    @property
    def mean(self) -> float:
        return self.stages[-1].mean if self.stages else float("nan")

    @property
    def upper(self) -> float:
        return self.stages[-1].upper if self.stages else float("nan")

    @property
    def lower(self) -> float:
        return self.stages[-1].lower if self.stages else float("nan")

    @property
    def sentences(self) -> list[str]:
        """What to print under the chart: each special cause (many alike said once), then any caution."""
        if not self.findings and len(self.points) >= 2:
            found = ["No special cause: the points vary within the process limits, as they usually do."]
        else:
            found = _grouped_sentences(self.findings, self.period, self.label)
        return found + self.notes

    def table(self) -> pd.DataFrame:
        """The numbers behind the chart, one row a point, for the table under it and its download."""
        return self.points.drop(columns=["upper_near", "lower_near"])


def xmr(values: Sequence[float] | pd.Series, dates: Sequence, *, label: str = "value",
        higher_is_better: bool | None = None, floor: float | None = None, period: str = "point",
        rebase: Sequence = ()) -> XmrResult:
    """The XmR chart of ``values`` at ``dates`` (in date order), with every special cause found.

    ``higher_is_better`` words each finding as an improvement or a concern (None: neither).
    ``floor`` clips the lower limit (0 for counts, which cannot go below it). ``period``
    names a point in the sentences ("week", "month"). Missing values (NaN) are left out,
    with a note saying how many. ``rebase`` lists dates from which the
    limits are worked out afresh, as Making Data Count does once a change is known to have
    happened (a plan change): each stage then has its own mean and limits, the moving
    range across a re-basing is not used, and the rules are applied within each stage.
    """
    x = pd.Series(values, dtype="float64").to_numpy()
    when = pd.Series(pd.to_datetime(pd.Series(list(dates), dtype=object)).to_numpy(), name="date")
    missing = ~np.isfinite(x)  # a month with nothing to score is not a point of zero
    if missing.any():
        x, when = x[~missing], when[~missing].reset_index(drop=True)
    cuts = sorted({int(np.searchsorted(when.to_numpy(), np.datetime64(pd.Timestamp(d)))) for d in rebase})
    bounds = [0, *[c for c in cuts if 0 < c < len(x)], len(x)]
    points = pd.DataFrame({"date": when, "value": x, "moving_range": np.nan})
    stages, segments = [], []
    for first, end in zip(bounds, bounds[1:]):
        if first == end:  # no points at all
            continue
        limits = _limits(x[first:end], when.iloc[first], floor)
        stages.append(limits)
        points.loc[first + 1:end - 1, "moving_range"] = np.abs(np.diff(x[first:end]))
        for name in ("mean", "lower", "upper", "lower_near", "upper_near"):
            points.loc[first:end - 1, name] = getattr(limits, name)
        segments += [_offset(segment, first) for segment in _special_causes(x[first:end], limits)]
    for rule in RULES:
        flags = np.zeros(len(x), dtype=bool)
        for segment in segments:
            if segment.rule == rule:
                flags[list(segment.flagged)] = True
        points[rule] = flags
    points["special"] = points[list(RULES)].any(axis=1)
    result = XmrResult(points, stages, label=label, period=period)
    result.findings = [Finding(seg.rule, when.iloc[seg.first], when.iloc[seg.last], seg.direction,
                               _sentence(seg, points, result, higher_is_better, period)) for seg in segments]
    result.notes = _notes(stages)
    if missing.any():
        result.notes.append(f"{int(missing.sum())} {period}(s) with no value are left out of the chart.")
    return result


def _limits(x: np.ndarray, start, floor: float | None) -> ProcessLimits:
    mean = float(np.mean(x)) if len(x) else float("nan")
    mean_mr = float(np.mean(np.abs(np.diff(x)))) if len(x) > 1 else float("nan")
    spread = LIMIT_FACTOR * mean_mr
    lower = mean - spread if floor is None else max(mean - spread, floor)
    return ProcessLimits(pd.Timestamp(start), len(x), mean, mean_mr, mean + spread, lower,
                  mean + spread * 2 / 3, mean - spread * 2 / 3)


@dataclass(frozen=True)
class _Segment:
    """Consecutive points one rule flags together: positions first..last, and the flagged ones."""

    rule: str
    first: int
    last: int
    direction: str
    flagged: tuple[int, ...]


def _offset(segment: _Segment, by: int) -> _Segment:
    return _Segment(segment.rule, segment.first + by, segment.last + by, segment.direction,
                    tuple(p + by for p in segment.flagged))


def _special_causes(x: np.ndarray, limits: ProcessLimits) -> list[_Segment]:
    """Every special cause in one stage's points, in date order (ties in rule order)."""
    if len(x) < 2 or not np.isfinite(limits.mean_moving_range):
        return []
    side = np.sign(x - limits.mean)
    beyond = np.where(x > limits.upper, 1, np.where(x < limits.lower, -1, 0))
    rises = np.sign(np.diff(x))
    near = np.where(x > limits.upper_near, 1, np.where(x < limits.lower_near, -1, 0))
    segments = [_Segment("beyond_limit", a, b, _way(sign), tuple(range(a, b + 1))) for a, b, sign in _runs(beyond, 1)]
    segments += [_Segment("shift", a, b, _way(sign), tuple(range(a, b + 1))) for a, b, sign in _runs(side, SHIFT_RUN)]
    # a run of 5 rises is a trend of 6 points: from the point before the first rise
    segments += [_Segment("trend", a, b + 1, _way(sign), tuple(range(a, b + 2)))
                 for a, b, sign in _runs(rises, TREND_RUN - 1)]
    segments += _two_of_three(near)
    return sorted(segments, key=lambda s: (s.first, list(RULES).index(s.rule)))


def _way(sign: int) -> str:
    return "high" if sign > 0 else "low"


def _runs(signs: np.ndarray, length: int) -> list[tuple[int, int, int]]:
    """(first, last, sign) of each run of at least ``length`` equal signs other than 0."""
    runs, start = [], 0
    for position in range(1, len(signs) + 1):
        if position == len(signs) or signs[position] != signs[start]:
            if signs[start] != 0 and position - start >= length:
                runs.append((start, position - 1, int(signs[start])))
            start = position
    return runs


def _two_of_three(near: np.ndarray) -> list[_Segment]:
    """Windows of three points with two or more beyond two sigma on one side, overlapping windows merged.

    Only the points beyond two sigma are flagged, not the window's third point.
    """
    segments = []
    for sign in (1, -1):
        flagged: list[int] = []
        for start in range(max(len(near) - 2, 0)):
            hits = [start + i for i in range(3) if near[start + i] == sign]
            if len(hits) >= 2:
                if flagged and hits[0] > flagged[-1] + 2:
                    segments.append(_Segment("two_of_three", flagged[0], flagged[-1], _way(sign), tuple(flagged)))
                    flagged = []
                flagged = sorted(set(flagged) | set(hits))
        if flagged:
            segments.append(_Segment("two_of_three", flagged[0], flagged[-1], _way(sign), tuple(flagged)))
    return segments


def _sentence(segment: _Segment, points: pd.DataFrame, result: XmrResult, higher_is_better, period: str) -> str:
    dates = points["date"]
    when = _when(dates.iloc[segment.first], dates.iloc[segment.last], period)
    count = segment.last - segment.first + 1
    label, high = result.label, segment.direction == "high"
    if segment.rule == "beyond_limit":
        values = ", ".join(_number(v) for v in points["value"].iloc[segment.first:segment.last + 1])
        side, limit = ("above the upper", "upper") if high else ("below the lower", "lower")
        limit = points[limit].iloc[segment.first]
        what = f"{when}: {label} of {values}, {side} process limit ({_number(limit)})"
    elif segment.rule == "shift":
        mean = points["mean"].iloc[segment.first]
        what = f"{when}: {count} {period}s in a row {'above' if high else 'below'} the mean ({_number(mean)})"
    elif segment.rule == "trend":
        what = f"{when}: {count} {period}s in a row, each {'higher' if high else 'lower'} than the one before"
    else:
        what = f"{when}: two of three {period}s near the {'upper' if high else 'lower'} process limit"
    return f"{what} — special cause{_meaning(segment.direction, higher_is_better)}."


def _meaning(direction: str, higher_is_better) -> str:
    if higher_is_better is None:
        return ""
    good = (direction == "high") == bool(higher_is_better)
    return ", an improvement" if good else ", a concern"


def _when(start: pd.Timestamp, end: pd.Timestamp, period: str) -> str:
    def one(day: pd.Timestamp) -> str:
        if period == "month":
            return f"{day:%B %Y}"
        if period == "week":
            return f"week of {day.day} {day:%B %Y}"
        return f"{day.day} {day:%B %Y}"

    return one(start) if start == end else f"{one(start)} to {one(end)}"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.1f}"


def _notes(stages: list[ProcessLimits]) -> list[str]:
    if not stages:
        return ["There are no points to chart."]
    notes = []
    for number, stage in enumerate(stages, start=1):
        which = f"Stage {number} (from {stage.start.day} {stage.start:%B %Y}): " if len(stages) > 1 else ""
        if stage.points < 2:
            notes.append(f"{which}too few points to draw process limits: at least two are needed, and "
                         f"{MIN_POINTS} or more to trust them.")
        elif stage.points < MIN_POINTS:
            notes.append(f"{which}only {stage.points} points, so the limits are provisional (Making Data Count "
                         f"advises at least {MIN_POINTS}, ideally 20).")
        if stage.points >= 2 and stage.mean_moving_range == 0:
            notes.append(f"{which}every point is the same, so there is no variation to set limits from.")
    return [note[:1].upper() + note[1:] for note in notes]


#: More findings than this of one rule in one direction are said in one sentence.
SAY_EACH_UP_TO = 2


def _grouped_sentences(findings: list[Finding], period: str, label: str) -> list[str]:
    """Each finding's sentence, except that many of one rule and direction (say, every quiet week
    after a plan change beyond the lower limit) become one sentence with the first and last dates."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.rule, finding.direction), []).append(finding)
    said = []
    for (rule, direction), alike in groups.items():
        if len(alike) <= SAY_EACH_UP_TO:
            said += [(f.start, f.sentence) for f in alike]
            continue
        first, last = alike[0], alike[-1]
        meaning = first.sentence[first.sentence.index("special cause"):]
        said.append((first.start, f"{len(alike)} times between {_when(first.start, first.start, period)} and "
                                   f"{_when(last.end, last.end, period)}: {_plural_rule(rule, direction)} "
                                   f"— {meaning}"))
    return [sentence for _, sentence in sorted(said, key=lambda pair: pair[0])]


def _plural_rule(rule: str, direction: str) -> str:
    high = direction == "high"
    return {
        "beyond_limit": f"a point {'above the upper' if high else 'below the lower'} process limit",
        "shift": f"a run of {SHIFT_RUN} or more {'above' if high else 'below'} the mean",
        "trend": f"{TREND_RUN} or more in a row {'rising' if high else 'falling'}",
        "two_of_three": f"two of three near the {'upper' if high else 'lower'} process limit",
    }[rule]


def plan_change_marks(plan_changes: pd.DataFrame) -> list[tuple[pd.Timestamp, str]]:
    """(date, label) for each plan change, to pass to
    :func:`pcp_widgets.audit.outputs.run_chart.draw_xmr` as ``changes``."""
    frame = prepare("plan_change", plan_changes).sort_values("change_date", kind="stable")
    return [(day, f"plan change ({reason})") for day, reason in zip(frame["change_date"], frame["reason"])]


# -- before and after a plan change ---------------------------------------------------

#: Fewer days than this on either side of a change and the comparison is "too little data to judge".
MIN_DAYS_EACH_SIDE = 28
#: Fewer events than this, before and after together, and any difference could be chance alone.
MIN_EVENTS = 10
#: Below this two-sided p-value a difference in rates is reported as more or fewer, not "no clear change".
SIGNIFICANCE = 0.05
PER_DAYS = 28
TOO_LITTLE = "too little data to judge"


@dataclass(frozen=True)
class BeforeAfter:
    """One event type's rate per 28 days either side of a change, and the honest verdict on it."""

    event_type: str
    change_date: dt.date
    days_before: int
    days_after: int
    events_before: int
    events_after: int
    rate_before: float
    rate_after: float
    verdict: str  # "fewer", "more", "no clear change" or "too little data to judge"
    p_value: float
    sentence: str


def before_after(events: pd.DataFrame, change_date, *, person_ref: str | None = None,
                 service: str | Sequence[str] | None = None, event_types: Sequence[str] = ("refusal", "incident"),
                 start=None, end=None, window_days: int | None = None) -> list[BeforeAfter]:
    """Refusals and incidents per 28 days before and after ``change_date``, for a person or a service.

    The period compared runs from ``start`` to ``end`` (default: the first and last event
    date in ``events`` as given, before narrowing to the person or service, so a person's
    quiet weeks count as quiet rather than missing); ``window_days`` limits each side to
    that many days next to the change. The change day itself counts as "after".

    The verdict is "too little data to judge" when either side has fewer than
    :data:`MIN_DAYS_EACH_SIDE` days (28: a month, so one odd week cannot decide it), or
    when there are fewer than :data:`MIN_EVENTS` events (10) on both sides together:
    with so few, even halving or doubling is within what chance alone gives. Otherwise the
    two counts are compared with an exact test (given the total, the split between the
    sides is binomial in proportion to their days): "fewer" or "more" when the two-sided
    p-value is below 0.05, else "no clear change". This says whether the rate changed, not
    that the plan change caused it.
    """
    frame = prepare("event", events)
    change = pd.Timestamp(change_date)
    first, last = _span(frame, start, end)
    if window_days is not None:
        first = max(first, change - pd.Timedelta(days=window_days))
        last = min(last, change + pd.Timedelta(days=window_days - 1))
    chosen = apply_filters(frame, "event", Filters(service=service, person_ref=person_ref,
                                                   start=_day(first), end=_day(last)))
    days_before, days_after = _days_either_side(change, first, last)
    results = []
    for event_type in event_types:
        of_type = chosen["event_date"][(chosen["event_type"] == event_type).to_numpy()]
        before = int((of_type < change).sum())
        results.append(_compare(event_type, change, days_before, days_after, before, len(of_type) - before))
    return results


def _span(events: pd.DataFrame, start, end) -> tuple:
    """The period compared: from ``start`` to ``end``, each defaulting to the first or last event date given."""
    first = pd.Timestamp(start) if start is not None else events["event_date"].min()
    last = pd.Timestamp(end) if end is not None else events["event_date"].max()
    return first, last


def _days_either_side(change: pd.Timestamp, first, last) -> tuple[int, int]:
    """Days compared before ``change`` (from ``first``) and after it (to ``last``, the change day included)."""
    days_before = max((change - first).days, 0) if pd.notna(first) else 0
    days_after = max((last - change).days + 1, 0) if pd.notna(last) else 0
    return days_before, days_after


@dataclass(frozen=True)
class PersonChange:
    """One person's plan change, judged on that person's own events before and after it."""

    person_ref: str
    service: str
    change_date: pd.Timestamp
    reason: str
    results: tuple[BeforeAfter, ...]

    @property
    def clear(self) -> bool:
        """Whether any event type clearly fell or rose after the change."""
        return any(result.verdict in ("fewer", "more") for result in self.results)

    @property
    def sentence(self) -> str:
        said = " ".join(result.sentence for result in self.results)
        return f"{self.person_ref} ({self.service}), plan changed {self.change_date:%d/%m/%Y} ({self.reason}): {said}"


def latest_changes_judged(events: pd.DataFrame, plan_changes: pd.DataFrame, *, compared: int,
                          event_types: Sequence[str] = ("refusal",), start=None, end=None) -> list[PersonChange]:
    """Each person's latest plan change in ``plan_changes``, newest first (at most ``compared`` of
    them), judged by :func:`before_after` on that person's own events.

    A service's events taken together say nothing about one person's plan, so even when a whole
    service is in view each change is judged on the person it was made for.
    """
    latest = prepare("plan_change", plan_changes).sort_values("change_date", ascending=False, kind="stable")
    latest = latest.drop_duplicates("person_ref").head(compared)
    frame = prepare("event", events)
    # the span compared is the events' as given (see before_after), though each person is judged alone
    first, last = _span(frame, start, end)
    people = [str(person) for person in latest["person_ref"]]
    counted = _counts_either_side(frame, dict(zip(people, latest["change_date"])), first, last)
    judged = []
    for person, change in zip(people, latest.itertuples()):
        change_date = pd.Timestamp(change.change_date)
        days_before, days_after = _days_either_side(change_date, first, last)
        results = tuple(_compare(event_type, change_date, days_before, days_after, counted[person, event_type, False],
                                 counted[person, event_type, True]) for event_type in event_types)
        judged.append(PersonChange(person, str(change.service), change.change_date, str(change.reason), results))
    return judged


def _counts_either_side(events: pd.DataFrame, changes: dict[str, pd.Timestamp], first, last) -> Counter:
    """How many events each person in ``changes`` had of each type from ``first`` to ``last``,
    before and after (True) their change: one pass over the events, not one per person."""
    chosen = apply_filters(events, "event", Filters(start=_day(first), end=_day(last)))
    chosen = chosen[chosen["person_ref"].isin(list(changes)).to_numpy()]
    people = chosen["person_ref"].astype(str).to_numpy()
    change_dates = pd.to_datetime(pd.Series(people, dtype=object).map(changes)).to_numpy()
    after = chosen["event_date"].to_numpy() >= change_dates
    return Counter(zip(people, chosen["event_type"].astype(str).to_numpy(), after.tolist()))


def change_summary(judged: Sequence[PersonChange], most: int, more_note: str = "") -> list[str]:
    """Sentences for the changes with a clear effect (at most ``most``), then one line counting the rest."""
    clear = [change.sentence for change in judged if change.clear]
    lines = clear[:most]
    others = len(judged) - len(lines)
    if others:
        lines.append(f"{others} other {'person' if others == 1 else 'people'}'s plan changes showed no clear change, "
                     f"or had too little data to judge.{more_note}")
    return lines


def _day(value) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _compare(event_type: str, change: pd.Timestamp, days_before: int, days_after: int, before: int,
             after: int) -> BeforeAfter:
    rate_before = before / days_before * PER_DAYS if days_before else float("nan")
    rate_after = after / days_after * PER_DAYS if days_after else float("nan")
    p_value = float("nan")
    if min(days_before, days_after) < MIN_DAYS_EACH_SIDE or before + after < MIN_EVENTS:
        verdict = TOO_LITTLE
    else:
        p_value = rate_ratio_p_value(before, after, days_before, days_after)
        verdict = "no clear change" if p_value >= SIGNIFICANCE else ("fewer" if rate_after < rate_before else "more")
    sentence = _before_after_sentence(event_type, change, days_before, days_after, before, after,
                                      rate_before, rate_after, verdict)
    return BeforeAfter(event_type, change.date(), days_before, days_after, before, after, rate_before, rate_after,
                       verdict, p_value, sentence)


def rate_ratio_p_value(before: int, after: int, days_before: float, days_after: float) -> float:
    """Two-sided exact p-value that two Poisson counts share one rate, given their exposures.

    Conditional on the total n, the count before is Binomial(n, days_before / (days_before +
    days_after)) when the rate did not change; the p-value adds the probabilities of every
    split no more likely than the one seen.
    """
    n = before + after
    share = days_before / (days_before + days_after)
    logs = np.array([_log_binomial(k, n, share) for k in range(n + 1)])
    seen = logs[before]
    return float(min(1.0, np.exp(logs[logs <= seen + 1e-9]).sum()))


def _log_binomial(k: int, n: int, p: float) -> float:
    if p in (0.0, 1.0):
        return 0.0 if (k == n * p) else -math.inf
    log_choose = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    return log_choose + k * math.log(p) + (n - k) * math.log(1 - p)


def _before_after_sentence(event_type: str, change: pd.Timestamp, days_before: int, days_after: int, before: int,
                           after: int, rate_before: float, rate_after: float, verdict: str) -> str:
    plural = {"refusal": "Refusals", "incident": "Incidents"}.get(event_type, f"{event_type.capitalize()}s")
    counts = (f"{before} in {days_before} days before the change on {change.day} {change:%B %Y}, "
              f"{after} in {days_after} days after")
    if verdict == TOO_LITTLE:
        return f"{plural}: too little data to judge ({counts}; at least {MIN_DAYS_EACH_SIDE} days each side " \
               f"and {MIN_EVENTS} events in all are needed)."
    rates = f"{_number(rate_before)} to {_number(rate_after)} per {PER_DAYS} days"
    if verdict == "no clear change":
        return f"{plural}: no clear change, {rates} ({counts}); a difference this size could be chance."
    moved = "fell" if verdict == "fewer" else "rose"
    return f"{plural} {moved} from {rates} ({counts}); more than chance alone would usually give."


__all__ = ["xmr", "XmrResult", "ProcessLimits", "Finding", "RULES", "LIMIT_FACTOR", "SHIFT_RUN", "TREND_RUN",
           "MIN_POINTS",
           "plan_change_marks", "before_after", "BeforeAfter", "rate_ratio_p_value",
           "PersonChange", "latest_changes_judged", "change_summary",
           "MIN_DAYS_EACH_SIDE", "MIN_EVENTS", "TOO_LITTLE", "PER_DAYS"]
