"""Invented, realistic demo audit workbooks, and the ``pcp demo`` command that imports them.

The demo has to do three jobs: show every page with data that looks like a real
provider's (services of different quality and trends, seasonal refusals, themes that
recur across reviews, and some reviews pasted from the last one), tell one story a trainer can point at (``DEMO_PERSON``'s morning
refusals fall after a specific change to their plan), and exercise the importer the way
real spreadsheets do: mostly clean, a little messy (dates typed as text, "Y" and "✓",
stray spaces) and a handful of rows it must refuse (``DELIBERATE_PROBLEMS``).

Everything is drawn from a seeded random generator, so the same arguments always give
byte-identical files. Each month is generated from its own seed stream, which lets the
months of a large demo be written by two processes at once without changing a byte.

Every sheet name, header and choice comes from :data:`pcp_widgets.audit.schema.sheets.SHEETS`;
the word lists here are only the invented content (names, statements, triggers).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Callable

import numpy as np
import xlsxwriter

from pcp_widgets.audit.schema.sheets import (
    EVENT,
    FILE_AUDIT,
    OBSERVATION,
    OUTCOME,
    PLAN_CHANGE,
    REVIEW_STATEMENTS,
    SHEETS,
    Sheet,
    sheet_for,
)
from pcp_widgets.audit.schema.values import EXCEL_EPOCH, Ref
from pcp_widgets.errors import InvalidValue, UsageError

Progress = Callable[[int, int, str], None]

#: The person whose story the demo tells: many morning refusals of personal care, then
#: incidents, then a specific plan change half way through the period, then far fewer refusals.
DEMO_PERSON = "P-0007"
#: The service the demo person lives in (always the first service).
DEMO_SERVICE = "Oakfield House"
#: What changed in the demo person's plan (a "Plan changes" row with reason "incident").
DEMO_PLAN_CHANGE = ("Ask before helping with washing; offer two options; if I say 'later', "
                    "step back for 10 minutes and offer once more.")
#: The document property that makes the files reproducible (xlsxwriter otherwise stamps "now").
CREATED = dt.datetime(2024, 1, 1, 9, 0, 0)
#: Above this many rows the months are written by worker processes, two at a time.
PARALLEL_ROWS = 40_000


@dataclass(frozen=True)
class DeliberateProblem:
    """A row the demo gets wrong on purpose, so the importer's explanations can be seen.

    The row is a copy of the sheet's first row with ``key`` set to ``value`` (``{year}``
    is the first month's year); ``conflict`` rows keep the copied natural key.
    """

    kind: str
    key: str
    value: object
    description: str
    rejected: bool = True
    conflict: bool = False


DELIBERATE_PROBLEMS: tuple[DeliberateProblem, ...] = (
    DeliberateProblem("file_audit", "audit_date", "31/02/{year}", "an audit date that does not exist (31 February)"),
    DeliberateProblem("file_audit", "notes", "Re-audited the same day by the deputy manager.",
                      "the same file audited twice on the same day with different details (a conflict): "
                      "the first row is kept", conflict=True),
    DeliberateProblem("observation", "matches_plan", "Maybe", "an answer the importer cannot read: 'Maybe'"),
    DeliberateProblem("event", "event_type", None, "a required cell left blank: the event's Type"),
    DeliberateProblem("outcome", "confidence", 12, "a confidence of 12 on the 1-10 scale"),
    DeliberateProblem("event", "person_ref", "Jane Doe",
                      "a person ref that looks like a name ('Jane Doe'): imported, with a warning", rejected=False),
)


@dataclass(frozen=True)
class PlacedProblem:
    """Where a deliberate problem was written: file, sheet name and the row number a person sees."""

    problem: DeliberateProblem
    file: Path
    sheet: str
    row: int


@dataclass(frozen=True)
class ServiceProfile:
    """How good a service's plans are and where it is heading: the demo's ground truth."""

    name: str
    quality: str  # good, middling or poor
    trend: str  # improving, steady or declining
    base_score: float  # the file score the service is drawn around, 0-100
    slope: float  # score points per month


@dataclass
class DemoSet:
    """What :func:`write_demo` wrote: the files, rows per kind (deliberate rows included) and the problems."""

    paths: list[Path]
    rows: dict[str, int]
    problems: list[PlacedProblem]
    services: list[ServiceProfile]
    demo_change: dt.date  # the day DEMO_PERSON's plan changed


# -- invented content ------------------------------------------------------------------

_PLACES = (
    "Oakfield", "Riverside", "Ashgrove", "Willowbank", "Meadowview", "Beechwood", "Elmfield", "Hawthorn",
    "Maple", "Cedar", "Birchfield", "Rowan", "Holly", "Larchwood", "Hazel", "Brookside", "Fernlea", "Heather",
    "Primrose", "Bluebell", "Kingfisher", "Heron", "Linden", "Orchard", "Millbrook", "Stonegate", "Foxglove",
    "Thornbury", "Greenacre", "Lakeside", "Highfield", "Westbrook", "Southview", "Northgate", "Parkside",
    "Ivydene", "Laurel", "Sycamore", "Chestnut", "Hillcrest", "Wren", "Sandpiper", "Harbour", "Marsh Lane",
    "Church View",
)
_SERVICE_KINDS = (
    "House", "Court", "Lodge", "Supported Living", "Community Support", "Home Care", "Day Service",
    "Residential Home", "Gardens", "Place", "Care Home", "Respite Centre", "Flats", "Grange",
)
_QUALITY_SCORE = {"good": (85.0, 95.0), "middling": (68.0, 78.0), "poor": (50.0, 60.0)}
_TREND_SLOPE = {"improving": (1.0, 1.8), "steady": (-0.2, 0.2), "declining": (-1.6, -1.0)}
#: The first three services are fixed so that even a tiny demo shows a good and a poor service.
_FIRST_PROFILES = (("middling", "improving"), ("good", "steady"), ("poor", "declining"))
_QUALITIES = ("good", "middling", "poor")
_QUALITY_WEIGHTS = (0.3, 0.45, 0.25)
_TRENDS = ("improving", "steady", "declining")

AUDITORS = ("Quality lead", "Registered manager", "Deputy manager", "Area manager", "JT", "AK", "MB", "SR",
            "LP", "DH", "CW", "NF", "RB", "HK")
OBSERVERS = ("Practice lead", "Senior support worker", "Team leader", "Deputy manager", "PL", "GM", "TS", "EO",
             "VB", "KD", "AW", "FR")

GENERIC_SUPPORT = (
    "Staff to promote independence.", "Supports choice.", "Assist with personal care as required.",
    "Encourage a healthy diet.", "Monitor mood.", "Service user requires support with meals.",
    "Staff to encourage social activities.", "Support with medication as per MAR chart.",
)
SPECIFIC_SUPPORT = (
    "Call my name from the bedroom door to wake me; never shake me.",
    "Serve my meals piping hot and sit with me while I eat.",
    "Never take the £10 note out of my pocket.",
    DEMO_PLAN_CHANGE,
    "Tell me the day's plan at breakfast and write it on my whiteboard.",
    "Give me my tablets with a glass of orange juice, not water.",
    "Knock and wait for me to say 'come in' before you open my door.",
    "Lay two outfits on the bed and let me choose.",
    "When I rub my ears, turn the TV down and ask if I want to go to my room.",
    "Remind me the day before if anything out of the ordinary is happening.",
    "Talk to me about boxing, not the weather, when I am upset.",
    "Walk on my left; I cannot see well on my right.",
)
BEST_SUPPORT = GENERIC_SUPPORT + SPECIFIC_SUPPORT

AUDIT_NOTES = (
    "Review overdue; date now set with the person.", "Profile updated after hospital stay.",
    "Family contributed by phone.", "Plan not yet signed by the person.", "Good use of the person's own words.",
    "Outcomes copied from last year's review.", "Restriction on kitchen access has no review date.",
    "New keyworker; profile shared at handover.",
)
OBSERVATION_NOTES = (
    "Waited for a reply before starting.", "Agency staff member; did not know the morning routine.",
    "Radio turned down as the plan says.", "Offered a choice of two drinks.", "Rushed at handover time.",
    "Used the picture board for lunch choices.", "Talked over the person to a colleague.",
)
EVENT_NOTES = (
    "Offered again later and accepted.", "Went back to bed; got up at 10.", "Paramedics called as a precaution.",
    "Family informed.", "Manager informed.", "Calmer after a walk in the garden.", "Debrief held with the team.",
)
TRIGGERS = (
    "noise", "rushed", "change of staff", "pain", "unfamiliar staff", "asked to wait", "tired",
    "change to routine", "busy room", "not asked first", "hungry", "visitor left", "unwell", "too hot",
    "phone call from family", "waiting for transport",
)
#: Trigger weights (in ``TRIGGERS`` order) for refusals and for incidents.
_REFUSAL_TRIGGERS = np.array([3, 8, 4, 5, 6, 5, 6, 3, 2, 7, 1, 0.5, 3, 1, 0.5, 1], dtype=float)
_INCIDENT_TRIGGERS = np.array([8, 5, 5, 5, 5, 6, 3, 5, 6, 4, 3, 3, 2, 2, 2, 3], dtype=float)
_DEMO_TRIGGERS = np.array([TRIGGERS.index(t) for t in ("rushed", "not asked first", "unfamiliar staff",
                                                       "asked to wait")])

OUTCOMES = (
    "I want to go to the local shop without panicking", "I want to make my own breakfast",
    "I want to catch the bus to town on my own", "I want to go swimming every week",
    "I want to phone my brother myself", "I want to cook a meal for my friends",
    "I want to get a volunteering job", "I want to manage my own money for shopping",
    "I want to walk to the park with my frame", "I want to sleep through the night",
    "I want to choose my own clothes each morning", "I want to do my own washing",
    "I want to go to the pub quiz with friends", "I want to walk further without getting out of breath",
    "I want to take my tablets myself", "I want to join a choir", "I want to go to college",
    "I want to visit my mum's grave on her birthday",
)
WORKING = (
    "I like going to the pub quiz on Thursdays", "I see my sister every Sunday", "I choose what I have for tea",
    "I like my new room", "I have my own key to my flat", "I go to the allotment when the weather is nice",
    "I feel safe where I live", "Staff ask me before they help me", "I get a lie-in at the weekend",
    "I phone my mum every evening", "My keyworker understands my signs", "I do my own shopping with a little help",
    "I help at the community café on Wednesdays", "I like feeding the birds in the garden",
    "I go to church on Sundays again", "The same staff help me in the mornings",
)
NOT_WORKING = (
    "Staff keep changing so I don't know who is coming", "I have to wait for staff before I can go out",
    "Staff rush me in the mornings", "I don't see my friends enough", "The house is too noisy in the evenings",
    "I am bored at the weekend", "Nobody asked me about my plan", "My tablets make me sleepy in the day",
    "The bus into town is hard for me", "Agency staff don't know how I like things done",
    "I want more say in what we have for tea", "My money is kept in the office and I have to ask for it",
    "I have no one to talk to at meal times", "My appointments get cancelled",
)
FUTURE = (
    "I want a job, even a couple of hours a week", "I want to go to college to learn cooking",
    "I'd like to live in my own flat", "I want to go on holiday to the seaside",
    "I want to travel on the bus on my own", "I want to see my grandchildren more",
    "I'd like to join a walking group", "I want to video call my family on my phone",
    "I want to manage my own money", "I want to go to football matches again",
    "I'd like to volunteer at the animal rescue", "I want to stay living in my own home",
)
#: Statement weights in good and in poor services: the themes a Working Together for Change day would find.
_WORKING_WEIGHTS = {"good": np.array([4, 3, 4, 2, 2, 2, 4, 5, 2, 2, 4, 2, 2, 2, 1, 4], dtype=float),
                    "poor": np.array([3, 3, 1, 2, 1, 2, 2, 1, 2, 2, 1, 1, 1, 2, 1, 0.5], dtype=float)}
_NOT_WORKING_WEIGHTS = {"good": np.array([2, 3, 1, 4, 2, 4, 1, 3, 3, 1, 2, 1, 1, 2], dtype=float),
                        "poor": np.array([8, 5, 6, 3, 3, 4, 4, 2, 2, 6, 3, 3, 3, 3], dtype=float)}
_FUTURE_WEIGHTS = np.array([5, 3, 4, 4, 3, 2, 2, 2, 3, 2, 2, 3], dtype=float)
#: Share of people, by service quality, whose reviews are copied from the last one (so the
#: dashboards' "reviews that repeat the previous one" has something to find).
_COPIED_REVIEW_SHARE = np.array([0.01, 0.04, 0.15])
_DEMO_REVIEW = {
    "before": ("I like my new room", "Staff rush me in the mornings", "I want to travel on the bus on my own"),
    "after": ("Staff ask me before they help me", "I don't see my friends enough",
              "I want to travel on the bus on my own"),
}

#: Specific and generic "What changed" wording, by plan change reason.
SPECIFIC_CHANGES = {
    "review": ("Added the Thursday pub quiz to my week.", "Lights off at 11pm, not 10pm; I decide.",
               "Updated my one-page profile with what people like about me."),
    "incident": ("Offer me the quiet room when the lounge gets noisy at tea time.",
                 "Give me 5 minutes' warning before personal care.",
                 "The same staff member helps me in the mornings on weekdays where possible."),
    "hospital": ("After discharge: check my skin at morning care and record it.",
                 "Soft diet for four weeks after my hospital stay; I choose from the soft menu.",
                 "Physio exercises after breakfast, 10 minutes, with my walking frame."),
    "safeguarding": ("I meet new friends in the café first, not at home.",
                     "Check-in phrase agreed: 'Everything OK with your plans today?'",
                     "I keep my bank card; staff help me check my balance on Fridays."),
    "new diagnosis": ("Diabetes: I test my blood sugar before breakfast and tea; staff remind me.",
                      "Epilepsy: stay with me, time the seizure and record it on my chart.",
                      "Use my memory book at breakfast to plan the day."),
    "person asked": ("I get up at 9 at the weekend, not 8.", "Only female staff help me with personal care.",
                     "I write my own shopping list on Mondays."),
    "other": ("New keyworker introduced; profile shared with the team.",
              "Moved to the ground-floor room; fire evacuation plan updated."),
}
GENERIC_CHANGES = ("Care plan reviewed and updated.", "Risk assessment updated.", "Plan updated following incident.",
                   "Support needs reviewed.")
CHANGE_DESCRIPTIONS = tuple(d for reason in SPECIFIC_CHANGES.values() for d in reason) + GENERIC_CHANGES + (
    DEMO_PLAN_CHANGE,)


def _option_index(sheet: Sheet, key: str, option: str) -> int:
    """Position of ``option`` in the schema's choices for ``key``: fails loudly if the schema changed."""
    options = sheet.field(key).type.dropdown
    if option not in options:
        raise ValueError(f"{option!r} is not a choice of {sheet.name} / {key}: {options}")
    return options.index(option)


