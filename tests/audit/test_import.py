"""The importer on real workbooks: every non-blank row stored or explained."""

import datetime as dt
import json
import multiprocessing
import subprocess
import sys

import openpyxl
import pytest
import xlsxwriter

from pcp_widgets.audit.ingest.importer import import_files
from pcp_widgets.audit.outputs.rejected_rows import write_rejected_rows
from pcp_widgets.audit.schema.sheets import KINDS, SHEETS
from tests.support.workbook_files import full_workbook, headers, row, write_workbook


def counts(report, kind, index=0):
    return report.files[index].sheets[kind]


def assert_accounted_for(report):
    for file in report.files:
        for c in file.sheets.values():
            assert c.rows == c.accepted + c.rejected
            assert c.accepted == c.new + c.updated + c.duplicates


def test_one_valid_row_on_every_sheet_is_stored(store, tmp_path):
    report = import_files([full_workbook(tmp_path / "march.xlsx")], store)
    assert report.exit_code == 0 and report.errors == [] and report.warnings == []
    assert set(report.files[0].sheets) == set(KINDS)
    for kind in KINDS:
        c = counts(report, kind)
        assert (c.rows, c.accepted, c.new, c.rejected) == (1, 1, 1, 0)
        assert store.count_records(kind) == 1
    stored = store.read_records("observation").iloc[0]
    assert stored["obs_date"] == dt.date(2025, 3, 7) and stored["obs_time"] == dt.time(8, 30)
    assert stored["routine"] == "personal care"


def test_header_row_below_titles_and_forgiving_headers(store, tmp_path):
    messy_headers = headers("plan_change")
    messy_headers[0] = "  DATE "
    messy_headers[3] = "reason"
    messy_headers[4] = "What\nchanged"
    path = write_workbook(tmp_path / "t.xlsx", {
        "Plan changes": [
            ["Oak House plan changes, March 2025"],
            [],
            ["Filled in by the quality lead"],
            messy_headers,
            row("plan_change"),
        ]
    })
    report = import_files([path], store)
    assert report.errors == [] and counts(report, "plan_change").new == 1


def test_canonical_keys_work_as_headers(store, tmp_path):
    from pcp_widgets.audit.schema.sheets import sheet_for

    keys = [f.key for f in sheet_for("event").fields]
    path = write_workbook(tmp_path / "t.xlsx", {"Incidents & REFUSALS": [keys, row("event")]})
    report = import_files([path], store)
    assert counts(report, "event").new == 1 and report.warnings == []


def test_a_sheet_is_recognised_by_its_headers_when_its_name_says_nothing(store, tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", {"Sheet1": [headers("outcome"), row("outcome")]})
    report = import_files([path], store)
    assert counts(report, "outcome").new == 1
    assert any("read as the 'Outcomes' sheet" in w.message and w.sheet == "Sheet1" for w in report.warnings)


def test_unrecognised_sheets_and_unknown_columns_are_warned_about_by_name(store, tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", {
        "Reviews": [headers("review") + ["Key worker"], row("review") + ["Alex"]],
        "My notes": [["remember to chase the GP"]],
    })
    report = import_files([path], store)
    assert counts(report, "review").new == 1
    messages = {(w.sheet, w.column, w.message.split(";")[0]) for w in report.warnings}
    assert ("My notes", None, "this sheet is not one of the six audit sheets (by its name or its headers), "
            "so nothing in it was imported") in messages
    assert any(w.column == "Key worker" and "unknown column (column J)" in w.message for w in report.warnings)


def test_a_ref_that_looks_like_a_name_is_imported_with_a_warning(store, tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", {"File audit": [headers("file_audit"),
                                                               row("file_audit", person_ref="John Smith")]})
    report = import_files([path], store)
    assert counts(report, "file_audit").new == 1
    [warning] = report.warnings
    assert (warning.row, warning.column, warning.value) == (2, "Person ref", "John Smith")
    assert "looks like a personal name (row 2)" in warning.message


def test_each_problem_of_a_rejected_row_is_one_error_with_row_column_value_and_reason(store, tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", {"File audit": [
        ["File audit, Oak House"],
        headers("file_audit"),
        row("file_audit"),
        row("file_audit", audit_date="31/02/2025", person_ref="P-0002", q02_persons_voice="Maybe", auditor=None),
    ]})
    report = import_files([path], store)
    c = counts(report, "file_audit")
    assert (c.rows, c.accepted, c.rejected) == (2, 1, 1) and report.exit_code == 1
    problems = {(e.row, e.column, e.value): e.reason for e in report.errors}
    assert problems == {
        (4, "Audit date", "31/02/2025"): "is not a real date: February 2025 has no day 31",
        (4, "Auditor", ""): "is blank; this column must be filled in",
        (4, "Plan uses the person's own words", "Maybe"): "is not an answer: use Yes, Partly, No or N/A",
    }
    assert all(e.file.endswith("t.xlsx") and e.sheet == "File audit" for e in report.errors)
    assert store.count_records("file_audit") == 1


