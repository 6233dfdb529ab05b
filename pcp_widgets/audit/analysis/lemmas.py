"""The content words of a statement as lemmas ("tablets" -> "tablet", "went" -> "go"), for comparing meaning.

Working Together for Change groups review statements by what they are about, and the practice
feedback checks that a rewrite is about the same person and task as the statement it rewrites.
Both need the dictionary form of each word, so that "bathing" and "bath", "shopping" and "shop",
"took" and "take" match. :mod:`pcp_widgets.audit.analysis.words` trims plain endings by rule, which cannot
see that "went" is "go" or that "leaves" here is "leave", not "leaf"; lemminflect's word lists
(shipped inside the package, nothing downloaded) can. Its tables take a second or so to load the
first time a lemma is asked for, so they are loaded only then, never by the plan-language check
itself, which the tool editors run on every keystroke.

With no part-of-speech tagger, a word's lemma is chosen plainly: of the lemmas lemminflect
knows for it, the shortest that the word starts with ("bathing" -> "bath", not "bathe"; "making"
-> "make", the "e" being dropped before "ing"), else the first verb, noun, adjective or adverb
lemma ("went" -> "go"). A capitalised word lemminflect does not know is a name and is kept
("Ken" -> "ken"), except a plural day ("Fridays" -> "friday").
"""

from __future__ import annotations

import re
from functools import lru_cache

from pcp_widgets.audit.analysis.words import STOP_WORDS

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*")
_POS_ORDER = ("VERB", "NOUN", "ADJ", "ADV")
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@lru_cache(maxsize=100_000)
def lemma(word: str) -> str:
    """The dictionary form of one word, lower case: "tablets" -> "tablet", "Ken's" -> "ken"."""
    from lemminflect import getAllLemmas, getAllLemmasOOV

    word = word.replace("’", "'").removesuffix("'s").strip("'")
    lower = word.lower()
    found = getAllLemmas(lower)
    if not found:
        if lower.removesuffix("s") in _DAYS:
            return lower.removesuffix("s")
        if word[:1].isupper():  # a name (or a place) lemminflect does not know: keep it whole
            return lower
        found = getAllLemmasOOV(lower, "NOUN")
    candidates = [form.lower() for pos in _POS_ORDER for form in found.get(pos, ())]
    if not candidates:
        return lower
    stems = [form for form in candidates if lower.startswith(form.removesuffix("e"))]
    return min(stems, key=len) if stems else candidates[0]


def content_lemmas(text: str) -> tuple[str, ...]:
    """The lemmas of the words that say what ``text`` is about, in order (repeats kept).

    Words that say nothing about a subject (:data:`pcp_widgets.audit.analysis.words.STOP_WORDS`: "the",
    "my", "with", "keep", "go") and words of one or two letters are left out, before and after
    lemmatising, so "Take Mary shopping." gives ("take", "mary", "shop") and "Staff took Mary to
    the shops." gives ("staff", "take", "mary", "shop").
    """
    out = []
    for token in _TOKEN.findall(str(text)):
        bare = token.replace("’", "'").lower().removesuffix("'s").strip("'")
        if len(bare) <= 2 or bare in STOP_WORDS:
            continue
        word = lemma(token)
        if len(word) > 2 and word not in STOP_WORDS:
            out.append(word)
    return tuple(out)


__all__ = ["lemma", "content_lemmas"]
