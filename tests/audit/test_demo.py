"""The demo workbooks: reproducible, true to the schema, realistic, and importable as intended.

Every check reads the real .xlsx files back (python-calamine) and reads each cell with
the schema's own value types, so what is tested is what a quality lead would open.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from pcp_widgets.audit import demo
from pcp_widgets.audit.demo import (
    DELIBERATE_PROBLEMS,
    DEMO_PERSON,
    DEMO_PLAN_CHANGE,
    DEMO_SERVICE,
    SPECIFIC_SUPPORT,
    generate_workbooks,
    run_demo,
    service_profiles,
    write_demo,
)
from pcp_widgets.audit.schema.sheets import FILE_AUDIT, KINDS, OBSERVATION, SHEETS
from pcp_widgets.audit.analysis.wording import near_identical_reviews
from pcp_widgets.audit.schema.values import Ref, is_blank
from pcp_widgets.errors import InvalidValue, UsageError

SMALL = dict(services=3, months=2, end_month="2025-02")


@dataclass
class Row:
    file: str
    sheet: str
    row: int  # the spreadsheet row number a person sees
    cells: dict  # field key -> cell as read
    values: dict  # field key -> value as the schema reads it (None when blank or unreadable)
    problems: list


def read_rows(paths) -> dict[str, list[Row]]:
    """Every data row of every file, by kind, each cell read with the schema's value type."""
    rows = defaultdict(list)
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        for sheet in SHEETS:
            table = book.get_sheet_by_name(sheet.name).to_python()
            for number, cells in enumerate(table[1:], start=2):
                raw = dict(zip(sheet.keys, list(cells) + [None] * (len(sheet.keys) - len(cells))))
                rows[sheet.kind].append(_read_row(sheet, Path(path).name, number, raw))
    return rows


def _read_row(sheet, file: str, number: int, raw: dict) -> Row:
    values, problems = {}, []
    for f in sheet.fields:
        cell = raw[f.key]
        values[f.key] = None
        if is_blank(cell) or cell == "":
            if f.required:
                problems.append(f"{f.key} blank")
            continue
        try:
            values[f.key] = f.type.normalise(cell)
        except InvalidValue as error:
            problems.append(f"{f.key}: {error}")
    for rule in sheet.rules:
        if rule.violated(values):
            problems.append(rule.field)
    return Row(file, sheet.name, number, raw, values, problems)


def file_score(values: dict) -> float | None:
    """docs/domain.md: (2 x Yes + 1 x Partly) / (2 x questions answered other than N/A) x 100."""
    answers = [values[f.key] for f in FILE_AUDIT.answer_fields]
    answered = [a for a in answers if a not in (None, "N/A")]
    if not answered:
        return None
    return (2 * answered.count("Yes") + answered.count("Partly")) / (2 * len(answered)) * 100


def hashes(paths) -> dict[str, bytes]:
    return {Path(p).name: Path(p).read_bytes() for p in paths}


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """A year of six services, read back: the set most realism checks look at."""
    folder = tmp_path_factory.mktemp("year")
    written = write_demo(folder, services=6, months=12, seed=3, end_month="2025-12")
    return written, read_rows(written.paths)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    written = write_demo(folder, seed=1, **SMALL)
    return written, read_rows(written.paths)


def good_rows(rows: dict[str, list[Row]], kind: str) -> list[Row]:
    return [r for r in rows[kind] if not r.problems]


# -- reproducible files ----------------------------------------------------------------


def test_same_arguments_give_byte_identical_files_and_another_seed_does_not(tmp_path):
    first = generate_workbooks(tmp_path / "a", seed=5, **SMALL)
    again = generate_workbooks(tmp_path / "b", seed=5, **SMALL)
    other = generate_workbooks(tmp_path / "c", seed=6, **SMALL)
    assert [p.name for p in first] == ["pcp-demo-2025-01.xlsx", "pcp-demo-2025-02.xlsx"]
    assert hashes(first) == hashes(again)
    assert all(hashes(first)[name] != content for name, content in hashes(other).items())


def test_worker_processes_write_the_same_bytes(tmp_path, monkeypatch):
    here = generate_workbooks(tmp_path / "here", seed=2, **SMALL)
    monkeypatch.setattr(demo, "PARALLEL_ROWS", 0)
    in_workers = generate_workbooks(tmp_path / "workers", seed=2, **SMALL)
    assert hashes(here) == hashes(in_workers)


