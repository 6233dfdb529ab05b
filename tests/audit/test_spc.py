"""XmR charts: limits, each special-cause rule firing and not firing, sentences, drawing; before/after a change.

The crafted series sit on a long baseline alternating 10 and 12 (mean about 11, moving
range about 2, so the process limits are about 11 +/- 5.3 and "near a limit" starts about
3.5 from the mean); each test adds the few points that should, or should not, fire a rule.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pcp_widgets.audit.analysis import spc
from pcp_widgets.audit.analysis.frames import prepare
from pcp_widgets.audit.outputs import run_chart
from pcp_widgets.audit.schema.sheets import sheet_for

BASELINE = [10.0, 12.0] * 12


def weeks(count: int) -> pd.DatetimeIndex:
    return pd.date_range("2025-01-06", periods=count, freq="W-MON")


def chart(values, **options) -> spc.XmrResult:
    return spc.xmr(values, weeks(len(values)), period="week", **options)


def flagged(result: spc.XmrResult, rule: str) -> list[int]:
    return list(np.flatnonzero(result.points[rule].to_numpy()))


def rules_found(result: spc.XmrResult) -> set[str]:
    return {f.rule for f in result.findings}


def test_mean_moving_ranges_and_limits_by_hand():
    result = chart([1, 3, 2, 4])
    # mean 2.5; moving ranges 2, 1, 2 (mean 5/3); limits 2.5 +/- 2.66 x 5/3
    assert result.mean == 2.5
    assert result.stages[0].mean_moving_range == pytest.approx(5 / 3)
    assert result.upper == pytest.approx(2.5 + 2.66 * 5 / 3)
    assert result.lower == pytest.approx(2.5 - 2.66 * 5 / 3)
    assert result.stages[0].upper_near == pytest.approx(2.5 + 2.66 * 5 / 3 * 2 / 3)
    assert list(result.points["moving_range"].fillna(-1)) == [-1, 2, 1, 2]
    assert chart([1, 3, 2, 4], floor=0).lower == 0


def test_ordinary_variation_fires_nothing():
    result = chart(BASELINE)
    assert result.findings == [] and not result.points["special"].any()
    assert result.sentences == ["No special cause: the points vary within the process limits, as they usually do."]


def test_a_point_beyond_a_limit():
    high = chart(BASELINE[:12] + [30.0] + BASELINE[12:], higher_is_better=False)
    assert flagged(high, "beyond_limit") == [12]
    [finding] = [f for f in high.findings if f.rule == "beyond_limit"]
    assert finding.direction == "high" and finding.start == weeks(25)[12]
    assert finding.sentence.startswith("week of 31 March 2025: value of 30, above the upper process limit (")
    assert finding.sentence.endswith("special cause, a concern.")
    low = chart(BASELINE[:12] + [-9.0] + BASELINE[12:], higher_is_better=False, label="refusals")
    assert flagged(low, "beyond_limit") == [12] and "below the lower process limit" in low.findings[0].sentence
    assert "an improvement" in low.findings[0].sentence
    near_but_inside = chart(BASELINE[:12] + [15.5] + BASELINE[12:])
    assert "beyond_limit" not in rules_found(near_but_inside)


def test_a_run_of_seven_on_one_side_is_a_shift_and_six_is_not():
    seven = chart(BASELINE + [10.0] + [11.8] * 7 + [10.0])  # 10 is below the mean, 11.8 above
    assert flagged(seven, "shift") == list(range(25, 32))
    assert "7 weeks in a row above the mean" in seven.findings[0].sentence
    six = chart(BASELINE + [10.0] + [11.8] * 6 + [10.0])
    assert "shift" not in rules_found(six)
    below = chart(BASELINE + [10.1] * 8)
    assert len(flagged(below, "shift")) >= 8 and below.findings[-1].direction == "low"


def test_a_point_on_the_mean_ends_a_run():
    # 4 points above the mean, one on it (the mean is exactly 11), 3 above: no run of 7
    values = [10.0, 12.0] * 6 + [12.0] * 3 + [11.0] + [12.0] * 3 + [10.0] * 6 + [12.0, 10.0] * 3
    result = chart(values)
    assert result.mean == 11 and result.points["value"].iloc[15] == 11
    assert "shift" not in rules_found(result)
    values[15] = 12.0  # above the mean instead: now a run of 8
    assert "shift" in rules_found(chart(values))


def test_six_rising_or_falling_is_a_trend_and_five_is_not():
    rising = chart(BASELINE + [10.0, 10.4, 10.8, 11.2, 11.6, 12.0, 10.0])
    assert flagged(rising, "trend") == list(range(24, 30))
    [trend] = [f for f in rising.findings if f.rule == "trend"]
    assert trend.direction == "high" and "6 weeks in a row, each higher than the one before" in trend.sentence
    falling = chart(BASELINE + [12.0, 11.6, 11.2, 10.8, 10.4, 10.0, 12.0], higher_is_better=False)
    assert flagged(falling, "trend") == list(range(24, 30))
    assert "an improvement" in [f for f in falling.findings if f.rule == "trend"][0].sentence
    five = chart(BASELINE + [10.0, 10.5, 11.0, 11.5, 12.0, 10.0])
    assert "trend" not in rules_found(five)
    repeated = chart(BASELINE + [10.0, 10.5, 11.0, 11.0, 11.5, 12.0, 12.5, 10.0])
    assert "trend" not in rules_found(repeated)  # a repeated value ends the run


def test_two_of_three_near_a_limit_on_the_same_side():
    result = chart(BASELINE[:12] + [16.0, 11.0, 16.0] + BASELINE[12:])
    stage = result.stages[0]
    assert stage.upper_near < 16 < stage.upper  # near the limit, not beyond it
    assert flagged(result, "two_of_three") == [12, 14]  # the middle point is not flagged
    assert "two of three weeks near the upper process limit" in result.findings[0].sentence
    apart = chart(BASELINE[:12] + [16.0, 11.0, 11.0, 16.0] + BASELINE[12:])
    assert "two_of_three" not in rules_found(apart)
    opposite = chart(BASELINE[:12] + [16.0, 11.0, 6.0] + BASELINE[12:])
    assert opposite.stages[0].lower_near > 6 and opposite.stages[0].upper_near < 16
    assert "two_of_three" not in rules_found(opposite)


def test_rebasing_at_a_change_gives_each_stage_its_own_limits():
    values = [10.0, 12.0] * 10 + [4.0, 6.0] * 10
    whole = chart(values)
    assert "shift" in rules_found(whole)
    rebased = chart(values, rebase=[weeks(40)[20]])
    assert [s.mean for s in rebased.stages] == [11, 5]
    assert rebased.findings == []
    assert rebased.points["moving_range"].isna().sum() == 2  # no moving range across the change
    assert list(rebased.points["mean"].iloc[[19, 20]]) == [11, 5]


def test_many_alike_findings_are_said_once_and_few_points_are_provisional():
    lows = [-5.0 if i % 10 == 5 else v for i, v in enumerate(BASELINE * 3)]  # a dip every tenth week
    many = chart(lows)
    low_points = [f for f in many.findings if f.rule == "beyond_limit"]
    assert len(low_points) > spc.SAY_EACH_UP_TO
    said = [s for s in many.sentences if "below the lower process limit" in s]
    assert len(said) == 1 and said[0].startswith(f"{len(low_points)} times between week of 10 February 2025 and")
    short = chart([10.0, 12.0, 11.0])
    assert any("Only 3 points, so the limits are provisional" in s for s in short.sentences)
    assert any("Too few points to draw process limits" in s for s in chart([5.0]).sentences)
    assert any("no variation" in s for s in chart([5.0] * 20).sentences)


# -- before and after a plan change ---------------------------------------------------


def events(dates: list[dt.date], event_type: str = "refusal", person: str = "P-0007",
           service: str = "Oakfield House") -> pd.DataFrame:
    keys = sheet_for("event").keys
    rows = [{"event_date": d, "service": service, "person_ref": person, "event_type": event_type} for d in dates]
    return pd.DataFrame([{k: row.get(k) for k in keys} for row in rows], columns=list(keys))


CHANGE = dt.date(2025, 3, 1)
START, END = dt.date(2025, 1, 1), dt.date(2025, 4, 29)  # 59 days before the change, 60 from it


def test_rates_per_28_days_before_and_after():
    days = [START + dt.timedelta(days=2 * i) for i in range(29)]                 # 29 before, every other day
    days += [CHANGE + dt.timedelta(days=10 * i) for i in range(6)]               # 6 after
    [refusals, incidents] = spc.before_after(events(days), CHANGE, person_ref="P-0007", start=START, end=END)
    assert (refusals.days_before, refusals.days_after) == (59, 60)
    assert (refusals.events_before, refusals.events_after) == (29, 6)
    assert refusals.rate_before == pytest.approx(29 / 59 * 28)
    assert refusals.rate_after == pytest.approx(6 / 60 * 28)
    assert refusals.verdict == "fewer" and refusals.p_value < 0.001
    assert refusals.sentence.startswith("Refusals fell from 13.8 to 2.8 per 28 days (29 in 59 days before the "
                                        "change on 1 March 2025, 6 in 60 days after)")
    assert incidents.verdict == spc.TOO_LITTLE and incidents.events_before == 0


def test_too_little_data_to_judge_and_no_clear_change():
    few = [START + dt.timedelta(days=7 * i) for i in range(17)]                  # 9 events in all
    few = few[:5] + [CHANGE + dt.timedelta(days=7 * i) for i in range(4)]
    [verdict] = spc.before_after(events(few), CHANGE, event_types=["refusal"], start=START, end=END)
    assert verdict.verdict == spc.TOO_LITTLE and np.isnan(verdict.p_value)
    assert "too little data to judge" in verdict.sentence and "10 events" in verdict.sentence
    steady = [START + dt.timedelta(days=3 * i) for i in range(40)]               # every third day throughout
    [short] = spc.before_after(events(steady), dt.date(2025, 1, 20), event_types=["refusal"], start=START, end=END)
    assert short.days_before == 19 and short.verdict == spc.TOO_LITTLE          # under 28 days before
    [same] = spc.before_after(events(steady), CHANGE, event_types=["refusal"], start=START, end=END)
    assert same.verdict == "no clear change" and same.p_value > 0.5
    assert "could be chance" in same.sentence
    [window] = spc.before_after(events(steady), CHANGE, event_types=["refusal"], start=START, end=END,
                                window_days=20)
    assert (window.days_before, window.days_after, window.verdict) == (20, 20, spc.TOO_LITTLE)


def test_the_comparison_is_for_the_person_or_service_asked_for():
    mine = events([START + dt.timedelta(days=i) for i in range(0, 118, 4)])
    theirs = events([START + dt.timedelta(days=i) for i in range(0, 59)], person="P-0001", service="Elm Court")
    both = pd.concat([mine, theirs], ignore_index=True)
    [person] = spc.before_after(both, CHANGE, person_ref="P-0007", event_types=["refusal"])
    [service] = spc.before_after(both, CHANGE, service="Elm Court", event_types=["refusal"])
    assert (person.events_before, person.events_after) == (15, 15)
    assert (service.events_before, service.events_after, service.verdict) == (59, 0, "fewer")
    assert (person.days_before, person.days_after) == (59, 58)  # the span of every event given, to 28 April


def plan_changes(*rows: tuple[str, dt.date, str]) -> pd.DataFrame:
    keys = sheet_for("plan_change").keys
    records = [{"person_ref": person, "service": "Oakfield House", "change_date": day, "reason": reason}
               for person, day, reason in rows]
    return pd.DataFrame([{k: record.get(k) for k in keys} for record in records], columns=list(keys))


def test_a_services_plan_changes_are_each_judged_on_the_person_they_were_made_for():
    """P-0007's refusals fell after their change while P-0001's carried on: taken together, the
    service's refusals would blur both, so each change is judged on its own person's events."""
    fell = events([START + dt.timedelta(days=2 * i) for i in range(29)] + [CHANGE + dt.timedelta(days=20)])
    steady = events([START + dt.timedelta(days=3 * i) for i in range(40)], person="P-0001")
    changes = plan_changes(("P-0007", dt.date(2025, 1, 10), "review"), ("P-0007", CHANGE, "incident"),
                           ("P-0001", dt.date(2025, 2, 20), "review"))
    judged = spc.latest_changes_judged(pd.concat([fell, steady], ignore_index=True), changes, compared=10,
                                       start=START, end=END)
    assert [(c.person_ref, c.change_date.date()) for c in judged] == [("P-0007", CHANGE),  # the latest of two
                                                                      ("P-0001", dt.date(2025, 2, 20))]
    assert [c.results[0].verdict for c in judged] == ["fewer", "no clear change"]
    assert [c.clear for c in judged] == [True, False]
    assert judged[0].sentence.startswith("P-0007 (Oakfield House), plan changed 01/03/2025 (incident): Refusals fell")
    assert spc.change_summary(judged, most=5) == [
        judged[0].sentence, "1 other person's plan changes showed no clear change, or had too little data to judge."]
    assert spc.change_summary(judged, most=0, more_note=" See the page.")[-1].startswith("2 other people's")


PEOPLE = ("P-0001", "P-0002", "P-0003")
DAYS = st.integers(min_value=0, max_value=150).map(lambda n: START + dt.timedelta(days=n))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PEOPLE), DAYS, st.sampled_from(["refusal", "incident", "other"])),
                max_size=80),
       st.lists(st.tuples(st.sampled_from(PEOPLE), DAYS), min_size=1, max_size=6),
       st.one_of(st.none(), st.just((START, END))))
def test_judging_a_services_changes_together_gives_what_judging_each_person_alone_gives(happened, changed, span):
    """The page judges twenty people's changes in one pass over the events; each verdict must be
    the one :func:`spc.before_after` gives on that person's events alone, over the same span."""
    given_events = pd.concat([events([day], event_type=kind, person=person) for person, day, kind in happened]
                             or [events([])], ignore_index=True)
    changes = plan_changes(*[(person, day, "review") for person, day in changed])
    start, end = span or (None, None)
    judged = spc.latest_changes_judged(given_events, changes, compared=10, event_types=("refusal", "incident"),
                                       start=start, end=end)
    frame = prepare("event", given_events)
    first = start if start is not None else frame["event_date"].min()
    last = end if end is not None else frame["event_date"].max()
    for change in judged:
        alone = given_events[given_events["person_ref"] == change.person_ref]
        each = spc.before_after(alone, change.change_date, event_types=("refusal", "incident"), start=first, end=last)
        assert list(map(repr, change.results)) == list(map(repr, each))  # repr: a rate may be nan, never equal to itself
    assert sorted(c.person_ref for c in judged) == sorted({person for person, _day in changed})


