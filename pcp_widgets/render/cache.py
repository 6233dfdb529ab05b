"""Files made from fixed, invented content, kept in this user's cache folder and read back.

Some prints never change between releases: the worked examples' pictures, each tool's handout
and the session pack. Making them takes from a fraction of a second to several seconds
(matplotlib, reportlab), and a page that offers them would pay that on every opening. So each is
made once and kept, under a name that is a hash of what it is (its kind and key) and of
everything that decides how it looks: the source of the renderers and the tools' declarations
(which hold the examples), and the versions of the libraries that draw and print them. A new
release, or an edited example, simply makes a new file.

Only invented content goes here: a person's own documents are never written to the cache
(they are personal data, kept only in the database).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable

from platformdirs import user_cache_path

from pcp_widgets.environment import APP_NAME

#: Set to use another cache folder (the tests use a temporary one).
CACHE_DIR_VARIABLE = "PCP_CACHE_DIR"
#: The folders whose code decides how a print looks: the renderers and the tools' declarations.
_PRINTING_CODE = ("render", "tools")
#: The libraries that draw and print (matplotlib also ships the font).
_PRINTING_LIBRARIES = ("matplotlib", "reportlab", "python-docx")


def cache_folder() -> Path:
    """``$PCP_CACHE_DIR`` if set, else this user's cache folder for the workbook."""
    if folder := os.environ.get(CACHE_DIR_VARIABLE, "").strip():
        return Path(folder)
    return user_cache_path(APP_NAME)


def cached(kind: str, key: object, suffix: str, make: Callable[[], bytes]) -> bytes:
    """The file ``make()`` makes, read from the cache when it was made before by this code.

    ``key`` (anything JSON can hold) says which one of its ``kind`` it is. A cache that cannot
    be read or written only means making the file again.
    """
    path = cache_folder() / f"{kind}-{_name(kind, key)}.{suffix}"
    with contextlib.suppress(OSError):
        return path.read_bytes()
    data = make()
    with contextlib.suppress(OSError):
        from pcp_widgets.render import write_atomically

        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
    return data


def as_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _name(kind: str, key: object) -> str:
    digest = hashlib.sha256(as_json([kind, key]).encode("utf-8"))
    digest.update(printing_version().encode("ascii"))
    return digest.hexdigest()[:32]


@cache
def printing_version() -> str:
    """A hash of the printing code's source and the printing libraries' versions."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for library in _PRINTING_LIBRARIES:
        with contextlib.suppress(PackageNotFoundError):
            digest.update(f"{library}={version(library)};".encode("utf-8"))
    for name in _PRINTING_CODE:
        for source in sorted((package / name).rglob("*.py")):
            digest.update(source.relative_to(package).as_posix().encode("utf-8"))
            digest.update(source.read_bytes())
    return digest.hexdigest()


__all__ = ["CACHE_DIR_VARIABLE", "cache_folder", "cached", "as_json", "printing_version"]
