"""The exercise files: their format, declared once as JSON Schemas, and the loader that checks them.

A trainer adds an exercise by editing a YAML file in ``content/`` (the format is in this
folder's README.md), so a mistake there must come back as one sentence naming the file and
the item, never a traceback. Each file is checked three ways, in order:

1. it is YAML (PyYAML's ``safe_load``: no tags, nothing run);
2. it matches its kind's schema below (JSON Schema, checked by fastjsonschema, which compiles
   each schema to a function: required fields, allowed values, lengths);
3. the rules a schema cannot say: ids unique within the file, a quiz answer among its
   options, and, for the rewriting exercises, that the plan-language check agrees with the
   file (the statement to rewrite is flagged, the model answer is not), since otherwise a
   participant would be told an unchanged statement is fine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pcp_widgets.errors import InvalidExercise

CONTENT = Path(__file__).resolve().parent / "content"

#: Whose view a working / not working statement is, as the four-perspectives file names them.
PERSPECTIVES = ("person", "family", "staff")
SIDES = {"working": "Working", "not_working": "Not working"}
TO_FOR = {"important_to": "Important to", "important_for": "Important for"}

_TEXT = {"type": "string", "minLength": 1}
_ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"}


def _file_schema(item: dict, **extra: dict) -> dict:
    """A file: its kind, title, one-line purpose, introduction, extra top-level fields, and items."""
    properties = {"kind": _TEXT, "title": _TEXT, "purpose": _TEXT, "introduction": _TEXT,
                  "items": {"type": "array", "minItems": 1, "items": item}, **extra}
    return {"type": "object", "required": list(properties), "additionalProperties": False,
            "properties": properties}


def _item(**properties: dict) -> dict:
    """An item: every listed field required, no others (a misspelt field is reported, not ignored)."""
    properties = {"id": _ID, **properties}
    return {"type": "object", "required": list(properties), "additionalProperties": False,
            "properties": properties}


_REWRITE = _item(person=_TEXT, statement=_TEXT, model_answer=_TEXT)
_ACTION = {"type": "object", "required": ["what", "who", "when"], "additionalProperties": False,
           "properties": {"what": _TEXT, "who": _TEXT, "when": _TEXT}}
_STATEMENT = {
    **_item(text=_TEXT, perspective={"enum": list(PERSPECTIVES)}, side={"enum": list(SIDES)}, why=_TEXT),
    "properties": {"id": _ID, "text": _TEXT, "perspective": {"enum": list(PERSPECTIVES)},
                   "side": {"enum": list(SIDES)}, "why": _TEXT, "action": _ACTION},
    # What is not working is what the second half turns into an action, so it carries a model one.
    "if": {"properties": {"side": {"const": "not_working"}}},
    "then": {"required": ["action"]},
}

#: Each kind of exercise and the schema of its file.
SCHEMAS: dict[str, dict] = {
    "make_it_specific": _file_schema({**_REWRITE, "required": [*_REWRITE["required"], "context"],
                                      "properties": {**_REWRITE["properties"], "context": _TEXT}}),
    "to_or_for": _file_schema(_item(person=_TEXT, statement=_TEXT, answer={"enum": list(TO_FOR)},
                                    reasoning=_TEXT)),
    "whose_voice": _file_schema(_REWRITE),
    "four_perspectives": _file_schema(_item(
        person=_TEXT, story=_TEXT,
        perspectives={"type": "object", "required": list(PERSPECTIVES), "additionalProperties": False,
                      "properties": {key: _TEXT for key in PERSPECTIVES}},
        statements={"type": "array", "minItems": 2, "items": _STATEMENT})),
    "review_questions": _file_schema(
        _item(question=_TEXT, options={"type": "array", "minItems": 2, "items": _TEXT}, answer=_TEXT,
              explanation=_TEXT),
        questions={"type": "array", "minItems": 9, "maxItems": 9,
                   "items": {"type": "object", "required": ["text", "why"], "additionalProperties": False,
                             "properties": {"text": _TEXT, "why": _TEXT}}}),
}
#: The kinds in the order a session takes them.
KINDS = tuple(SCHEMAS)


@dataclass(frozen=True)
class ExerciseSet:
    """One exercise file, checked: ``items`` are the file's items as plain dicts."""

    kind: str
    title: str
    purpose: str
    introduction: str
    items: tuple[dict, ...]
    questions: tuple[dict, ...] = ()  # the review questions, in order (review_questions only)
    source: str = ""

    def item(self, item_id: str) -> dict:
        for item in self.items:
            if item["id"] == item_id:
                return item
        raise KeyError(item_id)


