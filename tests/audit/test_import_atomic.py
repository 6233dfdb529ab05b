"""A file is stored in one transaction: killed mid-import, nothing from it is in the database."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xlsxwriter

from pcp_widgets.audit.schema.sheets import sheet_for
from pcp_widgets.store import open_store

ROWS = 120_000


def big_events_workbook(path: Path) -> Path:
    sheet = sheet_for("event")
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    worksheet = workbook.add_worksheet(sheet.name)
    worksheet.write_row(0, 0, [f.header for f in sheet.fields])
    for index in range(1, ROWS + 1):
        day, minute = divmod(index, 1440)
        worksheet.write_row(index, 0, [
            f"{1 + day % 28:02d}/{1 + day // 28 % 12:02d}/2025", f"{minute // 60:02d}:{minute % 60:02d}",
            f"Service {index % 50}", f"P-{index % 997:04d}", "refusal", "personal care", f"trigger {index}",
            "low", index % 90, None,
        ])
    workbook.close()
    return path


def wait_for(condition, what: str, limit: float = 240.0, process=None):
    """Poll until ``condition()``; a generous bound only so a broken import cannot hang the suite."""
    deadline = time.monotonic() + limit
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the import ended (exit {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)


@pytest.mark.slow
def test_kill_9_during_storing_leaves_nothing_from_that_file(tmp_path):
    database = tmp_path / "atomic.sqlite"
    url = f"sqlite:///{database}"
    open_store(url).dispose()
    path = big_events_workbook(tmp_path / "big.xlsx")
    wal = Path(f"{database}-wal")
    wal_before = wal.stat().st_size if wal.exists() else 0

    process = subprocess.Popen([sys.executable, "-m", "pcp_widgets.cli", "import", str(path), "--db", url,
                                "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Rows are being written once the write-ahead log grows well past its size before the import.
    wait_for(lambda: wal.exists() and wal.stat().st_size > wal_before + 2_000_000, "rows being written",
             process=process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL

    store = open_store(url)
    assert store.count_records() == 0
    assert store.imports() == []

    done = subprocess.run([sys.executable, "-m", "pcp_widgets.cli", "import", str(path), "--db", url, "--quiet"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert store.count_records("event") == ROWS
