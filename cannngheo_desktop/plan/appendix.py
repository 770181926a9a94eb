"""The plan's appendix table ("Biểu kế hoạch giảm hộ cận nghèo") as on the customer's document:
one row per unit (baseline, households, rate, target) and a total row, names as valid at the
plan's baseline date."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..storage.db import Store
from ..storage.reference import get_unit, short_unit_name
from .allocation import rate_percent
from .plans import plan_units, require_plan


def _total_label(store: Store, plan: Mapping[str, Any]) -> str:
    unit = get_unit(store, plan["unit_code"], plan.get("baseline_date"))
    kind = unit["kind"] if unit else None
    return {"district": "Toàn huyện", "province": "Toàn thành phố", "commune": "Toàn xã",
            "ward": "Toàn phường", "town": "Toàn thị trấn"}.get(kind or "", "Tổng cộng")


def plan_table(store: Store, plan_id: str) -> list[dict[str, Any]]:
    """The plan appendix ("Biểu kế hoạch giảm hộ cận nghèo"): one row per unit — tt, unit_code,
    unit_name (short, as on the document), baseline_near_poor, total_households, rate (% with 2
    decimals = baseline/total×100), target_reduction, to_zero, baseline_typed — then a total row
    (``is_total`` True, tt None) whose rate is computed from the sums."""
    plan = require_plan(store, plan_id)
    on = plan.get("baseline_date")
    rows: list[dict[str, Any]] = []
    for tt, u in enumerate(plan_units(store, plan_id), start=1):
        unit = get_unit(store, u["target_unit_code"], on) or get_unit(store, u["target_unit_code"])
        rows.append({
            "tt": tt, "is_total": False, "unit_code": u["target_unit_code"],
            "unit_name": short_unit_name(unit["name"]) if unit else u["target_unit_code"],
            "baseline_near_poor": u["baseline_near_poor"], "total_households": u["total_households"],
            "rate": rate_percent(u["baseline_near_poor"], u["total_households"]),
            "target_reduction": u["target_reduction"], "to_zero": bool(u["to_zero"]),
            "baseline_typed": bool(u["baseline_typed"])})

    def total(field: str) -> int | None:
        values = [r[field] for r in rows]
        return None if not values or any(v is None for v in values) else sum(values)

    base, households = total("baseline_near_poor"), total("total_households")
    rows.append({"tt": None, "is_total": True, "unit_code": plan["unit_code"],
                 "unit_name": _total_label(store, plan), "baseline_near_poor": base,
                 "total_households": households, "rate": rate_percent(base, households),
                 "target_reduction": total("target_reduction"),
                 "to_zero": False, "baseline_typed": any(r["baseline_typed"] for r in rows)})
    return rows
