"""Stored audit records as DataFrames that metrics, charts and filters can use quickly.

``Store.read_records(kind)`` gives what the database holds: dates as ``datetime.date``
objects and every text as a Python string. Comparing a hundred thousand strings for each
chart would make a page slow to re-filter, so :func:`prepare` converts a frame once, when
a page loads it: dates become ``datetime64``, answers and the declared choices become
categoricals (their categories are the schema's dropdowns, so a count of "Partly" is
zero rather than missing when nobody answered it), and services and refs become
categoricals too, so filtering to one service compares small integers.

Every metric calls :func:`prepare` itself; on a frame that is already prepared it only
checks the dtypes, so pages prepare once and re-filter the prepared frame many times.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from pcp_widgets.audit.schema.sheets import Sheet, sheet_for
from pcp_widgets.audit.schema.values import Answer, Date, Ref, Text
from pcp_widgets.errors import UsageError

#: Every answer column uses these categories, in this order, so their codes line up:
#: 0 Yes, 1 Partly, 2 No, 3 N/A (and -1 blank). Yes/no columns simply never hold Partly.
ANSWERS = ("Yes", "Partly", "No", "N/A")
ANSWER_DTYPE = pd.CategoricalDtype(list(ANSWERS))
YES, PARTLY, NO, NOT_APPLICABLE = range(4)

#: Short free-text columns worth counting by (a handful of repeated values, not notes).
COUNTED_TEXT = ("service", "trigger", "auditor", "observer")
#: The derived columns a metric may group by, besides the stored ones.
PERIODS = ("week", "month")
HOUR = "hour"
#: What a blank routine or trigger is called when events are counted by it.
NOT_RECORDED = "not recorded"


def prepare(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with fast dtypes (see the module docstring); cheap when already prepared."""
    sheet = sheet_for(kind)
    changed = {}
    for field in sheet.fields:
        if field.key in frame.columns:
            column = frame[field.key]
            converted = _convert(field, column)
            if converted is not column:
                changed[field.key] = converted
    time_key = _time_field(sheet)
    if time_key in frame.columns and HOUR not in frame.columns:
        changed[HOUR] = _hours(frame[time_key])
    return frame.assign(**changed) if changed else frame  # never changes the frame it was given


def _convert(field, column: pd.Series) -> pd.Series:
    if isinstance(field.type, Date):
        return column if pd.api.types.is_datetime64_dtype(column.dtype) else pd.to_datetime(column)
    if field.type.storage == "int":  # a column of blanks comes back from the store as objects
        return column if pd.api.types.is_numeric_dtype(column.dtype) else pd.to_numeric(column).astype("float64")
    if isinstance(field.type, Answer):
        return _categorical(column, ANSWER_DTYPE)
    if field.type.dropdown:
        return _categorical(column, pd.CategoricalDtype(list(field.type.dropdown)))
    if isinstance(field.type, Ref) or (isinstance(field.type, Text) and field.key in COUNTED_TEXT):
        return column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
    return column


def _categorical(column: pd.Series, dtype: pd.CategoricalDtype) -> pd.Series:
    """Categorical with fixed categories, factorizing once rather than comparing every string."""
    if isinstance(column.dtype, pd.CategoricalDtype) and column.dtype == dtype:
        return column
    codes, uniques = pd.factorize(np.asarray(column, dtype=object))
    lookup = np.append(pd.Categorical(uniques, dtype=dtype).codes, -1)
    return pd.Series(pd.Categorical.from_codes(lookup[codes], dtype=dtype), index=column.index, name=column.name)


def _time_field(sheet: Sheet) -> str | None:
    return next((f.key for f in sheet.fields if f.type.storage == "time"), None)


def _hours(times: pd.Series) -> pd.Series:
    """The hour of each time of day, 0-23 (missing where no time was recorded)."""
    hours = [t.hour if isinstance(t, dt.time) else -1 for t in times]
    return pd.Series(pd.Categorical.from_codes(hours, categories=range(24)), index=times.index, name=HOUR)


# -- periods --------------------------------------------------------------------------


