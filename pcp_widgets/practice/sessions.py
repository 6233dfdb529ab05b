"""Practice sessions run by a trainer: a short code, participants' answers kept in the store.

A trainer starts a session and reads its code out (or shows it on a projector); each
participant types the code and a name on a practice page, and every answer they check is
saved under the session. The answers belong to who the participant is, as the server knows it
(:func:`pcp_widgets.practice.browser_key.owner_of`: their sign-in behind JupyterHub, their browser's
private key under ``pcp serve``), never to the name typed: the name is only how they show to the
trainer, and a name someone else in the session uses is refused rather than opening their answers. The trainer's page then lists who has done what, shows the
answers to one exercise side by side (names hidden unless the trainer chooses), and
exports a handout pack (PDF) and a completion sheet (xlsx).

Everything is kept as the store's versioned documents, so nothing is ever overwritten:

- the session: tool ``practice_session``, person = the code; content ``{"trainer", "started"}``;
- each participant's answers: tool ``practice_answers``, person = ``"<code>:<participant id>"``,
  content ``{"session", "name", "joined", "answers": {kind: {item id: {"answer", "ok", "saved_at"}}}}``.
  The participant id is a hash of the owner (:func:`participant_id`), so the database holds neither a
  browser's key nor anything that gives it back. Sessions stored before owners existed have random
  8-character ids: the trainer's page shows them as ever, and nobody can join as one of them again.
  Each participant writes only their own document, so two participants never conflict; the same
  participant in two tabs can, and then the save is retried on the latest version with the new
  answer merged in, so neither tab's answers are lost.

Neither kind is one of the fifteen tools, so these documents never appear in a tool page's
person picker (:func:`pcp_widgets.ui.session.people` lists tools' documents only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pcp_widgets.errors import ConflictError, SessionError
from pcp_widgets.plural import counted
from pcp_widgets.practice.content import KINDS, SIDES, TO_FOR, load_exercises
from pcp_widgets.render.blocks import Layout, Table, Text

if TYPE_CHECKING:
    import pandas as pd

# The trainer's tables, PDF and workbook import pandas, the PDF renderer and openpyxl where they are
# made: every participant's practice page uses this module only to join and save, and opens sooner.

SESSION_TOOL = "practice_session"
ANSWERS_TOOL = "practice_answers"
#: Letters and digits nobody misreads from a projector: no 0/O, 1/I.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_NAME_LENGTH = 60
#: A save retried this many times on the latest version before giving up (each retry means
#: another tab of the same participant saved in between, so this is never reached in practice).
MAX_RETRIES = 50
#: The item of the review exercise that puts the nine questions in order.
ORDER_KEY = "order"
SAVED_BY = "practice page"
#: Hex digits of a participant id: 80 bits of the owner's hash, longer than the ids of older sessions.
PARTICIPANT_ID_LENGTH = 20


# -- codes and joining ---------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def clean_code(typed: str) -> str:
    """The code as typed, in capitals without spaces or dashes; a code that cannot be one is refused."""
    code = "".join(ch for ch in (typed or "").upper() if ch not in " -\t")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        raise SessionError(f"{(typed or '').strip()!r} is not a session code: a code is {CODE_LENGTH} letters "
                           "and digits, as shown on the trainer's screen.")
    return code


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def start_session(store, trainer_label: str) -> str:
    """A new session's code (unused so far), saved with who runs it."""
    code = new_code()
    while store.find_documents(tool=SESSION_TOOL, person=code):
        code = new_code()
    store.create_document(SESSION_TOOL, code, {"trainer": " ".join((trainer_label or "").split()),
                                               "started": _now()}, saved_by="facilitator page")
    return code


@dataclass(frozen=True)
class Session:
    code: str
    trainer: str
    started: str


def get_session(store, typed_code: str) -> Session:
    """The session with this code, or one sentence saying there is none."""
    code = clean_code(typed_code)
    found = store.find_documents(tool=SESSION_TOOL, person=code)
    if not found:
        raise SessionError(f"There is no practice session with the code {code}: check it on the trainer's screen.")
    content = store.get_document(found[0].document_id).content
    return Session(code, content.get("trainer", ""), content.get("started", ""))


@dataclass(frozen=True)
class Participant:
    code: str
    participant_id: str
    name: str
    document_id: int
    saved_by: str = SAVED_BY  # recorded on each version: the Hub's sign-in name, else the page


