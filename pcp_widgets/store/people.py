"""The register of the people supported: ref, preferred name, service, active or left.

A person's ref (a pseudonymous code such as P-0042) is what audit rows and tool documents
use to say whom they are about; the preferred name is what pages show. Two rules keep the
register one record per person, enforced by the database rather than by a look before
writing (which two editors can both pass at the same moment):

* a ref is unique;
* within a service, a preferred name is unique once folded (case and spaces), so two editors
  adding "Zoe" to Oak House at once get one record: the second insert fails on the
  constraint and is answered with the first editor's record.

Refs met only in imported audit rows are added with no name (the workbook holds none).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa

from pcp_widgets.audit.schema.sheets import sheet_for
from pcp_widgets.audit.schema.values import Ref
from pcp_widgets.errors import NotFound, PcpError
from pcp_widgets.store.tables import RECORD_TABLES, people, utc_now

MAX_NAME = 120
MAX_SERVICE = 200
#: Refs pcp makes up itself: P- and a number, at least four digits (P-0042).
MADE_UP_REF = re.compile(r"^P-(\d+)$")
_REF = re.compile(r"^[A-Z0-9][A-Z0-9._/-]*$")


@dataclass(frozen=True)
class Person:
    ref: str
    preferred_name: str | None
    service: str
    left_on: dt.date | None
    added_at: dt.datetime
    added_by: str

    @property
    def active(self) -> bool:
        return self.left_on is None

    def label(self) -> str:
        """How a picker shows the person: "Zoe (P-0042, Oak House)", with "left" when they have."""
        name = self.preferred_name or "no name recorded"
        left = f", left {self.left_on:%d/%m/%Y}" if self.left_on else ""
        return f"{name} ({self.ref}, {self.service}{left})"


@dataclass(frozen=True)
class PersonAdded:
    """The register entry an add ended with, and whether this add made it (False: it was there already)."""

    person: Person
    created: bool


def fold_ref(text: object) -> str:
    """A ref as the register compares it: no spaces, upper case (audit rows keep what was typed), so
    "p-0042 " and "P-0042" are one ref. Nothing is refused here; :func:`clean_ref` also checks it."""
    return "".join(str(text or "").split()).upper()


def clean_ref(text) -> str:
    """A ref as stored (upper case, no spaces), or one sentence why it cannot be one."""
    ref = fold_ref(text)
    if not ref:
        raise PcpError("A person's ref is needed, for example P-0042.")
    if len(ref) > Ref.max_length or not _REF.match(ref):
        raise PcpError(f"{str(text).strip()[:50]!r} is not a ref: use a short code of letters, digits and "
                       "hyphens such as P-0042.")
    if Ref.looks_like_name(str(text).strip()):
        raise PcpError(f"{str(text).strip()[:50]!r} looks like a name: a ref is a pseudonymous code "
                       "such as P-0042.")
    return ref


def one_line(text, limit: int, what: str, missing: str) -> str:
    """Typed text on one line without stray spaces, or one sentence why it cannot be used."""
    value = " ".join(str(text or "").split())
    if not value:
        raise PcpError(missing)
    if len(value) > limit:
        raise PcpError(f"{what} may be at most {limit} characters long.")
    return value


def clean_name(text) -> str:
    return one_line(text, MAX_NAME, "A preferred name",
                    "The person's preferred name is needed (as they like it written).")


def clean_service(text: object, missing: str = "The person's service is needed.") -> str:
    """A service name as the register keeps it: one line, white space folded, at most MAX_SERVICE
    characters; a blank one is refused (PcpError) with the sentence ``missing``."""
    return one_line(text, MAX_SERVICE, "A service name", missing)


def name_key(name: str) -> str:
    """A preferred name folded for comparison: "zoe" and " ZOE " are the same name."""
    return " ".join(name.split()).casefold()


def insert(connection, ref: str, name: str | None, service: str, by: str) -> None:
    """One new entry; the database's unique constraints raise IntegrityError for a taken ref or name."""
    connection.execute(people.insert().values(
        ref=ref, preferred_name=name, name_key=name_key(name) if name else None, service=service,
        left_on=None, added_at=utc_now(), added_by=by))


def get(connection, ref: str) -> Person:
    row = connection.execute(sa.select(people).where(people.c.ref == clean_ref(ref))).mappings().first()
    if row is None:
        raise NotFound(f"{clean_ref(ref)} is not in the register of people.")
    return _person(row)


def by_name(connection, service: str, name: str) -> Person | None:
    row = connection.execute(sa.select(people).where(
        people.c.service == service, people.c.name_key == name_key(name))).mappings().first()
    return _person(row) if row is not None else None


def named(connection, name: str) -> list[Person]:
    """Everyone registered under this preferred name, in any service."""
    rows = connection.execute(sa.select(people).where(people.c.name_key == name_key(name))).mappings().all()
    return [_person(row) for row in rows]


def listing(connection, services=None, include_left: bool = False) -> list[Person]:
    """The register in name order (refs without a name last), narrowed to ``services`` when given."""
    select = sa.select(people).order_by(people.c.name_key.is_(None), people.c.name_key, people.c.ref)
    if services is not None:
        select = select.where(people.c.service.in_(sorted(services)))
    if not include_left:
        select = select.where(people.c.left_on.is_(None))
    return [_person(row) for row in connection.execute(select).mappings()]


def mark_left(connection, ref: str, on: dt.date | None) -> Person:
    """Record the day a person left (None: they are back); their records and documents stay."""
    person = get(connection, ref)
    connection.execute(people.update().where(people.c.ref == person.ref).values(left_on=on))
    return get(connection, person.ref)


def audit_refs(connection) -> dict[str, str]:
    """Every ref in the audit records (upper case) with the service of its latest record."""
    latest: dict[str, tuple[dt.date, str]] = {}
    for kind, table in RECORD_TABLES.items():
        date = table.c[sheet_for(kind).date_field]
        select = sa.select(table.c.person_ref, table.c.service, sa.func.max(date)).group_by(
            table.c.person_ref, table.c.service)
        for ref, service, when in connection.execute(select):
            key = "".join(str(ref).split()).upper()
            if key and (key not in latest or when > latest[key][0]):
                latest[key] = (when, service)
    return {ref: service for ref, (_, service) in sorted(latest.items())}


def registered_refs(connection) -> set[str]:
    return set(connection.execute(sa.select(people.c.ref)).scalars())


def next_made_up_ref(taken) -> str:
    """The next P-number after every P-number in ``taken`` (the register's and the audit rows' refs)."""
    numbers = [int(match.group(1)) for ref in taken if (match := MADE_UP_REF.match(ref))]
    return f"P-{max(numbers, default=0) + 1:04d}"


def _person(row) -> Person:
    return Person(row["ref"], row["preferred_name"], row["service"], row["left_on"], row["added_at"], row["added_by"])
