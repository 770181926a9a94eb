"""SQL for bundles: own keys, change sets to export, replica rows to apply, and the bookkeeping
of sent and received bundles (the trust roster's SQL is in ``trusted_keys``, partly re-exported).

Replica rows (a commune's data at its office, the office's catalogues at a commune) are written
here directly, NOT through repo: they keep the owner's version and must not produce local change
rows (the receiver never re-sends what it does not own). Each applied row is still audited locally
(its version; and for a ruleset whose definition changes, the definition before and after).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any

from ..storage import repo
from ..storage.db import Store, utc_now
from ..storage.driver import sqlite3
from .trusted_keys import active_trusted, get_trusted, list_trusted, replace_unit_trusted  # noqa: F401 - moved

CHUNK = 500
AUDIT_COLUMNS = ("id", "at", "user", "table_name", "row_id", "action", "field", "before", "after")


def _audit(store: Store, table: str, row_id: str, action: str, after: Any, user: str | None = None) -> None:
    store.conn.execute(
        "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
        "VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)",
        (utc_now(), user or store.user, table, row_id, action,
         after if isinstance(after, str) or after is None else json.dumps(after, ensure_ascii=False)))


# --- own keys ---------------------------------------------------------------------------------
def insert_key(store: Store, key_id: str, kind: str, public_b64: str, sealed: str) -> None:
    with store.transaction() as conn:
        conn.execute("INSERT INTO keys(id, kind, public_key, private_key_encrypted, created_at) "
                     "VALUES (?, ?, ?, ?, ?)", (key_id, kind, public_b64, sealed, utc_now()))
        _audit(store, "keys", key_id, "insert", {"kind": kind, "public_key": public_b64})


def get_key(store: Store, key_id: str) -> dict[str, Any] | None:
    row = store.query_one("SELECT * FROM keys WHERE id = ?", (key_id,))
    return dict(row) if row else None


def current_key(store: Store, kind: str) -> dict[str, Any] | None:
    row = store.query_one("SELECT * FROM keys WHERE kind = ? AND retired_at IS NULL "
                          "ORDER BY created_at DESC LIMIT 1", (kind,))
    return dict(row) if row else None


def retire_keys(store: Store, *key_ids: str) -> None:
    with store.transaction() as conn:
        for key_id in key_ids:
            conn.execute("UPDATE keys SET retired_at = ? WHERE id = ? AND retired_at IS NULL",
                         (utc_now(), key_id))
            _audit(store, "keys", key_id, "update", {"retired": True})


def set_installation_keys(store: Store, sign_id: str, encrypt_id: str) -> None:
    with store.transaction() as conn:
        conn.execute("UPDATE installation SET signing_key_id = ?, encryption_key_id = ? WHERE id = 1",
                     (sign_id, encrypt_id))


# --- change sets ------------------------------------------------------------------------------
def max_change_seq(store: Store) -> int:
    return int(store.scalar("SELECT coalesce(max(seq), 0) FROM changes") or 0)


def max_audit_id(store: Store) -> int:
    return int(store.scalar("SELECT coalesce(max(id), 0) FROM audit_log") or 0)


def _dicts(sql: str, params: tuple, store: Store) -> Iterator[dict[str, Any]]:
    """Rows as plain dicts without the Row factory (measurably faster for 100,000 rows)."""
    cur = store.conn.cursor()
    cur.row_factory = None
    cur.execute(sql, params)
    names = [d[0] for d in cur.description]
    for values in cur:
        yield dict(zip(names, values, strict=True))


def _owned_filter(table: str, after_seq: int | None) -> str:
    """SQL (one or three parameters) selecting the ids of owned rows, changed after a seq if given."""
    sql = f"SELECT id FROM {table} WHERE unit_code = ?"
    if after_seq:
        sql += " AND id IN (SELECT row_id FROM changes WHERE table_name = ? AND seq > ? AND seq <= ?)"
    return sql


def owned_rows(store: Store, table: str, unit_code: str, after_seq: int | None,
               up_to_seq: int) -> Iterator[dict[str, Any]]:
    """Rows of ``table`` owned by ``unit_code``: all of them (``after_seq`` None or 0) or those
    changed in (after_seq, up_to_seq]. Raw stored values, parents' tables first is the caller's job."""
    repo.columns(store, table)  # refuses unknown table names
    if not after_seq:
        return _dicts(f"SELECT * FROM {table} WHERE unit_code = ?", (unit_code,), store)
    return _dicts(f"SELECT * FROM {table} WHERE id IN ({_owned_filter(table, after_seq)})",
                  (unit_code, table, after_seq, up_to_seq), store)


def new_row_ids(store: Store, table: str, ids: Sequence[str], after_seq: int) -> set[str]:
    """Of ``ids``, those with no change at or before ``after_seq`` (new to the receiver)."""
    old: set[str] = set()
    for i in range(0, len(ids), CHUNK):
        part = ids[i:i + CHUNK]
        old.update(r[0] for r in store.conn.execute(
            f"SELECT DISTINCT row_id FROM changes WHERE table_name = ? AND seq <= ? AND row_id IN "
            f"({','.join('?' * len(part))})", (table, after_seq, *part)))
    return set(ids) - old


def audit_entries(store: Store, table: str, unit_code: str, after_seq: int | None, up_to_seq: int,
                  after_id: int, up_to_id: int) -> list[dict[str, Any]]:
    """Audit entries in (after_id, up_to_id] of the rows ``owned_rows`` selects with the same
    arguments."""
    params: tuple = (unit_code, table, after_seq, up_to_seq) if after_seq else (unit_code,)
    return list(_dicts(
        "SELECT id, at, user, table_name, row_id, action, field, before, after FROM audit_log "
        f"WHERE table_name = ? AND id > ? AND id <= ? AND row_id IN ({_owned_filter(table, after_seq)})",
        (table, after_id, up_to_id, *params), store))


def _exact_real(value: Any) -> Any:
    """The shortest text that reads back as the same float (Python's repr), for SQL."""
    return repr(value) if isinstance(value, float) else value


def _json_object_sql(store: Store, table: str, names: Sequence[str]) -> str:
    """SQL building one row as compact JSON text inside SQLite (no Python dict per row).

    json_object takes at most 127 arguments, so wide tables are built from groups of 60 columns
    glued textually. REAL values are written by Python's ``repr`` (``exact_real``): SQLite's JSON
    keeps only 15 digits, and its own ``printf('%!.17g')`` is not exact either (1e300 comes out as
    9.9999999999999996e+299 with SQLite 3.45, the one in Windows CPython 3.11; the largest double
    is off by one unit with 3.40); a float that does not round-trip would later look like a
    conflicting edit."""
    store.conn.create_function("exact_real", 1, _exact_real, deterministic=True)
    types = {r[1]: (r[2] or "").upper() for r in store.conn.execute(f"PRAGMA table_info({table})")}
    args = []
    for n in names:
        value = n
        if any(t in types.get(n, "") for t in ("REAL", "FLOA", "DOUB")):
            value = f"CASE WHEN typeof({n}) = 'real' THEN json(exact_real({n})) ELSE {n} END"
        args.append(f"'{n}', {value}")
    groups = [f"json_object({', '.join(args[i:i + 60])})" for i in range(0, len(args), 60)]
    if len(groups) == 1:
        return groups[0]
    return "'{' || " + " || ',' || ".join(f"rtrim(ltrim({g}, '{{'), '}}')" for g in groups) + " || '}'"


def _json_rows(store: Store, table: str, names: Sequence[str], where: str,
               params: tuple) -> list[tuple[Any, str | dict[str, Any]]]:
    """(id, row as JSON text) for ``SELECT … FROM table WHERE where``; values SQLite cannot put in
    JSON (BLOBs, infinities) fall back to plain dicts for the caller's JSON encoder."""
    cols = ", ".join(names)
    try:
        return store.conn.execute(f"SELECT id, {_json_object_sql(store, table, names)} FROM {table} "
                                  f"WHERE {where}", params).fetchall()
    except sqlite3.Error:
        return [(r["id"], r) for r in _dicts(f"SELECT {cols} FROM {table} WHERE {where}", params, store)]


def owned_rows_json(store: Store, table: str, unit_code: str, after_seq: int | None,
                    up_to_seq: int) -> list[tuple[str, str | dict[str, Any]]]:
    """``owned_rows`` as (id, JSON text of the row) pairs, encoded by SQLite (the export's hot path)."""
    names = repo.columns(store, table)
    if not after_seq:
        return _json_rows(store, table, names, "unit_code = ?", (unit_code,))
    return _json_rows(store, table, names, f"id IN ({_owned_filter(table, after_seq)})",
                      (unit_code, table, after_seq, up_to_seq))


def audit_entries_json(store: Store, table: str, unit_code: str, after_seq: int | None, up_to_seq: int,
                       after_id: int, up_to_id: int) -> list[tuple[int, str | dict[str, Any]]]:
    """``audit_entries`` as (id, JSON text of the entry) pairs."""
    params: tuple = (unit_code, table, after_seq, up_to_seq) if after_seq else (unit_code,)
    return _json_rows(store, "audit_log", AUDIT_COLUMNS,
                      f"table_name = ? AND id > ? AND id <= ? AND row_id IN ({_owned_filter(table, after_seq)})",
                      (table, after_id, up_to_id, *params))


# --- replicas -----------------------------------------------------------------------------------
def stored_versions(store: Store, table: str, ids: Sequence[str]) -> dict[str, int]:
    repo.columns(store, table)
    found: dict[str, int] = {}
    for i in range(0, len(ids), CHUNK):
        part = ids[i:i + CHUNK]
        found.update((r[0], int(r[1])) for r in store.conn.execute(
            f"SELECT id, version FROM {table} WHERE id IN ({','.join('?' * len(part))})", part))
    return found


def stored_rows(store: Store, table: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    repo.columns(store, table)
    found: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), CHUNK):
        part = ids[i:i + CHUNK]
        found.update((r["id"], dict(r)) for r in store.conn.execute(
            f"SELECT * FROM {table} WHERE id IN ({','.join('?' * len(part))})", part))
    return found


