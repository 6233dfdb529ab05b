"""Fixtures shared by the unit tests (the session set-up is the repository's ``conftest.py``).

``demo_url`` / ``demo_store``: one demo database for the whole session, made once by the
real demo generator and the real importer (three services, a year ending October 2026,
seed 1). Tests only read it: a test that writes makes its own store (``store`` fixture).
"""

from __future__ import annotations

import contextlib
import io

import pytest

#: The demo every read-only test shares: a year of three services, always the same.
DEMO = {"services": 3, "months": 12, "seed": 1, "end_month": "2026-10"}
#: The demo's last month, as ``--month`` takes it.
DEMO_LAST_MONTH = DEMO["end_month"]


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory) -> str:
    from pcp_widgets.audit.demo import run_demo
    from pcp_widgets.store import open_store

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite'}"
    store = open_store(url)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            assert run_demo(store, out_dir=None, quiet=True, **DEMO) == 0
    finally:
        store.dispose()
    return url


@pytest.fixture(scope="session")
def demo_store(demo_url):
    from pcp_widgets.store import open_store

    store = open_store(demo_url)
    yield store
    store.dispose()