def test_months_end_with_the_end_month_and_progress_is_reported(tmp_path):
    calls = []
    paths = generate_workbooks(tmp_path, services=1, months=3, end_month="2026-01",
                               progress=lambda done, total, message: calls.append((done, total, message)))
    assert [p.name for p in paths] == ["pcp-demo-2025-11.xlsx", "pcp-demo-2025-12.xlsx", "pcp-demo-2026-01.xlsx"]
    assert calls[-1][:2] == (3, 3) and "pcp-demo-2026-01.xlsx" in calls[-1][2]


@pytest.mark.parametrize("arguments", [dict(end_month="2025-13"), dict(end_month="December 2025"),
                                       dict(months=0), dict(services=0), dict(services=100_000)])
def test_arguments_it_cannot_use_are_one_plain_sentence(tmp_path, arguments):
    with pytest.raises(UsageError):
        generate_workbooks(tmp_path, **{**dict(services=1, months=1, end_month="2025-01"), **arguments})


# -- true to the schema ----------------------------------------------------------------


def test_sheet_names_and_headers_are_the_schemas(small):
    written, _ = small
    for path in written.paths:
        book = CalamineWorkbook.from_path(str(path))
        assert book.sheet_names == [s.name for s in SHEETS]
        for sheet in SHEETS:
            assert book.get_sheet_by_name(sheet.name).to_python()[0] == [f.header for f in sheet.fields]


def test_only_the_deliberate_rows_are_unreadable(year):
    written, rows = year
    unreadable = {(r.file, r.sheet, r.row) for kind in KINDS for r in rows[kind] if r.problems}
    expected = {(p.file.name, p.sheet, p.row) for p in written.problems
                if p.problem.rejected and not p.problem.conflict}
    assert unreadable == expected
    assert len(written.problems) == len(DELIBERATE_PROBLEMS)
    assert {p.file.name for p in written.problems} == {written.paths[0].name}
    assert sum(len(rows[kind]) for kind in KINDS) == sum(written.rows.values())


def test_natural_keys_are_unique_apart_from_the_deliberate_conflict(year):
    written, rows = year
    (conflict,) = [p for p in written.problems if p.problem.conflict]
    for sheet in SHEETS:
        first_seen = {}
        for r in good_rows(rows, sheet.kind):
            key = sheet.key_of(r.values)
            if key in first_seen:
                assert (r.file, r.sheet, r.row) == (conflict.file.name, conflict.sheet, conflict.row)
                assert sheet.content_hash(r.values) != sheet.content_hash(first_seen[key].values)
            else:
                first_seen[key] = r
    assert conflict.row in {r.row for r in rows[conflict.problem.kind] if r.file == conflict.file.name}


def test_refs_are_pseudonymous_codes_except_the_deliberate_name(year):
    _, rows = year
    people = Counter(r.values["person_ref"] for kind in KINDS for r in good_rows(rows, kind))
    names = {ref for ref in people if not re.fullmatch(r"P-\d{4}", ref)}
    assert names == {"Jane Doe"} and people["Jane Doe"] == 1 and Ref.looks_like_name("Jane Doe")
    assert all(re.fullmatch(r"S-\d{4}", r.values["staff_ref"]) for r in good_rows(rows, "observation"))


def test_mostly_real_dates_with_a_realistic_share_of_messy_but_valid_cells(year):
    _, rows = year
    audits = good_rows(rows, "file_audit")
    date_cells = [r.cells["audit_date"] for r in audits]
    typed = [c for c in date_cells if isinstance(c, str)]
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", c) for c in typed)
    assert 0 < len(typed) < 0.05 * len(date_cells)
    answers = [(r.cells[f.key], r.values[f.key]) for r in audits for f in FILE_AUDIT.answer_fields]
    odd_answers = {cell for cell, value in answers if cell != value}
    assert odd_answers and len([1 for cell, value in answers if cell != value]) < 0.05 * len(answers)
    assert odd_answers & {"Y", "y", "n", "N", "✓", "✔", "✗", "✘"}
    routines = {r.cells["routine"] for r in good_rows(rows, "observation")}
    assert routines - set(OBSERVATION.field("routine").type.dropdown), "some routines are typed differently"
    times = [r.cells["obs_time"] for r in good_rows(rows, "observation")]
    assert sum(isinstance(t, dt.time) for t in times) > 0.9 * len(times)


# -- realistic -------------------------------------------------------------------------


def test_service_names_are_invented_unique_and_start_with_the_demo_service():
    profiles = service_profiles(300, 1)
    names = [p.name for p in profiles]
    assert len(set(names)) == 300 and names[0] == DEMO_SERVICE
    assert [(p.quality, p.trend) for p in profiles[:3]] == [("middling", "improving"), ("good", "steady"),
                                                            ("poor", "declining")]
    assert {p.quality for p in profiles} == {"good", "middling", "poor"}


