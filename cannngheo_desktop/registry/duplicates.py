"""Possible duplicates: a live member of another household with the same ID number, or the same
name and birth date, as a member typed here; and the pairs a cadre has decided are not duplicates.
One household at a time (the editor) or many at once (imports: two indexed queries in all)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..core.text import fold
from ..storage import repo
from ..storage.db import Store

# fold() is pure and imports fold the same names several times (file checks, duplicates).
folded = lru_cache(maxsize=131_072)(fold)


@dataclass(frozen=True)
class Duplicate:
    """A live member of another household that looks like one of ours."""

    kind: str  # "cccd" or "name_birth_village"
    member_index: int  # index in the members given to find_duplicates
    household_id: str  # the other household
    member_id: str
    full_name: str
    household_code: str | None
    message: str


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _decided_pairs(store: Store, ids: Sequence[str]) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for start in range(0, len(ids), 400):
        chunk = list(ids[start:start + 400])
        marks = ", ".join("?" for _ in chunk)
        rows = store.query(
            "SELECT household_a, household_b FROM duplicate_decisions WHERE deleted = 0 AND "
            f"decision = 'not_duplicate' AND (household_a IN ({marks}) OR household_b IN ({marks}))",
            (*chunk, *chunk))
        pairs.update(_pair(r[0], r[1]) for r in rows)
    return pairs


def _lookup(store: Store, table: str, keys: Iterable[tuple[str, ...]], join: str, width: int) -> list[Any]:
    """Members matching a set of keys, through a temp table so the index does the work."""
    store.conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    cols = ", ".join(f"k{i + 1} TEXT" for i in range(width))
    store.conn.execute(f"CREATE TEMP TABLE {table} ({cols})")
    store.conn.executemany(f"INSERT INTO temp.{table} VALUES ({', '.join('?' * width)})", list(keys))
    try:
        return store.query(
            "SELECT DISTINCT m.id, m.household_id, m.full_name, m.cccd, m.search_key, m.birth_date, "
            f"h.household_code, h.village FROM temp.{table} k JOIN members m ON {join} "
            "JOIN households h ON h.id = m.household_id WHERE m.deleted = 0 AND h.deleted = 0")
    finally:
        store.conn.execute(f"DROP TABLE IF EXISTS temp.{table}")


def find_duplicates_many(store: Store, items: Sequence[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]],
                         *, exclude_ids: Sequence[str | None] | None = None) -> list[list[Duplicate]]:
    """``find_duplicates`` for many households at once (imports): two indexed queries in all."""
    exclude = list(exclude_ids) if exclude_ids is not None else [None] * len(items)
    own_ids = [(ex or hh.get("id") or None) for (hh, _), ex in zip(items, exclude, strict=True)]
    cccds = {str(m["cccd"]) for _, ms in items for m in ms if m.get("cccd")}
    names = {(folded(m.get("full_name")), str(m["birth_date"])) for _, ms in items for m in ms
             if m.get("full_name") and m.get("birth_date")}
    by_cccd: dict[str, list[Any]] = {}
    for r in _lookup(store, "_dup_cccd", ((c,) for c in cccds), "m.cccd = k.k1", 1) if cccds else []:
        by_cccd.setdefault(r["cccd"], []).append(r)
    by_name: dict[tuple[str, str], list[Any]] = {}
    if names:
        for r in _lookup(store, "_dup_name", names, "m.search_key = k.k1 AND m.birth_date = k.k2", 2):
            by_name.setdefault((r["search_key"], r["birth_date"]), []).append(r)
    decided = _decided_pairs(store, [i for i in own_ids if i])
    results: list[list[Duplicate]] = []
    for (household, members), own in zip(items, own_ids, strict=True):
        found: list[Duplicate] = []
        village = folded(household.get("village"))
        for index, m in enumerate(members):
            seen: set[str] = set()
            for r in by_cccd.get(str(m.get("cccd") or ""), []):
                if _keep(r, own, decided, seen):
                    found.append(_dup("cccd", index, r, f"Số CCCD {m['cccd']} đã có ở {_where_text(r)}."))
            key = (folded(m.get("full_name")), str(m.get("birth_date") or ""))
            for r in by_name.get(key, []):
                if folded(r["village"]) == village and _keep(r, own, decided, seen):
                    found.append(_dup("name_birth_village", index, r,
                                      f"{r['full_name']}, cùng ngày sinh và thôn/tổ, đã có ở {_where_text(r)}."))
        results.append(found)
    return results


def _keep(row: Any, own: str | None, decided: set[tuple[str, str]], seen: set[str]) -> bool:
    if row["household_id"] == own or row["id"] in seen:
        return False
    if own and _pair(own, row["household_id"]) in decided:
        return False
    seen.add(row["id"])
    return True


def _where_text(row: Any) -> str:
    code = f"mã hộ {row['household_code']}" if row["household_code"] else "một hộ khác"
    return f"{code} (thành viên {row['full_name']})"


def _dup(kind: str, index: int, row: Any, message: str) -> Duplicate:
    return Duplicate(kind, index, row["household_id"], row["id"], row["full_name"], row["household_code"],
                     message)


def find_duplicates(store: Store, household: Mapping[str, Any], members: Sequence[Mapping[str, Any]], *,
                    exclude_id: str | None = None) -> list[Duplicate]:
    """Likely duplicates of a household being saved: the same CCCD on a live member of another
    household, or the same folded name + birth date + village. Pairs marked "not a duplicate"
    are skipped. ``exclude_id`` (default: ``household['id']``) is the household itself."""
    return find_duplicates_many(store, [(household, members)], exclude_ids=[exclude_id])[0]


def is_not_duplicate(store: Store, a_id: str, b_id: str) -> bool:
    """True when someone recorded that these two households are different."""
    a, b = _pair(a_id, b_id)
    return store.scalar("SELECT 1 FROM duplicate_decisions WHERE household_a = ? AND household_b = ? "
                        "AND deleted = 0 AND decision = 'not_duplicate'", (a, b)) is not None


def mark_not_duplicate(store: Store, a_id: str, b_id: str) -> str:
    """Remember that two households are not duplicates (audited, travels in bundles); idempotent.
    Returns the decision's id."""
    a, b = _pair(a_id, b_id)
    with store.transaction():
        existing = store.scalar("SELECT id FROM duplicate_decisions WHERE household_a = ? AND household_b = ? "
                                "AND deleted = 0", (a, b))
        if existing:
            return str(existing)
        owner = repo.require(store, "households", a_id)["unit_code"]
        row = repo.insert(store, "duplicate_decisions",
                          {"household_a": a, "household_b": b, "decision": "not_duplicate", "unit_code": owner})
        return str(row["id"])


def cccd_conflicts(store: Store, members: Sequence[Mapping[str, Any]], *,
                   exclude_id: str | None = None) -> list[Duplicate]:
    """Live members of OTHER households holding a CCCD typed here. Unlike find_duplicates this
    ignores "not a duplicate" decisions: one number is one person, so a second household with it
    needs a recorded reason (registry.editing.save_household). Households merged as duplicates
    are not counted."""
    wanted = {str(m.get("cccd")).strip(): i for i, m in reversed(list(enumerate(members)))
              if m.get("cccd") and not m.get("deleted")}
    found: list[Duplicate] = []
    if not wanted:
        return found
    for r in _lookup(store, "_cccd_conflict", ((c,) for c in wanted), "m.cccd = k.k1", 1):
        if r["household_id"] == exclude_id:
            continue
        if store.scalar("SELECT status FROM households WHERE id = ?", (r["household_id"],)) == "merged":
            continue
        found.append(_dup("cccd", wanted[r["cccd"]], r, f"Số CCCD {r['cccd']} đã có ở {_where_text(r)}."))
    return found
