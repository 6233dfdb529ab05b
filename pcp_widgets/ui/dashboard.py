"""One generic dashboard page, built from a declaration of its panels.

A :class:`Dashboard` names the record kinds it reads, whether it filters by person, and its
panels; a :class:`Panel` is a title, a sentence saying what it shows, a function from the
filtered records to the table of numbers, and a function drawing the chart from that table
(with, optionally, sentences read from the chart, such as the special causes of a run chart).
The page loads and prepares the records once, then re-filters in memory on every change of
service, dates or person, and redraws each panel with its table and downloads (PNG, xlsx);
panels already drawn for the same filters are shown again as they were, at once.

On a team server the page belongs to the signed-in person (:class:`~pcp_widgets.access.Identity`):
it holds only the records of the services their role lets them see (a manager's own; every
service for a quality lead), offers only those services, and checks a chosen service again in the
kernel, since the browser can send any value. What it shows is written to the access log: a
person's ref looked up is "viewed" with the ref, and each new set of filters is "exported", because
its charts (PNG) and tables (xlsx) are sent to the page as download links at that moment (a
``data:`` link is saved by the browser without asking the kernel, so the moment the files leave the
server is the one that can be logged).
"""

from __future__ import annotations

import html
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

import ipywidgets as widgets
import pandas as pd

from pcp_widgets.access import Action, Identity, check_logged, visible_services
from pcp_widgets.audit.outputs import charts
from pcp_widgets.audit.analysis.frames import (Filters, filters_in_words, person_ref_as_stored, prepare,
                                      why_no_person_records)
from pcp_widgets.pages import page_for
from pcp_widgets.ui.dates import DateField
from pcp_widgets.ui.debounce import Debouncer
from pcp_widgets.ui.downloads import XLSX_MIME, download_link_html, picture_html, safe_download_name
from pcp_widgets.ui.fields import row_of, stacked
from pcp_widgets.ui.frame import PageFrame, StatusLine, html_block
from pcp_widgets.ui.import_page import html_table
from pcp_widgets.ui.kernel import kernel_loop


#: Panels drawn for earlier filters that a page keeps, so going back to one is instant (each is a
#: chart and a table as page HTML, about 150 KB).
REMEMBERED_PANELS = 120


@dataclass(frozen=True)
class View:
    """What a panel computes from: each kind's records after the filters, and the filters."""

    records: dict[str, pd.DataFrame]
    filters: Filters
    all_records: dict[str, pd.DataFrame]  # before filtering: the dates a chart should span
    _worked_out: dict = field(default_factory=dict, compare=False, repr=False)

    def __getitem__(self, kind: str) -> pd.DataFrame:
        return self.records[kind]

    def once(self, compute: Callable[[View], object]):
        """``compute(self)``, worked out once for this view however many panels ask for it (the
        refusals and incidents charts print the same plan-change findings)."""
        if compute not in self._worked_out:
            self._worked_out[compute] = compute(self)
        return self._worked_out[compute]


@dataclass(frozen=True)
class Drawn:
    """A panel's chart and any sentences to print under it (what the chart shows, in words)."""

    figure: object
    sentences: tuple[str, ...] = ()


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    explain: str
    table: Callable[[View], pd.DataFrame]
    draw: Callable[[pd.DataFrame, View], Drawn]
    headers: dict[str, str] = field(default_factory=dict)  # column -> heading; all columns when empty


@dataclass(frozen=True)
class Dashboard:
    """A dashboard's content; its title, purpose and audiences are its page's, in :data:`pcp_widgets.pages.PAGES`."""

    path: str
    intro: str
    kinds: tuple[str, ...]
    panels: tuple[Panel, ...]
    person_filter: bool = False

    @property
    def title(self) -> str:
        return page_for(self.path).title


def load_records(store, kinds: tuple[str, ...], services: frozenset[str] | None = None) -> dict[str, pd.DataFrame]:
    """Each kind's stored records of ``services`` (None: every service), prepared once for fast filtering."""
    return {kind: prepare(kind, of_services(store.read_records(kind), services)) for kind in kinds}


