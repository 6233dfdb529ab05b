"""Caps that keep an import bounded in time and memory, whatever file it is given.

All are configurable: ``pcp import --max-file-mb/--max-rows``, the environment variables
``PCP_MAX_FILE_MB`` and ``PCP_MAX_ROWS``, or a ``Limits`` built in code. The reader checks
every one of them before the spreadsheet library is handed the file, so a hostile file
is refused after reading its directory and streaming through its parts once, never after
expanding it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from pcp_widgets.environment import env_number
from pcp_widgets.errors import UsageError

MB = 1_000_000


@dataclass(frozen=True)
class Limits:
    #: A month of national audit data is about 30 MB; a workbook of a million rows, about 100 MB.
    max_file_bytes: int = 100 * MB
    #: Excel itself stops at 1,048,576 rows.
    max_rows: int = 1_000_000
    #: Audit sheets have at most 20 columns; a sheet 200 wide is not one of ours.
    max_columns: int = 200
    #: Rows x columns of one sheet, counted from A1. The reader holds every cell of a sheet
    #: at once (about 40 bytes each, more for text), so this is what bounds its memory:
    #: a million rows of the widest audit sheet fit, a sheet that is both long and wide does not.
    max_cells: int = 30_000_000
    #: Everything inside an .xlsx/.ods once expanded. Spreadsheet XML compresses about ten
    #: times, so a real 100 MB workbook expands to about 1 GB.
    max_uncompressed_bytes: int = 1_500 * MB
    #: Real spreadsheet XML compresses 5 to 30 times; a zip bomb, thousands of times.
    max_compression_ratio: int = 200
    #: A workbook has a few dozen parts; tens of thousands only make the directory itself a burden.
    max_members: int = 10_000

    @classmethod
    def from_options(cls, max_file_mb: float | None = None, max_rows: int | None = None) -> "Limits":
        """Command-line options win over the environment, which wins over the defaults."""
        limits = cls()
        file_mb = max_file_mb if max_file_mb is not None else env_number("PCP_MAX_FILE_MB", float)
        rows = max_rows if max_rows is not None else env_number("PCP_MAX_ROWS", int)
        if file_mb is not None:
            if not math.isfinite(file_mb) or file_mb <= 0:
                raise UsageError("The largest file size must be a number of megabytes more than 0.")
            limits = replace(limits, max_file_bytes=max(int(file_mb * MB), 1))
        if rows is not None:
            if rows <= 0:
                raise UsageError("The largest number of rows must be more than 0.")
            limits = replace(limits, max_rows=rows)
        return limits


