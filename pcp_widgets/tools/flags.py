"""Warnings a tool document raises about itself, as the guidance advises.

An action plan's step with confidence below 6 should be made smaller or given more
support; a step or goal whose date has passed without being done is overdue. The editor
shows these beside the row, the renderers print them in words (never colour alone).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pcp_widgets.tools.catalogue import LOW_CONFIDENCE
from pcp_widgets.tools.model import Document

#: Statuses after which a date no longer matters.
_FINISHED = {"done", "achieved", "abandoned", "not_achieved"}


@dataclass(frozen=True)
class Flag:
    section: str
    row: int  # 1-based row of the table
    message: str


def document_flags(document: Document, today: dt.date | None = None) -> list[Flag]:
    """Every flag of a document (only action plans and reviews' actions have any today)."""
    today = today or dt.date.today()
    flags: list[Flag] = []
    sections = document.sections
    for n, action in enumerate(sections.get("actions") or [], 1):
        confidence = action.get("confidence")
        if confidence is not None and confidence < LOW_CONFIDENCE:
            flags.append(Flag("actions", n, f"Confidence is {confidence} out of 10: make the step smaller, "
                                            "or add support, until confidence is 6 or more."))
        if _is_overdue(action.get("by_when"), action.get("status"), today):
            flags.append(Flag("actions", n, f"Overdue: this step was due by {_uk(action['by_when'])}."))
    for n, goal in enumerate(sections.get("goals") or [], 1):
        if _is_overdue(goal.get("review_date"), goal.get("status"), today):
            flags.append(Flag("goals", n, f"Review overdue: the review date was {_uk(goal['review_date'])}."))
    return flags


def flags_by_row(flags: list[Flag]) -> dict[tuple[str, int], list[str]]:
    grouped: dict[tuple[str, int], list[str]] = {}
    for flag in flags:
        grouped.setdefault((flag.section, flag.row), []).append(flag.message)
    return grouped


def _is_overdue(date_text: str | None, status: str | None, today: dt.date) -> bool:
    if not date_text or status in _FINISHED:
        return False
    return dt.date.fromisoformat(date_text) < today


def _uk(date_text: str) -> str:
    return dt.date.fromisoformat(date_text).strftime("%d/%m/%Y")
