"""Feedback on one practice answer, for each kind of exercise: pure functions, no widgets.

Each function takes an item of an exercise file (see :mod:`pcp_widgets.practice.content`)
and what the participant answered, and returns a :class:`Feedback`: whether the answer
does the job, a headline, the points behind it, and the guidance's own answer to compare
with once it is worth showing. The pages only display these, so the same feedback can be
tested here, printed in a handout, or given by another page.

The rewriting exercises use the plan-language check (:mod:`pcp_widgets.audit.analysis.wording`), so
practice and the audit of real plans judge wording by the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pcp_widgets.audit.analysis.lemmas import content_lemmas, lemma
from pcp_widgets.audit.analysis.wording import check_statement, gives, own_voice_suggestion
from pcp_widgets.audit.analysis.words import COMMON_WORDS, TIME_WORDS
from pcp_widgets.audit.analysis.words import listed as _listed
from pcp_widgets.practice.action_check import action_problems
from pcp_widgets.practice.content import SIDES, TO_FOR, load_exercises


@dataclass(frozen=True)
class Feedback:
    ok: bool
    headline: str
    points: tuple[str, ...] = ()
    model: str = ""  # the guidance's answer, to compare with (empty: nothing to show yet)


def _same_text(first: str, second: str) -> bool:
    words = re.compile(r"[a-z0-9£']+")
    return words.findall(first.lower()) == words.findall(second.lower())


def _unanswered(answer: str, statement: str) -> Feedback | None:
    """The feedback for a blank or unchanged rewrite, or None when there is something to check."""
    if not answer.strip():
        return Feedback(False, "Write your rewrite in the box first.")
    if _same_text(answer, statement):
        return Feedback(False, "That is the statement as it was: rewrite it in your own words.")
    return None


#: Words a statement uses to say what is hoped for, not what the task is ("as required", "ensure",
#: "appropriately"): a rewrite sharing only one of them is not about the same task.
AIM_WORDS = frozenset("""
ensure require appropriate appropriately provide promote maintain meaningful regularly safely manage need
encourage enable assist
""".split())
#: Words that never show a rewrite is about the same task: those in nearly every plan ("staff",
#: "support"), those saying only when ("morning", "Tuesday") and those saying only what is hoped for.
NOT_THE_TASK = COMMON_WORDS | TIME_WORDS | AIM_WORDS


def task_words(item: dict) -> tuple[str, ...]:
    """What the item's statement is about, as lemmas: the statement's words, then the guidance's
    example's, without the person's name or :data:`NOT_THE_TASK` ("meal", "heat", "frozen", ...)."""
    person = lemma(item["person"])
    words = content_lemmas(f"{item['statement']} {item['model_answer']}")
    return tuple(dict.fromkeys(w for w in words if w not in NOT_THE_TASK and w != person))


@lru_cache(maxsize=1)
def _exercise_people() -> frozenset[str]:
    """The people of the "Make it specific" exercises (lemmas of their names)."""
    return frozenset(lemma(item["person"]) for item in load_exercises("make_it_specific").items)


def someone_else(item: dict, answer: str) -> str:
    """The name of another person of the exercises the answer is about (it names them, not this
    item's person), or ""."""
    said = set(content_lemmas(answer))
    person = lemma(item["person"])
    if person in said:
        return ""
    for word in content_lemmas(answer):
        if word in _exercise_people() and word != person:
            return word.capitalize()
    return ""


def about_the_statement(item: dict, answer: str) -> bool:
    """Whether a rewrite is about the item's statement: the same person and the same task.

    Compared on lemmas (:mod:`pcp_widgets.audit.analysis.lemmas`: "meals" is "meal", "heating" is "heat"):
    the rewrite shares at least one of :func:`task_words` with the statement or the guidance's
    example, and names no other person of the exercises instead of this one. The first person
    ("my dinner") needs no name. Sharing only a time ("On Tuesday mornings" with "in the
    morning"), a word every plan has ("staff") or the statement's hope ("as required"), or only
    the person's name, is not enough: an answer written for another statement is never checked as
    a rewrite of this one, however specific it is.
    """
    if someone_else(item, answer):
        return False
    return bool(set(task_words(item)) & set(content_lemmas(answer)))


def _no_task(item: dict) -> str:
    return (f"does not say what the statement is about (for example {_listed(list(task_words(item)[:3]), 'or')})")


def _off_the_subject(item: dict, answer: str) -> Feedback:
    """The feedback for a rewrite about something else: another person, or not the statement's task."""
    other = someone_else(item, answer)
    if other:
        why = f"Your rewrite is about {other}, not {item['person']}, so it is not checked as a rewrite of it."
    else:
        why = (f"Your rewrite {_no_task(item)}, so it is not checked as a rewrite of it; a time, the person's "
               "name or a word every plan has is not enough.")
    return Feedback(False, f"This seems to be about something else: rewrite {item['person']}'s statement.",
                    (f"The statement: \u201c{item['statement']}\u201d", why))


#: The kinds of detail worth prompting for when a rewrite is still generic, most useful first.
_PROMPTED_DETAIL = ("a concrete action", "a time or day", "a condition", "a firm rule", "a named thing")
#: How the feedback names each of when, how and who (:func:`pcp_widgets.audit.analysis.wording.gives`).
_PARTS = {"when": "when (a time, a day, how often or what prompts it)", "how": "how (the way it is done)",
          "who": "who does it (a named person, not just \u201cstaff\u201d)"}


def _what_it_gives(answer: str, passed: bool) -> list[str]:
    """What the rewrite says of when, how and who (with its own words), and what it still lacks."""
    found = gives(answer)
    said = [f"{part} (\u201c{getattr(found, part)[0]}\u201d)" for part in ("when", "how", "who")
            if getattr(found, part)]
    points = [f"It says {_listed(said)}."] if said else []
    if found.missing:
        parts = [_PARTS[part] for part in found.missing]
        points.append(f"It could also say {_listed(parts, 'or')}." if passed else f"Still missing: {_listed(parts)}.")
    return points


def make_it_specific(item: dict, answer: str) -> Feedback:
    """Is the rewrite, about the same person and task, something a new staff member could do on day
    one? Says what is still generic (the check's reasons and fixes), which of when, how and who it
    gives and lacks, and which kinds of detail would help."""
    empty = _unanswered(answer, item["statement"])
    if empty:
        return empty
    check = check_statement(answer)
    about = about_the_statement(item, answer)
    # A generic rewrite naming the person but not the task ("Support Arthur as required") is still
    # theirs, and is told both; anything else not about the statement is never judged as a rewrite.
    if not about and not (check.generic and lemma(item["person"]) in content_lemmas(answer)
                          and not someone_else(item, answer)):
        return _off_the_subject(item, answer)
    has = f"It has {_listed(check.details)}." if check.details else ""
    if not check.generic:
        return Feedback(True, "Specific: a new member of staff could do this on day one.",
                        tuple(p for p in (has, *_what_it_gives(answer, True)) if p), item["model_answer"])
    missing = [kind for kind in _PROMPTED_DETAIL if kind not in check.details]
    points = [f"{reason} {suggestion}" for reason, suggestion in zip(check.reasons, check.suggestions)]
    points += _what_it_gives(answer, False)
    if not about:
        points.append(f"It {_no_task(item)}.")
    if missing:
        points.append(f"Detail that would help: {_listed(missing[:3])}.")
    return Feedback(False, "Still generic: a new member of staff would not know exactly what to do.", tuple(points))


def whose_voice(item: dict, answer: str) -> Feedback:
    """Is the rewrite in the person's own words ("I", "my"), not about them?"""
    empty = _unanswered(answer, item["statement"])
    if empty:
        return empty
    check = check_statement(answer, important_to=True)
    if check.first_person:
        return Feedback(True, f"In {item['person']}'s own voice.", (), item["model_answer"])
    return Feedback(False, f"Not yet in {item['person']}'s own voice: it still talks about them.",
                    (own_voice_suggestion(answer),))


def to_or_for(item: dict, choice: str) -> Feedback:
    """Right or not, with the reasoning; ``choice`` is ``important_to`` or ``important_for``."""
    right = TO_FOR[item["answer"]].lower()
    if choice == item["answer"]:
        return Feedback(True, f"Right: {right} {item['person']}.", (item["reasoning"],))
    return Feedback(False, f"Not quite: this is {right} {item['person']}.", (item["reasoning"],))


def sorted_statement(exercise: dict, statement: dict, perspective: str, side: str) -> Feedback:
    """Whose view a working / not working statement is, and which side: what is wrong, and why."""
    wrong = []
    if perspective != statement["perspective"]:
        wrong.append(f"It is the view of {exercise['perspectives'][statement['perspective']]}.")
    if side != statement["side"]:
        wrong.append(f"It is {SIDES[statement['side']].lower()} for them.")
    if wrong:
        return Feedback(False, "Not quite.", (*wrong, statement["why"]))
    return Feedback(True, "Right.", (statement["why"],))


def action(what: str, who: str, when: str) -> Feedback:
    """An action for what is not working: does it say what will happen, who will see to it, and when?
    (The check itself is :func:`pcp_widgets.practice.action_check.action_problems`.)"""
    problems = action_problems(what, who, when)
    if problems:
        return Feedback(False, "This action is not ready yet.", problems)
    return Feedback(True, "A clear action: what, who and by when.")


def review_order(questions: tuple[dict, ...] | list[dict], chosen: list[str]) -> Feedback:
    """The nine review questions in the order chosen (their texts; "" for a place left empty)."""
    expected = [question["text"] for question in questions]
    if any(not text for text in chosen):
        return Feedback(False, "Choose a question for every place first.")
    repeated = sorted({text for text in chosen if chosen.count(text) > 1})
    if repeated:
        return Feedback(False, "Each question belongs in one place only.",
                        tuple(f"Chosen more than once: {text}" for text in repeated))
    wrong = [place for place, (got, want) in enumerate(zip(chosen, expected), 1) if got != want]
    if not wrong:
        return Feedback(True, "All nine in order.", tuple(q["why"] for q in questions))
    right = len(expected) - len(wrong)
    first = wrong[0]
    return Feedback(False, f"{right} of {len(expected)} in the right place.",
                    (f"Not in the right place: {_listed([str(place) for place in wrong])}.",
                     f"A clue for place {first}: {questions[first - 1]['why']}"))


def quiz(item: dict, choice: str) -> Feedback:
    """One quiz question: right or not, with the explanation either way."""
    if choice == item["answer"]:
        return Feedback(True, "Right.", (item["explanation"],))
    return Feedback(False, f"Not quite: the answer is \u201c{item['answer']}\u201d.", (item["explanation"],))


__all__ = ["Feedback", "AIM_WORDS", "NOT_THE_TASK", "task_words", "someone_else", "about_the_statement",
           "make_it_specific", "whose_voice", "to_or_for", "sorted_statement", "action", "review_order", "quiz"]
