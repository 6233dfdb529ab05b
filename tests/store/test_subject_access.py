"""The subject access export holds every version with who saved it, the audit rows and the access log,
as JSON, xlsx (formula-like text stays text) and a PDF; a redaction replaces one version only."""

import io
import json
import zipfile

import openpyxl

from pcp_widgets import cli
from tests.store.test_erasure import NAME, PROFILE, REF, _person_with_history


def test_the_export_holds_every_version_the_audit_rows_and_the_log_and_is_logged(tmp_path):
    url, store = _person_with_history(tmp_path)
    store.save_document(store.documents_of(REF)[0].document_id, {"person": NAME, "likes": "=HYPERLINK(\"x\")"}, 3,
                        saved_by="ann")
    out = tmp_path / "sar.zip"
    assert cli.main(["person", "export", REF.lower(), "--out", str(out), "--db", url]) == 0
    archive = zipfile.ZipFile(out)
    held = json.loads(archive.read("person.json"))
    assert held["person"]["preferred_name"] == NAME
    versions = held["documents"][0]["versions"]
    assert [(v["version"], v["saved_by"]) for v in versions] == [(1, "sam"), (2, "ann"), (3, "sam"), (4, "ann")]
    assert sorted(held["audit_records"]) == sorted(["file_audit", "observation", "event", "plan_change", "outcome",
                                                    "review"])
    assert all(len(rows) == 1 for rows in held["audit_records"].values())  # Pat's rows are not in it
    assert {e["action"] for e in held["access_log"]} == {"added a person", "saved"}
    book = openpyxl.load_workbook(io.BytesIO(archive.read("person.xlsx")))
    contents = [c.value for c in book["Document versions"]["F"] if c.value]
    assert any("=HYPERLINK" in text for text in contents) and all(c.data_type == "s" for c in book["Document versions"]["F"] if c.value)
    assert archive.read("summary.pdf").startswith(b"%PDF")
    last = store.access_log()[-1]
    assert (last.action, last.person_ref, last.detail) == ("exported", REF, "everything held about them to sar.zip")
    assert out.stat().st_mode & 0o077 == 0
    store.dispose()


def test_a_redaction_replaces_one_version_and_keeps_the_rest(tmp_path, capsys):
    url, store = _person_with_history(tmp_path)
    assert cli.main(["person", "redact", REF, "--tool", PROFILE, "--version", "2", "--reason", "named a neighbour",
                     "--db", url]) == 0
    history = {v.version: v for v in store.document_history(store.documents_of(REF)[0].document_id)}
    assert history[1].content["likes"] == "jazz" and history[3].content["likes"] == "tea at 7"
    assert "likes" not in history[2].content and history[2].content["redacted"]["reason"] == "named a neighbour"
    assert history[2].note.startswith("redacted by ") and history[2].note.endswith(": named a neighbour")
    last = store.access_log()[-1]
    assert (last.action, last.detail) == ("redacted", f"{PROFILE}: version 2. Reason: named a neighbour")
    assert cli.main(["person", "redact", REF, "--tool", PROFILE, "--version", "9", "--reason", "x", "--db", url]) != 0
    assert "has no version 9" in capsys.readouterr().err
    store.dispose()
