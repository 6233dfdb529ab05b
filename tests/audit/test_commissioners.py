"""pcp export commissioners: aggregates only, small numbers hidden, nothing identifying, opens in a spreadsheet."""

import csv
import datetime as dt
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pcp_widgets.audit.outputs.commissioners import ALL_MONTHS, COLUMNS, PROVIDER, build, Options
from pcp_widgets.audit.outputs.export_as import export_commissioners
from pcp_widgets.audit.ingest.importer import import_files
from pcp_widgets.audit.schema.sheets import SHEETS, sheet_for
from pcp_widgets.audit.analysis.disclosure import NOT_APPLICABLE, SUPPRESSED
from pcp_widgets.audit.schema.values import Answer, Choice, WholeNumber
from pcp_widgets.cli import main
from pcp_widgets.errors import NotFound, UsageError
from tests.support.workbook_files import headers, row, write_workbook

SERVICES = ("Oak House", "Elm Court", "Birch Lodge")


def import_rows(store, folder: Path, rows_by_kind: dict[str, list[list]], name: str = "audit.xlsx") -> None:
    path = write_workbook(Path(folder) / name, {sheet_for(kind).name: [headers(kind), *rows]
                                                for kind, rows in rows_by_kind.items()})
    report = import_files([path], store)
    assert report.files[0].error is None and not report.errors, report.errors


def people(kind: str, count: int, service: str, month: int = 3, **changes) -> list[list]:
    """``count`` valid rows of ``kind`` in one service and month of 2025, each a different person."""
    date_key = sheet_for(kind).date_field
    return [row(kind, service=service, person_ref=f"P-{service[:2]}{month:02d}{n:04d}",
                **{date_key: dt.date(2025, month, 1 + n % 28)}, **changes) for n in range(count)]


def every_kind(count: int, service: str, month: int = 3) -> dict[str, list[list]]:
    return {kind: people(kind, count, service, month) for kind in ("file_audit", "observation", "event", "outcome")}


def xml_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def sheet_rows(path: Path, name: str) -> list[tuple]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    return [tuple(r) for r in workbook[name].iter_rows(values_only=True)]


# -- nothing identifying leaves ----------------------------------------------------------


def test_only_services_answers_choices_and_numbers_are_read(store):
    from pcp_widgets.audit.outputs.commissioners import read_columns

    assert read_columns(store, "event", None, None)["person"].dtype.kind == "i"  # refs become numbers at once
    for kind, keys in COLUMNS.items():
        for key in keys:
            field = sheet_for(kind).field(key)
            assert key == "service" or isinstance(field.type, (Answer, Choice, WholeNumber)), (kind, key)
            assert not field.is_ref


token = st.text("BCDFGHJKLMNPQRSTVWXZ", min_size=10, max_size=14).map(lambda t: "QJ" + t)


@st.composite
def identifying_rows(draw):
    """Rows of all six kinds whose refs, names and texts are distinctive tokens (and the tokens to look for)."""
    secrets: list[str] = []

    def secret(shape="{}"):
        value = shape.format(draw(token))
        secrets.append(value)
        return value

    rows: dict[str, list[list]] = {sheet.kind: [] for sheet in SHEETS}
    for n in range(draw(st.integers(1, 12))):
        service = draw(st.sampled_from(SERVICES))
        day = dt.date(2025, draw(st.integers(1, 4)), draw(st.integers(1, 28)))
        person = secret("P-{}")
        who = {"service": service, "person_ref": person}
        rows["file_audit"].append(row("file_audit", audit_date=day, auditor=secret("{} Auditor"), **who,
                                      best_support_sample=secret(), notes=secret("Note {}"),
                                      q03_important_to=draw(st.sampled_from(["Yes", "Partly", "No", "N/A"]))))
        rows["observation"].append(row("observation", obs_date=day, staff_ref=secret("S-{}"),
                                       observer=secret("{} Observer"), notes=secret(), **who,
                                       o2_choice_offered=draw(st.sampled_from(["Yes", "No"]))))
        rows["event"].append(row("event", event_date=day, trigger=secret("={}"), notes=secret(), **who,
                                 event_type=draw(st.sampled_from(["incident", "refusal", "complaint"]))))
        rows["plan_change"].append(row("plan_change", change_date=day, description=secret(), **who))
        rows["outcome"].append(row("outcome", review_date=day, outcome=secret("I want {}"), **who))
        rows["review"].append(row("review", review_date=day, working_1=secret(), not_working_1=secret(),
                                  future_1=secret(), working_2=secret(), **who))
    return rows, secrets


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(identifying_rows(), st.integers(2, 6))
def test_no_ref_name_or_note_appears_anywhere_in_the_export(store, content, min_count):
    rows, secrets = content
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        path = write_workbook(folder / "audit.xlsx", {sheet_for(kind).name: [headers(kind), *kind_rows]
                                                      for kind, kind_rows in rows.items()})
        import_files([path], store)
        with store.engine.begin() as connection:  # each example is its own provider: an empty export log
            connection.exec_driver_sql("DELETE FROM commissioner_exports")
        workbook = export_commissioners(store, folder / "out.xlsx", min_count=min_count)
        csv_folder = export_commissioners(store, folder / "csv", min_count=min_count, fmt="csv")
        texts = [part.lower() for part in xml_parts(workbook).values()]
        texts += [p.read_bytes().lower() for p in csv_folder.iterdir()]
        for secret in secrets:
            core = secret.lower().encode()
            assert not any(core in text for text in texts), secret