def _weights(sheet: Sheet, key: str, weights: dict[str, float]) -> np.ndarray:
    """Weights aligned with the schema's choices for ``key`` (0 for a choice not mentioned)."""
    options = sheet.field(key).type.dropdown
    for option in weights:
        _option_index(sheet, key, option)
    return np.array([weights.get(option, 0.0) for option in options], dtype=float)


for _reason in SPECIFIC_CHANGES:
    _option_index(PLAN_CHANGE, "reason", _reason)

YES, PARTLY, NO, NOT_APPLICABLE = (_option_index(FILE_AUDIT, "q01_profile_current", a)
                                   for a in ("Yes", "Partly", "No", "N/A"))
_CHECK_YES, _CHECK_NO, _CHECK_NOT_APPLICABLE = (_option_index(OBSERVATION, "o1_consent_asked", a)
                                                 for a in ("Yes", "No", "N/A"))

#: Per-question shift (logit) of the chance of Yes: reviews on time and evidence of progress are the weak spots.
_QUESTION_SHIFT = {"q01_profile_current": 0.5, "q02_persons_voice": 0.0, "q03_important_to": 0.2,
                   "q04_specific_actions": -0.3, "q05_consent_routine": 0.0, "q06_communication": 0.4,
                   "q07_outcomes": -0.2, "q08_actions_owned": -0.3, "q09_review_date": 0.3,
                   "q10_reviewed_on_time": -1.0, "q11_updated_after_event": -0.4, "q12_least_restrictive": 0.1,
                   "q13_progress_evidence": -1.0, "q14_person_involved": 0.2}
