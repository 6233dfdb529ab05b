"""``pcp export commissioners``: aggregated, non-identifying evidence for commissioners (docs/domain.md).

What leaves the provider is decided here, in steps that each make a leak harder:

1. **Only whitelisted columns are read** (:data:`COLUMNS`): each record's month, its
   service, and answers, choices and numbers. The person ref is read only to count the
   distinct people behind each figure, and turned into a number at once. Auditors,
   observers, triggers, notes, outcomes in the person's words and review statements are
   never selected, so no later step can write them by mistake.
2. **Only aggregates are built**, for a fixed period: the whole provider month by month
   and for the period, each service for the period (a service's months would be about
   too few people to show anything).
3. **The disclosure-control method** (:mod:`pcp_widgets.audit.analysis.disclosure`): figures about
   fewer than the threshold of distinct people hidden, every other count rounded to 5.
4. **The attacker audit** (:mod:`pcp_widgets.audit.analysis.disclosure_audit`) proves, by linear
   programming over every additive relation in the export, that no figure can be
   narrowed below its label, hiding more where needed, before anything is written.

The tables are returned as :class:`Aggregate` objects (display values and a mask of
hidden cells); :mod:`pcp_widgets.audit.outputs.commissioner_files` writes them to one xlsx
workbook or a folder of CSV files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from pcp_widgets.audit.analysis.disclosure import (
    MIN_COUNT,
    NOT_APPLICABLE as NO_FIGURE,  # "[z]": not the answer N/A of audit.frames
    SUPPRESSED,
    Protected,
    distinct_people,
    protect_derived,
    with_totals,
)
from pcp_widgets.audit.analysis.disclosure_audit import AuditResult, Entry, Shares, secure
from pcp_widgets.audit.analysis.frames import ANSWERS, NO, NOT_RECORDED, YES
from pcp_widgets.audit.analysis.metrics import CHECKS, QUESTIONS, file_score
from pcp_widgets.audit.schema.months import first_day, month_label, parse_month
from pcp_widgets.audit.schema.settings import RagBands, rag_bands
from pcp_widgets.audit.schema.sheets import EVENT, OUTCOME, ROUTINES, sheet_for
from pcp_widgets.audit.schema.values import Answer
from pcp_widgets.errors import NotFound, UsageError
from pcp_widgets.store import Store

PROVIDER = "Whole provider"
ALL_MONTHS = "All months"
EVENT_TYPES = EVENT.field("event_type").type.options
STATUSES = OUTCOME.field("status").type.options
#: The event types charted on the Trends sheet and broken down by routine.
INCIDENTS_AND_REFUSALS = ("incident", "refusal")
#: Working Together for Change statement kinds, as the Themes sheet names them.
THEME_KINDS = {"working": "Working", "not_working": "Not working", "future": "Future"}

#: The only stored columns this export reads, besides each kind's date (read as its month)
#: and the person ref (:data:`PERSON`, turned into a number at once to count people).
#: A service is the provider's own unit; everything else is an answer, a choice or a number.
#: Never a name, an auditor or observer, or free text: tests hold this list to that.
COLUMNS: dict[str, tuple[str, ...]] = {
    "file_audit": ("service", *QUESTIONS),
    "observation": ("service", "routine", *CHECKS),
    "event": ("service", "event_type", "routine", "recovery_minutes"),
    "outcome": ("service", "status"),
}
PERSON = "person_ref"


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
class ThemeCounts:
    """A Working Together for Change theme as the export needs it: no statements, only counts.

    ``people`` counts the distinct people behind each service's statements (when known;
    otherwise each statement is taken to be a different person's, which is the larger
    count, so supply people whenever they are known). ``signed_off`` says whether its
    name and I statement may be shown; otherwise the theme is shown by its number only.
    """

    name: str
    i_statement: str
    kind: str
    counts: Mapping[str, int] = field(default_factory=dict)
    people: Mapping[str, int] | None = None
    period: str = ""
    number: int = 0
    signed_off: bool = True

    @classmethod
    def coerce(cls, theme) -> "ThemeCounts":
        """A ThemeCounts from itself or from a mapping with ``name``, ``i_statement``, ``kind`` and ``counts``."""
        if isinstance(theme, ThemeCounts):
            return theme
        people = theme.get("people")
        return cls(str(theme["name"]), str(theme.get("i_statement") or ""), str(theme.get("kind") or ""),
                   {str(service): int(count) for service, count in (theme.get("counts") or {}).items()},
                   None if people is None else {str(s): int(n) for s, n in people.items()},
                   str(theme.get("period") or ""), int(theme.get("number") or 0),
                   bool(theme.get("signed_off", True)))


# -- the published tables --------------------------------------------------------------


@dataclass(frozen=True)
class TableColumn:
    """A published table's column: its heading and what kind of value it holds (how a file writes it)."""

    header: str
    #: ``label`` (service, month, type), ``text``, ``count``, ``percent`` or ``minutes``.
    kind: str


