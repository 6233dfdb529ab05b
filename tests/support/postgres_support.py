"""A new, empty PostgreSQL database for each test that asks for one, when ``PCP_TEST_POSTGRES_URL`` is set.

``PCP_TEST_POSTGRES_URL`` names a database on a PostgreSQL server used for tests only (``.ci/with-postgres``
starts a throwaway one); its role must be allowed to create databases. Each test gets a database of its own,
``pcp_test_`` and a random part, created from that connection and dropped (with any connection a test left
open) when the test ends, so tests never see each other's rows, triggers or sequences, and a failed test
leaves nothing behind for the next.

Without the variable the tests skip, saying why; with ``PCP_REQUIRE_POSTGRES=1`` (``.ci/run`` sets it) a
missing or unreachable server fails them instead, so CI cannot pass without having run them.

Use it with ``from tests.support.postgres_support import postgres_url`` in a test module (pytest finds the fixture
there) and a ``postgres_url`` argument.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from typing import Iterator

import pytest
import sqlalchemy as sa

VARIABLE = "PCP_TEST_POSTGRES_URL"
REQUIRED = "PCP_REQUIRE_POSTGRES"


def server_url() -> str | None:
    return os.environ.get(VARIABLE, "").strip() or None


def _unavailable(reason: str):
    if os.environ.get(REQUIRED) == "1":
        pytest.fail(f"{reason} ({REQUIRED}=1: the PostgreSQL tests must run)")
    pytest.skip(reason)


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database on the test server, dropped afterwards."""
    url = server_url()
    if url is None:
        _unavailable(f"{VARIABLE} is not set: these tests need a PostgreSQL server (see .ci/with-postgres)")
    from pcp_widgets.store.engine import create_engine

    name = f"pcp_test_{secrets.token_hex(6)}"
    admin = create_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        _unavailable(f"cannot create a test database through {VARIABLE}: {str(error.orig).strip()}")
    try:
        yield sa.make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database's URL (``postgresql+psycopg://...``) for this test alone."""
    with fresh_database() as url:
        yield url
