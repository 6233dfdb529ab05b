"""The relationship circle's picture, read from a cache on disk when it is a worked example.

Every tool page opens on its worked example, so the relationship circle page would draw
Kevin's circle on every opening: importing matplotlib and placing the names take over a
second, most of the time the page takes to appear. The worked examples are invented and
fixed, so their pictures are kept in this user's cache folder and read back by later pages.
A file is named by a hash of everything that decides the picture: the person, the people,
the format and the heading, the source of the code that draws it and matplotlib's version
(which also ships the font). A new release or an edited example simply makes a new file.

A person's own circle is never written to disk here: it is personal data, and is kept only
in the database (DESIGN.md's safety rules).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from functools import cache
from importlib.metadata import version
from pathlib import Path

from platformdirs import user_cache_path

from pcp_widgets.environment import APP_NAME

#: Set to use another cache folder (the tests use a temporary one).
CACHE_DIR_VARIABLE = "PCP_CACHE_DIR"

#: The folders whose code decides how a circle looks: the renderers (the drawing, its font and
#: text handling, the counts beside it) and the tools' declarations (the group names printed).
_DRAWING_CODE = ("render", "tools")


def circle_picture(person: str, people, fmt: str, heading: str = "") -> bytes:
    """The circle as ``fmt`` (png, svg, pdf), as :func:`pcp_widgets.render.circle.circle_bytes`
    draws it; a worked example's picture comes from the cache when it was drawn before."""
    if not is_worked_example(person, people):
        return _draw(person, people, fmt, heading)
    path = cache_folder() / f"circle-{_key(person, people, fmt, heading)}.{fmt}"
    with contextlib.suppress(OSError):
        return path.read_bytes()
    picture = _draw(person, people, fmt, heading)
    with contextlib.suppress(OSError):  # a cache that cannot be written only means drawing again next time
        from pcp_widgets.render import write_atomically

        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, picture)
    return picture


def cache_folder() -> Path:
    """``$PCP_CACHE_DIR`` if set, else this user's cache folder for the workbook."""
    if folder := os.environ.get(CACHE_DIR_VARIABLE, "").strip():
        return Path(folder)
    return user_cache_path(APP_NAME)


def is_worked_example(person: str, people) -> bool:
    """Whether these are the person and people of a relationship circle among the worked examples
    (as the document holds them, or as printed)."""
    return _as_json(people) in _worked_examples().get(person, ())


def _draw(person: str, people, fmt: str, heading: str) -> bytes:
    from pcp_widgets.render.circle import circle_bytes

    return circle_bytes(person, people, fmt, heading)


def _as_json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


@cache
def _worked_examples() -> dict[str, frozenset[str]]:
    """Each circle example's person (under both forms of the name) -> its people, as JSON."""
    from pcp_widgets.render.text import printable
    from pcp_widgets.tools.examples import EXAMPLES

    found: dict[str, set[str]] = {}
    for example in EXAMPLES:
        if example.tool_spec.layout == "circle":
            people = _as_json(list(example.sections.get("people", [])))
            for name in {example.person, printable(example.person)}:
                found.setdefault(name, set()).add(people)
    return {name: frozenset(people) for name, people in found.items()}


def _key(person: str, people, fmt: str, heading: str) -> str:
    digest = hashlib.sha256(_as_json([person, people, fmt, heading]).encode("utf-8"))
    digest.update(_drawing_version().encode("ascii"))
    return digest.hexdigest()[:32]


@cache
def _drawing_version() -> str:
    """A hash of the drawing code's source and matplotlib's version."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(version("matplotlib").encode("ascii"))
    for name in _DRAWING_CODE:
        for source in sorted((package / name).rglob("*.py")):
            digest.update(source.relative_to(package).as_posix().encode("utf-8"))
            digest.update(source.read_bytes())
    return digest.hexdigest()


__all__ = ["circle_picture", "cache_folder", "is_worked_example", "CACHE_DIR_VARIABLE"]
