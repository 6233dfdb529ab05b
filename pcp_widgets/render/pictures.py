"""The relationship circle's picture, read from a cache on disk when it is a worked example.

Every tool page opens on its worked example, so the relationship circle page would draw
Kevin's circle on every opening: importing matplotlib and placing the names take over a
second, most of the time the page takes to appear. The worked examples are invented and
fixed, so their pictures are kept in this user's cache folder and read back by later pages.
A file is named by a hash of everything that decides the picture: the person, the people,
the format and the heading, the source of the code that draws it and matplotlib's version
(which also ships the font); see :mod:`pcp_widgets.render.cache`.

A person's own circle is never written to disk here: it is personal data, and is kept only
in the database (docs/architecture.md, "Safety rules").
"""

from __future__ import annotations

from functools import cache

from pcp_widgets.render.cache import CACHE_DIR_VARIABLE, as_json, cache_folder, cached


def circle_picture(person: str, people, fmt: str, heading: str = "") -> bytes:
    """The circle as ``fmt`` (png, svg, pdf), as :func:`pcp_widgets.render.circle.circle_bytes`
    draws it; a worked example's picture comes from the cache when it was drawn before."""
    if not is_worked_example(person, people):
        return _draw(person, people, fmt, heading)
    return cached("circle", [person, people, fmt, heading], fmt, lambda: _draw(person, people, fmt, heading))


def is_worked_example(person: str, people) -> bool:
    """Whether these are the person and people of a relationship circle among the worked examples
    (as the document holds them, or as printed)."""
    return as_json(people) in _worked_examples().get(person, ())


def _draw(person: str, people, fmt: str, heading: str) -> bytes:
    from pcp_widgets.render.circle import circle_bytes

    return circle_bytes(person, people, fmt, heading)


@cache
def _worked_examples() -> dict[str, frozenset[str]]:
    """Each circle example's person (under both forms of the name) -> its people, as JSON."""
    from pcp_widgets.render.text import printable
    from pcp_widgets.tools.examples import EXAMPLES

    found: dict[str, set[str]] = {}
    for example in EXAMPLES:
        if example.tool_spec.layout == "circle":
            people = as_json(list(example.sections.get("people", [])))
            for name in {example.person, printable(example.person)}:
                found.setdefault(name, set()).add(people)
    return {name: frozenset(people) for name, people in found.items()}


__all__ = ["circle_picture", "cache_folder", "is_worked_example", "CACHE_DIR_VARIABLE"]
