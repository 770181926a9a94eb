"""The one write path: every insert/update/soft-delete bumps the row's version, stamps who and
when, appends to ``changes`` (what the next bundle carries) and to ``audit_log`` (field-level
before/after). Callers wrap a unit of work in ``store.transaction()``.

Audit granularity: an insert is one entry (who, when; the values are the row's version 1); an update is one entry per
changed field; a soft delete is one entry (deleted 0 → 1). No function here deletes a row, and
the schema's triggers refuse DELETE on every synced table.
"""

from __future__ import annotations

import json
import uuid
import weakref
from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias, overload

from ..core.errors import NotFoundError
from ..core.text import nfc
from .db import Store, utc_now
from .driver import sqlite3

SYNC_COLUMNS = ("version", "updated_at", "updated_by", "deleted")

# Columns holding JSON text; lists/dicts given for them are encoded, and decoded on read.
JSON_COLUMNS: dict[str, frozenset[str]] = {
    "households": frozenset({"devices", "causes", "needs"}),
    "rulesets": frozenset({"definition"}),
    "assessments": frozenset({"inputs", "results", "missing"}),
    "plan_objectives": frozenset({"params"}),
    "plan_amendments": frozenset({"changes"}),
    "reviews": frozenset({"steps"}),
}

# Derived columns are written but not audited (they restate audited fields).
UNAUDITED_COLUMNS = frozenset({"search_key", "head_sort"})

_PLAIN = (int, float)  # exact types: bool (a subclass of int) still goes through to_db

# Column lists per open Store (weakly keyed), not per id(conn): the id of a closed connection
# is reused by the next one, which may be another file with an older schema.
_columns_cache: weakref.WeakKeyDictionary[Store, dict[str, tuple[str, ...]]] = weakref.WeakKeyDictionary()


def new_id() -> str:
    return str(uuid.uuid4())


def columns(store: Store, table: str) -> tuple[str, ...]:
    per_conn = _columns_cache.setdefault(store, {})
    cols = per_conn.get(table)
    if cols is None:
        cols = tuple(r[1] for r in store.conn.execute(f"PRAGMA table_info({table})"))
        if not cols:
            raise ValueError(f"unknown table {table}")
        per_conn[table] = cols
    return cols


def to_db(table: str, name: str, value: Any) -> Any:
    """Python value → stored value: NFC text, bools as 0/1, JSON for list/dict columns."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(value, ensure_ascii=False, sort_keys=isinstance(value, dict))
    return nfc(value)


# A row as the database gives it (sqlite3.Row has keys() and [name] but is no Mapping) or as built in Python.
RowLike: TypeAlias = Mapping[str, Any] | sqlite3.Row


@overload
def decode_row(table: str, row: RowLike) -> dict[str, Any]: ...
@overload
def decode_row(table: str, row: None) -> None: ...
@overload
def decode_row(table: str, row: RowLike | None) -> dict[str, Any] | None: ...
def decode_row(table: str, row: RowLike | None) -> dict[str, Any] | None:
    """The row as a dict with its JSON columns decoded; None stays None."""
    if row is None:
        return None
    out = dict(row)
    for name in JSON_COLUMNS.get(table, ()):
        value = out.get(name)
        if isinstance(value, str) and value:
            out[name] = json.loads(value)
    return out


def _audit_text(value: Any) -> str | None:
    return None if value is None else (value if isinstance(value, str) else json.dumps(value))


def get(store: Store, table: str, row_id: str) -> dict[str, Any] | None:
    cur = store.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
    row = cur.fetchone()
    return decode_row(table, row) if row is not None else None


def require(store: Store, table: str, row_id: str) -> dict[str, Any]:
    row = get(store, table, row_id)
    if row is None:
        raise NotFoundError(f"Không tìm thấy bản ghi {row_id} trong bảng {table}.")
    return row


def _prepare(store: Store, table: str, row: Mapping[str, Any], now: str,
             known: frozenset[str] | None = None) -> dict[str, Any]:
    known = known if known is not None else frozenset(columns(store, table))
    if not known.issuperset(row):
        raise ValueError(f"{table}: unknown columns {sorted(set(row) - known)}")
    # None and plain numbers are stored as they are: skip to_db's calls for them (bulk loads).
    data = {k: v if v is None or type(v) in _PLAIN else to_db(table, k, v) for k, v in row.items()}
    if "id" not in data:  # not setdefault: a uuid4 per row costs even when the id is given
        data["id"] = new_id()
    data["version"] = 1
    data["updated_at"] = now
    data["updated_by"] = store.user
    data["deleted"] = 0
    return data


def insert(store: Store, table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """Insert one row (id generated when absent); returns the stored row."""
    return insert_many(store, table, [row])[0]


def insert_many(store: Store, table: str, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Insert many rows of one table with executemany: one audit entry and one change each."""
    now = utc_now()
    known = frozenset(columns(store, table))
    prepared = [_prepare(store, table, r, now, known) for r in rows]
    if not prepared:
        return []
    with store.transaction() as conn:
        by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for data in prepared:
            by_shape.setdefault(tuple(data), []).append(data)
        for names, group in by_shape.items():
            sql = (f"INSERT INTO {table} ({', '.join(names)}) "
                   f"VALUES ({', '.join('?' for _ in names)})")
            conn.executemany(sql, [tuple(d[n] for n in names) for d in group])
        # The insert entry records who created the row and when, not a copy of it: the row's
        # first values are recoverable by undoing later updates (each keeps its "before"), and
        # copying every inserted row doubled the bytes written by bulk loads, assessments and
        # bundles.
        conn.executemany(
            "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
            "VALUES (?, ?, ?, ?, 'insert', NULL, NULL, NULL)",
            [(now, store.user, table, d["id"]) for d in prepared])
        conn.executemany(
            "INSERT INTO changes(table_name, row_id, version, changed_at) VALUES (?, ?, 1, ?)",
            [(table, d["id"], now) for d in prepared])
    return prepared


