"""Fixed periods and the log of commissioner exports, so two exports cannot be subtracted.

Commissioner exports cover a calendar quarter or a calendar year (a single month only
when asked for explicitly). Every export written is logged with its period, threshold,
who made it and when, and sha256 fingerprints of the file and of its figures. A new
export whose period overlaps a logged one is refused, naming it: the two together could
give hidden figures back by subtraction. The one exception is the same period at the same
threshold giving exactly the same figures (the same workbook written again, or as CSV).
"""

from __future__ import annotations

import getpass
import hashlib
import json
from pathlib import Path

from pcp_widgets.audit.schema.months import month_label
from pcp_widgets.errors import NotFound, PcpError, UsageError


class OverlapError(PcpError):
    """An export that, together with an earlier logged one, could give hidden figures back."""


def aligned_period(first: int | None, last: int | None, latest: int | None, single_month: bool = False) -> tuple[int, int]:
    """The export's period as month numbers: a calendar quarter or year (or a month when allowed).

    With neither end given, the calendar year of the latest record (``latest``).
    """
    if first is None and last is None:
        if latest is None:
            raise NotFound("There are no audit records to export; import some first.")
        start = latest - latest % 12
        return start, start + 11
    if first is None or last is None:
        raise UsageError("Give both --from and --to: a calendar quarter (for example 2026-01 to 2026-03) "
                         "or a calendar year (2026-01 to 2026-12).")
    length = last - first + 1
    if length == 12 and first % 12 == 0:
        return first, last
    if length == 3 and first % 3 == 0:
        return first, last
    if length == 1 and single_month:
        return first, last
    if length == 1:
        raise UsageError(f"{month_label(first)} is a single month: commissioner exports are for a calendar quarter "
                         "or year; add --single-month if you mean to export one month.")
    raise UsageError(f"{month_label(first)} to {month_label(last)} is not a calendar quarter or year: commissioner "
                     "exports cover fixed periods (January to March, April to June, July to September, October to "
                     "December, or a whole year) so that two of them cannot be subtracted.")


def figures_sha256(aggregates) -> str:
    """A fingerprint of every published figure, the same for the workbook and the CSV files."""
    digest = hashlib.sha256()
    for aggregate in aggregates:
        digest.update(json.dumps([aggregate.name, [[str(v) for v in row] for row in aggregate.rows]]).encode())
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """sha256 of the file, or of a CSV folder's files (names and bytes, in name order)."""
    path = Path(path)
    digest = hashlib.sha256()
    for part in sorted(path.iterdir()) if path.is_dir() else [path]:
        if path.is_dir():
            digest.update(part.name.encode() + b"\0")
        digest.update(part.read_bytes())
    return digest.hexdigest()


def check_overlap(store, first: int, last: int, min_count: int, figures: str | None = None) -> None:
    """Refuse, naming the earlier export, any overlap that is not the same figures written again."""
    start, end = month_label(first), month_label(last)
    for earlier in store.commissioner_exports():
        if earlier.last < start or earlier.first > end:
            continue
        same = earlier.first == start and earlier.last == end and earlier.min_count == min_count
        if same and (figures is None or figures == earlier.figures_sha256):
            continue
        why = ("gave different figures for the same period" if same else
               "overlaps this period, and the two together could give hidden figures back by subtraction")
        raise OverlapError(f"Nothing was written: {earlier.describe()} {why}; export a period that does not "
                           "overlap it.")


def log_export(store, first: int, last: int, min_count: int, fmt: str, path: Path, figures: str,
               made_by: str | None = None) -> None:
    store.log_commissioner_export(first=month_label(first), last=month_label(last), min_count=min_count,
                                  file_format=fmt, file_name=Path(path).name, made_by=made_by or _os_user(),
                                  sha256=file_sha256(path), figures_sha256=figures)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container): say so rather than guess
        return "unknown user"

