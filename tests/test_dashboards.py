"""The four audit dashboards, driven without a browser: every panel drawn, filters, words, downloads."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import io
import re

import openpyxl
import pandas as pd
import pytest

from pcp_widgets.audit.demo import DEMO_PERSON, DEMO_SERVICE, run_demo
from pcp_widgets.audit.frames import Filters
from pcp_widgets.audit.importer import import_files
from pcp_widgets.store import open_store
from pcp_widgets.ui.dashboards import DASHBOARDS, INCIDENTS, PLAN_QUALITY
from pcp_widgets.ui.dashboard import DashboardPage, filtered_view, load_records
from tests.workbook_files import headers, row, write_workbook

UNEXPECTED = "could not be drawn"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('dashboards') / 'demo.sqlite'}"
    store = open_store(url)
    with contextlib.redirect_stdout(io.StringIO()):
        run_demo(store, out_dir=None, services=3, months=12, seed=1, quiet=True)
    yield store
    store.dispose()


def links(html_text: str) -> dict[str, bytes]:
    return {name: base64.b64decode(data) for name, data in
            re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', html_text)}


def xlsx_of(details: str):
    """The table download of a panel, opened with openpyxl (its one sheet)."""
    data = next(v for k, v in links(details).items() if k.endswith(".xlsx"))
    return openpyxl.load_workbook(io.BytesIO(data)).active




@pytest.mark.parametrize("path", list(DASHBOARDS))
def test_every_panel_draws_a_chart_a_table_and_downloads(demo_store, path):
    page = DashboardPage(DASHBOARDS[path], demo_store)
    for panel in DASHBOARDS[path].panels:
        details = page.details[panel.key].value
        assert UNEXPECTED not in page.notes[panel.key].value, panel.key
        assert page.pngs[panel.key].startswith(b"\x89PNG"), panel.key
        assert 'alt="Chart: ' in page.images[panel.key].value
        files = links(details)
        assert any(name.endswith(".png") for name in files) and any(name.endswith(".xlsx") for name in files)
        sheet = xlsx_of(details)
        header = [cell.value for cell in next(sheet.iter_rows(min_row=4, max_row=4))]
        if panel.headers:  # only the columns with a heading, in words
            assert header == [panel.headers[c] for c in panel.headers if c in panel.table(
                filtered_view(page.records, Filters())).columns], panel.key


def test_plan_quality_trend_says_what_the_run_chart_shows(demo_store):
    page = DashboardPage(PLAN_QUALITY, demo_store)
    words = page.details["trend"].value
    assert "special cause" in words.lower() or "no special cause" in words.lower()
    assert "Mean score" in words  # the table behind the chart


def test_filtering_to_one_service_shows_only_that_service(demo_store):
    page = DashboardPage(PLAN_QUALITY, demo_store)
    everyone = page.status.value
    services = [value for _, value in page.service.options if value]
    page.service.value = services[0]
    assert page.status.value != everyone
    table = page.details["services"].value
    assert services[0] in table and all(other not in table for other in services[1:])


def test_going_back_to_filters_seen_before_shows_the_panels_as_drawn_then(demo_store):
    page = DashboardPage(PLAN_QUALITY, demo_store)
    first = dict(page.pngs)
    services = [value for _, value in page.service.options if value]
    page.service.value = services[0]
    assert all(page.pngs[key] is not first[key] for key in first)  # drawn afresh for one service
    page.service.value = ""
    assert all(page.pngs[key] is first[key] for key in first)  # the very same charts: nothing redrawn
    assert services[1] in page.details["services"].value


def test_a_start_after_the_end_says_so(demo_store):
    page = DashboardPage(PLAN_QUALITY, demo_store)
    page.end.value = dt.date(2025, 1, 1)
    page.start.value = dt.date(2025, 6, 1)
    assert "is after the end date" in page.status.value


def test_the_demo_persons_plan_change_is_judged_in_words(demo_store):
    page = DashboardPage(INCIDENTS, demo_store)
    page.person.value = DEMO_PERSON
    words = page.details["refusals"].value
    assert re.search(r"Refusals fell from [\d.]+ to [\d.]+ per 28 days", words), words[-2000:]
    page.person.value = "P-9999"
    assert "No records have the person ref P-9999" in page.status.value
    assert "No records have the person ref P-9999" in page.notes["refusals"].value
    assert page.images["refusals"].value == "" and "Too few points" not in page.details["refusals"].value


def legend_labels(figure) -> list[str]:
    return [text.get_text() for axes in figure.axes if axes.get_legend() for text in axes.get_legend().get_texts()]


def test_plan_changes_are_drawn_for_a_chosen_person_or_service_only(demo_store):
    """Every service's plan changes at once would be hundreds of lines a year hiding the chart."""
    records = load_records(demo_store, INCIDENTS.kinds)
    refusals = INCIDENTS.panels[0]
    for filters, drawn in ((Filters(), False), (Filters(person_ref=DEMO_PERSON), True),
                           (Filters(service=DEMO_SERVICE), True)):
        view = filtered_view(records, filters)
        labels = legend_labels(refusals.draw(refusals.table(view), view).figure)
        assert any(label.startswith("plan change") for label in labels) == drawn, (filters, labels)