def test_good_and_poor_services_really_differ_and_trends_show(year):
    written, rows = year
    by_service_month = defaultdict(list)
    for r in good_rows(rows, "file_audit"):
        score = file_score(r.values)
        if score is not None:
            by_service_month[(r.values["service"], r.values["audit_date"].month)].append(score)
    profiles = written.services

    def mean(service, months):
        return statistics.mean(s for m in months for s in by_service_month[(service.name, m)])

    year_months = range(1, 13)
    good = [p for p in profiles if p.quality == "good"]
    poor = [p for p in profiles if p.quality == "poor"]
    assert good and poor
    assert min(mean(p, year_months) for p in good) >= 80
    assert max(mean(p, year_months) for p in poor) <= 65

    def slope(service):
        """Score points per month, by least squares over the twelve monthly means."""
        monthly = [mean(service, [m]) for m in year_months]
        return float(np.polyfit(np.arange(12), monthly, 1)[0])

    improving, declining = profiles[0], profiles[2]
    assert slope(improving) > 0.4 and slope(declining) < -0.4


def test_some_questions_are_weaker_than_others(year):
    _, rows = year
    audits = good_rows(rows, "file_audit")

    def yes_share(key):
        answered = [r.values[key] for r in audits if r.values[key] != "N/A"]
        return answered.count("Yes") / len(answered)

    others = statistics.mean(yes_share(f.key) for f in FILE_AUDIT.answer_fields
                             if f.key not in ("q10_reviewed_on_time", "q13_progress_evidence"))
    assert yes_share("q10_reviewed_on_time") < others - 0.1
    assert yes_share("q13_progress_evidence") < others - 0.1


def test_good_services_match_the_plan_more_and_write_more_specific_support(year):
    written, rows = year
    quality = {p.name: p.quality for p in written.services}

    def share(kind, test, wanted):
        chosen = [r for r in good_rows(rows, kind) if quality[r.values["service"]] == wanted]
        return sum(map(test, chosen)) / len(chosen)

    def matched(r):
        return r.values["matches_plan"] == "Yes"

    def specific(r):
        return r.values["best_support_sample"] in SPECIFIC_SUPPORT

    assert share("observation", matched, "good") > share("observation", matched, "poor") + 0.2
    assert share("file_audit", specific, "good") > share("file_audit", specific, "poor") + 0.3


def test_events_look_like_a_real_log(year):
    _, rows = year
    events = [r.values for r in good_rows(rows, "event")]
    types = Counter(e["event_type"] for e in events)
    assert (types["refusal"] + types["incident"]) / len(events) > 0.9
    for rare in ("safeguarding concern", "hospital admission", "complaint"):
        assert 0 < types[rare] < 0.05 * len(events)
    recovery = [e["recovery_minutes"] for e in events if e["recovery_minutes"] is not None]
    assert 15 <= statistics.median(recovery) <= 30 and max(recovery) > 3 * statistics.median(recovery)
    hours = Counter(e["event_time"].hour for e in events if e["event_time"] is not None)
    assert sum(hours[h] for h in (7, 8, 9)) > 0.25 * sum(hours.values())
    assert sum(hours[h] for h in (1, 2, 3, 4)) < 0.01 * sum(hours.values())
    triggers = Counter(e["trigger"] for e in events if e["trigger"])
    assert {"rushed", "noise", "unfamiliar staff", "asked to wait"} <= set(triggers)


def test_more_refusals_in_winter_than_summer(year):
    _, rows = year
    refusals = Counter(r.values["event_date"].month for r in good_rows(rows, "event")
                       if r.values["event_type"] == "refusal" and r.values["person_ref"] != DEMO_PERSON)
    assert refusals[12] + refusals[1] + refusals[2] > 1.3 * (refusals[6] + refusals[7] + refusals[8])


def test_outcomes_and_reviews_are_coherent_and_themes_recur(year):
    _, rows = year
    outcomes = [r.values for r in good_rows(rows, "outcome")]
    assert all(o["steps_done"] <= o["steps_total"] for o in outcomes if None not in (o["steps_done"], o["steps_total"]))
    assert len({o["status"] for o in outcomes}) >= 3
    assert all(o["outcome"].startswith("I ") for o in outcomes)
    reviews = [r.values for r in good_rows(rows, "review")]
    services_saying = defaultdict(set)
    for review in reviews:
        for key in ("working_1", "not_working_1", "future_1"):
            services_saying[review[key]].add(review["service"])
    assert max(len(s) for s in services_saying.values()) >= 4
    assert all(r["working_1"] != r["working_2"] for r in reviews)


