"""One import at a time per server, whichever process or machine starts it; and who imported what."""

import datetime as dt
import os
import signal
import subprocess
import sys

import pytest

from pcp_widgets.audit.ingest.importer import import_files
from pcp_widgets.store import import_lock
from pcp_widgets.store.import_lock import ImportRunning
from pcp_widgets.store.tables import import_locks, utc_now
from tests.support.workbook_files import headers, row, write_workbook

HOLD = """
import sys
from pcp_widgets.store import open_store
store = open_store(sys.argv[1])
with store.importing("quinn"):
    print("held", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def other_process(store_url):
    """Another process (another person's kernel) holding the import lock as quinn until told to stop."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, store_url], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()


def test_a_second_import_while_another_process_imports_is_told_who_is_importing(store, other_process):
    with pytest.raises(ImportRunning) as refused:
        with store.importing("ada"):
            pytest.fail("two imports at once")
    sentence = str(refused.value)
    assert sentence.startswith("Another import is running, started by quinn at ")
    assert sentence.endswith("try again when it has finished.")

    other_process.stdin.write("done\n")
    other_process.stdin.flush()
    other_process.wait()
    with store.importing("ada"):  # the lock was given back when quinn's import ended
        with pytest.raises(ImportRunning, match="started by ada"):
            with store.importing("quinn"):
                pass


def test_a_process_that_died_holding_the_lock_does_not_block_imports_for_ever(store, other_process):
    os.kill(other_process.pid, signal.SIGKILL)
    other_process.wait()
    with store.importing("ada"):
        with store.engine.connect() as connection:
            assert import_lock.holder(connection).held_by == "ada"


def test_a_holder_on_another_machine_is_waited_for_until_it_stops_renewing(store):
    started = utc_now()
    with store.engine.begin() as connection:
        connection.execute(import_locks.insert().values(name="import", held_by="quinn", host="pod-elsewhere",
                                                        pid=1, since=started, renewed_at=started))
    with pytest.raises(ImportRunning, match="quinn"):
        import_lock.acquire(store.engine, "ada", now=started + import_lock.STALE_AFTER / 2)
    import_lock.acquire(store.engine, "ada", now=started + import_lock.STALE_AFTER + dt.timedelta(minutes=1))
    with store.engine.connect() as connection:
        assert import_lock.holder(connection).held_by == "ada"


def test_the_imports_log_and_the_access_log_name_who_imported_each_file(store, tmp_path):
    march = write_workbook(tmp_path / "march.xlsx", {"Plan changes": [
        headers("plan_change"), row("plan_change"), row("plan_change", person_ref="P-0002"),
        row("plan_change", person_ref="P-0003", reason="nonsense")]})
    import_files([march], store, display_names=["Oak House March.xlsx"], imported_by="quinn")

    assert [(i["file_name"], i["imported_by"]) for i in store.imports()] == [("Oak House March.xlsx", "quinn")]
    assert [(e.user, e.action, e.person_ref, e.detail) for e in store.access_log()] == [
        ("quinn", "imported", None,
         "Oak House March.xlsx: 2 of 3 rows accepted (2 new, 0 updated), 1 rejected")]
