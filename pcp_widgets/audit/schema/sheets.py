"""The six audit sheets (docs/domain.md, "The audit sheets"), declared once.

Everything else is derived from these declarations: the Excel template and its
"How to fill in" sheet, the importer's header matching and validation, the database
tables, the data export and, later, the dashboards. Adding a question is one edit here
(plus a migration that adds its column: the store's tests fail until there is one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from pcp_widgets.audit.schema.values import (
    Answer,
    Choice,
    Date,
    Ref,
    Text,
    Time,
    ValueType,
    WholeNumber,
    fold,
)
from pcp_widgets.errors import InvalidValue, NotFound


@dataclass(frozen=True)
class Field:
    key: str
    header: str
    type: ValueType
    required: bool = False

    @property
    def is_ref(self) -> bool:
        return isinstance(self.type, Ref)


@dataclass(frozen=True)
class AtLeast:
    """A row rule: ``field`` must be at least ``other`` when both are given (steps planned >= steps done)."""

    field: str
    other: str

    def violated(self, values: dict) -> bool:
        value, other = values.get(self.field), values.get(self.other)
        return value is not None and other is not None and value < other

    def reason(self, sheet: "Sheet", values: dict) -> str:
        return (f"is less than {sheet.field(self.other).header} ({values.get(self.other)}); "
                f"it must be at least that")


@dataclass(frozen=True)
class Sheet:
    kind: str
    name: str
    purpose: str
    fields: tuple[Field, ...]
    natural_key: tuple[str, ...]
    date_field: str
    rules: tuple[AtLeast, ...] = ()
    aliases: tuple[str, ...] = ()

    def field(self, key: str) -> Field:
        for candidate in self.fields:
            if candidate.key == key:
                return candidate
        raise NotFound(f"The {self.name} sheet has no column {key!r}.")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    @property
    def answer_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if isinstance(f.type, Answer))

    def key_of(self, values: dict) -> str:
        """The natural key as one string: rows with the same key describe the same thing."""
        return self.join_key([canonical(values.get(k)) for k in self.natural_key])

    def content_hash(self, values: dict) -> str:
        """A fingerprint of every stored value: equal fingerprints mean an identical row."""
        return self.fingerprint([canonical(values.get(k)) for k in self.keys])

    @staticmethod
    def join_key(texts) -> str:
        """The natural key from its values' canonical texts (see :func:`canonical`)."""
        return "\x1f".join(texts)

    @staticmethod
    def fingerprint(texts) -> str:
        """The content fingerprint from every field's canonical text, in schema order."""
        return hashlib.blake2b("\x1e".join(texts).encode("utf-8"), digest_size=16).hexdigest()


