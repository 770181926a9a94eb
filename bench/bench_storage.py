"""Loading households and members: the storage layer (NFC, version stamps, audit entry and
change-log row per row, search key and FTS index) against raw ``sqlite3.executemany`` of the
same rows into the same schema in one transaction. Target: at most 3× the raw time."""

from __future__ import annotations

import gc
import json
import time
from pathlib import Path
from typing import Any

from cannngheo_desktop.storage import households as hh_store
from cannngheo_desktop.storage.db import open_db, utc_now

from .common import Result, load_units, timer
from .generate import iter_households

TARGET_RATIO = 3.0
REPEAT = 2


def _fresh(workdir: Path, name: str):
    path = workdir / name
    for old in workdir.glob(f"{name}*"):
        old.unlink()
    store = open_db(path, user="bench")
    load_units(store)
    return store


def _raw_rows(items: list[tuple[dict, list[dict]]], now: str) -> tuple[list[dict], list[dict]]:
    """The same rows, made insertable by hand: JSON lists, sync columns, member → household link."""
    households, members = [], []
    for household, hh_members in items:
        row = {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v)
               for k, v in household.items()}
        row.update(version=1, updated_at=now, updated_by="bench", deleted=0, member_count=len(hh_members))
        households.append(row)
        for order, member in enumerate(hh_members):
            members.append({**member, "household_id": household["id"], "unit_code": household["unit_code"],
                            "sort_order": order, "version": 1, "updated_at": now, "updated_by": "bench",
                            "deleted": 0})
    return households, members


def _executemany(conn: Any, table: str, rows: list[dict]) -> None:
    names = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    conn.executemany(sql, [tuple(r[n] for n in names) for r in rows])


def load_raw(store, items: list[tuple[dict, list[dict]]]) -> None:
    """Baseline: build tuples and executemany both tables in ONE transaction, nothing else."""
    households, members = _raw_rows(items, utc_now())
    conn = store.conn
    conn.execute("BEGIN IMMEDIATE")
    _executemany(conn, "households", households)
    _executemany(conn, "members", members)
    conn.execute("COMMIT")


def load_storage(store, items: list[tuple[dict, list[dict]]]) -> None:
    """The app's bulk path (imports, demo): one add_households call, ONE transaction."""
    hh_store.add_households(store, items)


def _check(store, households: int, members: int, audited: bool) -> None:
    got = (store.scalar("SELECT count(*) FROM households"), store.scalar("SELECT count(*) FROM members"))
    assert got == (households, members), got
    if audited:
        rows = households + members
        assert store.scalar("SELECT count(*) FROM audit_log WHERE table_name != 'units'") == rows
        assert store.scalar("SELECT count(*) FROM changes WHERE table_name != 'units'") == rows
        assert store.scalar("SELECT count(*) FROM household_fts") == households


def _timed(workdir: Path, name: str, load, items, scale: int, n_members: int,
           audited: bool) -> tuple[float, float]:
    """(wall, cpu) seconds of one load into a fresh database, checked afterwards."""
    store = _fresh(workdir, name)
    gc.collect()
    cpu0 = time.process_time()
    with timer() as wall:
        load(store, items)
    cpu = time.process_time() - cpu0
    _check(store, scale, n_members, audited=audited)
    store.close()
    return wall[0], cpu


def run(scale: int, workdir: Path, repeat: int = REPEAT) -> list[Result]:
    """Generate ``scale`` households once, then time both loads on fresh databases, alternating,
    ``repeat`` times each; the best time of each counts (other processes only ever add time)."""
    workdir.mkdir(parents=True, exist_ok=True)
    items = list(iter_households(scale, seed=1))
    n_members = sum(len(m) for _, m in items)
    raw: list[tuple[float, float]] = []
    app: list[tuple[float, float]] = []
    for _ in range(repeat):
        raw.append(_timed(workdir, "load-raw.sqlite", load_raw, items, scale, n_members, False))
        app.append(_timed(workdir, "load-storage.sqlite", load_storage, items, scale, n_members, True))
    for old in workdir.glob("load-*.sqlite*"):
        old.unlink()
    raw_wall, raw_cpu = min(w for w, _ in raw), min(c for _, c in raw)
    app_wall, app_cpu = min(w for w, _ in app), min(c for _, c in app)
    ratio = app_wall / raw_wall
    rows = scale + n_members
    return [Result(
        name="storage.load_households",
        baseline_s=raw_wall, measured_s=app_wall, target=f"≤ {TARGET_RATIO:g}× raw",
        ok=ratio <= TARGET_RATIO,
        note=(f"{scale:,} households + {n_members:,} members, one transaction; storage also writes "
              f"{rows:,} audit entries, {rows:,} change rows, {scale:,} FTS rows; "
              f"{rows / app_wall:,.0f} rows/s; CPU-time ratio {app_cpu / raw_cpu:.2f}×; "
              f"best of {repeat}"))]
