"""Value types of the audit sheets: how one cell is read, checked and described.

Each type knows four things, so that nothing about a column is said twice:

* ``normalise(raw)`` turns what a spreadsheet reader gives (str, float, int, bool,
  date, datetime, time) into the stored value, or raises :class:`InvalidValue` with a
  reason a person can act on;
* ``storage``: the column type the store keeps (``text``, ``date``, ``time``, ``int``);
* ``dropdown`` (the template's list of choices) and ``number_format``;
* ``describe()``: the sentence the template's "How to fill in" sheet shows.

The spelling rules are those of docs/domain.md (the audit sheets): UK day-first dates, never US order.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from pcp_widgets.errors import InvalidValue

EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Serial numbers outside these years are far more likely a typo than an audit date.
PLAUSIBLE_YEARS = range(1950, 2101)


def is_blank(raw) -> bool:
    """True for an empty cell: None, or text that is only white space."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def show(raw) -> str:
    """How a raw cell value is quoted back to a person in an error message."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.strftime("%d/%m/%Y %H:%M") if raw.time() != dt.time() else raw.strftime("%d/%m/%Y")
    if isinstance(raw, dt.date):
        return raw.strftime("%d/%m/%Y")
    if isinstance(raw, dt.time):
        return raw.strftime("%H:%M")
    return str(raw).strip() if isinstance(raw, str) else str(raw)


def fold(text: str) -> str:
    """Case-, space- and punctuation-forgiving form used to match words people type."""
    text = text.replace("&", " and ").replace("_", " ").replace("-", " ")
    return " ".join(text.lower().split())


class ValueType:
    storage = "text"
    dropdown: tuple[str, ...] | None = None
    number_format: str | None = None

    def normalise(self, raw):
        raise InvalidValue("this column has no type")  # pragma: no cover - every subclass overrides

    def normalise_plain(self, raws) -> dict:
        """``{raw: normalise(raw)}`` for those of ``raws`` that are plainly fine, worked out together.

        A shortcut for the values a column mostly holds, where one call of ``normalise`` each
        would cost more than the checking itself; anything left out (blanks, problems, other
        kinds of cell) still goes through ``normalise`` one at a time, so the result is the same.
        """
        return {}

    def describe(self) -> str:
        return "Text."


# -- answers ---------------------------------------------------------------------------

_ANSWER_SPELLINGS = {
    "Yes": ("yes", "y", "✓", "✔", "true", "1"),
    "Partly": ("partly", "partial", "p"),
    "No": ("no", "n", "✗", "✘", "false", "0"),
    "N/A": ("n/a", "na", "not applicable"),
}


@dataclass(frozen=True)
class Answer(ValueType):
    """Yes / Partly / No / N/A, with the other spellings docs/domain.md lists (Y, P, N, NA, ✓...)."""

    allow_partly: bool = True

    @property
    def dropdown(self):  # type: ignore[override]
        return ("Yes", "Partly", "No", "N/A") if self.allow_partly else ("Yes", "No", "N/A")

    def normalise(self, raw):
        if isinstance(raw, bool):
            return "Yes" if raw else "No"
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return "Yes" if raw == 1 else "No"
        text = " ".join(str(raw).strip().lower().split())
        for answer, spellings in _ANSWER_SPELLINGS.items():
            if text in spellings:
                if answer == "Partly" and not self.allow_partly:
                    raise InvalidValue("Partly is not an answer here: use Yes, No or N/A")
                return answer
        raise InvalidValue(f"is not an answer: use {self._choices_in_words()}")

    def _choices_in_words(self) -> str:
        return "Yes, Partly, No or N/A" if self.allow_partly else "Yes, No or N/A"

    def describe(self) -> str:
        return f"{self._choices_in_words()} (Y, N, ✓ and ✗ are read too)."


# -- dates and times -------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_NAMED_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([a-z]+)\.?,?[\s\-]+(\d{2}|\d{4})$")
_TRAILING_TIME = re.compile(r"[ T]\d{1,2}[:.]\d{2}(?::\d{2}(?:\.\d+)?)?$")


def _full_year(text: str) -> int:
    """Two-digit years as Excel reads them: 00-29 are 20xx, 30-99 are 19xx."""
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 30 else 1900
    return year


def _make_date(year: int, month: int, day: int, raw) -> dt.date:
    if not 1 <= month <= 12:
        hint = " (dates are read day first, as dd/mm/yyyy)" if 1 <= day <= 12 else ""
        raise InvalidValue(f"has no month {month}{hint}")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InvalidValue(f"is not a real date: {dt.date(year, month, 1):%B %Y} has no day {day}") from None


def _serial_to_date(serial: float) -> dt.date:
    if isinstance(serial, float) and not math.isfinite(serial):
        raise InvalidValue("is not a date")
    try:
        value = EXCEL_EPOCH + dt.timedelta(days=math.floor(serial))
    except OverflowError:
        raise InvalidValue("is not a date") from None
    if value.year not in PLAUSIBLE_YEARS:
        raise InvalidValue("is a number that is not a plausible date: type it as dd/mm/yyyy")
    return value


@dataclass(frozen=True)
class Date(ValueType):
    storage = "date"
    number_format = "dd/mm/yyyy"

    def normalise(self, raw):
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, bool):
            raise InvalidValue("is not a date")
        if isinstance(raw, (int, float)):
            return _serial_to_date(raw)
        return self._parse_text(str(raw).strip())

    @staticmethod
    def _parse_text(text: str) -> dt.date:
        text = _TRAILING_TIME.sub("", text.lower()).strip()
        if match := _DAY_FIRST.match(text):
            day, month, year = match.groups()
            return _make_date(_full_year(year), int(month), int(day), text)
        if match := _YEAR_FIRST.match(text):
            year, month, day = match.groups()
            return _make_date(int(year), int(month), int(day), text)
        if (match := _NAMED_MONTH.match(text)) and match.group(2) in _MONTHS:
            day, month, year = match.groups()
            return _make_date(_full_year(year), _MONTHS[month], int(day), text)
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return _serial_to_date(float(text))
        raise InvalidValue("is not a date: write it as dd/mm/yyyy, for example 07/03/2025")

    def describe(self) -> str:
        return "A date, day first: dd/mm/yyyy (for example 07/03/2025 is 7 March 2025)."


_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")
_COMPACT_CLOCK = re.compile(r"^(\d{2})(\d{2})$")


@dataclass(frozen=True)
class Time(ValueType):
    storage = "time"
    number_format = "hh:mm"

    def normalise(self, raw):
        if isinstance(raw, dt.datetime):
            return raw.time().replace(microsecond=0)
        if isinstance(raw, dt.time):
            return raw.replace(microsecond=0)
        if isinstance(raw, dt.timedelta):
            return self._from_seconds(raw.total_seconds())
        if isinstance(raw, bool):
            raise InvalidValue("is not a time")
        if isinstance(raw, (int, float)):
            if not 0 <= raw < 1:
                raise InvalidValue("is not a time of day: write it as hh:mm, for example 14:30")
            return self._from_seconds(raw * 86400)
        return self._parse_text(str(raw).strip().lower())

    @staticmethod
    def _from_seconds(seconds: float) -> dt.time:
        seconds = round(seconds)
        if not 0 <= seconds < 86400:
            raise InvalidValue("is not a time of day: write it as hh:mm, for example 14:30")
        return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)

    @staticmethod
    def _parse_text(text: str) -> dt.time:
        match = _COMPACT_CLOCK.match(text) or _CLOCK.match(text)
        if not match or (match.re is _CLOCK and match.group(2) is None and not match.group(4)):
            raise InvalidValue("is not a time: write it as hh:mm, for example 14:30")
        groups = match.groups()
        hour, minute = int(groups[0]), int(groups[1] or 0)
        second = int(groups[2] or 0) if len(groups) > 2 else 0
        meridiem = (groups[3] or "").replace(".", "") if len(groups) > 3 else ""
        if meridiem:
            if not 1 <= hour <= 12:
                raise InvalidValue("is not a time: with am or pm the hour is 1 to 12")
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
        if hour > 23 or minute > 59 or second > 59:
            raise InvalidValue("is not a time: hours go to 23 and minutes to 59")
        return dt.time(hour, minute, second)

    def describe(self) -> str:
        return "A time of day on the 24-hour clock: hh:mm (for example 14:30)."


# -- text, refs, choices and numbers ---------------------------------------------------


def _as_text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, (dt.date, dt.time)):
        return raw.isoformat()
    return str(raw).strip()


@dataclass(frozen=True)
class Text(ValueType):
    max_length: int = 2000

    def normalise(self, raw):
        text = raw.strip() if type(raw) is str else _as_text(raw)  # most cells are text: the short way first
        if len(text) > self.max_length:
            raise InvalidValue(f"is {len(text)} characters long; this column takes at most {self.max_length}")
        return text

    def normalise_plain(self, raws) -> dict:
        """Text cells that are not blank and not too long: their stripped text."""
        limit = self.max_length
        stripped = {raw: raw.strip() for raw in raws if type(raw) is str}
        return {raw: text for raw, text in stripped.items() if text and len(text) <= limit}

    def describe(self) -> str:
        return "Text."


#: Two or more capitalised words ("John Smith", "Mary-Ann O'Neill"): how a name, not a code, looks.
_LOOKS_LIKE_NAME = re.compile(r"^[A-Z][a-z]+(?:['\-][A-Za-z][a-z]*)*(?:\s+[A-Z][a-z]*(?:['\-][A-Za-z][a-z]*)*)+$")


@dataclass(frozen=True)
class Ref(Text):
    """A pseudonymous code such as P-0042. Never a name: a name-like value is kept but warned about."""

    max_length: int = 40

    @staticmethod
    def looks_like_name(value: str) -> bool:
        return bool(_LOOKS_LIKE_NAME.match(value))

    @staticmethod
    def names_among(values) -> set[str]:
        """Those of ``values`` (refs, already normalised) that look like a personal name."""
        return set(filter(_LOOKS_LIKE_NAME.match, values))

    def describe(self) -> str:
        return "A pseudonymous code such as P-0042: never a person's name."


@dataclass(frozen=True)
class Choice(ValueType):
    """One of a fixed list, read forgivingly (case, spaces, '&' for 'and'), stored as declared."""

    options: tuple[str, ...]
    aliases: dict[str, str] = field(default_factory=dict)

    @property
    def dropdown(self):  # type: ignore[override]
        return self.options

    def normalise(self, raw):
        folded = fold(_as_text(raw))
        for option in self.options:
            if fold(option) == folded:
                return option
        for alias, option in self.aliases.items():
            if fold(alias) == folded:
                return option
        raise InvalidValue(f"is not one of the choices: {', '.join(self.options)}")

    def describe(self) -> str:
        return "One of: " + ", ".join(self.options) + "."


@dataclass(frozen=True)
class WholeNumber(ValueType):
    storage = "int"
    number_format = "0"
    minimum: int | None = 0
    maximum: int | None = None

    def normalise(self, raw):
        if isinstance(raw, bool):
            raise InvalidValue("is not a whole number")
        if isinstance(raw, str):
            text = raw.strip().replace(",", "")
            try:
                raw = float(text)
            except ValueError:
                raise InvalidValue(f"is not a whole number: {self._range_in_words()}") from None
        if not isinstance(raw, (int, float)) or not math.isfinite(raw) or raw != int(raw):
            raise InvalidValue(f"is not a whole number: {self._range_in_words()}")
        number = int(raw)
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise InvalidValue(f"is out of range: {self._range_in_words()}")
        return number

    def _range_in_words(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"enter a whole number from {self.minimum} to {self.maximum}"
        if self.minimum is not None:
            return f"enter a whole number, {self.minimum} or more"
        return "enter a whole number"

    def describe(self) -> str:
        return self._range_in_words().replace("enter a", "A", 1) + "."
