"""One file score: the dashboards, the monthly report and the commissioner export agree on the demo data.

Each computes means over many files its own way (the dashboards and the report through
pandas, the export through counts on a grid of services and months, rounded and checked
for disclosure), but all three score each file with :func:`pcp_widgets.audit.analysis.metrics.file_score`.
Here the three are read as a person reads them, on the same demo, and compared figure by figure
(that one file's score is the formula, counted by hand, is in test_metrics.py).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pcp_widgets.audit.outputs.commissioners import ALL_MONTHS, PROVIDER, Options, build
from pcp_widgets.audit.analysis.frames import Filters
from pcp_widgets.audit.outputs.monthly_report import MonthlyReport
from pcp_widgets.audit.schema.months import first_day, last_day, month_label, parse_month
from pcp_widgets.ui.dashboard import filtered_view, load_records
from pcp_widgets.ui.dashboards import PLAN_QUALITY
from tests.conftest import DEMO_LAST_MONTH

LAST = parse_month(DEMO_LAST_MONTH)
#: Months compared one by one, ending with the demo's last.
MONTHS = range(LAST - 5, LAST + 1)


def dashboard_table(store, key: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """A plan-quality panel's table, as the dashboard page computes it for the chosen dates."""
    panel = next(p for p in PLAN_QUALITY.panels if p.key == key)
    view = filtered_view(load_records(store, PLAN_QUALITY.kinds), Filters(start=start, end=end))
    return panel.table(view)


def commissioner_means(store, first: int, last: int) -> dict[tuple[str, str], tuple[object, str]]:
    """The export's File audits table: (service, month) -> (mean score as published, band)."""
    data = build(store, Options(first, last))  # the export's own threshold
    table = next(a for a in data.aggregates if a.name == "File audits")
    at = {header: number for number, header in enumerate(table.headers)}
    return {(row[at["Service"]], row[at["Month"]]): (row[at["Mean file score (%)"]], row[at["RAG"]])
            for row in table.rows}


def shown(value) -> float | None:
    """A published mean as a number; None where it is hidden or there is none."""
    return None if isinstance(value, str) else float(value)


def test_the_three_give_each_service_the_same_score_for_a_month(demo_store):
    month = LAST
    start, end = first_day(month), last_day(month)
    dashboard = dashboard_table(demo_store, "services", start, end).set_index("service")
    report = MonthlyReport(demo_store, month_label(month)).service_scores().set_index("service")
    export = commissioner_means(demo_store, month, month)
    assert len(dashboard) >= 2 and sorted(dashboard.index) == sorted(report.index)
    compared = 0
    for service, row in dashboard.iterrows():
        assert report.loc[service, "mean_score"] == pytest.approx(row["mean_score"])
        assert str(report.loc[service, "rag"]) == str(row["rag"])
        assert report.loc[service, "files"] == row["files"]
        value, band = export[(service, ALL_MONTHS)]
        if shown(value) is not None:
            assert shown(value) == round(row["mean_score"], 1), service
            assert band == str(row["rag"]).capitalize(), service
            compared += 1
    assert compared >= 2  # the export hid too few to leave nothing compared


def test_the_three_give_the_whole_provider_the_same_score_month_by_month(demo_store):
    start, end = first_day(MONTHS[0]), last_day(MONTHS[-1])
    dashboard = dashboard_table(demo_store, "trend", start, end)
    by_month = {month_label(parse_month(f"{m:%Y-%m}")): row for m, row in
                zip(dashboard["month"], dashboard.to_dict("records"))}
    export = commissioner_means(demo_store, MONTHS[0], MONTHS[-1])
    assert sorted(by_month) == [month_label(m) for m in MONTHS]
    for month in MONTHS:
        label = month_label(month)
        mean = by_month[label]["mean_score"]
        assert not np.isnan(mean)
        assert shown(export[(PROVIDER, label)][0]) == round(mean, 1), label
        headline = dict((row[0][0], row[1][0]) for row in MonthlyReport(demo_store, label).headline().rows)
        number, band = headline["Mean file score"].split(" ", 1)
        assert float(number) == pytest.approx(mean, abs=0.05), label
        assert band == f"({by_month[label]['rag']})", label