def participant_id(owner: str) -> str:
    """A participant's id: the same for the same owner in every session, and revealing neither key nor name."""
    return hashlib.sha256(owner.encode("utf-8")).hexdigest()[:PARTICIPANT_ID_LENGTH]


def _participant_documents(store, code: str):
    """This session's participants' documents, in the order they joined."""
    prefix = f"{code}:"
    return sorted((s for s in store.find_documents(tool=ANSWERS_TOOL) if s.person.startswith(prefix)),
                  key=lambda summary: summary.document_id)


def join(store, code: str, name: str, owner: str, saved_by: str = SAVED_BY) -> Participant:
    """Join a session by its code as ``owner`` (who the server knows the participant to be), shown to the
    trainer as ``name``.

    The same owner joining again (a reloaded page, a second tab) carries on with the same answers, under
    the name typed last. A name another participant of the session uses is refused in one sentence: the
    name never decides whose answers are opened, and the trainer's table stays unambiguous.
    """
    session = get_session(store, code)
    name = " ".join((name or "").split())[:MAX_NAME_LENGTH]
    if not name:
        raise SessionError("Type your name (or initials) to join the session.")
    if not owner:
        raise ValueError("a participant's owner is needed: see pcp_widgets.practice.browser_key.owner_of")
    own_id = participant_id(owner)
    mine = None
    for summary in _participant_documents(store, session.code):
        content = store.get_document(summary.document_id).content
        if summary.person == f"{session.code}:{own_id}":
            mine = summary
        elif content["name"].casefold() == name.casefold():
            raise SessionError(f"Someone in this session already uses the name {name}: add an initial or "
                               "choose another name.")
    if mine is None:
        created = store.create_document(ANSWERS_TOOL, f"{session.code}:{own_id}",
                                        {"session": session.code, "name": name, "joined": _now(), "answers": {}},
                                        saved_by=saved_by)
        return Participant(session.code, own_id, name, created.document_id, saved_by)
    participant = Participant(session.code, own_id, name, mine.document_id, saved_by)
    _save_changed(store, participant, lambda content: {**content, "name": name})
    return participant


def save_answer(store, code: str, participant: Participant, kind: str, item_id: str, answer: str,
                feedback_ok: bool, base=None) -> int:
    """Save one checked answer under the session; returns the document's new version.

    ``base`` is the version this page last saw (None: the latest). A ConflictError means
    another tab of this participant saved since, so the answer is merged into the newer
    version and saved again: both tabs' answers are kept.
    """
    if participant.code != clean_code(code):
        raise SessionError(f"{participant.name} joined session {participant.code}, not {code}.")
    entry = {"answer": str(answer), "ok": bool(feedback_ok), "saved_at": _now()}
    return _save_changed(store, participant, lambda content: merged(content, kind, item_id, entry), base)


def _save_changed(store, participant: Participant, change, base=None) -> int:
    """Save ``change(content)`` of the participant's document on ``base`` (None: the latest), retried on the
    latest version when another tab of theirs saved in between; returns the version saved (or unchanged)."""
    latest = base or store.get_document(participant.document_id)
    for _attempt in range(MAX_RETRIES):
        content = change(latest.content)
        if content == latest.content:
            return latest.version
        try:
            return store.save_document(participant.document_id, content, latest.version,
                                       saved_by=participant.saved_by).version
        except ConflictError:
            latest = store.get_document(participant.document_id)
    raise SessionError("Your answer could not be saved because it kept changing elsewhere; check it again.")


def merged(content: dict, kind: str, item_id: str, entry: dict) -> dict:
    """``content`` with one answer set, every other answer kept (a new dict; ``content`` is unchanged)."""
    answers = {k: dict(v) for k, v in content.get("answers", {}).items()}
    answers.setdefault(kind, {})[item_id] = entry
    return {**content, "answers": answers}


# -- what can be answered, from the exercise files ------------------------------------------


@dataclass(frozen=True)
class SessionItem:
    """One thing a participant answers: its key under the kind, what was asked, the guidance's answer."""

    kind: str
    item_id: str
    prompt: str
    model: str


def statement_key(exercise: dict, statement: dict) -> str:
    return f"{exercise['id']}.{statement['id']}"


def action_key(exercise: dict, statement: dict) -> str:
    return f"{statement_key(exercise, statement)}.action"


def action_text(what: str, who: str, when: str) -> str:
    """An action as one line, the same in the store, the page and the handout."""
    return f"{what} (who: {who}; by when: {when})"


