"""The layering of pcp_widgets, held by reading every module's imports (docs/architecture.md draws it).

Four rules, each checked over every ``import`` in the package, at the top of a module or
inside a function (a late import is still a dependency):

1. **Layers**: a module imports only from its own layer and the layers below it
   (:data:`LAYERS`, top first). Pages (``ui``) may use everything below them; nothing below
   ``ui`` uses ``ui``.
2. **The store depends on nothing above it**: ``pcp_widgets.store`` imports only the audit
   schema (``pcp_widgets.audit.schema``: the sheets its tables are derived from) and the base
   modules (errors, environment, access...), never the rest of audit, tools, render, practice,
   ui or cli.
3. **The Store is the only door to the database**: outside ``pcp_widgets/store/`` nothing
   imports the store's internal modules (tables, engine, records...), only the package
   ``pcp_widgets.store`` and what it exports in ``__all__``; and nothing outside reaches
   through a store for its connection (``store.engine``, ``store.transaction()``).
4. **Inside audit/**: outputs, then analysis, then ingest, then schema (:data:`AUDIT_LAYERS`);
   a subpackage uses only those below it.

Besides: no modules import each other in a circle, late imports included (:data:`KNOWN_CYCLES` lists
the one left).

Where today's code breaks a rule, the exception is listed in :data:`KNOWN` with why and
what removes it; a listed exception that is no longer needed fails the test too, so the
list only shrinks.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "pcp_widgets"

#: Top layer first. A module's layer is its first name under pcp_widgets (``audit`` for
#: ``pcp_widgets.audit.analysis.metrics``); the package's own ``__init__`` is base.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("entry points", frozenset({"cli", "serve", "team"})),
    ("pages", frozenset({"ui"})),
    ("page catalogue and person-level services", frozenset({"pages", "identity", "subject_access",
                                                             "access_export"})),
    ("practice", frozenset({"practice"})),
    ("audit", frozenset({"audit"})),
    ("render", frozenset({"render"})),
    ("store", frozenset({"store"})),
    ("audit schema", frozenset({"audit.schema"})),
    ("tools", frozenset({"tools"})),
    ("base", frozenset({"", "access", "environment", "errors", "plural", "progress", "secret_input"})),
)
#: What the store may import besides itself: the audit schema and the base layer.
STORE_MAY_USE = frozenset({"audit.schema"}) | LAYERS[-1][1]
#: Attributes of a store that hand out the database itself; only the store's own code uses them.
STORE_INTERNALS = ("engine", "transaction")

#: Today's exceptions: (rule, importing module, imported module or attribute) -> why, and what ends it.
KNOWN: dict[tuple[str, str, str], str] = {}  # none today: a new exception is added here with its reason


@dataclass(frozen=True)
class Import:
    importer: str  # module name
    target: str  # the module imported (for ``from m import n``: m.n when that is a module, else m)
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


MODULES = modules()


@functools.cache
def nodes(path: Path) -> list[ast.AST]:
    """Every node of a module's syntax tree, read once for all the rules."""
    return list(ast.walk(ast.parse(path.read_text(encoding="utf-8"))))


