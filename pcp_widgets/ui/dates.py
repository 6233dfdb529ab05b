"""Dates as people in the UK write them, whatever language the browser is set to.

A browser's own date picker shows and reads dates in the order of the computer's language
(mm/dd/yyyy on a PC set to US English, where 01/07/2026 is 7 January). These fields are plain
text boxes read here, always day first: ``01/07/2026``, ``1/7/26``, ``1.7.2026``, ``1 July 2026``,
``1 Jul 26``, ``01072026`` and ``2026-07-01`` all mean 1 July 2026. The field says the date back in words
("From 1 July 2026") so nobody has to trust the order of the digits, and a date it cannot read
gets one sentence saying what to type.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import re

import ipywidgets as widgets
import traitlets

from pcp_widgets.errors import PcpError

#: Month names and their usual short forms, lower case, to their numbers.
MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    MONTHS[calendar.month_name[_number].lower()] = _number
    MONTHS[calendar.month_abbr[_number].lower()] = _number
MONTHS["sept"] = 9

EXAMPLE = "for example 01/07/2026 or 1 July 2026"
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_PACKED = re.compile(r"^(\d{2})(\d{2})(\d{4})$")  # 01072026, as typed into a browser's date box
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{2}|\d{4})$")


class DateNotUnderstood(PcpError):
    """A date typed in a way we cannot read, or one that does not exist (31 June)."""

    def __init__(self, text: str, why: str = ""):
        self.text = text
        shown = text if len(text) <= 40 else text[:39] + "…"
        super().__init__(f"'{shown}' is not a date we can read{why}: type the day first, {EXAMPLE}.")


def _year(digits: str) -> int:
    """A year as typed: two digits are this century (26 is 2026)."""
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def parse_uk_date(text: str) -> dt.date | None:
    """The date ``text`` means, read day first; None for an empty box. Raises :class:`DateNotUnderstood`."""
    cleaned = " ".join((text or "").strip().lower().split())
    if not cleaned:
        return None
    day = month = year = None
    if match := _ISO.match(cleaned):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _NUMERIC.match(cleaned):
        day, month, year = int(match[1]), int(match[2]), _year(match[3])
    elif match := _PACKED.match(cleaned):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    elif match := _WORDS.match(cleaned):
        if match[2] not in MONTHS:
            raise DateNotUnderstood(text, f" ('{match[2]}' is not a month)")
        day, month, year = int(match[1]), MONTHS[match[2]], _year(match[3])
    else:
        raise DateNotUnderstood(text)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateNotUnderstood(text, " (there is no such day)") from None


def in_words(date: dt.date) -> str:
    """A date as people say it in the UK: '1 July 2026'."""
    return f"{date.day} {calendar.month_name[date.month]} {date.year}"


def uk_digits(date: dt.date) -> str:
    """A date in the day-first digits this field shows: '01/07/2026'."""
    return date.strftime("%d/%m/%Y")


class DateField(widgets.VBox):
    """A labelled text box for a day-first date, with the date said back in words under it.

    ``value`` is a :class:`datetime.date` or None, observed like any widget's value; it changes
    only when the box holds a date that can be read (or is emptied). ``problem`` holds the
    sentence shown for a date that cannot be read, "" when there is none.
    """

    value = traitlets.Any(None)
    problem = traitlets.Unicode("")

    def __init__(self, description: str, value: dt.date | None = None, said: str = "{label}: {date}", **kwargs):
        """``said`` is how the date is said back, from the label and the date in words ("From {date}")."""
        self.description = description
        self.said = said
        self.box = widgets.Text(description=description, placeholder="dd/mm/yyyy",
                                value=uk_digits(value) if value else "", continuous_update=False)
        self.box.add_class("pcp-stacked")
        self.echo = widgets.HTML()
        super().__init__([self.box, self.echo], **kwargs)
        self.add_class("pcp-date")
        self.value = value
        self._say_back()
        self.box.observe(self._typed, names="value")
        self.observe(self._shown, names="value")

    def _typed(self, change) -> None:
        try:
            date = parse_uk_date(change["new"])
        except DateNotUnderstood as error:
            self.problem = str(error)
            self._say_back()
            return
        self.problem = ""
        if date == self.value:
            self._say_back()
        self.value = date

    def _shown(self, change) -> None:
        """The value was set (by the person or by the page): the box shows it in day-first digits."""
        date = change["new"]
        if parse_uk_date_or_none(self.box.value) != date:
            self.box.value = uk_digits(date) if date is not None else ""
        self._say_back()

    def _say_back(self) -> None:
        if self.problem:
            self.echo.value = f"<p class='pcp-problem' role='alert'>{html.escape(self.problem)}</p>"
        elif self.value is not None:
            words = self.said.format(label=self.description, date=in_words(self.value))
            self.echo.value = f"<p class='pcp-date-words'>{html.escape(words)}</p>"
        else:
            self.echo.value = ""

    def focus(self) -> None:
        self.box.focus()


def parse_uk_date_or_none(text: str) -> dt.date | None:
    """:func:`parse_uk_date`, with None for what cannot be read."""
    try:
        return parse_uk_date(text)
    except DateNotUnderstood:
        return None


__all__ = ["DateNotUnderstood", "parse_uk_date", "parse_uk_date_or_none", "in_words", "uk_digits", "DateField"]
