"""pcp report monthly: the governance report for one month, as a real PDF."""

from __future__ import annotations

import subprocess
import sys

import pdfplumber
import pytest

from pcp_widgets.audit.outputs.monthly_report import Month, MonthlyReport, write_monthly_report
from pcp_widgets.errors import NotFound, UsageError
from pcp_widgets.store import open_store


def pcp(*args):
    return subprocess.run([sys.executable, "-m", "pcp_widgets.cli", *args], capture_output=True, text=True)


def test_the_report_has_every_section_with_charts_and_services(demo_url, tmp_path):
    out = tmp_path / "october.pdf"
    done = pcp("report", "monthly", "--month", "2026-10", "--out", str(out), "--db", demo_url)
    assert done.returncode == 0, done.stderr
    with pdfplumber.open(out) as pdf:
        text = "\n".join(page.extract_text() for page in pdf.pages)
        pictures = sum(len(page.images) for page in pdf.pages)
        assert all(page.width < page.height for page in pdf.pages)  # A4 portrait
    assert "Monthly governance report: October 2026" in text
    for heading in ("Headlines", "Plan quality by service, October 2026", "The weakest audit questions",
                    "Mean file score by month", "Refusals per week", "Incidents per week",
                    "Special causes reaching into this month", "Plan changes and what followed",
                    "Outcomes reviewed in October 2026", "Suggested actions", "About this report"):
        assert heading in text, heading
    assert pictures >= 4
    store = open_store(demo_url)
    scores = MonthlyReport(store, "2026-10").service_scores()
    store.dispose()
    assert len(scores) == 3
    for row in scores.itertuples():  # each service's band in words beside its score, not colour alone
        assert f"{row.service} {row.files} {row.mean_score:.1f} {row.rag} " in text, row.service


def test_suggested_actions_follow_the_numbers(demo_url):
    store = open_store(demo_url)
    report = MonthlyReport(store, "2026-10")
    scores = report.service_scores()
    actions = " ".join(report.suggested_actions().items)
    # the demo's October has a red service and others: both sides of the rule are tried
    assert "red" in set(scores["rag"].astype(str)) and len(scores) >= 2
    for row in scores.itertuples():
        assert (f"{row.service}: mean file score" in actions) == (str(row.rag) == "red")
    store.dispose()


def test_headline_compares_with_the_month_before(demo_url):
    store = open_store(demo_url)
    table = MonthlyReport(store, "2026-10").headline()
    audited = store.read_records("file_audit")["audit_date"]
    store.dispose()
    october = sum(1 for d in audited if (d.year, d.month) == (2026, 10))
    september = sum(1 for d in audited if (d.year, d.month) == (2026, 9))
    assert table.headers == ("Measure", "October 2026", "September 2026")
    assert table.rows[0] == (("Files audited",), (str(october),), (str(september),))


@pytest.mark.parametrize("month, error", [("2026-13", "YYYY-MM"), ("October", "YYYY-MM"), ("", "YYYY-MM")])
def test_a_bad_month_is_one_sentence_and_exit_2(demo_url, tmp_path, month, error):
    done = pcp("report", "monthly", "--month", month, "--out", str(tmp_path / "r.pdf"), "--db", demo_url)
    assert done.returncode == 2 and error in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_a_month_without_records_writes_nothing(demo_url, tmp_path):
    done = pcp("report", "monthly", "--month", "2020-01", "--out", str(tmp_path / "r.pdf"), "--db", demo_url)
    assert done.returncode == 1 and "There are no file audits" in done.stderr
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(NotFound):
        write_monthly_report(open_store(demo_url), "2020-01", tmp_path / "r.pdf")


def test_the_output_must_be_a_pdf_in_an_existing_folder(demo_url, tmp_path):
    with pytest.raises(UsageError, match="ending in .pdf"):
        write_monthly_report(open_store(demo_url), "2026-10", tmp_path / "r.docx")
    with pytest.raises(UsageError, match="does not exist"):
        write_monthly_report(open_store(demo_url), "2026-10", tmp_path / "missing" / "r.pdf")


def test_months_are_calendar_months():
    assert Month.parse("2024-02").end.day == 29
    assert Month.parse("2026-01").previous().name == "December 2025"
