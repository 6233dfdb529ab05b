"""Writing the commissioner tables (:mod:`pcp_widgets.audit.outputs.commissioners`): one workbook, or CSV files.

The workbook opens on a Contents sheet that says what every sheet shows and how small
numbers are protected, with the threshold actually used; a Trends sheet charts the whole
provider month by month with native Excel charts; then one sheet per table. Numbers are
written as numbers, hidden figures as text ("[c]", "[z]") in grey, and every other text
(service names included) with ``write_string``, so text that looks like a formula stays
text (:mod:`pcp_widgets.audit.outputs.sheets_out`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from pcp_widgets.audit.outputs.commissioners import ALL_MONTHS, PROVIDER, Aggregate, CommissionerData, Trend
from pcp_widgets.audit.analysis.disclosure import NOT_APPLICABLE, SUPPRESSED
from pcp_widgets.audit.outputs.sheets_out import (
    HEADER_FORMAT,
    WORKBOOK_OPTIONS,
    abandon,
    column_width,
    safe_sheet_names,
    write_csv,
)

TITLE = "Person-centred planning audits: evidence for commissioners"
CONTENTS, TRENDS = "Contents", "Trends"
TRENDS_ABOUT = ("The whole provider month by month, with charts: mean file score, practice matching the plan, "
                "incidents and refusals.")
NUMBER_FORMATS = {"count": "#,##0", "percent": "0.0", "minutes": "0.0"}
#: Dark grey on white (7:1 contrast): a hidden figure reads as different from a number, and still reads.
HIDDEN_FORMAT = {"font_color": "#595959", "align": "right"}
CHART_SIZE = {"x_scale": 1.6, "y_scale": 1.3}


def rules(data: CommissionerData) -> list[str]:
    """The Contents sheet's plain-words account of what is left out, the method, its symbols and the check."""
    least = data.min_count
    lines = [
        "Every figure here is a count or a summary of audit records. No person or staff ref, name, auditor, "
        "observer or free-text note is included.",
        f"The method (as NHS England and the Office for National Statistics publish small numbers): a figure about "
        f"fewer than {least} different people is hidden, however many records are behind it, because it could "
        f"point to someone. Every other count is rounded to the nearest 5, each from its own true value, so "
        "totals need not equal the sum of the figures they total.",
        f"{SUPPRESSED} means hidden: about fewer than {least} people, or hidden so that such a figure cannot be "
        "worked out from the others (it may then stand for any count, 0 included). A figure hidden for the second "
        "reason is about more people; it can never be worked out more closely than its rounded figure would "
        "have said, though it may be seen to be large.",
        f"A rounded figure means its true count is within 2 of it: 10 means 8 to 12. The lowest, 5, means "
        f"{least} to 7, because smaller counts are hidden. 0 means nobody.",
        f"{NOT_APPLICABLE} means not applicable: a share, mean or median of nobody. Shares, means and medians of "
        f"fewer than {least} people are hidden ({SUPPRESSED}).",
        f"\"{PROVIDER}\" is shown month by month and for the period; each service for the period only "
        f"(\"{ALL_MONTHS}\"). A service whose figures are all hidden is still listed, so you can see it was "
        "audited.",
        "Shares, scores and rates are percentages (0 to 100). A file score is (2 x Yes + 1 x Partly) / "
        f"(2 x questions answered other than N/A) x 100; its band is green at {data.bands.green:g} and above, "
        f"amber from {data.bands.amber:g} and red below.",
    ]
    if data.audit is not None:
        lines.append(data.audit.sentence())
    if data.free_text:
        lines.append(data.free_text)
    return lines


# -- xlsx ----------------------------------------------------------------------------------


def write_workbook(data: CommissionerData, path: Path) -> Path:
    """The commissioner workbook at ``path``; nothing is left there if writing fails half way."""
    path = Path(path)
    workbook = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)  # tables of this size fit in memory
    try:
        formats = _Formats(workbook)
        names = safe_sheet_names([CONTENTS, TRENDS, *(a.name for a in data.aggregates)])
        _write_contents(workbook.add_worksheet(names[0]), data, names[1:], formats)
        _write_trends(workbook, workbook.add_worksheet(names[1]), data.trend, formats)
        for aggregate, name in zip(data.aggregates, names[2:]):
            _write_aggregate(workbook.add_worksheet(name), aggregate, formats)
    except BaseException:
        abandon(workbook, path)
        raise
    workbook.close()
    return path


class _Formats:
    def __init__(self, workbook):
        self.header = workbook.add_format(HEADER_FORMAT)
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.bold = workbook.add_format({"bold": True})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.link = workbook.add_format({"font_color": "#1F4E79", "underline": 1, "valign": "top"})
        self.note = workbook.add_format({"italic": True})
        self.hidden = workbook.add_format(HIDDEN_FORMAT)
        self.numbers = {kind: workbook.add_format({"num_format": code}) for kind, code in NUMBER_FORMATS.items()}