def imports_of(name: str, path: Path, modules: dict[str, Path] = MODULES) -> list[Import]:
    """Every pcp_widgets module ``name`` imports, wherever in the module the import is."""
    found = []
    for node in nodes(path):
        if isinstance(node, ast.Import):
            found += [Import(name, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the importing module's package
                package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                whole = f"{base}.{alias.name}"
                found.append(Import(name, whole if whole in modules else base, node.lineno))
    return [i for i in found if i.target == "pcp_widgets" or i.target.startswith("pcp_widgets.")]


def all_imports(modules: dict[str, Path]) -> list[Import]:
    return [i for name, path in modules.items() for i in imports_of(name, path, modules)]


def area(module: str) -> str:
    parts = module.split(".")
    if parts[1:3] == ["audit", "schema"]:
        return "audit.schema"
    return parts[1] if len(parts) > 1 else ""


def layer(module: str) -> int:
    for number, (_, areas) in enumerate(LAYERS):
        if area(module) in areas:
            return number
    raise AssertionError(f"{module} is in no layer: add {area(module)!r} to LAYERS in {Path(__file__).name}")


def shown(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent)) if path.is_relative_to(PACKAGE.parent) else str(path)


def where(i: Import, modules: dict[str, Path]) -> str:
    return f"{shown(modules[i.importer])}:{i.line} imports {i.target}"


def broken(rule: str, problems: list[tuple[str, str, str]]) -> list[str]:
    """The problems not listed in KNOWN, as sentences."""
    return [text for importer, target, text in problems if (rule, importer, target) not in KNOWN]


Problems = list[tuple[str, str, str]]


def layer_problems(modules: dict[str, Path]) -> Problems:
    return [(i.importer, i.target, f"{where(i, modules)}, a layer above it ({LAYERS[layer(i.target)][0]})")
            for i in all_imports(modules) if layer(i.target) < layer(i.importer)]


def store_problems(modules: dict[str, Path]) -> Problems:
    return [(i.importer, _top(i.target), f"{where(i, modules)}: the store uses nothing above it")
            for i in all_imports(modules) if area(i.importer) == "store"
            and area(i.target) != "store" and area(i.target) not in STORE_MAY_USE]


def _top(target: str) -> str:
    """An import as KNOWN names it: tools by the package, the schema modules by module."""
    return "pcp_widgets.tools" if area(target) == "tools" else target


def exported_by_store() -> set[str]:
    tree = ast.parse(MODULES["pcp_widgets.store"].read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    raise AssertionError("pcp_widgets.store declares no __all__")


def internals_problems(modules: dict[str, Path]) -> Problems:
    problems = []
    exported = exported_by_store()
    for path_name, path in modules.items():
        if area(path_name) == "store":
            continue
        for node in nodes(path):
            if isinstance(node, ast.ImportFrom) and node.module == "pcp_widgets.store":
                # a module named here is an internal module, found below with the other imports of one
                hidden = [a.name for a in node.names if a.name not in exported
                          and f"pcp_widgets.store.{a.name}" not in modules]
                if hidden:
                    problems.append((path_name, "pcp_widgets.store", f"{shown(path)}:"
                                     f"{node.lineno} imports {', '.join(hidden)}, not exported by pcp_widgets.store"))
    problems += [(i.importer, i.target, f"{where(i, modules)}, one of the store's internal modules")
                 for i in all_imports(modules) if area(i.importer) != "store" and i.target.startswith("pcp_widgets.store.")]
    return problems


def reach_problems(modules: dict[str, Path]) -> Problems:
    """``store.engine`` or ``self.store.transaction()`` outside the store: SQL of one's own."""
    problems = []
    for name, path in modules.items():
        if area(name) == "store":
            continue
        for node in nodes(path):
            if isinstance(node, ast.Attribute) and node.attr in STORE_INTERNALS and _names_a_store(node.value):
                problems.append((name, node.attr, f"{shown(path)}:{node.lineno} uses "
                                 f"store.{node.attr}: ask the Store for what is needed instead"))
    return problems


def _names_a_store(node: ast.expr) -> bool:
    named = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return named in ("store", "_store")


#: Inside audit/, top first: what leaves as files uses the analysis and the import, which use the schema.
#: A module of audit/ in no subpackage (the demo) is above them all.
AUDIT_LAYERS = ("outputs", "analysis", "ingest", "schema")


def audit_layer(module: str) -> int:
    parts = module.split(".")
    return AUDIT_LAYERS.index(parts[2]) if len(parts) > 3 and parts[2] in AUDIT_LAYERS else -1


def audit_problems(modules: dict[str, Path]) -> Problems:
    return [(i.importer, i.target, f"{where(i, modules)}, above it in audit/ ({AUDIT_LAYERS[audit_layer(i.target)]})")
            for i in all_imports(modules) if i.importer.startswith("pcp_widgets.audit.")
            and i.target.startswith("pcp_widgets.audit.") and audit_layer(i.target) < audit_layer(i.importer)]


RULES = {"layers": layer_problems, "store": store_problems, "internals": internals_problems,
         "reach": reach_problems, "audit": audit_problems}


@pytest.mark.parametrize("rule", list(RULES))
def test_the_rule_holds_but_for_the_known_exceptions(rule):
    assert broken(rule, RULES[rule](MODULES)) == []


def test_every_known_exception_is_still_needed():
    """An exception that the code no longer makes is taken off the list, so the list only shrinks."""
    made = {(rule, importer, target) for rule, find in RULES.items() for importer, target, _ in find(MODULES)}
    assert [known for known in KNOWN if known not in made] == []


def test_nothing_below_the_pages_uses_them():
    assert [where(i, MODULES) for i in all_imports(MODULES)
            if area(i.target) == "ui" and area(i.importer) not in ("ui", "cli", "serve", "team")] == []


def test_the_rules_see_what_they_are_meant_to(tmp_path):
    """Each rule, shown modules breaking it, finds them: the walk reads late imports, relative ones,
    ``from pcp_widgets.store import tables`` and a reach through ``store.engine``."""
    bad = {
        "pcp_widgets.store.bad": "def f():\n    from pcp_widgets.ui import frame\n",
        "pcp_widgets.audit.bad": "from pcp_widgets.store import tables\n\ndef g(store):\n"
                                 "    return store.engine.connect()\n",
        "pcp_widgets.render.bad": "from ..audit import metrics\n",
        "pcp_widgets.audit.ingest.bad": "from pcp_widgets.audit.analysis import metrics\n",
    }
    modules = dict(MODULES)
    for name, text in bad.items():
        path = tmp_path / (name.replace(".", "/") + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        modules[name] = path
    found = {rule: sorted(importer for importer, _, _ in find(modules) if importer.endswith(".bad"))
             for rule, find in RULES.items()}
    assert found == {"layers": ["pcp_widgets.render.bad", "pcp_widgets.store.bad"],
                     "store": ["pcp_widgets.store.bad"],
                     "internals": ["pcp_widgets.audit.bad"],
                     "reach": ["pcp_widgets.audit.bad"],
                     "audit": ["pcp_widgets.audit.ingest.bad"]}


#: Import cycles (late imports included) that today's code still has, each with what ends it. The render
#: package's __init__ picks a renderer late (html, word, pictures), and those come back to it for helpers:
#: kept because the late imports keep ReportLab, python-docx and matplotlib out of every tool page's start
#: (the figures are in pcp_widgets/render/__init__.py); it ends if the helpers move to a module of their own.
KNOWN_CYCLES: list[frozenset[str]] = [
    frozenset({"pcp_widgets.render", "pcp_widgets.render.cache", "pcp_widgets.render.html",
               "pcp_widgets.render.pictures", "pcp_widgets.render.word"}),
]


def cycles(modules: dict[str, Path]) -> list[frozenset[str]]:
    """Every set of modules that import each other in a circle, an import inside a function included
    (a late import hides a cycle from Python, not from the reader)."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for i in all_imports(modules):
        if i.target in modules and i.target != i.importer:
            graph[i.importer].add(i.target)
    order, low, stack, found, counter = {}, {}, [], [], [0]

    def visit(name: str) -> None:  # Tarjan's strongly connected components
        order[name] = low[name] = counter[0]
        counter[0] += 1
        stack.append(name)
        for target in graph[name]:
            if target not in order:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in stack:
                low[name] = min(low[name], order[target])
        if low[name] == order[name]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == name:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for name in graph:
        if name not in order:
            visit(name)
    return found


def test_no_modules_import_each_other_in_a_circle_but_the_known_ones(tmp_path):
    assert sorted(map(sorted, cycles(MODULES))) == sorted(map(sorted, KNOWN_CYCLES))
    # and a circle made only by an import inside a function is found
    modules = dict(MODULES)
    for name, text in {"pcp_widgets.practice.bad_a": "from pcp_widgets.practice import bad_b\n",
                       "pcp_widgets.practice.bad_b": "def f():\n    from pcp_widgets.practice import bad_a\n"}.items():
        path = tmp_path / (name.rsplit(".", 1)[1] + ".py")
        path.write_text(text)
        modules[name] = path
    assert frozenset({"pcp_widgets.practice.bad_a", "pcp_widgets.practice.bad_b"}) in cycles(modules)