def upsert_replicas(store: Store, table: str, rows: Sequence[Mapping[str, Any]], user: str) -> None:
    """Insert or overwrite replica rows as the owner sent them (version kept), audited as ``user``,
    without change rows. Caller holds the transaction and has checked versions."""
    by_shape: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        by_shape.setdefault(tuple(row), []).append(row)
    conn = store.conn
    kept = _replaced_texts(store, table, rows)  # before the rows are overwritten
    for names, group in by_shape.items():
        updates = ", ".join(f"{n} = excluded.{n}" for n in names if n != "id")
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
            f"ON CONFLICT(id) DO UPDATE SET {updates}", map(_values(names), group))
    now = utc_now()
    conn.executemany(
        "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
        "VALUES (?, ?, ?, ?, 'update', 'version', NULL, ?)",
        [(now, user, table, r["id"], str(r["version"])) for r in rows])
    conn.executemany(
        "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
        "VALUES (?, ?, ?, ?, 'update', ?, ?, ?)", [(now, user, table, *entry) for entry in kept])


def _values(names: Sequence[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A row's values in ``names`` order as a tuple, read at C speed (``itemgetter``)."""
    get = itemgetter(*names)
    return get if len(names) > 1 else lambda row: (get(row),)


# Replica fields whose earlier values are still needed here after an overwrite: a ruleset's
# definition (an assessment made under it rebuilds its reasons from it: assessments.with_reasons).
KEEP_BEFORE = {"rulesets": ("definition",)}


def _replaced_texts(store: Store, table: str, rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, Any, Any]]:
    """(row id, field, before, after) of the KEEP_BEFORE fields the incoming rows change."""
    fields = KEEP_BEFORE.get(table, ())
    out: list[tuple[str, str, Any, Any]] = []
    if not fields:
        return out
    for row in rows:
        wanted = [f for f in fields if f in row]
        if not wanted:
            continue
        current = store.conn.execute(f"SELECT {', '.join(wanted)} FROM {table} WHERE id = ?", (row["id"],)).fetchone()
        for i, name in enumerate(wanted):
            if current is not None and current[i] != row[name]:
                out.append((row["id"], name, current[i], row[name]))
    return out


def insert_replica_audit(store: Store, unit_code: str, bundle_id: str, entries: Iterable[Mapping[str, Any]]) -> None:
    store.conn.executemany(
        "INSERT OR IGNORE INTO replica_audit(unit_code, source_id, at, user, table_name, row_id, action, "
        "field, before, after, bundle_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(unit_code, e["id"], e["at"], e.get("user"), e["table_name"], e["row_id"], e["action"],
          e.get("field"), e.get("before"), e.get("after"), bundle_id) for e in entries])