@dataclass
class Aggregate:
    """One published table: its display values (numbers, labels, "[c]", "[z]") and which cells are hidden."""

    name: str
    stem: str
    about: str
    columns: tuple[TableColumn, ...]
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
    series: dict[str, tuple[TableColumn, list]]


@dataclass
class CommissionerData:
    """Everything the workbook shows, ready to write."""

    period: str
    services: list[str]
    min_count: int
    aggregates: list[Aggregate]
    trend: Trend
    bands: RagBands = RagBands()
    audit: AuditResult | None = None
    #: What the Contents sheet says about the themes' free text (see :mod:`pcp_widgets.audit.outputs.free_text`).
    free_text: str = ""


# -- reading ---------------------------------------------------------------------------


def choices_of(kind: str, key: str) -> tuple[str, ...] | None:
    """The declared values of an answer or choice column (answers always in :data:`ANSWERS` order)."""
    value_type = sheet_for(kind).field(key).type
    return ANSWERS if isinstance(value_type, Answer) else value_type.dropdown


def read_columns(store: Store, kind: str, first: int | None, last: int | None) -> dict[str, np.ndarray]:
    """The whitelisted columns of one kind in the period, as arrays, plus ``month`` and ``person``.

    Read with :meth:`~pcp_widgets.store.Store.aggregate_rows`, which selects only the
    columns named and filters by date in the database: no free text is selected. Answers
    and choices arrive as their position among the declared values (-1 when blank), whole
    numbers as floats (NaN when blank), services as text; the person ref becomes a number
    (the same for the same ref) before anything else sees it.
    """
    coded = {key: choices for key in COLUMNS[kind] if (choices := choices_of(kind, key)) is not None}
    rows = store.aggregate_rows(kind, COLUMNS[kind], coded=coded,
                                start=first_day(first) if first is not None else None,
                                before=first_day(last + 1) if last is not None else None)
    names = ("month", "person", *COLUMNS[kind])
    table = np.array(rows, dtype=object).reshape(len(rows), len(names))
    out = {}
    for number, name in enumerate(names):
        if name == "person":
            out[name] = pd.factorize(pd.Series(table[:, number], dtype=object).str.casefold())[0].astype(np.int64)
        else:
            out[name] = table[:, number].astype(_dtype(kind, name))
    return out


def _dtype(kind: str, name: str):
    if name == "month" or choices_of(kind, name) is not None:
        return np.int64
    return object if name == "service" else float


# -- grouping --------------------------------------------------------------------------


