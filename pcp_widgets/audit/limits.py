"""Caps that keep an import bounded in time and memory, whatever file it is given.

All are configurable: ``pcp import --max-file-mb/--max-rows``, the environment variables
``PCP_MAX_FILE_MB`` and ``PCP_MAX_ROWS``, or a ``Limits`` built in code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from pcp_widgets.errors import UsageError

MB = 1_000_000


@dataclass(frozen=True)
class Limits:
    #: A month of national audit data is about 30 MB; ten times that still refuses a runaway file.
    max_file_bytes: int = 100 * MB
    max_rows: int = 1_000_000
    #: Audit sheets have at most 20 columns; a sheet 200 wide is not one of ours.
    max_columns: int = 200
    #: Uncompressed size of everything inside an .xlsx/.ods: bounds what the reader can be made to hold.
    max_uncompressed_bytes: int = 1_500 * MB
    #: Real spreadsheet XML compresses 5 to 30 times; a zip bomb, thousands of times.
    max_compression_ratio: int = 200
    max_members: int = 10_000

    @classmethod
    def from_options(cls, max_file_mb: float | None = None, max_rows: int | None = None) -> "Limits":
        """Command-line options win over the environment, which wins over the defaults."""
        limits = cls()
        file_mb = max_file_mb if max_file_mb is not None else _env_number("PCP_MAX_FILE_MB", float)
        rows = max_rows if max_rows is not None else _env_number("PCP_MAX_ROWS", int)
        if file_mb is not None:
            if file_mb <= 0:
                raise UsageError("The largest file size must be more than 0 MB.")
            limits = replace(limits, max_file_bytes=int(file_mb * MB))
        if rows is not None:
            if rows <= 0:
                raise UsageError("The largest number of rows must be more than 0.")
            limits = replace(limits, max_rows=rows)
        return limits


def _env_number(name: str, kind):
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise UsageError(f"The environment variable {name} must be a number, not {text!r}.") from None
