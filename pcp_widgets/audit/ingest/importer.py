"""Importing audit workbooks: every non-blank row is either stored or explained.

For each file: read it safely (:mod:`reader`), recognise its sheets (:mod:`layout`),
check every row (:mod:`checking`), settle rows that repeat a natural key inside the file,
then store the file's accepted rows in one transaction (:meth:`Store.store_file`).
A file that cannot be read stores nothing and is reported in one sentence; the other
files are still imported. For a large import, files are read and checked in helper
processes while this one stores them, in order (see :func:`import_files`).

Counting follows one rule everywhere: rows = accepted + rejected and
accepted = new + updated + duplicates; blank rows are not rows.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing
import multiprocessing.connection
import os
import queue
import signal
import stat
import threading
from collections import Counter, defaultdict
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Callable, Iterator, Sequence

from pcp_widgets.audit.ingest.batch import Batch
from pcp_widgets.audit.ingest.checking import CheckedSheet, Problem, check_sheet, is_blank_row
from pcp_widgets.audit.ingest.layout import Layout, column_letter, find_layout
from pcp_widgets.audit.ingest.limits import Limits
from pcp_widgets.audit.ingest.reader import RawSheet, read_workbook
from pcp_widgets.audit.ingest.import_report import (
    FileReport,
    ImportReport,
    ImportWarning,
    RejectedRow,
    RowError,
)
from pcp_widgets.errors import UnreadableFile

Progress = Callable[[int, int, str], None]
#: Sheets the template itself carries: recognised, and not audit data.
INSTRUCTION_SHEETS = {"how to fill in"}
#: Rows checked between progress reports.
CHECK_SLICE = 20_000
#: Below this many bytes of workbooks in all, files are read and checked in this process:
#: starting helper processes costs more than it saves.
PARALLEL_BYTES = 3_000_000
#: Helper processes at most: past this the one process that stores becomes the bottleneck.
MAX_HELPERS = 3
#: How often (seconds) progress from the helpers is passed on while waiting for a file.
PROGRESS_INTERVAL = 0.1


def import_files(paths: Sequence, store, *, limits: Limits | None = None, progress: Progress | None = None,
                 display_names: Sequence[str] | None = None, helpers: int | None = None,
                 imported_by: str | None = None) -> ImportReport:
    """Import each file in its own transaction and report on all of them (logged as ``imported_by``'s).

    Reading and checking a file is Python work bound by the global lock, so for a large
    import it is done in ``helpers`` processes (:class:`_Helpers`; by default as many as
    the cores, when the files are large enough to be worth it; 0 or 1: none), several
    files at once, while this process stores the files before them. Files are stored in
    order, one transaction each, so the result is exactly that of importing them one by
    one. As with any use of processes in Python, a script that calls this must do so
    under ``if __name__ == "__main__":`` (the helpers import the script's module).
    """
    report = ImportReport()
    names = list(display_names) if display_names else [str(p) for p in paths]
    jobs = [(Path(path), name) for path, name in zip(paths, names)]
    limits = limits or Limits()
    progress = progress or _silent
    helpers = _helper_count(jobs) if helpers is None else min(helpers, len(jobs))
    with _without_cycle_collection():
        for prepared in _prepared_files(jobs, limits, progress, helpers):
            report.extend(prepared.report)
            if prepared.batches is not None:
                file = prepared.report.files[0]
                checked = sum(counts.rows for counts in file.sheets.values()) or 1
                progress(checked, checked, f"Storing {sum(map(len, prepared.batches.values()))} rows from {file.path}")
                store.store_file(file.path, file.sha256, prepared.batches, file.sheets,
                                 imported_by=imported_by)
    progress(1, 1, f"Imported {len(paths)} file{'s' if len(paths) != 1 else ''}")
    return report


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's collector of reference cycles paused while files are read, checked and stored.

    An import makes millions of cells, tuples and lists (and no cycles); the collector
    would walk all of them again and again as they pile up, a tenth of the whole time.
    Whatever garbage there is is collected as usual afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class _Prepared:
    """One file read and checked: its part of the report, and its accepted rows (None if it is unreadable)."""

    report: ImportReport
    batches: dict[str, Batch] | None


def _prepare(path: Path, name: str, limits: Limits, progress: Progress) -> _Prepared:
    report = ImportReport()
    batches = _FileImport(name, report, progress).check(path, limits)
    return _Prepared(report, batches)


def _prepared_files(jobs: list[tuple[Path, str]], limits: Limits, progress: Progress,
                    helpers: int) -> Iterator[_Prepared]:
    """Each file read and checked, in order: in this process, or in ``helpers`` processes if there are two or more."""
    if helpers < 2:
        for path, name in jobs:
            yield _prepare(path, name, limits, progress)
        return
    with _Helpers(helpers) as pool:
        yield from pool.prepared(jobs, limits, progress)


def _helper_count(jobs: list[tuple[Path, str]]) -> int:
    """As many helpers as cores (up to MAX_HELPERS and the number of files), if the files are large enough."""
    if sum(_size(path) for path, _ in jobs) < PARALLEL_BYTES:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(len(jobs), cores, MAX_HELPERS)


def _size(path: Path) -> int:
    """The size of an ordinary file; 0 for anything else (the reader says what is wrong with it)."""
    try:
        info = path.stat()
    except OSError:
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


def _read(path: Path, limits: Limits) -> tuple[str, list[RawSheet]]:
    """The file's SHA-256 and its sheets; UnreadableFile if it cannot be read safely.

    The reader's checks come first: they refuse what is not a regular file (a folder, a
    named pipe) before anything reads it to the end.
    """
    sheets = read_workbook(path, limits)
    return _sha256(path), sheets


def _silent(done: int, total: int, message: str) -> None:
    return None


def _reading(name: str) -> tuple[int, int, str]:
    return 0, 1, f"Reading {name}"


# -- helper processes --------------------------------------------------------------------


class _Helpers:
    """Processes that read and check files, one each at a time, handed back in order.

    At most one file more than there are helpers is in hand, so memory stays bounded
    however many files are imported. The helpers' progress comes back through a queue
    and is passed on for the file this process is waiting for. If a helper dies (the
    computer ran out of memory, say), the remaining files are read here instead.
    """

    def __init__(self, count: int):
        context = multiprocessing.get_context("spawn")  # no copy of this process's threads or database connections
        self.count = count
        self.messages = context.Queue()
        self.pool = ProcessPoolExecutor(count, mp_context=context, initializer=_start_helper,
                                        initargs=(self.messages,))

    def __enter__(self) -> _Helpers:
        return self

    def __exit__(self, *_) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.messages.close()

    def prepared(self, jobs: list[tuple[Path, str]], limits: Limits, progress: Progress) -> Iterator[_Prepared]:
        futures: dict[int, Future] = {}
        latest: dict[int, tuple[int, int, str]] = {}
        for index in range(len(jobs)):
            for ahead in range(index, min(index + self.count + 1, len(jobs))):
                if ahead not in futures:
                    futures[ahead] = self.pool.submit(_prepare_in_helper, ahead, *jobs[ahead], limits)
            try:
                prepared = self._wait(index, jobs[index][1], futures.pop(index), latest, progress)
            except BrokenProcessPool:
                for path, name in jobs[index:]:
                    yield _prepare(path, name, limits, progress)
                return
            yield prepared

    def _wait(self, index: int, name: str, future: Future, latest: dict, progress: Progress) -> _Prepared:
        """The file's result, passing on its progress meanwhile (of the files after it, the latest report is kept)."""
        shown = _reading(name)
        progress(*shown)
        while True:
            done = future.done() or bool(wait([future], timeout=PROGRESS_INTERVAL).done)
            while True:
                try:
                    number, *message = self.messages.get_nowait()
                except queue.Empty:
                    break
                if number >= index:  # a file already stored may still have a report on its way
                    latest[number] = tuple(message)
            message = latest.pop(index, shown)
            if message != shown:
                shown = message
                progress(*shown)
            if done:
                return future.result()


_messages = None


def _start_helper(messages) -> None:
    """Set up a helper: progress goes to ``messages``; Ctrl+C is for the importing process to
    handle; and if that process is killed, the helper ends too rather than wait for ever."""
    global _messages
    _messages = messages
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,), daemon=True).start()


