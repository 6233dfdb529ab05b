"""Small text helpers every output format shares.

Text in a document is whatever a person typed. Word files and SVG are XML, which cannot
hold most control characters at all, so they are dropped once here rather than failing
in a library half-way through a file.
"""

from __future__ import annotations

import datetime as dt
import re

# Characters XML 1.0 cannot carry (everything below space except tab, newline, return),
# plus the non-characters U+FFFE and U+FFFF and lone surrogates.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def printable(text: object) -> str:
    """``text`` as a string that every output format can hold."""
    return _NOT_XML.sub("", "" if text is None else str(text))


def uk_date(value: str) -> str:
    """'2026-03-01' -> '01/03/2026': the order people in the UK read; anything else unchanged."""
    try:
        return dt.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return printable(value)


def word_count(texts) -> int:
    return sum(len(str(text).split()) for text in texts)
