"""A number with its noun in the right form: "1 participant", "2 participants", "1,200 rows".

One helper, so no sentence on a page or in a download says "1 participants".
"""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` with thousands separators and ``noun``, made plural (``plural``, else noun + "s") unless 1."""
    return f"{number:,} {noun if number == 1 else (plural or noun + 's')}"


__all__ = ["counted"]