def _end_with(sentinel) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _prepare_in_helper(index: int, path: Path, name: str, limits: Limits) -> _Prepared:
    def progress(done: int, total: int, message: str) -> None:
        _messages.put((index, done, total, message))

    with _without_cycle_collection():
        return _prepare(path, name, limits, progress)


# -- one file ----------------------------------------------------------------------------


class _FileImport:
    def __init__(self, name: str, report: ImportReport, progress: Progress):
        self.name, self.report, self.progress = name, report, progress
        self.file = FileReport(path=name)
        self.batches: dict[str, Batch] = {}
        # kind -> natural key -> (sheet, row, fingerprint) of the first row of this file with that key
        self.seen: dict[str, dict[str, tuple[str, int, str]]] = defaultdict(dict)
        self.name_like: dict[tuple[str, str, str], list[int]] = defaultdict(list)

    def check(self, path: Path, limits: Limits) -> dict[str, Batch] | None:
        """Read and check every row of the file; its accepted rows, or None if it cannot be read."""
        self.report.files.append(self.file)
        self.progress(*_reading(self.name))
        try:
            self.file.sha256, sheets = _read(path, limits)
        except UnreadableFile as problem:
            self._unreadable(problem.reason)
            return None
        layouts = [(raw, layout) for raw in sheets if (layout := self._recognise(raw)) is not None]
        total = sum(max(len(raw.rows) - layout.header_row - 1, 0) for raw, layout in layouts) or 1
        done = 0
        for raw, layout in layouts:
            for start in range(layout.header_row + 1, len(raw.rows), CHECK_SLICE):
                self.progress(done, total, f"Checking {self.name}: {raw.name}")
                self._settle(raw.name, check_sheet(layout, raw.rows, start, start + CHECK_SLICE))
                done += min(CHECK_SLICE, len(raw.rows) - start)
        self._warn_name_like_refs()
        return self.batches

    def _unreadable(self, reason: str) -> None:
        self.file.error = reason
        self.file.sheets.clear()
        self.report.errors.append(RowError(self.name, None, None, None, None, reason))

    # -- sheets -----------------------------------------------------------------------

    def _recognise(self, raw: RawSheet) -> Layout | None:
        if " ".join(raw.name.lower().split()) in INSTRUCTION_SHEETS:
            return None
        layout = find_layout(raw.name, raw.rows)
        if layout is None:
            if not all(is_blank_row(row) for row in raw.rows):
                self._warn(raw.name, None, None, None,
                           "this sheet is not one of the six audit sheets (by its name or its headers), "
                           "so nothing in it was imported")
            return None
        self.file.counts(layout.sheet.kind)
        if not layout.by_name:
            self._warn(raw.name, layout.header_row + 1, None, None,
                       f"read as the '{layout.sheet.name}' sheet because of its headers")
        for column, header in layout.unknown_columns:
            self._warn(raw.name, layout.header_row + 1, header, None,
                       f"unknown column (column {column_letter(column)}); its values were not imported")
        for column, header in layout.repeated_columns:
            self._warn(raw.name, layout.header_row + 1, header, None,
                       f"this column appears twice; the second one (column {column_letter(column)}) was not imported")
        if raw.hidden:
            self._warn(raw.name, None, None, None, "this sheet is hidden in the workbook; it was imported all the same")
        return layout

    # -- rows -------------------------------------------------------------------------

    def _settle(self, sheet_name: str, checked: CheckedSheet) -> None:
        """Accept each row, count it as a repeat of an earlier row, or reject it with its reasons.

        Most rows have no problem and a natural key met nowhere else: they are accepted all
        at once. The rest are settled one by one, in order (see :meth:`_settle_in_order`).
        """
        kind = checked.sheet.kind
        counts = self.file.counts(kind)
        counts.rows += len(checked)
        for (header, value), rows in checked.name_like_refs.items():
            self.name_like[(sheet_name, header, value)] += rows
        keys, hashes = checked.keys_and_hashes()
        seen = self.seen[kind]
        repeated = _repeated(keys) | (seen.keys() & keys)
        careful = set(checked.problems)
        if repeated:
            careful.update(position for position, key in enumerate(keys) if key in repeated)
        plain = [p for p in range(len(keys)) if p not in careful] if careful else range(len(keys))
        firsts = zip(repeat(sheet_name), map(checked.rows.__getitem__, plain), map(hashes.__getitem__, plain))
        seen.update(zip(map(keys.__getitem__, plain), firsts))
        dropped = self._settle_in_order(sheet_name, checked, keys, hashes, sorted(careful))
        accepted = [p for p in range(len(keys)) if p not in dropped] if dropped else list(range(len(keys)))
        counts.accepted += len(accepted)
        self._add_to_batch(checked, accepted, keys, hashes)

    def _settle_in_order(self, sheet_name: str, checked: CheckedSheet, keys: list[str], hashes: list[str],
                         positions: list[int]) -> set[int]:
        """The rows with a problem or a key met before: the first with a natural key is accepted, a
        repeat counted as a duplicate or rejected as a conflict. Returns the rows not accepted."""
        sheet = checked.sheet
        counts = self.file.counts(sheet.kind)
        seen = self.seen[sheet.kind]
        dropped: set[int] = set()
        for position in positions:
            key = keys[position]
            problems = checked.problems.get(position)
            if not problems:
                first = seen.get(key)
                if first is None:
                    seen[key] = (sheet_name, checked.rows[position], hashes[position])
                    continue
                dropped.add(position)
                if hashes[position] == first[2]:
                    counts.accepted += 1
                    counts.duplicates += 1
                    continue
                problems = [Problem(None, None, _conflict(first, sheet_name, sheet))]
            dropped.add(position)
            self._reject(sheet_name, checked, position, problems)
        return dropped

    def _add_to_batch(self, checked: CheckedSheet, accepted: list[int], keys: list[str], hashes: list[str]) -> None:
        kind = checked.sheet.kind
        batch = self.batches.setdefault(kind, Batch(kind, values={key: [] for key in checked.sheet.keys}))
        every_row = len(accepted) == len(checked)

        def pick(column):
            return column if every_row else list(map(column.__getitem__, accepted))

        batch.rows += pick(checked.rows)
        batch.keys += pick(keys)
        batch.hashes += pick(hashes)
        for key, column in checked.values.items():
            batch.values[key] += pick(column)

    def _reject(self, sheet_name: str, checked: CheckedSheet, position: int, problems: list[Problem]) -> None:
        row = checked.rows[position]
        self.file.counts(checked.sheet.kind).rejected += 1
        for problem in problems:
            self.report.errors.append(RowError(self.name, sheet_name, row, problem.column, problem.value, problem.reason))
        self.report.rejected_rows.append(RejectedRow(
            checked.sheet.kind, self.name, sheet_name, row, checked.raw_row(position),
            [f"{p.column}: {p.reason}" if p.column else p.reason for p in problems],
        ))

    def _warn_name_like_refs(self) -> None:
        for (sheet_name, header, value), rows in self.name_like.items():
            where = f"row {rows[0]}" if len(rows) == 1 else f"{len(rows)} rows, first row {rows[0]}"
            self._warn(sheet_name, rows[0], header, value,
                       f"looks like a personal name ({where}); refs should be pseudonymous codes such as P-0042 "
                       "(imported all the same)")

    def _warn(self, sheet: str | None, row: int | None, column: str | None, value, message: str) -> None:
        self.report.warnings.append(ImportWarning(self.name, sheet, row, column, value, message))


def _repeated(keys: list[str]) -> set[str]:
    """The keys that appear more than once in ``keys``."""
    if len(set(keys)) == len(keys):
        return set()
    return {key for key, count in Counter(keys).items() if count > 1}


def _conflict(first: tuple[str, int, str], sheet_name: str, sheet) -> str:
    first_sheet, first_row, _ = first
    where = f"row {first_row}" if first_sheet == sheet_name else f"row {first_row} of sheet '{first_sheet}'"
    key_words = ", ".join(sheet.field(k).header for k in sheet.natural_key)
    return f"conflicts with {where}: same {key_words} but different details; the first one was kept"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except FileNotFoundError:
        raise UnreadableFile(str(path), "there is no such file") from None
    except IsADirectoryError:
        raise UnreadableFile(str(path), "this is a folder, not a file") from None
    except PermissionError:
        raise UnreadableFile(str(path), "you do not have permission to read this file") from None
    return digest.hexdigest()
