"""Plan tracker benchmark: dashboard + objectives vs the bare SQL aggregates they need.

At scale 1.0: 100,000 households (~300,000 members), 200,000 support actions, 20,000 household
events, one plan over 16 units. The services' own SQL is captured with a trace callback and then
run bare (``conn.execute(sql).fetchall()``); the requirement (issue 5) is services ≤ 3× bare.

    python -m bench.bench_plan [scale]      # prints the results
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cannngheo_desktop.storage import open_db, plan_measures, repo, support
from cannngheo_desktop.storage.db import Store

try:  # the shared bench harness (bench/common.py) when it is there
    from bench.common import Result  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - stand-in until bench/common.py exists
    @dataclass
    class Result:  # type: ignore[no-redef]
        name: str
        seconds: float
        limit: float | None = None
        ok: bool = True
        note: str = ""

LIMIT_RATIO = 3.0
AS_OF = date(2023, 9, 30)
UNITS = [f"9{i:04d}" for i in range(16)]
WATER = ["piped", "drilled_well", "rain", "surface", "unprotected_dug_well", None]
LATRINE = ["septic", "semi_septic", "pour_flush", "simple_pit", "none", None]
MEASURES = ["bhyt", "vay_von", "nha_o", "nuoc_sach", "hoc_nghe", "viec_lam", "tro_cap", "thiet_bi"]


def _households(n: int, rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    households, members = [], []
    for i in range(n):
        hid = f"hh{i:07d}"
        category = rng.choices(["near_poor", "poor", "not_poor"], [0.5, 0.05, 0.45])[0]
        households.append({
            "id": hid, "unit_code": UNITS[i % len(UNITS)], "household_code": hid, "category": category,
            "water_source": rng.choice(WATER), "latrine": rng.choice(LATRINE),
            "devices": rng.choice([["tv"], [], ["phone", "radio"], None]), "floor_area_m2": rng.randint(10, 90),
            "wall_durable": rng.choice([0, 1, 1, None]), "frame_durable": rng.choice([0, 1, 1]),
            "roof_durable": rng.choice([0, 1, 1, None]), "is_merit": int(rng.random() < 0.03),
            "able_to_exit": rng.choice([0, 1, None]), "member_count": 3, "head_name": f"Hộ {i}"})
        for k in range(3):
            members.append({
                "id": f"{hid}m{k}", "household_id": hid, "unit_code": households[-1]["unit_code"],
                "full_name": f"Người {i}-{k}", "birth_date": f"{rng.randint(1950, 2020)}-0{rng.randint(1, 9)}-15",
                "has_health_insurance": rng.choice([0, 1, 1, None]), "in_school": rng.choice([0, 1, None]),
                "wants_job_support": rng.choice([0, 1, None]), "got_job_support": rng.choice([0, 1, None]),
                "got_job": rng.choice([0, 1, None]), "status": "present"})
    return households, members


def build(workdir: Path, scale: float, seed: int = 7) -> Path:
    """A database with the plan tracker's full-size load (written through the audited repo)."""
    rng = random.Random(seed)
    path = Path(workdir) / f"bench_plan_{scale:g}.sqlite"
    if path.exists():
        return path
    n = max(int(100_000 * scale), len(UNITS))
    with open_db(path, user="bench") as store:
        repo.insert_many(store, "units", [
            {"id": f"{c}@2020-01-01", "code": c, "name": f"Xã {c}", "kind": "commune", "area": "rural",
             "valid_from": "2020-01-01", "unit_code": "01"} for c in UNITS])
        households, members = _households(n, rng)
        with store.transaction():
            repo.insert_many(store, "households", households)
            repo.insert_many(store, "members", members)
            repo.insert_many(store, "support_measures", [
                {"code": c, "name": c, "unit_code": "01"} for c in MEASURES])
            repo.insert_many(store, "support_actions", [
                {"household_id": f"hh{rng.randrange(n):07d}", "unit_code": UNITS[0],
                 "measure_code": rng.choice(MEASURES), "planned_date": f"2023-{rng.randint(1, 12):02d}-10",
                 "status": rng.choice(["planned", "in_progress", "cancelled"]), "amount": rng.randint(0, 9) * 10**6}
                for _ in range(int(200_000 * scale))])
            repo.insert_many(store, "household_events", [
                {"household_id": f"hh{rng.randrange(n):07d}", "unit_code": UNITS[0],
                 "kind": rng.choice(["exited_near_poverty", "became_near_poor", "near_poor_to_poor",
                                     "moved_in", "poor_to_near_poor"]),
                 "event_date": f"{rng.choice([2022, 2023])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
                for _ in range(int(20_000 * scale))])
            plan = repo.insert(store, "plans", {"unit_code": "01", "year": 2023, "doc_no": "90/KH-UBND"})
            repo.insert_many(store, "plan_units", [
                {"unit_code": "01", "plan_id": plan["id"], "target_unit_code": c, "sort_order": i,
                 "baseline_near_poor": n // 32, "target_reduction": n // 200, "to_zero": int(i < 2)}
                for i, c in enumerate(UNITS)])
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


def run(scale: float = 1.0, workdir: Path | str = ".", repeat: int = 3) -> list[Result]:
    """Time the dashboard and the objectives against their bare aggregate SQL."""
    path = build(Path(workdir), scale)
    results = []
    with open_db(path, user="bench") as store:
        plan_id = plan_measures.resolve_plan(store, year=2023)
        jobs: dict[str, Callable[[], Any]] = {
            "plan.dashboard": lambda: plan_measures.progress(store, plan_id, AS_OF),
            "plan.objectives": lambda: plan_measures.measure_objectives(store, plan_id, AS_OF),
            "plan.flags": lambda: (support.overdue_actions(store, AS_OF, limit=200),
                                   support.households_able_to_exit_without_action(store, 2023, limit=200)),
        }
        for name, job in jobs.items():
            statements = _capture(store, job)
            bare = _best(lambda st=statements: [store.conn.execute(s).fetchall() for s in st], repeat)
            full = _best(job, repeat)
            ratio = full / bare if bare else 0.0
            results.append(Result(name=name, seconds=round(full, 4), limit=round(bare * LIMIT_RATIO, 4),
                                  ok=ratio <= LIMIT_RATIO,
                                  note=f"bare SQL {bare:.4f}s × {ratio:.2f} ({len(statements)} queries)"))
    return results


if __name__ == "__main__":  # pragma: no cover
    import tempfile

    size = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp())
    for r in run(size, folder):
        print(r)
