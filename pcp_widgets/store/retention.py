"""The retention schedule: which records have been kept as long as the policy says, and removing them.

Three layers, so the decision can be tested with dates alone:

* :func:`load_policy` reads the policy (YAML: one period per kind of record; pcp's defaults ship in
  ``pcp_widgets/retention_policy.yaml``, a provider's own file comes from ``--policy`` or
  ``$PCP_RETENTION_POLICY``);
* :func:`due` is pure: given what is held (:class:`Holding`, each with the day its period runs from) and
  today's date, it says what is due to go;
* :func:`holdings` reads what is held from the database, and :func:`apply` removes what is due in one
  transaction and logs it in the access log.

The access log is append-only (triggers refuse UPDATE and DELETE). Retention is the one path that removes
its entries: inside apply's transaction it drops the DELETE trigger for one statement removing the entries
older than the log's period, and puts the trigger back before the transaction commits. Either both happen
or neither does (SQLite and PostgreSQL both make such changes transactional), so no other connection ever
sees the log without its guard.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from pcp_widgets.audit.schema.sheets import sheet_for
from pcp_widgets.errors import PcpError
from pcp_widgets.store import access_log as _access_log
from pcp_widgets.store.tables import RECORD_TABLES, access_log, document_versions, documents, people, replaced_records

#: The policy pcp ships with (defaults from the Records Management Code of Practice; see the file).
DEFAULT_POLICY = Path(__file__).resolve().parent.parent / "retention_policy.yaml"
POLICY_VARIABLE = "PCP_RETENTION_POLICY"

#: The kinds of record a policy gives a period for, and how a sentence names each.
KINDS = {
    "person_documents": "tool documents of people who have left",
    "audit_records": "audit records",
    "access_log": "access-log entries",
    "practice_sessions": "practice sessions",
    "themes": "Working Together for Change theme sets",
}
#: The kinds whose holdings are tool documents (removed with every version).
DOCUMENT_KINDS = ("person_documents", "practice_sessions", "themes")
PRACTICE_TOOLS = ("practice_session", "practice_answers")
THEMES_TOOL = "wtfc_themes"
#: Ids removed per DELETE statement (SQLite allows a few thousand bound values in one statement).
CHUNK = 500

_PERIOD = re.compile(r"^\s*(\d+)\s*(year|month|day)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A whole number of years, months or days, counted on the calendar (29 February ends on 28 February)."""

    count: int
    unit: str  # "year", "month" or "day"

    def before(self, day: dt.date) -> dt.date:
        """The day this period before ``day``: a record dated earlier than it has been kept the whole period."""
        if self.unit == "day":
            return day - dt.timedelta(days=self.count)
        months = day.year * 12 + day.month - 1 - self.count * (12 if self.unit == "year" else 1)
        year, month = divmod(months, 12)
        month += 1
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
        return dt.date(year, month, min(day.day, last))

    def describe(self) -> str:
        return f"{self.count} {self.unit}{'' if self.count == 1 else 's'}"


def parse_period(text, kind: str = "period") -> Period:
    """``"8 years"``, ``"18 months"``, ``"90 days"``; anything else is one sentence naming the kind."""
    match = _PERIOD.match(str(text))
    if not match:
        raise PcpError(f"The retention period for {kind} must be a whole number of years, months or days "
                       f"(such as 8 years), not {str(text)!r}.")
    return Period(int(match.group(1)), match.group(2).lower())


@dataclass(frozen=True)
class Policy:
    periods: dict[str, Period]
    source: str  # the file it came from, for the log and the listing

    def describe(self) -> str:
        return "; ".join(f"{kind} {self.periods[kind].describe()}" for kind in KINDS)


def load_policy(path: str | os.PathLike | None = None) -> Policy:
    """The policy in ``path``, else in ``$PCP_RETENTION_POLICY``, else pcp's defaults."""
    import yaml

    chosen = Path(path or os.environ.get(POLICY_VARIABLE, "").strip() or DEFAULT_POLICY)
    try:
        data = yaml.safe_load(chosen.read_text(encoding="utf-8"))
    except OSError as error:
        raise PcpError(f"The retention policy {chosen} could not be read: {error.strerror}.") from None
    except yaml.YAMLError:
        raise PcpError(f"The retention policy {chosen} is not valid YAML.") from None
    if not isinstance(data, dict):
        raise PcpError(f"The retention policy {chosen} must give one period per kind of record ({', '.join(KINDS)}).")
    missing = [kind for kind in KINDS if kind not in data]
    unknown = [str(kind) for kind in data if kind not in KINDS]
    if missing or unknown:
        what = f"has no period for {', '.join(missing)}" if missing else f"names unknown kinds ({', '.join(unknown)})"
        raise PcpError(f"The retention policy {chosen} {what}; the kinds are {', '.join(KINDS)}.")
    return Policy({kind: parse_period(data[kind], kind) for kind in KINDS}, str(chosen))


