"""The spine's rules, checked on the source: settings read by the front ends only, no backend named to decide
behaviour, short modules and functions (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "batchrag"
FRONT_ENDS = ("cli", "ui", "api")


def _modules():
    return list(SRC.rglob("*.py"))


def test_only_the_front_ends_read_the_process_settings():
    callers = []
    for p in _modules():
        rel = p.relative_to(SRC)
        if rel.parts[0] in (*FRONT_ENDS, "settings"):
            continue
        if re.search(r"\bget_settings\(\)", p.read_text(encoding="utf-8")):
            callers.append(str(rel))
    assert callers == []


def test_no_code_compares_a_backend_name():
    # A backend is asked what it can do (quotes_only, writes_answers, sees_images), never what it is called.
    pattern = re.compile(r"""(\.name|\bbackend)\s*(==|!=|\bin\b)\s*[("']|["']extractive["']\s*(==|!=|\bin\b)""")
    # `auto` is no backend but the registry's chooser: a setting may be compared with it.
    hits = [f"{p.relative_to(SRC)}:{n}" for p in _modules()
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if pattern.search(line.replace('== "auto"', "").replace('!= "auto"', ""))]
    assert hits == []


def test_modules_are_short():
    long = {str(p.relative_to(SRC)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}


def test_functions_are_short_unless_a_comment_says_why():
    too_long = []
    for p in _modules():
        lines = p.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno >= 60:
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                if not lines[first - 2].strip().startswith("#"):  # the comment above it says why it is long
                    too_long.append(f"{p.relative_to(SRC)}:{node.lineno} {node.name}")
    assert too_long == []
