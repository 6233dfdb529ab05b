"""Every normalisation rule of docs/domain.md (the audit sheets), one cell at a time."""

import datetime as dt

import pytest

from pcp_widgets.audit.schema.values import Answer, Choice, Date, Ref, Text, Time, WholeNumber, fold, is_blank, show
from pcp_widgets.errors import InvalidValue

ANSWER = Answer()
YES_NO = Answer(allow_partly=False)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Yes", "Yes"), ("yes", "Yes"), (" YES ", "Yes"), ("Y", "Yes"), ("y", "Yes"), ("✓", "Yes"), ("✔", "Yes"),
        ("True", "Yes"), ("true", "Yes"), ("1", "Yes"), (1, "Yes"), (1.0, "Yes"), (True, "Yes"),
        ("Partly", "Partly"), ("partial", "Partly"), ("P", "Partly"), ("p", "Partly"),
        ("No", "No"), ("n", "No"), ("✗", "No"), ("✘", "No"), ("FALSE", "No"), ("0", "No"), (0, "No"), (False, "No"),
        ("N/A", "N/A"), ("n/a", "N/A"), ("NA", "N/A"), ("Not applicable", "N/A"), ("not  applicable", "N/A"),
    ],
)
def test_answer_spellings(raw, expected):
    assert ANSWER.normalise(raw) == expected


@pytest.mark.parametrize("raw", ["Maybe", "yess", 2, 0.5, "Yes please", "?"])
def test_answer_rejects_what_it_cannot_read(raw):
    with pytest.raises(InvalidValue, match="Yes, Partly, No or N/A"):
        ANSWER.normalise(raw)


def test_yes_no_refuses_partly_with_a_reason():
    assert YES_NO.normalise("n/a") == "N/A"
    with pytest.raises(InvalidValue, match="Partly is not an answer here"):
        YES_NO.normalise("partial")
    assert YES_NO.dropdown == ("Yes", "No", "N/A")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("07/03/2025", dt.date(2025, 3, 7)),  # UK order: 7 March, never 3 July
        ("7/3/25", dt.date(2025, 3, 7)),
        ("07-03-2025", dt.date(2025, 3, 7)),
        ("07.03.2025", dt.date(2025, 3, 7)),
        ("2025-03-07", dt.date(2025, 3, 7)),
        ("2025/03/07", dt.date(2025, 3, 7)),
        ("7 March 2025", dt.date(2025, 3, 7)),
        ("7th Mar 2025", dt.date(2025, 3, 7)),
        ("07/03/2025 14:30", dt.date(2025, 3, 7)),
        (" 07/03/2025 ", dt.date(2025, 3, 7)),
        (45723, dt.date(2025, 3, 7)),  # an Excel serial number
        (45723.75, dt.date(2025, 3, 7)),
        ("45723", dt.date(2025, 3, 7)),
        (dt.datetime(2025, 3, 7, 9, 30), dt.date(2025, 3, 7)),
        (dt.date(2025, 3, 7), dt.date(2025, 3, 7)),
        ("1/2/99", dt.date(1999, 2, 1)),
    ],
)
def test_dates_are_read_day_first(raw, expected):
    assert Date().normalise(raw) == expected


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("03/25/2025", "no month 25"),  # US order is never guessed
        ("31/02/2025", "February 2025 has no day 31"),
        ("next Tuesday", "is not a date"),
        ("2025", "not a plausible date"),
        (5, "not a plausible date"),
        (True, "is not a date"),
        (float("nan"), "is not a date"),
    ],
)
def test_bad_dates_say_why(raw, reason):
    with pytest.raises(InvalidValue, match=reason):
        Date().normalise(raw)


def test_a_us_looking_date_hints_at_day_first():
    with pytest.raises(InvalidValue, match="day first"):
        Date().normalise("12/13/2025")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("14:30", dt.time(14, 30)), ("9:05", dt.time(9, 5)), ("09.05", dt.time(9, 5)), ("14:30:15", dt.time(14, 30, 15)),
        ("2:30 pm", dt.time(14, 30)), ("2pm", dt.time(14, 0)), ("12 am", dt.time(0, 0)), ("12:15 p.m.", dt.time(12, 15)),
        ("1430", dt.time(14, 30)), (0.5, dt.time(12, 0)), (dt.time(7, 45), dt.time(7, 45)),
        (dt.datetime(2025, 1, 1, 7, 45), dt.time(7, 45)), (dt.timedelta(hours=7, minutes=45), dt.time(7, 45)),
    ],
)
def test_times(raw, expected):
    assert Time().normalise(raw) == expected


@pytest.mark.parametrize("raw", ["25:00", "14:75", "13pm", "lunchtime", 1.5, "14"])
def test_bad_times(raw):
    with pytest.raises(InvalidValue, match="time"):
        Time().normalise(raw)


def test_text_is_trimmed_and_numbers_read_as_written():
    assert Text().normalise("  Oak House \n") == "Oak House"
    assert Text().normalise(12.0) == "12"
    assert Text().normalise(12.5) == "12.5"
    with pytest.raises(InvalidValue, match="at most 5"):
        Text(max_length=5).normalise("far too long")


def test_refs_that_look_like_names():
    assert Ref.looks_like_name("John Smith")
    assert Ref.looks_like_name("Mary-Ann O'Neill")
    assert not Ref.looks_like_name("P-0042")
    assert not Ref.looks_like_name("JS")
    assert not Ref.looks_like_name("john smith")
    assert not Ref.looks_like_name("Pat")


def test_choices_are_forgiving_but_stored_as_declared():
    routine = Choice(("personal care", "meals"), aliases={"mealtime": "meals"})
    assert routine.normalise("Personal Care") == "personal care"
    assert routine.normalise("personal-care") == "personal care"
    assert routine.normalise("  PERSONAL   care ") == "personal care"
    assert routine.normalise("Mealtime") == "meals"
    with pytest.raises(InvalidValue, match="one of the choices: personal care, meals"):
        routine.normalise("bedtime")


def test_ampersand_reads_as_and():
    assert fold("Incidents & Refusals") == "incidents and refusals"


@pytest.mark.parametrize("raw, expected", [(3, 3), (3.0, 3), ("3", 3), (" 12 ", 12), ("1,200", 1200), (0, 0)])
def test_whole_numbers(raw, expected):
    assert WholeNumber(minimum=0).normalise(raw) == expected


@pytest.mark.parametrize(
    "raw, number, reason",
    [
        (3.5, WholeNumber(minimum=0), "not a whole number"),
        ("three", WholeNumber(minimum=0), "not a whole number"),
        (-1, WholeNumber(minimum=0), "out of range: enter a whole number, 0 or more"),
        (12, WholeNumber(minimum=1, maximum=10), "from 1 to 10"),
        (True, WholeNumber(minimum=0), "not a whole number"),
        (float("inf"), WholeNumber(minimum=0), "not a whole number"),
    ],
)
def test_bad_whole_numbers(raw, number, reason):
    with pytest.raises(InvalidValue, match=reason):
        number.normalise(raw)


def test_blank_and_show():
    assert is_blank(None) and is_blank("   ") and is_blank("\n")
    assert not is_blank(0) and not is_blank("0")
    assert show(45.0) == "45"
    assert show(dt.date(2025, 3, 7)) == "07/03/2025"
    assert show("  x ") == "x"
