"""Property-based: any workbook, valid or broken, is fully accounted for and never crashes the importer."""

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pcp_widgets.audit.ingest.checking import is_blank_row
from pcp_widgets.audit.ingest.importer import import_files
from pcp_widgets.audit.schema.sheets import SHEETS
from pcp_widgets.store import open_store
from tests.support.workbook_files import VALID_VALUES, write_workbook

text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)
junk = st.one_of(
    st.none(), st.just(""), st.just("   "), text,
    st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(), st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.sampled_from(["=SUM(A1)", "@cmd", "Yes", "y", "Partly", "N/A", "✓", "31/02/2025", "07/03/2025",
                     "personal care", "refusal", "John Smith", "14:30", "25:61", "-1", "12"]),
)


@st.composite
def sheet_rows(draw, sheet):
    """A header row (possibly under titles, with some columns dropped or renamed) and rows of mixed cells."""
    fields = [f for f in sheet.fields if draw(st.booleans()) or f.required and draw(st.integers(0, 9)) > 0]
    header = [draw(st.sampled_from([f.header, f.header.upper(), f.key, f" {f.header}\n"])) for f in fields]
    titles = draw(st.lists(st.lists(text, max_size=2), max_size=3))
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 3)) == 0:
            rows.append([draw(junk) for _ in fields])
        else:  # mostly-valid rows, so duplicates and conflicts happen too
            rows.append([VALID_VALUES[sheet.kind][f.key] if draw(st.integers(0, 5)) else draw(junk)
                         for f in fields])
    return titles, header, rows


@st.composite
def workbooks(draw):
    chosen = draw(st.lists(st.sampled_from(SHEETS), min_size=1, max_size=3, unique_by=lambda s: s.kind))
    return {sheet.name: draw(sheet_rows(sheet)) for sheet in chosen}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(workbooks())
def test_every_row_is_stored_or_explained(content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.xlsx"
        write_workbook(path, {name: titles + [header] + rows for name, (titles, header, rows) in content.items()})
        store = open_store(f"sqlite:///{folder}/p.sqlite")
        report = import_files([path], store)

        assert report.files[0].error is None
        rejected_rows = {(e.sheet, e.row) for e in report.errors}
        for sheet in SHEETS:
            if sheet.name not in content:
                continue
            titles, header, rows = content[sheet.name]
            if len(header) < 2:  # too little to recognise: the sheet is named in a warning instead
                assert any(w.sheet == sheet.name for w in report.warnings) or not any(rows)
                continue
            counts = report.files[0].sheets[sheet.kind]
            assert counts.rows == sum(1 for r in rows if not is_blank_row(r))
            assert counts.rows == counts.accepted + counts.rejected
            assert counts.accepted == counts.new + counts.updated + counts.duplicates
            assert counts.updated == 0  # nothing was stored before
            assert store.count_records(sheet.kind) == counts.new
            sheet_rejections = {row for name, row in rejected_rows if name == sheet.name}
            assert len(sheet_rejections) == counts.rejected
            first_data_row = len(titles) + 2
            assert all(first_data_row <= r < first_data_row + len(rows) for r in sheet_rejections)
        store.dispose()