@dataclass(frozen=True, slots=True)  # slots: a national year holds hundreds of thousands of audit rows
class Holding:
    """One thing the schedule may remove: its kind (a policy key), what it is (an audit kind or a tool),
    its id, the person's ref where there is one, and the day its retention period runs from."""

    kind: str
    what: str
    ident: int
    day: dt.date
    ref: str | None = None
    label: str = ""  # a non-identifying name for the listing (a session code, a theme period)
    versions: int = 0


def due(held, policy: Policy, today: dt.date) -> list[Holding]:
    """What has been kept longer than the policy says, on ``today``: a holding whose period runs from a day
    earlier than that period before today (kept the whole period, and then one more day)."""
    cutoffs = {kind: period.before(today) for kind, period in policy.periods.items()}
    return [holding for holding in held if holding.day < cutoffs[holding.kind]]


@dataclass
class Plan:
    """What is due, ready to list and to remove."""

    policy: Policy
    today: dt.date
    items: list[Holding] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for h in self.items if h.kind == kind) for kind in KINDS}

    def counts_in_words(self, *, only_due: bool = False) -> str:
        """Each kind's count as a sentence says it ("3 audit records, 0 access-log entries, ..."): every
        kind, or with ``only_due`` only those with something due."""
        return ", ".join(f"{n} {KINDS[kind]}" for kind, n in self.counts().items() if n or not only_due)

    def by_kind(self) -> list[tuple[str, str, int]]:
        """One row per kind of record, in the policy's order: the kind in words, how long the policy
        keeps it, and how many are due."""
        counts = self.counts()
        return [(KINDS[kind], self.policy.periods[kind].describe(), counts[kind]) for kind in KINDS]

    def lines(self) -> list[str]:
        """The listing: refs, codes and dates, never a person's name."""
        lines = [f"Retention policy: {self.policy.source} ({self.policy.describe()}); today {self.today:%d/%m/%Y}."]
        if not self.items:
            return lines + ["Nothing is due to go."]
        for holding in sorted(self._of("person_documents"), key=lambda h: (h.ref or "", h.what)):
            lines.append(f"{holding.ref} (left {holding.day:%d/%m/%Y}): {holding.what}, "
                         f"{holding.versions} version{'' if holding.versions == 1 else 's'}")
        audit = self._of("audit_records")
        for what in sorted({h.what for h in audit}):
            rows = [h for h in audit if h.what == what]
            lines.append(f"{what} audit records: {len(rows)} dated {_span(rows)}")
        for holding in sorted(self._of("practice_sessions") + self._of("themes"), key=lambda h: (h.what, h.label)):
            lines.append(f"{holding.what} {holding.label}: last saved {holding.day:%d/%m/%Y}")
        log = self._of("access_log")
        if log:
            lines.append(f"access log: {len(log)} entr{'y' if len(log) == 1 else 'ies'} dated {_span(log)}")
        return lines

    def _of(self, kind: str) -> list[Holding]:
        return [h for h in self.items if h.kind == kind]


def _span(held: list[Holding]) -> str:
    first, last = min(h.day for h in held), max(h.day for h in held)
    return f"{first:%d/%m/%Y}" if first == last else f"{first:%d/%m/%Y} to {last:%d/%m/%Y}"


# -- reading what is held, and removing what is due ------------------------------------