def of_services(frame: pd.DataFrame, services: frozenset[str] | None) -> pd.DataFrame:
    """The rows of ``frame`` at one of ``services`` (all of them when None)."""
    if services is None:
        return frame
    return frame[frame["service"].astype(str).isin(services).to_numpy()].reset_index(drop=True)


def filtered_view(records: dict[str, pd.DataFrame], filters: Filters) -> View:
    return View({kind: filters.apply(frame, kind) for kind, frame in records.items()}, filters, records)


#: Table columns holding the first day of a month, shown as "Jan 2026".
MONTH_COLUMNS = ("month",)
#: How a month is shown in a downloaded table (a real date, so it still sorts and charts in Excel).
MONTH_FORMAT = "mmm yyyy"


def reader_table(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """The table as a reader gets it: only the columns with a heading (the panel's own working
    columns, such as a chart label, left out), numbers rounded (one decimal place; two for
    values between 0 and 1, such as a similarity), columns headed in words.

    A panel without headings keeps every column, named as it is with a capital letter.
    """
    keep = reader_columns(frame, headers)
    shown = frame[keep].reset_index(drop=True)
    for column in keep:
        values = shown[column]
        if pd.api.types.is_float_dtype(values.dtype):
            fraction = values.dropna().abs().le(1).all() and not values.dropna().empty
            shown[column] = values.round(2 if fraction else 1)
    names = {c: headers.get(c, str(c)) if headers else str(c)[:1].upper() + str(c)[1:] for c in keep}
    return shown.rename(columns=names)


def reader_columns(frame: pd.DataFrame, headers: dict[str, str]) -> list[str]:
    """The columns a reader gets: those with a heading, in the headings' order (all when none are given)."""
    return [c for c in headers if c in frame.columns] if headers else list(frame.columns)


def month_positions(frame: pd.DataFrame, headers: dict[str, str]) -> list[int]:
    """Where the month columns are among the reader's columns (they are shown as "Jan 2026")."""
    return [n for n, column in enumerate(reader_columns(frame, headers)) if column in MONTH_COLUMNS]


def table_xlsx(frame: pd.DataFrame, headers: dict[str, str], title: str, filters_words: str = "") -> bytes:
    """The panel's table as an xlsx workbook: its title and filters in the first rows, then the
    reader's columns (:func:`reader_table`), months as "Jan 2026", strings never formulas."""
    from pcp_widgets.audit.outputs.sheets_out import DATE_FORMAT, SheetData, sheet_name_at_word, xlsx_bytes

    shown = reader_table(frame, headers)
    formats = {n: DATE_FORMAT for n, column in enumerate(shown.columns)
               if pd.api.types.is_datetime64_any_dtype(shown[column].dtype)}
    formats.update({n: MONTH_FORMAT for n in month_positions(frame, headers)})
    notes = (title, filters_words) if filters_words else (title,)
    return xlsx_bytes([SheetData(sheet_name_at_word(title), list(map(str, shown.columns)),
                                 shown.itertuples(index=False, name=None), column_formats=formats, notes=notes)])


def page_table(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """The table shown under a chart: as downloaded, with months in words ("Jan 2026")."""
    shown = reader_table(frame, headers)
    for n in month_positions(frame, headers):
        column = shown.columns[n]
        shown[column] = shown[column].dt.strftime("%b %Y")
    return shown


def download_stem(panel: Panel, filters: Filters) -> str:
    """A download's file name without its suffix: the panel's title and the filters, in safe characters."""
    return safe_download_name(f"{panel.title} {filters_in_words(filters)}", "")


def panel_html(panel: Panel, table: pd.DataFrame, drawn: Drawn, png: bytes, xlsx: bytes,
               filters: Filters = Filters()) -> str:
    """Everything under the chart: the sentences, the downloads, and the table behind it."""
    sentences = "".join(f"<li>{html.escape(s)}</li>" for s in drawn.sentences)
    stem = download_stem(panel, filters)
    links = (f"{download_link_html(png, stem + '.png', f'Download the chart ({panel.title}, PNG)', 'image/png')}"
             f" · {download_link_html(xlsx, stem + '.xlsx', f'Download the table ({panel.title}, Excel)', XLSX_MIME)}")
    shown = page_table(table, panel.headers)
    return html_block(
        (f"<ul>{sentences}</ul>" if sentences else "")
        + f"<p>{links}</p>"
        + f"<details><summary>The numbers behind the chart</summary>"
          f"{html_table(shown, {c: c for c in shown.columns}, f'{panel.title}: {filters_in_words(filters)}')}"
          f"</details>"
    )


def alt_text(panel: Panel, drawn: Drawn, filters: Filters = Filters()) -> str:
    """What the chart shows, for screen readers: its title and filters, the first sentence read from
    it, and where the numbers are."""
    first = f" {drawn.sentences[0]}" if drawn.sentences else ""
    return f"Chart: {panel.title} ({filters_in_words(filters)}).{first} The numbers are in the table under the chart."


#: A panel as the page shows it: the chart's HTML, the HTML under it, and the chart as PNG.
Shown = tuple[str, str, bytes]


def draw_panel(panel: Panel, view: View) -> tuple[pd.DataFrame, Drawn]:
    """The panel's table and its chart, the chart's title followed by the filters in words."""
    table = panel.table(view)
    drawn = panel.draw(table, view)
    charts.with_subtitle(drawn.figure, filters_in_words(view.filters))
    return table, drawn


def render_panel(panel: Panel, view: View, show_chart: Callable[[str], None] | None = None) -> Shown:
    """Compute the panel's table, draw its chart and lay out both, with their downloads.

    ``show_chart`` is given the chart's HTML as soon as it is drawn, before the table and the
    downloads are made, so a page can show it a little sooner.
    """
    table, drawn = draw_panel(panel, view)
    png = charts.png_bytes(drawn.figure)
    image = picture_html(png, alt_text(panel, drawn, view.filters))
    if show_chart is not None:
        show_chart(image)
    xlsx = table_xlsx(table, panel.headers, panel.title, filters_in_words(view.filters))
    return image, panel_html(panel, table, drawn, png, xlsx, view.filters), png


def render_ahead(dashboard: Dashboard, records: dict[str, pd.DataFrame],
                 filters: Filters = Filters()) -> dict[tuple[Filters, str], Shown]:
    """Every panel for ``filters`` (by default what a page opens on), for a page to show at once.

    A kernel kept warm calls this before anyone opens the page. A panel that cannot be drawn
    is left out: the page draws it again when opened and says what went wrong.
    """
    view = filtered_view(records, filters)
    shown = {}
    for panel in dashboard.panels:
        try:
            shown[filters, panel.key] = render_panel(panel, view)
        except Exception:  # noqa: BLE001 - reported when the page itself draws it
            continue
    return shown


#: Seconds after the last key typed in the person ref before the page is drawn for it.
TYPING_PAUSE = 0.5
#: Seconds of quiet after a change of filter, once one has just been drawn, before drawing again:
#: arrowing down the Service list or typing a ref draws the one stopped at, not each one passed.
FILTER_PAUSE = 0.35


class FirstThenQuiet:
    """Run ``action`` at once for a change after a quiet spell; during a burst of changes, once the
    burst stops (``pause`` seconds after its last change).

    A person choosing a service with the mouse sees it drawn at once; one holding an arrow key
    on the list sees only the service they stop at drawn. Outside a kernel it runs at once.
    """

    def __init__(self, action: Callable[[], None], pause: float = FILTER_PAUSE):
        self.action = action
        self.later = Debouncer(self._run, pause)
        self.pause = pause
        self._done_at = float("-inf")

    def __call__(self) -> None:
        if kernel_loop() is None or (not self.later.pending and time.monotonic() - self._done_at >= self.pause):
            self._run()
        else:
            self.later()

    def _run(self) -> None:
        try:
            self.action()
        finally:
            self._done_at = time.monotonic()


class DashboardPage(PageFrame):
    """The widgets of one dashboard: filters, then each panel's chart, words, table and downloads."""

    def __init__(self, dashboard: Dashboard, store=None, records: dict[str, pd.DataFrame] | None = None,
                 drawn: dict[tuple[Filters, str], Shown] | None = None, identity: Identity | None = None):
        """``drawn`` holds panels already drawn from these ``records`` (see :func:`render_ahead`); with an
        ``identity`` the page is theirs (their services only, what they see logged)."""
        self.what = f"{dashboard.title} page"
        super().__init__()
        if store is None:
            from pcp_widgets.store import open_store

            store = open_store()
        self.dashboard = dashboard
        self.store = store
        self.identity = identity
        #: The services whose records this page may hold (None: every service).
        self.allowed = visible_services(identity, Action.VIEW_DASHBOARDS) if identity else None
        self.records = ({kind: of_services(frame, self.allowed) for kind, frame in records.items()}
                        if records is not None else load_records(store, dashboard.kinds, self.allowed))
        self._logged: set[Filters] = set()  # filters whose view is already in the access log
        services = sorted({str(s) for frame in self.records.values() for s in frame["service"].dropna().unique()})
        everything = "All services" if self.allowed is None else "All your services"
        self.service = stacked(widgets.Dropdown(description="Service", options=[(everything, "")] +
                                                [(s, s) for s in services]))
        self.start = DateField("From", said="From {date}")
        self.end = DateField("To", said="To {date}")
        # applied as it is typed (after a pause), matched whatever its case
        self.person = stacked(widgets.Text(description="Person ref (for example P-0007)", continuous_update=True))
        controls = [self.service, self.start, self.end] + ([self.person] if dashboard.person_filter else [])
        self.changed = FirstThenQuiet(self.redraw)
        for control in (self.service, self.start, self.end):
            control.observe(lambda _c: self.changed(), names="value")
        # a ref is drawn once typing pauses, never half typed (it would say "no records have P-00")
        self.typed = Debouncer(self.redraw, TYPING_PAUSE)
        self.person.observe(lambda _c: self.typed(), names="value")
        self._drawing: View | None = None  # the view panels left for later belong to
        self.images: dict[str, widgets.HTML] = {}
        self.pngs: dict[str, bytes] = {}  # each chart as last drawn, as offered for download
        self._remembered: OrderedDict[tuple[Filters, str], Shown] = OrderedDict(drawn or {})
        self.details: dict[str, widgets.HTML] = {}
        self.notes: dict[str, StatusLine] = {}  # each panel's own line: "Drawing…", or what went wrong
        parts = []
        for panel in dashboard.panels:
            self.images[panel.key] = widgets.HTML()
            self.details[panel.key] = widgets.HTML()
            self.notes[panel.key] = StatusLine(self.what)
            parts += [widgets.HTML(html_block(f"<h2>{html.escape(panel.title)}</h2><p>{html.escape(panel.explain)}</p>")),
                      self.notes[panel.key], self.images[panel.key], self.details[panel.key]]
        self.frame(dashboard.path, row_of(controls), self.status, *parts, intro=dashboard.intro, status_first=False)
        self.redraw()

    def filters(self) -> Filters:
        """The filters chosen; a person ref as the records spell it ("p-0007" is P-0007 in titles and names)."""
        typed = self.person.value.strip() if self.dashboard.person_filter else ""
        person = (person_ref_as_stored(self.records, typed) or typed) if typed else None
        service = self.service.value or None
        if service is not None:
            self.permit(service)
        return Filters(service=service, start=self.start.value, end=self.end.value, person_ref=person)

    def permit(self, service: str) -> None:
        """NotAllowed (logged as refused) unless the signed-in person may see ``service``'s audits; checked
        in the kernel whatever the list offered, as a forged widget message can name any service."""
        if self.identity is not None:
            check_logged(self.store, self.identity, Action.VIEW_DASHBOARDS, self.dashboard.path, service)

    def log_shown(self, filters: Filters) -> None:
        """Write what this view sends to the page to the access log, once per set of filters: a person's
        ref as "viewed", and the panels' downloads as "exported"."""
        if self.identity is None or filters in self._logged:
            return
        self._logged.add(filters)
        words = f"{self.dashboard.title}: {filters_in_words(filters)}"
        if filters.person_ref:
            self.store.log_access(self.identity.name, "viewed", filters.person_ref, words)
        self.store.log_access(self.identity.name, "exported", filters.person_ref,
                              f"{words}: each chart (PNG) and table (xlsx) offered to download")

    def redraw(self) -> None:
        self._drawing = None  # panels left for later by an earlier redraw are not drawn
        view = None
        with self.status.guarded():
            view = filtered_view(self.records, self.filters())
        if view is None:
            return
        missing = why_no_person_records(self.records, view.records, view.filters)
        if missing:
            self.status.say(missing, problem=True)
            for panel in self.dashboard.panels:
                self._clear(panel, missing)
            return
        logged = False
        with self.status.guarded():  # nothing is shown that could not be logged
            self.log_shown(view.filters)
            logged = True
        if not logged:
            return
        shown = {kind: len(frame) for kind, frame in view.records.items()}
        self.status.say("Showing " + ", ".join(f"{n:,} {kind.replace('_', ' ')} records" for kind, n in shown.items())
                        + f" ({filters_in_words(view.filters)}).")
        to_draw = [panel for panel in self.dashboard.panels if not self._show_remembered(panel, view)]
        if not to_draw:
            return
        first, *rest = to_draw
        self._draw(first, view)
        loop = kernel_loop()
        if loop is None or not rest:
            for panel in rest:
                self._draw(panel, view)
            return
        # In a kernel, the page is shown as soon as its first chart is drawn; the others follow
        # one by one as the kernel gets to them (each a widget update the browser receives).
        self._drawing = view
        for panel in rest:
            self.notes[panel.key].say("Drawing this chart for the filters chosen…")
            loop.call_soon(self._draw_if_current, panel, view)

    def _draw_if_current(self, panel: Panel, view: View) -> None:
        """Draw a panel left for later, unless the filters changed since (a newer redraw has it)."""
        if self._drawing is view:
            self._draw(panel, view)

    def _show_remembered(self, panel: Panel, view: View) -> bool:
        """Show the panel as drawn before for these filters, if it was; True if so."""
        shown = self._remembered.get((view.filters, panel.key))
        if shown is None:
            return False
        self._remembered.move_to_end((view.filters, panel.key))
        self._show(panel, *shown)
        return True

    def _show(self, panel: Panel, image: str, details: str, png: bytes) -> None:
        self.pngs[panel.key] = png
        self.notes[panel.key].say("")
        self.images[panel.key].value = image
        self.details[panel.key].value = details

    def _clear(self, panel: Panel, why: str | None = None) -> None:
        """No chart for these filters: the panel says why (unless its line already does) rather
        than keep showing the chart of earlier filters."""
        self.pngs.pop(panel.key, None)
        self.images[panel.key].value = ""
        self.details[panel.key].value = ""
        if why is not None:
            self.notes[panel.key].say(why, problem=True)

    def _draw(self, panel: Panel, view: View) -> None:
        with self.notes[panel.key].guarded(CHART_FAILED):
            shown = render_panel(panel, view, lambda image: setattr(self.images[panel.key], "value", image))
            self._remembered[(view.filters, panel.key)] = shown
            if len(self._remembered) > REMEMBERED_PANELS:
                self._remembered.popitem(last=False)
            self._show(panel, *shown)
            return
        self._clear(panel)  # the guard has said what went wrong


#: What a panel says when its chart failed for a reason nobody foresaw (the server's log has it).
CHART_FAILED = ("This chart could not be drawn because of something we did not expect; the details are in the "
                "server's log.")