def test_exact_rate_comparison_p_values():
    assert spc.rate_ratio_p_value(10, 0, 30, 30) == pytest.approx(2 * 0.5 ** 10)
    assert spc.rate_ratio_p_value(5, 5, 30, 30) == pytest.approx(1.0)
    assert spc.rate_ratio_p_value(20, 10, 60, 30) == pytest.approx(1.0)  # the same rate, twice the days


# -- drawing --------------------------------------------------------------------------


def test_the_chart_marks_special_causes_by_shape_and_word_and_draws_plan_changes():
    result = chart(BASELINE[:12] + [30.0] + BASELINE[12:] + [11.8] * 7, label="refusals", higher_is_better=False)
    figure = run_chart.draw_xmr(result, title="P-0007: refusals", higher_is_better=False,
                          changes=[(weeks(40)[20], "plan change (incident)")])
    axes = figure.axes[0]
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert {"mean", "process limits", "plan change", "special cause: beyond a limit", "special cause: shift"} \
        <= set(legend)
    texts = " ".join(t.get_text() for t in axes.texts)
    assert "beyond a limit (concern)" in texts and "shift (concern)" in texts
    assert "plan change (incident)" in texts
    limit_styles = [c.get_linestyle() for c in axes.collections if c.get_label() == "process limits"]
    assert limit_styles and all(style[0][1] is not None for style in limit_styles)  # dashed, not solid
    shapes = {line.get_label(): line.get_marker() for line in axes.lines
              if line.get_label().startswith("special cause")}
    assert shapes == {"special cause: beyond a limit": "X", "special cause: shift": "s"}  # a shape per rule
    png = io.BytesIO()
    figure.savefig(png, format="png")
    assert png.getvalue().startswith(b"\x89PNG") and len(png.getvalue()) > 10_000


