"""Rows are JSON-encoded inside SQLite on export: values must come back exactly as stored."""

from __future__ import annotations

import json
import sys

from cannngheo_desktop.exchange import export, importer, sync
from cannngheo_desktop.storage import repo
from cannngheo_desktop.storage.driver import sqlite3
from tests.exchange.bundle_helpers import COMMUNE, PASS, rows_of


def test_awkward_values_round_trip_exactly(pair):
    ids = pair.add_households(1)
    awkward = {"floor_area_m2": 0.1 + 0.2, "land_area_m2": 1e300, "b1_score": 1 / 3,
               "address": 'Số "7"\nngõ\t\\ 5 \x01 Đắk Lắk 😀', "income_month": 2**53 + 1}
    repo.update(pair.commune, "households", ids[0], awkward)
    path = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    result = importer.apply_bundle(pair.office, path, PASS)
    assert result.status == "applied", result.message
    sent = pair.commune.query_one("SELECT * FROM households WHERE id = ?", (ids[0],))
    got = pair.office.query_one("SELECT * FROM households WHERE id = ?", (ids[0],))
    assert sent["floor_area_m2"] == 0.1 + 0.2 and "😀" in sent["address"] and "\x01" in sent["address"]
    for name in awkward:
        assert got[name] == sent[name] and type(got[name]) is type(sent[name]), name
    assert rows_of(pair.office, "households") == rows_of(pair.commune, "households")
    # the same rows sent again (receipt lost) are "unchanged", not a conflict of equal versions
    again = export.export_bundle(pair.commune, "2026-02", pair.outbox, PASS)
    second = importer.apply_bundle(pair.office, again, PASS)
    assert second.status == "applied", second.message
    assert second.inspection.summary["households"]["unchanged"] == 1


# Floats that SQLite's own printf('%!.17g') gets wrong on some version (the export once used it):
# 1e300 on 3.45 (Windows CPython 3.11 ships it), the largest double on 3.40 (Debian 12's Python).
HARD_FLOATS = (1e300, sys.float_info.max, sys.float_info.min, 5e-324, 1e23, 0.1 + 0.2, 1 / 3, 123456789.12345679)


def test_every_float_is_exported_exactly_whatever_the_sqlite_version(pair):
    ids = pair.add_households(len(HARD_FLOATS), members=0)
    for household_id, value in zip(ids, HARD_FLOATS, strict=True):
        repo.update(pair.commune, "households", household_id, {"land_area_m2": value})
    by_sql = dict(sync.owned_rows_json(pair.commune, "households", COMMUNE, None, 0))
    for household_id, value in zip(ids, HARD_FLOATS, strict=True):
        assert json.loads(by_sql[household_id])["land_area_m2"] == value, (sqlite3.sqlite_version, value)
    path = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    assert importer.apply_bundle(pair.office, path, PASS).status == "applied"
    got = dict(pair.office.conn.execute("SELECT id, land_area_m2 FROM households").fetchall())
    assert [got[i] for i in ids] == list(HARD_FLOATS)


def test_sql_json_equals_python_json(pair):
    pair.add_households(3, members=2)
    for table in ("households", "members"):
        by_sql = dict(sync.owned_rows_json(pair.commune, table, COMMUNE, None, 0))
        by_python = {r["id"]: r for r in sync.owned_rows(pair.commune, table, COMMUNE, None, 0)}
        assert by_sql.keys() == by_python.keys() and by_sql
        assert all(json.loads(by_sql[i]) == by_python[i] for i in by_python)


def test_wide_tables_are_built_from_several_json_objects(pair):
    conn = pair.commune.conn
    names = [f"c{i}" for i in range(130)]
    conn.execute(f"CREATE TABLE wide (id TEXT, {', '.join(n + ' REAL' for n in names)})")
    conn.execute(f"INSERT INTO wide VALUES ('w1', {', '.join(str(i + 0.5) for i in range(130))})")
    text = conn.execute(f"SELECT {sync._json_object_sql(pair.commune, 'wide', ['id', *names])} FROM wide").fetchone()[0]
    assert json.loads(text) == {"id": "w1", **{n: i + 0.5 for i, n in enumerate(names)}}


def test_a_blob_falls_back_to_plain_rows(pair):
    conn = pair.commune.conn
    conn.execute("CREATE TABLE odd (id TEXT, data)")
    conn.execute("INSERT INTO odd VALUES ('o1', x'00ff')")
    rows = sync._json_rows(pair.commune, "odd", ("id", "data"), "1 = 1", ())
    assert rows == [("o1", {"id": "o1", "data": b"\x00\xff"})]
