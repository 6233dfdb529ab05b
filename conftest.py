"""Fixtures every test can use: a fresh store on SQLite and, when asked for, on PostgreSQL.

Tests that take ``store`` or ``store_url`` run once on a new SQLite file and, when
``PCP_TEST_POSTGRES_URL`` is set (see the README), once more on that PostgreSQL database,
which is emptied before each test: point it at a database kept for testing only.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

POSTGRES_URL = os.environ.get("PCP_TEST_POSTGRES_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def _empty_postgres(url: str) -> None:
    from pcp_widgets.store.engine import create_engine

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/pcp-test.sqlite"
        return
    _empty_postgres(POSTGRES_URL)
    yield POSTGRES_URL


@pytest.fixture
def store(store_url):
    from pcp_widgets.store import open_store

    opened = open_store(store_url)
    yield opened
    opened.dispose()