def test_with_a_service_chosen_each_persons_plan_change_is_judged_on_their_own_refusals(demo_store):
    page = DashboardPage(INCIDENTS, demo_store)
    page.service.value = DEMO_SERVICE
    words = page.details["refusals"].value
    assert re.search(rf"{DEMO_PERSON} \({DEMO_SERVICE}\), plan changed [\d/]+ \([^)]*\): Refusals fell", words), \
        words[-2000:]
    assert "other people&#x27;s plan changes showed no clear change" in words


def test_names_in_the_data_are_shown_as_text(store, tmp_path):
    hostile = "<img src=x onerror=alert(1)>"
    rows = [headers("file_audit"), row("file_audit", service=hostile)]
    import_files([write_workbook(tmp_path / "a.xlsx", {"File audit": rows})], store)
    page = DashboardPage(PLAN_QUALITY, store)
    shown = "".join(d.value for d in page.details.values()) + "".join(o[0] for o in page.service.options)
    assert hostile not in "".join(d.value for d in page.details.values())
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown


def test_a_page_opened_after_an_import_shows_the_new_records(store, tmp_path):
    from pcp_widgets.ui.dashboards import dashboard_page

    first = [headers("file_audit"), row("file_audit", service="Oak House")]
    import_files([write_workbook(tmp_path / "a.xlsx", {"File audit": first})], store)
    page = dashboard_page(PLAN_QUALITY.path, store)
    assert "1 file audit records" in page.status.value
    second = [headers("file_audit"), row("file_audit", service="Elm Court")]
    import_files([write_workbook(tmp_path / "b.xlsx", {"File audit": second})], store)
    assert "2 file audit records" in dashboard_page(PLAN_QUALITY.path, store).status.value


def test_copied_reviews_chart_shows_the_services_with_most_first_on_a_whole_number_axis():
    from pcp_widgets.audit import charts
    from pcp_widgets.ui.dashboards import _copies_by_service

    copies = pd.DataFrame({"service": ["Ash", "Birch", "Birch", "Cedar", "Cedar", "Cedar", "Alder"]})
    table = _copies_by_service(copies)
    assert list(zip(table["service"], table["reviews"])) == [("Cedar", 3), ("Birch", 2), ("Alder", 1), ("Ash", 1)]
    figure = charts.bar_chart(table, "service", "reviews", "Near-identical reviews", "Reviews")
    charts.png_bytes(figure)
    ticks = [label.get_text() for label in figure.axes[0].get_xticklabels() if label.get_text()]
    assert ticks and all(tick.isdigit() for tick in ticks), ticks


def test_panels_drawn_ahead_are_shown_at_once_and_later_filters_are_drawn(demo_store):
    """A kernel kept warm draws the opening view before anyone visits; the page must show those
    panels without computing them again, and still draw any other filters."""
    import dataclasses

    from pcp_widgets.ui.dashboard import render_ahead

    records = load_records(demo_store, PLAN_QUALITY.kinds)
    drawn = render_ahead(PLAN_QUALITY, records)
    assert {key for _filters, key in drawn} == {panel.key for panel in PLAN_QUALITY.panels}

    def refuse(view):
        raise RuntimeError("the page computed a panel it had been given")

    refusing = dataclasses.replace(PLAN_QUALITY, panels=tuple(dataclasses.replace(panel, table=refuse)
                                                               for panel in PLAN_QUALITY.panels))
    page = DashboardPage(refusing, demo_store, records=records, drawn=drawn)
    for panel in PLAN_QUALITY.panels:
        assert page.images[panel.key].value == drawn[Filters(), panel.key][0]
        assert UNEXPECTED not in page.details[panel.key].value
    page.service.value = DEMO_SERVICE  # not drawn ahead: computed now (and here, refused)
    assert UNEXPECTED in page.notes["trend"].value
    assert page.images["trend"].value == ""  # not the chart of every service beside the sentence


def test_a_bar_chart_of_more_rows_than_it_draws_says_how_many_it_left_out():
    from pcp_widgets.audit import charts

    services = pd.DataFrame({"service": [f"Service {n}" for n in range(30)], "score": range(30)})
    assert charts.bar_chart(services, "service", "score", "Scores", "Score").axes[0].get_title(loc="left") \
        == "Scores (the first 20 of 30)"
    assert charts.bar_chart(services.head(20), "service", "score", "Scores", "Score").axes[0].get_title(
        loc="left") == "Scores"


def test_a_finding_two_panels_print_is_worked_out_once_per_view(demo_store):
    records = load_records(demo_store, INCIDENTS.kinds)
    view = filtered_view(records, Filters(service=DEMO_SERVICE))
    calls = []

    def judge(seen):
        calls.append(seen)
        return ("judged",)

    assert view.once(judge) == view.once(judge) == ("judged",)
    assert calls == [view]
    assert filtered_view(records, Filters(service=DEMO_SERVICE)).once(judge) == ("judged",) and len(calls) == 2
