"""One file's accepted rows of one kind, as the importer hands them to the store.

Kept apart from the store so that the processes which read and check files import
nothing of the database layer (SQLAlchemy, pandas): only the main process stores. The store
does not import it either: it takes any object shaped like this
(:class:`pcp_widgets.store.records.RecordBatch`), so it depends on nothing above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Batch:
    """One kind's accepted rows from one file, column by column (as the importer checks them)."""

    kind: str
    rows: list[int] = field(default_factory=list)  # spreadsheet row numbers
    values: dict[str, list] = field(default_factory=dict)  # field key -> normalised values
    keys: list[str] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def values_row(self, position: int) -> dict:
        return {key: column[position] for key, column in self.values.items()}
