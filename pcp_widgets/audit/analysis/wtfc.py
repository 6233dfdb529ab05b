"""Working Together for Change: theming the top-two statements of person-centred reviews.

Every review ends with the person's top two things that are working, not working, and that
they want in the future. Grouped into themes across many reviews, and named with an "I"
statement ("I want staff who know me"), they tell a provider and its commissioners what to
keep, what to change and what to build. For themes of what is not working, the later steps
of the process record root causes, what success would look like, and actions.

Pure logic here: collecting the statements (from the "Reviews" sheet and from review
documents saved with the tools), suggesting groupings by meaning (weighted lemmas, explained,
so people can judge them), the theme set itself with validation, and counts per theme.
Statements carry no person reference: only the words, the service and the date.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from pcp_widgets.audit.schema.months import first_day, last_day, parse_month
from pcp_widgets.audit.analysis.lemmas import content_lemmas
from pcp_widgets.audit.analysis.words import COMMON_WORDS, RELATED, TIME_WORDS, listed
from pcp_widgets.errors import PcpError

KINDS: dict[str, str] = {"working": "Working", "not_working": "Not working", "future": "Future"}
#: Where statements from review documents are counted: the tools do not record a service.
DOCUMENTS_SERVICE = "Review documents (no service recorded)"
#: The tool whose top-two sections feed the themes.
REVIEW_TOOL = "person_centred_review"
#: The store keeps each period's themes as a versioned document of this kind.
THEMES_DOCUMENT = "wtfc_themes"

#: Two statements whose weighted words (see :func:`suggest_groups`) have at least this cosine are
#: suggested together: short statements sharing one word that is not common (about 0.3 to 0.5) are,
#: longer ones sharing one word among many others are not.
SIMILARITY = 0.25
#: The weight of a word of :data:`LITTLE_WORDS` ("staff", "help", "morning"), against
#: 1 for a word every statement of the period uses and about 2 for a word only one uses.
COMMON_WEIGHT = 0.25
#: Words that count for little: those nearly every statement uses, and those saying only when
#: ("I see my sister every Sunday" and "I go to church on Sundays" are not about the same thing).
LITTLE_WORDS = COMMON_WORDS | TIME_WORDS


class ThemeError(PcpError):
    """A theme that cannot be saved as it is: no name, a statement of another kind, an unknown kind."""


@dataclass
class Theme:
    name: str
    kind: str
    i_statement: str = ""
    statements: list[str] = field(default_factory=list)
    root_causes: str = ""
    success: str = ""
    actions: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "i_statement": self.i_statement,
                "statements": list(self.statements), "root_causes": self.root_causes,
                "success": self.success, "actions": self.actions}


@dataclass
class ThemeSet:
    """The themes of one period (``first`` to ``last`` month, inclusive)."""

    first: str
    last: str
    themes: list[Theme] = field(default_factory=list)

    @property
    def period(self) -> str:
        return period_label(self.first, self.last)

    def to_dict(self) -> dict:
        return {"first": self.first, "last": self.last, "themes": [theme.to_dict() for theme in self.themes]}

    def themed_statements(self, kind: str) -> set[str]:
        return {text for theme in self.themes if theme.kind == kind for text in theme.statements}

    def theme(self, name: str) -> Theme:
        for theme in self.themes:
            if theme.name == name:
                return theme
        raise ThemeError(f"There is no theme called {name!r}.")

    def add_theme(self, name: str, kind: str, i_statement: str = "", statements: list[str] | None = None) -> Theme:
        name = " ".join(str(name).split())
        if not name:
            raise ThemeError("Give the theme a name first.")
        if kind not in KINDS:
            raise ThemeError(f"{kind!r} is not one of: {', '.join(KINDS)}.")
        if any(theme.name.casefold() == name.casefold() for theme in self.themes):
            raise ThemeError(f"There is already a theme called {name!r}; choose it, or give the new one another name.")
        theme = Theme(name=name, kind=kind, i_statement=" ".join(str(i_statement).split()))
        self.themes.append(theme)
        self.add_statements(name, statements or [])
        return theme

    def add_statements(self, name: str, statements: list[str]) -> None:
        """Put statements in a theme, taking them out of any other theme of the same kind."""
        theme = self.theme(name)
        for other in self.themes:
            if other is not theme and other.kind == theme.kind:
                other.statements = [s for s in other.statements if s not in statements]
        theme.statements += [s for s in statements if s not in theme.statements]

    def remove_statements(self, name: str, statements: list[str]) -> None:
        theme = self.theme(name)
        theme.statements = [s for s in theme.statements if s not in statements]

    def remove_theme(self, name: str) -> None:
        self.themes.remove(self.theme(name))


def period_label(first: str, last: str) -> str:
    """'2026-01 to 2026-03'; the key a theme set is stored under."""
    return first if first == last else f"{first} to {last}"


def theme_set_from_dict(data: dict) -> ThemeSet:
    """A stored theme set, checked: every theme has a name and a known kind."""
    try:
        themes = [Theme(**{key: theme.get(key, "" if key != "statements" else []) for key in Theme.__dataclass_fields__})
                  for theme in data.get("themes", [])]
        result = ThemeSet(first=str(data["first"]), last=str(data["last"]))
    except (KeyError, TypeError, AttributeError):
        raise ThemeError("The stored themes are not in the expected form.") from None
    for theme in themes:
        if not theme.name or theme.kind not in KINDS:
            raise ThemeError(f"The stored theme {theme.name!r} has no name or an unknown kind.")
    result.themes = themes
    return result


# -- statements ------------------------------------------------------------------------------


def month_bounds(first: str, last: str) -> tuple[dt.date, dt.date]:
    """The first day of ``first`` and the last day of ``last`` (months as YYYY-MM)."""
    return first_day(parse_month(first, "from")), last_day(parse_month(last, "to"))


def review_sheet_statements(reviews: pd.DataFrame) -> pd.DataFrame:
    """The "Reviews" sheet's statements, one row each: kind, text, service, date (no person ref)."""
    frames = []
    for kind in KINDS:
        for n in (1, 2):
            column = f"{kind}_{n}"
            if column in reviews:
                part = reviews[["review_date", "service", column]].rename(columns={column: "text",
                                                                                   "review_date": "date"})
                frames.append(part.assign(kind=kind))
    if not frames:
        return _empty_statements()
    return _tidy(pd.concat(frames, ignore_index=True))