def test_the_stored_refs_are_really_there_to_leak(store, tmp_path):
    """The property above means something only if what it looks for was imported."""
    import_rows(store, tmp_path, {"file_audit": [row("file_audit", person_ref="P-QJXYZ", auditor="QJ Auditor")]})
    stored = store.read_records("file_audit")
    assert stored["person_ref"].tolist() == ["P-QJXYZ"] and stored["auditor"].tolist() == ["QJ Auditor"]


# -- the tables ---------------------------------------------------------------------------


@pytest.fixture
def audited(store, tmp_path):
    """March 2025: 30 of everything at Oak House, 20 at Birch Lodge, 2 at Elm Court; April: 1 at Elm Court."""
    import_rows(store, tmp_path, {kind: rows + people(kind, 20, "Birch Lodge") + people(kind, 2, "Elm Court")
                                  + people(kind, 1, "Elm Court", 4) for kind, rows in every_kind(30, "Oak House").items()})
    return store


def table(data, name):
    aggregate = next(a for a in data.aggregates if a.name == name)
    return aggregate, {(r[0], r[1], *(r[2:3] if aggregate.columns[2].kind == "label" else ())): r
                       for r in aggregate.rows}


def test_small_counts_are_hidden_and_a_service_all_hidden_is_still_listed(audited):
    data = build(audited)
    files, rows = table(data, "File audits")
    assert rows[("Oak House", ALL_MONTHS)][2:] == (30, 100.0, "Green")
    assert rows[("Elm Court", ALL_MONTHS)][2:] == (SUPPRESSED, SUPPRESSED, SUPPRESSED)  # 3 people
    assert rows[(PROVIDER, "2025-04")][2] == SUPPRESSED  # only Elm Court's one file that month
    assert ("Oak House", "2025-03") not in rows  # a service's months are not published
    for aggregate in data.aggregates[:-1]:  # every table but routines (the provider's) and themes lists every service
        if aggregate.name != "Events by routine":
            assert {r[0] for r in aggregate.rows} == {PROVIDER, *SERVICES}, aggregate.name
        marked = {(i, j) for i, j in zip(*np.nonzero(aggregate.hidden))}
        texts = {(i, j) for i, r in enumerate(aggregate.rows) for j, v in enumerate(r) if v == SUPPRESSED}
        assert marked == texts, aggregate.name


def test_counts_are_rounded_to_five_from_their_own_true_values(audited):
    _, rows = table(build(audited), "File audits")
    assert rows[("Birch Lodge", ALL_MONTHS)][2] == 20
    assert rows[(PROVIDER, "2025-03")][2] == 50  # 52 files, rounded from its own value


def test_min_count_changes_what_is_hidden(audited):
    aggregate, rows = table(build(audited, Options(min_count=3)), "File audits")
    assert rows[("Elm Court", ALL_MONTHS)][2] == 5  # 3 people: shown at a threshold of 3, as 5
    assert rows[(PROVIDER, "2025-04")][2] == SUPPRESSED


