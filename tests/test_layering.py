"""The shape of the package, checked on the source with ast (docs/architecture.md is the map):
- layers point one way: entry points (__main__, cli, selftest) → gui and commands → capabilities
  (registry → plan → review → documents → exchange → demo, each using only those before it)
  → storage → core (with paths.py and the package's __init__);
- gui/ mirrors the capabilities in the same order, over gui/shell (whose window assembly,
  main_window/app/smoke, is the one part that may open every screen) and the generated forms;
- no import circle anywhere, counting imports inside functions too;
- PySide6/shiboken6 only under gui/; gui/ never touches SQL;
- every module is named for what it holds (no numbered names) and stays under 400 lines."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cannngheo_desktop"
PKG = PACKAGE.name
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
SQL_TEXT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|PRAGMA|CREATE|DROP|ALTER|REPLACE)\b", re.I)
MAX_LINES = 400

BASE = ("core", "paths")
CAPABILITIES = ("registry", "plan", "review", "documents", "exchange", "demo")
SCREENS = ("registry", "plan", "review", "documents", "exchange")
FRONTS = ("gui", "commands")
ENTRY_POINTS = ("__main__", "cli", "selftest")
WINDOW_ASSEMBLY = ("main_window", "app", "smoke")  # gui/shell modules that open every screen


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _module_name(path: Path) -> list[str]:
    parts = [PKG, *path.relative_to(PACKAGE).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


MODULES = {".".join(_module_name(p)): p for p in SOURCES}


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


def project_imports(module: str, names: Iterable[str], modules: Iterable[str]) -> set[str]:
    """The project modules behind ``names`` (``from x import Name`` ties to module x), without
    ``module`` itself and without its own enclosing packages (a package's __init__ is its face)."""
    known = set(modules)
    out: set[str] = set()
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module and not module.startswith(name + "."):
            out.add(name)
    return out


GRAPH = {m: project_imports(m, imported_modules(p), MODULES) for m, p in MODULES.items()}


def circles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
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
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def place(module: str) -> tuple[int, int, str]:
    """(layer, rank inside the layer, group) of a project module; ValueError for one off the map.
    Layers: 0 core/paths/package root, 1 storage, 2 capabilities, 3 gui and commands, 4 entry points."""
    parts = module.split(".")[1:]
    top = parts[0] if parts else ""
    if top in ("", *BASE):
        return 0, 0, "base"
    if top == "storage":
        return 1, 0, "storage"
    if top in CAPABILITIES:
        return 2, CAPABILITIES.index(top), top
    if top == "commands":
        return 3, 0, "commands"
    if top == "gui":
        sub = parts[1] if len(parts) > 1 else ""
        if sub == "forms":
            return 3, 0, "gui.forms"
        if sub in ("", "shell") and not (len(parts) > 2 and parts[2] in WINDOW_ASSEMBLY):
            return 3, 1, "gui.shell"
        if sub == "shell":
            return 3, 3, "gui.window"
        if sub in SCREENS:
            return 3, 2, f"gui.{sub}"
    if top in ENTRY_POINTS:
        return 4, 0, "entry"
    raise ValueError(f"{module} is on no layer of the map: add its folder to docs/architecture.md "
                     "and to this test")


def order_problem(importer: str, imported: str) -> str | None:
    """Why ``importer`` may not import ``imported``; None when the arrow points the right way."""
    (layer_a, rank_a, group_a), (layer_b, rank_b, group_b) = place(importer), place(imported)
    if layer_b < layer_a or group_a == group_b:
        return None
    if layer_b > layer_a:
        return f"{importer} ({group_a}) imports {imported} ({group_b}), a layer above it"
    if layer_a == 2:
        if rank_b < rank_a:
            return None
        return (f"capability {group_a} imports {group_b}, which comes after it "
                f"(order: {' → '.join(CAPABILITIES)}, each using only those before it)")
    if layer_a == 3:
        if "commands" in (group_a, group_b):
            return f"{importer} imports {imported}: gui and commands are two fronts, neither uses the other"
        if rank_b < rank_a:
            return None
        if rank_a == rank_b == 2 and SCREENS.index(group_b[4:]) < SCREENS.index(group_a[4:]):
            return None
        return f"{importer} ({group_a}) imports {imported} ({group_b}); see the gui order in docs/architecture.md"
    return None


def _in(path: Path, folder: str) -> bool:
    return _rel(path).startswith(folder + "/")


def test_sources_found():
    assert len(SOURCES) > 100 and any(_in(p, "gui") for p in SOURCES)
    assert sum(len(edges) for edges in GRAPH.values()) > 500


def test_no_import_circles():
    found = circles(GRAPH)
    assert not found, "import circles (each is a tie to cut):\n" + "\n".join(" ↔ ".join(c) for c in found)


def test_every_module_is_on_the_map():
    for module in MODULES:
        place(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_follow_the_layer_order(module: str):
    problems = [p for target in sorted(GRAPH[module]) if (p := order_problem(module, target))]
    assert not problems, "\n".join(problems)


def test_order_checker_catches_wrong_arrows():
    """The rules above can fail: arrows against the order are named, arrows along it are not."""
    def m(name: str) -> str:
        return f"{PKG}.{name}"

    wrong = [("storage.db", "plan.plans"), ("core.text", "storage.db"), ("paths", "storage.backup"),
             ("registry.queries", "documents.queries"), ("plan.plans", "review.rounds"),
             ("documents.catalogue", "exchange.sync"), ("exchange.keys", "gui.shell.tasks"),
             ("commands.report", "gui.shell.app"), ("gui.shell.tasks", "commands.report"),
             ("gui.shell.tasks", "gui.registry.households_tab"), ("gui.forms.ui_login_dialog", "gui.shell.errors"),
             ("gui.registry.households_tab", "gui.exchange.exchange_tab"),
             ("gui.review.reviews_tab", "gui.shell.main_window"), ("storage.db", "cli")]
    for importer, imported in wrong:
        assert order_problem(m(importer), m(imported)), f"{importer} → {imported} should be refused"
    right = [("plan.plans", "storage.db"), ("documents.summaries", "plan.plans"), ("exchange.keycard",
             "documents.render.pdf_base"), ("gui.shell.main_window", "gui.review.reviews_tab"),
             ("gui.exchange.exchange_tab", "gui.shell.files"), ("gui.documents.reports_tab", "documents.catalogue"),
             ("gui.review.outcome_pages", "gui.registry.history_dialog"), ("__main__", "gui.shell.app"),
             ("cli", "commands.report"), ("storage.backup", "paths")]
    for importer, imported in right:
        assert order_problem(m(importer), m(imported)) is None, f"{importer} → {imported} should be allowed"
    with pytest.raises(ValueError, match="no layer"):
        place(m("reports.summary"))


def test_circle_finder_finds_circles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e", "a"}, "f": {"g"}, "g": {"f"}}
    assert sorted(circles(graph)) == [["a", "b", "c"], ["f", "g"]]


def test_checker_sees_relative_and_deferred_imports():
    """The ast walk resolves relative imports and sees imports inside functions."""
    probe = PACKAGE / "core" / "_layering_probe.py"
    source = "from ..storage import db\nfrom . import text\nimport PySide6.QtCore\ndef f():\n    from ..gui import x\n"
    found = imported_modules(probe, source)
    assert found >= {f"{PKG}.storage.db", f"{PKG}.core.text", "PySide6.QtCore", f"{PKG}.gui.x"}
    assert project_imports(f"{PKG}.core._layering_probe", found, MODULES) >= {f"{PKG}.storage.db", f"{PKG}.gui"}


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


def _generated(path: Path) -> bool:
    return _in(path, "gui/forms") and path.name.startswith("ui_")


@pytest.mark.parametrize("path", [p for p in SOURCES if not _generated(p)], ids=_rel)
def test_modules_are_named_and_small(path: Path):
    assert not re.search(r"\d$", path.stem), f"{_rel(path)}: name a module for what it holds, not with a number"
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{_rel(path)} has {lines} lines; split it by what it holds (≤ {MAX_LINES})"
