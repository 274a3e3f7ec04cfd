"""The package map of docs/architecture.md, held against the code's imports.

Every module of ``sensor/`` belongs to one unit (a top-level module or a package); the units stand
in layers, and a unit may import only units of lower layers: data flows one way, from the radio to
the collector. Imports are read with ``ast``, those inside functions and ``if TYPE_CHECKING:`` blocks
too (a type named from above is a dependency all the same), so a later change that reaches upwards
fails here. A backend
named by a string for ``importlib`` (the device registry) is not an import and is not seen.

Modules must not import each other in a circle either, inside a package or across packages.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SENSOR = Path(__file__).resolve().parents[1] / "sensor"

# Lowest first. A unit imports only units of strictly lower layers (the same list as the table in
# docs/architecture.md, which says what each one owns).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors",),
    ("model", "units", "utc", "schema", "resources", "logfmt", "fastpath", "threads", "lazy", "interrupt"),
    ("config",),
    ("gsm",),
    ("sources",),
    ("gps",),
    ("dsp", "coding"),
    ("l2",),
    ("l3",),
    ("sms",),
    ("receiver",),
    ("cells", "sessions"),
    ("intel",),
    ("detect",),
    ("frames",),
    ("publish",),
    ("locate",),
    ("collector",),
    ("report",),
    ("sim",),
    ("replay",),
    ("scan",),
    ("evaluate",),
    ("daemon",),
    ("commands",),
    ("cli",),
)
LAYER_OF: dict[str, int] = {unit: i for i, units in enumerate(LAYERS) for unit in units}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SENSOR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """The ``sensor.*`` modules (or packages) one module imports, relative imports resolved."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # ``from sensor.x import y`` may name a module y of package x
            found.update(f"{target}.{a.name}" for a in node.names)
        stack.extend(ast.iter_child_nodes(node))
    return {name for name in found if name == "sensor" or name.startswith("sensor.")}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in SENSOR.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        raw = _imports(ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py")
        graph[name] = {m for m in raw if m in modules and m != name}
    return graph


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


GRAPH = _graph()


def test_every_unit_has_a_layer() -> None:
    units = {_unit(m) for m in GRAPH if m != "sensor"}
    assert units - set(LAYER_OF) == set(), (
        "new top-level module or package: give it a layer here and a row in docs/architecture.md"
    )


def test_imports_go_down_the_layers() -> None:
    upward = []
    for module, targets in GRAPH.items():
        src = _unit(module)
        for target in targets:
            dst = _unit(target)
            if module == "sensor" or target == "sensor" or dst == src:
                continue
            if LAYER_OF.get(dst, -1) >= LAYER_OF.get(src, -1):
                upward.append(f"{module} imports {target} ({src} may not import {dst})")
    assert upward == []


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def test_no_import_circles() -> None:
    # a package's __init__ re-exporting its modules is not a circle of concerns
    graph = {m: {t for t in ts if not (GRAPH.get(t) is not None and m.startswith(t + "."))} for m, ts in GRAPH.items()}
    assert _circles(graph) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_circle_finder(graph: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert _circles(graph) == expected


def test_import_reader_sees_what_the_checks_rely_on() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "from .b import c\n"
        "import sensor.x.y\n"
        "if TYPE_CHECKING:\n    from sensor.hidden import z\n"
        "def f():\n    from sensor.lazy import w\n"
    )
    assert _imports(tree, "sensor.pkg.mod", is_package=False) == {
        "sensor.pkg.b",
        "sensor.pkg.b.c",
        "sensor.x.y",
        "sensor.hidden",
        "sensor.hidden.z",
        "sensor.lazy",
        "sensor.lazy.w",
    }
