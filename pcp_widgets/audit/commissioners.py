"""``pcp export commissioners``: aggregated, non-identifying evidence for commissioners (DOMAIN.md section 5).

What leaves the provider is decided here, in three steps that each make a leak harder:

1. **Only whitelisted columns are read** (:data:`COLUMNS`): each record's month, its
   service, and answers, choices and numbers. Refs, auditors, observers, triggers,
   notes, outcomes in the person's words and review statements are never even
   selected from the database, so no later step can write them by mistake.
2. **Only aggregates are built**: counts, shares, means and medians by service and
   month, with the whole provider and all months as totals.
3. **Small numbers are suppressed** (:mod:`pcp_widgets.audit.suppression`), with
   secondary suppression so that no hidden count can be worked back from a total.

The tables are returned as :class:`Aggregate` objects (display values and a mask of
hidden cells); :mod:`pcp_widgets.audit.commissioner_files` writes them to one xlsx
workbook or a folder of CSV files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa

from pcp_widgets.audit.frames import ANSWERS, NO, NOT_RECORDED, PARTLY, YES
from pcp_widgets.audit.metrics import CHECKS, QUESTIONS
from pcp_widgets.audit.months import first_day, month_label, parse_month
from pcp_widgets.audit.settings import RagBands, rag_bands
from pcp_widgets.audit.schema import EVENT, OUTCOME, ROUTINES, sheet_for
from pcp_widgets.audit.values import Answer
from pcp_widgets.audit.suppression import (
    MIN_COUNT,
    SECONDARY,
    Suppressed,
    suppress_counts,
    suppress_derived,
    with_totals,
)
from pcp_widgets.errors import NotFound, UsageError
from pcp_widgets.store.tables import RECORD_TABLES

PROVIDER = "Whole provider"
ALL_MONTHS = "All months"
EVENT_TYPES = EVENT.field("event_type").type.options
STATUSES = OUTCOME.field("status").type.options
#: The event types charted on the Trends sheet and broken down by routine.
INCIDENTS_AND_REFUSALS = ("incident", "refusal")
#: Working Together for Change statement kinds, as the Themes sheet names them.
THEME_KINDS = {"working": "Working", "not_working": "Not working", "future": "Future"}

#: The only stored columns this export reads, besides each kind's date (read as its month).
#: A service is the provider's own unit; everything else is an answer, a choice or a number.
#: Never a ref, a name, an auditor or observer, or free text: tests hold this list to that.
COLUMNS: dict[str, tuple[str, ...]] = {
    "file_audit": ("service", *QUESTIONS),
    "observation": ("service", "routine", *CHECKS),
    "event": ("service", "event_type", "routine", "recovery_minutes"),
    "outcome": ("service", "status"),
}


# -- options ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """The export's choices, checked once: a month range (either end open) and the threshold."""

    first: int | None = None
    last: int | None = None
    min_count: int = MIN_COUNT

    @classmethod
    def parse(cls, first: str | None = None, last: str | None = None, min_count: int = MIN_COUNT) -> "Options":
        start = parse_month(first, "--from") if first else None
        end = parse_month(last, "--to") if last else None
        if start is not None and end is not None and start > end:
            raise UsageError(f"--from {first} is after --to {last}: give the earlier month first.")
        if min_count < 2:
            raise UsageError(f"--min-count {min_count} would hide nothing: give 2 or more (usually 5).")
        return cls(start, end, int(min_count))


# -- themes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    """A Working Together for Change theme as the export needs it: no statements, only counts."""

    name: str
    i_statement: str
    kind: str
    counts: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def coerce(cls, theme) -> "Theme":
        """A Theme from itself or from a mapping with ``name``, ``i_statement``, ``kind`` and ``counts``."""
        if isinstance(theme, Theme):
            return theme
        return cls(str(theme["name"]), str(theme.get("i_statement") or ""), str(theme.get("kind") or ""),
                   {str(service): int(count) for service, count in (theme.get("counts") or {}).items()})


