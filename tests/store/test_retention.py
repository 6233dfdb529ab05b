"""The retention schedule: what is due on a given day (dates on both sides of every boundary), the policy
file, and `pcp retention --dry-run` / `apply` removing exactly what is due and logging it."""

import datetime as dt

import pytest
import sqlalchemy as sa

from pcp_widgets import cli
from pcp_widgets.errors import PcpError
from pcp_widgets.store import retention
from pcp_widgets.store.records import start_import
from pcp_widgets.store.retention import KINDS, Holding, Period, Policy, due, load_policy, parse_period
from pcp_widgets.store.tables import RECORD_TABLES, access_log, document_versions, documents

TODAY = dt.date(2026, 12, 4)
PROFILE = "one_page_profile"


def test_periods_count_on_the_calendar():
    assert parse_period("8 years").before(TODAY) == dt.date(2018, 12, 4)
    assert parse_period("18 Months").before(TODAY) == dt.date(2025, 6, 4)
    assert parse_period("90 days").before(TODAY) == dt.date(2026, 9, 5)
    assert parse_period("1 year").before(dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)
    assert parse_period("1 month").before(dt.date(2026, 3, 31)) == dt.date(2026, 2, 28)
    assert parse_period("13 months").before(dt.date(2026, 1, 15)) == dt.date(2024, 12, 15)
    for bad in ("eight years", "8", "8 weeks", "-1 years", ""):
        with pytest.raises(PcpError, match="whole number of years, months or days"):
            parse_period(bad, "audit_records")


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_record_is_due_the_day_after_its_whole_period_and_not_before(kind):
    policy = Policy({k: Period(8, "year") if k == kind else Period(100, "year") for k in KINDS}, "test")
    boundary = dt.date(2018, 12, 4)  # eight years before TODAY
    kept_whole_period = Holding(kind, "x", 1, boundary)
    one_day_longer = Holding(kind, "x", 2, boundary - dt.timedelta(days=1))
    newer = Holding(kind, "x", 3, boundary + dt.timedelta(days=1))
    assert due([kept_whole_period, one_day_longer, newer], policy, TODAY) == [one_day_longer]
    assert due([kept_whole_period], policy, TODAY + dt.timedelta(days=1)) == [kept_whole_period]
    other = next(k for k in KINDS if k != kind)
    assert due([Holding(other, "x", 4, boundary - dt.timedelta(days=1))], policy, TODAY) == []


def test_the_shipped_policy_names_every_kind_and_a_provider_can_use_their_own(tmp_path, monkeypatch):
    shipped = load_policy()
    assert shipped.periods["person_documents"] == Period(8, "year")
    assert set(shipped.periods) == set(KINDS)
    own = tmp_path / "ours.yaml"
    own.write_text("\n".join(f"{kind}: 10 years" for kind in KINDS), encoding="utf-8")
    monkeypatch.setenv(retention.POLICY_VARIABLE, str(own))
    assert load_policy().periods["audit_records"] == Period(10, "year")
    assert load_policy(retention.DEFAULT_POLICY).periods["audit_records"] == Period(8, "year")
    own.write_text("person_documents: 8 years\n", encoding="utf-8")
    with pytest.raises(PcpError, match="has no period for audit_records"):
        load_policy()
    own.write_text(": [", encoding="utf-8")
    with pytest.raises(PcpError, match="not valid YAML"):
        load_policy()


# -- on a real store -------------------------------------------------------------------


def _audit_row(store, kind: str, day: dt.date, key: str) -> None:
    """One stored audit row dated ``day`` (every required column filled with a plausible value)."""
    table = RECORD_TABLES[kind]
    values = {}
    for column in table.columns:
        if column.name in ("id", "import_id") or column.nullable:
            continue
        python = column.type.python_type
        values[column.name] = (day if python is dt.date else dt.time(10) if python is dt.time
                               else 1 if python is int else "P-0009")
    date_field = retention.sheet_for(kind).date_field
    with store.engine.begin() as connection:
        import_id = start_import(connection, f"{key}.xlsx", key.ljust(64, "0"))
        connection.execute(table.insert().values({**values, date_field: day, "natural_key": key,
                                                   "content_hash": "0" * 32, "source_row": 2,
                                                   "import_id": import_id}))