def test_themes_show_their_period_and_text_only_when_signed_off(audited):
    themes = [{"name": "Staff who know me", "i_statement": "I want staff who know me", "kind": "not_working",
               "counts": {"Oak House": 12, "Elm Court": 3}, "period": "2025-03", "signed_off": True},
              {"name": "Going out", "i_statement": "I want to go out more", "kind": "future",
               "counts": {"Oak House": 7}, "period": "2025-03", "signed_off": False}]
    aggregate = next(a for a in build(audited, themes=themes).aggregates if a.name == "Themes")
    described = ("2025-03", "Theme 1", "Not working", "Staff who know me", "I want staff who know me")
    assert aggregate.rows[:3] == [(*described, PROVIDER, 15), (*described, "Elm Court", SUPPRESSED),
                                  (*described, "Oak House", 10)]
    assert aggregate.rows[3][:5] == ("2025-03", "Theme 2", "Future", NOT_APPLICABLE, NOT_APPLICABLE)
    assert aggregate.note is None


def test_no_themes_gives_an_explanatory_line(audited, tmp_path):
    out = export_commissioners(audited, tmp_path / "c.xlsx")
    rows = sheet_rows(out, "Themes")
    assert rows[0] == ("Period", "Theme", "Kind", "Theme name", "I statement", "Service", "Statements")
    assert rows[1][0].startswith("No themes were recorded for this period")


def test_the_period_limits_the_months(audited):
    data = build(audited, Options.parse("2025-04", "2025-04"))  # build takes any months; exports do not
    _, rows = table(data, "File audits")
    assert {m for _, m in rows} == {"2025-04", ALL_MONTHS}
    assert data.period == "2025-04 to 2025-04"
    with pytest.raises(NotFound, match="from 2026-01 to 2026-02"):
        build(audited, Options.parse("2026-01", "2026-02"))


# -- the workbook -----------------------------------------------------------------------


def test_workbook_has_contents_charts_numbers_and_frozen_headers(audited, tmp_path):
    out = export_commissioners(audited, tmp_path / "c.xlsx", first="2025-01", last="2025-03", min_count=3)
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames[:2] == ["Contents", "Trends"]
    contents = [c.value for r in workbook["Contents"].iter_rows() for c in r if isinstance(c.value, str)]
    for name in workbook.sheetnames[1:]:
        assert name in contents
    assert any("fewer than 3 different people is hidden" in line for line in contents)
    assert any(line.startswith("Checked before this file was written") for line in contents)
    sheet = workbook["File audits"]
    assert sheet.freeze_panes == "C2"
    oak = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "Oak House")
    assert oak[2].value == 30 and oak[2].data_type == "n" and oak[3].value == 100
    parts = xml_parts(out)
    assert sum(name.startswith("xl/charts/chart") for name in parts) == 2
    assert not any(b"<f>" in data for name, data in parts.items() if name.startswith("xl/worksheets/"))


def test_hidden_figures_are_text_in_the_workbook(audited, tmp_path):
    sheet = openpyxl.load_workbook(export_commissioners(audited, tmp_path / "c.xlsx", first="2025-01",
                                                        last="2025-03"))["File audits"]
    elm = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "Elm Court")
    assert [(c.value, c.data_type) for c in elm[2:]] == [(SUPPRESSED, "s")] * 3


def test_formula_like_service_names_are_written_as_text(store, tmp_path):
    hostile = ['=HYPERLINK("http://example.invalid","x")', "+1+1", "@SUM(A1)", "-2"]
    import_rows(store, tmp_path, {"file_audit": [r for name in hostile for r in people("file_audit", 6, name)]})
    out = export_commissioners(store, tmp_path / "c.xlsx", first="2025-01", last="2025-03")
    sheet = openpyxl.load_workbook(out)["File audits"]
    written = {c.value: c.data_type for c in sheet["A"][1:]}
    assert all(written[name] == "s" for name in hostile)
    assert not any(b"<f>" in data for data in xml_parts(out).values())
    folder = export_commissioners(store, tmp_path / "csv", first="2025-01", last="2025-03", fmt="csv")
    with (folder / "file_audits.csv").open(encoding="utf-8-sig", newline="") as handle:
        services = {r["Service"] for r in csv.DictReader(handle)}
    assert services == {PROVIDER, *("'" + name for name in hostile)}


