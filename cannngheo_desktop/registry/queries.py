"""Read side of the household registry: the paged, filtered, sorted list; one household's
detail, events and history; duplicate candidates and remembered "not a duplicate" decisions.

Everything is filtered and sorted in SQL (one statement per page, the FTS match joined in as a
subquery), so the list stays fast at 100,000 households. Writes go through ``repo``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..storage import assessments, repo
from ..storage import household_search as search
from ..storage.db import Store
from ..storage.driver import sqlite3

# Columns of the list, in display order (the GUI model uses these names and labels).
LIST_COLUMNS = ("household_code", "head_name", "village", "unit_name", "category", "member_count",
                "deprivation_count", "able_to_exit", "is_merit", "updated_at")
LIST_LABELS = {
    "household_code": "Mã hộ",
    "head_name": "Chủ hộ",
    "village": "Thôn/Tổ",
    "unit_name": "Đơn vị",
    "category": "Phân loại",
    "member_count": "Số nhân khẩu",
    "deprivation_count": "Số chỉ số thiếu hụt",
    "able_to_exit": "Khả năng thoát",
    "is_merit": "Người có công",
    "updated_at": "Cập nhật",
}

# A unit code can be re-used after the 2025 reform: prefer the row still valid, then the newest.
_UNIT_NAME = ("(SELECT u.name FROM units u WHERE u.code = h.unit_code AND u.deleted = 0 "
              "ORDER BY u.valid_to IS NOT NULL, u.valid_from DESC LIMIT 1)")
_LATEST_ASSESSMENT = ("(SELECT a.id FROM assessments a WHERE a.household_id = h.id AND a.deleted = 0 "
                      "ORDER BY a.assessed_on DESC, a.updated_at DESC LIMIT 1)")

# The sort whitelist: column name → SQL expression (never user text in ORDER BY).
SORT_EXPRESSIONS = {
    "household_code": "h.household_code",
    "head_name": "h.head_sort",  # given name first, tones folded (migration 0005)
    "village": "h.village",
    "unit_name": _UNIT_NAME,
    "category": "h.category",
    "member_count": "h.member_count",
    "deprivation_count": "h.deprivation_count",
    "able_to_exit": "h.able_to_exit",
    "is_merit": "h.is_merit",
    "updated_at": "h.updated_at",
}

# Not a column: best match first (storage.household_search: the head of household before other
# members, a name equal to what was typed before one starting with it). The registry tab uses it
# while a search is typed and no column was clicked; the pickers always. The list's own sortable
# columns stay the whitelist.
RELEVANCE = "relevance"

OPEN_ACTION_STATUSES = ("planned", "in_progress")
# Above this many households found, a page walks the sort index and tests each household against the
# hits (stopping after a page) instead of sorting every hit; best-first order then falls back to the
# head-name order: words that common rank nothing ("nguyen": ~80% of households).
BROAD_SEARCH_HITS = 2000
REVIEW_AFTER_MONTHS = 12


@dataclass
class ListQuery:
    """What the list shows: the search box, the filters and the sort (None = no filter)."""

    search: str = ""
    unit_code: str | None = None
    village: str | None = None
    category: str | None = None
    able_to_exit: bool | None = None
    is_merit: bool | None = None
    deprived_indicator: str | None = None
    has_open_actions: bool | None = None
    needs_review: bool | None = None
    include_removed: bool = False
    sort: str = "head_name"  # a SORT_EXPRESSIONS key, or RELEVANCE (pickers: best match first)
    descending: bool = False
    today: date | None = None  # for "needs review" (assessment older than 12 months)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _bool_filter(clauses: list[str], expr: str, value: bool | None) -> None:
    if value is True:
        clauses.append(f"{expr}")
    elif value is False:
        clauses.append(f"NOT {expr}")


_last_hits: dict[str, Any] = {}


def _broad(store: Store, q: ListQuery) -> bool:
    """True when the search finds more than BROAD_SEARCH_HITS households (count and page of one
    keystroke ask once: the answer is kept until the connection writes anything)."""
    if not search.terms(q.search):
        return False
    key = (id(store.conn), q.search, store.conn.total_changes)
    if _last_hits.get("key") != key:
        _last_hits.update(key=key, hits=search.count_matches(store, q.search))
    return int(_last_hits["hits"]) > BROAD_SEARCH_HITS


def _where(q: ListQuery, *, counting: bool = False, ranked: bool = False,
           broad: bool = False) -> tuple[str, dict[str, Any]]:
    """WHERE of a list statement; ``ranked``: the search's ranked hits are joined in already."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if not q.include_removed:
        # Counting with no indexed filter reads the small households_live index; otherwise the
        # unary + keeps the planner on the sort index (pages) or the filter's own index.
        live_index = counting and not (q.unit_code or q.village or q.category)
        plus = "" if live_index else "+"
        clauses.append(f"{plus}h.deleted = 0 AND {plus}h.status = 'active'")
    terms = search.terms(q.search)
    if terms:
        params.update(terms.params())
        if not ranked:  # "+h.rowid": walk the sort index, test each household (see _broad)
            clauses.append(search.filter_sql(terms, "+h.rowid" if broad else "h.rowid"))
    if q.unit_code:
        clauses.append("h.unit_code = :unit_code")
        params["unit_code"] = q.unit_code
    if q.village:
        clauses.append("h.village = :village")
        params["village"] = q.village
    if q.category == "undetermined":
        clauses.append("(h.category IS NULL OR h.category = 'undetermined')")
    elif q.category:
        # a unit is far more selective than a category: keep the planner on the unit's index
        clauses.append(f"{'+' if q.unit_code else ''}h.category = :category")
        params["category"] = q.category
    if q.able_to_exit is not None:
        clauses.append("h.able_to_exit = :able_to_exit")
        params["able_to_exit"] = int(q.able_to_exit)
    if q.is_merit is not None:
        clauses.append("h.is_merit = :is_merit")
        params["is_merit"] = int(q.is_merit)
    if q.deprived_indicator:
        clauses.append(
            "EXISTS (SELECT 1 FROM assessments a, json_each(a.results) j "
            f"WHERE a.id = {_LATEST_ASSESSMENT} AND json_extract(j.value, '$.code') = :indicator "
            "AND (json_extract(j.value, '$.status') = 'deprived' OR json_extract(j.value, '$.deprived') = 1))")
        params["indicator"] = q.deprived_indicator
    _bool_filter(clauses, "EXISTS (SELECT 1 FROM support_actions s WHERE s.household_id = h.id "
                 "AND s.deleted = 0 AND s.status IN ('planned', 'in_progress'))", q.has_open_actions)
    if q.needs_review is not None:
        params["review_cutoff"] = _year_before(q.today or date.today()).isoformat()
        _bool_filter(clauses, (
            "(h.category IS NULL OR h.category = 'undetermined' OR NOT EXISTS "
            "(SELECT 1 FROM assessments a WHERE a.household_id = h.id AND a.deleted = 0) OR "
            "(SELECT max(a.assessed_on) FROM assessments a WHERE a.household_id = h.id AND a.deleted = 0)"
            " < :review_cutoff)"), q.needs_review)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _unit_rank(store: Store) -> str:
    """Sorting by unit name: a CASE over the few unit codes ranked by name, instead of a
    subquery per household (0.15 s → a plain sort at 100,000 households)."""
    names: dict[str, str] = {}
    for r in store.query("SELECT code, name FROM units WHERE deleted = 0 "
                         "ORDER BY valid_to IS NOT NULL DESC, valid_from"):
        names[r["code"]] = r["name"]  # the last row wins: the one still valid, else the newest
    ranked = sorted(names, key=lambda code: (names[code], code))
    if not ranked:
        return "NULL"
    whens = " ".join(f"WHEN {_sql_text(code)} THEN {i}" for i, code in enumerate(ranked))
    return f"(CASE h.unit_code {whens} END)"


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _relevance(q: ListQuery, store: Store) -> bool:
    return q.sort == RELEVANCE and bool(search.terms(q.search)) and not _broad(store, q)


