"""Plan tracker benchmark: dashboard + objectives vs the bare SQL aggregates they need.

At scale 100,000: the shared dataset's households and members, 200,000 support actions, 20,000
household events, one 2023 plan over every unit. The services' own SQL is captured with a trace callback and then
run bare (``conn.execute(sql).fetchall()``); the requirement (issue 5) is services ≤ 3× bare.

    python -m bench.bench_plan [scale]      # prints the results
"""

from __future__ import annotations

import random
import shutil
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from cannngheo_desktop.plan import support, tracker_queries
from cannngheo_desktop.storage import open_db, repo
from cannngheo_desktop.storage.db import Store

from .common import Result, make_dataset

LIMIT_RATIO = 3.0
AS_OF = date(2023, 9, 30)
MEASURES = ["bhyt", "vay_von", "nha_o", "nuoc_sach", "hoc_nghe", "viec_lam", "tro_cap", "thiet_bi"]
EVENT_KINDS = ["exited_near_poverty", "became_near_poor", "near_poor_to_poor", "moved_in", "poor_to_near_poor"]


def build(workdir: Path, households: int, seed: int = 7) -> Path:
    """The shared dataset (``make_dataset``) plus a 2023 plan over its units, 2 support actions
    and 0.2 household events per household — all written through the audited repository."""
    path = Path(workdir) / f"plan-{households}-{seed}.sqlite"
    if path.exists():
        return path
    base = make_dataset(Path(workdir), households)
    building = path.with_suffix(".building")
    shutil.copyfile(base, building)
    rng = random.Random(seed)
    with open_db(building, user="bench") as store:
        ids = [r[0] for r in store.query("SELECT id FROM households ORDER BY id")]
        units = [r[0] for r in store.query("SELECT DISTINCT unit_code FROM households ORDER BY 1")]
        with store.transaction():
            repo.insert_many(store, "support_measures", [
                {"code": c, "name": c, "unit_code": "01"} for c in MEASURES])
            repo.insert_many(store, "support_actions", [
                {"household_id": rng.choice(ids), "unit_code": units[0], "measure_code": rng.choice(MEASURES),
                 "planned_date": f"2023-{rng.randint(1, 12):02d}-10",
                 "status": rng.choice(["planned", "in_progress", "cancelled"]), "amount": rng.randint(0, 9) * 10**6}
                for _ in range(2 * households)])
            repo.insert_many(store, "household_events", [
                {"household_id": rng.choice(ids), "unit_code": units[0], "kind": rng.choice(EVENT_KINDS),
                 "event_date": f"{rng.choice([2022, 2023])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
                for _ in range(households // 5)])
            plan = repo.insert(store, "plans", {"unit_code": "01", "year": 2023, "doc_no": "90/KH-UBND"})
            per_unit = households // max(len(units), 1)
            repo.insert_many(store, "plan_units", [
                {"unit_code": "01", "plan_id": plan["id"], "target_unit_code": c, "sort_order": i,
                 "baseline_near_poor": per_unit // 2, "target_reduction": per_unit // 13, "to_zero": int(i < 2)}
                for i, c in enumerate(units)])
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    building.replace(path)
    return path


def _best(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _capture(store: Store, fn: Callable[[], Any]) -> list[str]:
    """The SQL statements ``fn`` runs (parameters expanded), for the bare baseline."""
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        fn()
    finally:
        store.conn.set_trace_callback(None)
    return [s for s in seen if s.lstrip().upper().startswith("SELECT")]


def run(scale: int = 100_000, workdir: Path | str = ".", repeat: int = 3) -> list[Result]:
    """Time the dashboard, objectives and flags of a plan over ``scale`` households (and
    2 × scale support actions) against their bare aggregate SQL."""
    path = build(Path(workdir), scale)
    results = []
    with open_db(path, user="bench") as store:
        plan_id = tracker_queries.resolve_plan(store, year=2023)
        jobs: dict[str, Callable[[], Any]] = {
            "plan.dashboard": lambda: tracker_queries.progress(store, plan_id, AS_OF),
            "plan.objectives": lambda: tracker_queries.measure_objectives(store, plan_id, AS_OF),
            "plan.flags": lambda: (support.overdue_actions(store, AS_OF, limit=200),
                                   support.households_able_to_exit_without_action(store, 2023, limit=200)),
        }
        for name, job in jobs.items():
            statements = _capture(store, job)
            bare = _best(lambda st=statements: [store.conn.execute(s).fetchall() for s in st], repeat)
            full = _best(job, repeat)
            ratio = full / bare if bare else 0.0
            results.append(Result(name=name, baseline_s=bare, measured_s=full, target=f"≤ {LIMIT_RATIO:g}× bare SQL",
                                  ok=ratio <= LIMIT_RATIO,
                                  note=f"{scale:,} households, {2 * scale:,} support actions; "
                                       f"{len(statements)} aggregate queries; ×{ratio:.2f}"))
    return results


if __name__ == "__main__":  # pragma: no cover
    import tempfile

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp())
    for r in run(size, folder):
        print(r)
