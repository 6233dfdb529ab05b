"""The four audit dashboards, driven without a browser: every panel drawn, filters, words, downloads."""

from __future__ import annotations

import base64
import datetime as dt
import io
import html
import re

import openpyxl
import pandas as pd
import pytest

from pcp_widgets.audit.demo import DEMO_PERSON, DEMO_SERVICE
from pcp_widgets.audit.analysis.frames import Filters
from pcp_widgets.audit.ingest.importer import import_files
from pcp_widgets.ui.dashboards import DASHBOARDS, INCIDENTS, PLAN_QUALITY
from pcp_widgets.ui.dashboard import DashboardPage, filtered_view, load_records
from tests.support.workbook_files import headers, row, write_workbook

UNEXPECTED = "could not be drawn"


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
    from pcp_widgets.audit.outputs import charts
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
    from pcp_widgets.audit.outputs import charts

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


# -- person refs ----------------------------------------------------------------------------------


def test_a_person_ref_is_found_whatever_its_case(demo_store):
    page = DashboardPage(INCIDENTS, demo_store)
    page.person.value = DEMO_PERSON
    as_stored = page.status.value
    page.person.value = DEMO_PERSON.lower()
    assert page.status.value == as_stored  # the same records, and the ref said as the records spell it
    assert re.search(r"Showing [1-9][\d,]* event records", page.status.value)
    assert re.search(r"Refusals fell from [\d.]+ to [\d.]+ per 28 days", page.details["refusals"].value)


def test_a_person_in_another_service_is_said_to_have_no_records_there(demo_store):
    page = DashboardPage(INCIDENTS, demo_store)
    assert page.person.continuous_update  # applied as typed, not only after Enter
    other = next(value for _label, value in page.service.options if value and value != DEMO_SERVICE)
    page.service.value = other
    page.person.value = DEMO_PERSON.lower()
    said = f"{DEMO_PERSON} has no records in this service; their records are in {DEMO_SERVICE}."
    assert said.replace("'", "&#x27;") in page.status.value
    for panel in INCIDENTS.panels:
        assert "Too few points" not in page.details[panel.key].value + page.notes[panel.key].value
        assert page.images[panel.key].value == "" and panel.key not in page.pngs  # no chart of someone else
    page.service.value = DEMO_SERVICE
    assert "has no records" not in page.status.value and page.pngs["refusals"].startswith(b"\x89PNG")


def test_why_a_person_has_no_records_names_the_reason(demo_store):
    from pcp_widgets.audit.analysis.frames import why_no_person_records

    records = load_records(demo_store, INCIDENTS.kinds)

    def why(**chosen):
        filters = Filters(**chosen)
        return why_no_person_records(records, filtered_view(records, filters).records, filters)

    assert why(person_ref="p-0007".replace("0007", DEMO_PERSON[-4:])) is None
    assert why(person_ref="P-9999") == "No records have the person ref P-9999: check it against the person's file."
    assert why(person_ref=DEMO_PERSON, start=dt.date(2040, 1, 1)) == \
        f"{DEMO_PERSON} has no records in the chosen dates (from 1 January 2040)."
    assert why(service=DEMO_SERVICE) is None  # no person chosen: nothing to explain


# -- the filters in downloads and charts --------------------------------------------------------


def test_filters_in_words():
    from pcp_widgets.audit.analysis.frames import filters_in_words

    assert filters_in_words(Filters()) == "All services; all dates"
    assert filters_in_words(Filters(service="Oak House", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30),
                                    person_ref="P-0007")) == \
        "Service: Oak House; 1 July 2026 to 30 September 2026; person P-0007"
    assert filters_in_words(Filters(end=dt.date(2026, 9, 30))) == "All services; up to 30 September 2026"


