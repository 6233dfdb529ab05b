"""Test session set-up, loaded whatever paths pytest is given.

* ``PCP_DB`` points at a temporary SQLite file for the whole session, so nothing a test or
  a page does touches the database in your data folder. When notebooks are among the
  collected tests (``pytest --nbval-lax`` over ``workbooks/`` and ``audits/``), that
  database is filled with a small demo first: each page then runs top to bottom on a
  fresh kernel against data, as it does when served (nbval's kernels inherit ``os.environ``).
* ``PCP_CACHE_DIR`` points at a temporary folder too, so the worked examples' pictures the
  pages draw are not kept in your cache folder.
* Tests that take ``store`` or ``store_url`` run once on a new SQLite file and, when
  ``PCP_TEST_POSTGRES_URL`` is set (see the README), once more on that PostgreSQL database,
  which is emptied before each test: point it at a database kept for testing only.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from pathlib import Path

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
    # A new database is a new server for sign-in's purposes: identity logs "signed in" once per process
    # and database URL, and every PostgreSQL test reuses one URL.
    from pcp_widgets import identity

    identity._signed_in.clear()
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


#: Small, so the notebook tests stay quick; the same seed every run.
DEMO_SIZE = {"services": 3, "months": 3, "seed": 1}

_session: dict = {}
#: Set for the whole session and put back after it.
_SESSION_VARIABLES = ("PCP_DB", "PCP_CACHE_DIR")


def pytest_configure(config):
    folder = Path(tempfile.mkdtemp(prefix="pcp-tests-"))
    _session["folder"] = folder
    _session["previous"] = {name: os.environ.get(name) for name in _SESSION_VARIABLES}
    os.environ["PCP_DB"] = f"sqlite:///{folder / 'pages.sqlite'}"
    os.environ["PCP_CACHE_DIR"] = str(folder / "cache")


def pytest_collection_finish(session):
    if any(Path(str(item.path)).suffix == ".ipynb" for item in session.items):
        fill_with_demo(os.environ["PCP_DB"])


def pytest_unconfigure(config):
    for name, previous in _session.pop("previous", {}).items():
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous
    folder = _session.pop("folder", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def fill_with_demo(url: str) -> None:
    """Import the small demo into the database at ``url``; fail loudly if it did not import cleanly."""
    from pcp_widgets.audit.demo import run_demo
    from pcp_widgets.store import open_store

    store = open_store(url)
    try:
        summary = io.StringIO()
        with contextlib.redirect_stdout(summary):
            code = run_demo(store, out_dir=None, quiet=True, **DEMO_SIZE)
        if code != 0 or store.count_records() == 0:
            raise RuntimeError(f"the demo data for the notebook tests did not import (exit {code}):\n"
                               f"{summary.getvalue()}")
    finally:
        store.dispose()