@dataclass
class Grid:
    """Services x months, with the whole provider and all months as the last index of each.

    Tables publish the whole provider month by month and for the period, and each service
    for the period only (:meth:`published`). Every service is a row of every table, with
    0 where nothing was recorded, so a service with only hidden figures still shows.
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

    def _keys(self, records, extra, total_axes):
        """Each record's cell index per extra dimension, broadcast; and the full shape with totals."""
        services, months = self.codes(records)
        parts = [(services, len(self.services)), (months, self.months), *extra]
        return parts, [size + (1 if axis in total_axes else 0) for axis, (_, size) in enumerate(parts)]

    def count(self, records, *extra: tuple[np.ndarray, int], weights=None, total_axes=None,
              people: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Records per service, month and each ``extra`` (codes, size), with totals appended.

        ``extra`` codes broadcast against one value per record (a column of codes per
        record for a per-question count); a code of -1 is left out. ``weights`` counts
        a record (or record and question) that many times instead of once. With
        ``people``, also the distinct people behind each cell (totals included).
        """
        total_axes = tuple(range(2 + len(extra))) if total_axes is None else tuple(total_axes)
        parts, shape = self._keys(records, extra, total_axes)
        arrays = [np.asarray(c) for c, _ in parts] + ([] if weights is None else [np.asarray(weights)])
        ndim = max(a.ndim for a in arrays)
        n = len(records["month"])
        # one value per record stands in a column against per-question codes
        arrays = [a.reshape((n,) + (1,) * (ndim - 1)) if a.ndim == 1 and a.shape[0] == n and ndim > 1 else a
                  for a in arrays]
        codes = np.broadcast_arrays(*arrays)
        valid = np.all([c >= 0 for c in codes[:len(parts)]], axis=0)
        if weights is not None:
            valid = valid & (codes[-1] > 0)
        chosen = [c[valid] for c in codes[:len(parts)]]
        weight = codes[-1][valid] if weights is not None else None
        persons = np.broadcast_to(np.asarray(records["person"]).reshape(
            (-1,) + (1,) * (codes[0].ndim - 1)), codes[0].shape)[valid] if people else None
        # each record's own cell; every total is then a sum of cells (a record counts once in each)
        index = np.zeros(len(chosen[0]) if chosen else 0, dtype=np.int64)
        for axis, c in enumerate(chosen):
            index = index * shape[axis] + c
        counts = with_totals(np.bincount(index, weights=weight, minlength=int(np.prod(shape))).reshape(shape),
                             total_axes)
        heads = distinct_people(index, persons, shape, total_axes) if people else None
        counts = np.rint(counts).astype(np.int64)
        return (counts, heads) if people else counts

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

    # -- what is published, and its layout: the provider's months and period, then each service's period

    def published(self, shape: Sequence[int]) -> np.ndarray:
        """True for the cells of a (services + 1, months + 1, ...) array that the export shows."""
        mask = np.zeros(tuple(shape), dtype=bool)
        mask[-1] = True
        mask[:, -1] = True
        return mask

    def order(self, array: np.ndarray) -> np.ndarray:
        array = np.asarray(array)
        return np.concatenate([array[-1], array[:-1, -1]]).reshape(-1)

    def labels(self, inner: Sequence[str] = ()) -> list[np.ndarray]:
        """The label columns (service, month and, with ``inner``, one more) in the order of :meth:`order`."""
        months = [*(month_label(m) for m in range(self.first, self.last + 1)), ALL_MONTHS]
        units = [PROVIDER] * len(months) + list(self.services)
        periods = months + [ALL_MONTHS] * len(self.services)
        repeat = max(len(inner), 1)
        columns = [np.repeat(np.array(units, dtype=object), repeat), np.repeat(np.array(periods, dtype=object), repeat)]
        if inner:
            columns.append(np.tile(np.array(list(inner), dtype=object), len(units)))
        return columns


#: A measure of a table: its column, and (made after the audit) its display values and hidden mask.
Measure = tuple[TableColumn, Callable[[], np.ndarray], Callable[[], np.ndarray]]


def _table(grid: Grid, name: str, stem: str, about: str, labels: Sequence[str], measures: Sequence[Measure],
           inner: Sequence[str] = ()) -> Aggregate:
    """An :class:`Aggregate` from (column, display values, hidden) per measure, each shaped by the grid."""
    columns = [*(TableColumn(label, "label") for label in labels), *(column for column, _, _ in measures)]
    values = [*grid.labels(inner), *(grid.order(display()) for _, display, _ in measures)]
    label_hidden = [np.zeros(len(values[0]), dtype=bool)] * len(labels)
    hidden = np.column_stack([*label_hidden, *(grid.order(mask()) for _, _, mask in measures)])
    return Aggregate(name, stem, about, tuple(columns), list(zip(*values)), hidden)


class _Counts:
    """A protected table of counts registered with the audit, read (after it) as display values."""

    def __init__(self, name: str, counts: np.ndarray, people: np.ndarray, min_count: int, entries: list[Entry],
                 published: np.ndarray, total_axes: Sequence[int]):
        self.table = Protected(counts, people, min_count)
        self.entry = Entry(name, self.table, published, tuple(total_axes))
        entries.append(self.entry)

    def measure(self, column: TableColumn, index=...) -> Measure:
        return column, lambda: self.table.shown[index], lambda: self.table.mask[index]


def _derived(column: TableColumn, values, people, min_count: int, decimals: int | None = 1) -> Measure:
    display, hidden = protect_derived(values, people, min_count, decimals)
    return column, lambda: display, lambda: hidden


def _ratio(numerators, denominators, scale: float = 100.0) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominators > 0, numerators / np.where(denominators > 0, denominators, 1) * scale, np.nan)


def _answer_codes(records, keys: Iterable[str]) -> np.ndarray:
    """(records, keys) answer codes: 0 Yes, 1 Partly, 2 No, 3 N/A, -1 blank."""
    keys = list(keys)
    return np.column_stack([records[key] for key in keys]).reshape(len(records["month"]), len(keys))


def _grid_counts(grid: Grid, name: str, counts_people, min_count: int, entries: list[Entry],
                 total_axes=None) -> _Counts:
    counts, people = counts_people
    axes = tuple(range(counts.ndim)) if total_axes is None else tuple(total_axes)
    return _Counts(name, counts, people, min_count, entries, grid.published(counts.shape), axes)


# -- the aggregates --------------------------------------------------------------------


def rag(means: np.ndarray, hidden: np.ndarray, bands: RagBands) -> np.ndarray:
    """The band of each mean score, capitalised: hidden where the mean is, [z] where there is none."""
    bands = bands.band(np.ravel(means)).astype(object).to_numpy().reshape(np.shape(means))
    out = np.where(pd.isna(bands), NO_FIGURE, np.char.capitalize(bands.astype(str))).astype(object)
    out[hidden] = SUPPRESSED
    return out


Built = Callable[[], Aggregate]


def _file_audit_tables(grid: Grid, records, min_count: int, bands: RagBands, entries) -> tuple[list[Built], Measure]:
    codes = _answer_codes(records, QUESTIONS)
    scores = file_score(codes)
    files = _grid_counts(grid, "File audits", grid.count(records, people=True), min_count, entries)
    scored, scored_people = grid.count(records, weights=~np.isnan(scores), people=True)
    score_sums = _score_sums(grid, records, scores)
    means = _ratio(score_sums, scored, scale=1.0)
    mean = _derived(TableColumn("Mean file score (%)", "percent"), means, scored_people, min_count)
    # the attacker can use every share beside a count as well (see disclosure_audit.Shares)
    entries.append(Shares("File audits", score_sums, scored, [(mean[1](), mean[2]())], files.entry, scale=1.0,
                          most=100.0, whole=False))
    band_hidden = mean[2]()
    band = (TableColumn("RAG", "text"), lambda: rag(means, band_hidden, bands), lambda: band_hidden)
    files_column = files.measure(TableColumn("Files audited", "count"))
    summary = lambda: _table(grid, "File audits", "file_audits",
                             "Plans (files) audited, their mean file score and its red / amber / green band.",
                             ("Service", "Month"), [files_column, mean, band])
    questions = np.arange(len(QUESTIONS))[None, :]
    answered = (codes >= YES) & (codes <= NO)
    total, people = grid.count(records, (questions, len(QUESTIONS)), weights=answered, total_axes=(0, 1), people=True)
    yes = grid.count(records, (questions, len(QUESTIONS)), weights=codes == YES, total_axes=(0, 1))
    shares = [_derived(TableColumn(f"Q{n}: {text} (% Yes)", "percent"), _ratio(yes[..., n - 1], total[..., n - 1]),
                       people[..., n - 1], min_count) for n, text in enumerate(QUESTIONS.values(), start=1)]
    entries.append(Shares("Questions", yes, total, [(share[1](), share[2]()) for share in shares], files.entry))
    by_question = lambda: _table(grid, "Questions", "questions",
                                 "The share of Yes answers to each file audit question, of the files where it "
                                 "applied (N/A left out).", ("Service", "Month"), [files_column, *shares])
    return [summary, by_question], mean


def _score_sums(grid: Grid, records, scores: np.ndarray) -> np.ndarray:
    services, months = grid.codes(records)
    keep = ~np.isnan(scores) & (services >= 0)
    shape = (len(grid.services), grid.months)
    sums = np.bincount(services[keep] * grid.months + months[keep], weights=scores[keep],
                       minlength=int(np.prod(shape))).reshape(shape)
    out = np.zeros((shape[0] + 1, shape[1] + 1))
    out[:-1, :-1] = sums
    out[-1, :-1] = sums.sum(axis=0)
    out[:-1, -1] = sums.sum(axis=1)
    out[-1, -1] = sums.sum()
    return out


def _observation_table(grid: Grid, records, min_count: int, entries) -> tuple[Built, Measure]:
    codes = _answer_codes(records, CHECKS)
    observed = _grid_counts(grid, "Observations", grid.count(records, people=True), min_count, entries)
    checks = np.arange(len(CHECKS))[None, :]
    answered, people = grid.count(records, (checks, len(CHECKS)), weights=(codes >= YES) & (codes <= NO),
                                  total_axes=(0, 1), people=True)
    yes = grid.count(records, (checks, len(CHECKS)), weights=codes == YES, total_axes=(0, 1))
    rates = [_derived(TableColumn(f"{text} (% Yes)", "percent"), _ratio(yes[..., i], answered[..., i]),
                      people[..., i], min_count) for i, text in enumerate(CHECKS.values())]
    entries.append(Shares("Observations", yes, answered, [(rate[1](), rate[2]()) for rate in rates],
                          observed.entry))
    table = lambda: _table(grid, "Observations", "observations",
                           "Episodes of support observed, and how often practice matched the plan on each check "
                           "(the share of Yes).", ("Service", "Month"),
                           [observed.measure(TableColumn("Observations", "count")), *rates])
    return table, rates[-1]


def _event_tables(grid: Grid, records, min_count: int, entries) -> tuple[list[Built], _Counts]:
    types, routines = records["event_type"], records["routine"]
    routines = np.where(routines >= 0, routines, len(ROUTINES))  # blank: "not recorded"
    counts, people = grid.count(records, (types, len(EVENT_TYPES)), (routines, len(ROUTINES) + 1), people=True)
    # published: by type, every service and the provider's months (all routines); by routine, the
    # provider's months only, for incidents and refusals (a service's routines are about too few people)
    chosen = [EVENT_TYPES.index(t) for t in INCIDENTS_AND_REFUSALS]
    published = grid.published(counts.shape)
    published[..., :-1] = False
    provider = np.zeros(counts.shape, dtype=bool)
    provider[-1][:, chosen] = True
    events = _Counts("Events by type", counts, people, min_count, entries, published | provider, range(4))
    by_type = lambda: _table(grid, "Events by type", "events_by_type",
                             "Incidents, refusals, safeguarding concerns, hospital admissions and complaints "
                             "recorded.", ("Service", "Month"),
                             [events.measure(TableColumn(name.capitalize(), "count"), (..., t, -1))
                              for t, name in enumerate((*EVENT_TYPES, "all events"))])
    provider_grid = _ProviderRows(grid)
    by_routine = lambda: _table(provider_grid, "Events by routine", "events_by_routine",
                                "The whole provider's incidents and refusals by the routine they happened in "
                                "(\"not recorded\" where none was given).", ("Service", "Month", "Type"),
                                [events.measure(TableColumn(name.capitalize(), "count"), (..., chosen, r))
                                 for r, name in enumerate((*ROUTINES, NOT_RECORDED, "all routines"))],
                                inner=[t.capitalize() for t in INCIDENTS_AND_REFUSALS])
    return [by_type, by_routine], events


class _ProviderRows(Grid):
    """The whole provider's months and period only (for breakdowns too fine to show by service)."""

    def __init__(self, grid: Grid):
        super().__init__(grid.services, grid.first, grid.last)

    def order(self, array: np.ndarray) -> np.ndarray:
        return np.asarray(array)[-1].reshape(-1)

    def labels(self, inner: Sequence[str] = ()) -> list[np.ndarray]:
        months = [*(month_label(m) for m in range(self.first, self.last + 1)), ALL_MONTHS]
        repeat = max(len(inner), 1)
        return [np.array([PROVIDER] * len(months) * repeat, dtype=object),
                np.repeat(np.array(months, dtype=object), repeat),
                np.tile(np.array(list(inner), dtype=object), len(months))][:2 + bool(inner)]


def _recovery_table(grid: Grid, records, min_count: int, entries) -> Built:
    minutes = records["recovery_minutes"]
    timed = {name: values[~np.isnan(minutes)] for name, values in records.items()}
    counted = grid.count(timed, people=True)
    times = _grid_counts(grid, "Recovery time", counted, min_count, entries)
    median = _derived(TableColumn("Median recovery (minutes)", "minutes"),
                      grid.median(timed, minutes[~np.isnan(minutes)]), counted[1], min_count)
    return lambda: _table(grid, "Recovery time", "recovery_time",
                          "The median time (minutes) people took to recover after an event, of the events where "
                          "it was recorded.", ("Service", "Month"),
                          [times.measure(TableColumn("Events with a recovery time", "count")), median])


def _outcome_table(grid: Grid, records, min_count: int, entries) -> Built:
    statuses = _grid_counts(grid, "Outcomes", grid.count(records, (records["status"], len(STATUSES)), people=True),
                            min_count, entries)
    return lambda: _table(grid, "Outcomes", "outcomes", "Outcomes reviewed, by their status at the review.",
                          ("Service", "Month"),
                          [statuses.measure(TableColumn(name.capitalize(), "count"), (..., s))
                           for s, name in enumerate((*STATUSES, "all outcomes"))])


THEME_COLUMNS = (TableColumn("Period", "label"), TableColumn("Theme", "label"), TableColumn("Kind", "text"),
                 TableColumn("Theme name", "text"), TableColumn("I statement", "text"),
                 TableColumn("Service", "label"), TableColumn("Statements", "count"))


def themes_table(themes: Sequence, min_count: int, entries: list[Entry] | None = None) -> Built:
    """Working Together for Change themes: period, number, kind, name and I statement (when signed off), counts.

    Each theme's services add up to its whole-provider count (a relation the audit
    checks). Services with no statements in a theme are not listed under it. A theme
    whose text is not signed off shows "[z]" for its name and I statement.
    """
    entries = [] if entries is None else entries
    themes = [ThemeCounts.coerce(t) for t in themes]
    about = "Working Together for Change themes, each with its period, named with an \"I\" statement where that " \
            "text was signed off, and how many review statements each one gathers, by service."
    if not themes:
        empty = Aggregate("Themes", "themes", about, THEME_COLUMNS, [], np.zeros((0, len(THEME_COLUMNS)), dtype=bool),
                          note="No themes were recorded for this period: theme the review statements on the "
                               "Working Together for Change page, then export again.")
        return lambda: empty
    services = sorted({s for t in themes for s in t.counts}, key=str.casefold)
    counts = np.array([[t.counts.get(s, 0) for s in services] for t in themes], dtype=np.int64).reshape(
        len(themes), len(services))
    people = np.array([[(t.people if t.people is not None else t.counts).get(s, 0) for s in services]
                       for t in themes], dtype=np.int64).reshape(counts.shape)
    totals = np.concatenate([counts, counts.sum(axis=1, keepdims=True)], axis=1)
    # a theme's distinct people across services are at least those of its largest service
    heads = np.concatenate([people, people.sum(axis=1, keepdims=True)], axis=1)
    table = Protected(totals, heads, min_count)
    entries.append(Entry("Themes", table, np.ones(totals.shape, dtype=bool), (1,)))

    def built() -> Aggregate:
        display, mask = table.shown, table.mask
        rows, hidden = [], []
        for t, theme in enumerate(themes):
            name, statement = (theme.name, theme.i_statement) if theme.signed_off else (NO_FIGURE,) * 2
            described = (theme.period, f"Theme {theme.number or t + 1}", THEME_KINDS.get(theme.kind, theme.kind),
                         name, statement)
            for s in [len(services), *np.flatnonzero(counts[t])]:
                rows.append((*described, PROVIDER if s == len(services) else services[s], display[t, s]))
                hidden.append([False] * 6 + [bool(mask[t, s])])
        return Aggregate("Themes", "themes", about, THEME_COLUMNS, rows, np.array(hidden, dtype=bool))
    return built


def _trend(grid: Grid, mean: Measure, match: Measure, events: _Counts) -> Trend:
    """The whole provider's months (no all-months total) from tables already audited."""
    def provider(display):
        return [None if isinstance(v, str) else v for v in np.asarray(display)[-1, :-1]]

    series = {"score": (TableColumn("Mean file score (%)", "percent"), provider(mean[1]())),
              "match": (TableColumn("Practice matched the plan (%)", "percent"), provider(match[1]()))}
    for name in INCIDENTS_AND_REFUSALS:
        column = TableColumn(name.capitalize() + "s", "count")
        series[name] = (column, provider(events.table.shown[..., EVENT_TYPES.index(name), -1]))
    return Trend([month_label(m) for m in range(grid.first, grid.last + 1)], series)


# -- the whole export ------------------------------------------------------------------


def build(store, options: Options = Options(), themes: Sequence = (), free_text: str = "") -> CommissionerData:
    """Every table of the commissioner workbook, from the store, for the options' period, audited.

    Raises :class:`~pcp_widgets.audit.analysis.disclosure_audit.DisclosureError` when the audit
    cannot make every figure safe.
    """
    records = {kind: read_columns(store, kind, options.first, options.last) for kind in COLUMNS}
    months = np.concatenate([r["month"] for r in records.values()])
    if not len(months):
        raise NotFound(f"There are no audit records {_describe(options)}to export; import some first.")
    services = sorted(pd.unique(np.concatenate([r["service"] for r in records.values()])), key=str.casefold)
    grid = Grid(services, options.first if options.first is not None else int(months.min()),
                options.last if options.last is not None else int(months.max()))
    records = {kind: grid.coded(kind_records) for kind, kind_records in records.items()}
    minimum, bands, entries = options.min_count, rag_bands(), []
    file_tables, mean = _file_audit_tables(grid, records["file_audit"], minimum, bands, entries)
    observations, match = _observation_table(grid, records["observation"], minimum, entries)
    event_tables, events = _event_tables(grid, records["event"], minimum, entries)
    tables = [*file_tables, observations, *event_tables, _recovery_table(grid, records["event"], minimum, entries),
              _outcome_table(grid, records["outcome"], minimum, entries), themes_table(themes, minimum, entries)]
    result = secure(entries)  # before any figure is laid out, let alone written
    period = f"{month_label(grid.first)} to {month_label(grid.last)}"
    return CommissionerData(period, services, minimum, [made() for made in tables], _trend(grid, mean, match, events),
                            bands, result, free_text)


def _describe(options: Options) -> str:
    if options.first is None and options.last is None:
        return ""
    start = month_label(options.first) if options.first is not None else "the start"
    end = month_label(options.last) if options.last is not None else "the latest"
    return f"from {start} to {end} "


FORMATS = ("xlsx", "csv")


def latest_month(store: Store) -> int | None:
    """The month of the newest record the export reads (for the default period)."""
    return store.latest_record_month(COLUMNS)