def test_downloads_and_chart_titles_say_the_filters(demo_store):
    page = DashboardPage(INCIDENTS, demo_store)
    page.service.value = DEMO_SERVICE
    page.start.value, page.end.value = dt.date(2026, 7, 1), dt.date(2026, 9, 30)
    page.person.value = DEMO_PERSON.lower()
    words = f"Service: {DEMO_SERVICE}; 1 July 2026 to 30 September 2026; person {DEMO_PERSON}"
    files = links(page.details["refusals"].value)
    stem = "Refusals-per-week-Service-" + DEMO_SERVICE.replace(" ", "-") + \
        f"-1-July-2026-to-30-September-2026-person-{DEMO_PERSON}"
    assert set(files) == {stem + ".png", stem + ".xlsx"}
    assert files[stem + ".png"] == page.pngs["refusals"]
    sheet = xlsx_of(page.details["refusals"].value)
    assert [sheet.cell(row, 1).value for row in (1, 2, 3, 4)] == ["Refusals per week", words, None, "Week starting"]
    assert html.escape(words) in page.images["refusals"].value  # the chart's text alternative says them too


def test_a_charts_title_is_followed_by_the_filters(demo_store):
    from pcp_widgets.ui.dashboard import draw_panel

    records = load_records(demo_store, PLAN_QUALITY.kinds)
    view = filtered_view(records, Filters(service=DEMO_SERVICE))
    for panel in PLAN_QUALITY.panels:
        figure = draw_panel(panel, view)[1].figure
        boxes = dict((t.get_text(), box) for t, box in text_boxes(figure) if t in figure.texts)
        words = f"Service: {DEMO_SERVICE}; all dates"
        title = next(text for text in boxes if text != words)
        assert words in boxes and title and len(boxes) == 2, list(boxes)
        assert boxes[title].y0 > boxes[words].y1  # the title, then the filters under it
        assert boxes[words].y0 > figure.axes[0].get_window_extent().y1  # both above the chart
        assert not any(axes.get_title(loc) for axes in figure.axes for loc in ("left", "center"))  # said once


def canvas_of(figure):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)


# -- the tables a reader downloads --------------------------------------------------------------


def test_downloaded_tables_hold_the_readers_columns_rounded_with_months_in_words(demo_store):
    page = DashboardPage(PLAN_QUALITY, demo_store)
    trend = xlsx_of(page.details["trend"].value)
    assert [c.value for c in trend[4]] == ["Month", "Files audited", "Mean score", "Band"]
    month, score = trend.cell(5, 1), trend.cell(5, 3)
    assert isinstance(month.value, dt.datetime) and month.number_format == "mmm yyyy"
    assert isinstance(score.value, float) and round(score.value, 1) == score.value
    services = xlsx_of(page.details["services"].value)
    assert [c.value for c in services[4]] == ["Service", "Files audited", "Mean score", "Band",
                                               "Specific wording (%)"]  # not the chart's label column
    questions = xlsx_of(page.details["questions"].value)
    header = [c.value for c in questions[4]]
    assert "partly_share" not in header and "label" not in header and "not_applicable" not in header
    numbers = [c.value for row in questions.iter_rows(min_row=5) for c in row if isinstance(c.value, float)]
    assert numbers and all(round(n, 1) == n for n in numbers)
    assert "Jan 2026" in page.details["trend"].value or "Feb 2026" in page.details["trend"].value  # page table


def test_reader_table_rounds_drops_working_columns_and_keeps_small_fractions():
    from pcp_widgets.ui.dashboard import reader_table

    frame = pd.DataFrame({"service": ["Oak"], "mean_score": [64.7344322], "similarity": [0.98765],
                          "label": ["Oak (amber)"]})
    table = reader_table(frame, {"service": "Service", "mean_score": "Mean score", "similarity": "Similarity"})
    assert table.to_dict("records") == [{"Service": "Oak", "Mean score": 64.7, "Similarity": 0.99}]
    assert list(reader_table(frame[["service"]], {}).columns) == ["Service"]


def test_sheet_names_are_shortened_between_words():
    from pcp_widgets.audit.outputs.sheets_out import SHEET_NAME_LIMIT, sheet_name_at_word

    assert sheet_name_at_word("Reviews that repeat the previous one") == "Reviews that repeat"
    assert sheet_name_at_word("Practice matching the plan, by month") == "Practice matching the plan"
    assert sheet_name_at_word("Mean file score by service") == "Mean file score by service"
    for panel in (p for board in DASHBOARDS.values() for p in board.panels):
        name = sheet_name_at_word(panel.title)
        assert len(name) <= SHEET_NAME_LIMIT and panel.title.startswith(name), panel.title
        rest = panel.title[len(name):]
        assert rest == "" or rest[0] in " ,", panel.title  # never cut inside a word