def test_formula_like_theme_names_are_written_as_text(audited, tmp_path):
    themes = [{"name": "=1+1", "i_statement": "@I want", "kind": "working", "counts": {"Oak House": 6}}]
    out = export_commissioners(audited, tmp_path / "c.xlsx", first="2025-01", last="2025-03", themes=themes)
    first = next(openpyxl.load_workbook(out)["Themes"].iter_rows(min_row=2))
    assert [(c.value, c.data_type) for c in first[2:5]] == [("Working", "s"), ("=1+1", "s"), ("@I want", "s")]


def test_csv_gives_one_file_per_table_with_the_same_figures(audited, tmp_path):
    folder = export_commissioners(audited, tmp_path / "csv", first="2025-01", last="2025-03", fmt="csv")
    data = build(audited, Options.parse("2025-01", "2025-03"))
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{a.stem}.csv" for a in data.aggregates] + ["contents.csv"])
    with (folder / "file_audits.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {(r["Service"], r["Month"]): r for r in csv.DictReader(handle)}
    assert rows[("Oak House", ALL_MONTHS)]["Files audited"] == "30"
    assert rows[("Elm Court", ALL_MONTHS)]["Files audited"] == SUPPRESSED
    contents = (folder / "contents.csv").read_text(encoding="utf-8-sig")
    assert "[c] means hidden" in contents and "file_audits.csv" in contents


def missing_soffice() -> str | None:
    return None if shutil.which("soffice") else "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc"


def test_the_workbook_opens_in_libreoffice(audited, tmp_path):
    reason = missing_soffice()
    if reason:
        if os.environ.get("PCP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}; PCP_REQUIRE_BROWSER=1 requires this check to run", pytrace=False)
        pytest.skip(reason)
    out = export_commissioners(audited, tmp_path / "commissioners.xlsx", first="2025-01", last="2025-03")
    profile = tmp_path / "lo-profile"
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path / "pdf"), str(out)], capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "pdf" / "commissioners.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5_000


# -- the command ------------------------------------------------------------------------


def test_cli_writes_the_workbook_and_the_csv_files(audited, store_url, tmp_path, capsys):
    assert main(["export", "commissioners", "--db", store_url, "--out", str(tmp_path / "c.xlsx"),
                 "--from", "2025-01", "--to", "2025-03", "--min-count", "5", "--by", "Ann Lead"]) == 0
    assert "commissioner workbook" in capsys.readouterr().out
    assert ("Oak House", ALL_MONTHS, 30) in [r[:3] for r in sheet_rows(tmp_path / "c.xlsx", "File audits")]
    assert main(["export", "commissioners", "--db", store_url, "--out", str(tmp_path / "csv"),
                 "--from", "2025-01", "--to", "2025-03", "--format", "csv"]) == 0  # the same figures again
    assert (tmp_path / "csv" / "outcomes.csv").exists()


@pytest.mark.parametrize("options, words", [
    (["--from", "March 2025"], "is not a month"),
    (["--to", "2025-13"], "is not a month"),
    (["--from", "2025-05", "--to", "2025-04"], "is after --to"),
    (["--min-count", "1"], "give 2 or more"),
    (["--from", "2025-03", "--to", "2025-04"], "not a calendar quarter or year"),
    (["--from", "2025-03"], "Give both --from and --to"),
    (["--out-suffix", ".csv"], "ending in .xlsx"),
])
def test_cli_refuses_bad_options_with_one_sentence(audited, store_url, tmp_path, capsys, options, words):
    out = tmp_path / ("c.csv" if "--out-suffix" in options else "c.xlsx")
    options = options if "--from" in options or "--out-suffix" not in options else options
    options = [o for o in options if o not in ("--out-suffix", ".csv")]
    code = main(["export", "commissioners", "--db", store_url, "--out", str(out), *options])
    error = capsys.readouterr().err
    assert code == 2 and words in error and len(error.strip().splitlines()) == 1
    assert not out.exists()


def test_cli_says_when_there_is_nothing_to_export(store_url, tmp_path, capsys):
    assert main(["export", "commissioners", "--db", store_url, "--out", str(tmp_path / "c.xlsx")]) == 1
    assert "no audit records" in capsys.readouterr().err


def test_options_are_checked_before_anything_is_read():
    with pytest.raises(UsageError, match="--from 2025-05 is after --to 2025-04"):
        Options.parse("2025-05", "2025-04")
    assert Options.parse(" 2025-4 ", None).first == 2025 * 12 + 3