def period_starts(dates: pd.Series, period: str) -> np.ndarray:
    """The first day of each date's week (Monday) or month, as datetime64[ns]."""
    days = dates.to_numpy(dtype="datetime64[D]")
    if period == "month":
        starts = days.astype("datetime64[M]").astype("datetime64[D]")
    elif period == "week":
        monday_offset = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        starts = days - monday_offset.astype("timedelta64[D]")
    else:
        raise UsageError(f"A period is a week or a month, not {period!r}.")
    return starts.astype("datetime64[ns]")


def period_range(start, end, period: str) -> pd.DatetimeIndex:
    """Every week (from its Monday) or month (from its 1st) that overlaps ``start``..``end``."""
    first = period_starts(pd.Series(pd.to_datetime([start])), period)[0]
    freq = "W-MON" if period == "week" else "MS"
    return pd.date_range(first, pd.Timestamp(end), freq=freq)


def period_end(starts: pd.DatetimeIndex | pd.Series, period: str):
    """The last day of each period starting at ``starts``."""
    step = pd.DateOffset(weeks=1) if period == "week" else pd.DateOffset(months=1)
    return starts + step - pd.Timedelta(days=1)


def with_groups(frame: pd.DataFrame, kind: str, by: Sequence[str]) -> pd.DataFrame:
    """The frame with the derived columns ``by`` asks for (``week``, ``month``) added."""
    date_key = sheet_for(kind).date_field
    extra = {p: period_starts(frame[date_key], p) for p in PERIODS if p in by and p not in frame.columns}
    return frame.assign(**extra) if extra else frame


