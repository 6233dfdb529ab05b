"""What a filled-in document is: a person's copy of a tool, its JSON form and its checks.

The tools themselves are declared in :mod:`pcp_widgets.tools.catalogue` from the parts in
:mod:`pcp_widgets.tools.spec`; this module sits above both, so it imports the catalogue
at the top (no circle: the catalogue needs only the parts).
The JSON form of a document is one flat object::

    {"tool": "one_page_profile", "person": "Pat", "title": "...",
     "created": "...", "updated": "...", "contributors": [{"name": ..., "relationship": ...}],
     "appreciation": [...], "important_to": [...], "best_support": [...]}

List sections hold strings; table sections hold objects keyed by column; text sections
hold one string. Derived sections (the keep and change lists of working / not working)
are written out for readers of the JSON but always recomputed on the way in.
"""


from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pcp_widgets.tools.catalogue import get_tool
from pcp_widgets.tools.spec import DOCUMENT_KEYS, InvalidDocument, Section, Tool, clean_text


@dataclass(frozen=True)
class Contributor:
    name: str
    relationship: str = ""


@dataclass
class Document:
    """A filled-in tool for one person: what the store keeps and the renderers draw."""

    tool: str
    person: str
    sections: dict
    title: str = ""
    created: str = ""
    updated: str = ""
    contributors: list[dict] = field(default_factory=list)

    @property
    def tool_spec(self) -> Tool:
        return get_tool(self.tool)

    @property
    def heading(self) -> str:
        """What the page and the print say at the top: the title, else the tool and the person."""
        return self.title or f"{self.person}: {self.tool_spec.title}"

    def to_dict(self) -> dict:
        """The flat JSON form; a copy, so changing it never changes the document."""
        return copy.deepcopy({
            "tool": self.tool,
            "person": self.person,
            "title": self.title,
            "created": self.created,
            "updated": self.updated,
            "contributors": [dict(c) for c in self.contributors],
            **self.tool_spec.with_derived(self.sections),
        })

    def is_blank(self) -> bool:
        """True when nothing has been written in any section yet."""
        spec = self.tool_spec
        return all(_section_is_blank(spec.section(key), value) for key, value in self.sections.items()
                   if not spec.section(key).derived)


def _section_is_blank(section: Section, value: Any) -> bool:
    if section.kind == "text":
        return not value
    if section.kind == "list":
        return not value
    return all(section.row_is_blank(row) for row in value)


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def new_document(tool_key: str, person: str, *, title: str = "", contributors: list[dict] | None = None) -> Document:
    """An empty document of a tool for a person, stamped now."""
    spec = get_tool(tool_key)
    stamp = now_iso()
    return Document(
        tool=spec.key,
        person=clean_person(person),
        sections=spec.empty_sections(),
        title=clean_text(title, "title"),
        created=stamp,
        updated=stamp,
        contributors=_clean_contributors(contributors or []),
    )


def clean_person(person: Any) -> str:
    name = clean_text(person if person is not None else "", "person")
    if not name:
        raise InvalidDocument("person", "the person's name is needed (as they like it written).")
    if len(name) > 120:
        raise InvalidDocument("person", "the name is longer than 120 characters.")
    return name


def _clean_contributors(value: Any) -> list[dict]:
    if not isinstance(value, list):
        raise InvalidDocument("contributors", "should be a list of {name, relationship}.")
    cleaned = []
    for n, item in enumerate(value, 1):
        where = f"contributors item {n}"
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or set(item) - {"name", "relationship"}:
            raise InvalidDocument(where, "should be an object with name and relationship.")
        name = clean_text(item.get("name", ""), f"{where}, name")
        if name:
            cleaned.append({"name": name, "relationship": clean_text(item.get("relationship", ""), f"{where}, relationship")})
    return cleaned


def document_from_dict(data: Any) -> Document:
    """Check the flat JSON form of a document against its tool and return it.

    Every editable section must be present (an empty list is fine): a missing one usually
    means the file is for another tool or was cut short, and a person should hear that
    rather than get a blank page. Derived sections are recomputed, never trusted.
    """
    if not isinstance(data, dict):
        raise InvalidDocument("document", "should be a JSON object with tool, person and the tool's sections.")
    if "tool" not in data:
        raise InvalidDocument("document", "has no 'tool' saying which tool it is.")
    spec = get_tool(data["tool"])
    known = set(DOCUMENT_KEYS) | {section.key for section in spec.sections}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidDocument(unknown[0], f"is not a section of {spec.title}.")
    sections = {}
    for section in spec.editable_sections:
        if section.key not in data:
            raise InvalidDocument(section.key, f"is missing: {spec.title} needs the section '{section.label}'.")
        sections[section.key] = section.clean(data[section.key], section.key)
    return Document(
        tool=spec.key,
        person=clean_person(data.get("person")),
        sections=spec.with_derived(sections),
        title=clean_text(data.get("title") or "", "title"),
        created=clean_text(data.get("created") or "", "created"),
        updated=clean_text(data.get("updated") or "", "updated"),
        contributors=_clean_contributors(data.get("contributors") or []),
    )