def insert_select(conn: sqlite3.Connection, table: str, sql: str, params: Mapping[str, Any], *,
                  now: str, user: str) -> int:
    """Insert rows with one ``INSERT INTO table … SELECT …`` statement (SQLite builds them in
    C, e.g. from ``json_each`` over a batch), then give each new row its audit entry and change,
    as :func:`insert_many` does. Returns how many rows were inserted.

    The statement must set ``version`` = 1, ``updated_at`` = ``:now``, ``updated_by`` =
    ``:user`` and ``deleted`` = 0 itself; ``now`` and ``user`` are passed to it among the
    params. Runs on ``conn`` inside the caller's transaction (it may be a second connection
    owned by a writer thread, hence a connection and not a Store). The new rows are those
    above the table's largest rowid before the statement: rows are never deleted, so SQLite
    gives new rows larger rowids."""
    if not sql.lstrip().upper().startswith(f"INSERT INTO {table.upper()} "):
        raise ValueError(f"insert_select: the statement must insert into {table}")
    before = conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]
    conn.execute(sql, {**params, "now": now, "user": user})
    new = {"table": table, "before": before, "now": now, "user": user}
    conn.execute(
        "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
        f"SELECT :now, :user, :table, id, 'insert', NULL, NULL, NULL FROM {table} WHERE rowid > :before "
        "ORDER BY rowid", new)
    cur = conn.execute(
        "INSERT INTO changes(table_name, row_id, version, changed_at) "
        f"SELECT :table, id, 1, :now FROM {table} WHERE rowid > :before ORDER BY rowid",
        {k: new[k] for k in ("table", "before", "now")})
    return cur.rowcount


def update(store: Store, table: str, row_id: str, changes: Mapping[str, Any], *,
           action: str = "update") -> dict[str, Any]:
    """Change some fields of a row. Fields whose value does not change are not written or
    audited; if nothing changes, nothing is written at all. Returns the row as stored."""
    cols = columns(store, table)
    unknown = set(changes) - set(cols)
    if unknown:
        raise ValueError(f"{table}: unknown columns {sorted(unknown)}")
    forbidden = set(changes) & {"id", "version", "updated_at", "updated_by"}
    if forbidden:
        raise ValueError(f"{table}: {sorted(forbidden)} are managed by the repository")
    with store.transaction() as conn:
        current = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        if current is None:
            raise NotFoundError(f"Không tìm thấy bản ghi {row_id} trong bảng {table}.")
        current = dict(current)
        diff = {}
        for name, value in changes.items():
            stored = to_db(table, name, value)
            if stored != current[name]:
                diff[name] = stored
        if not diff:
            return current
        now = utc_now()
        version = int(current["version"]) + 1
        assignments = {**diff, "version": version, "updated_at": now, "updated_by": store.user}
        conn.execute(
            f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in assignments)} WHERE id = ?",
            (*assignments.values(), row_id))
        conn.executemany(
            "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(now, store.user, table, row_id, action, name, _audit_text(current[name]), _audit_text(value))
             for name, value in diff.items() if name not in UNAUDITED_COLUMNS])
        conn.execute("INSERT INTO changes(table_name, row_id, version, changed_at) VALUES (?, ?, ?, ?)",
                     (table, row_id, version, now))
        current.update(assignments)
        return current


def soft_delete(store: Store, table: str, row_id: str) -> dict[str, Any]:
    """Mark a row deleted (it stays in the file, findable with a filter, and travels in bundles)."""
    return update(store, table, row_id, {"deleted": 1}, action="delete")


def restore(store: Store, table: str, row_id: str) -> dict[str, Any]:
    return update(store, table, row_id, {"deleted": 0}, action="restore")


def history(store: Store, table: str, row_id: str) -> list[dict[str, Any]]:
    """Audit entries of one row, oldest first."""
    return [dict(r) for r in store.query(
        "SELECT at, user, action, field, before, after FROM audit_log "
        "WHERE table_name = ? AND row_id = ? ORDER BY id", (table, row_id))]


def set_setting(store: Store, key: str, value: str | None) -> None:
    """Settings are local to this copy (never sent); changes are still audited."""
    with store.transaction() as conn:
        old = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        before = None if old is None else old[0]
        if before == value:
            return
        conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (key, value))
        conn.execute(
            "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
            "VALUES (?, ?, 'settings', ?, ?, 'value', ?, ?)",
            (utc_now(), store.user, key, "insert" if old is None else "update", before, value))
