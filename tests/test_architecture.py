"""The rooms' boundaries hold: the import contracts in .importlinter, and no import hidden in a function."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("statuspage", "monitors")


def test_the_import_contracts_hold():
    """Layers (surfaces over the status chain over monitors), monitors alone, public/ and api/ as leaves,
    probe kinds without Django: `lint-imports` reads them from .importlinter at the repository root."""
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_project_import_hides_in_a_function_without_saying_why():
    """An import inside a function can hide a cycle between rooms; where one must be lazy (a ready()
    hook, keeping aiohttp out of the web process) a comment on it or just above it says why."""
    unexplained = []
    for path in sorted(p for room in PROJECT for p in (ROOT / room).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for function in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if _imports_project(node) and not _explained(lines, node.lineno):
                    unexplained.append(
                        f"{path.relative_to(ROOT)}:{node.lineno}: {lines[node.lineno - 1].strip()}"
                    )
    assert unexplained == []


def _imports_project(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and (node.module or "").split(".")[0] in PROJECT
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] in PROJECT for alias in node.names)
    return False


def _explained(lines: list[str], lineno: int) -> bool:
    return "#" in lines[lineno - 1] or lines[lineno - 2].strip().startswith("#")
