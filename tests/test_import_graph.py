"""The package's import graph has no cycles (module-level and function-level imports).

Built with ``ast`` from the source, so an import inside a function or under ``TYPE_CHECKING``
counts as much as one at the top: a lazy import that closes a circle is still a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import authlib_kakao

TOP = "authlib_kakao"
ROOT = Path(authlib_kakao.__file__).parent
PACKAGE = f"{TOP}.testing"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


FILES = {module_name(p): p for p in ROOT.rglob("*.py")}
MODULES = set(FILES)
PACKAGES = {module_name(p) for p in ROOT.rglob("__init__.py")}


def imported(module: str, node: ast.AST) -> set[str]:
    """The package's modules one import statement in ``module`` loads."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names} & MODULES
    if not isinstance(node, ast.ImportFrom):
        return set()
    if node.level:  # relative: resolve against the importing module's package
        base = module if module in PACKAGES else module.rsplit(".", 1)[0]
        for _ in range(node.level - 1):
            base = base.rsplit(".", 1)[0]
        name = f"{base}.{node.module}" if node.module else base
    else:
        name = node.module or ""
    # ``from pkg import sub`` loads pkg.sub when sub is a module, else pkg itself.
    found = {f"{name}.{alias.name}" for alias in node.names} & MODULES
    return found or ({name} & MODULES)


def import_graph() -> dict[str, set[str]]:
    """Module → the package modules it imports anywhere in its source."""
    graph: dict[str, set[str]] = {}
    for module, path in FILES.items():
        tree = ast.parse(path.read_text("utf-8"))
        graph[module] = set().union(*(imported(module, n) for n in ast.walk(tree))) - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while (member := stack.pop()) != node:
                component.append(member)
            component.append(node)
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_lazy_and_type_checking_imports() -> None:
    graph = import_graph()

    assert f"{PACKAGE}.app" in graph[f"{PACKAGE}.emulator"]  # inside the ``asgi`` property
    assert f"{PACKAGE}.server" in graph[f"{PACKAGE}.emulator"]  # inside ``serve``
    assert f"{PACKAGE}.emulator" in graph[f"{PACKAGE}.pytest_plugin"]  # fixtures + TYPE_CHECKING
    assert f"{PACKAGE}.emulator" in graph[PACKAGE]  # the lazy package names
    assert f"{PACKAGE}.kapi" in graph[f"{PACKAGE}.routes"]


def test_the_graph_covers_the_client_too() -> None:
    graph = import_graph()

    assert f"{TOP}.integrations" in graph[f"{TOP}.provider"]  # inside register_kakao
    assert f"{TOP}.core.error_codes" in graph[f"{TOP}.core.responses"]
    assert f"{TOP}.core.error_codes" not in graph[f"{TOP}.errors"]  # the old circle


def test_the_package_has_no_import_cycles() -> None:
    assert cycles(import_graph()) == []
