"""Dates read day first, whatever the browser's language, and said back in words."""

import datetime as dt

import pytest

from pcp_widgets.ui.dates import DateField, DateNotUnderstood, in_words, parse_uk_date

JULY_FIRST = dt.date(2026, 7, 1)


@pytest.mark.parametrize("typed", ["01/07/2026", "1/7/26", "1/7/2026", "1.7.2026", "01-07-2026", "1 July 2026",
                                   "1st July 2026", "1 jul 26", "1 Jul. 2026", "01072026", "2026-07-01",
                                   "  1 July   2026 "])
def test_each_way_people_write_1_july_2026_is_read_as_1_july(typed):
    assert parse_uk_date(typed) == JULY_FIRST


def test_the_day_comes_first_even_where_a_us_reader_would_put_the_month():
    assert parse_uk_date("07/01/2026") == dt.date(2026, 1, 7)
    assert parse_uk_date("12/11/26") == dt.date(2026, 11, 12)


@pytest.mark.parametrize("typed, why", [
    ("31/06/2026", "there is no such day"),
    ("1 Jly 2026", "'jly' is not a month"),
    ("next Tuesday", "is not a date we can read"),
    ("13/13/2026", "there is no such day"),
])
def test_a_date_that_cannot_be_read_gets_one_sentence_quoting_what_was_typed(typed, why):
    with pytest.raises(DateNotUnderstood) as raised:
        parse_uk_date(typed)
    message = str(raised.value)
    assert why in message and f"'{typed}'" in message and "01/07/2026" in message
    assert message.count(".") == 1 and "\n" not in message


def test_an_empty_box_is_no_date():
    assert parse_uk_date("") is None and parse_uk_date("   ") is None


def test_dates_are_said_the_way_people_in_the_uk_say_them():
    assert in_words(JULY_FIRST) == "1 July 2026"
    assert in_words(dt.date(2026, 11, 30)) == "30 November 2026"


def test_the_field_says_the_date_back_in_words_and_keeps_the_last_good_date_on_a_mistake():
    field = DateField("From", said="From {date}")
    seen = []
    field.observe(lambda change: seen.append(change["new"]), names="value")
    field.box.value = "1/7/26"
    assert field.value == JULY_FIRST and "From 1 July 2026" in field.echo.value
    field.box.value = "31/06/2026"
    assert field.value == JULY_FIRST
    assert "there is no such day" in field.echo.value and field.problem
    field.box.value = ""
    assert field.value is None and field.echo.value == "" and field.problem == ""
    assert seen == [JULY_FIRST, None]


def test_a_date_set_by_the_page_shows_in_day_first_digits():
    field = DateField("To")
    field.value = dt.date(2026, 9, 30)
    assert field.box.value == "30/09/2026" and "To: 30 September 2026" in field.echo.value


def test_what_the_field_shows_is_escaped():
    field = DateField("<b>From</b>")
    field.box.value = "<script>alert(1)</script>"
    assert "<script>" not in field.echo.value
    field.box.value = "1/7/26"
    assert "<b>" not in field.echo.value
