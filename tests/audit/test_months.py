"""Months typed as YYYY-MM, shared by the report, the commissioner export and Working Together for Change."""

import datetime as dt

import pytest

from pcp_widgets.audit.schema.months import first_day, last_day, month_label, parse_month
from pcp_widgets.errors import UsageError


def test_a_month_round_trips_and_its_days_are_right_across_years_and_leap_februaries():
    for typed, label in (("2024-02", "2024-02"), ("2025-12", "2025-12"), (" 2026-3 ", "2026-03")):
        assert month_label(parse_month(typed)) == label
    assert (first_day(parse_month("2024-02")), last_day(parse_month("2024-02"))) == (dt.date(2024, 2, 1),
                                                                                    dt.date(2024, 2, 29))
    assert last_day(parse_month("2025-12")) == dt.date(2025, 12, 31)
    assert parse_month("2026-01") - parse_month("2025-12") == 1


@pytest.mark.parametrize("text", ["2025-13", "2025-00", "March 2025", "", "25-03", "2025/03"])
def test_anything_else_is_one_sentence_naming_the_option(text):
    with pytest.raises(UsageError, match=r"^--month .* is not a month: write it as YYYY-MM"):
        parse_month(text, "--month")
