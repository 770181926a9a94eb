"""Aggregate SQL behind the plan tracker: objective measurements and the progress dashboard.

Every figure is one GROUP BY / aggregate query over the registry (no Python loops over rows), so
the dashboard stays quick at 100,000 households. The rules that turn counts into values and
statuses are pure and live in ``plan/objectives.py`` and ``plan/progress.py``.

The population of a plan is the active, non-deleted households whose ``unit_code`` is one of the
plan's units (``plan_units.target_unit_code``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ..core.errors import NotFoundError, ValidationError
from ..core.model import NEAR_POOR, POOR
from ..storage.db import Store
from . import milestones as ms
from . import objectives as obj
from . import progress as prog

_PLAN_HH = ("h.deleted = 0 AND h.status = 'active' AND h.unit_code IN "
            "(SELECT target_unit_code FROM plan_units WHERE plan_id = :plan AND deleted = 0)")


def _in(prefix: str, values: tuple[str, ...] | frozenset[str]) -> tuple[str, dict[str, str]]:
    """'(:p0, :p1…)' and its parameters, for IN lists of codes."""
    names = {f"{prefix}{i}": v for i, v in enumerate(sorted(values))}
    return "(" + ", ".join(f":{n}" for n in names) + ")", names


# --- plans ---------------------------------------------------------------------------------------
def require_plan(store: Store, plan_id: str) -> dict[str, Any]:
    row = store.query_one("SELECT * FROM plans WHERE id = ? AND deleted = 0", (plan_id,))
    if row is None:
        raise NotFoundError(f"Không tìm thấy kế hoạch mã '{plan_id}'.")
    return dict(row)


def plan_ids_for_year(store: Store, year: int) -> list[str]:
    """Plans of ``year`` (the installation's own unit first)."""
    rows = store.query(
        "SELECT p.id FROM plans p LEFT JOIN installation i ON i.id = 1 WHERE p.year = ? AND p.deleted = 0 "
        "ORDER BY (p.unit_code = i.unit_code) DESC, p.updated_at DESC", (year,))
    return [r[0] for r in rows]


def resolve_plan(store: Store, plan_id: str | None = None, year: int | None = None) -> str:
    """A plan id from an explicit id, or from a year when exactly one plan (or one of this
    installation's unit) exists for it."""
    if plan_id:
        return str(require_plan(store, plan_id)["id"])
    if year is None:
        raise ValidationError("Hãy chọn kế hoạch (mã kế hoạch hoặc năm).", field="plan")
    ids = plan_ids_for_year(store, year)
    if not ids:
        raise NotFoundError(f"Chưa có kế hoạch nào cho năm {year}. Hãy tạo kế hoạch trước.")
    return ids[0]


def plan_unit_rows(store: Store, plan_id: str) -> list[dict[str, Any]]:
    """The plan's unit rows with the unit's name as valid at the plan's baseline date (GSO codes
    were re-used after 1/7/2025, so the newest unit with a code may be another commune)."""
    plan = require_plan(store, plan_id)
    day = plan.get("baseline_date") or f"{int(plan['year']):04d}-01-01"
    rows = store.query(
        "SELECT pu.*, (SELECT u.name FROM units u WHERE u.code = pu.target_unit_code AND u.deleted = 0 "
        "  ORDER BY (COALESCE(u.valid_from, '') <= :day AND COALESCE(u.valid_to, '9999') >= :day) DESC, "
        "  COALESCE(u.valid_from, '') DESC LIMIT 1) AS unit_name "
        "FROM plan_units pu WHERE pu.plan_id = :plan AND pu.deleted = 0 ORDER BY pu.sort_order, pu.target_unit_code",
        {"plan": plan_id, "day": day})
    return [dict(r) for r in rows]


# --- progress ------------------------------------------------------------------------------------
def _event_window(year: int, as_of: date) -> dict[str, str]:
    start, end = prog.year_bounds(year)
    return {"start": start.isoformat(), "end": min(end, as_of).isoformat()}


def event_counts(store: Store, plan_id: str, year: int, as_of: date) -> dict[str, dict[str, int]]:
    """Per unit: distinct households that exited / became near-poor / fell to poor in the plan
    year up to ``as_of``, and the near-poor households in the registry now."""
    ex, p1 = _in("x", prog.EXIT_KINDS)
    nw, p2 = _in("n", prog.NEW_KINDS)
    tp, p3 = _in("t", prog.TO_POOR_KINDS)
    every, p4 = _in("a", (*prog.EXIT_KINDS, *prog.NEW_KINDS, *prog.TO_POOR_KINDS))
    params = {"plan": plan_id, **_event_window(year, as_of), **p1, **p2, **p3, **p4}
    out: dict[str, dict[str, int]] = {}
    for r in store.query(
            "SELECT h.unit_code, "
            f" COUNT(DISTINCT CASE WHEN e.kind IN {ex} THEN e.household_id END), "
            f" COUNT(DISTINCT CASE WHEN e.kind IN {nw} THEN e.household_id END), "
            f" COUNT(DISTINCT CASE WHEN e.kind IN {tp} THEN e.household_id END) "
            "FROM household_events e JOIN households h ON h.id = e.household_id "
            "WHERE e.deleted = 0 AND e.event_date BETWEEN :start AND :end "
            f"AND e.kind IN {every} AND {_PLAN_HH} GROUP BY h.unit_code", params):
        out[r[0]] = {"exited": r[1], "new": r[2], "to_poor": r[3], "current": 0}
    for r in store.query(
            f"SELECT h.unit_code, COUNT(*) FROM households h WHERE {_PLAN_HH} AND h.category = :cat "
            "GROUP BY h.unit_code", {"plan": plan_id, "cat": NEAR_POOR}):
        out.setdefault(r[0], {"exited": 0, "new": 0, "to_poor": 0, "current": 0})["current"] = r[1]
    return out


def exits_by_month(store: Store, plan_id: str, year: int, as_of: date) -> dict[int, int]:
    """Households exiting in each month of the plan year (first exit of each household)."""
    ex, p1 = _in("x", prog.EXIT_KINDS)
    rows = store.query(
        "SELECT CAST(substr(first_exit, 6, 2) AS INTEGER), COUNT(*) FROM ("
        " SELECT MIN(e.event_date) AS first_exit FROM household_events e "
        " JOIN households h ON h.id = e.household_id "
        f" WHERE e.deleted = 0 AND e.kind IN {ex} AND e.event_date BETWEEN :start AND :end AND {_PLAN_HH} "
        " GROUP BY e.household_id) GROUP BY 1",
        {"plan": plan_id, **_event_window(year, as_of), **p1})
    return {int(r[0]): int(r[1]) for r in rows}


def progress(store: Store, plan_id: str, as_of: date) -> prog.Progress:
    """The progress dashboard of a plan at ``as_of`` (units, totals row, monthly curve)."""
    plan = require_plan(store, plan_id)
    year = int(plan["year"])
    return prog.build_progress(plan_id, year, as_of, plan_unit_rows(store, plan_id),
                               event_counts(store, plan_id, year, as_of),
                               exits_by_month(store, plan_id, year, as_of))


_BEHIND_COLUMNS = ("h.id, h.unit_code, h.household_code, h.head_name, h.village, h.address, "
                   "h.category, h.able_to_exit, h.member_count")


def households_behind(store: Store, plan_id: str, unit_code: str | None, metric: str,
                      as_of: date | None = None, *, limit: int = 5000) -> list[dict[str, Any]]:
    """The households behind a dashboard number (click-through). ``unit_code`` None or '' means
    every unit of the plan (the totals row). ``metric`` is a key of ``progress.METRICS``."""
    if metric not in prog.METRICS:
        raise ValidationError(f"Không có số liệu '{metric}' (chọn: {', '.join(prog.METRICS)}).",
                              field="metric")
    plan = require_plan(store, plan_id)
    year = int(plan["year"])
    as_of = as_of or date.today()
    params: dict[str, Any] = {"plan": plan_id, "unit": unit_code or None, "limit": limit,
                              **_event_window(year, as_of)}
    unit_filter = "(:unit IS NULL OR h.unit_code = :unit)"
    if metric in ("exited", "new", "to_poor"):
        kinds = {"exited": prog.EXIT_KINDS, "new": prog.NEW_KINDS, "to_poor": prog.TO_POOR_KINDS}[metric]
        inlist, p = _in("k", kinds)
        params.update(p)
        sql = (f"SELECT {_BEHIND_COLUMNS}, MIN(e.event_date) AS event_date FROM household_events e "
               "JOIN households h ON h.id = e.household_id "
               f"WHERE e.deleted = 0 AND e.kind IN {inlist} AND e.event_date BETWEEN :start AND :end "
               f"AND {_PLAN_HH} AND {unit_filter} GROUP BY h.id ORDER BY h.unit_code, event_date, h.head_name")
    elif metric == "current":
        params["cat"] = NEAR_POOR
        sql = (f"SELECT {_BEHIND_COLUMNS}, NULL AS event_date FROM households h "
               f"WHERE {_PLAN_HH} AND {unit_filter} AND h.category = :cat ORDER BY h.unit_code, h.head_sort")
    else:
        from .support import able_without_action_sql

        where, p = able_without_action_sql(year)
        params.update(p)
        sql = (f"SELECT {_BEHIND_COLUMNS}, NULL AS event_date FROM households h "
               f"WHERE {_PLAN_HH} AND {unit_filter} AND {where} ORDER BY h.unit_code, h.head_sort")
    return [dict(r) for r in store.query(sql + " LIMIT :limit", params)]


# --- objectives ----------------------------------------------------------------------------------
def current_ruleset_definition(store: Store, on: date) -> Any | None:
    """The definition of the ruleset valid on ``on`` that defines the water indicator (national
    first); None when the database has none. Read-only: rulesets are written by storage.rulesets."""
    rows = store.query(
        "SELECT definition FROM rulesets WHERE deleted = 0 AND (valid_from IS NULL OR valid_from <= :d) "
        "AND (valid_to IS NULL OR valid_to >= :d) ORDER BY (scope = 'national') DESC, valid_from DESC",
        {"d": on.isoformat()})
    for r in rows:
        try:
            definition = json.loads(r[0])
        except (TypeError, ValueError):
            continue
        if obj.safe_set_from_ruleset(definition, "water_source", ()) is not None:
            return definition
    return None


def household_counts(store: Store, plan_id: str, on: date) -> dict[str, obj.Counts]:
    """Household-level facts of the plan's near-poor households, in one aggregate query."""
    water, latrine, _ = obj.good_sets(current_ruleset_definition(store, on))
    w_in, pw = _in("w", water)
    l_in, pl = _in("l", latrine)
    parts = ("h.wall_durable", "h.frame_durable", "h.roof_durable")
    durable_bad = "(" + " + ".join(f"IFNULL({p} = 0, 0)" for p in parts) + ")"
    durable_open = "(" + " + ".join(f"({p} IS NULL)" for p in parts) + ")"
    small = "(h.floor_area_m2 IS NOT NULL AND h.member_count > 0 AND h.floor_area_m2 < :area * h.member_count)"
    big = "(h.floor_area_m2 IS NOT NULL AND h.member_count > 0 AND h.floor_area_m2 >= :area * h.member_count)"
    difficult = f"({durable_bad} >= :parts OR {small})"
    fine = f"({durable_bad} + {durable_open} < :parts AND {big})"
    r = store.query_one(
        "SELECT COUNT(*) AS n, "
        "SUM(h.is_merit = 1), "
        f"SUM(h.water_source IN {w_in}), SUM(h.water_source IS NULL), "
        f"SUM(h.latrine IN {l_in}), SUM(h.latrine IS NULL), "
        "SUM(json_array_length(h.devices) > 0), SUM(h.devices IS NULL), "
        f"SUM({difficult}), SUM(NOT {difficult} AND NOT {fine}) "
        f"FROM households h WHERE {_PLAN_HH} AND h.category = :cat",
        {"plan": plan_id, "cat": NEAR_POOR, "area": obj.MIN_AREA_PER_PERSON_M2,
         "parts": obj.NON_DURABLE_PARTS_MIN, **pw, **pl})
    v = [int(x or 0) for x in r] if r is not None else [0] * 10
    n = v[0]
    return {
        "merit_near_poor": obj.Counts(v[1], n),
        "safe_water": obj.Counts(v[2], n - v[3], v[3]),
        "hygienic_latrine": obj.Counts(v[4], n - v[5], v[5]),
        "information_device": obj.Counts(v[6], n - v[7], v[7]),
        "housing_difficulty": obj.Counts(v[8], n - v[9], v[9]),
    }


def member_counts(store: Store, plan_id: str, on: date) -> dict[str, obj.Counts]:
    """Member-level facts of the plan's near-poor households, in one aggregate query."""
    low, high = obj.age_window(on)
    child = "(m.birth_date > :low AND m.birth_date <= :high)"
    r = store.query_one(
        "SELECT SUM(m.has_health_insurance = 1), SUM(m.has_health_insurance IS NOT NULL), "
        "SUM(m.has_health_insurance IS NULL), "
        f"SUM({child} AND m.in_school = 1), SUM({child} AND m.in_school IS NOT NULL), "
        f"SUM({child} AND m.in_school IS NULL), "
        "SUM(m.wants_job_support = 1 AND m.got_job_support = 1), "
        "SUM(m.wants_job_support = 1 AND m.got_job_support IS NOT NULL), "
        "SUM(m.wants_job_support = 1 AND m.got_job_support IS NULL), "
        "SUM(m.wants_job_support = 1 AND m.got_job = 1), SUM(m.wants_job_support = 1 AND m.got_job IS NOT NULL), "
        "SUM(m.wants_job_support = 1 AND m.got_job IS NULL) "
        "FROM members m JOIN households h ON h.id = m.household_id "
        f"WHERE m.deleted = 0 AND m.status = 'present' AND {_PLAN_HH} AND h.category = :cat",
        {"plan": plan_id, "cat": NEAR_POOR, "low": low, "high": high})
    v = [int(x or 0) for x in r] if r is not None else [0] * 12
    return {
        "health_insurance_members": obj.Counts(v[0], v[1], v[2]),
        "children_in_school": obj.Counts(v[3], v[4], v[5]),
        "job_support": obj.Counts(v[6], v[7], v[8]),
        "job_placed": obj.Counts(v[9], v[10], v[11]),
    }


def plan_counts(store: Store, plan_id: str) -> tuple[dict[str, obj.Counts], dict[str, float]]:
    """Facts measured against the plan itself: poor households, near-poor vs the end-of-year
    target, and the "to zero" units. Returns (counts, computed targets)."""
    r = store.query_one(
        "SELECT SUM(h.category = :poor), SUM(h.category = :near) FROM households h WHERE " + _PLAN_HH,
        {"plan": plan_id, "poor": POOR, "near": NEAR_POOR})
    poor, near = (int(x or 0) for x in r) if r is not None else (0, 0)
    t = store.query_one(
        "SELECT SUM(baseline_near_poor) - SUM(COALESCE(target_reduction, 0)), SUM(to_zero = 1), "
        "SUM(to_zero = 1 AND NOT EXISTS (SELECT 1 FROM households h WHERE h.unit_code = pu.target_unit_code "
        "  AND h.deleted = 0 AND h.status = 'active' AND h.category = :near)) "
        "FROM plan_units pu WHERE pu.plan_id = :plan AND pu.deleted = 0", {"plan": plan_id, "near": NEAR_POOR})
    end_target, zero_units, zero_done = (t[0], int(t[1] or 0), int(t[2] or 0)) if t else (None, 0, 0)
    counts = {"poor_households": obj.Counts(poor), "near_poor_vs_target": obj.Counts(near),
              "to_zero_units": obj.Counts(zero_done, zero_units)}
    targets = {"to_zero_units": float(zero_units)}
    if end_target is not None:
        targets["near_poor_vs_target"] = float(max(end_target, 0))
    return counts, targets


def all_counts(store: Store, plan_id: str, on: date) -> tuple[dict[str, obj.Counts], dict[str, float]]:
    """Counts of every catalogue fact for a plan (four aggregate queries)."""
    counts, targets = plan_counts(store, plan_id)
    counts.update(household_counts(store, plan_id, on))
    counts.update(member_counts(store, plan_id, on))
    return counts, targets


def measure_objectives(store: Store, plan_id: str, on: date | None = None, *,
                       catalogue_if_empty: bool = True) -> list[obj.Measurement]:
    """The plan's objectives (plan_objectives rows) with live values and statuses. A plan with
    no objectives yet gets the whole catalogue with its default targets (``catalogue_if_empty``)."""
    require_plan(store, plan_id)
    on = on or date.today()
    rows = [dict(r) for r in store.query(
        "SELECT * FROM plan_objectives WHERE plan_id = ? AND deleted = 0 ORDER BY sort_order, label",
        (plan_id,))]
    if not rows and catalogue_if_empty:
        rows = obj.default_objectives()
    counts, targets = all_counts(store, plan_id, on)
    out = []
    for row in rows:
        fact = obj.CATALOGUE.get(row["kind"])
        if fact is None:
            out.append(obj.unmeasurable(row["kind"], row.get("label") or row["kind"], row.get("id")))
            continue
        target = row.get("target_value")
        if target is None:
            target = targets.get(fact.code)
        # A row stored with a unit of measure other than the fact's was saved with generic
        # defaults (">=", "%"): the fact's own comparison applies, else "0 poor households" would
        # read as "at least 0".
        comparison = row.get("comparison") if row.get("measure_unit") == fact.measure_unit else None
        out.append(obj.measure(fact, counts[fact.code], target=target, comparison=comparison,
                               label=row.get("label"), objective_id=row.get("id")))
    return out


# --- milestones ----------------------------------------------------------------------------------
def open_milestones(store: Store, plan_id: str | None = None) -> list[dict[str, Any]]:
    """Open milestones (of one plan, or of every plan), earliest due first."""
    rows = store.query(
        "SELECT * FROM milestones WHERE deleted = 0 AND status = 'open' AND (:plan IS NULL OR plan_id = :plan) "
        "ORDER BY due_date", {"plan": plan_id})
    return [dict(r) for r in rows]


def overdue_milestones(store: Store, today: date, plan_id: str | None = None) -> list[dict[str, Any]]:
    return [dict(m) for m in ms.overdue(open_milestones(store, plan_id), today)]


def startup_overdue_text(store: Store, today: date) -> str:
    """'3 việc quá hạn' for the status bar at start-up ('' when nothing is overdue)."""
    return ms.overdue_text(len(overdue_milestones(store, today)))