def test_rows_missing_a_whole_required_column_are_rejected_with_that_reason(store, tmp_path):
    cut = [h for h in headers("plan_change") if h != "What changed"]
    path = write_workbook(tmp_path / "t.xlsx", {"Plan changes": [cut, row("plan_change")[:4]]})
    report = import_files([path], store)
    [error] = report.errors
    assert error.column == "What changed" and "missing from this sheet" in error.reason


def test_blank_rows_are_skipped_and_not_counted(store, tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", {"Reviews": [
        headers("review"), row("review"), [None] * 9, ["  ", None, ""], row("review", person_ref="P-0002"), []]})
    report = import_files([path], store)
    assert (counts(report, "review").rows, counts(report, "review").new) == (2, 2)


def test_outcome_steps_planned_below_steps_done_is_rejected(store, tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", {"Outcomes": [headers("outcome"),
                                                             row("outcome", steps_done=4, steps_total=3)]})
    [error] = import_files([path], store).errors
    assert (error.column, error.value) == ("Steps planned", "3")
    assert error.reason == "is less than Steps done (4); it must be at least that"


def test_repeats_inside_one_file_duplicate_or_conflict(store, tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", {"Plan changes": [
        headers("plan_change"),
        row("plan_change"),
        row("plan_change"),  # identical: a duplicate, adds nothing
        row("plan_change", reason="review"),  # same key, different content: rejected
    ]})
    report = import_files([path], store)
    c = counts(report, "plan_change")
    assert (c.rows, c.accepted, c.new, c.duplicates, c.rejected) == (3, 2, 1, 1, 1)
    [error] = report.errors
    assert error.row == 4 and error.reason.startswith("conflicts with row 2:")
    assert store.read_records("plan_change")["reason"].tolist() == ["incident"]


def test_reimporting_adds_nothing_and_a_changed_row_replaces_with_history(store, tmp_path):
    first = write_workbook(tmp_path / "march.xlsx", {"Outcomes": [headers("outcome"), row("outcome")]})
    import_files([first], store)
    again = import_files([first], store)
    assert (counts(again, "outcome").duplicates, counts(again, "outcome").new) == (1, 0)

    changed = write_workbook(tmp_path / "march-v2.xlsx", {"Outcomes": [
        headers("outcome"), row("outcome", status="achieved", steps_done=5)]})
    report = import_files([changed], store)
    c = counts(report, "outcome")
    assert (c.updated, c.new, c.duplicates) == (1, 0, 0)
    assert store.count_records("outcome") == 1
    assert store.read_records("outcome")["status"].tolist() == ["achieved"]
    [history] = store.replaced("outcome")
    assert history["old_values"]["status"] == "in progress" and history["old_values"]["steps_done"] == 2
    log = store.imports()
    assert [entry["file_name"].rsplit("/", 1)[-1] for entry in log] == ["march-v2.xlsx", "march.xlsx", "march.xlsx"]
    assert log[0]["updated"] == 1


def test_reimporting_finds_every_stored_key_whatever_its_text(store, tmp_path):
    """Stored keys are looked up by range first on SQLite; any text must sort the same there as here."""
    refs = ["P-0001", "p-0001", "Ç-7", "É-2", "Z-9", "ä-1", "日本-3", "🏠-4", "Ω-5", "~-6", "P-0001x", "P_0001"]
    rows = [row("review", person_ref=ref) for ref in refs]
    first = write_workbook(tmp_path / "first.xlsx", {"Reviews": [headers("review"), *rows]})
    import_files([first], store)
    later = write_workbook(tmp_path / "later.xlsx", {"Reviews": [headers("review"), *rows,
                                                                  row("review", person_ref="P-0500")]})
    c = counts(import_files([later], store), "review")
    assert (c.duplicates, c.new, c.updated) == (len(refs), 1, 0)
    assert store.count_records("review") == len(refs) + 1


