"""Reading a tool document saved as JSON (the form the store keeps), for ``pcp render``.

Every way the file can be wrong ends in one sentence: missing, too large, not UTF-8,
not JSON, or JSON that is not a document of a known tool (the tools' own validation
names the field).
"""

from __future__ import annotations

import json
from pathlib import Path

from pcp_widgets.errors import UnreadableFile
from pcp_widgets.tools import Document, document_from_dict

#: A document is a few hundred short texts at most; anything far larger is not one.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a value a document can hold")


def read_document(path: str | Path) -> Document:
    """The validated document in the JSON file at ``path``."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise UnreadableFile(str(path), f"is larger than {MAX_DOCUMENT_BYTES // 1024 // 1024} MB, "
                                            "far more than a tool document holds.")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(str(path), "there is no such file.") from None
    except IsADirectoryError:
        raise UnreadableFile(str(path), "is a folder, not a JSON file.") from None
    except OSError as error:
        raise UnreadableFile(str(path), f"cannot be read ({error.strerror or error}).") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise UnreadableFile(str(path), "is not UTF-8 text, so it cannot be a saved tool document.") from None
    except json.JSONDecodeError as error:
        raise UnreadableFile(str(path), f"is not valid JSON (line {error.lineno}, column {error.colno}: "
                                        f"{error.msg}).") from None
    except (ValueError, RecursionError) as error:
        raise UnreadableFile(str(path), f"is not a tool document ({error}).") from None
    return document_from_dict(data)
