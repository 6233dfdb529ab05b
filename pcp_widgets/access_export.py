"""The access log as a workbook: "who looked at Pat's plan this month?".

``pcp access-log`` calls :func:`write_access_log`; the admin page shows an :func:`extract_access_log`
and offers it as a download. Each entry is a row
with the person's ref and, from the register, the name they like to be called, since the data
protection lead reading it is allowed to know whose record it was. Text goes through
``sheets_out`` so a detail beginning with = + - @ stays text in Excel.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from pcp_widgets.audit.schema.months import first_day, last_day, parse_month
from pcp_widgets.audit.outputs.sheets_out import DATETIME_FORMAT, SheetData, write_xlsx
from pcp_widgets.errors import PcpError, UsageError

HEADERS = ["When", "User", "Action", "Person ref", "Preferred name", "Service", "Detail"]
_DAY_FIRST = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*")


@dataclass(frozen=True)
class Period:
    """Whole local days, ``first`` to ``last`` inclusive (either open)."""

    first: dt.date | None = None
    last: dt.date | None = None

    def bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The period as [start, end) instants in this computer's time zone."""
        start = _local_midnight(self.first) if self.first else None
        end = _local_midnight(self.last + dt.timedelta(days=1)) if self.last else None
        return start, end

    def describe(self) -> str:
        if self.first and self.last:
            return f"from {self.first:%d/%m/%Y} to {self.last:%d/%m/%Y}"
        if self.first:
            return f"from {self.first:%d/%m/%Y}"
        if self.last:
            return f"up to {self.last:%d/%m/%Y}"
        return "all dates"


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()).astimezone()


def parse_day(text: str, option: str, *, last: bool = False) -> dt.date:
    """A day as typed on the command line: 2026-07-31, 31/07/2026, or a month 2026-07 (its first day,
    or its last with ``last``, so --from 2026-07 --to 2026-07 is the whole of July)."""
    text = str(text).strip()
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        if re.fullmatch(r"\d{4}-\d{1,2}", text):
            month_number = parse_month(text, option)
            return last_day(month_number) if last else first_day(month_number)
        raise UsageError(f"{option} {text!r} is not a date: write it as YYYY-MM-DD (2026-07-31), DD/MM/YYYY "
                         "or a month YYYY-MM.")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a date: there is no such day.") from None


def person_ref_for(store, text: str) -> str:
    """The register ref ``text`` names: a ref, or a preferred name held by exactly one person."""
    try:
        return store.person(text).ref
    except PcpError:  # not a ref, or not one in the register: perhaps a name
        pass
    matches = [p for p in store.people(include_left=True) if p.preferred_name and
               p.preferred_name.casefold() == " ".join(str(text).split()).casefold()]
    if len(matches) == 1:
        return matches[0].ref
    if matches:
        raise UsageError(f"{len(matches)} people are called {text}: give a ref, one of "
                         f"{', '.join(p.ref for p in matches)}.")
    return str(text).strip().upper()  # a ref no longer (or never) in the register: its entries may still be there


@dataclass(frozen=True)
class AccessLogExtract:
    """The entries a set of filters picked out, as the workbook's rows, with the notes saying which filters."""

    ref: str | None
    rows: list[list]
    notes: list[str]

    @property
    def filters(self) -> str:
        return self.notes[1].removeprefix("Filters: ")

    def sheet(self) -> SheetData:
        return SheetData("Access log", HEADERS, self.rows, column_formats={0: DATETIME_FORMAT}, notes=self.notes)

    def log_export(self, store, by: str, file_name: str) -> None:
        """Record that the extract was written out (a file, or a page's download)."""
        store.log_access(by, "exported", self.ref,
                         f"the access log ({len(self.rows)} entries, {self.filters}) to {file_name}")


def extract_access_log(store, *, person: str | None = None, user: str | None = None, period: Period = Period(),
                       by: str) -> AccessLogExtract:
    """The matching entries, oldest first, each with the person's name and service from the register."""
    ref = person_ref_for(store, person) if person else None
    start, end = period.bounds()
    entries = store.access_log(person_ref=ref, user=user, start=start, end=end)
    register = {p.ref: p for p in store.people(include_left=True)}
    rows = [[entry.at.astimezone().replace(tzinfo=None), entry.user, entry.action, entry.person_ref or "",
             _name(register, entry.person_ref), _service(register, entry.person_ref), entry.detail]
            for entry in entries]
    filters = [f"person {ref}" if ref else "", f"user {user.strip().lower()}" if user else "", period.describe()]
    notes = ["Access log: who viewed, saved, restored, imported, exported, signed in or changed a role",
             "Filters: " + "; ".join(part for part in filters if part),
             f"Written {dt.datetime.now():%d/%m/%Y %H:%M} by {by}; times are local"]
    return AccessLogExtract(ref, rows, notes)


def write_access_log(store, out: Path, *, person: str | None = None, user: str | None = None,
                     period: Period = Period(), by: str) -> tuple[Path, int]:
    """Write the matching entries, oldest first, to ``out`` (.xlsx); log the export under ``by``.

    Returns the path and the number of entries written.
    """
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"{out.name} does not end in .xlsx: the access log is written as an Excel workbook.")
    extract = extract_access_log(store, person=person, user=user, period=period, by=by)
    write_xlsx(out, [extract.sheet()])
    extract.log_export(store, by, out.name)
    return out, len(extract.rows)


def _name(register, ref) -> str:
    person = register.get(ref)
    return (person.preferred_name or "") if person else ""


def _service(register, ref) -> str:
    person = register.get(ref)
    return person.service if person else ""