def _from_where(store: Store, q: ListQuery) -> tuple[str, dict[str, Any]]:
    """FROM and WHERE of a list statement; relevance order joins the ranked hits for their tier."""
    if _relevance(q, store):
        where, params = _where(q, ranked=True)
        ranked = search.ranked_sql(search.terms(q.search))
        return f" FROM ({ranked}) r JOIN households h ON h.rowid = r.hrow{where}", params
    where, params = _where(q, broad=_broad(store, q))
    return f" FROM households h{where}", params


def _order_by(q: ListQuery, store: Store) -> str:
    if q.sort == RELEVANCE:
        if _relevance(q, store):
            return f" ORDER BY {search.rank_order()}"
        q = ListQuery(sort="head_name")  # nothing typed, or too common words: by head name
    expr = SORT_EXPRESSIONS.get(q.sort)
    if expr is None:
        raise ValueError(f"cannot sort by {q.sort!r}; one of {sorted(SORT_EXPRESSIONS)}")
    if q.sort == "unit_name":
        expr = _unit_rank(store)
    direction = "DESC" if q.descending else "ASC"
    return f" ORDER BY {expr} {direction}, h.id {direction}"


def count_households(store: Store, q: ListQuery) -> int:
    """How many households match the query (the count shown above the list)."""
    where, params = _where(q, counting=True)
    return int(store.scalar(f"SELECT count(*) FROM households h{where}", params) or 0)


