"""The import structure, checked on the source: no cycle among batchrag's modules, an import inside a function
counted as an edge too (it hides a cycle, it does not remove one); and every import inside a function says why
on the line above (an optional heavy dependency, start-up time, a front end started by path)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _modules() -> dict[str, Path]:
    out = {}
    for p in (SRC / "batchrag").rglob("*.py"):
        parts = p.relative_to(SRC).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return out


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules: dict) -> set[str]:
    """The batchrag modules an import statement names: `from x import y` names x.y when that is a module, else x."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names} & set(modules)
    base = module.split(".")[: None if is_package else -1]
    head = node.module or ""
    if node.level:
        head = ".".join([*base[: len(base) - node.level + 1], head]).strip(".")
    return {f"{head}.{a.name}" if f"{head}.{a.name}" in modules else head for a in node.names} & set(modules)


def _edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for m, p in modules.items():
        tree = ast.parse(p.read_text(encoding="utf-8"))
        # Only for the type checker: never run, so no edge.
        typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                       and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in typing_only:
                edges[m] |= _imported(node, m, p.name == "__init__.py", modules) - {m}
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = stack[stack.index(v):]
            del stack[stack.index(v):]
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_even_through_imports_inside_functions():
    assert _cycles(_edges(_modules())) == []


def test_the_cycle_finder_sees_a_cycle_hidden_in_a_function():
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def _says_why(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or on the line above its block of imports."""
    above = lineno - 2
    while above >= 0 and (not lines[above].strip() or lines[above].strip().startswith(("from ", "import "))):
        above -= 1
    return "#" in lines[lineno - 1] or (above >= 0 and lines[above].strip().startswith("#"))


def test_every_import_inside_a_function_says_why():
    silent = []
    for p in _modules().values():
        lines = p.read_text(encoding="utf-8").splitlines()
        for fn in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                silent += [f"{p.relative_to(SRC)}:{n.lineno}" for n in ast.walk(fn)
                           if isinstance(n, ast.Import | ast.ImportFrom) and not _says_why(lines, n.lineno)]
    assert silent == []