def test_dates_as_real_dates_serials_and_uk_text_and_formula_values(store, tmp_path):
    """xlsxwriter saves a formula's value with it, as Excel does; the importer reads that value."""
    path = tmp_path / "dates.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("Plan changes")
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, headers("plan_change"))
    rows = [
        (dt.datetime(2025, 3, 7), "real date"),
        (45723, "serial number"),
        ("07/03/2025", "UK text"),
    ]
    for index, (date, description) in enumerate(rows, start=1):
        if isinstance(date, dt.datetime):
            sheet.write_datetime(index, 0, date, date_format)
        else:
            sheet.write(index, 0, date)
        sheet.write_row(index, 1, ["Oak House", "P-0001", "review", description])
    sheet.write_formula(4, 0, "=DATE(2025,3,7)", date_format, 45723)
    sheet.write_row(4, 1, ["Oak House", "P-0001", "review"])
    sheet.write_formula(4, 4, '="formula "&"text"', None, "formula text")
    workbook.close()

    report = import_files([path], store)
    assert report.errors == [] and counts(report, "plan_change").new == 4
    frame = store.read_records("plan_change")
    assert set(frame["change_date"]) == {dt.date(2025, 3, 7)}
    assert "formula text" in set(frame["description"])


def test_rows_accepted_rejected_always_add_up(store, tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", {s.name: [headers(s.kind), row(s.kind), row(s.kind),
                                                         [None, "x"], ["garbage"] * 3] for s in SHEETS})
    report = import_files([path], store)
    assert_accounted_for(report)
    assert all(c.rows == 4 for c in report.files[0].sheets.values())


def test_one_unreadable_file_does_not_stop_the_others(store, tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a spreadsheet")
    good = full_workbook(tmp_path / "good.xlsx")
    report = import_files([bad, good], store)
    assert report.exit_code == 2
    assert report.files[0].error and report.files[0].sheets == {}
    assert counts(report, "review", index=1).new == 1
    assert store.count_records() == len(KINDS)


def test_display_names_name_the_files_in_messages(store, tmp_path):
    path = write_workbook(tmp_path / "upload-1234.xlsx", {"Reviews": [headers("review"), row("review", working_1=None)]})
    report = import_files([path], store, display_names=["Oak House reviews.xlsx"])
    assert report.files[0].path == "Oak House reviews.xlsx"
    assert report.errors[0].file == "Oak House reviews.xlsx"


def test_progress_is_reported(store, tmp_path):
    seen = []
    import_files([full_workbook(tmp_path / "t.xlsx")], store, progress=lambda d, t, m: seen.append((d, t, m)))
    assert seen[0][2].startswith("Reading") and seen[-1][2].startswith("Imported")
    assert seen[-1][0] == seen[-1][1]


# -- the rejected-rows workbook ------------------------------------------------------


def test_rejected_rows_workbook_can_be_fixed_and_reimported(store, tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", {"Incidents and refusals": [
        headers("event"), row("event"), row("event", event_type="tantrum", event_time="25:00", trigger="noise")]})
    report = import_files([path], store)
    out = write_rejected_rows(report, tmp_path / "errors.xlsx")

    sheet = openpyxl.load_workbook(out)["Incidents and refusals"]
    assert [c.value for c in sheet[1]] == headers("event") + ["Why rejected"]
    why = sheet.cell(row=2, column=len(headers("event")) + 1).value
    assert "row 3" in why and "Type: is not one of the choices" in why and "Time: is not a time" in why

    header_cells = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header_cells.index("Type") + 1, value="incident")
    sheet.cell(row=2, column=header_cells.index("Time") + 1, value="17:00")
    sheet.parent.save(out)
    fixed = import_files([out], store)
    assert fixed.errors == [] and fixed.warnings == [] and counts(fixed, "event").new == 1
    assert store.count_records("event") == 2


# -- the command line ----------------------------------------------------------------


def run_pcp(*args, env_db=None):
    return subprocess.run([sys.executable, "-m", "pcp_widgets.cli", *args], capture_output=True, text=True,
                          timeout=300)


