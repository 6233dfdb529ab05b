"""Importing audit workbooks: every non-blank row is either stored or explained.

For each file: read it safely (:mod:`reader`), recognise its sheets (:mod:`layout`),
check every row (:mod:`checking`), settle rows that repeat a natural key inside the file,
then store the file's accepted rows in one transaction (:meth:`Store.store_file`).
A file that cannot be read stores nothing and is reported in one sentence; the other
files are still imported.

Counting follows one rule everywhere: rows = accepted + rejected and
accepted = new + updated + duplicates; blank rows are not rows.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Sequence

from pcp_widgets.audit.batch import Batch
from pcp_widgets.audit.checking import CheckedSheet, Problem, check_sheet, is_blank_row
from pcp_widgets.audit.layout import Layout, column_letter, find_layout
from pcp_widgets.audit.limits import Limits
from pcp_widgets.audit.reader import RawSheet, read_workbook
from pcp_widgets.audit.report import (
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


def import_files(paths: Sequence, store, *, limits: Limits | None = None, progress: Progress | None = None,
                 display_names: Sequence[str] | None = None) -> ImportReport:
    """Import each file in its own transaction and report on all of them.

    Three files are in hand at once: the next one is read in one background thread and
    the previous one stored in another while this one is checked. The spreadsheet reader
    and SQLite both work outside Python's global lock, so on two cores a month of
    workbooks takes little longer than reading them. Files are stored in order, one
    transaction each, so the result is exactly that of importing them one by one.
    """
    report = ImportReport()
    names = list(display_names) if display_names else [str(p) for p in paths]
    limits = limits or Limits()
    progress = progress or _silent
    reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pcp-read")
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pcp-store")
    stored: list[Future] = []
    try:
        reading = reader.submit(_read, Path(paths[0]), limits) if paths else None
        for index, name in enumerate(names):
            current = reading
            if index + 1 < len(paths):
                reading = reader.submit(_read, Path(paths[index + 1]), limits)
            store_job = _FileImport(name, current, report, progress).check()
            if store_job is not None:
                stored.append(writer.submit(store_job, store))
        for future in stored:
            future.result()  # a database failure is raised here, as one sentence
        progress(1, 1, f"Imported {len(paths)} file{'s' if len(paths) != 1 else ''}")
    finally:
        reader.shutdown(wait=True, cancel_futures=True)
        writer.shutdown(wait=True, cancel_futures=True)
    return report


def _read(path: Path, limits: Limits) -> tuple[str, list[RawSheet]]:
    """The file's SHA-256 and its sheets; UnreadableFile if it cannot be read safely.

    The reader's checks come first: they refuse what is not a regular file (a folder, a
    named pipe) before anything reads it to the end.
    """
    sheets = read_workbook(path, limits)
    return _sha256(path), sheets


def _silent(done: int, total: int, message: str) -> None:
    return None


class _FileImport:
    def __init__(self, name: str, reading: Future, report: ImportReport, progress: Progress):
        self.name, self.reading, self.report, self.progress = name, reading, report, progress
        self.file = FileReport(path=name)
        self.batches: dict[str, Batch] = {}
        # kind -> natural key -> (sheet, row, fingerprint) of the first row of this file with that key
        self.seen: dict[str, dict[str, tuple[str, int, str]]] = defaultdict(dict)
        self.name_like: dict[tuple[str, str, str], list[int]] = defaultdict(list)

    def check(self) -> Callable | None:
        """Check every row of the file; return the job that stores it, or None if it cannot be read."""
        self.report.files.append(self.file)
        self.progress(0, 1, f"Reading {self.name}")
        try:
            self.file.sha256, sheets = self.reading.result()
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
        self.progress(total, total, f"Storing {sum(map(len, self.batches.values()))} rows from {self.name}")
        return self.store

    def store(self, store) -> None:
        store.store_file(self.name, self.file.sha256, self.batches, self.file.sheets)

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
        """Accept each row, count it as a repeat of an earlier row, or reject it with its reasons."""
        sheet = checked.sheet
        counts = self.file.counts(sheet.kind)
        counts.rows += len(checked)
        for (header, value), rows in checked.name_like_refs.items():
            self.name_like[(sheet_name, header, value)] += rows
        keys, hashes = checked.keys_and_hashes()
        seen = self.seen[sheet.kind]
        accepted: list[int] = []
        for position, key in enumerate(keys):
            problems = checked.problems.get(position) if checked.problems else None
            if not problems:
                first = seen.get(key)
                if first is None:
                    seen[key] = (sheet_name, checked.rows[position], hashes[position])
                    accepted.append(position)
                    continue
                if hashes[position] == first[2]:
                    counts.accepted += 1
                    counts.duplicates += 1
                    continue
                problems = [Problem(None, None, _conflict(first, sheet_name, sheet))]
            self._reject(sheet_name, checked, position, problems)
        counts.accepted += len(accepted)
        self._add_to_batch(checked, accepted, keys, hashes)

    def _add_to_batch(self, checked: CheckedSheet, accepted: list[int], keys: list[str], hashes: list[str]) -> None:
        kind = checked.sheet.kind
        batch = self.batches.setdefault(kind, Batch(kind, values={key: [] for key in checked.sheet.keys}))
        batch.rows += [checked.rows[p] for p in accepted]
        batch.keys += [keys[p] for p in accepted]
        batch.hashes += [hashes[p] for p in accepted]
        for key, column in checked.values.items():
            batch.values[key] += [column[p] for p in accepted]

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
