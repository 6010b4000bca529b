"""The import contract (DESIGN.md section 4): arrows point down the layers, and no cycles.

Every module under src/peervalue is parsed (no import runs); every ``import`` and
``from ... import`` counts, at module level, inside functions and under
``TYPE_CHECKING`` alike. A module may import its own layer or any layer below it,
never one above; and no set of modules may import each other in a ring.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: the layers from the bottom up (DESIGN.md section 4); a module belongs to the layer of
#: the longest prefix listed here. ``peervalue.results`` (the package) holds the base
#: class of every result; the result types the service composes live in its submodules,
#: one layer below the renderers and the service. The synthesis sits above uncertainty/
#: because it compares its Bayesian model with uncertainty/'s frequentist estimators.
#: The renderers sit below the service: the service runs the analyses and draws the
#: figures, the renderers only format finished results.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "base",
        (
            "peervalue._version",
            "peervalue.errors",
            "peervalue.units",
            "peervalue.provenance",
            "peervalue.fileio",
            "peervalue.signals",
            "peervalue.io",
            "peervalue.results",
        ),
    ),
    ("data", ("peervalue.evidence", "peervalue.costs", "peervalue.reference")),
    ("model", ("peervalue.model",)),
    ("uncertainty", ("peervalue.uncertainty",)),
    ("synthesis", ("peervalue.synthesis",)),
    ("scenario", ("peervalue.scenario",)),
    (
        "results",
        (
            "peervalue.results.compare",
            "peervalue.results.cumulative",
            "peervalue.results.evppi",
            "peervalue.results.evsi",
            "peervalue.results.reconcile",
        ),
    ),
    ("renderers", ("peervalue.figures", "peervalue.report")),
    ("service", ("peervalue.service",)),
    ("web", ("peervalue.web",)),
    ("cli", ("peervalue.cli",)),
    ("api", ("peervalue",)),
]


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted((SRC / "peervalue").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def layer_of(module: str) -> int:
    best, rank = -1, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    if rank < 0:
        raise AssertionError(f"{module} is in no layer of the import contract")
    return rank


def _known(name: str) -> str | None:
    """The peervalue module a dotted name refers to (a module or a name inside one)."""
    if name.split(".")[0] != "peervalue":
        return None
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name if name in MODULES else None


def _targets(module: str, path: Path) -> Iterator[str]:
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join([*base, *([node.module] if node.module else [])])
            else:
                prefix = node.module or ""
            # ``from pkg import sub`` imports the submodule; ``from mod import name`` the module
            names = [
                f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in MODULES else prefix
                for a in node.names
            ]
        for name in names:
            target = _known(name)
            if target is not None and target != module:
                yield target


def import_graph() -> dict[str, set[str]]:
    return {module: set(_targets(module, path)) for module, path in MODULES.items()}


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted(
        (a, b) for a, targets in graph.items() for b in targets if layer_of(b) > layer_of(a)
    )


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected sets of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                ring: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    ring.append(member)
                    if member == node:
                        break
                if len(ring) > 1:
                    found.append(sorted(ring))
    return sorted(found)


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


def test_no_upward_imports() -> None:
    upward = upward_imports(import_graph())
    lines = [f"{a} ({LAYERS[layer_of(a)][0]}) -> {b} ({LAYERS[layer_of(b)][0]})" for a, b in upward]
    assert not upward, f"{len(upward)} imports against the layers:\n" + "\n".join(lines)


def test_no_import_cycles() -> None:
    rings = cycles(import_graph())
    assert not rings, f"{len(rings)} import cycles:\n" + "\n".join(map(" <-> ".join, rings))


def test_renderers_import_no_front_end_or_service() -> None:
    graph = import_graph()
    for module, targets in graph.items():
        if module.startswith(("peervalue.figures", "peervalue.report")):
            bad = [
                t
                for t in targets
                if t.startswith(("peervalue.service", "peervalue.web", "peervalue.cli"))
            ]
            assert not bad, f"{module} imports {bad}"


# --- the checker itself, on small made-up graphs ---------------------------------------


def test_the_checker_finds_an_upward_import_and_a_ring() -> None:
    graph = {
        "peervalue.model.core": {"peervalue.service.api"},  # model -> service: upward
        "peervalue.service.api": {"peervalue.model.core"},
        "peervalue.report.a": {"peervalue.report.b"},
        "peervalue.report.b": {"peervalue.report.c"},
        "peervalue.report.c": {"peervalue.report.a"},
        "peervalue.web.x": {"peervalue.model.core"},
    }
    assert upward_imports(graph) == [("peervalue.model.core", "peervalue.service.api")]
    assert cycles(graph) == [
        ["peervalue.model.core", "peervalue.service.api"],
        ["peervalue.report.a", "peervalue.report.b", "peervalue.report.c"],
    ]


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("peervalue.results", "base"),
        ("peervalue.results.evppi", "results"),
        ("peervalue.figures.charts", "renderers"),
        ("peervalue", "api"),
        ("peervalue.cli.main", "cli"),
    ],
)
def test_longest_prefix_decides_the_layer(module: str, layer: str) -> None:
    assert LAYERS[layer_of(module)][0] == layer