def document_statements(documents: list[dict]) -> pd.DataFrame:
    """The top-two sections of saved person-centred review documents."""
    rows = []
    for content in documents:
        when = str(content.get("updated") or content.get("created") or "")[:10]
        for kind in KINDS:
            for text in content.get(kind) or []:
                rows.append({"date": when, "service": DOCUMENTS_SERVICE, "text": text, "kind": kind})
    return _tidy(pd.DataFrame(rows, columns=["date", "service", "text", "kind"]))


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(text=frame["text"].astype("string").str.strip(),
                         date=pd.to_datetime(frame["date"], errors="coerce").dt.date)
    frame = frame[frame["text"].notna() & (frame["text"] != "") & frame["date"].notna()]
    return frame[["kind", "text", "service", "date"]].reset_index(drop=True)


def _empty_statements() -> pd.DataFrame:
    return pd.DataFrame({"kind": [], "text": [], "service": [], "date": []})


def statements_in_period(statements: pd.DataFrame, first: str, last: str, service: str | None = None) -> pd.DataFrame:
    start, end = month_bounds(first, last)
    chosen = statements[(statements["date"] >= start) & (statements["date"] <= end)]
    if service:
        chosen = chosen[chosen["service"] == service]
    return chosen.reset_index(drop=True)


def distinct_statements(statements: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Each different statement of a kind with how many reviews gave it, most often first."""
    of_kind = statements[statements["kind"] == kind]
    counts = of_kind.groupby("text").size().rename("count").reset_index()
    return counts.sort_values(["count", "text"], ascending=[False, True]).reset_index(drop=True)


# -- suggestions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    statements: tuple[str, ...]
    shared_words: tuple[str, ...]

    def describe(self) -> str:
        return f"{len(self.statements)} statements sharing: {', '.join(self.shared_words)}"


def statement_meaning(text: str) -> dict[str, set[str]]:
    """What a statement is about: each word family it uses (:data:`~pcp_widgets.audit.analysis.words.RELATED`,
    else the lemma itself) with the lemmas it wrote for it. "I get bathed too early" gives
    {"wash": {"bath"}, "early": {"early"}}."""
    meaning: dict[str, set[str]] = {}
    for word in content_lemmas(text):
        meaning.setdefault(RELATED.get(word, word), set()).add(word)
    return meaning


def word_weights(meanings: list[dict[str, set[str]]]) -> dict[str, float]:
    """How much sharing each word says about two statements: its inverse document frequency over
    the statements being themed, so a word most of them use counts for little and a rarer one for
    much.

    Worked out here, in a few lines, rather than with scikit-learn's TfidfVectorizer: it is the
    same smoothed formula (``ln((1 + n) / (1 + statements using the word)) + 1``), and the
    grouping needs only these weights, not a large library loaded into every page's kernel.

    A period may hold a few dozen statements, too few to learn that "staff", "help" and
    "support" are in nearly every statement of adult social care; those words, and the words that
    only say when (:data:`LITTLE_WORDS`), therefore weigh :data:`COMMON_WEIGHT` whatever the period
    holds. ("me" and "like" are not content words at all.)
    """
    n = len(meanings)
    used: dict[str, int] = {}
    for meaning in meanings:
        for word in meaning:
            used[word] = used.get(word, 0) + 1
    return {word: COMMON_WEIGHT if word in LITTLE_WORDS else math.log((1 + n) / (1 + count)) + 1
            for word, count in used.items()}


def _similarity(first: dict, second: dict, weights: dict[str, float]) -> float:
    """The cosine of two statements' weighted words (each word counted once a statement)."""
    shared = first.keys() & second.keys()
    if not shared:
        return 0.0
    dot = sum(weights[w] ** 2 for w in shared)
    return dot / math.sqrt(sum(weights[w] ** 2 for w in first) * sum(weights[w] ** 2 for w in second))


def suggest_groups(texts: list[str], similarity: float = SIMILARITY) -> list[Suggestion]:
    """Groups of statements about the same thing, largest first, each with the words that tie it.

    Statements are compared by meaning, not spelling: by the lemmas of their content words
    ("bathing" and "bath" match), with a few everyday words that name the same thing put in one
    family ("bath", "shower" and "wash"; :data:`~pcp_widgets.audit.analysis.words.RELATED_WORDS`), each
    weighted by :func:`word_weights` so that words nearly every statement uses count for little.
    Two statements are linked when the cosine of their weighted words is at least ``similarity``
    and they share more than words that count for little (:data:`LITTLE_WORDS`: "help" alone never
    links "I help at the café" and "Staff ask me before they help me"). Groups grow from the
    closest pairs, and every statement of a group is linked to every other (complete linkage), so
    a chain (sister and mum, then Sunday and church) never joins things unlike each other. Each
    group names the words its statements share, most shared first, as the statements wrote them,
    so a person can judge it.
    """
    meanings = {text: statement_meaning(text) for text in texts}
    weights = word_weights(list(meanings.values()))
    linked = {}
    for i, first in enumerate(texts):
        for second in texts[i + 1:]:
            if (meanings[first].keys() & meanings[second].keys()) - LITTLE_WORDS:
                score = _similarity(meanings[first], meanings[second], weights)
                if score >= similarity:
                    linked[first, second] = linked[second, first] = score
    group_of = {text: [text] for text in texts}
    for first, second in sorted((pair for pair in linked if pair[0] < pair[1]), key=lambda p: (-linked[p], p)):
        one, other = group_of[first], group_of[second]
        if one is not other and all((a, b) in linked for a in one for b in other):
            one.extend(other)
            for text in other:
                group_of[text] = one
    groups = {id(group): sorted(group, key=texts.index) for group in group_of.values()}
    suggestions = []
    for members in groups.values():
        if len(members) < 2:
            continue
        tally: dict[str, int] = {}
        written: dict[str, set[str]] = {}
        for text in members:
            for word, lemmas in meanings[text].items():
                tally[word] = tally.get(word, 0) + 1
                written.setdefault(word, set()).update(lemmas)
        ties = sorted((w for w, n in tally.items() if n >= 2 and w not in LITTLE_WORDS),
                      key=lambda w: (-tally[w], -weights[w], w))
        suggestions.append(Suggestion(tuple(members), tuple(listed(sorted(written[w]), "or") for w in ties[:4])))
    return sorted(suggestions, key=lambda s: (-len(s.statements), s.statements))


# -- counts ----------------------------------------------------------------------------------


def theme_counts(theme_set: ThemeSet, statements: pd.DataFrame) -> pd.DataFrame:
    """How many review statements each theme holds, by service: theme, kind, i_statement, service, count."""
    rows = []
    for theme in theme_set.themes:
        chosen = statements[(statements["kind"] == theme.kind) & statements["text"].isin(theme.statements)]
        by_service = chosen.groupby("service").size()
        for service, count in by_service.items():
            rows.append({"theme": theme.name, "kind": theme.kind, "i_statement": theme.i_statement,
                         "service": service, "count": int(count)})
        if by_service.empty:
            rows.append({"theme": theme.name, "kind": theme.kind, "i_statement": theme.i_statement,
                         "service": "", "count": 0})
    return pd.DataFrame(rows, columns=["theme", "kind", "i_statement", "service", "count"])


# -- the store ---------------------------------------------------------------------------------


def all_statements(store) -> pd.DataFrame:
    """Every review statement the store holds: the "Reviews" sheet and saved review documents."""
    reviews = review_sheet_statements(store.read_records("review"))
    documents = [store.get_document(summary.document_id).content
                 for summary in store.find_documents(tool=REVIEW_TOOL)]
    return pd.concat([reviews, document_statements(documents)], ignore_index=True)


@dataclass
class StoredThemes:
    """A period's theme set with the stored version it is based on (0: not saved yet)."""

    theme_set: ThemeSet
    document_id: int | None = None
    version: int = 0


def load_themes(store, first: str, last: str) -> StoredThemes:
    """The latest saved themes of the period, or an empty set."""
    label = period_label(first, last)
    found = store.find_documents(tool=THEMES_DOCUMENT, person=label)
    if not found:
        return StoredThemes(ThemeSet(first, last))
    saved = store.get_document(found[0].document_id)
    return StoredThemes(theme_set_from_dict(saved.content), saved.document_id, saved.version)


def save_themes(store, stored: StoredThemes, saved_by: str | None = None) -> StoredThemes:
    """Save as a new version; ConflictError if someone saved this period's themes meanwhile."""
    content = stored.theme_set.to_dict()
    if stored.document_id is None:
        saved = store.create_document(THEMES_DOCUMENT, stored.theme_set.period, content, saved_by)
    else:
        saved = store.save_document(stored.document_id, content, stored.version, saved_by)
    return StoredThemes(stored.theme_set, saved.document_id, saved.version)


def saved_periods(store) -> list[str]:
    return sorted(summary.person for summary in store.find_documents(tool=THEMES_DOCUMENT))


def themes_for_export(store, first: str | None = None, last: str | None = None) -> list[dict]:
    """Every saved theme (of periods overlapping ``first``..``last``) with its counts by service.

    The commissioner workbook's themes sheet: names, kinds, I statements and counts, never
    the statements' words, which may name people.
    """
    statements = all_statements(store)
    rows = []
    for summary in store.find_documents(tool=THEMES_DOCUMENT):
        theme_set = theme_set_from_dict(store.get_document(summary.document_id).content)
        if (first and theme_set.last < first) or (last and theme_set.first > last):
            continue
        in_period = statements_in_period(statements, theme_set.first, theme_set.last)
        counts = theme_counts(theme_set, in_period)
        for theme in theme_set.themes:
            mine = counts[counts["theme"] == theme.name]
            rows.append({"period": theme_set.period, "name": theme.name, "kind": theme.kind,
                         "i_statement": theme.i_statement,
                         "counts": {row.service: row.count for row in mine.itertuples() if row.service}})
    return rows