def _logged_at(store, when: dt.datetime, ref: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(access_log.insert().values(at=when, user_name="sam", action="viewed",
                                                      person_ref=ref, detail="old entry"))


@pytest.fixture
def held(store):
    """Pat left nine years ago (due), Jo left seven years ago (kept), Kim is still supported; an old and a
    new observation; an old and a new access-log entry; an old practice session."""
    for name, left in (("Pat", dt.date(2017, 6, 1)), ("Jo", dt.date(2019, 6, 1)), ("Kim", None)):
        person = store.add_person(name, "Oak House", by="ann").person
        opened = store.open_person_document(PROFILE, person.ref, user="sam", new_content={"person": name})
        store.save_document(opened.document_id, {"person": name, "v": 2}, opened.version, saved_by="sam")
        if left:
            store.person_left(person.ref, left, by="ann")
    _audit_row(store, "observation", dt.date(2018, 1, 10), "old-obs")
    _audit_row(store, "observation", dt.date(2025, 1, 10), "new-obs")
    _logged_at(store, dt.datetime(2017, 1, 1, 9, tzinfo=dt.timezone.utc), "P-0001")
    session = store.create_document("practice_session", "ABC123", {"trainer": "Lee"}, "facilitator page")
    with store.engine.begin() as connection:
        connection.execute(document_versions.update().where(document_versions.c.document_id == session.document_id)
                           .values(saved_at=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)))
    return store


def test_the_plan_lists_refs_codes_and_dates_never_names(held):
    plan = held.retention_due(load_policy(), TODAY)
    counts = plan.counts()
    assert counts == {"person_documents": 1, "audit_records": 1, "access_log": 1, "practice_sessions": 1,
                      "themes": 0}
    text = "\n".join(plan.lines())
    assert "P-0001 (left 01/06/2017): one_page_profile, 2 versions" in text
    assert "observation audit records: 1 dated 10/01/2018" in text
    assert "practice_session ABC123: last saved 01/01/2024" in text
    assert "access log: 1 entry dated 01/01/2017" in text
    assert "Pat" not in text and "P-0002" not in text and "Lee" not in text


def test_apply_removes_what_is_due_in_one_go_logs_it_and_keeps_the_log_append_only(held):
    before = {row.person for row in held.find_documents()}
    held.apply_retention(load_policy(), by="ann", today=TODAY)

    assert {row.person for row in held.find_documents()} == before - {"Pat", "ABC123"}
    with held.engine.connect() as connection:
        orphans = connection.execute(sa.select(sa.func.count()).select_from(document_versions).where(
            document_versions.c.document_id.not_in(sa.select(documents.c.id)))).scalar()
        observations = [row.natural_key for row in connection.execute(sa.select(RECORD_TABLES["observation"]))]
    assert orphans == 0
    assert observations == ["new-obs"]
    log = held.access_log()
    assert all(entry.detail != "old entry" for entry in log)
    last = log[-1]
    assert (last.user, last.action, last.person_ref) == ("ann", "applied retention", None)
    assert "1 tool documents of people who have left" in last.detail and "person_documents 8 years" in last.detail
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with held.engine.begin() as connection:
            connection.execute(access_log.delete())
    assert held.retention_due(load_policy(), TODAY).items == []


def test_a_failure_part_way_leaves_everything_and_the_log_guard_in_place(held, monkeypatch):
    real_append = retention._access_log.append

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(retention._access_log, "append", fail)
    with pytest.raises(RuntimeError):
        held.apply_retention(load_policy(), by="ann", today=TODAY)
    monkeypatch.setattr(retention._access_log, "append", real_append)
    assert held.retention_due(load_policy(), TODAY).counts()["access_log"] == 1
    assert "Pat" in {row.person for row in held.find_documents()}
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with held.engine.begin() as connection:
            connection.execute(access_log.delete())


def test_the_command_lists_then_applies_and_only_an_admin_may_apply(held, capsys, monkeypatch):
    url = held.url
    assert cli.main(["retention", "--dry-run", "--db", url]) == 0
    listed = capsys.readouterr().out
    assert "P-0001 (left 01/06/2017)" in listed and "Pat" not in listed
    assert "Nothing was removed" in listed

    held.add_user("sam", "staff", ["Oak House"], by="ann")
    monkeypatch.setenv("JUPYTERHUB_USER", "sam")
    assert cli.main(["retention", "apply", "--db", url]) != 0
    assert "Staff cannot apply the retention schedule" in capsys.readouterr().err
    assert held.retention_due(load_policy()).counts()["person_documents"] == 1

    monkeypatch.delenv("JUPYTERHUB_USER")
    assert cli.main(["retention", "apply", "--db", url]) == 0
    assert "Removed 1 tool documents of people who have left" in capsys.readouterr().out
    assert held.retention_due(load_policy()).items == []
    assert cli.main(["retention", "--db", url]) == 2
    assert "pcp retention --dry-run to list what is due, or pcp retention apply" in capsys.readouterr().err
