"""The layering rules, checked on the source with ast:
- PySide6/shiboken6 are imported only under cannngheo_desktop/gui/;
- gui/ never touches SQL (no sqlite3, no .execute…(), no SQL text passed to a call);
- core/ imports nothing from storage/, gui/, bundle/ or reports/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cannngheo_desktop"
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
SQL_TEXT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|PRAGMA|CREATE|DROP|ALTER|REPLACE)\b", re.I)


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _module_name(path: Path) -> list[str]:
    parts = ["cannngheo_desktop", *path.relative_to(PACKAGE).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_modules(path: Path, source: str | None = None) -> set[str]:
    """Absolute names of every module imported by ``path`` (relative imports resolved)."""
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path)[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names)
    return found


def _in(path: Path, folder: str) -> bool:
    return _rel(path).startswith(folder + "/")


def test_sources_found():
    assert len(SOURCES) > 10 and any(_in(p, "gui") for p in SOURCES)


@pytest.mark.parametrize("path", [p for p in SOURCES if not _in(p, "gui")], ids=_rel)
def test_qt_only_under_gui(path: Path):
    qt = {m for m in imported_modules(path) if m.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6")}
    assert not qt, f"{_rel(path)} imports {sorted(qt)}; only cannngheo_desktop/gui/ may use Qt"


@pytest.mark.parametrize("path", [p for p in SOURCES if _in(p, "gui")], ids=_rel)
def test_gui_runs_no_sql(path: Path):
    assert not any(m.split(".")[0] == "sqlite3" for m in imported_modules(path)), f"{_rel(path)} imports sqlite3"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("execute", "executemany", "executescript"):
            raise AssertionError(f"{_rel(path)}:{node.lineno} calls .{node.func.attr}(); use a service function")
        for arg in node.args[:1]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and SQL_TEXT.match(arg.value):
                raise AssertionError(f"{_rel(path)}:{node.lineno} passes SQL text; use a service function")


@pytest.mark.parametrize("path", [p for p in SOURCES if _in(p, "core")], ids=_rel)
def test_core_imports_nothing_above_it(path: Path):
    above = ("storage", "gui", "bundle", "reports")
    bad = {m for m in imported_modules(path)
           if m.split(".")[0] == "cannngheo_desktop" and len(m.split(".")) > 1 and m.split(".")[1] in above}
    assert not bad, f"{_rel(path)} imports {sorted(bad)}; core/ must stay pure"


def test_checker_catches_violations():
    """The ast walk does see relative imports (so the rules above can fail)."""
    probe = PACKAGE / "core" / "_layering_probe.py"
    found = imported_modules(probe, "from ..storage import db\nfrom . import text\nimport PySide6.QtCore")
    assert found >= {"cannngheo_desktop.storage.db", "cannngheo_desktop.core.text", "PySide6.QtCore"}
