"""Households and members: writes that keep the head name, member count and search index in step."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..core.text import fold, name_sort_key
from . import repo
from .db import Store
from .household_search import search_ids  # noqa: F401 - the pickers call households.search_ids

SEARCH_HOUSEHOLD_FIELDS = ("household_code", "village", "address", "head_name")
SEARCH_MEMBER_FIELDS = ("full_name", "cccd")


def household_search_text(household: Mapping[str, Any], members: Iterable[Mapping[str, Any]]) -> str:
    """Folded text the FTS index holds for one household: head, members, IDs, address, code."""
    parts = [str(household.get(f) or "") for f in SEARCH_HOUSEHOLD_FIELDS]
    for m in members:
        parts.extend(str(m.get(f) or "") for f in SEARCH_MEMBER_FIELDS)
    return fold(" ".join(parts))


def _head_name(members: Sequence[Mapping[str, Any]]) -> str | None:
    for m in members:
        if m.get("relation") == "head" and not m.get("deleted"):
            return m.get("full_name")
    return None


def _live(members: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [m for m in members if not m.get("deleted") and (m.get("status") or "present") == "present"]


def add_households(store: Store, items: Iterable[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]]
                   ) -> list[str]:
    """Insert households with their members in ONE transaction (bulk path for imports and demo).

    ``items`` yields ``(household, members)``; ids are generated when absent. Returns the ids.
    """
    households: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    for household, hh_members in items:
        hh = dict(household)
        if "id" not in hh:  # not setdefault: a uuid4 per row costs even when the id is given
            hh["id"] = repo.new_id()
        live = _live(hh_members)
        hh.setdefault("head_name", _head_name(hh_members))
        hh["head_sort"] = name_sort_key(hh["head_name"])
        hh["member_count"] = len(live)
        # Same text as household_search_text(), folded piece by piece so that each member's
        # name is folded once (fold of the joined text == the folded pieces joined).
        search = [fold(str(hh.get(f) or "")) for f in SEARCH_HOUSEHOLD_FIELDS]
        for order, m in enumerate(hh_members):
            mm = dict(m)
            if "id" not in mm:
                mm["id"] = repo.new_id()
            mm["household_id"] = hh["id"]
            mm.setdefault("unit_code", hh["unit_code"])
            mm.setdefault("sort_order", order)
            mm["search_key"] = fold(mm.get("full_name"))
            search.append(mm["search_key"])
            search.append(fold(str(mm.get("cccd") or "")))
            members.append(mm)
        hh["search_key"] = " ".join(part for part in search if part)
        households.append(hh)
    with store.transaction():  # household_fts follows search_key through triggers
        repo.insert_many(store, "households", households)
        repo.insert_many(store, "members", members)
    return [h["id"] for h in households]


def add_household(store: Store, household: Mapping[str, Any],
                  members: Sequence[Mapping[str, Any]] = ()) -> str:
    return add_households(store, [(household, members)])[0]


def get_household(store: Store, household_id: str) -> dict[str, Any] | None:
    return repo.get(store, "households", household_id)


def get_members(store: Store, household_id: str, *, include_deleted: bool = False) -> list[dict[str, Any]]:
    sql = "SELECT * FROM members WHERE household_id = ?"
    if not include_deleted:
        sql += " AND deleted = 0"
    rows = store.query(sql + " ORDER BY sort_order, full_name", (household_id,))
    return [dict(r) for r in rows]


def refresh_derived(store: Store, household_id: str,
                    extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Apply ``extra`` household changes and recompute head name, member count and the search
    index, as ONE row update (one version, one change-log row)."""
    with store.transaction():
        hh = repo.require(store, "households", household_id)
        members = get_members(store, household_id)
        live = _live(members)
        head = _head_name(members)
        changes = {**(extra or {}), "head_name": head, "head_sort": name_sort_key(head),
                   "member_count": len(live)}
        merged = {**hh, **changes}
        changes["search_key"] = household_search_text(merged, members)
        return repo.update(store, "households", household_id, changes)


def update_household(store: Store, household_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    return refresh_derived(store, household_id, changes)


def add_member(store: Store, household_id: str, member: Mapping[str, Any]) -> str:
    with store.transaction():
        hh = repo.require(store, "households", household_id)
        data = dict(member)
        data["household_id"] = household_id
        data.setdefault("unit_code", hh["unit_code"])
        data["search_key"] = fold(data.get("full_name"))
        row = repo.insert(store, "members", data)
        refresh_derived(store, household_id)
        return row["id"]


def update_member(store: Store, member_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    with store.transaction():
        data = dict(changes)
        if "full_name" in data:
            data["search_key"] = fold(data["full_name"])
        row = repo.update(store, "members", member_id, data)
        refresh_derived(store, row["household_id"])
        return row


def remove_member(store: Store, member_id: str) -> None:
    """Soft-delete a member entered by mistake (a member who died or left gets a status instead)."""
    with store.transaction():
        row = repo.soft_delete(store, "members", member_id)
        refresh_derived(store, row["household_id"])
