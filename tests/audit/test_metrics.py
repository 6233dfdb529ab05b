"""The audit metrics against small fixtures whose answers are worked out by hand in the comments.

Frames are built the way ``Store.read_records`` returns them (``datetime.date`` objects and
plain strings); one test at the end runs every metric on records read back from a real demo
database and checks them against a plain-Python count of the same records.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from pcp_widgets.audit.analysis import frames, metrics
from pcp_widgets.audit.schema.sheets import FILE_AUDIT_QUESTIONS, OBSERVATION_CHECKS, sheet_for
from pcp_widgets.errors import UsageError

Q = [key for key, _ in FILE_AUDIT_QUESTIONS]
O = [key for key, _ in OBSERVATION_CHECKS]
D = dt.date


def records(kind: str, rows: list[dict], defaults: dict) -> pd.DataFrame:
    """A frame with every column of ``kind`` in schema order, as the store gives it."""
    keys = sheet_for(kind).keys
    return pd.DataFrame([{k: {**defaults, **row}.get(k) for k in keys} for row in rows], columns=list(keys))


def audits(*rows: dict) -> pd.DataFrame:
    return records("file_audit", list(rows), {"service": "Ash", "person_ref": "P-0001", "auditor": "AB",
                                              "audit_date": D(2025, 1, 6), **{q: "Yes" for q in Q}})


def answers(yes=0, partly=0, no=0, na=0) -> dict:
    values = ["Yes"] * yes + ["Partly"] * partly + ["No"] * no + ["N/A"] * na
    assert len(values) == len(Q)
    return dict(zip(Q, values))


def observations(*rows: dict) -> pd.DataFrame:
    return records("observation", list(rows), {"obs_date": D(2025, 1, 6), "service": "Ash", "person_ref": "P-0001",
                                               "staff_ref": "S-0001", "observer": "OB", "routine": "meals",
                                               **{o: "Yes" for o in O}, "matches_plan": "Yes"})


def events(*rows: dict) -> pd.DataFrame:
    return records("event", list(rows), {"service": "Ash", "person_ref": "P-0001", "event_type": "refusal"})


# -- file scores ----------------------------------------------------------------------


def test_file_score_is_the_domain_formula_and_bands_it():
    scores = metrics.file_scores(audits(
        answers(yes=10, partly=2, no=1, na=1),  # (20 + 2) / 26 = 84.6: green
        answers(yes=7, no=7),                   # 14 / 28 = 50: red
        answers(na=14),                         # nothing answered: no score, no band
        answers(yes=9, partly=3, no=2),         # (18 + 3) / 28 = 75: amber
    ))
    assert scores["score"].iloc[0] == pytest.approx(22 / 26 * 100)
    assert scores["score"].iloc[1] == 50
    assert math.isnan(scores["score"].iloc[2])
    assert scores["score"].iloc[3] == 75
    assert list(scores["rag"].astype(object).fillna("none")) == ["green", "red", "none", "amber"]
    assert list(scores[["yes", "partly", "no", "not_applicable"]].iloc[0]) == [10, 2, 1, 1]


def test_a_blank_answer_counts_like_n_a():
    row = answers(yes=13, no=1)
    row[Q[0]] = None
    assert metrics.file_scores(audits(row))["score"].iloc[0] == pytest.approx(24 / 26 * 100)


def test_rag_bands_edges_and_own_thresholds():
    bands = metrics.RagBands()
    assert list(bands.band([80, 79.99, 60, 59.99, np.nan]).astype(object).fillna("none")) == [
        "green", "amber", "amber", "red", "none"]
    strict = metrics.RagBands(green=90, amber=70)
    assert list(strict.band([89, 70, 69]).astype(str)) == ["amber", "amber", "red"]
    scores = metrics.file_scores(audits(answers(yes=12, no=2)), bands=strict)  # 85.7
    assert scores["rag"].iloc[0] == "amber"


def test_score_by_service_and_month():
    frame = audits(
        {**answers(yes=10, partly=2, no=1, na=1), "audit_date": D(2025, 1, 6)},   # 84.6
        {**answers(yes=9, partly=3, no=2), "audit_date": D(2025, 1, 31)},         # 75
        {**answers(yes=7, no=7), "audit_date": D(2025, 2, 1)},                    # 50
        {**answers(yes=14), "audit_date": D(2025, 1, 10), "service": "Birch"},    # 100
    )
    table = metrics.score_by_service_month(frame).set_index(["service", "month"])
    ash_january = table.loc[("Ash", pd.Timestamp("2025-01-01"))]
    assert ash_january["files"] == 2
    assert ash_january["mean_score"] == pytest.approx((22 / 26 * 100 + 75) / 2)  # 79.8: amber
    assert ash_january["rag"] == "amber"
    assert table.loc[("Ash", pd.Timestamp("2025-02-01")), "rag"] == "red"
    assert table.loc[("Birch", pd.Timestamp("2025-01-01")), "mean_score"] == 100
    assert len(table) == 3
    by_month = metrics.score_by_service_month(frame, by=("month",))
    assert list(by_month["files"]) == [3, 1]


def test_question_shares_weakest_first():
    frame = audits(
        {Q[1]: "No", Q[2]: "Partly"},
        {Q[1]: "No", Q[2]: "N/A", Q[3]: "Partly"},
        {Q[1]: "Yes", Q[2]: "No"},
    )
    table = metrics.question_shares(frame)
    # q03: Partly, No (N/A left out) -> score 1/4 = 25; q02: Yes, No, No -> 2/6 = 33.3;
    # q04: Yes, Partly, Yes -> 5/6 = 83.3; every other question 100 (in key order).
    assert list(table["question"][:4]) == [Q[2], Q[1], Q[3], Q[0]]
    q03 = table.iloc[0]
    assert (q03["answered"], q03["yes"], q03["partly"], q03["no"], q03["not_applicable"]) == (2, 0, 1, 1, 1)
    assert (q03["yes_share"], q03["partly_share"], q03["no_share"], q03["score"]) == (0, 50, 50, 25)
    assert table.iloc[1]["yes_share"] == pytest.approx(100 / 3)
    assert table.iloc[0]["text"] == dict(FILE_AUDIT_QUESTIONS)[Q[2]]
    assert len(table) == len(Q)


def test_specific_wording_rate_per_service():
    frame = audits(
        {"best_support_sample": "Staff to promote independence."},
        {"best_support_sample": "Knock twice and wait for me to say 'come in'."},
        {"best_support_sample": "   "},  # blank: not a sample
        {"best_support_sample": "Assist with personal care as required.", "service": "Birch"},
    )
    table = metrics.specific_wording_by_service(frame).set_index("service")
    assert list(table.loc["Ash", ["samples", "specific", "specific_rate"]]) == [2, 1, 50]
    assert list(table.loc["Birch", ["samples", "specific", "specific_rate"]]) == [1, 0, 0]


# -- observations ---------------------------------------------------------------------


def test_match_rate_per_check_and_per_routine():
    frame = observations(
        {O[0]: "No", "matches_plan": "Partly"},
        {O[0]: "Yes", O[2]: "N/A", "routine": "personal care", "matches_plan": "No"},
        {O[0]: "No", "routine": "personal care"},
    )
    overall = metrics.match_rates(frame).set_index("check")
    assert list(overall.index) == [*O, "matches_plan"]
    assert overall.loc[O[0], "observed"] == 3 and overall.loc[O[0], "match_rate"] == pytest.approx(100 / 3)
    assert overall.loc[O[2], "observed"] == 2 and overall.loc[O[2], "not_applicable"] == 1
    assert overall.loc["matches_plan", "match_rate"] == pytest.approx(100 / 3)
    assert overall.loc["matches_plan", "partly_share"] == pytest.approx(100 / 3)
    routines = metrics.match_rates(frame, by=("routine",)).set_index(["routine", "check"])
    assert routines.loc[("personal care", O[0]), "match_rate"] == 50
    assert routines.loc[("meals", O[0]), "match_rate"] == 0
    assert np.isnan(routines.loc[("medication", O[0]), "match_rate"])  # every routine listed, even unobserved
    assert routines.loc[("medication", O[0]), "observed"] == 0


def test_practice_by_staff_only_with_enough_observations():
    rows = [{"staff_ref": "S-0001", "matches_plan": "Yes" if i < 3 else "No", O[1]: "No" if i < 2 else "Yes"}
            for i in range(5)]
    rows += [{"staff_ref": "S-0002", "matches_plan": "No", O[4]: "No"} for _ in range(4)]
    frame = observations(*rows)
    table = metrics.practice_by_staff(frame)
    assert list(table["staff_ref"]) == ["S-0001"]
    s1 = table.iloc[0]
    assert (s1["observations"], s1["matched"], s1["match_rate"]) == (5, 3, 60)
    assert (s1["checks_missed"], s1["most_missed"]) == (2, "Staff offered choices")  # words, not the column key
    assert table.attrs["staff_left_out"] == 1
    both = metrics.practice_by_staff(frame, min_observations=4)
    assert list(both["staff_ref"]) == ["S-0002", "S-0001"]  # lowest match rate first
    assert both.iloc[0]["most_missed"] == dict(OBSERVATION_CHECKS)[O[4]] and both.attrs["staff_left_out"] == 0


# -- incidents and refusals -----------------------------------------------------------


def test_events_per_week_include_the_quiet_weeks_and_say_which_weeks_are_whole():
    frame = events(
        {"event_date": D(2025, 1, 1)},                              # Wednesday: week of Mon 30 Dec 2024
        {"event_date": D(2025, 1, 2), "event_type": "incident"},
        {"event_date": D(2025, 1, 20)},                             # week of 20 Jan; 6 and 13 Jan are quiet
        {"event_date": D(2025, 1, 26)},                             # Sunday, same week
    )
    table = metrics.event_counts(frame, by=("week", "event_type"))
    refusals = table[table["event_type"] == "refusal"].set_index("week")
    assert list(refusals["events"]) == [1, 0, 0, 2]
    assert list(refusals.index) == list(pd.to_datetime(["2024-12-30", "2025-01-06", "2025-01-13", "2025-01-20"]))
    assert list(refusals["complete"]) == [False, True, True, True]  # the span starts on a Wednesday
    assert set(table["event_type"]) == set(sheet_for("event").field("event_type").type.options)
    spanned = metrics.event_counts(frame, by=("week",), span=(D(2024, 12, 30), D(2025, 2, 9)))
    assert list(spanned["events"]) == [2, 0, 0, 2, 0, 0] and spanned["complete"].all()


def test_events_per_month_by_routine_trigger_and_hour():
    frame = events(
        {"event_date": D(2025, 1, 5), "event_time": dt.time(7, 40), "routine": "personal care", "trigger": "rushed"},
        {"event_date": D(2025, 1, 9), "event_time": dt.time(7, 5), "routine": "personal care", "trigger": "rushed"},
        {"event_date": D(2025, 3, 1), "event_time": dt.time(18, 0), "routine": None, "trigger": "noise"},
        {"event_date": D(2025, 3, 2), "event_time": None, "routine": "meals", "trigger": None},
    )
    monthly = metrics.event_counts(frame, by=("month",))
    assert list(monthly["events"]) == [2, 0, 2]
    routines = metrics.event_counts(frame, by=("routine",)).set_index("routine")["events"]
    assert (routines["personal care"], routines["meals"], routines["not recorded"], routines["medication"]) == (
        2, 1, 1, 0)
    triggers = metrics.event_counts(frame, by=("trigger",)).set_index("trigger")["events"].to_dict()
    assert triggers == {"noise": 1, "rushed": 2, "not recorded": 1}
    hours = metrics.event_counts(frame, by=("hour",)).set_index("hour")["events"]
    assert len(hours) == 24 and hours[7] == 2 and hours[18] == 1 and hours.sum() == 3  # no time: left out


def test_median_recovery_time_by_type():
    frame = events(
        *({"event_date": D(2025, 1, 1), "recovery_minutes": m} for m in (10, 20, 30, 40)),
        *({"event_date": D(2025, 1, 1), "event_type": "incident", "recovery_minutes": m} for m in (5, 60, 7)),
        {"event_date": D(2025, 1, 1), "event_type": "incident", "recovery_minutes": None},
    )
    table = metrics.recovery_times(frame).set_index("event_type")
    assert table.loc["refusal", "median_minutes"] == 25 and table.loc["refusal", "events"] == 4
    assert table.loc["incident", "median_minutes"] == 7 and table.loc["incident", "events"] == 3
    assert table.loc["refusal", "lower_quartile"] == 17.5
    overall = metrics.recovery_times(frame, by=())
    assert overall["median_minutes"].iloc[0] == 20 and overall["events"].iloc[0] == 7


# -- outcomes and reviews -------------------------------------------------------------


def outcomes(*rows: dict) -> pd.DataFrame:
    return records("outcome", list(rows), {"service": "Ash", "person_ref": "P-0001", "outcome": "I want to swim",
                                           "status": "in progress"})


def test_outcome_status_counts_list_every_status():
    frame = outcomes({"review_date": D(2025, 1, 1)}, {"review_date": D(2025, 1, 1), "status": "achieved"},
                     {"review_date": D(2025, 1, 1), "status": "achieved", "service": "Birch"})
    table = metrics.outcome_status_counts(frame).set_index(["service", "status"])
    assert table.loc[("Ash", "achieved"), "outcomes"] == 1 and table.loc[("Ash", "achieved"), "share"] == 50
    assert table.loc[("Ash", "abandoned"), "outcomes"] == 0
    assert table.loc[("Birch", "achieved"), "share"] == 100
    assert len(table) == 10
    overall = metrics.outcome_status_counts(frame, by=())
    assert overall.set_index("status").loc["achieved", "share"] == pytest.approx(200 / 3)


def test_step_completion_and_confidence_over_reviews():
    frame = outcomes(
        {"review_date": D(2025, 7, 1), "steps_done": 4, "steps_total": 5, "confidence": 7},
        {"review_date": D(2025, 1, 1), "steps_done": 1, "steps_total": 5, "confidence": 3},
        {"review_date": D(2025, 1, 1), "outcome": "I want to cook", "steps_done": 2, "steps_total": 2,
         "confidence": 9},
    )
    table = metrics.step_progress(frame)
    assert list(table["outcome"]) == ["I want to cook", "I want to swim", "I want to swim"]
    swim_later = table.iloc[2]
    assert (swim_later["completion"], swim_later["steps_change"], swim_later["confidence_change"]) == (80, 3, 4)
    assert np.isnan(table.iloc[1]["confidence_change"])  # the first review of an outcome has nothing before it
    assert np.isnan(table.iloc[0]["steps_change"])       # nor does another outcome's first
    assert list(table["low_confidence"]) == [False, True, False]
    monthly = metrics.progress_over_time(frame).set_index("month")
    january = monthly.loc[pd.Timestamp("2025-01-01")]
    assert (january["outcomes"], january["mean_completion"], january["median_confidence"]) == (2, 60, 6)
    assert january["low_confidence"] == 1


def reviews(*rows: tuple[str, dt.date]) -> pd.DataFrame:
    return records("review", [{"person_ref": p, "review_date": d} for p, d in rows],
                   {"service": "Ash", "working_1": "w", "not_working_1": "n", "future_1": "f"})


def test_reviews_on_time_six_monthly_by_the_end_of_the_month_due():
    frame = reviews(
        ("P-0001", D(2025, 1, 20)), ("P-0001", D(2025, 7, 31)),   # due by 31 July: on time
        ("P-0002", D(2025, 1, 2)), ("P-0002", D(2025, 8, 1)),     # due by 31 July: 1 day late
        ("P-0003", D(2025, 2, 10)), ("P-0003", D(2025, 4, 1)),    # early (after an incident): on time
    )
    detail = metrics.review_intervals(frame).set_index(["person_ref", "review_date"])
    assert detail.loc[("P-0002", pd.Timestamp("2025-08-01")), "days_late"] == 1
    assert pd.isna(detail.loc[("P-0001", pd.Timestamp("2025-01-20")), "on_time"])
    table = metrics.reviews_on_time(frame, by=("service",)).iloc[0]
    assert (table["reviews"], table["with_previous"], table["on_time"], table["late"]) == (6, 3, 2, 1)
    assert table["on_time_rate"] == pytest.approx(200 / 3)
    yearly = metrics.reviews_on_time(frame, interval_months=12, by=("service",)).iloc[0]
    assert yearly["on_time"] == 3


def test_overdue_reviews_as_of_a_date():
    frame = reviews(("P-0001", D(2025, 1, 20)), ("P-0001", D(2025, 7, 31)), ("P-0002", D(2025, 3, 5)))
    overdue = metrics.overdue_reviews(frame, as_of=D(2025, 10, 15))
    assert list(overdue["person_ref"]) == ["P-0002"]                     # due by 30 September
    assert overdue["days_overdue"].iloc[0] == 15
    assert metrics.overdue_reviews(frame, as_of=D(2025, 9, 30)).empty


# -- filters --------------------------------------------------------------------------


def test_filters_by_service_dates_and_person_on_any_kind():
    frame = events(
        {"event_date": D(2025, 1, 1), "service": "Ash", "person_ref": "P-0001"},
        {"event_date": D(2025, 1, 31), "service": "Ash", "person_ref": "P-0002"},
        {"event_date": D(2025, 2, 1), "service": "Birch", "person_ref": "P-0003"},
    )
    prepared = frames.prepare("event", frame)
    january = frames.Filters(start=D(2025, 1, 1), end=D(2025, 1, 31))
    assert len(january.apply(prepared, "event")) == 2
    assert list(frames.Filters(service="Birch").apply(frame, "event")["person_ref"]) == ["P-0003"]
    assert len(frames.Filters(service=("Ash", "Birch")).apply(prepared, "event")) == 3
    assert len(frames.Filters(service="Nowhere").apply(prepared, "event")) == 0
    assert list(frames.Filters(service="Ash", person_ref="P-0002").apply(prepared, "event")["event_date"]) == [
        pd.Timestamp("2025-01-31")]
    assert january.span(prepared, "event") == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-31"))
    assert frames.Filters(service="Ash").span(prepared, "event") == (pd.Timestamp("2025-01-01"),
                                                                     pd.Timestamp("2025-02-01"))
    outcome = outcomes({"review_date": D(2025, 3, 1)})
    assert len(frames.Filters(end=D(2025, 2, 28)).apply(outcome, "outcome")) == 0
    with pytest.raises(UsageError, match="after the end date"):
        frames.Filters(start=D(2025, 2, 1), end=D(2025, 1, 1)).apply(frame, "event")


def test_prepare_is_idempotent_and_metrics_agree_on_raw_and_prepared_frames():
    frame = audits(answers(yes=10, partly=2, no=1, na=1), answers(yes=7, no=7))
    once = frames.prepare("file_audit", frame)
    twice = frames.prepare("file_audit", once)
    pd.testing.assert_frame_equal(once, twice)
    pd.testing.assert_frame_equal(metrics.file_scores(frame), metrics.file_scores(once))


def test_every_metric_gives_an_empty_table_for_a_service_with_no_records():
    nothing = frames.Filters(service="Nowhere")
    audit = nothing.apply(audits(answers(yes=14)), "file_audit")
    obs = nothing.apply(observations({}), "observation")
    event = nothing.apply(events({"event_date": D(2025, 1, 1), "recovery_minutes": 5}), "event")
    outcome = nothing.apply(outcomes({"review_date": D(2025, 1, 1)}), "outcome")
    review = nothing.apply(reviews(("P-0001", D(2025, 1, 1))), "review")
    tables = [
        metrics.file_scores(audit), metrics.score_by_service_month(audit), metrics.specific_wording_by_service(audit),
        metrics.practice_by_staff(obs), metrics.event_counts(event), metrics.event_counts(event, by=("month",)),
        metrics.recovery_times(event), metrics.recovery_times(event, by=("routine",)), metrics.step_progress(outcome),
        metrics.progress_over_time(outcome), metrics.reviews_on_time(review), metrics.overdue_reviews(review),
    ]
    assert [len(table) for table in tables] == [0] * len(tables)
    assert metrics.recovery_times(event, by=())["events"].tolist() == [0]  # over everything: one row, none
    assert metrics.question_shares(audit)["answered"].sum() == 0
    assert metrics.match_rates(obs)["observed"].sum() == 0
    assert "complete" in metrics.event_counts(event).columns


# -- on a real demo database ----------------------------------------------------------


def test_metrics_on_stored_records_agree_with_a_plain_count(demo_store):
    audit = demo_store.read_records("file_audit")
    assert len(audit) > 100  # a plain count of nothing would agree with anything
    points = {"Yes": 2, "Partly": 1, "No": 0}
    expected = []
    for _, row in audit.iterrows():
        answered = [row[q] for q in Q if row[q] in points]
        expected.append(sum(points[a] for a in answered) / (2 * len(answered)) * 100 if answered else np.nan)
    np.testing.assert_allclose(metrics.file_scores(audit)["score"], expected)
    shares = metrics.question_shares(audit).set_index("question")
    for q in Q:
        assert shares.loc[q, "yes"] == (audit[q] == "Yes").sum()
        assert shares.loc[q, "answered"] + shares.loc[q, "not_applicable"] == len(audit)

    obs = demo_store.read_records("observation")
    rates = metrics.match_rates(obs, by=("service",))
    assert rates.groupby("check")["observed"].sum()["matches_plan"] == obs["matches_plan"].isin(
        ["Yes", "Partly", "No"]).sum()

    event = demo_store.read_records("event")
    weekly = metrics.event_counts(event, by=("week", "event_type"))
    assert weekly["events"].sum() == event["event_type"].notna().sum()
    for by in (("month", "routine"), ("trigger",)):
        assert metrics.event_counts(event, by=by)["events"].sum() == len(event)
    assert metrics.event_counts(event, by=("hour",))["events"].sum() == event["event_time"].notna().sum()
    assert metrics.recovery_times(event, by=())["median_minutes"].iloc[0] == event["recovery_minutes"].median()

    outcome = demo_store.read_records("outcome")
    assert metrics.outcome_status_counts(outcome)["outcomes"].sum() == len(outcome)
    assert len(metrics.step_progress(outcome)) == len(outcome)
    review = demo_store.read_records("review")
    assert metrics.reviews_on_time(review)["reviews"].sum() == len(review)