def test_a_panels_workbook_is_named_by_its_title_cut_between_words(demo_store):
    from pcp_widgets.ui.dashboards import OUTCOMES

    page = DashboardPage(OUTCOMES, demo_store)
    assert xlsx_of(page.details["copies"].value).title == "Reviews that repeat"


# -- charts a reader can read -------------------------------------------------------------------


def text_boxes(figure):
    """Every piece of text drawn on ``figure``, with its box in pixels (drawn with matplotlib's renderer)."""
    from matplotlib.text import Text

    canvas_of(figure).draw()
    renderer = figure.canvas.get_renderer()
    undrawn = set()  # labels of ticks beyond the axis's ends, which matplotlib keeps but does not draw
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    undrawn |= {tick.label1, tick.label2}
    return [(t, t.get_window_extent(renderer)) for t in figure.findobj(Text)
            if t.get_visible() and t.get_text() and t not in undrawn]


def every_demo_chart(demo_store):
    """(name, figure) for every panel of every page, as the page draws it, for all and for chosen filters."""
    for board in DASHBOARDS.values():
        records = load_records(demo_store, board.kinds)
        choices = [Filters(), Filters(service=DEMO_SERVICE)]
        if board.person_filter:
            choices.append(Filters(person_ref=DEMO_PERSON))
        for filters in choices:
            view = filtered_view(records, filters)
            for panel in board.panels:
                from pcp_widgets.audit.outputs import charts
                from pcp_widgets.audit.analysis.frames import filters_in_words

                figure = panel.draw(panel.table(view), view).figure
                yield f"{panel.key} {filters}", charts.with_subtitle(figure, filters_in_words(filters))


@pytest.fixture(scope="module")
def demo_charts(demo_store):
    """Every demo chart, drawn once for the tests that look at them."""
    return list(every_demo_chart(demo_store))


def test_every_charts_words_lie_inside_the_picture(demo_charts):
    for name, figure in demo_charts:
        picture = figure.bbox
        for text, box in text_boxes(figure):
            assert box.x0 >= picture.x0 - 1 and box.x1 <= picture.x1 + 1 and box.y0 >= picture.y0 - 1 \
                and box.y1 <= picture.y1 + 1, (name, text.get_text())


def test_run_chart_words_do_not_sit_on_the_data_points(demo_charts):
    """The words beside special causes and the plan changes' labels are clear of every point drawn,
    on every run chart of the four pages, for every service, one service and the demo person."""
    import numpy as np
    from matplotlib.text import Text

    checked = set()
    for name, figure in demo_charts:
        axes = figure.axes[0]
        if not axes.lines or not axes.texts:
            continue
        line = axes.lines[0]  # a run chart's values
        points = axes.transData.transform(np.column_stack([axes.convert_xunits(line.get_xdata()),
                                                           line.get_ydata()]))
        # the words' own boxes (an annotation's box also holds the thin line joining it to its point)
        words = [(t, Text.get_window_extent(t)) for t, _box in text_boxes(figure) if t in axes.texts]
        for text, box in words:
            checked.add(text.get_text().split(" (")[0].split(": ")[-1])
            clear = [not (box.x0 - 2 <= x <= box.x1 + 2 and box.y0 - 2 <= y <= box.y1 + 2) for x, y in points]
            assert all(clear), (name, text.get_text())
            assert text.get_rotation() == 0, text.get_text()  # level, read without turning one's head
    assert {"plan change", "shift"} <= checked, checked