def order_text(chosen: list[str]) -> str:
    return "\n".join(f"{place}. {text or '(none chosen)'}" for place, text in enumerate(chosen, 1))


def _four_perspectives_items(exercise: dict) -> list[SessionItem]:
    items = []
    for statement in exercise["statements"]:
        view = exercise["perspectives"][statement["perspective"]]
        items.append(SessionItem("four_perspectives", statement_key(exercise, statement),
                                 f"{exercise['person']}: whose view, and is it working? {statement['text']}",
                                 f"{view}; {SIDES[statement['side']]}. {statement['why']}"))
    for statement in exercise["statements"]:
        if statement["side"] == "not_working":
            items.append(SessionItem("four_perspectives", action_key(exercise, statement),
                                     f"{exercise['person']}: an action for: {statement['text']}",
                                     action_text(**statement["action"])))
    return items


def session_items(kind: str) -> list[SessionItem]:
    """Every answerable item of a kind, in page order, with the guidance's answer to show beside them."""
    exercises = load_exercises(kind)
    if kind in ("make_it_specific", "whose_voice"):
        return [SessionItem(kind, i["id"], f"{i['person']}: {i['statement']}", i["model_answer"])
                for i in exercises.items]
    if kind == "to_or_for":
        return [SessionItem(kind, i["id"], f"{i['person']}: {i['statement']}",
                            f"{TO_FOR[i['answer']]}. {i['reasoning']}") for i in exercises.items]
    if kind == "four_perspectives":
        return [item for exercise in exercises.items for item in _four_perspectives_items(exercise)]
    order = SessionItem(kind, ORDER_KEY, "The nine person-centred review questions, in order",
                        order_text([q["text"] for q in exercises.questions]))
    return [order] + [SessionItem(kind, i["id"], i["question"], f"{i['answer']}. {i['explanation']}")
                      for i in exercises.items]


def all_session_items() -> list[SessionItem]:
    return [item for kind in KINDS for item in session_items(kind)]


# -- what the trainer sees ------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantAnswers:
    number: int  # in the order they joined, from 1: how they are named when names are hidden
    name: str
    joined: str
    answers: dict  # kind -> item id -> {"answer", "ok", "saved_at"}

    def label(self, show_names: bool) -> str:
        return self.name if show_names else f"Participant {self.number}"


def participants(store, code: str) -> list[ParticipantAnswers]:
    """Everyone who joined the session, with their latest answers, in the order they joined."""
    session = get_session(store, code)
    found = []
    for number, summary in enumerate(_participant_documents(store, session.code), 1):
        content = store.get_document(summary.document_id).content
        found.append(ParticipantAnswers(number, content["name"], content.get("joined", ""),
                                        content.get("answers", {})))
    return found


def progress_columns() -> dict[str, str]:
    """The progress table's columns (key -> heading): the name, then answered and right per kind."""
    columns = {"name": "Participant"}
    for kind in KINDS:
        title = load_exercises(kind).title
        columns[f"{kind}_answered"] = f"{title}: answered (of {len(session_items(kind))})"
        columns[f"{kind}_right"] = f"{title}: right"
    return columns


def progress(store, code: str) -> pd.DataFrame:
    """A row per participant: how many items of each kind they have answered, and how many right."""
    rows = []
    for person in participants(store, code):
        row = {"name": person.name}
        for kind in KINDS:
            given = person.answers.get(kind, {})
            row[f"{kind}_answered"] = len(given)
            row[f"{kind}_right"] = sum(1 for entry in given.values() if entry.get("ok"))
        rows.append(row)
    import pandas as pd

    return pd.DataFrame(rows, columns=list(progress_columns()))


@dataclass(frozen=True)
class SideBySideAnswer:
    label: str
    answer: str
    ok: bool


def answers_side_by_side(store, code: str, kind: str, item_id: str, show_names: bool = False,
                         people: list[ParticipantAnswers] | None = None) -> list[SideBySideAnswer]:
    """Every participant's answer to one item, in joining order; "Participant 1, 2..." unless names are shown.

    The numbers follow the order of joining, not of answering, so "Participant 2" is the same
    person for every item of the session.
    """
    people = participants(store, code) if people is None else people
    return [SideBySideAnswer(person.label(show_names), entry["answer"], bool(entry.get("ok")))
            for person in people if (entry := person.answers.get(kind, {}).get(item_id))]


# -- exports ---------------------------------------------------------------------------------


