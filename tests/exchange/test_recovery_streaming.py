"""The recovery bundle is read in two streaming passes (exchange/restore_rows.py): the outcome
does not depend on where the chunks fall. These tests cut the stream into one-line chunks
(``payload.iter_chunks`` reads ``CHUNK_LINES`` at call time) on two real database copies."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cannngheo_desktop.exchange import envelope, export, importer, payload, restore, restore_rows, sync
from cannngheo_desktop.exchange.envelope import open_bundle
from cannngheo_desktop.exchange.errors import BundleError
from cannngheo_desktop.exchange.format import DEFAULT_LIMITS, write_bundle
from cannngheo_desktop.storage import backup, households, open_db
from tests.exchange.bundle_helpers import COMMUNE, OFFICE, PASS, Pair, dump, entries, rows_of


@pytest.fixture
def one_line_chunks(monkeypatch):
    monkeypatch.setattr(payload, "CHUNK_LINES", 1)


def _send(pair: Pair, period: str) -> None:
    path = export.export_bundle(pair.commune, period, pair.outbox, PASS)
    res = importer.apply_bundle(pair.office, path, PASS)
    assert res.status == "applied", res.message
    assert importer.apply_bundle(pair.commune, res.receipts[0], PASS).status == "acknowledged"


def _back_to(pair: Pair, saved: Path) -> None:
    path = pair.commune.path
    pair.commune.close()
    shutil.copyfile(saved, path)
    pair.commune = open_db(path, user="canbo")


def _village(store, hid: str) -> tuple[int, str]:
    row = store.query_one("SELECT version, village FROM households WHERE id = ?", (hid,))
    return int(row["version"]), row["village"]


def test_every_kind_of_row_in_one_line_chunks(pair, one_line_chunks):
    a, b, c, d = pair.add_households(4, members=1)
    _send(pair, "2026-01")
    folder = pair.tmp / "sao-luu"
    folder.mkdir()
    saved = backup.backup_database(pair.commune.conn, pair.commune.path, reason="thu", folder=folder, keep=None)
    households.update_household(pair.commune, a, {"village": "Thôn A mới"})     # the office gets A v2 ...
    households.update_household(pair.commune, d, {"village": "Thôn D văn phòng"})  # ... and D v2
    [e] = pair.add_households(1, members=1, village="Thôn E")                     # ... and E
    _send(pair, "2026-02")
    _back_to(pair, saved)                                                          # the PC died
    households.update_household(pair.commune, b, {"village": "Thôn B"})
    households.update_household(pair.commune, b, {"village": "Thôn B lần hai"})    # B v3: newer here
    households.update_household(pair.commune, d, {"village": "Thôn D gõ lại"})     # D v2, other content
    [f] = pair.add_households(1, members=1, village="Thôn F")                      # never reached the office
    kp = pair.tmp / "kp"
    kp.mkdir()
    path = restore.export_recovery(pair.office, COMMUNE, kp, PASS, "máy xã hỏng")
    result = restore.apply_recovery(pair.commune, path, PASS)
    assert result.counts["households"] == {"new": 1, "updated": 1, "unchanged": 1, "overwritten": 1,
                                           "kept_local": 2}
    assert result.counts["members"] == {"new": 1, "updated": 0, "unchanged": 4, "overwritten": 0, "kept_local": 1}
    assert _village(pair.commune, a) == (2, "Thôn A mới")
    assert _village(pair.commune, b) == (3, "Thôn B lần hai")
    assert _village(pair.commune, c)[0] == 1
    assert _village(pair.commune, d) == (2, "Thôn D văn phòng")
    assert _village(pair.commune, e) == _village(pair.office, e)
    logged = pair.commune.query("SELECT before FROM audit_log WHERE field = 'recovery_overwritten'")
    assert len(logged) == 1 and "Thôn D gõ lại" in logged[0]["before"]
    assert pair.commune.scalar("SELECT count(*) FROM replica_audit WHERE unit_code = ?", (COMMUNE,)) == \
        pair.office.scalar("SELECT count(*) FROM replica_audit WHERE unit_code = ?", (COMMUNE,))
    # the next bundle is number 3 and carries exactly the rows kept here: B, F and F's member
    nxt = export.export_bundle(pair.commune, "2026-03", pair.outbox, PASS)
    assert json.loads(entries(nxt)["manifest.json"])["sequence"] == 3
    assert importer.apply_bundle(pair.office, nxt, PASS).status == "applied"
    assert _village(pair.office, b) == (3, "Thôn B lần hai") and _village(pair.office, f)[1] == "Thôn F"
    for table in ("households", "members"):
        assert [(r["id"], r["version"]) for r in rows_of(pair.office, table)] == \
            [(r["id"], r["version"]) for r in rows_of(pair.commune, table)]


def _forged(pair: Pair, lines: list[tuple[str, Any]], name: str) -> Path:
    """A recovery bundle sealed with the office's REAL keys around ``lines`` (head: bundle 1 as sent)."""
    head = pair.office.query_one("SELECT id, sha256, sequence, period FROM bundles WHERE direction = 'in'")
    receipt = {"bundle_id": head["id"], "sha256": head["sha256"], "kind": restore.REPORT,
               "sequence": head["sequence"], "period": head["period"]}
    full = [*lines, *[(payload.RECEIPT, receipt)] * (1 + name.count("thua-dau"))]
    sealed = envelope.seal(pair.office, kind=restore.RECOVERY, recipient_unit=COMMUNE, period=head["period"],
                           sequence=head["sequence"], prev_sha256=head["sha256"], lines=full, passphrase=PASS,
                           full=True)
    return write_bundle(pair.tmp / f"{name}-{OFFICE}.cnb", sealed.manifest_bytes, sealed.signature, sealed.payload)