# -- the published tables --------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    #: ``label`` (service, month, type), ``text``, ``count``, ``percent`` or ``minutes``.
    kind: str


@dataclass
class Aggregate:
    """One published table: its display values (numbers, labels, "<5", "[c]") and which cells are hidden."""

    name: str
    stem: str
    about: str
    columns: tuple[Column, ...]
    rows: list[tuple]
    hidden: np.ndarray
    note: str | None = None

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


@dataclass
class Trend:
    """The whole provider month by month, for the charts: hidden figures are ``None`` (a gap)."""

    months: list[str]
    series: dict[str, tuple[Column, list]]


@dataclass
class CommissionerData:
    """Everything the workbook shows, ready to write."""

    period: str
    services: list[str]
    min_count: int
    aggregates: list[Aggregate]
    trend: Trend
    bands: RagBands = RagBands()


# -- reading ---------------------------------------------------------------------------


def _month_of(column):
    """The month number of a date column, computed by the database (SQLite and PostgreSQL alike)."""
    def part(name):
        return sa.cast(sa.extract(name, column), sa.Integer)
    return (part("year") * 12 + part("month") - 1).label("month")


def choices_of(kind: str, key: str) -> tuple[str, ...] | None:
    """The declared values of an answer or choice column (answers always in :data:`ANSWERS` order)."""
    value_type = sheet_for(kind).field(key).type
    return ANSWERS if isinstance(value_type, Answer) else value_type.dropdown


def _selected(kind: str, table: sa.Table, key: str):
    """A column as the export reads it: an answer or choice as its position among the declared
    values (-1 when blank), so the database sends a small whole number rather than a string per cell."""
    choices = choices_of(kind, key)
    if choices is None:
        return table.c[key]
    return sa.case({choice: code for code, choice in enumerate(choices)}, value=table.c[key], else_=-1).label(key)


def read_columns(store, kind: str, first: int | None, last: int | None) -> dict[str, np.ndarray]:
    """The whitelisted columns of one kind in the period, as arrays, plus ``month`` (month numbers).

    One plain query on the store's tables, filtered by date in the database: no ref or
    free text is selected, so none reaches Python. Answers and choices arrive as codes
    (see :func:`_selected`), whole numbers as floats (NaN when blank), services as text.
    """
    table = RECORD_TABLES[kind]
    date = table.c[sheet_for(kind).date_field]
    query = sa.select(_month_of(date), *(_selected(kind, table, key) for key in COLUMNS[kind]))
    if first is not None:
        query = query.where(date >= first_day(first))
    if last is not None:
        query = query.where(date < first_day(last + 1))
    names = ("month", *COLUMNS[kind])
    with store.engine.connect() as connection:
        # the DBAPI cursor's plain tuples: making a SQLAlchemy Row of each costs more than the query
        rows = connection.execute(query).cursor.fetchall()
    table = np.array(rows, dtype=object).reshape(len(rows), len(names))
    return {name: table[:, number].astype(_dtype(kind, name)) for number, name in enumerate(names)}


def _dtype(kind: str, name: str):
    if name == "month" or choices_of(kind, name) is not None:
        return np.int64
    return object if name == "service" else float


# -- grouping --------------------------------------------------------------------------