def _write_contents(sheet, data: CommissionerData, names: list[str], formats: _Formats) -> None:
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 110, formats.wrap)
    sheet.write_string(0, 0, TITLE, formats.title)
    sheet.write_string(1, 0, f"Period: {data.period}. Services: {len(data.services)}. "
                             f"Made on {dt.date.today():%d/%m/%Y}.")
    sheet.write_string(3, 0, "Sheet", formats.header)
    sheet.write_string(3, 1, "What it shows", formats.header)
    abouts = [TRENDS_ABOUT, *(a.about for a in data.aggregates)]
    row = 4
    for row, (name, about) in enumerate(zip(names, abouts), start=4):
        sheet.write_url(row, 0, f"internal:'{name}'!A1", formats.link, string=name)
        sheet.write_string(row, 1, about)
    row += 2
    sheet.write_string(row, 0, "How small numbers are protected", formats.bold)
    for row, line in enumerate(rules(data), start=row + 1):
        sheet.write_string(row, 1, line)
    sheet.freeze_panes(4, 0)
    _print_setup(sheet)


def _write_trends(workbook, sheet, trend: Trend, formats: _Formats) -> None:
    """The provider's months as a small table (hidden figures left blank, so charts show a gap) and two charts."""
    columns = [column for column, _ in trend.series.values()]
    sheet.write_string(0, 0, "Month", formats.header)
    for c, column in enumerate(columns, start=1):
        sheet.write_string(0, c, column.header, formats.header)
        sheet.set_column(c, c, column_width(column.header))
    for r, month in enumerate(trend.months, start=1):
        sheet.write_string(r, 0, month)
        for c, (column, values) in enumerate(trend.series.values(), start=1):
            if values[r - 1] is not None:
                sheet.write_number(r, c, values[r - 1], formats.numbers[column.kind])
    last = len(trend.months)
    sheet.write_string(last + 2, 0, "A blank here is a figure hidden by the rule on the Contents sheet "
                                    "(or a month with nothing to summarise); the charts show it as a gap.",
                       formats.note)
    sheet.freeze_panes(1, 1)
    sheet.set_column(0, 0, 12)
    _print_setup(sheet)
    name = sheet.get_name()
    keys = list(trend.series)
    charts = [("line", "Mean file score and practice matching the plan (%), whole provider",
               [k for k in keys if trend.series[k][0].kind == "percent"], "Percent", {"min": 0, "max": 100}),
              ("column", "Incidents and refusals, whole provider",
               [k for k in keys if trend.series[k][0].kind == "count"], "Events", {"min": 0})]
    for number, (kind, title, series, axis, scale) in enumerate(charts):
        chart = workbook.add_chart({"type": kind})
        for key in series:
            c = keys.index(key) + 1
            marker = {"marker": {"type": "circle"}} if kind == "line" else {}
            chart.add_series({"name": [name, 0, c], "categories": [name, 1, 0, last, 0],
                              "values": [name, 1, c, last, c], **marker})
        chart.set_title({"name": title})
        chart.set_x_axis({"name": "Month"})
        chart.set_y_axis({"name": axis, **scale})
        chart.set_legend({"position": "bottom"})
        chart.show_blanks_as("gap")
        sheet.insert_chart(1 + number * 22, len(columns) + 2, chart, CHART_SIZE)


def _write_aggregate(sheet, aggregate: Aggregate, formats: _Formats) -> None:
    """Header, rows (numbers as numbers, hidden figures as grey text), widths, frozen labels and filters."""
    columns = aggregate.columns
    for c, column in enumerate(columns):
        sheet.write_string(0, c, column.header, formats.header)
    numbers = [formats.numbers.get(column.kind) for column in columns]
    longest = [0] * len(columns)
    hidden_rows = aggregate.hidden.tolist()
    for r, (row, hidden) in enumerate(zip(aggregate.rows, hidden_rows), start=1):
        for c, value in enumerate(row):
            if hidden[c]:
                sheet.write_string(r, c, value, formats.hidden)
            elif value is None:
                continue
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
                longest[c] = max(longest[c], len(value))
            else:
                sheet.write_number(r, c, value, numbers[c])
    if aggregate.note:
        sheet.write_string(1, 0, aggregate.note, formats.note)
    labels = sum(1 for column in columns if column.kind == "label")
    for c, column in enumerate(columns):
        sheet.set_column(c, c, column_width(column.header, longest[c]))
    sheet.freeze_panes(1, labels)
    sheet.autofilter(0, 0, max(len(aggregate.rows), 1), len(columns) - 1)
    _print_setup(sheet)
    sheet.repeat_rows(0)


def _print_setup(sheet) -> None:
    """Printed, a sheet is as wide as a landscape A4 page, however many pages long."""
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)


# -- csv -----------------------------------------------------------------------------------


def write_csv_folder(data: CommissionerData, folder: Path) -> Path:
    """One CSV file per table in ``folder`` (made if need be), and contents.csv saying what each holds."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for aggregate in data.aggregates:
        write_csv(folder / f"{aggregate.stem}.csv", aggregate.headers, aggregate.rows)
    listing = [(f"{a.stem}.csv", a.about) for a in data.aggregates]
    notes = [("", f"Period: {data.period}. Services: {len(data.services)}."), *(("", line) for line in rules(data))]
    write_csv(folder / "contents.csv", ["File", "What it shows"], [*listing, *notes])
    return folder
