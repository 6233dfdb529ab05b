"""The safe reader: real formats read exactly, hostile files refused with one sentence."""

import datetime as dt
import io
import subprocess
import sys
import tracemalloc
import zipfile

import openpyxl
import pandas as pd
import pytest
import xlwt

from pcp_widgets.audit.limits import Limits
from pcp_widgets.audit.reader import read_workbook
from pcp_widgets.errors import UnreadableFile, UsageError
from tests.workbook_files import write_workbook

# -- reading real files ---------------------------------------------------------------


def test_row_numbers_and_columns_are_the_ones_a_person_sees(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Plan changes"
    sheet["C3"], sheet["D3"] = "Date", "Service"
    sheet["C4"], sheet["D4"] = dt.date(2025, 3, 7), "Oak House"
    sheet["E6"] = True
    hidden = workbook.create_sheet("Old")
    hidden["A1"] = "x"
    hidden.sheet_state = "hidden"
    workbook.save(tmp_path / "t.xlsx")

    first, second = read_workbook(tmp_path / "t.xlsx")
    assert first.name == "Plan changes" and not first.hidden
    assert first.rows[2][2:4] == ["Date", "Service"]  # spreadsheet row 3, columns C and D
    assert first.rows[3][2] == dt.date(2025, 3, 7)
    assert first.rows[5][4] is True
    assert second.hidden


def test_ods_and_xls_are_read(tmp_path):
    frame = pd.DataFrame({"Date": ["07/03/2025"], "Service": ["Oak House"], "Steps": [3]})
    frame.to_excel(tmp_path / "t.ods", sheet_name="Outcomes", index=False, engine="odf")
    [ods] = read_workbook(tmp_path / "t.ods")
    assert ods.name == "Outcomes" and ods.rows[1][:2] == ["07/03/2025", "Oak House"] and ods.rows[1][2] == 3

    book = xlwt.Workbook()
    sheet = book.add_sheet("Reviews")
    sheet.write(0, 0, "Review date")
    sheet.write(1, 0, dt.date(2025, 3, 7), xlwt.easyxf(num_format_str="dd/mm/yyyy"))
    book.save(str(tmp_path / "t.xls"))
    [xls] = read_workbook(tmp_path / "t.xls")
    assert xls.rows[0][0] == "Review date"
    assert xls.rows[1][0] in (dt.date(2025, 3, 7), dt.datetime(2025, 3, 7))


def test_xlsm_is_read(tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", {"Reviews": [["Review date"], ["07/03/2025"]]})
    (tmp_path / "t.xlsm").write_bytes(path.read_bytes())
    assert read_workbook(tmp_path / "t.xlsm")[0].rows[1] == ["07/03/2025"]


# -- refusing what cannot be read safely ----------------------------------------------


def refused(path, limits=None) -> str:
    with pytest.raises(UnreadableFile) as error:
        read_workbook(path, limits)
    assert error.value.exit_code == 2
    assert "\n" not in error.value.reason and "Traceback" not in error.value.reason
    return error.value.reason


def valid_xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Reviews"
    workbook.active.append(["Review date", "Service"])
    workbook.active.append(["07/03/2025", "Oak House"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_member(data: bytes, name: str, content: bytes, *, level: int | None = None) -> bytes:
    """The same xlsx with one part replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for member in source.namelist():
            if member != name:
                target.writestr(member, source.read(member))
        target.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize("name, content, reason", [
    ("empty.xlsx", b"", "the file is empty"),
    ("notes.xlsx", b"just some text\n" * 20, "not a spreadsheet pcp can read"),
    ("audit.csv", b"Audit date,Service\n07/03/2025,Oak House\n", "save it as an Excel workbook"),
    ("scan.xlsx", b"%PDF-1.7\n" + b"0" * 100, "this is a PDF"),
    ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "this is a picture"),
    ("random.xls", bytes(range(256)) * 4, "not a spreadsheet pcp can read"),
])
def test_files_that_are_not_spreadsheets(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    assert reason in refused(path)


def test_missing_file_and_folder(tmp_path):
    assert refused(tmp_path / "nowhere.xlsx") == "there is no such file"
    assert refused(tmp_path) == "this is a folder, not a file"


def test_a_truncated_workbook(tmp_path):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(valid_xlsx_bytes()[:2000])
    assert "damaged" in refused(path)


def test_a_word_document_and_a_plain_zip(tmp_path):
    doc = io.BytesIO()
    with zipfile.ZipFile(doc, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    (tmp_path / "letter.xlsx").write_bytes(doc.getvalue())
    assert "Word document" in refused(tmp_path / "letter.xlsx")
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("photos/1.jpg", "not really")
    (tmp_path / "photos.xlsx").write_bytes(plain.getvalue())
    assert "zip file but not a spreadsheet" in refused(tmp_path / "photos.xlsx")


def test_an_encrypted_workbook(tmp_path):
    """Excel wraps an encrypted .xlsx in an OLE container with an EncryptedPackage stream."""
    ole = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4088)
    ole[1024:1024 + 32] = "EncryptedPackage".encode("utf-16-le")
    (tmp_path / "secret.xlsx").write_bytes(bytes(ole))
    assert "protected with a password" in refused(tmp_path / "secret.xlsx")


def test_a_zip_bomb_is_refused_without_being_expanded(tmp_path):
    bomb = with_member(valid_xlsx_bytes(), "xl/worksheets/sheet1.xml", b" " * 300_000_000, level=9)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    assert path.stat().st_size < 2_000_000
    tracemalloc.start()
    reason = refused(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "zip bomb" in reason
    assert peak < 20_000_000  # nowhere near the 300 MB the member claims to hold


def test_too_much_uncompressed_data_is_refused(tmp_path):
    path = tmp_path / "big.xlsx"
    path.write_bytes(with_member(valid_xlsx_bytes(), "xl/media/padding.bin", bytes(range(256)) * 40_000))
    assert "expands to" in refused(path, Limits(max_uncompressed_bytes=5_000_000))


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol3;</t></si></sst>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&xxe;</t></si></sst>"""


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, XXE], ids=["billion laughs", "external entity"])
def test_xml_entity_tricks_are_refused(tmp_path, payload):
    path = tmp_path / "entities.xlsx"
    path.write_bytes(with_member(valid_xlsx_bytes(), "xl/sharedStrings.xml", payload))
    reason = refused(path)
    assert "document type declarations" in reason
    assert "root:" not in reason


def test_size_row_and_column_caps(tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", {"Reviews": [["Review date"]] + [["07/03/2025"]] * 30})
    assert "more than the 0.0001 MB limit" in refused(path, Limits(max_file_bytes=100))
    assert "has 31 rows, more than the 20 limit" in refused(path, Limits(max_rows=20))
    wide = write_workbook(tmp_path / "wide.xlsx", {"Reviews": [["x"] * 30]})
    assert "uses 30 columns" in refused(wide, Limits(max_columns=25))


def test_limits_from_options_and_environment(monkeypatch):
    assert Limits.from_options(max_file_mb=2).max_file_bytes == 2_000_000
    monkeypatch.setenv("PCP_MAX_ROWS", "50")
    assert Limits.from_options().max_rows == 50
    assert Limits.from_options(max_rows=7).max_rows == 7
    monkeypatch.setenv("PCP_MAX_ROWS", "lots")
    with pytest.raises(UsageError, match="PCP_MAX_ROWS must be a number"):
        Limits.from_options()
    with pytest.raises(UsageError):
        Limits.from_options(max_file_mb=0)


def test_hostile_file_through_the_command_line(tmp_path):
    path = tmp_path / "entities.xlsx"
    path.write_bytes(with_member(valid_xlsx_bytes(), "xl/sharedStrings.xml", XXE))
    done = subprocess.run([sys.executable, "-m", "pcp_widgets.cli", "import", str(path), "--db",
                           f"sqlite:///{tmp_path}/x.sqlite", "--quiet"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert "document type declarations" in done.stdout
