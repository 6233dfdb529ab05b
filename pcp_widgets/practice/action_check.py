"""The check of an action for what is not working: does it say what will happen, who will see to it,
and by when?

Both the feedback a participant gets (:func:`pcp_widgets.practice.feedback.action`) and the check of
the exercise files' model actions (:mod:`pcp_widgets.practice.content`) use it, so the answer sheet
never contradicts the feedback; it sits below both, so neither needs the other for it.
"""

from __future__ import annotations

import re

from pcp_widgets.audit.analysis.wording import DETAIL, check_statement

#: A "who" that names nobody: everyone's job is no one's. Whole-answer matches only.
_NOBODY = re.compile(r"^(?:all|all staff|staff|the staff|everyone|everybody|anyone|someone|somebody|team|"
                     r"the team|we|us|them|they|tbc|tba|n/?a|unknown|\?+|-+)$", re.IGNORECASE)
#: A "when" that commits to no date.
_NO_DATE = re.compile(r"^(?:asap|as soon as possible|soon|ongoing|on-?going|tbc|tba|n/?a|when possible|"
                      r"if possible|as required|as needed|when needed|at some point|in future|\?+|-+)$",
                      re.IGNORECASE)
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december", r"jan", r"feb", r"mar", r"apr", r"jun", r"jul", r"aug", r"sept?", r"oct",
           r"nov", r"dec")
_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?|\b(?:today|tonight|tomorrow|this week|next week|"
    r"this month|next month|within \w+ (?:days?|weeks?|months?)|in \w+ (?:days?|weeks?|months?))\b"
    rf"|\b(?:{'|'.join(_MONTHS)})\b|" + "|".join(f"(?:{p})" for p in DETAIL["a time or day"]),
    re.IGNORECASE)


def action_problems(what: str, who: str, when: str) -> tuple[str, ...]:
    """What the action does not say yet, one sentence each; empty when it says what, who and by when."""
    what, who, when = what.strip(), who.strip(), when.strip()
    problems = []
    if not what:
        problems.append("Say what will happen.")
    elif check_statement(what).generic:
        problems.append("The 'what' is generic: say exactly what will be done, as in the plan-language "
                        "exercise.")
    if not who:
        problems.append("Say who will make sure it happens.")
    elif _NOBODY.match(who):
        problems.append(f"'{who}' names nobody in particular: give one person or role who will make sure it "
                        "happens (for example 'the home care manager' or 'Sally').")
    if not when:
        problems.append("Say by when.")
    elif _NO_DATE.match(when) or not _DATE.search(when):
        problems.append(f"'{when}' is not a date anyone could check: give a date or a day (for example "
                        "'by Friday' or 'within two weeks').")
    return tuple(problems)