def test_the_weakest_questions_chart_shows_whole_questions_and_never_colours_no_green(demo_store):
    from matplotlib.colors import to_hex

    records = load_records(demo_store, PLAN_QUALITY.kinds)
    view = filtered_view(records, Filters())
    questions = PLAN_QUALITY.panels[2]
    table = questions.table(view)
    figure = questions.draw(table, view).figure
    axes = figure.axes[0]
    shown = [label.get_text().replace("\n", " ") for label in axes.get_yticklabels()]
    assert shown == list(table["text"])  # every question whole, none cut with "…"
    by_part = {text.get_text(): handle for handle, text in zip(axes.get_legend().legend_handles,
                                                               axes.get_legend().get_texts())}
    assert to_hex(by_part["No"].get_facecolor()) not in {"#009e73", "#008000", "#00ff00"}
    values = [t.get_text() for t in axes.texts]
    assert f"{table['yes_share'].iloc[0]:.0f}%" in values  # each part's share is written on it


def test_the_outcomes_month_axis_reads_like_the_others(demo_store):
    from pcp_widgets.ui.dashboards import OUTCOMES

    records = load_records(demo_store, OUTCOMES.kinds)
    view = filtered_view(records, Filters())
    on_time = next(p for p in OUTCOMES.panels if p.key == "on_time")
    figure = on_time.draw(on_time.table(view), view).figure
    canvas_of(figure).draw()
    ticks = [t.get_text() for t in figure.axes[0].get_xticklabels() if t.get_text()]
    assert ticks and not any(re.fullmatch(r"\d{4}-\d{2}", tick) for tick in ticks), ticks
    assert any(tick in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
               for tick in ticks), ticks


# -- a burst of filter changes --------------------------------------------------------------------


def test_arrowing_through_services_draws_the_first_at_once_and_then_only_where_it_stops(monkeypatch):
    """In a kernel: a change after a quiet spell is drawn at once; a burst is drawn once, when it stops."""
    import asyncio
    import threading

    from pcp_widgets.ui import dashboard, debounce

    drawn = []

    async def arrow_through():
        loop = asyncio.get_running_loop()
        monkeypatch.setattr(dashboard, "kernel_loop", lambda: loop)
        monkeypatch.setattr(debounce, "kernel_loop", lambda: loop)
        changed = dashboard.FirstThenQuiet(lambda: drawn.append(current[0]), pause=0.05)
        for service in ("Ash", "Birch", "Cedar", "Damson"):
            current[0] = service
            changed()
        first = list(drawn)
        await asyncio.sleep(0.2)
        return first

    current = ["-"]
    seen = []
    worker = threading.Thread(target=lambda: seen.append(asyncio.run(arrow_through())))
    worker.start()
    worker.join()
    assert seen == [["Ash"]] and drawn == ["Ash", "Damson"]


def test_a_grouped_bar_charts_key_never_lies_over_a_bar():
    from pcp_widgets.audit.outputs import charts

    frame = pd.DataFrame({"routine": ["activity", "meals", "personal care"], "incident": [3, 40, 90],
                          "refusal": [5, 38, 210]})  # the tallest bars in the top right corner
    figure = charts.with_subtitle(charts.grouped_bars(frame, "routine", ["incident", "refusal"], "Events", "Events"),
                                  "All services; all dates")
    canvas_of(figure).draw()
    axes = figure.axes[0]
    key = axes.get_legend().get_window_extent()
    assert not any(key.overlaps(bar.get_window_extent()) for bar in axes.patches)
    assert not any(key.overlaps(label.get_window_extent()) for label in axes.get_xticklabels())


def test_a_monthly_run_chart_of_three_months_is_ticked_by_month_not_by_day():
    """Left to itself matplotlib ticks three months by the day ("Oct 08 15 22 Nov")."""
    import matplotlib.dates as mdates
    import pandas as pd
    from matplotlib.figure import Figure

    from pcp_widgets.audit.outputs.charts import month_axis

    axes = Figure().add_subplot()
    months = pd.to_datetime(["2026-10-01", "2026-11-01", "2026-12-01"])
    axes.plot(months, [67.3, 66.9, 65.2])
    month_axis(axes, months)
    axes.figure.canvas.draw() if hasattr(axes.figure.canvas, "draw") else None
    ticks = [mdates.num2date(t) for t in axes.get_xticks()]
    assert ticks and all(t.day == 1 for t in ticks)
