"""What an import did, row by row, in the forms people and programs need.

``to_json()`` is the command-line contract (README.md, "The command line"; with ``updated`` added to each
sheet's counts); ``summary()`` is the same for a person; :func:`pcp_widgets.audit.outputs.rejected_rows.write_rejected_rows`
gives the rejected rows back, with a "Why rejected" column, ready to fix and import again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from pcp_widgets.audit.schema.sheets import KINDS, sheet_for

if TYPE_CHECKING:  # pandas is imported where it is used: importing files never needs it
    import pandas as pd

COUNT_NAMES = ("rows", "accepted", "rejected", "duplicates", "new", "updated")
#: How many rejected rows the terminal summary lists before pointing at --errors / --json.
SUMMARY_ERROR_LINES = 40


@dataclass
class SheetCounts:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    new: int = 0
    updated: int = 0


@dataclass(frozen=True)
class RowError:
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    reason: str


@dataclass(frozen=True)
class ImportWarning:
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str


@dataclass
class RejectedRow:
    """A rejected row as it was in the file, for the rejected-rows workbook."""

    kind: str
    file: str
    sheet: str
    row: int
    raw: dict[str, object]
    reasons: list[str]


@dataclass
class FileReport:
    path: str
    sha256: str | None = None
    sheets: dict[str, SheetCounts] = field(default_factory=dict)
    error: str | None = None

    def counts(self, kind: str) -> SheetCounts:
        return self.sheets.setdefault(kind, SheetCounts())


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    rejected_rows: list[RejectedRow] = field(default_factory=list)

    def extend(self, other: ImportReport) -> None:
        """Add another import's files, errors and warnings after these (one report from many parts)."""
        self.files += other.files
        self.errors += other.errors
        self.warnings += other.warnings
        self.rejected_rows += other.rejected_rows

    @property
    def exit_code(self) -> int:
        """0 every row accepted; 1 some rows rejected; 2 a file could not be read."""
        if any(f.error for f in self.files):
            return 2
        return 1 if any(c.rejected for f in self.files for c in f.sheets.values()) else 0

    def to_json(self) -> dict:
        return {
            "files": [_file_json(f) for f in self.files],
            "errors": [asdict(e) for e in self.errors],
            "warnings": [asdict(w) for w in self.warnings],
        }

    def counts_table(self) -> pd.DataFrame:
        """One row per file and sheet kind, for the import page."""
        import pandas as pd

        rows = [
            {"file": f.path, "sheet": sheet_for(kind).name, **asdict(counts)}
            for f in self.files
            for kind, counts in _in_schema_order(f.sheets)
        ]
        return pd.DataFrame(rows, columns=["file", "sheet", *COUNT_NAMES])

    def errors_table(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([asdict(e) for e in self.errors], columns=list(RowError.__dataclass_fields__))

    def warnings_table(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([asdict(w) for w in self.warnings], columns=list(ImportWarning.__dataclass_fields__))

    def summary(self, errors_path: str | None = None) -> str:
        lines = []
        for f in self.files:
            if f.error:
                lines.append(f"{f.path}: not imported. {f.error}")
                continue
            if not f.sheets:
                lines.append(f"{f.path}: no audit sheets found; nothing imported.")
            for kind, c in _in_schema_order(f.sheets):
                lines.append(
                    f"{f.path}: {sheet_for(kind).name}: {c.rows} rows, {c.accepted} accepted "
                    f"({c.new} new, {c.updated} updated, {c.duplicates} duplicates), {c.rejected} rejected"
                )
        row_errors = [e for e in self.errors if e.row is not None]
        if row_errors:
            lines.append("")
            lines.append(f"Rejected rows ({len(row_errors)} problems):")
            lines += [f"  {_error_line(e)}" for e in row_errors[:SUMMARY_ERROR_LINES]]
            if len(row_errors) > SUMMARY_ERROR_LINES:
                lines.append(f"  ... and {len(row_errors) - SUMMARY_ERROR_LINES} more "
                             "(use --errors OUT.xlsx or --json to see them all)")
        if self.warnings:
            lines.append("")
            lines.append("Warnings:")
            lines += [f"  {_warning_line(w)}" for w in self.warnings]
        if errors_path and self.rejected_rows:
            lines.append("")
            lines.append(f"The rejected rows are in {errors_path}: fix them there and import that file.")
        return "\n".join(lines)

    def rejected_by_kind(self) -> dict[str, list[RejectedRow]]:
        """The rejected rows, sheet kind by sheet kind in the schema's order (kinds with none left out)."""
        by_kind: dict[str, list[RejectedRow]] = defaultdict(list)
        for rejected in self.rejected_rows:
            by_kind[rejected.kind].append(rejected)
        return {kind: by_kind[kind] for kind in KINDS if kind in by_kind}


def _in_schema_order(sheets: dict[str, SheetCounts]):
    return [(kind, sheets[kind]) for kind in KINDS if kind in sheets]


def _file_json(f: FileReport) -> dict:
    data = {"path": f.path, "sha256": f.sha256, "sheets": {k: asdict(c) for k, c in _in_schema_order(f.sheets)}}
    if f.error:
        data["error"] = f.error
    return data


def why_rejected(rejected: RejectedRow) -> str:
    """Where a rejected row was and every reason it was refused, as its "Why rejected" cell says."""
    return f"{rejected.file}, sheet '{rejected.sheet}', row {rejected.row}: " + "; ".join(rejected.reasons)


def _place(file: str, sheet: str | None, row: int | None, column: str | None) -> str:
    parts = [file]
    if sheet:
        parts.append(f"sheet '{sheet}'")
    if row:
        parts.append(f"row {row}")
    if column:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


def _error_line(e: RowError) -> str:
    value = f" value '{e.value}'" if e.value else ""
    return f"{_place(e.file, e.sheet, e.row, e.column)}:{value} {e.reason}"


def _warning_line(w: ImportWarning) -> str:
    value = f" '{w.value}'" if w.value else ""
    return f"{_place(w.file, w.sheet, w.row, w.column)}:{value} {w.message}"