def fetch_page(store: Store, q: ListQuery, offset: int, limit: int) -> list[dict[str, Any]]:
    """One page of the list, sorted and filtered in SQL, as dicts with LIST_COLUMNS plus
    ``id``, ``unit_code``, ``status`` and ``deleted``; with a search also ``matched_name`` and
    ``matched_relation``: the member the search found (None when nothing was typed)."""
    from_where, params = _from_where(store, q)
    params = {**params, "limit": int(limit), "offset": int(offset)}
    sql = ("SELECT h.id, h.household_code, h.head_name, h.village, h.unit_code, "
           f"{_UNIT_NAME} AS unit_name, h.category, h.member_count, h.deprivation_count, "
           "h.able_to_exit, h.is_merit, h.updated_at, h.status, h.deleted"
           f"{from_where}{_order_by(q, store)} LIMIT :limit OFFSET :offset")
    rows = [dict(r) for r in store.query(sql, params)]
    found = search.matched_members(store, q.search, [r["id"] for r in rows]) if q.search else {}
    for row in rows:
        hit = found.get(row["id"]) or {}
        row["matched_name"], row["matched_relation"] = hit.get("full_name"), hit.get("relation")
    return rows


def fetch_ids(store: Store, q: ListQuery) -> list[str]:
    """Every matching household id in list order (exports walk these in batches)."""
    from_where, params = _from_where(store, q)
    return [r[0] for r in store.query(f"SELECT h.id{from_where}{_order_by(q, store)}", params)]


def rebuild_search_index(store: Store) -> None:
    """Rebuild the search indexes from their tables (after a VACUUM, which may renumber the rowids
    they are keyed on, or if ``check_search_index`` fails)."""
    with store.transaction() as conn:
        conn.execute("INSERT INTO household_fts(household_fts) VALUES ('rebuild')")
        search.rebuild(store)


