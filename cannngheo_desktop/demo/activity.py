"""The demo's year in progress: support given and households that left near-poverty in 2023.

Without it the demo shows the plan on 1 January 2023, and every commune reads "chậm" because
nobody has exited yet. With it the plan tracker, the support list and the reports show a year
a district officer would recognise: most communes near or over target, a few behind, some
support still planned and some of it late. Deterministic from the seed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from ..plan import support
from ..storage import repo
from ..storage.db import Store

# Share of each commune's target reached by 31/12/2023, drawn per commune from these.
ACHIEVEMENT = (0.6, 0.8, 1.0, 1.0, 1.2)
MEASURES = (
    ("vay_von_nhcsxh", "nhcsxh", 50_000_000, "Vay NHCSXH"),
    ("dao_tao_nghe", "ldtbxh", 3_000_000, "Ngân sách huyện"),
    ("ket_noi_viec_lam", "ldtbxh", None, "Ngân sách huyện"),
    ("giong_vat_tu", "kinhte", 5_000_000, "Ngân sách xã"),
    ("nha_dai_doan_ket", "mttq", 60_000_000, "Quỹ vì người nghèo"),
)
DECISION = "{n}/QĐ-UBND"


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def add_year_in_progress(store: Store, plan_units: list[dict[str, Any]], *, seed: int) -> dict[str, int]:
    """Support actions for every household able to exit, and exits for part of them.

    ``plan_units``: rows with target_unit_code and target_reduction. Runs inside the caller's
    transaction; every write goes through the audited repositories.
    """
    rng = random.Random(seed * 7 + 1)
    counts = {"actions": 0, "exits": 0}
    for unit in plan_units:
        code, target = unit["target_unit_code"], int(unit["target_reduction"] or 0)
        able = [dict(r) for r in store.query(
            "SELECT id, unit_code FROM households WHERE unit_code = ? AND able_to_exit = 1 "
            "AND category = 'near_poor' AND deleted = 0 ORDER BY household_code", (code,))]
        if not able:
            continue
        share = rng.choice(ACHIEVEMENT)
        exits = min(len(able), round(target * share))
        for index, household in enumerate(able):
            leaves = index < exits
            counts["actions"] += _support(store, rng, household["id"], leaves)
            if leaves:
                _exit(store, rng, household, index + 1)
                counts["exits"] += 1
    return counts


def _support(store: Store, rng: random.Random, household_id: str, leaves: bool) -> int:
    chosen = rng.sample(MEASURES, 2 if leaves else rng.choice((1, 2)))
    for measure, body, amount, funding in chosen:
        planned = _day(rng, date(2023, 3, 15), date(2023, 8, 31))
        done = leaves or rng.random() < 0.3
        fields: dict[str, Any] = {"body_code": body, "planned_date": planned, "funding_source": funding,
                                  "status": "done" if done else rng.choice(("planned", "in_progress"))}
        if amount is not None:
            fields["amount"] = amount
        if done:
            fields["done_date"] = min(planned + timedelta(days=rng.randrange(0, 45)), date(2023, 10, 31))
        support.add_action(store, household_id, measure, **fields)
    return len(chosen)


def _exit(store: Store, rng: random.Random, household: dict[str, Any], number: int) -> None:
    when = _day(rng, date(2023, 6, 1), date(2023, 12, 15))
    repo.insert(store, "household_events", {
        "unit_code": household["unit_code"], "household_id": household["id"], "kind": "exited_near_poverty",
        "event_date": when.isoformat(), "decision_no": DECISION.format(n=100 + number),
        "from_category": "near_poor", "to_category": "not_poor",
        "note": "Thu nhập tăng nhờ vay vốn, việc làm; đủ điều kiện thoát cận nghèo"})
    repo.update(store, "households", household["id"], {
        "category": "not_poor", "category_since": when.isoformat(), "exit_date": when.isoformat()})
