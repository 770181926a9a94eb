"""The rows of a recovery bundle (restore.py), read in two streaming passes with bounded memory.

A recovery bundle may hold up to ``Limits.max_rows`` lines, so no pass keeps its rows:

- ``scan`` (pass 1, nothing written): every line validated chunk by chunk, each row checked to be
  the commune's own (in the line and, when stored here, in the database), ids met twice found on
  disk (``seen_ids``), each chunk classified against the stored versions looked up for that chunk.
  Kept: counts, the highest audit entry id, the first problems, and the (at most two) chain heads.
- ``write`` (pass 2, inside the caller's transaction): the stream is read again and written chunk
  by chunk with the same classification; the payload hash and AES-GCM tag are checked again at the
  end of the stream, and the counts must be those of pass 1, else everything is rolled back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..storage import repo
from ..storage.db import Store, utc_now
from . import payload, sync
from .envelope import Opened, iter_plain
from .errors import refuse
from .format import Limits
from .seen_ids import SeenIds

KINDS = ("new", "updated", "unchanged", "overwritten", "kept_local")
MAX_ERRORS_KEPT = 200      # problems kept for the message; the rest are only counted
MAX_HEADS = 2              # the commune's report chain head and the office's reference chain head
INCOMING = "temp.restore_incoming"


@dataclass
class Scan:
    """What pass 1 found: counts per table (``KINDS``), lines per manifest entry, the chain heads."""

    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {t: dict.fromkeys(KINDS, 0) for t in payload.UPWARD_TABLES})
    lines: dict[str, int] = field(default_factory=dict)
    heads: list[dict[str, Any]] = field(default_factory=list)
    max_audit_id: int = 0
    errors: list[str] = field(default_factory=list)
    dropped: int = 0

    def note(self, errors: list[str]) -> None:
        room = max(MAX_ERRORS_KEPT - len(self.errors), 0)
        self.errors.extend(errors[:room])
        self.dropped += max(len(errors) - room, 0)

    def add_lines(self, name: str, n: int) -> None:
        if n:
            self.lines[name] = self.lines.get(name, 0) + n


def chunks(store: Store, opened: Opened, passphrase: str, own: str, limits: Limits) -> Iterator[payload.Chunk]:
    """One streaming pass: decrypt, inflate, split, parse and validate (rows must be ``own``'s)."""
    columns = {t: repo.columns(store, t) for t in payload.UPWARD_TABLES}
    lines = payload.split_lines(opened.path, iter_plain(store, opened, passphrase), limits.max_line, limits.max_rows)
    return payload.iter_chunks(opened.path, lines, payload.UPWARD_TABLES, columns, own)


@dataclass
class _Sorted:
    """One run of rows classified against this copy: what to write, what is kept here."""

    writes: list[dict[str, Any]] = field(default_factory=list)
    overwritten: list[tuple[str, str, str, str]] = field(default_factory=list)
    to_send: list[tuple[str, str, int]] = field(default_factory=list)
    matched: int = 0           # rows of the run already stored here


def _sort(store: Store, table: str, rows: list[dict[str, Any]], counts: dict[str, int]) -> _Sorted:
    """Classify one run (ids unique, rows the commune's own): missing → new, older here → updated,
    newer here → kept and sent, same version and content → unchanged, other content → the office's
    copy wins and the local one goes to the audit log."""
    out = _Sorted()
    stored = sync.stored_versions(store, table, [r["id"] for r in rows])
    local = sync.stored_rows(store, table, [r["id"] for r in rows if stored.get(r["id"]) == r["version"]])
    for row in rows:
        rid = row["id"]
        have = stored.get(rid)
        if have is None:
            counts["new"] += 1
            out.writes.append(row)
            continue
        out.matched += 1
        if have < row["version"]:
            counts["updated"] += 1
            out.writes.append(row)
        elif have > row["version"]:
            counts["kept_local"] += 1
            out.to_send.append((table, rid, have))
        elif all(local[rid].get(k) == v for k, v in row.items()):
            counts["unchanged"] += 1
        else:
            counts["overwritten"] += 1
            out.writes.append(row)
            out.overwritten.append((table, rid, json.dumps(local[rid], ensure_ascii=False, sort_keys=True, default=str),
                                    json.dumps(row, ensure_ascii=False, sort_keys=True)))
    return out


def _owned_count(store: Store, table: str, own: str) -> int:
    repo.columns(store, table)  # refuses unknown table names
    return int(store.scalar(f"SELECT count(*) FROM {table} WHERE unit_code = ?", (own,)) or 0)


def scan(store: Store, opened: Opened, passphrase: str, own: str, limits: Limits) -> Scan:
    """Pass 1 (see the module docstring); writes nothing."""
    out = Scan()
    matched = dict.fromkeys(payload.UPWARD_TABLES, 0)
    seen = SeenIds()
    try:
        for chunk in chunks(store, opened, passphrase, own, limits):
            errors = list(chunk.errors)
            for table, rows in chunk.runs:
                out.add_lines(table, len(rows))
                ids = [r["id"] for r in rows]
                twice = seen.repeated(table, ids)
                if twice:
                    errors.append(f"bảng {table}: một dòng xuất hiện hai lần ({twice[0]})")
                strangers = [(rid, owner) for rid, owner in sync.owners_of(store, table, ids).items() if owner != own]
                errors += [f"bảng {table}, dòng {rid}: đã có ở đây và thuộc đơn vị {owner}" for rid, owner in strangers]
                if not twice and not strangers:
                    matched[table] += _sort(store, table, rows, out.counts[table]).matched
            out.add_lines(payload.AUDIT, len(chunk.audit))
            out.max_audit_id = max([out.max_audit_id, *(int(e["id"]) for e in chunk.audit)])
            out.add_lines(payload.RECEIPT, len(chunk.receipt))
            out.heads.extend(chunk.receipt[:max(MAX_HEADS + 1 - len(out.heads), 0)])  # one too many: refused
            out.note(errors)
    finally:
        seen.close()
    for table in payload.UPWARD_TABLES:  # stored here, never reached the office: kept and sent again
        out.counts[table]["kept_local"] += _owned_count(store, table, own) - matched[table]
    if out.lines != opened.manifest.rows:
        out.note(["số dòng trong dữ liệu không khớp với tệp kê khai"])
    return out


def write(store: Store, opened: Opened, passphrase: str, own: str, limits: Limits, user: str,
          expected: Scan) -> None:
    """Pass 2, inside the caller's transaction: rows chunk by chunk (``sync.upsert_replicas``, no
    change rows), the overwritten local contents to the audit log, the commune's audit entries to
    ``replica_audit``, and a change row for every row kept here (newer here or not at the office)."""
    conn, path, m = store.conn, opened.path, opened.manifest
    conn.execute(f"DROP TABLE IF EXISTS {INCOMING}")   # the ids of this bundle only (a temporary table)
    conn.execute(f"CREATE TEMP TABLE {INCOMING.split('.')[1]} "
                 "(t TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (t, id)) WITHOUT ROWID")
    counts = Scan().counts
    for chunk in chunks(store, opened, passphrase, own, limits):
        if chunk.errors:
            raise refuse(path, "dữ liệu đã thay đổi giữa hai lần đọc tệp; không khôi phục.")
        for table, rows in chunk.runs:
            conn.executemany(f"INSERT INTO {INCOMING}(t, id) VALUES (?, ?)", [(table, r["id"]) for r in rows])
            part = _sort(store, table, rows, counts[table])
            if part.writes:
                sync.upsert_replicas(store, table, part.writes, user)
            conn.executemany(
                "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
                "VALUES (?, ?, ?, ?, 'update', 'recovery_overwritten', ?, ?)",
                [(utc_now(), user, *entry) for entry in part.overwritten])
            _mark_to_send(store, part.to_send)
        if chunk.audit:
            sync.insert_replica_audit(store, own, m.bundle_id, chunk.audit)
    for table in payload.UPWARD_TABLES:
        counts[table]["kept_local"] += conn.execute(
            f"INSERT INTO changes(table_name, row_id, version, changed_at) SELECT ?, id, version, ? FROM {table} "
            f"WHERE unit_code = ? AND id NOT IN (SELECT id FROM {INCOMING} WHERE t = ?)",
            (table, utc_now(), own, table)).rowcount
    conn.execute(f"DROP TABLE {INCOMING}")
    if counts != expected.counts:
        raise refuse(path, "dữ liệu đã thay đổi giữa hai lần đọc tệp; không khôi phục.")


def _mark_to_send(store: Store, rows: list[tuple[str, str, int]]) -> None:
    store.conn.executemany("INSERT INTO changes(table_name, row_id, version, changed_at) VALUES (?, ?, ?, ?)",
                           [(t, rid, v, utc_now()) for t, rid, v in rows])
