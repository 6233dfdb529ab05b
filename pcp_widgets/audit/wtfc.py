"""Working Together for Change: theming the top-two statements of person-centred reviews.

Every review ends with the person's top two things that are working, not working, and that
they want in the future. Grouped into themes across many reviews, and named with an "I"
statement ("I want staff who know me"), they tell a provider and its commissioners what to
keep, what to change and what to build. For themes of what is not working, the later steps
of the process record root causes, what success would look like, and actions.

Pure logic here: collecting the statements (from the "Reviews" sheet and from review
documents saved with the tools), suggesting groupings by shared meaningful words (explained,
so people can judge them), the theme set itself with validation, and counts per theme.
Statements carry no person reference: only the words, the service and the date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from pcp_widgets.audit.months import first_day, last_day, parse_month
from pcp_widgets.audit.words import COMMON_WORDS, content_word_forms, share_a_subject
from pcp_widgets.errors import PcpError

KINDS: dict[str, str] = {"working": "Working", "not_working": "Not working", "future": "Future"}
#: Where statements from review documents are counted: the tools do not record a service.
DOCUMENTS_SERVICE = "Review documents (no service recorded)"
#: The tool whose top-two sections feed the themes.
REVIEW_TOOL = "person_centred_review"
#: The store keeps each period's themes as a versioned document of this kind.
THEMES_DOCUMENT = "wtfc_themes"

#: A statement shares at least this share of its meaningful words with another to be suggested with it.
SIMILARITY = 0.3


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


def suggest_groups(texts: list[str], similarity: float = SIMILARITY) -> list[Suggestion]:
    """Groups of statements that share meaningful words, largest first.

    Two statements are linked when the words they share are at least ``similarity`` of the
    smaller one's meaningful words (:func:`~pcp_widgets.audit.words.content_words`) and are not
    only words common to nearly every statement, such as "staff" or "help"
    (:func:`~pcp_widgets.audit.words.share_a_subject`); linked statements form a group (single
    linkage). Each group says which words its statements share most, so a person can see why.
    """
    forms = {text: content_word_forms(text) for text in texts}
    words = {text: frozenset(found) for text, found in forms.items()}
    parent = {text: text for text in texts}

    def root(text):
        while parent[text] != text:
            parent[text] = parent[parent[text]]
            text = parent[text]
        return text

    for i, first in enumerate(texts):
        for second in texts[i + 1:]:
            shared = share_a_subject(words[first], words[second])
            smaller = min(len(words[first]), len(words[second])) or 1
            if shared and len(shared) / smaller >= similarity:
                parent[root(first)] = root(second)
    groups: dict[str, list[str]] = {}
    for text in texts:
        groups.setdefault(root(text), []).append(text)
    suggestions = []
    for members in groups.values():
        if len(members) < 2:
            continue
        tally: dict[str, int] = {}
        shown: dict[str, str] = {}  # each trimmed word as its shortest form written in the group
        for text in members:
            for word, form in forms[text].items():
                tally[word] = tally.get(word, 0) + 1
                shown[word] = min(shown.get(word, form), form, key=lambda f: (len(f), f))
        shared = sorted((w for w, n in tally.items() if n >= 2), key=lambda w: (-tally[w], w in COMMON_WORDS, w))
        suggestions.append(Suggestion(tuple(members), tuple(shown[w] for w in shared[:4])))
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