def content_path(kind: str) -> Path:
    """Where a kind's file lives: ``content/<kind>.yaml`` inside the package."""
    return CONTENT / f"{kind}.yaml"


def _yaml(text: str):
    """YAML's safe subset, read by libyaml where PyYAML was built with it: every page reads the
    exercise files' titles for its links, and the pure-Python reader took a quarter of a second."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def load_exercises(kind: str) -> ExerciseSet:
    """The checked exercises of one kind, from the package's content folder."""
    if kind not in SCHEMAS:
        raise InvalidExercise(f"There is no exercise kind {kind!r}; the kinds are {', '.join(KINDS)}.")
    return load_file(content_path(kind))


def load_file(path: Path) -> ExerciseSet:
    """Read and check one exercise file; any problem is an InvalidExercise naming the file and item."""
    name = path.name
    try:
        raw = _yaml(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidExercise(f"{name}: the file cannot be read ({error.strerror or error}).") from None
    except UnicodeDecodeError:
        raise InvalidExercise(f"{name}: the file is not UTF-8 text.") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "it is not valid YAML"
        raise InvalidExercise(f"{name}: the YAML cannot be read{where} ({problem}).") from None
    if not isinstance(raw, dict) or raw.get("kind") not in SCHEMAS:
        raise InvalidExercise(f"{name}: the file must start with 'kind:', one of {', '.join(KINDS)}.")
    _check_schema(name, raw)
    _check_rules(name, raw)
    return ExerciseSet(kind=raw["kind"], title=raw["title"], purpose=" ".join(raw["purpose"].split()),
                       introduction=raw["introduction"], items=tuple(raw["items"]),
                       questions=tuple(raw.get("questions", ())), source=name)


@cache
def _validator(kind: str):
    """The kind's schema compiled to a Python function (fastjsonschema: a few milliseconds, once)."""
    import fastjsonschema

    return fastjsonschema.compile(SCHEMAS[kind])


def _check_schema(name: str, raw: dict) -> None:
    import fastjsonschema

    try:
        _validator(raw["kind"])(raw)
    except fastjsonschema.JsonSchemaValueException as error:
        raise InvalidExercise(f"{name}: {_where(raw, _path(error.name))}{_plain(error)}.") from None


def _path(name: str) -> list:
    """``data.items[2].answer`` (the validator's name for the place) as ``["items", 2, "answer"]``."""
    steps = re.findall(r"\.([^.\[\]]+)|\[(\d+)\]", name.removeprefix("data"))
    return [int(number) if number else key for key, number in steps]


def _where(raw: dict, path: list) -> str:
    """'item 3 (arthur-meals), field statement: ' from a schema error's path into the file."""
    parts = []
    node: Any = raw
    for step in path:
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and step < len(node) else {}
            label = f" ({node['id']})" if isinstance(node, dict) and isinstance(node.get("id"), str) else ""
            parts.append(f"number {step + 1}{label}")
        else:
            parts.append(str(step))
            node = node.get(step, {}) if isinstance(node, dict) else {}
    return (" ".join(parts) + ": ") if parts else ""


def _plain(error) -> str:
    """The validator's finding in the words a trainer would use."""
    rule, allowed, value = error.rule, error.rule_definition, error.value
    if rule == "required":
        missing = [field for field in allowed if field not in (value or {})]
        return f"the field {missing[0]!r} is missing" if missing else "a field is missing"
    if rule == "additionalProperties":
        unknown = sorted(set(value) - set(error.definition.get("properties", {})))
        return f"there is a field it does not know ({', '.join(map(repr, unknown))})"
    if rule in ("enum", "const"):
        return f"{value!r} is not one of {', '.join(map(str, allowed if rule == 'enum' else [allowed]))}"
    if rule == "minLength":
        return "it is empty"
    if rule == "pattern":
        return f"{value!r} must be lower-case letters, digits and '-'"
    if rule in ("minItems", "maxItems"):
        bound = "at least" if rule == "minItems" else "at most"
        return f"it has {len(value)} entries, which is not allowed here (it must have {bound} {allowed})"
    if rule == "type":
        return f"it must be {'a list' if allowed == 'array' else 'text' if allowed == 'string' else allowed}"
    return error.message.replace(error.name, "it", 1)


def _check_rules(name: str, raw: dict) -> None:
    """What a schema cannot say; see the module's docstring."""
    _unique_ids(name, raw["items"], "item")
    for number, item in enumerate(raw["items"], 1):
        where = f"{name}: item {number} ({item['id']})"
        if raw["kind"] == "four_perspectives":
            _unique_ids(f"{where}, statements", item["statements"], "statement")
            _check_model_actions(where, item)
        if raw["kind"] == "review_questions" and item["answer"] not in item["options"]:
            raise InvalidExercise(f"{where}: the answer is not one of its options.")
        if raw["kind"] in ("make_it_specific", "whose_voice"):
            _check_rewrite(where, raw["kind"], item)


def _unique_ids(where: str, items: list[dict], noun: str) -> None:
    seen = set()
    for number, item in enumerate(items, 1):
        if item["id"] in seen:
            raise InvalidExercise(f"{where}: {noun} {number} repeats the id {item['id']!r}; each id must be unique.")
        seen.add(item["id"])


def _check_model_actions(where: str, item: dict) -> None:
    """Each model action must pass the feedback participants get, or the answer sheet contradicts it."""
    # Imported here, not at the top: it loads the plan-language check (audit.analysis.wording: 115 to
    # 180 ms more on a development machine), and every page reads this module for heading() without it.
    from pcp_widgets.practice.action_check import action_problems

    for statement in item["statements"]:
        if "action" in statement:
            problems = action_problems(**statement["action"])
            if problems:
                raise InvalidExercise(f"{where}, statement {statement['id']}: the model action does not pass "
                                      f"its own check ({problems[0]})")


def _check_rewrite(where: str, kind: str, item: dict) -> None:
    """The plan-language check must find fault with the statement and none with the model answer."""
    from pcp_widgets.audit.analysis.wording import check_statement, in_own_voice

    if kind == "make_it_specific":
        if not check_statement(item["statement"]).generic:
            raise InvalidExercise(f"{where}: the plan-language check finds the statement specific already, so "
                                  "there is nothing to rewrite; choose a more generic statement.")
        if check_statement(item["model_answer"]).generic:
            raise InvalidExercise(f"{where}: the plan-language check finds the model answer generic; "
                                  "make it more specific.")
    else:
        if in_own_voice(item["statement"]):
            raise InvalidExercise(f"{where}: the statement is already in the person's own voice, so there is "
                                  "nothing to rewrite.")
        if not in_own_voice(item["model_answer"]):
            raise InvalidExercise(f"{where}: the model answer is not in the person's own voice ('I', 'my').")


@cache
def heading(kind: str) -> tuple[str, str]:
    """A kind's title and purpose, read without checking the rest of its file.

    Every page reads the page registry for its links, and the registry needs only these;
    the whole file is checked when its exercises are loaded.
    """
    try:
        raw = _yaml(content_path(kind).read_text(encoding="utf-8"))
        return raw["title"], " ".join(raw["purpose"].split())
    except (OSError, UnicodeDecodeError, yaml.YAMLError, TypeError, KeyError, AttributeError):
        exercises = load_exercises(kind)  # raises the plain sentence saying what is wrong
        return exercises.title, exercises.purpose


def all_exercises() -> dict[str, ExerciseSet]:
    """Every kind's checked exercises, in session order."""
    return {kind: load_exercises(kind) for kind in KINDS}


__all__ = ["CONTENT", "KINDS", "SCHEMAS", "PERSPECTIVES", "SIDES", "TO_FOR", "ExerciseSet", "content_path",
           "load_exercises", "load_file", "all_exercises"]
