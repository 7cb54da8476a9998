"""Lists import cycles among the project's own modules, imports inside functions included.

The one accepted kind: a service that enqueues work imports its dramatiq actors module inside a
function (HackSoft's pattern), while the actors import the services they run. Those late
imports of `*.actors` are not counted; every other import is. Exit status 1 when a cycle exists.

    .venv/bin/python scripts/import_cycles.py
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("adgen", "pipelines", "tenants")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def top_level_imports(path: Path, modules: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()

    def add(name: str) -> None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name:
            found.add(name)

    def visit(nodes, nested: bool = False) -> None:
        for node in nodes:
            if nested and isinstance(node, (ast.Import, ast.ImportFrom)) and _imports_actors(node):
                continue  # a service enqueueing through its actors: the accepted late import
            if isinstance(node, ast.Import):
                for alias in node.names:
                    add(alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                for alias in node.names:
                    add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
            elif isinstance(node, ast.If):  # `if TYPE_CHECKING:` blocks are not imports at run time
                if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                    visit(node.body, nested)
                    visit(node.orelse, nested)
            elif isinstance(node, ast.Try):
                visit(node.body, nested)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(node.body, True)
            elif isinstance(node, (ast.ClassDef, ast.With, ast.For)):
                visit(node.body, nested)

    visit(tree.body)
    found.discard(module_name(path))
    return found


def _imports_actors(node) -> bool:
    names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
    return any(name.endswith(".actors") for name in names)


def find_cycles() -> list[list[str]]:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py") if "migrations" not in p.parts]
    modules = {module_name(p) for p in files}
    graph = {module_name(p): top_level_imports(p, modules) for p in files}
    # a package's __init__ is imported with any of its submodules; edges to it are real, but
    # a submodule importing its own package is how Python works, not a cycle of ours
    for name, deps in graph.items():
        deps -= {n for n in deps if name.startswith(n + ".")}
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def strongconnect(node: str, counter=[0]) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for dep in graph.get(node, ()):
            if dep not in index:
                strongconnect(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            strongconnect(node)
    return cycles


if __name__ == "__main__":
    cycles = find_cycles()
    for cycle in cycles:
        print("cycle:", " <-> ".join(cycle))
    print(f"{len(cycles)} import cycle(s) among {', '.join(PACKAGES)}")
    sys.exit(1 if cycles else 0)
