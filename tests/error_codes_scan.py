"""Find every error code written in ``jisr``: ``code="..."`` given to an ``...Error(...)`` and
``code = "..."`` in the body of an ``...Error`` class."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def codes_in(root: Path) -> dict[str, set[str]]:
    """Code -> the files (relative to ``root``'s parent) that raise or declare it."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        where = str(path.relative_to(root.parent))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func).endswith("Error"):
                for keyword in node.keywords:
                    value = keyword.value
                    if keyword.arg == "code" and isinstance(value, ast.Constant):
                        found[str(value.value)].add(where)
            if isinstance(node, ast.ClassDef) and node.name.endswith("Error"):
                for stmt in node.body:
                    if (
                        isinstance(stmt, ast.Assign)
                        and [_name(t) for t in stmt.targets] == ["code"]
                        and isinstance(stmt.value, ast.Constant)
                    ):
                        found[str(stmt.value.value)].add(where)
    return found
