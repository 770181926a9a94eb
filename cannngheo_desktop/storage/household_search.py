"""Search per person (issue 17.1): the ONE implementation behind the registry list, its Excel export
(window and ``cannngheo export-excel --search``) and every household picker.

What matches:

- a name: every word typed must be in the SAME member's name (tone marks and đ folded, the last
  word as a prefix: the user may still be typing it) — "nguyen van" no longer finds a household
  of a Nguyễn Thị and a Trần Văn (index ``member_fts``, migration 0010);
- a part of at least 4 characters of a household code or of a member's CCCD (trigram indexes
  ``household_code_fts`` and ``member_cccd_fts``).

Each hit has a tier (lower is better): the head of household before the other members, and a name
equal to the text before one starting with it before the rest. A household's best hit is the
member the list shows beside it ("matched member" and relation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..core.text import MAX_SEARCH_CHARS, fold, fts_query, ident_query
from .db import Store

# tier of a hit: + HEAD_OFFSET for a member who is not the head of household
HEAD_OFFSET = 3


@dataclass(frozen=True)
class Terms:
    """What a search text asks: a name expression (member_fts), a code/CCCD part (trigrams)."""

    names: str
    ident: str
    folded: str
    raw: str

    def __bool__(self) -> bool:
        return bool(self.names or self.ident)

    def params(self) -> dict[str, Any]:
        return {"s_names": self.names, "s_ident": self.ident, "s_folded": self.folded, "s_raw": self.raw}


def terms(text: str | None) -> Terms:
    raw = (text or "")[:MAX_SEARCH_CHARS].strip()
    return Terms(names=fts_query(raw), ident=ident_query(raw), folded=fold(raw), raw=raw.upper())


def _name_tier(member: str) -> str:
    return (f"(CASE WHEN {member}.relation = 'head' THEN 0 ELSE {HEAD_OFFSET} END + "
            f"CASE WHEN {member}.search_key = :s_folded THEN 0 "
            f"WHEN substr({member}.search_key, 1, length(:s_folded)) = :s_folded THEN 1 ELSE 2 END)")


def hits_sql(t: Terms) -> str:
    """SELECT of (hid, tier, member_id) — one row per matching member or household code. Bind
    ``t.params()``. Member hits are live members only (not soft-deleted)."""
    parts: list[str] = []
    if t.names:
        parts.append(
            f"SELECT m.household_id AS hid, {_name_tier('m')} AS tier, m.id AS member_id "
            "FROM member_fts JOIN members m ON m.rowid = member_fts.rowid "
            "WHERE member_fts MATCH :s_names AND m.deleted = 0")
    if t.ident:
        parts.append(
            f"SELECT m.household_id AS hid, (CASE WHEN m.relation = 'head' THEN 0 ELSE {HEAD_OFFSET} END + "
            "CASE WHEN upper(m.cccd) = :s_raw THEN 0 ELSE 2 END) AS tier, m.id AS member_id "
            "FROM member_cccd_fts JOIN members m ON m.rowid = member_cccd_fts.rowid "
            "WHERE member_cccd_fts MATCH :s_ident AND m.deleted = 0")
        parts.append(
            "SELECT hc.id AS hid, (CASE WHEN upper(hc.household_code) = :s_raw THEN 0 ELSE 2 END) AS tier, "
            "NULL AS member_id FROM household_code_fts JOIN households hc ON hc.rowid = household_code_fts.rowid "
            "WHERE household_code_fts MATCH :s_ident")
    if not parts:
        return "SELECT NULL AS hid, 0 AS tier, NULL AS member_id WHERE 0"
    return " UNION ALL ".join(parts)


def ranked_sql(t: Terms) -> str:
    """SELECT of (hid, tier, member_id): each matching household once, with its best hit (SQLite
    takes the bare column member_id from the row holding min(tier))."""
    return f"SELECT hid, min(tier) AS tier, member_id FROM ({hits_sql(t)}) GROUP BY hid"


def filter_sql(t: Terms, column: str = "h.id") -> str:
    """A WHERE clause: ``column`` is a matching household id."""
    return f"{column} IN (SELECT hid FROM ({hits_sql(t)}))"


def count_matches(store: Store, text: str) -> int:
    """How many households match (any status): the raw size of a search, before filters."""
    t = terms(text)
    if not t:
        return 0
    return int(store.scalar(f"SELECT count(DISTINCT hid) FROM ({hits_sql(t)})", t.params()) or 0)


def matched_members(store: Store, text: str, household_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """household id → {"member_id", "full_name", "relation", "tier"} of the best hit, for the
    given households (a page of the list). A household found by its code shows its head."""
    t = terms(text)
    ids = list(household_ids)
    if not t or not ids:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 400):
        chunk = ids[start:start + 400]
        marks = ", ".join(f":h{i}" for i in range(len(chunk)))
        params = {**t.params(), **{f"h{i}": hid for i, hid in enumerate(chunk)}}
        rows = store.query(
            f"SELECT r.hid, r.tier, coalesce(m.id, hd.id) AS member_id, coalesce(m.full_name, hd.full_name) "
            f"AS full_name, coalesce(m.relation, hd.relation) AS relation FROM ({_page_hits(t, marks)}) r "
            "LEFT JOIN members m ON m.id = r.member_id "
            "LEFT JOIN members hd ON r.member_id IS NULL AND hd.household_id = r.hid AND hd.deleted = 0 "
            "AND hd.relation = 'head'", params)
        for r in rows:
            out.setdefault(r["hid"], dict(r))
    return out


def _page_hits(t: Terms, marks: str) -> str:
    """ranked_sql for a few households: their members are tested against the indexes one by one
    (a rowid look-up in each FTS table) instead of reading every match of a broad search."""
    tests: list[str] = []
    if t.names:
        tests.append(f"SELECT m.household_id AS hid, {_name_tier('m')} AS tier, m.id AS member_id "
                     f"FROM members m WHERE m.household_id IN ({marks}) AND m.deleted = 0 AND EXISTS "
                     "(SELECT 1 FROM member_fts WHERE member_fts MATCH :s_names AND member_fts.rowid = m.rowid)")
    if t.ident:
        tests.append(f"SELECT m.household_id AS hid, (CASE WHEN m.relation = 'head' THEN 0 ELSE {HEAD_OFFSET} "
                     "END + CASE WHEN upper(m.cccd) = :s_raw THEN 0 ELSE 2 END) AS tier, m.id AS member_id "
                     f"FROM members m WHERE m.household_id IN ({marks}) AND m.deleted = 0 AND EXISTS "
                     "(SELECT 1 FROM member_cccd_fts WHERE member_cccd_fts MATCH :s_ident "
                     "AND member_cccd_fts.rowid = m.rowid)")
        tests.append("SELECT hc.id AS hid, (CASE WHEN upper(hc.household_code) = :s_raw THEN 0 ELSE 2 END) AS tier, "
                     f"NULL AS member_id FROM households hc WHERE hc.id IN ({marks}) AND EXISTS "
                     "(SELECT 1 FROM household_code_fts WHERE household_code_fts MATCH :s_ident "
                     "AND household_code_fts.rowid = hc.rowid)")
    return f"SELECT hid, min(tier) AS tier, member_id FROM ({' UNION ALL '.join(tests)}) GROUP BY hid"


def search_ids(store: Store, text: str, *, limit: int = 200) -> list[str]:
    """Live households matching ``text``, best first (tier, then head name): the pickers' list."""
    t = terms(text)
    if not t:
        return []
    rows = store.query(
        f"SELECT h.id FROM ({ranked_sql(t)}) r JOIN households h ON h.id = r.hid "
        "WHERE h.deleted = 0 ORDER BY r.tier, h.head_sort, h.id LIMIT :limit", {**t.params(), "limit": int(limit)})
    return [r[0] for r in rows]


SEARCH_INDEXES = ("household_fts", "member_fts", "member_cccd_fts", "household_code_fts")