@pytest.mark.parametrize(("name", "why"), [("lap-xa", "xuất hiện hai lần"), ("thua-dau-chuoi", "thừa"),
                                           ("khac-don-vi", "thuộc đơn vị")])
def test_refusals_found_across_chunks_change_nothing(pair, one_line_chunks, name, why):
    pair.add_households(3, members=1)
    _send(pair, "2026-01")
    hh = rows_of(pair.office, "households")
    lines: list[tuple[str, Any]] = [("households", r) for r in hh]
    if name == "lap-xa":                   # the first row again, chunks apart
        lines = [*lines, *[("members", r) for r in rows_of(pair.office, "members")], ("households", hh[0])]
    if name == "khac-don-vi":              # the office's own row id, claimed for the commune
        pair.commune.conn.execute("UPDATE households SET unit_code = '00641' WHERE id = ?", (hh[2]["id"],))
        pair.commune.conn.commit()
    path = _forged(pair, lines, name)
    before = dump(pair.commune)
    with pytest.raises(BundleError) as err:
        restore.apply_recovery(pair.commune, path, PASS)
    assert f"'{path.name}'" in err.value.message and why in err.value.message, err.value.message
    assert dump(pair.commune) == before


def test_many_bad_rows_keep_only_the_first_problems(pair, one_line_chunks):
    pair.add_households(1, members=1)
    _send(pair, "2026-01")
    [hh] = rows_of(pair.office, "households")
    lines = [("households", {**hh, "id": f"x{i}", "version": 0}) for i in range(300)]
    path = _forged(pair, lines, "nhieu-loi")
    before = dump(pair.commune)
    with pytest.raises(BundleError) as err:
        restore.apply_recovery(pair.commune, path, PASS)
    # 300 bad rows and the row count that no longer matches the manifest: 5 shown, 296 more counted
    assert "phiên bản không hợp lệ" in err.value.message and "(và 296 lỗi khác)" in err.value.message
    assert dump(pair.commune) == before
    scan = restore_rows.scan(pair.commune, open_bundle(pair.commune, path), PASS, COMMUNE, DEFAULT_LIMITS)
    assert (len(scan.errors), scan.dropped) == (restore_rows.MAX_ERRORS_KEPT, 101)   # the rest only counted


def test_a_file_changed_between_the_two_passes_rolls_everything_back(pair, monkeypatch):
    pair.add_households(2000, members=1)
    _send(pair, "2026-01")
    kp = pair.tmp / "kp"
    kp.mkdir()
    path = restore.export_recovery(pair.office, COMMUNE, kp, PASS, "máy xã hỏng")
    ct = entries(path)["payload.bin"]
    assert len(ct) > 3 * (64 << 10)           # read in several pieces: rows are written before the end
    for table in ("households", "members"):   # older here: pass 2 writes every row
        pair.commune.conn.execute(f"UPDATE {table} SET version = 0")
    pair.commune.conn.commit()
    scan, upsert, written = restore_rows.scan, sync.upsert_replicas, []

    def then_change_the_file(*args):
        found = scan(*args)
        data = bytearray(path.read_bytes())
        data[data.find(ct) + len(ct) - 20] ^= 1      # one bit of the ciphertext, before the tag
        path.write_bytes(bytes(data))
        return found

    def counting(store, table, rows, user):
        written.append(len(rows))
        return upsert(store, table, rows, user)

    monkeypatch.setattr(restore_rows, "scan", then_change_the_file)
    monkeypatch.setattr(sync, "upsert_replicas", counting)
    before = dump(pair.commune)
    with pytest.raises(BundleError) as err:
        restore.apply_recovery(pair.commune, path, PASS, make_backup=False)
    assert f"'{path.name}'" in err.value.message and "hỏng" in err.value.message, err.value.message
    assert sum(written) > 0                   # rows were written in pass 2 ...
    assert dump(pair.commune) == before       # ... and rolled back with everything else