def _opened(typed: str) -> str:
    """'12 March 2025' from a stored ISO time, or '' when there is none."""
    try:
        return dt.datetime.fromisoformat(typed).strftime("%d %B %Y").lstrip("0")
    except (TypeError, ValueError):
        return ""


def handout_layout(store, code: str, show_names: bool = False) -> Layout:
    """The handout's blocks: per exercise done its introduction, then per item answered everyone's answers
    and the guidance's. Items nobody answered are left out (a line says how many), and exercises nobody
    did are named in one line at the end, so the pack holds only what the group can discuss."""
    session = get_session(store, code)
    people = participants(store, code)
    blocks, not_done = [], []
    for kind in KINDS:
        exercises = load_exercises(kind)
        items = session_items(kind)
        answered = [(item, answers) for item in items
                    if (answers := answers_side_by_side(store, code, kind, item.item_id, show_names, people))]
        if not answered:
            not_done.append(exercises.title)
            continue
        blocks.append(Text(exercises.title, " ".join(exercises.introduction.split())))
        for item, answers in answered:
            rows = tuple(((a.label,), tuple(a.answer.splitlines() or [""]), ("Passed the check" if a.ok else
                                                                              "Not yet",)) for a in answers)
            blocks.append(Table(item.prompt, ("Participant", "Answer", "Feedback"), rows))
            blocks.append(Text("The guidance's answer", item.model))
        if len(answered) < len(items):
            blocks.append(Text("Not answered", f"Nobody answered {len(items) - len(answered)} of the "
                                               f"{counted(len(items), 'item')} of this exercise; they are left out."))
    if not_done:
        blocks.append(Text("Exercises nobody did in this session", "; ".join(not_done) + "."))
    started = _opened(session.started)
    subtitle = " · ".join(part for part in (session.trainer, started, counted(len(people), "participant")) if part)
    return Layout(heading=f"Practice session {session.code}", subtitle=subtitle, contributors="",
                  blocks=tuple(blocks))


def handout_pdf(store, code: str, show_names: bool = False) -> bytes:
    """The session as one PDF handout pack for the group, names hidden unless ``show_names``."""
    from pcp_widgets.render.pdf import layout_pdf

    layout = handout_layout(store, code, show_names)
    return layout_pdf(layout, f"Practice session {clean_code(code)}")


#: Where the trainers are: times saved in UTC are shown in this zone's clock time.
LOCAL_ZONE = "Europe/London"


def local_time(saved_at: str) -> dt.datetime | None:
    """A stored UTC time as the clock time in the UK, without a zone (a spreadsheet has none), or None."""
    try:
        moment = dt.datetime.fromisoformat(saved_at)
    except (TypeError, ValueError):
        return None
    try:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(LOCAL_ZONE)
    except (ImportError, LookupError):  # no time zone data here: the server's own clock
        zone = None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(zone).replace(tzinfo=None)


def _answer_rows(people: list[ParticipantAnswers]):
    titles = {kind: load_exercises(kind).title for kind in KINDS}
    for person in people:
        for item in all_session_items():
            entry = person.answers.get(item.kind, {}).get(item.item_id)
            if entry:
                yield (person.name, titles[item.kind], item.prompt, entry["answer"],
                       "yes" if entry.get("ok") else "no", local_time(entry.get("saved_at", "")))


def completion_xlsx(store, code: str) -> bytes:
    """The completion sheet: who did what (one row each), and every answer (for the trainer's records)."""
    from pcp_widgets.audit.outputs.sheets_out import SheetData, xlsx_bytes

    code = get_session(store, code).code
    people = participants(store, code)
    table = progress(store, code)
    columns = progress_columns()
    sheets = [SheetData("Completion", list(columns.values()), table.itertuples(index=False, name=None)),
              SheetData("Answers", ["Participant", "Exercise", "Item", "Answer", "Passed the check", "Saved at"],
                        _answer_rows(people))]
    return xlsx_bytes(sheets)


__all__ = ["SESSION_TOOL", "ANSWERS_TOOL", "CODE_ALPHABET", "CODE_LENGTH", "ORDER_KEY", "Session", "Participant",
           "participant_id",
           "SessionItem", "ParticipantAnswers", "SideBySideAnswer", "clean_code", "start_session", "get_session",
           "join", "save_answer", "merged", "session_items", "all_session_items", "statement_key", "action_key",
           "action_text", "order_text", "participants", "progress", "progress_columns", "answers_side_by_side",
           "handout_layout", "handout_pdf", "completion_xlsx"]