# --- bundle bookkeeping ---------------------------------------------------------------------------
def last_bundle(store: Store, direction: str, peer: str, kinds: Sequence[str],
                statuses: Sequence[str] | None = None) -> dict[str, Any] | None:
    sql = (f"SELECT * FROM bundles WHERE direction = ? AND peer_unit = ? "
           f"AND kind IN ({','.join('?' * len(kinds))})")
    params: list[Any] = [direction, peer, *kinds]
    if statuses:
        sql += f" AND status IN ({','.join('?' * len(statuses))})"
        params += list(statuses)
    row = store.query_one(sql + " ORDER BY sequence DESC LIMIT 1", tuple(params))
    return dict(row) if row else None


def bundles_at(store: Store, direction: str, peer: str, kinds: Sequence[str], sequence: int) -> list[dict[str, Any]]:
    return [dict(r) for r in store.query(
        f"SELECT * FROM bundles WHERE direction = ? AND peer_unit = ? AND kind IN ({','.join('?' * len(kinds))}) "
        "AND sequence = ?", (direction, peer, *kinds, sequence))]


def bundle_by_sha(store: Store, sha256: str) -> dict[str, Any] | None:
    row = store.query_one("SELECT * FROM bundles WHERE sha256 = ?", (sha256,))
    return dict(row) if row else None