def test_many_plan_changes_are_short_marks_at_the_foot_and_a_few_are_labelled_lines():
    result = chart(BASELINE + BASELINE, label="refusals")
    many = [(day, "plan change (review)") for day in weeks(48)[::4]]
    axes = run_chart.draw_xmr(result, changes=many).axes[0]
    marks = [c for c in axes.collections if c.get_label().startswith("plan changes")]
    assert [c.get_label() for c in marks] == ["plan changes (12, at the foot)"]
    heights = [segment[:, 1] for segment in marks[0].get_segments()]
    assert len(heights) == 12 and all(low == 0 and high <= run_chart.CHANGE_MARK_HEIGHT for low, high in heights)
    assert not any("plan change (review)" in t.get_text() for t in axes.texts)  # no label for each
    few = many[:2]
    axes = run_chart.draw_xmr(result, changes=few).axes[0]
    lines = [c for c in axes.collections if c.get_label() == "plan change"]
    assert [tuple(segment[:, 1]) for segment in lines[0].get_segments()] == [(0, 1), (0, 1)]
    assert sum("plan change (review)" in t.get_text() for t in axes.texts) == 2


def test_the_words_beside_special_causes_never_overlap():
    """A fall that is a trend and then a shift starts two findings a few points apart, at much the
    same height: their words would print over each other."""
    values = BASELINE + [11.5, 10.9, 10.4, 9.9, 9.4, 8.9, 8.4, 8.0, 8.2, 8.1]
    result = chart(values, label="refusals", higher_is_better=False)
    figure = run_chart.draw_xmr(result, higher_is_better=False)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    words = [t for t in figure.axes[0].texts if t.get_text()]
    assert [t.get_text() for t in words] == ["trend (improvement)", "shift (improvement)"]
    boxes = [t.get_window_extent(renderer) for t in words]
    for n, box in enumerate(boxes):
        assert not any(box.overlaps(other) for other in boxes[n + 1:]), [t.get_text() for t in words]
    inside = figure.axes[0].bbox
    assert all(inside.x0 <= box.x0 and box.x1 <= inside.x1 for box in boxes)


def test_missing_values_are_left_out_and_said_so():
    values = BASELINE[:10] + [np.nan] + BASELINE[10:]
    result = chart(values)
    assert len(result.points) == len(BASELINE) and result.mean == 11
    assert result.points["date"].iloc[10] == weeks(len(values))[11]
    assert "1 week(s) with no value are left out of the chart." in result.sentences


def test_a_chart_of_an_empty_series_still_draws():
    result = spc.xmr([], [], label="incidents")
    assert result.findings == [] and np.isnan(result.mean)
    figure = run_chart.draw_xmr(result)
    figure.savefig(io.BytesIO(), format="png")