# -- filters --------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a page is showing: one or more services, a date range (inclusive) and a person.

    Any part left as ``None`` does not filter. ``apply`` works on every kind, because
    each kind declares its date field; a kind without a person (none, today) would simply
    ignore ``person_ref``.
    """

    service: str | tuple[str, ...] | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    person_ref: str | None = None

    def apply(self, frame: pd.DataFrame, kind: str) -> pd.DataFrame:
        return apply_filters(frame, kind, self)

    def span(self, frame: pd.DataFrame, kind: str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """The dates a chart should cover: the filter's range, filled in from ``frame`` where open.

        Pass the unfiltered frame, so a chart of one quiet person or service still spans the
        whole period the records cover, with its quiet weeks shown as zeros.
        """
        dates = frame[sheet_for(kind).date_field]
        start = pd.Timestamp(self.start) if self.start else dates.min()
        end = pd.Timestamp(self.end) if self.end else dates.max()
        return None if pd.isna(start) or pd.isna(end) else (start, end)


def apply_filters(frame: pd.DataFrame, kind: str, filters: Filters) -> pd.DataFrame:
    """The rows of ``frame`` (a prepared frame of ``kind``) that ``filters`` keeps."""
    if filters.start and filters.end and filters.start > filters.end:
        raise UsageError(f"The start date {filters.start:%d/%m/%Y} is after the end date {filters.end:%d/%m/%Y}.")
    frame = prepare(kind, frame)
    keep = np.ones(len(frame), dtype=bool)
    if filters.service is not None:
        keep &= _matches(frame["service"], filters.service)
    if filters.person_ref is not None and "person_ref" in frame.columns:
        keep &= _matches_ignoring_case(frame["person_ref"], filters.person_ref)
    dates = frame[sheet_for(kind).date_field]
    if filters.start is not None:
        keep &= (dates >= pd.Timestamp(filters.start)).to_numpy()
    if filters.end is not None:
        keep &= (dates <= pd.Timestamp(filters.end)).to_numpy()
    return frame if keep.all() else frame[keep]


def _matches(column: pd.Series, wanted: str | Iterable[str]) -> np.ndarray:
    """Where a categorical column equals ``wanted`` (or is one of them), by comparing codes."""
    wanted = [wanted] if isinstance(wanted, str) else list(wanted)
    categories = column.cat.categories
    codes = categories.get_indexer(wanted)
    return np.isin(column.cat.codes.to_numpy(), codes[codes >= 0])


def _matches_ignoring_case(column: pd.Series, wanted: str) -> np.ndarray:
    """Where a categorical column of refs is ``wanted`` whatever its case: people type "p-0007" for
    P-0007 (the categories, a few thousand refs, are compared, not every row)."""
    categories = column.cat.categories.astype(str)
    codes = np.flatnonzero(categories.str.casefold() == wanted.strip().casefold())
    return np.isin(column.cat.codes.to_numpy(), codes)


# -- the filters in words --------------------------------------------------------------


def _day_in_words(day: dt.date) -> str:
    """'1 July 2026' (as :func:`pcp_widgets.ui.dates.in_words`, without loading the widgets)."""
    return f"{day.day} {day:%B %Y}"


def dates_in_words(start: dt.date | None, end: dt.date | None) -> str:
    """The chosen dates as a reader says them: '1 July 2026 to 30 September 2026', 'from 1 July 2026', 'all dates'."""
    if start and end:
        return f"{_day_in_words(start)} to {_day_in_words(end)}"
    if start:
        return f"from {_day_in_words(start)}"
    if end:
        return f"up to {_day_in_words(end)}"
    return "all dates"


def filters_in_words(filters: Filters) -> str:
    """What a chart or table shows, for its title, its file name and the top of its spreadsheet:
    'Service: Oak House; 1 July 2026 to 30 September 2026; person P-0007'."""
    service = filters.service
    if service is None:
        parts = ["All services"]
    else:
        parts = ["Service: " + (service if isinstance(service, str) else ", ".join(service))]
    parts.append(dates_in_words(filters.start, filters.end))
    if filters.person_ref:
        parts.append(f"person {filters.person_ref.strip()}")
    return "; ".join(parts)


def person_ref_as_stored(records: dict[str, pd.DataFrame], typed: str) -> str | None:
    """The ref as the records spell it (P-0007 for "p-0007"), or None when no record has it."""
    wanted = typed.strip().casefold()
    for frame in records.values():
        if "person_ref" not in frame.columns:
            continue
        column = frame["person_ref"]
        refs = (column.cat.categories if isinstance(column.dtype, pd.CategoricalDtype)
                else pd.Index(column.dropna().unique())).astype(str)
        found = refs[refs.str.casefold() == wanted]
        if len(found):
            return str(found[0])
    return None


def why_no_person_records(records: dict[str, pd.DataFrame], shown: dict[str, pd.DataFrame],
                          filters: Filters) -> str | None:
    """Why a chosen person has nothing to show, in one sentence; None when they have records shown.

    ``records`` are every kind's records before filtering and ``shown`` after. A person's
    records can be missing because nobody has that ref, because they are in another service
    ("P-0007 has no records in this service"), or because of the dates: each is said plainly,
    rather than leaving a reader with an empty chart that says "too few points".
    """
    if not filters.person_ref:
        return None
    with_people = [kind for kind, frame in records.items() if "person_ref" in frame.columns]
    if any(len(shown[kind]) for kind in with_people):
        return None
    typed = filters.person_ref.strip()
    ref = person_ref_as_stored({kind: records[kind] for kind in with_people}, typed)
    if ref is None:
        return f"No records have the person ref {typed}: check it against the person's file."
    if filters.service is not None:
        theirs = sorted({str(service) for kind in with_people for service in
                         apply_filters(records[kind], kind, Filters(person_ref=ref))["service"].dropna().unique()})
        wanted = {filters.service} if isinstance(filters.service, str) else set(filters.service)
        if not wanted & set(theirs):
            where = f"; their records are in {', '.join(theirs)}" if theirs else ""
            return f"{ref} has no records in this service{where}."
    return f"{ref} has no records in the chosen dates ({dates_in_words(filters.start, filters.end)})."


__all__ = ["ANSWERS", "ANSWER_DTYPE", "YES", "PARTLY", "NO", "NOT_APPLICABLE", "NOT_RECORDED", "HOUR",
           "Filters", "apply_filters", "filters_in_words", "dates_in_words", "why_no_person_records",
           "person_ref_as_stored", "prepare", "period_starts", "period_range", "period_end", "with_groups"]