@dataclass
class Grid:
    """Services x months, with the whole provider and all months as the last index of each.

    Every service and month in the period is a row of every table, with 0 where nothing
    was recorded, so the totals add up and a service with only small counts still shows.
    """

    services: list[str]
    first: int
    last: int

    @property
    def months(self) -> int:
        return self.last - self.first + 1

    def coded(self, records: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """``records`` with each service name replaced by its position in :attr:`services`, once."""
        return {**records, "service": pd.Index(self.services).get_indexer(records["service"])}

    def codes(self, records: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        return records["service"], records["month"] - self.first

    def count(self, records, *extra: tuple[np.ndarray, int], weights=None, total_axes=None) -> np.ndarray:
        """Records per service, month and each ``extra`` (codes, size), with totals appended.

        ``extra`` codes broadcast against one value per record (a column of codes per
        record for a per-question count); a code of -1 is left out. ``weights`` counts
        a record (or record and question) that many times instead of once.
        """
        services, months = self.codes(records)
        index, valid = services * self.months + months, services >= 0
        shape = [len(self.services), self.months]
        for codes, size in extra:
            index = index.reshape(index.shape + (1,) * (np.ndim(codes) - index.ndim)) * size + codes
            valid = valid.reshape(valid.shape + (1,) * (np.ndim(codes) - valid.ndim)) & (codes >= 0)
            shape.append(size)
        index, valid = np.broadcast_arrays(index, valid)
        if weights is not None:
            weights = np.broadcast_to(weights, index.shape)[valid]
        counts = np.bincount(index[valid], weights=weights, minlength=int(np.prod(shape))).reshape(shape)
        return with_totals(counts, range(len(shape)) if total_axes is None else total_axes)

    def median(self, records, values: np.ndarray) -> np.ndarray:
        """Medians of ``values`` per service and month, per service, per month and overall (NaN: none)."""
        services, months = self.codes(records)
        frame = pd.DataFrame({"s": services, "m": months, "v": values})
        out = np.full((len(self.services) + 1, self.months + 1), np.nan)
        for by, s, m in ((["s", "m"], "s", "m"), (["s"], "s", None), (["m"], None, "m"), ([], None, None)):
            if not by:
                out[-1, -1] = frame["v"].median() if len(frame) else np.nan
                continue
            medians = frame.groupby(by)["v"].median().reset_index()
            rows = medians[s].to_numpy() if s else np.full(len(medians), -1)
            cols = medians[m].to_numpy() if m else np.full(len(medians), -1)
            out[rows, cols] = medians["v"].to_numpy()
        return out

    # -- laying a table out: provider first, then each service; months in order, then all months

    def order(self, array: np.ndarray) -> np.ndarray:
        services = [len(self.services), *range(len(self.services))]
        return np.asarray(array)[services].reshape(-1)

    def labels(self, inner: Sequence[str] = ()) -> list[np.ndarray]:
        """The label columns (service, month and, with ``inner``, one more) in the order of :meth:`order`."""
        services = np.array([PROVIDER, *self.services], dtype=object)
        months = np.array([*(month_label(m) for m in range(self.first, self.last + 1)), ALL_MONTHS], dtype=object)
        repeat = max(len(inner), 1)
        columns = [np.repeat(services, len(months) * repeat), np.tile(np.repeat(months, repeat), len(services))]
        if inner:
            columns.append(np.tile(np.array(list(inner), dtype=object), len(services) * len(months)))
        return columns


def _table(grid: Grid, name: str, stem: str, about: str, labels: Sequence[str],
           measures: Sequence[tuple[Column, np.ndarray, np.ndarray]], inner: Sequence[str] = ()) -> Aggregate:
    """An :class:`Aggregate` from (column, display values, hidden) per measure, each shaped by the grid."""
    columns = [*(Column(label, "label") for label in labels), *(column for column, _, _ in measures)]
    values = [*grid.labels(inner), *(grid.order(display) for _, display, _ in measures)]
    label_hidden = [np.zeros(len(values[0]), dtype=bool)] * len(labels)
    hidden = np.column_stack([*label_hidden, *(grid.order(mask) for _, _, mask in measures)])
    return Aggregate(name, stem, about, tuple(columns), list(zip(*values)), hidden)


def _counts(column: Column, suppressed, index=...) -> tuple[Column, np.ndarray, np.ndarray]:
    return column, suppressed.shown[index], suppressed.mask[index]


def _derived(column: Column, values, denominators, min_count: int, decimals: int | None = 1):
    display, hidden = suppress_derived(values, denominators, min_count, decimals)
    return column, display, hidden


def _ratio(numerators, denominators, scale: float = 100.0) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominators > 0, numerators / np.where(denominators > 0, denominators, 1) * scale, np.nan)


def _answer_codes(records, keys: Iterable[str]) -> np.ndarray:
    """(records, keys) answer codes: 0 Yes, 1 Partly, 2 No, 3 N/A, -1 blank."""
    keys = list(keys)
    return np.column_stack([records[key] for key in keys]).reshape(len(records["month"]), len(keys))


# -- the aggregates --------------------------------------------------------------------


def file_scores(codes: np.ndarray) -> np.ndarray:
    """Each file's score (DOMAIN.md section 4): (2 x Yes + Partly) / (2 x answered other than N/A) x 100.

    NaN for a file with every question N/A or blank: it has no score, rather than 0.
    """
    yes, partly, no = ((codes == code).sum(axis=1) for code in (YES, PARTLY, NO))
    return _ratio(2 * yes + partly, 2 * (yes + partly + no))


def rag(means: np.ndarray, hidden: np.ndarray, bands: RagBands) -> np.ndarray:
    """The band of each mean score, capitalised: hidden where the mean is, blank where there is none."""
    bands = bands.band(np.ravel(means)).astype(object).to_numpy().reshape(np.shape(means))
    out = np.where(pd.isna(bands), None, np.char.capitalize(bands.astype(str))).astype(object)
    out[hidden] = SECONDARY
    return out


def _file_audit_tables(grid: Grid, records, min_count: int, bands: RagBands) -> tuple[list[Aggregate], tuple]:
    codes = _answer_codes(records, QUESTIONS)
    scores = file_scores(codes)
    files = suppress_counts(grid.count(records), min_count)
    scored = grid.count(records, weights=~np.isnan(scores))
    means = _ratio(grid.count(records, weights=np.nan_to_num(scores)), scored, scale=1.0)
    mean = _derived(Column("Mean file score (%)", "percent"), means, scored, min_count)
    band = (Column("RAG", "text"), rag(means, mean[2], bands), mean[2])
    files_column = _counts(Column("Files audited", "count"), files)
    summary = _table(grid, "File audits", "file_audits",
                     "Plans (files) audited, their mean file score and its red / amber / green band.",
                     ("Service", "Month"), [files_column, mean, band])
    questions = np.arange(len(QUESTIONS))[None, :]
    answered = grid.count(records, (questions, len(QUESTIONS)), weights=(codes >= YES) & (codes <= NO),
                          total_axes=(0, 1))
    yes = grid.count(records, (questions, len(QUESTIONS)), weights=codes == YES, total_axes=(0, 1))
    shares = [_derived(Column(f"Q{n}: {text} (% Yes)", "percent"), _ratio(yes[..., n - 1], answered[..., n - 1]),
                       answered[..., n - 1], min_count) for n, text in enumerate(QUESTIONS.values(), start=1)]
    by_question = _table(grid, "Questions", "questions",
                         "The share of Yes answers to each file audit question, of the files where it applied "
                         "(N/A left out).", ("Service", "Month"), [files_column, *shares])
    return [summary, by_question], mean


def _observation_table(grid: Grid, records, min_count: int) -> tuple[Aggregate, tuple]:
    codes = _answer_codes(records, CHECKS)
    observed = suppress_counts(grid.count(records), min_count)
    checks = np.arange(len(CHECKS))[None, :]
    answered = grid.count(records, (checks, len(CHECKS)), weights=(codes >= YES) & (codes <= NO), total_axes=(0, 1))
    yes = grid.count(records, (checks, len(CHECKS)), weights=codes == YES, total_axes=(0, 1))
    rates = [_derived(Column(f"{text} (% Yes)", "percent"), _ratio(yes[..., i], answered[..., i]),
                      answered[..., i], min_count) for i, text in enumerate(CHECKS.values())]
    table = _table(grid, "Observations", "observations",
                   "Episodes of support observed, and how often practice matched the plan on each check "
                   "(the share of Yes).", ("Service", "Month"),
                   [_counts(Column("Observations", "count"), observed), *rates])
    return table, rates[-1]


def _event_tables(grid: Grid, records, min_count: int) -> tuple[list[Aggregate], Suppressed]:
    types, routines = records["event_type"], records["routine"]
    routines = np.where(routines >= 0, routines, len(ROUTINES))  # blank: "not recorded"
    events = suppress_counts(grid.count(records, (types, len(EVENT_TYPES)), (routines, len(ROUTINES) + 1)),
                             min_count)
    by_type = _table(grid, "Events by type", "events_by_type",
                     "Incidents, refusals, safeguarding concerns, hospital admissions and complaints recorded.",
                     ("Service", "Month"),
                     [_counts(Column(name.capitalize(), "count"), events, (..., t, -1))
                      for t, name in enumerate((*EVENT_TYPES, "all events"))])
    chosen = [EVENT_TYPES.index(t) for t in INCIDENTS_AND_REFUSALS]
    by_routine = _table(grid, "Events by routine", "events_by_routine",
                        "Incidents and refusals by the routine they happened in (\"not recorded\" where none "
                        "was given).", ("Service", "Month", "Type"),
                        [_counts(Column(name.capitalize(), "count"), events, (..., chosen, r))
                         for r, name in enumerate((*ROUTINES, NOT_RECORDED, "all routines"))],
                        inner=[t.capitalize() for t in INCIDENTS_AND_REFUSALS])
    return [by_type, by_routine], events


def _recovery_table(grid: Grid, records, min_count: int) -> Aggregate:
    minutes = records["recovery_minutes"]
    timed = {name: values[~np.isnan(minutes)] for name, values in records.items()}
    counted = grid.count(timed)
    return _table(grid, "Recovery time", "recovery_time",
                  "The median time (minutes) people took to recover after an event, of the events where it "
                  "was recorded.", ("Service", "Month"),
                  [_counts(Column("Events with a recovery time", "count"), suppress_counts(counted, min_count)),
                   _derived(Column("Median recovery (minutes)", "minutes"),
                            grid.median(timed, minutes[~np.isnan(minutes)]), counted, min_count)])


def _outcome_table(grid: Grid, records, min_count: int) -> Aggregate:
    statuses = suppress_counts(grid.count(records, (records["status"], len(STATUSES))), min_count)
    return _table(grid, "Outcomes", "outcomes",
                  "Outcomes reviewed, by their status at the review.", ("Service", "Month"),
                  [_counts(Column(name.capitalize(), "count"), statuses, (..., s))
                   for s, name in enumerate((*STATUSES, "all outcomes"))])


def themes_table(themes: Sequence, min_count: int) -> Aggregate:
    """Working Together for Change themes: kind, name, I statement and statements per service.

    Each theme's services add up to its whole-provider count, so that count is the
    total its services' counts are protected against. Services with no statements in a
    theme are not listed under it.
    """
    themes = [Theme.coerce(t) for t in themes]
    columns = (Column("Kind", "text"), Column("Theme", "text"), Column("I statement", "text"),
               Column("Service", "label"), Column("Statements", "count"))
    about = "Working Together for Change themes, named with an \"I\" statement, and how many review statements " \
            "each one gathers, by service."
    if not themes:
        return Aggregate("Themes", "themes", about, columns, [], np.zeros((0, len(columns)), dtype=bool),
                         note="No themes were recorded for this period: theme the review statements on the "
                              "Working Together for Change page, then export again.")
    services = sorted({s for t in themes for s in t.counts}, key=str.casefold)
    counts = np.array([[t.counts.get(s, 0) for s in services] for t in themes], dtype=np.int64).reshape(
        len(themes), len(services))
    suppressed = suppress_counts(with_totals(counts, axes=(1,)), min_count, total_axes=(1,))
    display, mask = suppressed.shown, suppressed.mask
    rows, hidden = [], []
    for t, theme in enumerate(themes):
        described = (THEME_KINDS.get(theme.kind, theme.kind), theme.name, theme.i_statement)
        for s in [len(services), *np.flatnonzero(counts[t])]:
            rows.append((*described, PROVIDER if s == len(services) else services[s], display[t, s]))
            hidden.append([False] * 4 + [bool(mask[t, s])])
    return Aggregate("Themes", "themes", about, columns, rows, np.array(hidden, dtype=bool))


def _trend(grid: Grid, mean, match, events) -> Trend:
    """The whole provider's months (no all-months total) from tables already suppressed."""
    def provider(display):
        return [None if isinstance(v, str) else v for v in np.asarray(display)[-1, :-1]]

    series = {"score": (Column("Mean file score (%)", "percent"), provider(mean[1])),
              "match": (Column("Practice matched the plan (%)", "percent"), provider(match[1]))}
    for name in INCIDENTS_AND_REFUSALS:
        column = Column(name.capitalize() + "s", "count")
        series[name] = (column, provider(events.shown[..., EVENT_TYPES.index(name), -1]))
    return Trend([month_label(m) for m in range(grid.first, grid.last + 1)], series)


# -- the whole export ------------------------------------------------------------------


def build(store, options: Options = Options(), themes: Sequence = ()) -> CommissionerData:
    """Every table of the commissioner workbook, from the store, for the options' period."""
    records = {kind: read_columns(store, kind, options.first, options.last) for kind in COLUMNS}
    months = np.concatenate([r["month"] for r in records.values()])
    if not len(months):
        raise NotFound(f"There are no audit records {_describe(options)}to export; import some first.")
    services = sorted(pd.unique(np.concatenate([r["service"] for r in records.values()])), key=str.casefold)
    grid = Grid(services, options.first if options.first is not None else int(months.min()),
                options.last if options.last is not None else int(months.max()))
    records = {kind: grid.coded(kind_records) for kind, kind_records in records.items()}
    minimum, bands = options.min_count, rag_bands()
    file_tables, mean = _file_audit_tables(grid, records["file_audit"], minimum, bands)
    observations, match = _observation_table(grid, records["observation"], minimum)
    event_tables, events = _event_tables(grid, records["event"], minimum)
    aggregates = [*file_tables, observations, *event_tables, _recovery_table(grid, records["event"], minimum),
                  _outcome_table(grid, records["outcome"], minimum), themes_table(themes, minimum)]
    period = f"{month_label(grid.first)} to {month_label(grid.last)}"
    return CommissionerData(period, services, minimum, aggregates, _trend(grid, mean, match, events), bands)


def _describe(options: Options) -> str:
    if options.first is None and options.last is None:
        return ""
    start = month_label(options.first) if options.first is not None else "the start"
    end = month_label(options.last) if options.last is not None else "the latest"
    return f"from {start} to {end} "


FORMATS = ("xlsx", "csv")


def export_commissioners(store, out: Path, *, first: str | None = None, last: str | None = None,
                         min_count: int = MIN_COUNT, fmt: str = "xlsx", themes: Sequence | None = None) -> Path:
    """Write the commissioner workbook (``fmt="xlsx"``, ``out`` a .xlsx file) or CSV files (``out`` a folder).

    ``themes`` default to the Working Together for Change themes saved for periods that
    overlap ``first`` to ``last``.
    """
    from pcp_widgets.audit import commissioner_files

    options = Options.parse(first, last, min_count)
    out = Path(out)
    if fmt not in FORMATS:
        raise UsageError(f"The commissioner export can be {' or '.join(FORMATS)}, not {fmt!r}.")
    if fmt == "xlsx" and out.suffix.lower() != ".xlsx":
        raise UsageError("The commissioner workbook is an .xlsx file: give --out a name ending in .xlsx, "
                         "or add --format csv to write CSV files to a folder.")
    if fmt == "csv" and out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file: with --format csv, --out names a folder for the CSV files.")
    if themes is None:
        from pcp_widgets.audit.wtfc import themes_for_export

        themes = themes_for_export(store, first, last)
    data = build(store, options, themes)
    if fmt == "csv":
        return commissioner_files.write_csv_folder(data, out)
    return commissioner_files.write_workbook(data, out)