def check_search_index(store: Store) -> bool:
    """True when every search index matches its table."""
    try:
        for index in search.SEARCH_INDEXES:
            store.conn.execute(f"INSERT INTO {index}({index}, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError:
        return False
    return True


def list_villages(store: Store, unit_code: str | None = None) -> list[str]:
    """Distinct villages of live households (the village filter's choices)."""
    sql = "SELECT DISTINCT village FROM households WHERE deleted = 0 AND village IS NOT NULL AND village != ''"
    params: tuple = ()
    if unit_code:
        sql += " AND unit_code = ?"
        params = (unit_code,)
    return [r[0] for r in store.query(sql + " ORDER BY village", params)]


# --- one household ------------------------------------------------------------------------------
def latest_assessment(store: Store, household_id: str) -> dict[str, Any] | None:
    """The household's newest assessment (any ruleset), JSON columns decoded, every indicator
    with its reason (rebuilt for bulk-saved ones: see assessments.with_reasons)."""
    return assessments.latest_assessment(store, household_id)


def list_events(store: Store, household_id: str) -> list[dict[str, Any]]:
    """Events of a household (exit, moved, member died…), newest first."""
    rows = store.query("SELECT * FROM household_events WHERE household_id = ? AND deleted = 0 "
                       "ORDER BY event_date DESC, updated_at DESC", (household_id,))
    return [dict(r) for r in rows]


def household_detail(store: Store, household_id: str) -> dict[str, Any] | None:
    """Everything the editor opens with: household, members, unit, latest assessment, events."""
    household = repo.get(store, "households", household_id)
    if household is None:
        return None
    members = [dict(r) for r in store.query(
        "SELECT * FROM members WHERE household_id = ? AND deleted = 0 ORDER BY sort_order, full_name",
        (household_id,))]
    unit = store.query_one(
        "SELECT * FROM units WHERE code = ? AND deleted = 0 ORDER BY valid_to IS NOT NULL, valid_from DESC "
        "LIMIT 1", (household["unit_code"],))
    return {"household": household, "members": members, "unit": dict(unit) if unit else None,
            "latest_assessment": latest_assessment(store, household_id),
            "events": list_events(store, household_id)}


def household_history(store: Store, household_id: str) -> list[dict[str, Any]]:
    """Audit entries of the household row and of its members, newest first; member entries
    carry ``member_name`` so the history view can say whose field changed."""
    rows = store.query(
        "SELECT a.id, a.at, a.user, a.table_name, a.row_id, a.action, a.field, a.before, a.after, "
        "m.full_name AS member_name FROM audit_log a "
        "LEFT JOIN members m ON a.table_name = 'members' AND m.id = a.row_id "
        "WHERE (a.table_name = 'households' AND a.row_id = :id) OR (a.table_name = 'members' AND a.row_id IN "
        "(SELECT id FROM members WHERE household_id = :id)) OR (a.table_name = 'household_events' AND "
        "a.row_id IN (SELECT id FROM household_events WHERE household_id = :id)) ORDER BY a.id DESC",
        {"id": household_id})
    return [dict(r) for r in rows]




def households_with_members(store: Store, ids: Sequence[str], *, present_only: bool = True
                            ) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(household, members) for the given ids, in the given order (exports read in batches of
    a few hundred ids). Members are the live ones (``present_only``: also not died/left)."""
    out: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        marks = ", ".join("?" for _ in chunk)
        rows: dict[str, dict[str, Any]] = {
            r["id"]: dict(r) for r in store.query(f"SELECT * FROM households WHERE id IN ({marks})", tuple(chunk))}
        for row in rows.values():
            row.update(repo.decode_row("households", row) or {})
        status = " AND status = 'present'" if present_only else ""
        members: dict[str, list[dict[str, Any]]] = {}
        for m in store.query(f"SELECT * FROM members WHERE household_id IN ({marks}) AND deleted = 0{status} "
                             "ORDER BY household_id, sort_order, full_name", tuple(chunk)):
            members.setdefault(m["household_id"], []).append(dict(m))
        out.extend((rows[i], members.get(i, [])) for i in chunk if rows.get(i) is not None)
    return out