#: Share of N/A per question: no event to update after, no restriction in place.
_QUESTION_NA = {"q11_updated_after_event": 0.35, "q12_least_restrictive": 0.45}
_CHECK_SHIFT = {"o1_consent_asked": 0.3, "o2_choice_offered": -0.4, "o3_stop_respected": 0.2,
                "o4_communication_as_plan": -0.2, "o5_routine_as_plan": 0.0, "o6_dignity": 0.8,
                "o7_knows_person": -0.3}
_CHECK_NA = {"o3_stop_respected": 0.35}  # the person did not say stop or later

_OBSERVED_ROUTINES = _weights(OBSERVATION, "routine", {
    "personal care": 28, "meals": 20, "morning": 12, "medication": 12, "evening": 10, "activity": 8,
    "community": 6, "other": 4})
_REFUSAL_ROUTINES = _weights(EVENT, "routine", {
    "personal care": 40, "medication": 20, "meals": 15, "morning": 10, "evening": 8, "activity": 4,
    "community": 3})
_INCIDENT_ROUTINES = _weights(EVENT, "routine", {
    "personal care": 30, "meals": 20, "evening": 15, "community": 10, "morning": 8, "activity": 8,
    "medication": 5, "other": 4})
#: When each routine happens: (centre hour, spread in minutes, weight) clusters.
_ROUTINE_CLOCK = {
    "personal care": ((8.0, 40, 0.75), (20.5, 40, 0.25)),
    "meals": ((8.25, 25, 0.3), (12.5, 25, 0.35), (17.5, 30, 0.35)),
    "morning": ((8.5, 50, 1.0),),
    "evening": ((19.5, 70, 1.0),),
    "medication": ((8.0, 15, 0.35), (13.0, 15, 0.2), (18.0, 15, 0.25), (22.0, 15, 0.2)),
    "community": ((13.0, 100, 1.0),),
    "activity": ((14.0, 90, 1.0),),
    "other": ((15.0, 180, 1.0),),
}
_REFUSAL, _INCIDENT, _SAFEGUARDING, _HOSPITAL, _COMPLAINT = (
    _option_index(EVENT, "event_type", t)
    for t in ("refusal", "incident", "safeguarding concern", "hospital admission", "complaint"))
#: Rare events per person per month, and how much more often they happen in a poor service.
_RARE_RATES = {_SAFEGUARDING: 0.05, _HOSPITAL: 0.04, _COMPLAINT: 0.035}
#: Severity weights (low, moderate, high) by event type.
_SEVERITY = {
    _REFUSAL: _weights(EVENT, "severity", {"low": 80, "moderate": 18, "high": 2}),
    _INCIDENT: _weights(EVENT, "severity", {"low": 50, "moderate": 38, "high": 12}),
    _SAFEGUARDING: _weights(EVENT, "severity", {"moderate": 60, "high": 40}),
    _HOSPITAL: _weights(EVENT, "severity", {"moderate": 40, "high": 60}),
    _COMPLAINT: _weights(EVENT, "severity", {"low": 70, "moderate": 30}),
}
#: Median recovery minutes by severity: skewed, overall median about 20.
_RECOVERY_MEDIAN = _weights(EVENT, "severity", {"low": 15, "moderate": 30, "high": 60})
_STATUS = {s: _option_index(OUTCOME, "status", s)
           for s in ("in progress", "achieved", "on hold", "not achieved", "abandoned")}
_QUALITY_CODE = {q: i for i, q in enumerate(_QUALITIES)}

#: Shares of cells typed the way people type them: all still valid.
_TEXT_DATE_SHARE = 0.02
_TEXT_TIME_SHARE = 0.01
_MESSY_CHOICE_SHARE = 0.02
_SPACED_SERVICE_SHARE = 0.005
_ANSWER_GLYPHS = ("✓", "✔", "✗", "✘")


# -- the people and services (fixed for the whole period) -----------------------------


def service_profiles(services: int, seed: int) -> list[ServiceProfile]:
    """The services of a demo: unique invented names, quality and trend; the first three fixed."""
    capacity = len(_PLACES) * len(_SERVICE_KINDS)
    if not 1 <= services <= capacity:
        raise UsageError(f"The demo can invent 1 to {capacity} services; {services} were asked for.")
    rng = np.random.default_rng([seed, 1])
    names = [f"{place} {kind}" for place in _PLACES for kind in _SERVICE_KINDS]
    names.remove(DEMO_SERVICE)
    names = [DEMO_SERVICE] + [names[i] for i in rng.permutation(len(names))[: services - 1]]
    profiles = []
    for index, name in enumerate(names):
        if index < len(_FIRST_PROFILES):
            quality, trend = _FIRST_PROFILES[index]
        else:
            quality = _QUALITIES[rng.choice(3, p=_QUALITY_WEIGHTS)]
            trend = _TRENDS[rng.integers(3)]
        profiles.append(ServiceProfile(name, quality, trend, float(rng.uniform(*_QUALITY_SCORE[quality])),
                                       float(rng.uniform(*_TREND_SLOPE[trend]))))
    return profiles


#: The demo person's position among all people (refs are numbered from P-0001 in service order).
_DEMO_INDEX = int(DEMO_PERSON.split("-")[1]) - 1


class Fate(enum.IntEnum):
    """What becomes of one of a person's outcomes over the demo's year (drawn once per outcome)."""

    ON_TRACK = 0  # steps creep up review by review until it is achieved
    ON_HOLD = 1
    ABANDONED = 2
    STUCK = 3  # not achieved from its second review on


#: How often each fate is drawn: most outcomes go to plan.
FATE_CHANCE = {Fate.ON_TRACK: 0.88, Fate.ON_HOLD: 0.04, Fate.ABANDONED: 0.03, Fate.STUCK: 0.05}


@dataclass
class _Population:
    """Everything that stays the same from month to month, drawn once from the seed."""

    seed: int
    months: list[tuple[int, int]]
    services: list[ServiceProfile]
    person_service: np.ndarray  # person index -> service index
    person_first: np.ndarray  # service index -> first person index (plus a final end)
    staff_first: np.ndarray  # service index -> first staff index (plus a final end)
    person_shift: np.ndarray  # logit shift of how good this person's plan is
    person_rate: np.ndarray  # refusals and incidents per month, before season and service
    auditors: np.ndarray  # (services, 2) codes into AUDITORS
    observers: np.ndarray  # (services, 2) codes into OBSERVERS
    reviewed: np.ndarray  # (people, months) bool: a review happens that month
    prior_reviews: np.ndarray  # reviews each person had before the period
    outcomes: np.ndarray  # (people, 3) codes into OUTCOMES
    outcome_count: np.ndarray  # how many of those three the person is working on
    outcome_steps: np.ndarray  # (people, 3) steps planned
    outcome_start: np.ndarray  # (people, 3) steps done before the period
    outcome_pace: np.ndarray  # (people, 3) steps done per review
    outcome_fate: np.ndarray  # (people, 3) codes of Fate
    demo_change: int  # Excel serial of the demo person's plan change
    demo_refusals: np.ndarray  # serials of the demo person's refusals
    demo_incidents: np.ndarray  # serials of the demo person's incidents
    copied_review: np.ndarray  # (people, 6) review statement codes repeated at every review; -1 rows: none
    demo_index: int = _DEMO_INDEX

    @property
    def quality(self) -> np.ndarray:
        return np.array([_QUALITY_CODE[s.quality] for s in self.services])

    def month_rng(self, index: int) -> np.random.Generator:
        year, month = self.months[index]
        return np.random.default_rng([self.seed, 2, year, month])

    def scores(self, index: int, rng: np.random.Generator) -> np.ndarray:
        """Each service's file score this month: its level, its trend and some month-to-month noise."""
        centre = (len(self.months) - 1) / 2
        base = np.array([s.base_score + s.slope * (index - centre) for s in self.services])
        return np.clip(base + rng.normal(0, 2.0, len(base)), 30, 98)