def list_bundles(store: Store, direction: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT id, direction, kind, peer_unit, sequence, period, file_name, sha256, prev_sha256, status, " \
          "counts, last_change_seq, last_audit_id, created_at, received_at, acknowledged_at, message FROM bundles"
    rows = store.query(sql + (" WHERE direction = ?" if direction else "") + " ORDER BY peer_unit, sequence",
                       (direction,) if direction else ())
    return [dict(r) for r in rows]


def record_bundle(store: Store, row: Mapping[str, Any]) -> None:
    names = list(row)
    with store.transaction() as conn:
        conn.execute(f"INSERT INTO bundles ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                     tuple(row[n] for n in names))


def update_bundle(store: Store, bundle_id: str, **fields: Any) -> None:
    with store.transaction() as conn:
        conn.execute(f"UPDATE bundles SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?",
                     (*fields.values(), bundle_id))


def acknowledge_out(store: Store, peer: str, kinds: Sequence[str], up_to_sequence: int, at: str) -> int:
    """Mark sent bundles to ``peer`` up to a sequence acknowledged; returns how many changed."""
    with store.transaction() as conn:
        cur = conn.execute(
            f"UPDATE bundles SET status = 'acknowledged', acknowledged_at = ? WHERE direction = 'out' "
            f"AND peer_unit = ? AND kind IN ({','.join('?' * len(kinds))}) AND sequence <= ? "
            "AND acknowledged_at IS NULL", (at, peer, *kinds, up_to_sequence))
        return cur.rowcount


# --- authority (exchange/authority.py) -----------------------------------------------------------
def owners_of(store: Store, table: str, ids: Sequence[str]) -> dict[str, str]:
    """Owner (unit_code) of each stored row of ``table`` among ``ids``; batched, ids only."""
    repo.columns(store, table)  # refuses unknown table names
    found: dict[str, str] = {}
    for i in range(0, len(ids), CHUNK):
        part = ids[i:i + CHUNK]
        found.update(store.conn.execute(
            f"SELECT id, unit_code FROM {table} WHERE id IN ({','.join('?' * len(part))})", part).fetchall())
    return found


def has_sent_to(store: Store, peer: str) -> bool:
    """Whether this copy ever sent a data bundle (report or reference) to ``peer``."""
    return store.query_one("SELECT 1 FROM bundles WHERE direction = 'out' AND peer_unit = ? "
                           "AND kind IN ('commune-report', 'reference') LIMIT 1", (peer,)) is not None
