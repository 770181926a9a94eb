"""Search per person (issue 17.1): the ONE implementation behind the registry list, its Excel export
(window and ``cannngheo export-excel --search``) and every household picker.

What matches:

- a name: every word typed must be in the SAME member's name (tone marks and đ folded, the last
  word as a prefix: the user may still be typing it) — "nguyen van" no longer finds a household
  of a Nguyễn Thị and a Trần Văn (index ``member_fts``, migration 0010);
- a part of at least 4 characters of a household code or of a member's CCCD (trigram indexes
  ``household_code_fts`` and ``member_cccd_fts``).

The indexes are contentless and their rowid names the household and the member (see migration
0010), so a keystroke never reads the members table for the whole hit list: counting and filtering
work on ``rowid >> 24`` alone; only the shown page's members are read. Best first: a household
whose head was found before one found through another member, then the head's name equal to the
text, starting with it, the rest (by head name).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..core.text import MAX_SEARCH_CHARS, fold, fts_query, ident_query
from .db import Store

SHIFT = 24  # rowid >> SHIFT is the household's rowid
OTHER_BIT = 1 << 23  # set for a member who is not the head of household
MEMBER_MASK = OTHER_BIT - 1


@dataclass(frozen=True)
class Terms:
    """What a search text asks: a name expression (member_fts), a code/CCCD part (trigrams)."""

    names: str
    ident: str
    folded: str

    def __bool__(self) -> bool:
        return bool(self.names or self.ident)

    def params(self) -> dict[str, Any]:
        return {"s_names": self.names, "s_ident": self.ident, "s_folded": self.folded}


def terms(text: str | None) -> Terms:
    raw = (text or "")[:MAX_SEARCH_CHARS].strip()
    return Terms(names=fts_query(raw), ident=ident_query(raw), folded=fold(raw))


def hits_sql(t: Terms, rowid_test: str = "") -> str:
    """SELECT of the index rowids that match (one per member found, or household code); bind
    ``t.params()``. ``rowid_test`` (SQL on ``rowid``) narrows each index scan."""
    extra = f" AND {rowid_test}" if rowid_test else ""
    parts = []
    if t.names:
        parts.append(f"SELECT rowid FROM member_fts WHERE member_fts MATCH :s_names{extra}")
    if t.ident:
        parts.append(f"SELECT rowid FROM member_cccd_fts WHERE member_cccd_fts MATCH :s_ident{extra}")
        parts.append(f"SELECT rowid FROM household_code_fts WHERE household_code_fts MATCH :s_ident{extra}")
    return " UNION ALL ".join(parts) if parts else "SELECT NULL AS rowid WHERE 0"


def filter_sql(t: Terms, column: str = "h.rowid") -> str:
    """A WHERE clause: ``column`` (a households rowid) is a matching household."""
    return f"{column} IN (SELECT rowid >> {SHIFT} FROM ({hits_sql(t)}))"


def ranked_sql(t: Terms) -> str:
    """SELECT of (hrow, other): each matching household's rowid once; other = 0 when its head
    (or its code) was found."""
    return (f"SELECT rowid >> {SHIFT} AS hrow, min((rowid & {OTHER_BIT}) != 0) AS other "
            f"FROM ({hits_sql(t)}) GROUP BY hrow")


def rank_order(alias: str = "h", ranked: str = "r") -> str:
    """ORDER BY terms of the best-first order over ``ranked_sql`` joined to households."""
    given = f"substr({alias}.head_sort, instr({alias}.head_sort, ' ') + 1)"  # the folded full name
    return (f"{ranked}.other, CASE WHEN {given} = :s_folded THEN 0 "
            f"WHEN substr({given}, 1, length(:s_folded)) = :s_folded THEN 1 ELSE 2 END, "
            f"{alias}.head_sort, {alias}.id")


def count_matches(store: Store, text: str) -> int:
    """How many households match (any status): the raw size of a search, before filters."""
    t = terms(text)
    if not t:
        return 0
    return int(store.scalar(f"SELECT count(DISTINCT rowid >> {SHIFT}) FROM ({hits_sql(t)})", t.params()) or 0)


def _holds(t: Terms, search_key: str | None, cccd: str | None) -> bool:
    """Does this member match what member_fts / member_cccd_fts matched? The same rule on the same
    folded text (fold leaves only [0-9a-z] words, unicode61's tokens): every word but the last
    whole, the last as a prefix; the CCCD containing the typed part, case folded like the trigrams."""
    if t.names and search_key:
        tokens = search_key.split()
        words = t.folded.split()
        if all(w in tokens for w in words[:-1]) and any(tok.startswith(words[-1]) for tok in tokens):
            return True
    return bool(t.ident and cccd and t.ident.strip('"').lower() in cccd.lower())


def matched_members(store: Store, text: str, household_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """household id → {"full_name", "relation"} of the member the search found in each of these
    households (a page of the list: the indexes already chose them): the head first, then the first
    in the household's order; a household found by its code alone shows its head."""
    t = terms(text)
    ids = list(household_ids)
    if not t or not ids:
        return {}
    members: dict[str, list[Any]] = {}
    for m in store.query("SELECT household_id, full_name, relation, search_key, cccd FROM members WHERE deleted = 0 "
                         "AND household_id IN (SELECT value FROM json_each(:ids)) "
                         "ORDER BY household_id, relation != 'head', sort_order, rowid", {"ids": json.dumps(ids)}):
        members.setdefault(m["household_id"], []).append(m)
    out: dict[str, dict[str, Any]] = {}
    for hid, rows in members.items():
        hit = next((m for m in rows if _holds(t, m["search_key"], m["cccd"])), None)
        if hit is None and t.ident:  # found by the household code
            hit = next((m for m in rows if m["relation"] == "head"), None)
        if hit is not None:
            out[hid] = {"full_name": hit["full_name"], "relation": hit["relation"]}
    return out


def search_ids(store: Store, text: str, *, limit: int = 200) -> list[str]:
    """Live households matching ``text``, best first: the pickers' list."""
    t = terms(text)
    if not t:
        return []
    rows = store.query(
        f"SELECT h.id FROM ({ranked_sql(t)}) r JOIN households h ON h.rowid = r.hrow "
        f"WHERE h.deleted = 0 ORDER BY {rank_order()} LIMIT :limit", {**t.params(), "limit": int(limit)})
    return [r[0] for r in rows]


def rebuild(store: Store) -> None:
    """Refill the three indexes from members and households (inside the caller's transaction)."""
    for index in ("member_fts", "member_cccd_fts", "household_code_fts"):
        store.conn.execute(f"INSERT INTO {index}({index}) VALUES ('delete-all')")
    store.conn.execute("INSERT INTO member_fts(rowid, search_key) SELECT key, search_key FROM member_search_keys")
    store.conn.execute("INSERT INTO member_cccd_fts(rowid, cccd) SELECT key, cccd FROM member_search_keys "
                       "WHERE cccd IS NOT NULL")
    store.conn.execute("INSERT INTO household_code_fts(rowid, household_code) SELECT rowid << 24, household_code "
                       "FROM households WHERE household_code IS NOT NULL")


SEARCH_INDEXES = ("household_fts", "member_fts", "member_cccd_fts", "household_code_fts")
