"""Free text for commissioners: theme names and I statements leave only after a check and a named sign-off.

:func:`check_text` blocks anything that looks like a personal name, a person or staff
ref, a room number, an address, a phone number or a date of birth, each with the reason
in plain words. :func:`sign_off` records who signed off which texts of which period, and
when; it refuses texts that fail the check. The export (:func:`themes_for_commissioners`)
shows a theme's name and I statement only when exactly that text was signed off for its
period; otherwise the theme goes out by its number, with its counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pcp_widgets.audit.analysis.wtfc import ThemeSet, themes_for_export
from pcp_widgets.errors import PcpError


class FreeTextError(PcpError):
    """Text that may identify someone, or a sign-off without a name."""


_TITLE = r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Nurse|Sister)\.?\s+[A-Z][a-z'-]+"
_CHECKS: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"\b[PS]-?\d{2,}\b|\b[PS]-[A-Z0-9]{3,}\b", re.IGNORECASE), "looks like a person or staff ref"),
    (re.compile(_TITLE), "looks like a personal name (a title and a name)"),
    (re.compile(r"\b(?:room|rm|flat|bedroom|bed|apartment)\.?\s*(?:no\.?\s*)?\d+[a-z]?\b", re.IGNORECASE),
     "looks like a room number"),
    (re.compile(r"\b\d+[a-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|"
                r"Crescent|Gardens|Terrace|Place|Grove)\b"), "looks like an address"),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"), "looks like a postcode (an address)"),
    (re.compile(r"(?:\+44\s?|\b0)(?:\d[\s-]?){9,10}\b"), "looks like a phone number"),
    (re.compile(r"\b(?:d\.?o\.?b|date of birth|born)\b", re.IGNORECASE), "mentions a date of birth"),
    (re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"), "holds a date (it could be a date of birth)"),
)
#: Two or more capitalised words in a row (not at the very start, where a sentence or title begins
#: with one) read as a name: "Jean Smith".
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z'-]+)\s+([A-Z][a-z'-]+)\b")
_WORDS_NOT_NAMES = {"I", "Working", "Not", "Future", "Together", "Change", "Monday", "Tuesday", "Wednesday",
                    "Thursday", "Friday", "Saturday", "Sunday", "Christmas", "Easter", "NHS", "GP"}


def check_text(text: str) -> list[str]:
    """Why ``text`` may not go to commissioners (empty when it may): one plain reason per problem."""
    text = str(text or "")
    reasons = [reason for pattern, reason in _CHECKS if pattern.search(text)]
    for match in _NAME.finditer(text):
        if not {match.group(1), match.group(2)} & _WORDS_NOT_NAMES:
            reasons.append(f"\"{match.group(0)}\" looks like a personal name")
            break
    first_two = re.match(r"^([A-Z][a-z'-]+)\s+([A-Z][a-z'-]+)\b", text)
    if first_two and not {first_two.group(1), first_two.group(2)} & _WORDS_NOT_NAMES \
            and not any("personal name" in r for r in reasons):
        reasons.append(f"\"{first_two.group(0)}\" looks like a personal name")
    return reasons


@dataclass(frozen=True)
class ThemeText:
    """The free text of one theme that may go to commissioners."""

    kind: str
    name: str
    i_statement: str

    def problems(self) -> list[str]:
        return [f"{label} {reason}" for label, text in (("The theme name", self.name),
                                                       ("The I statement", self.i_statement))
                for reason in check_text(text)]


def theme_texts(theme_set: ThemeSet) -> list[ThemeText]:
    """The free text of each theme, as it would reach commissioners once signed off."""
    return [ThemeText(theme.kind, theme.name, theme.i_statement) for theme in theme_set.themes]


@dataclass(frozen=True)
class SignOff:
    first: str
    last: str
    signed_by: str
    signed_at: object
    texts: tuple[ThemeText, ...]

    def covers(self, text: ThemeText) -> bool:
        return text in self.texts

    def sentence(self) -> str:
        when = self.signed_at.strftime("%d/%m/%Y %H:%M") if hasattr(self.signed_at, "strftime") else str(self.signed_at)
        return f"signed off by {self.signed_by} on {when}"


def sign_off(store, first: str, last: str, texts: list[ThemeText], signed_by: str) -> SignOff:
    """Record that ``signed_by`` allows these theme texts of the period to go to commissioners.

    Refused (:class:`FreeTextError`, one sentence) without a name, or when any text fails
    :func:`check_text`: the reason is given, so the text can be reworded first.
    """
    who = " ".join(str(signed_by or "").split())
    if not who:
        raise FreeTextError("Give the name of the person signing the text off.")
    for text in texts:
        problems = text.problems()
        if problems:
            raise FreeTextError(f"Not signed off: in the theme \"{text.name}\", {problems[0][0].lower()}"
                                f"{problems[0][1:]}; reword it first.")
    signed = store.sign_off_texts(first, last, [(t.kind, t.name, t.i_statement) for t in texts], by=who)
    return SignOff(first, last, who, signed.signed_at, tuple(texts))


def latest_sign_off(store, first: str, last: str) -> SignOff | None:
    """The period's most recent sign-off, if any."""
    signed = store.latest_sign_off(first, last)
    if signed is None:
        return None
    return SignOff(signed.first, signed.last, signed.signed_by, signed.signed_at,
                   tuple(ThemeText(*t) for t in signed.texts))


def themes_for_commissioners(store, first: str, last: str) -> tuple[list[dict], str]:
    """The themes of periods inside ``first``..``last`` for the export, and the Contents sheet's sentence.

    Only theme sets whose whole period lies inside the export's are taken (a theme set
    overlapping its edge would be counted in two exports). A theme's name and I
    statement are included only when signed off for its period exactly as they stand and
    still passing the check.
    """
    chosen = []
    for theme in themes_for_export(store, first, last):
        period = str(theme.get("period") or "")
        start, _, end = period.partition(" to ")
        end = end or start
        if start >= first and end <= last:
            chosen.append({**theme, "period": period, "bounds": (start, end)})
    included, by = [], set()
    for number, theme in enumerate(chosen, start=1):
        start, end = theme.pop("bounds")
        text = ThemeText(theme["kind"], theme["name"], theme.get("i_statement") or "")
        signed = latest_sign_off(store, start, end)
        allowed = signed is not None and signed.covers(text) and not text.problems()
        theme.update(number=number, signed_off=allowed)
        if allowed:
            included.append(f"Theme {number}")
            by.add(signed.sentence())
    if not chosen:
        sentence = "Free text: none (no themes were recorded for this period)."
    elif not included:
        sentence = ("Free text: none. Theme names and I statements are left out ([z]) because nobody has signed "
                    "them off; themes are shown by number with their counts.")
    else:
        sentence = (f"Free text: the names and I statements of {', '.join(included)} only, checked for names, refs, "
                    f"room numbers, addresses, phone numbers and dates of birth and {'; '.join(sorted(by))}. "
                    "Other themes are shown by number ([z] for their text).")
    return chosen, sentence
