"""Read-only aggregate queries behind the reports (``cannngheo_desktop.documents.catalogue``).

Each function is one or a few statements that count in SQL (GROUP BY) or stream rows in
keyset-paged chunks, so the reports stay fast at 100,000 households. Only active, not deleted
households are counted unless said otherwise. ``unit_code`` None means every unit.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from ..storage import repo
from ..storage.db import Store

CHUNK = 2000
_ACTIVE = "h.deleted = 0 AND h.status = 'active'"


def _unit_clause(unit_code: str | None, params: dict[str, Any]) -> str:
    if unit_code is None:
        return ""
    params["unit"] = unit_code
    return " AND h.unit_code = :unit"


def latest_results(store: Store, ruleset_code: str, unit_code: str | None = None) -> list[dict[str, Any]]:
    """The newest assessment under ``ruleset_code`` of every active household:
    ``[{household_id, unit_code, category, results}]`` (results = per-indicator verdicts)."""
    params: dict[str, Any] = {"rs": ruleset_code}
    rows = store.query(
        "SELECT h.id AS household_id, h.unit_code, a.category, a.results FROM households h "
        "JOIN assessments a ON a.id = (SELECT a2.id FROM assessments a2 WHERE a2.household_id = h.id "
        " AND a2.ruleset_code = :rs AND a2.deleted = 0 ORDER BY a2.assessed_on DESC, a2.updated_at DESC LIMIT 1) "
        f"WHERE {_ACTIVE}{_unit_clause(unit_code, params)}", params)
    out = []
    for r in rows:
        row = repo.decode_row("assessments", {"results": r["results"]}) or {}
        out.append({"household_id": r["household_id"], "unit_code": r["unit_code"],
                    "category": r["category"], "results": row.get("results") or []})
    return out


def categories_at(store: Store, day: date, unit_code: str | None = None) -> dict[str, dict[str, int]]:
    """Households per unit and category on ``day``: the category set by each household's latest
    event (``to_category``) dated on or before ``day``. ``{unit_code: {category: count}}``."""
    params: dict[str, Any] = {"day": day.isoformat()}
    rows = store.query(
        "SELECT h.unit_code, e.to_category, COUNT(*) FROM households h "
        "JOIN household_events e ON e.id = (SELECT e2.id FROM household_events e2 WHERE e2.household_id = h.id "
        " AND e2.deleted = 0 AND e2.to_category IS NOT NULL AND e2.event_date <= :day "
        " ORDER BY e2.event_date DESC, e2.updated_at DESC LIMIT 1) "
        f"WHERE h.deleted = 0{_unit_clause(unit_code, params)} GROUP BY 1, 2", params)
    out: dict[str, dict[str, int]] = {}
    for unit, category, count in rows:
        out.setdefault(unit, {})[category] = int(count)
    return out


def event_counts(store: Store, start: date, end: date, unit_code: str | None = None) -> dict[str, dict[str, int]]:
    """Distinct households per unit and event kind with an event between ``start`` and ``end``
    (inclusive): ``{unit_code: {kind: households}}``."""
    params: dict[str, Any] = {"start": start.isoformat(), "end": end.isoformat()}
    rows = store.query(
        "SELECT h.unit_code, e.kind, COUNT(DISTINCT e.household_id) FROM household_events e "
        "JOIN households h ON h.id = e.household_id "
        f"WHERE e.deleted = 0 AND h.deleted = 0 AND e.event_date BETWEEN :start AND :end"
        f"{_unit_clause(unit_code, params)} GROUP BY 1, 2", params)
    out: dict[str, dict[str, int]] = {}
    for unit, kind, count in rows:
        out.setdefault(unit, {})[kind] = int(count)
    return out


def group_rows(store: Store, unit_code: str | None = None) -> list[dict[str, Any]]:
    """Per active household: category, causes (JSON text), merit / no labour capacity / ethnic
    minority flags — the input of the "households by group" report."""
    params: dict[str, Any] = {}
    rows = store.query(
        "SELECT h.category, h.causes, h.is_merit, h.no_labour_capacity, h.is_ethnic_minority "
        f"FROM households h WHERE {_ACTIVE}{_unit_clause(unit_code, params)}", params)
    return [dict(r) for r in rows]


def child_rows(store: Store, born_after: date, unit_code: str | None = None) -> list[dict[str, Any]]:
    """Present members born after ``born_after`` (children) of active households, with the
    household's category, birth date, health insurance, malnutrition and school attendance."""
    params: dict[str, Any] = {"born": born_after.isoformat()}
    rows = store.query(
        "SELECT h.category, m.birth_date, m.has_health_insurance, m.malnourished, m.in_school "
        "FROM members m JOIN households h ON h.id = m.household_id "
        f"WHERE m.deleted = 0 AND m.status = 'present' AND m.birth_date > :born AND {_ACTIVE}"
        f"{_unit_clause(unit_code, params)}", params)
    return [dict(r) for r in rows]