def test_cli_json_contract_and_exit_codes(tmp_path):
    db = f"sqlite:///{tmp_path}/cli.sqlite"
    good = full_workbook(tmp_path / "good.xlsx")
    done = run_pcp("import", str(good), "--db", db, "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"files", "errors", "warnings"}
    [file] = result["files"]
    assert file["path"] == str(good) and len(file["sha256"]) == 64
    assert file["sheets"]["file_audit"] == {"rows": 1, "accepted": 1, "rejected": 0, "duplicates": 0, "new": 1,
                                            "updated": 0}
    assert set(file["sheets"]) == set(KINDS)

    bad_rows = write_workbook(tmp_path / "bad.xlsx", {"Reviews": [headers("review"), row("review", future_1=None)]})
    done = run_pcp("import", str(bad_rows), "--db", db, "--json", "--errors", str(tmp_path / "e.xlsx"))
    assert done.returncode == 1
    [error] = json.loads(done.stdout)["errors"]
    assert error == {"file": str(bad_rows), "sheet": "Reviews", "row": 2, "column": "Future 1", "value": "",
                     "reason": "is blank; this column must be filled in"}
    assert (tmp_path / "e.xlsx").exists()

    unreadable = tmp_path / "photo.xlsx"
    unreadable.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    done = run_pcp("import", str(unreadable), "--db", db)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert str(unreadable) in done.stdout + done.stderr


def test_cli_summary_for_people(tmp_path):
    db = f"sqlite:///{tmp_path}/cli.sqlite"
    path = write_workbook(tmp_path / "t.xlsx", {"Reviews": [headers("review"), row("review"),
                                                            row("review", person_ref="P-9", future_1=None)]})
    done = run_pcp("import", str(path), "--db", db)
    assert done.returncode == 1
    assert "Reviews: 2 rows, 1 accepted (1 new, 0 updated, 0 duplicates), 1 rejected" in done.stdout
    assert "row 3, column 'Future 1'" in done.stdout


@pytest.mark.parametrize("args, message", [
    (["import", "missing.xlsx"], "there is no such file"),
    (["import", "x.xlsx", "--db", "nonsense"], "is not a database URL"),
])
def test_cli_mistakes_give_one_sentence(tmp_path, args, message):
    done = subprocess.run([sys.executable, "-m", "pcp_widgets.cli", *args], capture_output=True, text=True,
                          cwd=tmp_path, env={**__import__("os").environ, "PCP_DB": f"sqlite:///{tmp_path}/d.sqlite"})
    assert done.returncode == 2
    assert message in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


# -- helper processes ----------------------------------------------------------------


def test_helper_processes_give_exactly_what_one_process_gives(tmp_path):
    """Files read and checked in helper processes: the same report, the same rows stored, in order."""
    from pcp_widgets.store import open_store

    unreadable = tmp_path / "notes.xlsx"
    unreadable.write_text("not a spreadsheet")
    messy = write_workbook(tmp_path / "messy.xlsx", {
        "Plan changes": [headers("plan_change"), row("plan_change"), row("plan_change"),
                         row("plan_change", reason="other"), row("plan_change", change_date="31/02/2025")],
        "Reviews": [headers("review"), row("review", person_ref="Jane Doe"), row("review", person_ref="P-0002")],
    })
    changed = write_workbook(tmp_path / "changed.xlsx", {"Outcomes": [headers("outcome"),
                                                                       row("outcome", status="achieved")]})
    files = [full_workbook(tmp_path / "march.xlsx"), unreadable, messy, full_workbook(tmp_path / "again.xlsx"),
             changed]

    def imported(helpers: int):
        store = open_store(f"sqlite:///{tmp_path}/helpers-{helpers}.sqlite")
        children, messages = [], []

        def progress(done, total, message):
            children.append(len(multiprocessing.active_children()))
            messages.append(message)

        report = import_files(files, store, helpers=helpers, progress=progress)
        stored = {kind: store.read_records(kind).to_dict("records") for kind in KINDS}
        log = [{k: v for k, v in entry.items() if k not in ("id", "imported_at")} for entry in store.imports()]
        history = [{k: v for k, v in entry.items() if k != "replaced_at"} for entry in store.replaced("outcome")]
        store.dispose()
        return (report.to_json(), report.rejected_rows, stored, log, history), max(children), messages

    here, no_children, _ = imported(helpers=0)
    in_helpers, helping, messages = imported(helpers=2)
    assert no_children == 0 and helping == 2
    assert in_helpers == here
    assert here[0]["files"][1]["error"] and here[0]["files"][3]["sheets"]["review"]["duplicates"] == 1
    # each file's progress from its helper, then its storing, file after file
    about = [next(index for index, path in enumerate(files) if str(path) in message) for message in messages[:-1]]
    assert about == sorted(about) and set(about) == set(range(len(files)))
    assert [messages[about.index(index)] for index in range(len(files))] == [f"Reading {path}" for path in files]
    assert messages[-1] == "Imported 5 files"


def test_if_a_helper_process_dies_the_remaining_files_are_read_here(tmp_path):
    from pcp_widgets.store import open_store

    files = [write_workbook(tmp_path / f"week-{week}.xlsx", {"Reviews": [
        headers("review"), row("review", review_date=dt.date(2025, 3, week), working_1=f"Week {week}")]})
        for week in range(1, 6)]
    killed = []

    def kill_a_helper(done, total, message):
        helpers = multiprocessing.active_children()
        if helpers and not killed:
            helpers[0].kill()
            killed.append(message)

    reports = []
    for helpers, progress in ((0, None), (2, kill_a_helper)):
        store = open_store(f"sqlite:///{tmp_path}/helpers-{helpers}.sqlite")
        report = import_files(files, store, helpers=helpers, progress=progress)
        reports.append((report.to_json(), store.read_records("review").to_dict("records")))
        store.dispose()
    assert killed
    assert reports[1] == reports[0] and len(reports[0][1]) == len(files)
