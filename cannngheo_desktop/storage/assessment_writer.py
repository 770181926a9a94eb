"""How assessments are written: one JSON batch per 2,000 households, inserted by SQLite with one
``INSERT … SELECT … FROM json_each`` statement (``repo.insert_select``), on a writer thread when
the store allows it. Used by ``storage.assessments`` (one household and bulk runs)."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from ..core.model import HOUSEHOLD_FACT_FIELDS, MEMBER_FACT_FIELDS
from ..core.standards import Evaluation, Ruleset
from . import repo
from .db import Store, is_environment_error, translate_sqlite_error, utc_now
from .driver import sqlite3

SNAPSHOT_MEMBER_FIELDS = frozenset(("id", *MEMBER_FACT_FIELDS))

# An assessment row is written by SQLite from a JSON batch (json_each), so that the bulk of the
# work runs in C: the inputs snapshot is built by SQLite from the same household and member rows
# the evaluator read (same transaction, under the write lock), in the household JSON format of
# docs/household-format.md. Python supplies the verdicts: one batch row is
# [id, unit_code, household_id, results, deprivation_count, income_per_person,
#  category, missing (JSON text), area_type, assessor, recognised], where results is the index of
# the row's verdict list in the batch's ``verdicts``.
_DEVICES_SQL = "CASE WHEN json_valid(h.devices) AND json_type(h.devices) = 'array' THEN json(h.devices) END"
_HOUSEHOLD_JSON = ", ".join(
    f"'{name}', " + (_DEVICES_SQL if name == "devices" else "json_extract(j.value, '$[8]')" if name == "area_type"
                     else f"h.{name}")
    for name in sorted((*HOUSEHOLD_FACT_FIELDS, "area_type")))
_MEMBER_JSON = ", ".join(f"'{name}', m.{name}" for name in sorted(SNAPSHOT_MEMBER_FIELDS))
# json_patch('{}', …) drops the null (unknown) facts: in a snapshot, absent means unknown.
_SNAPSHOT_SQL = (
    "(SELECT json_object("
    f"'household', json_patch('{{}}', json_object({_HOUSEHOLD_JSON})), "
    "'members', (SELECT json_group_array(json(x)) FROM ("
    f"SELECT json_patch('{{}}', json_object({_MEMBER_JSON})) AS x FROM members m "
    "WHERE m.household_id = h.id AND m.deleted = 0 ORDER BY m.sort_order, m.full_name))) "
    "FROM households h WHERE h.id = json_extract(j.value, '$[2]'))")
# Ids of bulk rows: time-ordered UUIDs (version 7 layout: milliseconds, then a 26-bit counter in
# rand_a and the top of rand_b, then random bits), so the primary key and the audit and change
# indexes grow at their end instead of at random places (random uuid4 ids cost a quarter of the
# write). Rows saved one at a time keep uuid4 ids from Python.
_ID_SQL = ("coalesce(json_extract(j.value, '$[0]'), printf('%08x-%04x-7%03x-%04x-%012x', :ms >> 16, :ms & 65535, "
           "((:seq + j.key) >> 14) & 4095, 32768 | ((:seq + j.key) & 16383), random() & 281474976710655))")
_INSERT_SQL = (
    "INSERT INTO assessments (id, unit_code, household_id, ruleset_code, ruleset_hash, assessed_on, inputs, "
    "results, deprivation_count, income_per_person, category, missing, assessor, recognised, version, "
    "updated_at, updated_by, deleted) "
    # The verdict lists are parsed ONCE into a materialized table: json_extract(:verdicts, …) per row
    # re-parsed the whole list every row under SQLite ≥ 3.45 (SQLCipher's build), which made saving
    # 100,000 assessments take 93 s instead of 6 s.
    "WITH v AS MATERIALIZED (SELECT key AS k, value AS verdict FROM json_each(:verdicts)) "
    f"SELECT {_ID_SQL}, json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), :code, :hash, :day, "
    f"{_SNAPSHOT_SQL}, (SELECT verdict FROM v WHERE v.k = json_extract(j.value, '$[3]')), "
    "json_extract(j.value, '$[4]'), "
    "json_extract(j.value, '$[5]'), json_extract(j.value, '$[6]'), json_extract(j.value, '$[7]'), "
    "json_extract(j.value, '$[9]'), json_extract(j.value, '$[10]'), 1, :now, :user, 0 "
    "FROM json_each(:batch) AS j ORDER BY j.key")
_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


class Batch:
    """The rows of one write, encoded as JSON for ``_INSERT_SQL``: ``take()`` gives the rows
    and the distinct verdict lists they point to (most households share one, so each is
    encoded once and SQLite, which parses a bound JSON argument once per statement, copies it)."""

    def __init__(self, ruleset: Ruleset, on: date, user: str, *, reasons: bool) -> None:
        self.reasons = reasons  # keep each indicator's reason (one at a time) or verdicts only (bulk)
        self.meta = {"code": ruleset.code, "hash": ruleset.fingerprint, "day": on.isoformat()}
        self.user = user
        self.rows: list[list[Any]] = []
        self._encoded: dict[tuple[str, ...], str] = {}  # verdicts → JSON text, for the whole run
        self._used: dict[str, int] = {}  # JSON text → its index in this batch's list

    def add(self, household: Mapping[str, Any], ev: Evaluation, *, assessor: str | None, recognised: bool = False,
            row_id: str | None = None) -> None:
        if self.reasons:
            results = _encode([{"code": r.code, "status": r.status, "reason": r.reason} for r in ev.indicators])
        else:
            key = tuple([r.status for r in ev.indicators])
            known = self._encoded.get(key)
            if known is None:
                known = self._encoded[key] = _encode([{"code": r.code, "status": r.status} for r in ev.indicators])
            results = known
        index = self._used.setdefault(results, len(self._used))
        self.rows.append([row_id, household["unit_code"], household["id"], index, ev.deprivation_count,
                          ev.income_per_person, ev.category, _encode(ev.missing) if ev.missing else "[]",
                          ev.area_type, assessor, int(recognised)])

    def take(self) -> tuple[str, str]:
        rows, verdicts = _encode(self.rows), "[" + ",".join(self._used) + "]"
        self.rows, self._used = [], {}
        return rows, verdicts


def write_batch(conn: Any, batch: tuple[str, str], meta: Mapping[str, Any], *, seq: int, now: str, user: str) -> int:
    """Insert one encoded batch (audited, in the caller's transaction). ``seq`` numbers the
    first row of the batch within its run (for the time-ordered ids)."""
    rows, verdicts = batch
    params = {**meta, "batch": rows, "verdicts": verdicts, "seq": seq, "ms": _run_millis(now)}
    return repo.insert_select(conn, "assessments", _INSERT_SQL, params, now=now, user=user)


def _run_millis(now: str) -> int:
    return int(datetime.strptime(now, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp() * 1000)


class BatchWriter:
    """Writes encoded batches of assessments in one transaction.

    On a file, a second connection on a worker thread does the writing: sqlite3 lets go of
    the GIL while a statement runs, so SQLite's work for one batch (building the inputs
    snapshots, the B-tree and WAL writes) overlaps the evaluation of the next batch in Python.
    The writer's transaction begins (BEGIN IMMEDIATE) before anything is read, so the rows
    evaluated and the rows snapshotted are the same committed rows. Leaving the ``with`` block
    normally commits; an exception (an error, a cancel) rolls everything back; a writer error
    stops the run at the next batch and is raised.

    After the commit the worker copies the write-ahead log back into the database file (a
    passive checkpoint, which SQLite would otherwise do inside the COMMIT) while the caller
    goes on; Store.close() waits for it. Inside an open transaction, or for an in-memory
    database, the batches are written in turn on the store's own connection."""

    def __init__(self, store: Store, meta: Mapping[str, Any]) -> None:
        self.store, self.meta = store, meta
        self.now, self.user = utc_now(), store.user
        self.saved = 0
        self._queued = 0
        self._conn: sqlite3.Connection | None = None
        self._thread: threading.Thread | None = None
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._ended = threading.Event()
        self._failure: list[BaseException] = []
        self._tx: Any = None

    def __enter__(self) -> BatchWriter:
        self._conn = self.store.writer_connection()
        if self._conn is None:
            self._tx = self.store.transaction()
            self._tx.__enter__()
            return self
        try:
            self._conn.execute("PRAGMA wal_autocheckpoint = 0")  # checkpoint after the commit, below
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self._conn.close()
            raise translate_sqlite_error(exc, self.store.path) from exc
        self._thread = threading.Thread(target=self._work, name="assessment-writer", daemon=True)
        self._thread.start()
        return self

    def put(self, batch: tuple[str, str], rows: int) -> None:
        seq, self._queued = self._queued, self._queued + rows
        if self._thread is None:
            self.saved += write_batch(self.store.conn, batch, self.meta, seq=seq, now=self.now, user=self.user)
            return
        if self._failure:
            raise self._failure[0]
        self._queue.put((batch, seq))

    def _work(self) -> None:
        conn = self._conn
        assert conn is not None
        try:
            while isinstance(item := self._queue.get(), tuple):
                if self._failure:
                    continue  # drain: the producer stops at its next put
                try:
                    self.saved += write_batch(conn, item[0], self.meta, seq=item[1], now=self.now, user=self.user)
                except BaseException as exc:  # noqa: BLE001 - handed to the producer thread
                    self._failure.append(exc)
            commit = item == "commit" and not self._failure
            try:
                conn.execute("COMMIT" if commit else "ROLLBACK")
            except sqlite3.Error as exc:
                self._failure.append(exc)
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                commit = False
            self._ended.set()
            if commit:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            self._ended.set()
            conn.close()

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if self._thread is None:
            self._tx.__exit__(kind, exc, tb)
            return
        self._queue.put("commit" if kind is None else "rollback")
        self._ended.wait()
        self.store.keep_until_close(self._thread)
        if kind is None and self._failure:
            failure = self._failure[0]
            if isinstance(failure, sqlite3.Error) and is_environment_error(failure):
                raise translate_sqlite_error(failure, self.store.path) from failure
            raise failure
