"""Months as people type them (``YYYY-MM``) and as the code counts them, in one place.

The monthly report, the commissioner export and Working Together for Change all take months
on the command line or from a page; a month number (year x 12 + month - 1) makes ranges
and steps plain arithmetic.
"""

from __future__ import annotations

import datetime as dt
import re

from pcp_widgets.errors import UsageError

_MONTH_TEXT = re.compile(r"\s*(\d{4})-(\d{1,2})\s*")


def parse_month(text: str, option: str = "--from") -> int:
    """A ``YYYY-MM`` month as a month number (year x 12 + month - 1), or one plain sentence why not."""
    match = _MONTH_TEXT.fullmatch(str(text))
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise UsageError(f"{option} {text!r} is not a month: write it as YYYY-MM, for example 2025-04.")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def month_label(month: int) -> str:
    """A month number as ``YYYY-MM``."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def first_day(month: int) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 1)


def last_day(month: int) -> dt.date:
    return first_day(month + 1) - dt.timedelta(days=1)