def test_some_reviews_are_pasted_from_the_last_one_and_the_check_finds_them(year):
    _, rows = year
    reviews = pd.DataFrame([r.values for r in good_rows(rows, "review")])
    flagged = near_identical_reviews(reviews)
    assert len(flagged) >= 2
    assert DEMO_PERSON not in set(flagged["person_ref"])  # the demo person's reviews tell their own story
    assert len(flagged) < len(reviews) / 10  # most reviews are written afresh


@pytest.mark.parametrize("which", ["small", "year"])
def test_the_demo_persons_refusals_drop_after_their_plan_change(which, request):
    written, rows = request.getfixturevalue(which)
    changes = [r.values for r in good_rows(rows, "plan_change") if r.values["person_ref"] == DEMO_PERSON]
    assert len(changes) == 1, "one plan change, so a before/after chart has one clear mark"
    assert changes[0]["description"] == DEMO_PLAN_CHANGE
    assert changes[0]["reason"] == "incident" and changes[0]["service"] == DEMO_SERVICE
    changed = changes[0]["change_date"]
    start = min(r.values["event_date"] for r in good_rows(rows, "event"))
    end = max(r.values["event_date"] for r in good_rows(rows, "event"))
    assert start < changed < end
    mine = [r.values for r in good_rows(rows, "event") if r.values["person_ref"] == DEMO_PERSON]
    refusals = [e for e in mine if e["event_type"] == "refusal"]
    assert all(e["routine"] == "personal care" and e["event_time"] < dt.time(10) for e in refusals)

    def per_28_days(events, since, until):
        return len([e for e in events if since <= e["event_date"] < until]) / (until - since).days * 28

    day_after_end = end + dt.timedelta(days=1)
    before, after = per_28_days(refusals, start, changed), per_28_days(refusals, changed, day_after_end)
    assert before >= 8 and after <= before / 2
    incidents = [e for e in mine if e["event_type"] == "incident"]
    assert per_28_days(incidents, start, changed) > per_28_days(incidents, changed, day_after_end)
    assert written.demo_change == changed


# -- pcp demo: written, imported, explained --------------------------------------------


def _store(tmp_path):
    from pcp_widgets.store import open_store

    return open_store(f"sqlite:///{tmp_path}/demo.sqlite")


def test_run_demo_imports_everything_but_the_deliberate_problems(tmp_path, capsys, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    store = _store(tmp_path)
    assert run_demo(store, out_dir=None, seed=4, quiet=True, **SMALL) == 0
    assert list(scratch.iterdir()) == [], "the temporary folder is removed"
    expected = write_demo(tmp_path / "again", seed=4, **SMALL)
    rejected = Counter(p.problem.kind for p in expected.problems if p.problem.rejected)
    log = store.imports()
    assert len(log) == len(expected.paths)
    for kind in KINDS:
        counts = [entry["counts"][kind] for entry in log]
        assert all(c["rows"] == c["accepted"] + c["rejected"] for c in counts)
        assert all(c["accepted"] == c["new"] + c["updated"] + c["duplicates"] for c in counts)
        assert sum(c["rows"] for c in counts) == expected.rows[kind]
        assert sum(c["rejected"] for c in counts) == rejected[kind]
        assert store.count_records(kind) == expected.rows[kind] - rejected[kind]
    printed = capsys.readouterr().out
    assert f"The {sum(rejected.values())} rejected rows are the deliberate problems" in printed
    for problem in DELIBERATE_PROBLEMS:
        assert problem.description in printed
    assert DEMO_PERSON in printed and "Unexpected" not in printed


def test_run_demo_keeps_the_files_when_asked_and_a_second_run_adds_nothing(tmp_path, capsys):
    store = _store(tmp_path)
    out = tmp_path / "out"
    assert run_demo(store, out_dir=out, seed=4, quiet=True, **SMALL) == 0
    stored = store.count_records()
    assert sorted(p.name for p in out.iterdir()) == ["pcp-demo-2025-01.xlsx", "pcp-demo-2025-02.xlsx"]
    assert str(out) in capsys.readouterr().out
    assert run_demo(store, out_dir=out, seed=4, quiet=True, **SMALL) == 0
    assert store.count_records() == stored
    assert "(0 new, 0 updated" in capsys.readouterr().out