def canonical(value) -> str:
    """One text per stored value, the same on every run and database: ISO dates and times."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


ROUTINES = ("personal care", "meals", "morning", "evening", "medication", "community", "activity", "other")

_routine = Choice(ROUTINES, aliases={"personal": "personal care", "meal": "meals", "mealtime": "meals",
                                     "mealtimes": "meals", "medicine": "medication", "medicines": "medication",
                                     "activities": "activity"})
_answer = Answer()
_yes_no = Answer(allow_partly=False)


def _who_where(*, staff: bool = False, observer: str | None = None) -> tuple[Field, ...]:
    fields = [Field("service", "Service", Text(max_length=200), True),
              Field("person_ref", "Person ref", Ref(), True)]
    if staff:
        fields.append(Field("staff_ref", "Staff ref", Ref(), True))
    if observer:
        fields.append(Field(observer, observer.capitalize(), Text(max_length=200), True))
    return tuple(fields)


FILE_AUDIT_QUESTIONS = (
    ("q01_profile_current", "One-page profile present and reviewed in the last 12 months"),
    ("q02_persons_voice", "Plan uses the person's own words"),
    ("q03_important_to", "What matters to the person is recorded from their perspective"),
    ("q04_specific_actions", "Best support is written as specific staff actions"),
    ("q05_consent_routine", "Consent is built into daily routines"),
    ("q06_communication", "How the person communicates and makes decisions is recorded"),
    ("q07_outcomes", "Outcomes are written in the person's words"),
    ("q08_actions_owned", "Actions say who does what by when"),
    ("q09_review_date", "Review date is set and linked to outcomes"),
    ("q10_reviewed_on_time", "Last review happened by its due date"),
    ("q11_updated_after_event", "Plan updated after an incident, hospital stay, safeguarding concern or major change"),
    ("q12_least_restrictive", "Restrictions are proportionate, time-limited and have a recorded rationale"),
    ("q13_progress_evidence", "Progress towards outcomes is evidenced"),
    ("q14_person_involved", "The person took part in their last review"),
)

OBSERVATION_CHECKS = (
    ("o1_consent_asked", "Staff asked before helping"),
    ("o2_choice_offered", "Staff offered choices"),
    ("o3_stop_respected", "Staff stepped back when the person said stop or later"),
    ("o4_communication_as_plan", "Staff communicated as the plan describes"),
    ("o5_routine_as_plan", "The agreed routine was followed"),
    ("o6_dignity", "Dignity and privacy were respected"),
    ("o7_knows_person", "Staff could say what matters to the person"),
)

FILE_AUDIT = Sheet(
    kind="file_audit",
    name="File audit",
    purpose="One row per plan (file) audited.",
    fields=(
        Field("audit_date", "Audit date", Date(), True),
        *_who_where(observer="auditor"),
        *(Field(key, header, _answer, True) for key, header in FILE_AUDIT_QUESTIONS),
        Field("best_support_sample", "Sample of best-support wording", Text()),
        Field("notes", "Notes", Text()),
    ),
    natural_key=("audit_date", "service", "person_ref"),
    date_field="audit_date",
    aliases=("file audits", "audit", "audits"),
)

OBSERVATION = Sheet(
    kind="observation",
    name="Observations",
    purpose="One row per observed episode of support.",
    fields=(
        Field("obs_date", "Observation date", Date(), True),
        Field("obs_time", "Time", Time()),
        *_who_where(staff=True, observer="observer"),
        Field("routine", "Routine", _routine, True),
        *(Field(key, header, _yes_no, True) for key, header in OBSERVATION_CHECKS),
        Field("matches_plan", "Overall, practice matched the plan", _answer, True),
        Field("notes", "Notes", Text()),
    ),
    natural_key=("obs_date", "obs_time", "service", "person_ref", "staff_ref"),
    date_field="obs_date",
    aliases=("observation", "observation sampling"),
)

EVENT = Sheet(
    kind="event",
    name="Incidents and refusals",
    purpose="One row per incident, refusal or other event.",
    fields=(
        Field("event_date", "Date", Date(), True),
        Field("event_time", "Time", Time()),
        *_who_where(),
        Field("event_type", "Type", Choice(
            ("incident", "refusal", "safeguarding concern", "hospital admission", "complaint"),
            aliases={"incidents": "incident", "refusals": "refusal", "refused": "refusal",
                     "safeguarding": "safeguarding concern", "hospital": "hospital admission",
                     "complaints": "complaint"}), True),
        Field("routine", "Routine", _routine),
        Field("trigger", "Trigger", Text(max_length=500)),
        Field("severity", "Severity", Choice(("low", "moderate", "high"),
                                              aliases={"medium": "moderate", "mod": "moderate"})),
        Field("recovery_minutes", "Recovery time (minutes)", WholeNumber(minimum=0)),
        Field("notes", "Notes", Text()),
    ),
    natural_key=("event_date", "event_time", "service", "person_ref", "event_type", "trigger"),
    date_field="event_date",
    aliases=("incidents", "refusals", "events", "incidents refusals", "incident and refusal log"),
)

PLAN_CHANGE = Sheet(
    kind="plan_change",
    name="Plan changes",
    purpose="One row per change to a person's plan.",
    fields=(
        Field("change_date", "Date", Date(), True),
        *_who_where(),
        Field("reason", "Reason", Choice(
            ("review", "incident", "hospital", "safeguarding", "new diagnosis", "person asked", "other"),
            aliases={"diagnosis": "new diagnosis", "person requested": "person asked",
                     "requested by person": "person asked", "hospital stay": "hospital",
                     "hospital admission": "hospital", "safeguarding concern": "safeguarding"}), True),
        Field("description", "What changed", Text(), True),
    ),
    natural_key=("change_date", "person_ref", "description"),
    date_field="change_date",
    aliases=("plan change", "changes"),
)

OUTCOME = Sheet(
    kind="outcome",
    name="Outcomes",
    purpose="One row per outcome per review.",
    fields=(
        Field("review_date", "Review date", Date(), True),
        *_who_where(),
        Field("outcome", "Outcome (person's words)", Text(), True),
        Field("status", "Status", Choice(
            ("in progress", "achieved", "on hold", "not achieved", "abandoned"),
            aliases={"ongoing": "in progress", "in_progress": "in progress", "met": "achieved",
                     "not met": "not achieved"}), True),
        Field("steps_done", "Steps done", WholeNumber(minimum=0)),
        Field("steps_total", "Steps planned", WholeNumber(minimum=0)),
        Field("confidence", "Confidence (1-10)", WholeNumber(minimum=1, maximum=10)),
        Field("cancellations", "Cancelled sessions", WholeNumber(minimum=0)),
    ),
    natural_key=("review_date", "person_ref", "outcome"),
    date_field="review_date",
    rules=(AtLeast("steps_total", "steps_done"),),
    aliases=("outcome",),
)

REVIEW = Sheet(
    kind="review",
    name="Reviews",
    purpose="One row per person-centred review: the top two working, not working and future.",
    fields=(
        Field("review_date", "Review date", Date(), True),
        *_who_where(),
        Field("working_1", "Working 1", Text(), True),
        Field("working_2", "Working 2", Text()),
        Field("not_working_1", "Not working 1", Text(), True),
        Field("not_working_2", "Not working 2", Text()),
        Field("future_1", "Future 1", Text(), True),
        Field("future_2", "Future 2", Text()),
    ),
    natural_key=("review_date", "person_ref"),
    date_field="review_date",
    aliases=("review", "person centred reviews"),
)

#: The review's top-two statements, in sheet order: working, not working, future.
REVIEW_STATEMENTS: tuple[str, ...] = tuple(f.key for f in REVIEW.fields if f.key[-2:] in ("_1", "_2"))

SHEETS: tuple[Sheet, ...] = (FILE_AUDIT, OBSERVATION, EVENT, PLAN_CHANGE, OUTCOME, REVIEW)
KINDS: tuple[str, ...] = tuple(s.kind for s in SHEETS)
_BY_KIND = {s.kind: s for s in SHEETS}


def sheet_for(kind: str) -> Sheet:
    try:
        return _BY_KIND[kind]
    except KeyError:
        raise NotFound(f"There is no audit sheet kind {kind!r}; the kinds are {', '.join(KINDS)}.") from None


def sheet_named(name: str) -> Sheet | None:
    """The sheet a workbook tab is, by its name: case-insensitive, '&' read as 'and'."""
    folded = fold(name)
    for sheet in SHEETS:
        if folded in {fold(sheet.name), fold(sheet.kind), *map(fold, sheet.aliases)}:
            return sheet
    return None


__all__ = ["Field", "Sheet", "AtLeast", "SHEETS", "KINDS", "sheet_for", "sheet_named", "InvalidValue",
           "FILE_AUDIT", "OBSERVATION", "EVENT", "PLAN_CHANGE", "OUTCOME", "REVIEW", "ROUTINES"]