def holdings(connection) -> list[Holding]:
    """Everything the schedule covers, each with the day its period runs from."""
    held = []
    versions = (sa.select(document_versions.c.document_id, sa.func.count().label("n"),
                          sa.func.max(document_versions.c.saved_at).label("last"))
                .group_by(document_versions.c.document_id).subquery())
    left = connection.execute(
        sa.select(documents.c.id, documents.c.tool, documents.c.person_ref, people.c.left_on, versions.c.n)
        .join(people, people.c.ref == documents.c.person_ref)
        .join(versions, versions.c.document_id == documents.c.id, isouter=True)
        .where(people.c.left_on.is_not(None)))
    held += [Holding("person_documents", tool, ident, left_on, ref=ref, versions=n or 0)
             for ident, tool, ref, left_on, n in left]
    for kind, table in RECORD_TABLES.items():
        day_column = table.c[sheet_for(kind).date_field]
        held += [Holding("audit_records", kind, ident, day)
                 for ident, day in connection.execute(sa.select(table.c.id, day_column)) if day is not None]
    unlinked = connection.execute(
        sa.select(documents.c.id, documents.c.tool, documents.c.person, versions.c.n, versions.c.last)
        .join(versions, versions.c.document_id == documents.c.id)
        .where(documents.c.tool.in_((*PRACTICE_TOOLS, THEMES_TOOL))))
    for ident, tool, label, n, last in unlinked:
        kind = "themes" if tool == THEMES_TOOL else "practice_sessions"
        held.append(Holding(kind, tool, ident, _day(last), label=label, versions=n))
    held += [Holding("access_log", "access log", ident, _day(at))
             for ident, at in connection.execute(sa.select(access_log.c.id, access_log.c.at))]
    return held


def _day(moment) -> dt.date:
    """The UTC day of a stored time (SQLite gives it back naive, in UTC; PostgreSQL aware)."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
    return moment.date()


def plan(connection, policy: Policy, today: dt.date) -> Plan:
    return Plan(policy, today, due(holdings(connection), policy, today))


def apply(connection, due_plan: Plan, by: str) -> dict[str, int]:
    """Remove everything in ``due_plan`` in the caller's transaction and log what was done; returns the counts."""
    document_ids = [h.ident for h in due_plan.items if h.kind in DOCUMENT_KINDS]
    for chunk in _chunks(document_ids):
        connection.execute(document_versions.delete().where(document_versions.c.document_id.in_(chunk)))
        connection.execute(documents.delete().where(documents.c.id.in_(chunk)))
    for kind, table in RECORD_TABLES.items():
        ids = [h.ident for h in due_plan.items if h.kind == "audit_records" and h.what == kind]
        for chunk in _chunks(ids):
            connection.execute(replaced_records.delete().where(replaced_records.c.kind == kind,
                                                               replaced_records.c.record_id.in_(chunk)))
            connection.execute(table.delete().where(table.c.id.in_(chunk)))
    log_ids = [h.ident for h in due_plan.items if h.kind == "access_log"]
    if log_ids:
        with _access_log_deletable(connection):
            for chunk in _chunks(log_ids):
                connection.execute(access_log.delete().where(access_log.c.id.in_(chunk)))
    counts = due_plan.counts()
    removed = ", ".join(f"{n} {KINDS[kind]}" for kind, n in counts.items())
    _access_log.append(connection, by, "applied retention", None,
                       f"removed {removed}; policy {due_plan.policy.source} ({due_plan.policy.describe()})")
    return counts


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


#: The guard migration 0004 puts on the access log, as the SQL that makes it again.
_APPEND_ONLY = "the access log is append-only: its entries cannot be changed or removed"
_SQLITE_DELETE_TRIGGER = ("CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log "
                          f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END")


class _access_log_deletable:
    """Lift the access log's DELETE guard for the statements inside, in the caller's transaction, and
    put it back afterwards (whatever happens inside, the transaction's rollback also restores it)."""

    def __init__(self, connection):
        self.connection = connection
        self.dialect = connection.dialect.name

    def __enter__(self):
        if self.dialect == "sqlite":
            self.connection.exec_driver_sql("DROP TRIGGER access_log_no_delete")
        elif self.dialect == "postgresql":
            self.connection.exec_driver_sql("ALTER TABLE access_log DISABLE TRIGGER access_log_append_only")

    def __exit__(self, *exc):
        if self.dialect == "sqlite":
            self.connection.exec_driver_sql(_SQLITE_DELETE_TRIGGER)
        elif self.dialect == "postgresql":
            self.connection.exec_driver_sql("ALTER TABLE access_log ENABLE TRIGGER access_log_append_only")
        return False