def _months(end_month: str | None, months: int) -> list[tuple[int, int]]:
    if months < 1:
        raise UsageError(f"The demo needs at least one month; {months} were asked for.")
    if end_month is None:
        today = dt.date.today()
        year, month = today.year, today.month
    else:
        try:
            year, month = (int(part) for part in end_month.split("-"))
            dt.date(year, month, 1)
        except ValueError:
            raise UsageError(f"The end month must be written YYYY-MM, for example 2025-12, not {end_month!r}.") \
                from None
    absolute = year * 12 + month - 1
    return [(a // 12, a % 12 + 1) for a in range(absolute - months + 1, absolute + 1)]


def _serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def _date(serial: int) -> dt.date:
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _month_days(year: int, month: int) -> tuple[np.ndarray, np.ndarray]:
    """Serials of every day of the month, and each day's weekday (0 Monday)."""
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    serials = np.arange(_serial(first), _serial(following))
    return serials, (first.weekday() + np.arange(len(serials))) % 7


def _population(services: int, months: int, seed: int, end_month: str | None) -> _Population:
    periods = _months(end_month, months)
    profiles = service_profiles(services, seed)
    rng = np.random.default_rng([seed, 3])
    people, staff = rng.integers(12, 29, services), rng.integers(8, 22, services)
    person_service = np.repeat(np.arange(services), people)
    n = len(person_service)
    quality = np.array([_QUALITY_CODE[s.quality] for s in profiles])[person_service]
    start, end = _serial(dt.date(*periods[0], 1)), int(_month_days(*periods[-1])[0][-1])
    change = start + (end - start) // 2
    refusals, incidents = _demo_story(rng, start, change, end)
    return _Population(
        seed=seed, months=periods, services=profiles, person_service=person_service,
        person_first=np.concatenate([[0], np.cumsum(people)]), staff_first=np.concatenate([[0], np.cumsum(staff)]),
        person_shift=rng.normal(0, 0.4, n),
        person_rate=rng.gamma(0.9, 2.7 / 0.9, n) * np.array([0.75, 1.0, 1.35])[quality],
        auditors=rng.integers(0, len(AUDITORS), (services, 2)),
        observers=rng.integers(0, len(OBSERVERS), (services, 2)),
        reviewed=_review_months(rng, periods, quality), prior_reviews=rng.integers(0, 4, n),
        outcomes=np.argsort(rng.random((n, len(OUTCOMES))), axis=1)[:, :3],
        outcome_count=rng.integers(1, 4, n), outcome_steps=rng.integers(3, 9, (n, 3)),
        outcome_start=rng.uniform(0, 2, (n, 3)), outcome_pace=rng.uniform(0.3, 2.5, (n, 3)),
        outcome_fate=rng.choice(len(Fate), size=(n, 3), p=[FATE_CHANCE[fate] for fate in Fate]),
        demo_change=change, demo_refusals=refusals, demo_incidents=incidents,
        copied_review=_copied_reviews(np.random.default_rng([seed, 5]), quality),
    )


def _copied_reviews(rng: np.random.Generator, quality: np.ndarray) -> np.ndarray:
    """The statements of people whose every review is pasted from the last (-1 rows for everyone else).

    A stream of its own, so the rest of the demo comes out the same whether or not this is drawn.
    """
    n = len(quality)
    poor = (quality == _QUALITY_CODE["poor"])[:, None]
    statements = np.concatenate([
        _top_two(rng, np.where(poor, _WORKING_WEIGHTS["poor"], _WORKING_WEIGHTS["good"])),
        _top_two(rng, np.where(poor, _NOT_WORKING_WEIGHTS["poor"], _NOT_WORKING_WEIGHTS["good"])),
        _top_two(rng, np.broadcast_to(_FUTURE_WEIGHTS, (n, len(FUTURE)))),
    ], axis=1)
    copies = rng.random(n) < _COPIED_REVIEW_SHARE[quality]
    copies[_DEMO_INDEX] = False  # the demo person's reviews tell their own story
    return np.where(copies[:, None], statements, -1)


def _demo_story(rng: np.random.Generator, start: int, change: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """The demo person's refusal and incident days: three refusals every week until the plan change, then
    one a fortnight; incidents growing more frequent until the one that prompted the change, then rare."""
    weeks = np.arange(start, change, 7)
    before = (weeks[:, None] + np.argsort(rng.random((len(weeks), 7)), axis=1)[:, :3]).ravel()
    fortnights = np.arange(change + 3, end + 1, 14)
    after = fortnights + rng.integers(-3, 4, len(fortnights))
    refusals = np.sort(np.concatenate([before[before < change], after[(after >= change) & (after <= end)]]))
    days = np.arange(start, end + 1)
    build_up = np.clip((days - start) / max(change - start, 1), 0, 1)
    chance = np.where(days < change, 0.05 + 0.25 * build_up, 1 / 60)
    incidents = days[(rng.random(len(days)) < chance) | (days == change - 2)]
    return refusals, incidents


def _review_months(rng: np.random.Generator, periods: list[tuple[int, int]], quality: np.ndarray) -> np.ndarray:
    """(people, months): six-monthly reviews, a poor service's often a month late; the demo person's
    first review is in the first month, so the first workbook always has outcomes and reviews."""
    absolute = np.array([year * 12 + month for year, month in periods])
    phase = rng.integers(0, 6, len(quality))
    phase[_DEMO_INDEX] = (-absolute[0]) % 6
    due = (absolute[None, :] + phase[:, None]) % 6 == 0
    late = rng.random(due.shape) < np.array([0.05, 0.15, 0.35])[quality][:, None]
    late[_DEMO_INDEX] = False
    delayed = np.zeros_like(due)
    delayed[:, 1:] = due[:, :-1] & late[:, :-1]
    return (due & ~late) | delayed


# -- one month's rows, as codes ---------------------------------------------------------
#
# Each sheet is built as a dict of numpy arrays: dates as Excel serials, times as minutes
# (-1 blank), choices as positions in the schema's dropdown (-1 blank), text as positions
# in one of the word lists above (-1 blank), refs and services as indexes. Turning codes
# into cells (and roughing a few up) happens once, at the end, in _cells().


def _logit(p):
    return np.log(p / (1 - p))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _weighted(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    return rng.choice(len(weights), size=size, p=weights / weights.sum())


def _top_two(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Two different picks per row, each row with its own weights (Gumbel top-k)."""
    keys = np.log(weights) + rng.gumbel(size=weights.shape)
    return np.argsort(-keys, axis=1)[:, :2]


def _pick_days(rng: np.random.Generator, year: int, month: int, size: int, weekend: float) -> np.ndarray:
    """Serial dates in the month; ``weekend`` is how likely a Saturday or Sunday is next to a weekday."""
    serials, weekdays = _month_days(year, month)
    weights = np.where(weekdays >= 5, weekend, 1.0)
    return serials[_weighted(rng, weights, size)]


def _clock(rng: np.random.Generator, routines: np.ndarray, sheet: Sheet, round_to: int) -> np.ndarray:
    """Minutes after midnight, clustered around when each routine happens."""
    minutes = np.full(len(routines), -1)
    options = sheet.field("routine").type.dropdown
    for code, routine in enumerate(options):
        rows = np.flatnonzero(routines == code)
        clusters = np.array(_ROUTINE_CLOCK[routine])
        which = _weighted(rng, clusters[:, 2], len(rows))
        drawn = clusters[which, 0] * 60 + rng.normal(0, 1, len(rows)) * clusters[which, 1]
        minutes[rows] = drawn
    untimed = routines < 0
    minutes[untimed] = rng.uniform(7 * 60, 22 * 60, untimed.sum())
    rounded = np.round(minutes / round_to) * round_to
    exact = rng.random(len(minutes)) < 0.3
    return np.clip(np.where(exact, np.round(minutes), rounded), 0, 1435).astype(int)


def _in_service(rng: np.random.Generator, first: np.ndarray, services: np.ndarray) -> np.ndarray:
    """A random member (person or staff) of each row's service."""
    counts = first[services + 1] - first[services]
    return first[services] + (rng.random(len(services)) * counts).astype(int)


def _blank(rng: np.random.Generator, codes: np.ndarray, share: float) -> np.ndarray:
    return np.where(rng.random(len(codes)) < share, -1, codes)


def _file_audits(pop: _Population, index: int, rng: np.random.Generator, scores: np.ndarray) -> dict:
    """One audit per person per month (a few missed); answers follow the service's score."""
    year, month = pop.months[index]
    audited = rng.random(len(pop.person_service)) < 0.96
    audited[pop.demo_index] = True
    person = np.flatnonzero(audited)
    service = pop.person_service[person]
    audit_days = np.stack([_pick_days(rng, year, month, len(pop.services), 0.02) for _ in range(3)], axis=1)
    day_count = rng.integers(1, 4, len(pop.services))
    day = (rng.random(len(person)) * day_count[service]).astype(int)
    p_yes = np.clip((scores[service] - 25) / 75, 0.03, 0.995)
    columns = {"audit_date": audit_days[service, day], "service": service, "person_ref": person,
               "auditor": pop.auditors[service, (rng.random(len(person)) < 0.2).astype(int)]}
    for key in (f.key for f in FILE_AUDIT.answer_fields):
        chance = _sigmoid(_logit(p_yes) + _QUESTION_SHIFT[key] + pop.person_shift[person])
        draw = rng.random(len(person))
        answer = np.where(draw < chance, YES, np.where(draw < chance + (1 - chance) / 2, PARTLY, NO))
        not_applicable = rng.random(len(person)) < _QUESTION_NA.get(key, 0.01)
        columns[key] = np.where(not_applicable, NOT_APPLICABLE, answer)
    columns["best_support_sample"] = _best_support(rng, columns["q04_specific_actions"], pop.quality[service])
    columns["notes"] = _blank(rng, rng.integers(0, len(AUDIT_NOTES), len(person)), 0.94)
    return columns


def _best_support(rng: np.random.Generator, specific_actions: np.ndarray, quality: np.ndarray) -> np.ndarray:
    """A sample of the plan's wording: specific where the auditor said best support is specific, and more
    often in good services (a poor service's "Partly" is mostly boilerplate)."""
    chance = np.select([specific_actions == YES, specific_actions == PARTLY], [0.9, 0.4], 0.05)
    chance = chance * np.array([1.0, 0.9, 0.7])[quality]
    specific = rng.random(len(chance)) < chance
    codes = np.where(specific, len(GENERIC_SUPPORT) + rng.integers(0, len(SPECIFIC_SUPPORT), len(chance)),
                     rng.integers(0, len(GENERIC_SUPPORT), len(chance)))
    return _blank(rng, codes, 0.08)


def _observations(pop: _Population, index: int, rng: np.random.Generator, scores: np.ndarray) -> dict:
    """About 28 observed episodes per service a month; practice matches the plan more in good services."""
    year, month = pop.months[index]
    sizes = np.diff(pop.person_first)
    counts = 1 + rng.poisson(np.maximum(28 * sizes / 20 - 1, 0))
    service = np.repeat(np.arange(len(pop.services)), counts)
    n = len(service)
    routine = _weighted(rng, _OBSERVED_ROUTINES, n)
    columns = {"obs_date": _pick_days(rng, year, month, n, 0.5),
               "obs_time": _blank(rng, _clock(rng, routine, OBSERVATION, 5), 0.03),
               "service": service, "person_ref": _in_service(rng, pop.person_first, service),
               "staff_ref": _in_service(rng, pop.staff_first, service),
               "observer": pop.observers[service, (rng.random(n) < 0.3).astype(int)], "routine": routine}
    p_yes = _logit(np.clip((scores[service] - 25) / 75, 0.03, 0.99)) + 1.4  # each check is one easy thing
    noes = np.zeros(n, dtype=int)
    for key, shift in _CHECK_SHIFT.items():
        said_no = rng.random(n) >= _sigmoid(p_yes + shift)
        not_applicable = rng.random(n) < _CHECK_NA.get(key, 0.01)
        columns[key] = np.where(not_applicable, _CHECK_NOT_APPLICABLE, np.where(said_no, _CHECK_NO, _CHECK_YES))
        noes += said_no & ~not_applicable
    columns["matches_plan"] = _overall(rng, noes)
    columns["notes"] = _blank(rng, rng.integers(0, len(OBSERVATION_NOTES), n), 0.95)
    return columns


def _overall(rng: np.random.Generator, noes: np.ndarray) -> np.ndarray:
    """Overall match from the checks: all Yes is mostly Yes, one No Partly, two or more No."""
    draw = rng.random(len(noes))
    clean = np.where(draw < 0.92, YES, PARTLY)
    one = np.where(draw < 0.1, YES, np.where(draw < 0.8, PARTLY, NO))
    many = np.where(draw < 0.75, NO, PARTLY)
    return np.select([noes == 0, noes == 1], [clean, one], many)


def _season(month: int) -> float:
    """More refusals in the dark winter months: 1.3 in January, 0.7 in July."""
    return 1 + 0.3 * np.cos(2 * np.pi * (month - 1) / 12)


def _events(pop: _Population, index: int, rng: np.random.Generator) -> dict:
    """Refusals and incidents (common); safeguarding, hospital and complaints (rare). Not the demo person's:
    their story is told by :func:`_demo_events`."""
    year, month = pop.months[index]
    quality = pop.quality[pop.person_service]
    rates = {_REFUSAL: pop.person_rate * 0.55 * _season(month), _INCIDENT: pop.person_rate * 0.4}
    for kind, rate in _RARE_RATES.items():
        rates[kind] = np.full(len(quality), rate) * np.array([0.6, 1.0, 1.6])[quality]
    person_parts, type_parts = [], []
    for kind, rate in rates.items():
        counts = rng.poisson(rate)
        counts[pop.demo_index] = 0
        person_parts.append(np.repeat(np.arange(len(rate)), counts))
        type_parts.append(np.full(counts.sum(), kind))
    person, event_type = np.concatenate(person_parts), np.concatenate(type_parts)
    columns = _describe_events(rng, event_type, _pick_days(rng, year, month, len(person), 0.9))
    columns.update(service=pop.person_service[person], person_ref=person)
    return columns


def _describe_events(rng: np.random.Generator, event_type: np.ndarray, days: np.ndarray,
                     routine: np.ndarray | None = None) -> dict:
    """Routine, time, trigger, severity and recovery for each event, by its type."""
    n = len(event_type)
    refusal, incident = event_type == _REFUSAL, event_type == _INCIDENT
    if routine is None:
        routine = np.full(n, -1)
        routine[refusal] = _weighted(rng, _REFUSAL_ROUTINES, refusal.sum())
        routine[incident] = _weighted(rng, _INCIDENT_ROUTINES, incident.sum())
    trigger = np.full(n, -1)
    trigger[refusal] = _weighted(rng, _REFUSAL_TRIGGERS, refusal.sum())
    trigger[incident] = _weighted(rng, _INCIDENT_TRIGGERS, incident.sum())
    trigger = np.where((refusal | incident) & (rng.random(n) < 0.12), -1, trigger)
    severity = np.full(n, -1)
    for kind, weights in _SEVERITY.items():
        rows = event_type == kind
        severity[rows] = _weighted(rng, weights, rows.sum())
    minutes = _RECOVERY_MEDIAN[np.maximum(severity, 0)] * np.exp(rng.normal(0, 0.75, n))
    minutes = np.where(rng.random(n) < 0.8, np.round(minutes / 5) * 5, np.round(minutes)).astype(int)
    recovered = (refusal | incident) & (rng.random(n) > 0.08)
    return {"event_date": days, "event_time": _blank(rng, _clock(rng, routine, EVENT, 5), 0.03),
            "event_type": event_type, "routine": routine, "trigger": trigger,
            "severity": _blank(rng, severity, 0.04), "recovery_minutes": np.where(recovered, minutes, -1),
            "notes": _blank(rng, rng.integers(0, len(EVENT_NOTES), n), 0.96)}


def _demo_events(pop: _Population, index: int, rng: np.random.Generator) -> dict:
    """The demo person's story: about three morning refusals a week, incidents building up, then the
    plan change, then about one refusal a fortnight."""
    year, month = pop.months[index]
    days, _ = _month_days(year, month)
    refused = pop.demo_refusals[(pop.demo_refusals >= days[0]) & (pop.demo_refusals <= days[-1])]
    hurt = pop.demo_incidents[(pop.demo_incidents >= days[0]) & (pop.demo_incidents <= days[-1])]
    event_days = np.concatenate([refused, hurt]).astype(int)
    event_type = np.concatenate([np.full(len(refused), _REFUSAL), np.full(len(hurt), _INCIDENT)])
    personal_care = _option_index(EVENT, "routine", "personal care")
    columns = _describe_events(rng, event_type, event_days, np.full(len(event_days), personal_care))
    columns["event_time"] = (7 * 60 + 10 + rng.integers(0, 21, len(event_days)) * 5)
    columns["trigger"] = _DEMO_TRIGGERS[rng.integers(0, len(_DEMO_TRIGGERS), len(event_days))]
    columns.update(service=np.zeros(len(event_days), dtype=int),
                   person_ref=np.full(len(event_days), pop.demo_index))
    return columns


def _reviews(pop: _Population, index: int, rng: np.random.Generator) -> dict:
    """The top two working, not working and future of each review held this month."""
    year, month = pop.months[index]
    person = np.flatnonzero(pop.reviewed[:, index])
    service = pop.person_service[person]
    poor = (pop.quality[service] == _QUALITY_CODE["poor"])[:, None]
    working = _top_two(rng, np.where(poor, _WORKING_WEIGHTS["poor"], _WORKING_WEIGHTS["good"]))
    not_working = _top_two(rng, np.where(poor, _NOT_WORKING_WEIGHTS["poor"], _NOT_WORKING_WEIGHTS["good"]))
    future = _top_two(rng, np.broadcast_to(_FUTURE_WEIGHTS, (len(person), len(FUTURE))))
    columns = {"review_date": _pick_days(rng, year, month, len(person), 0.03), "service": service,
               "person_ref": person}
    for name, picks in (("working", working), ("not_working", not_working), ("future", future)):
        columns[f"{name}_1"] = picks[:, 0]
        columns[f"{name}_2"] = _blank(rng, picks[:, 1], 0.15)
    copied = pop.copied_review[person]
    pasted = copied[:, 0] >= 0
    for number, key in enumerate(REVIEW_STATEMENTS):
        columns[key] = np.where(pasted, copied[:, number], columns[key])
    return columns


def _outcomes(pop: _Population, index: int, reviews: dict, rng: np.random.Generator) -> dict:
    """One row per outcome per review: steps creep up review by review; confidence follows progress."""
    per_review = pop.outcome_count[reviews["person_ref"]]
    person = np.repeat(reviews["person_ref"], per_review)
    slot = np.arange(len(person)) - np.repeat(np.cumsum(per_review) - per_review, per_review)
    nth = pop.prior_reviews[person] + pop.reviewed[person, : index + 1].sum(axis=1)
    total = pop.outcome_steps[person, slot]
    done = np.minimum(total, np.floor(pop.outcome_start[person, slot] + pop.outcome_pace[person, slot] * nth))
    done = done.astype(int)
    fate = pop.outcome_fate[person, slot]
    status = np.select(
        [fate == Fate.ABANDONED, fate == Fate.ON_HOLD, done >= total, (fate == Fate.STUCK) & (nth >= 2)],
        [_STATUS["abandoned"], _STATUS["on hold"], _STATUS["achieved"], _STATUS["not achieved"]],
        _STATUS["in progress"])
    quality = pop.quality[pop.person_service[person]]
    confidence = np.round(2 + 7 * done / total + rng.normal(0, 1.2, len(person)) - 0.7 * quality)
    cancellations = rng.poisson(np.array([0.6, 1.5, 3.0])[quality])
    return {"review_date": np.repeat(reviews["review_date"], per_review),
            "service": pop.person_service[person], "person_ref": person,
            "outcome": pop.outcomes[person, slot], "status": status,
            "steps_done": _blank(rng, done, 0.03), "steps_total": np.where(rng.random(len(person)) < 0.03, -1, total),
            "confidence": _blank(rng, np.clip(confidence, 1, 10).astype(int), 0.05),
            "cancellations": _blank(rng, cancellations, 0.05)}


def _plan_changes(pop: _Population, index: int, rng: np.random.Generator, events: dict, reviews: dict) -> dict:
    """Changes after hospital stays, safeguarding concerns, serious incidents and reviews, and a few asked
    for; good services update plans more often and in more specific words. The demo person has one change
    only, the one their story turns on, so a before/after chart has one clear mark."""
    year, month = pop.months[index]
    days, _ = _month_days(year, month)
    last_day = days[-1]
    update = np.array([0.9, 0.7, 0.4])
    event_quality = pop.quality[events["service"]]
    high = _option_index(EVENT, "severity", "high")
    prompted = {
        "hospital": events["event_type"] == _HOSPITAL,
        "safeguarding": events["event_type"] == _SAFEGUARDING,
        "incident": (events["event_type"] == _INCIDENT) & (events["severity"] == high),
    }
    parts = []
    for reason, rows in prompted.items():
        chance = update[event_quality] * (0.35 if reason == "incident" else 1.0)
        chosen = np.flatnonzero(rows & (rng.random(len(rows)) < chance))
        delay = rng.integers(1, 11, len(chosen))
        parts.append((reason, np.minimum(events["event_date"][chosen] + delay, last_day), events["person_ref"][chosen]))
    at_review = rng.random(len(reviews["person_ref"])) < 0.5
    parts.append(("review", reviews["review_date"][at_review], reviews["person_ref"][at_review]))
    for reason, rate in (("person asked", 0.012), ("new diagnosis", 0.006), ("other", 0.006)):
        asked = np.flatnonzero(rng.random(len(pop.person_service)) < rate)
        parts.append((reason, _pick_days(rng, year, month, len(asked), 0.3), asked))
    columns = _change_rows(pop, rng, parts)
    others = columns["person_ref"] != pop.demo_index
    columns = {key: column[others] for key, column in columns.items()}
    if days[0] <= pop.demo_change <= last_day:
        demo = {"change_date": [pop.demo_change], "service": [0], "person_ref": [pop.demo_index],
                "reason": [_option_index(PLAN_CHANGE, "reason", "incident")],
                "description": [len(CHANGE_DESCRIPTIONS) - 1]}
        columns = {key: np.concatenate([columns[key], demo[key]]) for key in columns}
    return columns


def _change_rows(pop: _Population, rng: np.random.Generator, parts: list) -> dict:
    reasons = PLAN_CHANGE.field("reason").type.dropdown
    reason = np.concatenate([np.full(len(p), reasons.index(r)) for r, _, p in parts]).astype(int)
    date = np.concatenate([d for _, d, _ in parts]).astype(int)
    person = np.concatenate([p for _, _, p in parts]).astype(int)
    service = pop.person_service[person]
    specific = rng.random(len(person)) < np.array([0.85, 0.6, 0.3])[pop.quality[service]]
    offsets = np.cumsum([0] + [len(SPECIFIC_CHANGES[r]) for r in SPECIFIC_CHANGES])
    first = np.array([offsets[list(SPECIFIC_CHANGES).index(r)] for r in reasons])
    count = np.array([len(SPECIFIC_CHANGES[r]) for r in reasons])
    own = first[reason] + (rng.random(len(person)) * count[reason]).astype(int)
    generic = offsets[-1] + rng.integers(0, len(GENERIC_CHANGES), len(person))
    return {"change_date": date, "service": service, "person_ref": person, "reason": reason,
            "description": np.where(specific, own, generic)}


def _month_codes(pop: _Population, index: int) -> dict[str, dict]:
    """Every sheet of one month, as codes, with natural keys made unique and rows in date order."""
    rng = pop.month_rng(index)
    scores = pop.scores(index, rng)
    events = _events(pop, index, rng)
    demo = _demo_events(pop, index, rng)
    events = {key: np.concatenate([events[key], demo[key]]) for key in events}
    reviews = _reviews(pop, index, rng)
    _tell_demo_review(pop, reviews)
    codes = {
        "file_audit": _file_audits(pop, index, rng, scores),
        "observation": _observations(pop, index, rng, scores),
        "event": events,
        "plan_change": _plan_changes(pop, index, rng, events, reviews),
        "outcome": _outcomes(pop, index, reviews, rng),
        "review": reviews,
    }
    return {kind: _unique_in_order(sheet_for(kind), columns) for kind, columns in codes.items()}


def _tell_demo_review(pop: _Population, reviews: dict) -> None:
    """The demo person's reviews say what was not working before the plan change, and what works after it."""
    for position in np.flatnonzero(reviews["person_ref"] == pop.demo_index):
        when = "before" if reviews["review_date"][position] < pop.demo_change else "after"
        working, not_working, future = _DEMO_REVIEW[when]
        reviews["working_1"][position] = WORKING.index(working)
        reviews["not_working_1"][position] = NOT_WORKING.index(not_working)
        reviews["future_1"][position] = FUTURE.index(future)
        for key, first in (("working_2", "working_1"), ("not_working_2", "not_working_1"), ("future_2", "future_1")):
            if reviews[key][position] == reviews[first][position]:
                reviews[key][position] = -1


def _unique_in_order(sheet: Sheet, columns: dict) -> dict:
    """Drop later rows that repeat a natural key (so every row imports as intended); sort by date and time."""
    keys = np.stack([np.asarray(columns[k], dtype=np.int64) for k in sheet.natural_key], axis=1)
    if not len(keys):
        return {k: np.asarray(v, dtype=np.int64) for k, v in columns.items()}
    _, first = np.unique(keys, axis=0, return_index=True)
    first = np.sort(first)
    sort_keys = [columns[k][first] for k in reversed(sheet.natural_key[:2])]
    order = first[np.lexsort(sort_keys)]
    return {k: np.asarray(v)[order] for k, v in columns.items()}


# -- codes to cells --------------------------------------------------------------------

_REF_PREFIX = {"person_ref": "P", "staff_ref": "S"}
_TEXT_POOLS = {
    ("file_audit", "auditor"): AUDITORS, ("file_audit", "best_support_sample"): BEST_SUPPORT,
    ("file_audit", "notes"): AUDIT_NOTES, ("observation", "observer"): OBSERVERS,
    ("observation", "notes"): OBSERVATION_NOTES, ("event", "trigger"): TRIGGERS, ("event", "notes"): EVENT_NOTES,
    ("plan_change", "description"): CHANGE_DESCRIPTIONS, ("outcome", "outcome"): OUTCOMES,
    ("review", "working_1"): WORKING, ("review", "working_2"): WORKING,
    ("review", "not_working_1"): NOT_WORKING, ("review", "not_working_2"): NOT_WORKING,
    ("review", "future_1"): FUTURE, ("review", "future_2"): FUTURE,
}


def _spellings(value_type, option: str) -> tuple[str, ...]:
    """Other ways people type ``option`` that the schema reads back as ``option`` ("Y", "✓", " meals ")."""
    candidates = (option.upper(), option.lower(), option.title(), option[0], option[0].lower(), f" {option}",
                  f"{option}  ", option.replace("/", ""), *_ANSWER_GLYPHS)
    readable = []
    for candidate in candidates:
        try:
            if candidate != option and value_type.normalise(candidate) == option:
                readable.append(candidate)
        except InvalidValue:
            continue
    return tuple(dict.fromkeys(readable))


def _roughen(rng: np.random.Generator, cells: list, share: float, variant: Callable) -> list:
    """Replace a small share of cells by another valid way of typing them."""
    for position in np.flatnonzero(rng.random(len(cells)) < share):
        if cells[position] is not None:
            cells[position] = variant(position, cells[position])
    return cells


def _column_cells(sheet: Sheet, key: str, codes: np.ndarray, pop: _Population, rng: np.random.Generator) -> list:
    """One column's cells: real Excel dates and times (a few typed as text), choices, refs and text."""
    value_type = sheet.field(key).type
    if value_type.storage == "date":
        return _roughen(rng, codes.astype(float).tolist(), _TEXT_DATE_SHARE,
                        lambda _, serial: _date(serial).strftime("%d/%m/%Y"))
    if value_type.storage == "time":
        minutes = codes.tolist()
        cells = [None if m < 0 else m / 1440 for m in minutes]
        return _roughen(rng, cells, _TEXT_TIME_SHARE, lambda at, _: f"{minutes[at] // 60:02d}:{minutes[at] % 60:02d}")
    if value_type.dropdown:
        return _choice_cells(value_type, codes, rng)
    if value_type.storage == "int":
        return [None if v < 0 else v for v in codes.tolist()]
    if isinstance(value_type, Ref):
        return [f"{_REF_PREFIX[key]}-{v + 1:04d}" for v in codes.tolist()]
    if key == "service":
        names = np.array([s.name for s in pop.services], dtype=object)
        return _roughen(rng, names[codes].tolist(), _SPACED_SERVICE_SHARE, lambda _, name: f"{name} ")
    pool = np.array([*_TEXT_POOLS[(sheet.kind, key)], None], dtype=object)
    return pool[codes].tolist()


def _choice_cells(value_type, codes: np.ndarray, rng: np.random.Generator) -> list:
    options = value_type.dropdown
    lookup = np.array([*options, None], dtype=object)
    variants = {option: _spellings(value_type, option) or (option,) for option in options}

    def typed_otherwise(position: int, option: str) -> str:
        return variants[option][position % len(variants[option])]

    return _roughen(rng, lookup[codes].tolist(), _MESSY_CHOICE_SHARE, typed_otherwise)


def _cells(kind: str, codes: dict, pop: _Population, rng: np.random.Generator) -> list[list]:
    sheet = sheet_for(kind)
    return [_column_cells(sheet, f.key, codes[f.key], pop, rng) for f in sheet.fields]


def _add_problems(sheet: Sheet, columns: list[list], year: int, path: Path) -> list[PlacedProblem]:
    """Append this sheet's deliberate problems: copies of its first row with one thing wrong."""
    placed = []
    keys = list(sheet.keys)
    for problem in (p for p in DELIBERATE_PROBLEMS if p.kind == sheet.kind):
        row = [column[0] for column in columns]
        value = problem.value.format(year=year) if isinstance(problem.value, str) else problem.value
        row[keys.index(problem.key)] = value
        for column, cell in zip(columns, row):
            column.append(cell)
        placed.append(PlacedProblem(problem, path, sheet.name, len(columns[0]) + 1))
    return placed


# -- writing ---------------------------------------------------------------------------


def _file_name(year: int, month: int) -> str:
    return f"pcp-demo-{year}-{month:02d}.xlsx"


def _write_month(pop: _Population, index: int, out_dir: Path) -> tuple[Path, dict[str, int], list[PlacedProblem]]:
    """Generate and write one month's workbook (run in a worker process for large demos)."""
    year, month = pop.months[index]
    path = out_dir / _file_name(year, month)
    codes = _month_codes(pop, index)
    rng = np.random.default_rng([pop.seed, 4, year, month])
    sheets, placed, rows = [], [], {}
    for sheet in SHEETS:
        columns = _cells(sheet.kind, codes[sheet.kind], pop, rng)
        if index == 0:
            placed += _add_problems(sheet, columns, year, path)
        rows[sheet.kind] = len(columns[0])
        sheets.append((sheet, columns))
    _write_workbook(path, sheets, f"Demo audit data, {dt.date(year, month, 1):%B %Y}")
    return path, rows, placed


def _width(f) -> int:
    """Column width in Excel's character units: narrow for dates, times, numbers, refs and choices."""
    if f.type.storage in ("date", "time", "int") or f.type.dropdown or isinstance(f.type, Ref):
        return 12
    return 40


def _write_workbook(path: Path, sheets: list[tuple[Sheet, list[list]]], title: str) -> None:
    """One workbook, row by row in constant memory; every text cell goes through ``write_string``, so
    nothing is ever read as a formula."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.set_properties({"title": title, "author": "pcp demo (invented data)", "created": CREATED})
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8EEF4"})
    formats = {}
    for sheet, columns in sheets:
        worksheet = workbook.add_worksheet(sheet.name)
        number_formats = []
        for position, f in enumerate(sheet.fields):
            fmt = f.type.number_format
            if fmt and fmt not in formats:
                formats[fmt] = workbook.add_format({"num_format": fmt})
            number_formats.append(formats.get(fmt))
            worksheet.set_column(position, position, _width(f))
        worksheet.freeze_panes(1, 0)
        for position, f in enumerate(sheet.fields):
            worksheet.write_string(0, position, f.header, header)
        _write_rows(worksheet, columns, number_formats)
    workbook.close()


def _write_rows(worksheet, columns: list[list], number_formats: list) -> None:
    write_string, write_number = worksheet.write_string, worksheet.write_number
    for row, cells in enumerate(zip(*columns), start=1):
        for column, cell in enumerate(cells):
            if cell is None:
                continue
            if isinstance(cell, str):
                write_string(row, column, cell)
            else:
                write_number(row, column, cell, number_formats[column])


def write_demo(out_dir: Path, *, services: int = 6, months: int = 12, seed: int = 1, end_month: str | None = None,
               progress: Progress | None = None) -> DemoSet:
    """Write the demo workbooks and say what is in them (rows per kind, where the deliberate problems are)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pop = _population(services, months, seed, end_month)
    progress = progress or (lambda done, total, message: None)
    results = {}
    progress(0, months, f"Writing {months} demo workbooks")
    for index, result in _each_month(pop, out_dir):
        results[index] = result
        progress(len(results), months, f"Wrote {result[0].name}")
    ordered = [results[i] for i in range(months)]
    rows = {sheet.kind: sum(r[1][sheet.kind] for r in ordered) for sheet in SHEETS}
    return DemoSet([r[0] for r in ordered], rows, [p for r in ordered for p in r[2]], pop.services,
                   _date(pop.demo_change))


def _each_month(pop: _Population, out_dir: Path):
    """(index, result) for every month: in this process for small demos, two worker processes for large ones."""
    months = len(pop.months)
    expected_rows = len(pop.person_service) * months * 6
    workers = min(2, os.cpu_count() or 1, months)
    if expected_rows < PARALLEL_ROWS or workers < 2:
        for index in range(months):
            yield index, _write_month(pop, index, out_dir)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_write_month, pop, index, out_dir): index for index in range(months)}
        for future in as_completed(futures):
            yield futures[future], future.result()


def generate_workbooks(out_dir: Path, *, services: int = 6, months: int = 12, seed: int = 1,
                       end_month: str | None = None, progress: Progress | None = None) -> list[Path]:
    """Write one demo workbook per month, ``pcp-demo-YYYY-MM.xlsx``, ending with ``end_month`` (default: this
    month). The same arguments always give byte-identical files."""
    return write_demo(out_dir, services=services, months=months, seed=seed, end_month=end_month,
                      progress=progress).paths


# -- pcp demo --------------------------------------------------------------------------


def run_demo(store, *, out_dir: Path | None, services: int, months: int, seed: int, quiet: bool = False,
             end_month: str | None = None) -> int:
    """Write the demo workbooks, import them into ``store`` and say what happened.

    Exit code 0 when the only rejected rows are the deliberate ones, 1 when anything else
    was rejected, 2 when a file could not be read.
    """
    from pcp_widgets.audit.ingest.importer import import_files
    from pcp_widgets.progress import terminal_progress

    scratch = tempfile.TemporaryDirectory(prefix="pcp-demo-") if out_dir is None else contextlib.nullcontext(out_dir)
    with scratch as folder, terminal_progress(enabled=not quiet) as progress:
        demo = write_demo(Path(folder), services=services, months=months, seed=seed, end_month=end_month,
                          progress=progress)
        report = import_files(demo.paths, store, progress=progress)
    add_example_documents(store)
    unexpected = _unexpected_errors(report, demo)
    print(_summary(store, demo, report, unexpected, kept=out_dir is not None))
    if any(f.error for f in report.files):
        return 2
    return 1 if unexpected else 0


def add_example_documents(store) -> int:
    """Store the guidance's example tool documents (Pat's profile and the rest) unless already there.

    Each example's person is given a register entry at :data:`DEMO_SERVICE` and their documents linked
    to it, so the tool pages (which open people from the register) list them. Returns how many were
    added. An example is there when its person has a document of its tool.
    """
    from pcp_widgets.tools.examples import EXAMPLES

    added = 0
    for example in EXAMPLES:
        if not store.find_documents(tool=example.tool, person=example.person):
            store.create_document(example.tool, example.person, example.to_dict(), saved_by="demo")
            added += 1
    store.link_documents_to_register(DEMO_SERVICE, by="demo", tools={example.tool for example in EXAMPLES})
    return added


def _where(problem: PlacedProblem) -> tuple[str, str, int]:
    return problem.file.name, problem.sheet, problem.row


def _unexpected_errors(report, demo: DemoSet) -> list:
    """Errors other than the deliberate problems' rows."""
    expected = {_where(p) for p in demo.problems if p.problem.rejected}
    return [e for e in report.errors if (Path(e.file).name, e.sheet, e.row) not in expected]


def _summary(store, demo: DemoSet, report, unexpected: list, *, kept: bool) -> str:
    first, last = demo.paths[0].stem[-7:], demo.paths[-1].stem[-7:]
    lines = [f"Demo: {len(demo.paths)} workbooks ({first} to {last}) for {len(demo.services)} invented services."]
    if kept:
        lines.append(f"The workbooks are in {demo.paths[0].parent}")
    else:
        lines.append("They were written to a temporary folder, now removed (pcp demo --out DIR keeps them).")
    lines.append(f"Imported into {store.describe()}:")
    for sheet in SHEETS:
        counts = [f.sheets[sheet.kind] for f in report.files if sheet.kind in f.sheets]
        accepted = sum(c.accepted for c in counts)
        new, updated = sum(c.new for c in counts), sum(c.updated for c in counts)
        lines.append(f"  {sheet.name}: {accepted:,} rows accepted ({new:,} new, {updated:,} updated, "
                     f"{accepted - new - updated:,} already stored)")
    lines += _problem_lines(demo, report, unexpected)
    lines.append("Example tool documents from the guidance (Pat's one-page profile, Arthur's working and not "
                 "working, Kevin's, Michael's and Jo's) are stored for the tool pages.")
    lines.append(f"The story to look for: {DEMO_PERSON} at {DEMO_SERVICE} refused morning personal care about "
                 f"three times a week until the plan change of "
                 f"{demo.demo_change:%d/%m/%Y}; then about once a fortnight.")
    return "\n".join(lines)


def _problem_lines(demo: DemoSet, report, unexpected: list) -> list[str]:
    rejected = [p for p in demo.problems if p.problem.rejected]
    lines = [f"The {len(rejected)} rejected rows are the deliberate problems, there to show how the importer "
             "explains a row it cannot take:"]
    lines += [f"  {p.file.name}, sheet '{p.sheet}', row {p.row}: {p.problem.description}" for p in rejected]
    warned = [p for p in demo.problems if not p.problem.rejected]
    if warned:
        lines.append("Imported on purpose with a warning:")
        lines += [f"  {p.file.name}, sheet '{p.sheet}', row {p.row}: {p.problem.description}" for p in warned]
    found = {(Path(e.file).name, e.sheet, e.row) for e in report.errors}
    missed = [p for p in rejected if _where(p) not in found]
    if missed:
        lines.append("These deliberate problems were NOT rejected, which the demo did not expect:")
        lines += [f"  {p.file.name}, sheet '{p.sheet}', row {p.row}: {p.problem.description}" for p in missed]
    if unexpected:
        lines.append(f"Unexpected: {len(unexpected)} other problems (this is a fault in the demo; please report it):")
        lines += [f"  {e.file}, sheet '{e.sheet}', row {e.row}, {e.column}: {e.reason}" for e in unexpected[:20]]
    return lines


__all__ = ["DEMO_PERSON", "DEMO_SERVICE", "DEMO_PLAN_CHANGE", "DELIBERATE_PROBLEMS", "DeliberateProblem",
           "PlacedProblem", "ServiceProfile", "DemoSet", "service_profiles", "generate_workbooks", "write_demo",
           "run_demo"]
