"""The household registry at scale (issue 4): the list's first page, a search keystroke,
opening a household, and importing a 10,000-household workbook — each against a raw baseline
measured in the same run.

Targets: first page (count + 100 rows) ≤ 2× the raw SQL for that page and < 300 ms; a search
keystroke (count + first page) ≤ 100 ms; opening a household ≤ 100 ms; the import (dry run +
apply + backup) ≤ 3× openpyxl alone reading the workbook in read-only mode.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cannngheo_desktop.registry import excel_import
from cannngheo_desktop.registry import queries as rq
from cannngheo_desktop.registry.excel_export import HEADERS, member_rows
from cannngheo_desktop.registry.queries import ListQuery
from cannngheo_desktop.storage.db import open_db

from .common import Result, load_units, make_dataset, timer
from .generate import iter_households, make_units

IMPORT_HOUSEHOLDS = 10_000
REPEATS = 7


def _median(fn: Callable[[], Any], repeats: int = REPEATS) -> float:
    """Median wall time of ``fn`` after one warm-up call (the GUI runs on a warm connection)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _first_page(store: Any) -> list[Result]:
    q = ListQuery()

    def app() -> None:
        rq.count_households(store, q)
        rq.fetch_page(store, q, 0, 100)

    def raw() -> None:
        # the best hand-written SQL for the same page: count on the small index, page by the
        # head-name index (the unary + keeps the planner off the deleted/status index)
        store.conn.execute("SELECT count(*) FROM households WHERE deleted = 0 AND status = 'active'").fetchall()
        store.conn.execute(
            "SELECT id, household_code, head_name, village, unit_code, category, member_count, "
            "deprivation_count, able_to_exit, is_merit, updated_at FROM households "
            "WHERE +deleted = 0 AND +status = 'active' ORDER BY head_name, id LIMIT 100").fetchall()

    t_raw, t_app = _median(raw), _median(app)
    ok = t_app <= 2 * t_raw and t_app < 0.3
    return [Result("registry.first_page", t_raw, t_app, "≤ 2× raw and < 0.3 s", ok,
                   "count + 100 rows sorted by head name (raw: same page without unit names)")]


def _search(store: Any) -> list[Result]:
    q = ListQuery(search="nguyen van")

    def app() -> None:
        rq.count_households(store, q)
        rq.fetch_page(store, q, 0, 100)

    def raw() -> None:
        store.conn.execute("SELECT count(*) FROM household_fts WHERE household_fts MATCH ?",
                           ('"nguyen"* "van"*',)).fetchall()

    t_raw, t_app = _median(raw), _median(app)
    hits = rq.count_households(store, q)
    return [Result("registry.search_keystroke", t_raw, t_app, "< 0.1 s", t_app < 0.1,
                   f"'nguyen van': {hits:,} matches, count + first page (raw: FTS count alone)")]


def _open_household(store: Any) -> list[Result]:
    ids = [r[0] for r in store.query("SELECT id FROM households ORDER BY id LIMIT 50")]

    def app() -> None:
        for hid in ids:
            rq.household_detail(store, hid)

    def raw() -> None:
        for hid in ids:
            store.conn.execute("SELECT * FROM households WHERE id = ?", (hid,)).fetchall()
            store.conn.execute("SELECT * FROM members WHERE household_id = ?", (hid,)).fetchall()

    t_raw, t_app = _median(raw, 3) / len(ids), _median(app, 3) / len(ids)
    return [Result("registry.open_household", t_raw, t_app, "< 0.1 s", t_app < 0.1,
                   "household + members + unit + latest assessment + events (raw: household + members)")]


def write_workbook(path: Path, households: int) -> int:
    """A 10,000-household list in the template layout (write-only); returns the member count."""
    import openpyxl

    units = make_units()
    communes = [u for u in units if u["kind"] != "province"]
    codes = [u["code"] for u in communes]
    urban = {u["code"] for u in communes if u["area"] == "urban"}
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Danh sách hộ")
    ws.append(["DANH SÁCH HỘ CẬN NGHÈO"])
    ws.append(HEADERS)
    members = 0
    for number, (household, hh_members) in enumerate(iter_households(households, 7, codes, urban), start=1):
        members += len(hh_members)
        for row in member_rows(number, household, hh_members):
            ws.append(row)
    wb.save(path)
    return members


def _import(workdir: Path) -> list[Result]:
    import openpyxl

    book = workdir / f"registry-import-{IMPORT_HOUSEHOLDS}.xlsx"
    if not book.exists():
        write_workbook(book, IMPORT_HOUSEHOLDS)
    gc.collect()
    with timer() as t_raw:
        wb = openpyxl.load_workbook(book, read_only=True, data_only=True)
        rows = sum(1 for _ in wb.active.iter_rows(values_only=True))
        wb.close()
    target = workdir / "registry-import.sqlite"
    for old in workdir.glob("registry-import.sqlite*"):
        old.unlink()
    for old in (workdir / "backups").glob("registry-import-*"):
        old.unlink()
    store = open_db(target, user="bench")
    try:
        load_units(store)
        gc.collect()
        with timer() as t_app:
            summary = excel_import.apply_import(store, book, None)
        assert summary.households == IMPORT_HOUSEHOLDS, summary
    finally:
        store.close()
    ratio = t_app[0] / t_raw[0]
    return [Result("registry.import_excel", t_raw[0], t_app[0], "≤ 3× openpyxl read", ratio <= 3.0,
                   f"{IMPORT_HOUSEHOLDS:,} households, {summary.members:,} members, {rows:,} rows: dry run "
                   "(parse, validate, duplicates) + backup + one-transaction apply")]


def run(scale: int, workdir: Path) -> list[Result]:
    """Registry benchmarks on the shared dataset of ``scale`` households."""
    dataset = make_dataset(workdir, scale)
    results: list[Result] = []
    store = open_db(dataset, user="bench")
    try:
        results += _first_page(store)
        results += _search(store)
        results += _open_household(store)
    finally:
        store.close()
    results += _import(workdir)
    return results
