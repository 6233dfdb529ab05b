"""Every save names who made it; the access log is append-only and answers "who looked at Pat's plan?"."""

import datetime as dt

import openpyxl
import pytest
import sqlalchemy as sa

from pcp_widgets import cli
from pcp_widgets.store import migrate, open_store
from pcp_widgets.store.engine import create_engine
from pcp_widgets.store.tables import access_log
from pcp_widgets.tools import TOOLS

PROFILE = "one_page_profile"


@pytest.fixture
def pat(store):
    """Pat's one-page profile, made by sam; Pat is P-0001 at Oak House."""
    store.add_person("Pat", "Oak House", by="ann")
    return store.open_person_document(PROFILE, "P-0001", user="sam", new_content={"person": "Pat", "v": 1})


def test_every_save_and_restore_names_who_made_it_in_the_versions_and_the_log(store, pat):
    saved = store.save_document(pat.document_id, {"person": "Pat", "v": 2}, 1, saved_by="ann")
    store.restore_document(pat.document_id, 1, saved.version, saved_by="mo")

    history = store.document_history(pat.document_id)
    assert [(v.version, v.saved_by, v.note) for v in history] == [
        (3, "mo", "restored version 1"), (2, "ann", None), (1, "sam", "created")]
    entries = [(e.user, e.action, e.person_ref, e.detail) for e in store.access_log(person_ref="P-0001")][1:]
    assert entries == [("sam", "saved", "P-0001", "one_page_profile: created version 1"),
                       ("ann", "saved", "P-0001", "one_page_profile: version 2"),
                       ("mo", "restored", "P-0001", "one_page_profile: version 3 (restored version 1)")]


def test_documents_about_no_one_are_not_care_records_and_are_not_logged(store):
    session = store.create_document("practice_session", "ABC123", {"person": "ABC123"}, "facilitator page")
    store.save_document(session.document_id, {"person": "ABC123", "n": 2}, 1, saved_by="facilitator page")
    assert store.access_log() == []


def test_the_access_log_cannot_be_changed_or_emptied_even_with_sql(store, pat):
    before = store.access_log()
    for statement in (access_log.update().values(user_name="someone else"), access_log.delete()):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with store.engine.begin() as connection:
                connection.execute(statement)
    assert store.access_log() == before
    with pytest.raises(ValueError):
        store.log_access("sam", "deleted")  # only the known actions


def _at(store, when: dt.datetime, user: str, action: str, ref: str | None, detail: str = "") -> None:
    """An entry at a chosen moment (local time), written as the store writes them (UTC)."""
    with store.engine.begin() as connection:
        connection.execute(access_log.insert().values(at=when.astimezone(dt.timezone.utc), user_name=user,
                                                      action=action, person_ref=ref, detail=detail))


def _local(*parts) -> dt.datetime:
    return dt.datetime(*parts).astimezone()


@pytest.fixture
def july(store):
    store.add_person("Pat", "Oak House", ref="P-0042", by="ann")
    store.add_person("Ken", "Oak House", ref="P-0043", by="ann")
    _at(store, _local(2026, 6, 30, 23, 30), "sam", "viewed", "P-0042", "June")
    _at(store, _local(2026, 7, 1, 0, 10), "sam", "viewed", "P-0042", "=HYPERLINK(\"http://evil.example\")")
    _at(store, _local(2026, 7, 15, 9, 0), "mo", "saved", "P-0042", "one_page_profile: version 2")
    _at(store, _local(2026, 7, 20, 9, 0), "mo", "viewed", "P-0043", "Ken's")
    _at(store, _local(2026, 7, 31, 23, 50), "ann", "viewed", "P-0042", "late")
    _at(store, _local(2026, 8, 1, 0, 0), "sam", "viewed", "P-0042", "August")


def test_the_log_is_narrowed_by_person_user_and_whole_local_days(store, july):
    start, end = _local(2026, 7, 1), _local(2026, 8, 1)
    assert [e.detail for e in store.access_log(person_ref="p-0042", start=start, end=end)] == [
        "=HYPERLINK(\"http://evil.example\")", "one_page_profile: version 2", "late"]
    assert [e.detail for e in store.access_log(user="MO")] == ["one_page_profile: version 2", "Ken's"]


def _read(path):
    sheet = openpyxl.load_workbook(path).active
    rows = [[cell for cell in row] for row in sheet.iter_rows()]
    header = next(n for n, row in enumerate(rows) if row[0].value == "When")
    return [[c.value for c in row] for row in rows[header:]], rows[header + 1:]


def test_pcp_access_log_answers_who_looked_at_pats_plan_this_month(store, july, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    out = tmp_path / "pat-july.xlsx"
    code = cli.main(["access-log", "--person", "Pat", "--from", "2026-07", "--to", "31/07/2026",
                     "--out", str(out), "--db", store.url])
    assert code == 0
    assert "Wrote 3 access-log entries (from 01/07/2026 to 31/07/2026)" in capsys.readouterr().out
    values, cells = _read(out)
    assert values[0] == ["When", "User", "Action", "Person ref", "Preferred name", "Service", "Detail"]
    assert [row[1:] for row in values[1:]] == [
        ["sam", "viewed", "P-0042", "Pat", "Oak House", "=HYPERLINK(\"http://evil.example\")"],
        ["mo", "saved", "P-0042", "Pat", "Oak House", "one_page_profile: version 2"],
        ["ann", "viewed", "P-0042", "Pat", "Oak House", "late"]]
    assert values[1][0] == dt.datetime(2026, 7, 1, 0, 10)  # a real date-time, in local time
    assert cells[0][6].data_type == "s"  # the formula-like detail is text, not a live formula
    exported = store.access_log()[-1]
    assert exported.action == "exported" and exported.person_ref == "P-0042"


def test_pcp_access_log_refuses_what_it_cannot_read(store, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    assert cli.main(["access-log", "--from", "July", "--out", str(tmp_path / "x.xlsx"), "--db", store.url]) == 2
    assert "--from 'July' is not a date" in capsys.readouterr().err
    assert cli.main(["access-log", "--out", str(tmp_path / "x.csv"), "--db", store.url]) == 2
    assert "is written as an Excel workbook" in capsys.readouterr().err
    store.add_user("sam", "staff", ["Oak House"], by="ada")
    monkeypatch.setenv("JUPYTERHUB_USER", "sam")
    assert cli.main(["access-log", "--out", str(tmp_path / "x.xlsx"), "--db", store.url]) == 1
    assert "Staff cannot read the access log" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_a_database_from_before_the_register_is_upgraded_and_keeps_its_documents(tmp_path):
    url = f"sqlite:///{tmp_path}/old.sqlite"
    engine = create_engine(url)
    migrate.upgrade(engine, "0003")
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO documents (tool, person, created_at, latest_version) "
                                   "VALUES ('one_page_profile', 'Pat', '2026-01-05 10:00:00', 1)"))
        connection.execute(sa.text("INSERT INTO document_versions (document_id, version, content, saved_at) "
                                   "VALUES (1, 1, '{\"person\": \"Pat\"}', '2026-01-05 10:00:00')"))
    engine.dispose()

    store = open_store(url)
    try:
        assert [d.person for d in store.find_documents()] == ["Pat"]
        assert store.link_documents_to_register("Oak House", by="ada", tools=TOOLS)["linked"] == {"Pat": "P-0001"}
        opened = store.open_person_document(PROFILE, "P-0001", user="sam", new_content={})
        assert opened.document_id == 1 and opened.content == {"person": "Pat"}
    finally:
        store.dispose()