def support_totals(store: Store, year: int | None, unit_code: str | None, by: str) -> list[dict[str, Any]]:
    """Support actions grouped ``by`` 'measure' or 'body' (year: planned or done that year):
    ``[{code, name, count, done, amount}]``, amount = VND of done actions; cancelled ones left out."""
    params: dict[str, Any] = {}
    where = "a.deleted = 0 AND a.status <> 'cancelled'" + _unit_clause(unit_code, params)
    if year is not None:
        params.update({"ys": f"{year:04d}-01-01", "ye": f"{year:04d}-12-31"})
        where += " AND ((a.planned_date BETWEEN :ys AND :ye) OR (a.done_date BETWEEN :ys AND :ye))"
    if by == "measure":
        key, name = "a.measure_code", "(SELECT sm.name FROM support_measures sm WHERE sm.code = a.measure_code)"
    else:
        key = "COALESCE(a.body_code, (SELECT sm.body_code FROM support_measures sm WHERE sm.code = a.measure_code))"
        name = f"(SELECT b.name FROM bodies b WHERE b.code = {key})"
    rows = store.query(
        f"SELECT {key} AS code, {name} AS name, COUNT(*) AS count, "
        "SUM(a.status = 'done') AS done, SUM(CASE WHEN a.status = 'done' THEN a.amount END) AS amount "
        f"FROM support_actions a JOIN households h ON h.id = a.household_id WHERE {where} "
        "GROUP BY 1 ORDER BY 2, 1", params)
    return [{"code": r["code"], "name": r["name"], "count": int(r["count"]), "done": int(r["done"] or 0),
             "amount": int(r["amount"] or 0)} for r in rows]


def _where_list(unit_code: str | None, category: str | None, village: str | None,
                params: dict[str, Any]) -> str:
    where = _ACTIVE + _unit_clause(unit_code, params)
    if category == "poor_or_near_poor":  # context.POOR_OR_NEAR_POOR: exactly the two categories
        where += " AND h.category IN ('poor', 'near_poor')"
    elif category is not None:
        where += " AND h.category = :cat"
        params["cat"] = category
    if village is not None:
        where += " AND h.village = :village"
        params["village"] = village
    return where


def count_list(store: Store, *, unit_code: str | None = None, category: str | None = None,
               village: str | None = None) -> int:
    """How many households :func:`iter_list` yields."""
    params: dict[str, Any] = {}
    return int(store.scalar(f"SELECT COUNT(*) FROM households h WHERE "
                            f"{_where_list(unit_code, category, village, params)}", params) or 0)


def list_ids(store: Store, *, unit_code: str | None = None, category: str | None = None,
             village: str | None = None) -> list[str]:
    """Ids of the listed households in list order (unit, village, household code)."""
    params: dict[str, Any] = {}
    return [r[0] for r in store.query(
        f"SELECT h.id FROM households h WHERE {_where_list(unit_code, category, village, params)} "
        "ORDER BY h.unit_code, h.village, h.household_code, h.id", params)]


def iter_list(store: Store, *, unit_code: str | None = None, category: str | None = None,
              village: str | None = None, ids: list[str] | None = None, chunk: int = CHUNK
              ) -> Iterator[list[tuple[dict[str, Any], list[dict[str, Any]]]]]:
    """(household, present members) in chunks, ordered by unit, village and household code (or
    exactly ``ids`` in their order): the ordered ids are read once, then two statements per
    chunk, so memory stays flat at 100,000 households."""
    if ids is None:
        ids = list_ids(store, unit_code=unit_code, category=category, village=village)
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        marks = ", ".join("?" * len(part))
        cur = store.conn.execute(f"SELECT * FROM households WHERE id IN ({marks})", part)
        names = [d[0] for d in cur.description]
        rows = {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
        members: dict[str, list[dict[str, Any]]] = {i: [] for i in rows}
        cur = store.conn.execute(
            f"SELECT * FROM members WHERE deleted = 0 AND status = 'present' AND household_id IN ({marks}) "
            "ORDER BY household_id, sort_order, full_name", part)
        mnames = [d[0] for d in cur.description]
        for r in cur.fetchall():
            m = dict(zip(mnames, r, strict=True))
            members[m["household_id"]].append(m)
        yield [(rows[i], members[i]) for i in part if i in rows]


def most_used_ruleset(store: Store) -> str | None:
    """The ruleset code of most live assessments (the default of the deprivation report)."""
    return store.scalar("SELECT ruleset_code FROM assessments WHERE deleted = 0 GROUP BY ruleset_code "
                        "ORDER BY COUNT(*) DESC, ruleset_code LIMIT 1")


def find_household_id(store: Store, key: str) -> str | None:
    """A household id from its id or its household code (not deleted)."""
    return store.scalar("SELECT id FROM households WHERE deleted = 0 AND (id = :k OR household_code = :k) "
                        "ORDER BY id = :k DESC LIMIT 1", {"k": key})


def audit_summary(store: Store, household_id: str) -> dict[str, Any]:
    """How often the household's record (household row and members) was changed, and when last:
    ``{changes, last_at, last_user}`` (changes = distinct audited writes)."""
    row = store.query_one(
        "SELECT COUNT(DISTINCT a.at || a.table_name || a.row_id), MAX(a.at) FROM audit_log a "
        "WHERE (a.table_name = 'households' AND a.row_id = :id) OR (a.table_name = 'members' AND a.row_id IN "
        "(SELECT id FROM members WHERE household_id = :id))", {"id": household_id})
    last_user = store.scalar(
        "SELECT user FROM audit_log WHERE table_name = 'households' AND row_id = :id ORDER BY id DESC LIMIT 1",
        {"id": household_id})
    return {"changes": int(row[0] or 0) if row else 0, "last_at": row[1] if row else None, "last_user": last_user}
