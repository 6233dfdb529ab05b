"""One generic dashboard page, built from a declaration of its panels.

A :class:`Dashboard` names the record kinds it reads, whether it filters by person, and its
panels; a :class:`Panel` is a title, a sentence saying what it shows, a function from the
filtered records to the table of numbers, and a function drawing the chart from that table
(with, optionally, sentences read from the chart, such as the special causes of a run chart).
The page loads and prepares the records once, then re-filters in memory on every change of
service, dates or person, and redraws each panel with its table and downloads (PNG, xlsx);
panels already drawn for the same filters are shown again as they were, at once.
"""

from __future__ import annotations

import html
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

import ipywidgets as widgets
import pandas as pd

from pcp_widgets.audit import charts
from pcp_widgets.audit.frames import Filters, prepare
from pcp_widgets.errors import PcpError
from pcp_widgets.pages import START_PAGE, link, page_for
from pcp_widgets.ui.downloads import (
    XLSX_MIME,
    download_link_html,
    picture_html,
    report_unexpected,
    safe_download_name,
)
from pcp_widgets.ui.frame import html_block, status_html
from pcp_widgets.ui.fields import row_of, stacked
from pcp_widgets.ui.kernel import kernel_loop
from pcp_widgets.ui.import_page import html_table


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


def load_records(store, kinds: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """Each kind's stored records, prepared once for fast filtering."""
    return {kind: prepare(kind, store.read_records(kind)) for kind in kinds}


def filtered_view(records: dict[str, pd.DataFrame], filters: Filters) -> View:
    return View({kind: filters.apply(frame, kind) for kind, frame in records.items()}, filters, records)


def table_xlsx(frame: pd.DataFrame, headers: dict[str, str], title: str) -> bytes:
    """The panel's table as an xlsx workbook (strings never formulas)."""
    from pcp_widgets.audit.sheets_out import SheetData, xlsx_bytes

    shown = frame.rename(columns=headers) if headers else frame
    return xlsx_bytes([SheetData(title, list(map(str, shown.columns)), shown.itertuples(index=False, name=None))])


def panel_html(panel: Panel, table: pd.DataFrame, drawn: Drawn, png: bytes, xlsx: bytes) -> str:
    """Everything under the chart: the sentences, the downloads, and the table behind it."""
    sentences = "".join(f"<li>{html.escape(s)}</li>" for s in drawn.sentences)
    stem = safe_download_name(panel.title, "")
    links = (f"{download_link_html(png, stem + '.png', f'Download the chart ({stem}.png)', 'image/png')} · "
             f"{download_link_html(xlsx, stem + '.xlsx', f'Download the table ({stem}.xlsx)', XLSX_MIME)}")
    headers = panel.headers or {c: c for c in table.columns}
    return html_block(
        (f"<ul>{sentences}</ul>" if sentences else "")
        + f"<p>{links}</p>"
        + f"<details><summary>The numbers behind the chart</summary>"
          f"{html_table(table.reset_index(drop=True), headers, panel.title)}</details>"
    )


def alt_text(panel: Panel, drawn: Drawn) -> str:
    """What the chart shows, for screen readers: its title, the first sentence read from it, and where the numbers are."""
    first = f" {drawn.sentences[0]}" if drawn.sentences else ""
    return f"Chart: {panel.title}.{first} The numbers are in the table under the chart."


#: A panel as the page shows it: the chart's HTML, the HTML under it, and the chart as PNG.
Shown = tuple[str, str, bytes]


def render_panel(panel: Panel, view: View) -> Shown:
    """Compute the panel's table, draw its chart and lay out both, with their downloads."""
    table = panel.table(view)
    drawn = panel.draw(table, view)
    png = charts.png_bytes(drawn.figure)
    return (picture_html(png, alt_text(panel, drawn)),
            panel_html(panel, table, drawn, png, table_xlsx(table, panel.headers, panel.title)), png)


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


class DashboardPage:
    """The widgets of one dashboard: filters, then each panel's chart, words, table and downloads."""

    def __init__(self, dashboard: Dashboard, store=None, records: dict[str, pd.DataFrame] | None = None,
                 drawn: dict[tuple[Filters, str], Shown] | None = None):
        """``drawn`` holds panels already drawn from these ``records`` (see :func:`render_ahead`)."""
        if store is None:
            from pcp_widgets.store import open_store

            store = open_store()
        self.dashboard = dashboard
        self.records = records if records is not None else load_records(store, dashboard.kinds)
        services = sorted({str(s) for frame in self.records.values() for s in frame["service"].dropna().unique()})
        self.service = stacked(widgets.Dropdown(description="Service", options=[("All services", "")] +
                                                [(s, s) for s in services]))
        self.start = stacked(widgets.DatePicker(description="From"))
        self.end = stacked(widgets.DatePicker(description="To"))
        self.person = stacked(widgets.Text(description="Person ref (for example P-0007)", continuous_update=False))
        self.status = widgets.HTML()
        controls = [self.service, self.start, self.end] + ([self.person] if dashboard.person_filter else [])
        for control in controls:
            control.observe(lambda _c: self.redraw(), names="value")
        self._drawing: View | None = None  # the view panels left for later belong to
        self.images: dict[str, widgets.HTML] = {}
        self.pngs: dict[str, bytes] = {}  # each chart as last drawn, as offered for download
        self._remembered: OrderedDict[tuple[Filters, str], Shown] = OrderedDict(drawn or {})
        self.details: dict[str, widgets.HTML] = {}
        parts = []
        for panel in dashboard.panels:
            self.images[panel.key] = widgets.HTML()
            self.details[panel.key] = widgets.HTML()
            parts += [widgets.HTML(html_block(f"<h2>{html.escape(panel.title)}</h2><p>{html.escape(panel.explain)}</p>")),
                      self.images[panel.key], self.details[panel.key]]
        back = link(page_for(dashboard.path), START_PAGE)
        self.widget = widgets.VBox([
            widgets.HTML(html_block(f'<p><a href="{html.escape(back)}">Back to the start page</a></p>'
                                    f"<h1>{html.escape(dashboard.title)}</h1><p>{html.escape(dashboard.intro)}</p>")),
            row_of(controls), self.status, *parts,
        ])
        self.redraw()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def filters(self) -> Filters:
        person = self.person.value.strip() if self.dashboard.person_filter else ""
        return Filters(service=self.service.value or None, start=self.start.value, end=self.end.value,
                       person_ref=person or None)

    def redraw(self) -> None:
        try:
            view = filtered_view(self.records, self.filters())
        except PcpError as error:
            self.status.value = status_html(str(error), problem=True)
            return
        shown = {kind: len(frame) for kind, frame in view.records.items()}
        self.status.value = status_html("Showing " + ", ".join(f"{n:,} {kind.replace('_', ' ')} records"
                                                               for kind, n in shown.items()) + ".")
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
            self.details[panel.key].value = status_html("Drawing this chart…")
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
        self.images[panel.key].value = image
        self.details[panel.key].value = details

    def _draw(self, panel: Panel, view: View) -> None:
        try:
            shown = render_panel(panel, view)
            self._show(panel, *shown)
            self._remembered[(view.filters, panel.key)] = shown
            if len(self._remembered) > REMEMBERED_PANELS:
                self._remembered.popitem(last=False)
        except PcpError as error:
            self.details[panel.key].value = status_html(str(error), problem=True)
        except Exception as error:  # never a traceback on the page; the server log has it
            report_unexpected(f"{self.dashboard.title} page", error)
            self.details[panel.key].value = status_html(
                "This chart could not be drawn because of something we did not expect; the details are in the "
                "server's log.", problem=True)

