"""Store.aggregate_rows and Store.latest_record_month: what the commissioner export reads, and only that."""

from __future__ import annotations

import datetime as dt

from pcp_widgets.audit.schema.sheets import EVENT
from tests.conftest import DEMO_LAST_MONTH

TYPES = EVENT.field("event_type").type.options


def test_only_the_named_columns_with_month_and_person_in_the_dates_asked(demo_store):
    start, before = dt.date(2026, 3, 1), dt.date(2026, 5, 1)
    rows = demo_store.aggregate_rows("event", ["service", "recovery_minutes"], start=start, before=before)
    stored = demo_store.read_records("event")
    inside = stored[(stored["event_date"] >= start) & (stored["event_date"] < before)]
    assert len(rows) == len(inside) > 0 and {len(row) for row in rows} == {4}  # month, person, two columns
    expected = [(d.year * 12 + d.month - 1, p, s, None if m != m else int(m))
                for d, p, s, m in inside[["event_date", "person_ref", "service", "recovery_minutes"]]
                .itertuples(index=False)]
    assert sorted(rows, key=repr) == sorted(expected, key=repr)


def test_a_coded_column_arrives_as_its_position_among_the_choices(demo_store):
    rows = demo_store.aggregate_rows("event", ["event_type"], coded={"event_type": TYPES})
    stored = demo_store.read_records("event")["event_type"]
    assert sorted(code for _, _, code in rows) == sorted(TYPES.index(t) for t in stored)
    rows = demo_store.aggregate_rows("event", ["event_type"], coded={"event_type": TYPES[:1]})
    assert {code for _, _, code in rows} == {0, -1}  # not among the choices: -1


def test_the_newest_month_is_the_demo_s_last(demo_store, store):
    year, month = map(int, DEMO_LAST_MONTH.split("-"))
    assert demo_store.latest_record_month() == year * 12 + month - 1
    assert store.latest_record_month() is None  # an empty database has none
