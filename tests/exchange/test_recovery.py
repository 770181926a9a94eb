"""Recovery on two real database copies: a commune whose PC died comes back from its last backup
(or a fresh install with new keys) through the office's recovery bundle; an office that lost its
own data restarts the commune's chain. Nothing is lost, nothing is counted twice, all audited."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from cannngheo_desktop.core.errors import AppError
from cannngheo_desktop.exchange import export, importer, keycard, recovery, restore, roster
from cannngheo_desktop.exchange.errors import BundleError
from cannngheo_desktop.storage import backup, households, open_db
from tests.exchange.bundle_helpers import COMMUNE, OFFICE, PASS, dump, entries, make_store, rezip, rows_of


def _send(pair, period, *, full=False):
    """Commune → office → receipt back; returns the bundle file."""
    path = export.export_bundle(pair.commune, period, pair.outbox, PASS, full=full)
    res = importer.apply_bundle(pair.office, path, PASS)
    assert res.status == "applied", res.message
    assert importer.apply_bundle(pair.commune, res.receipts[0], PASS).status == "acknowledged"
    return path


def _snapshot(store, to: Path) -> Path:
    to.mkdir(exist_ok=True)
    return backup.backup_database(store.conn, store.path, reason="thu", folder=to, keep=None)


def _replace_commune(pair, with_file: Path) -> None:
    """The PC died: the commune's database is now what ``with_file`` holds."""
    path = pair.commune.path
    pair.commune.close()
    shutil.copyfile(with_file, path)
    pair.commune = open_db(path, user="canbo")


def _data(store, table="households"):
    return {r["id"]: (r["version"], r["village"] if table == "households" else r["full_name"])
            for r in rows_of(store, table)}


def _check_same_data(pair):
    for table in ("households", "members"):
        at_commune, at_office = rows_of(pair.commune, table), rows_of(pair.office, table)
        assert [r["id"] for r in at_office] == [r["id"] for r in at_commune]        # no duplicate, nothing lost
        assert len({r["id"] for r in at_office}) == len(at_office)
        assert [(r["id"], r["version"]) for r in at_office] == [(r["id"], r["version"]) for r in at_commune]


def _recover(pair, reason="máy xã hỏng, cài lại") -> restore.Restored:
    out = pair.tmp / "usb-khoi-phuc"
    out.mkdir(exist_ok=True)
    path = restore.export_recovery(pair.office, COMMUNE, out, PASS, reason)
    return restore.apply_recovery(pair.commune, path, PASS)


def test_a_commune_restored_from_an_old_backup_continues_its_chain(pair):
    pair.add_households(3)
    _send(pair, "2026-01")
    saved = _snapshot(pair.commune, pair.tmp / "sao-luu")           # the backup after bundle 1
    ids = [r["id"] for r in rows_of(pair.commune, "households")]
    households.update_household(pair.commune, ids[0], {"village": "Thôn Mới"})
    pair.add_households(2, village="Thôn 2")
    _send(pair, "2026-02")
    households.update_household(pair.commune, ids[1], {"village": "Thôn Ba"})
    third = _send(pair, "2026-03")
    before_office = _data(pair.office)
    _replace_commune(pair, saved)                                   # the PC died; back from the backup
    assert len(rows_of(pair.commune, "households")) == 3
    # without recovery its next bundle is a fork, refused for ever
    stale = export.export_bundle(pair.commune, "2026-04", pair.outbox, PASS)
    assert json.loads(entries(stale)["manifest.json"])["sequence"] == 2
    with pytest.raises(BundleError, match="rẽ nhánh"):
        importer.apply_bundle(pair.office, stale, PASS)
    result = _recover(pair)
    assert result.status == "applied" and result.head_sequence == 3, result.message
    assert _data(pair.commune) == before_office                     # edits of bundles 2 and 3 are back
    _check_same_data(pair)
    # the restored rows are not re-sent; the chain continues at 4 with prev = sha(3)
    pair.add_households(1, village="Thôn 4")
    preview = export.preview_export(pair.commune, "2026-04")
    assert preview.sequence == 4 and preview.tables["households"] == {"new": 1, "changed": 0}
    fourth = export.export_bundle(pair.commune, "2026-04", pair.outbox, PASS)
    doc = json.loads(entries(fourth)["manifest.json"])
    assert doc["sequence"] == 4 and doc["prev_sha256"] == hashlib.sha256(entries(third)["manifest.json"]).hexdigest()
    res = importer.apply_bundle(pair.office, fourth, PASS)
    assert res.status == "applied", res.message
    assert importer.apply_bundle(pair.commune, res.receipts[0], PASS).status == "acknowledged"
    _check_same_data(pair)
    assert len(rows_of(pair.office, "households")) == 6
    # the audit log holds the procedure at both ends
    office_log = [json.loads(r["after"]) for r in pair.office.query(
        "SELECT after FROM audit_log WHERE table_name = 'bundles' AND field = 'recovery'")]
    assert office_log[0]["procedure"].startswith("lost-pc") and office_log[0]["reason"] == "máy xã hỏng, cài lại"
    commune_log = [json.loads(r["after"]) for r in pair.commune.query(
        "SELECT after FROM audit_log WHERE table_name = 'bundles' AND field = 'recovery'")]
    assert commune_log[0]["head_sequence"] == 3 and commune_log[0]["office"] == OFFICE
    # the commune's own audit history of bundles 2–3 is back (kept apart, never re-sent)
    assert pair.commune.scalar("SELECT count(*) FROM replica_audit WHERE unit_code = ?", (COMMUNE,)) > 0
    # importing the recovery file again changes nothing
    again = pair.tmp / "usb-khoi-phuc" / restore.recovery_file_name(OFFICE, COMMUNE, 3)
    before = dump(pair.commune)
    assert restore.apply_recovery(pair.commune, again, PASS).status == "duplicate"
    assert dump(pair.commune) == before


def test_a_fresh_install_with_new_keys_gets_its_data_back(pair):
    pair.add_households(4)
    _send(pair, "2026-01")
    pair.add_households(2, village="Thôn 2")
    _send(pair, "2026-02")
    office_card = pair.tmp / "cards" / "phong.json"
    pair.commune.close()
    pair.commune = make_store(pair.tmp / "xa-moi.sqlite", "commune", COMMUNE, OFFICE)   # new PC, new keys
    roster.trust_card(pair.commune, office_card)
    # the office's step: the new key card, confirmed by the fingerprint read over the phone
    card = keycard.own_card(pair.commune)
    before = dump(pair.office)
    with pytest.raises(AppError):
        recovery.confirm_new_key(pair.office, card, "1234 5678", "máy xã hỏng")
    assert dump(pair.office) == before
    recovery.confirm_new_key(pair.office, card, card.display_fingerprint, "máy xã hỏng, cài lại")
    result = _recover(pair)
    assert result.counts["households"]["new"] == 6 and result.counts["members"]["new"] == 12
    _check_same_data(pair)
    assert export.preview_export(pair.commune, "2026-03").total_rows == 0       # nothing to re-send
    households.update_household(pair.commune, rows_of(pair.commune, "households")[0]["id"], {"village": "Thôn 9"})
    third = export.export_bundle(pair.commune, "2026-03", pair.outbox, PASS)
    assert json.loads(entries(third)["manifest.json"])["sequence"] == 3
    assert importer.apply_bundle(pair.office, third, PASS).status == "applied"
    _check_same_data(pair)
    assert len(rows_of(pair.office, "households")) == 6
    replaced = pair.office.query("SELECT after FROM audit_log WHERE field = 'replace_key'")
    assert any("máy xã hỏng, cài lại" in r["after"] for r in replaced)


def test_same_version_with_other_content_the_office_copy_wins_and_the_local_one_is_logged(pair):
    pair.add_households(1)
    _send(pair, "2026-01")
    saved = _snapshot(pair.commune, pair.tmp / "sao-luu")
    hid = rows_of(pair.commune, "households")[0]["id"]
    households.update_household(pair.commune, hid, {"village": "Thôn A"})
    _send(pair, "2026-02")
    _replace_commune(pair, saved)
    households.update_household(pair.commune, hid, {"village": "Thôn B"})       # re-typed differently, same version
    assert rows_of(pair.commune, "households")[0]["version"] == rows_of(pair.office, "households")[0]["version"]
    result = _recover(pair)
    assert result.counts["households"]["overwritten"] == 1
    assert rows_of(pair.commune, "households")[0]["village"] == "Thôn A"
    kept = pair.commune.query("SELECT before FROM audit_log WHERE field = 'recovery_overwritten' AND row_id = ?", (hid,))
    assert len(kept) == 1 and "Thôn B" in kept[0]["before"]


def test_rows_only_the_commune_has_are_sent_with_the_next_bundle(pair):
    pair.add_households(1)
    _send(pair, "2026-01")
    pair.add_households(1, village="Thôn 2")
    export.export_bundle(pair.commune, "2026-02", pair.outbox, PASS).unlink()  # lost on the way
    result = _recover(pair, reason="gói số 2 bị mất, máy xã phải cài lại")
    assert result.counts["households"]["kept_local"] == 1
    kinds = {r["sequence"]: r["kind"] for r in pair.commune.query("SELECT sequence, kind FROM bundles "
                                                                  "WHERE direction = 'out' AND kind LIKE 'commune%'")}
    assert kinds == {1: "commune-report", 2: restore.ABANDONED_OUT}   # the lost bundle 2 left the chain
    nxt = export.export_bundle(pair.commune, "2026-02", pair.outbox, PASS)
    assert json.loads(entries(nxt)["manifest.json"])["sequence"] == 2
    assert importer.apply_bundle(pair.office, nxt, PASS).status == "applied"
    _check_same_data(pair)


def test_an_office_that_lost_its_data_restarts_the_chain_and_takes_a_full_bundle(pair):
    pair.add_households(2)
    _send(pair, "2026-01")
    saved = _snapshot(pair.office, pair.tmp / "sao-luu-phong")
    pair.add_households(2, village="Thôn 2")
    _send(pair, "2026-02")
    _send(pair, "2026-03") if export.preview_export(pair.commune, "2026-03").total_rows else None
    office_path = pair.office.path
    pair.office.close()
    shutil.copyfile(saved, office_path)
    pair.office = open_db(office_path, user="canbo")
    assert len(rows_of(pair.office, "households")) == 2
    pair.add_households(1, village="Thôn 3")
    delta = export.export_bundle(pair.commune, "2026-04", pair.outbox, PASS)
    assert importer.apply_bundle(pair.office, delta, PASS).status == "waiting"
    before = dump(pair.office)
    with pytest.raises(AppError):
        recovery.restart_chain(pair.office, COMMUNE, 0, "mất dữ liệu")
    with pytest.raises(AppError):
        recovery.restart_chain(pair.office, "../x", 3, "mất dữ liệu")
    with pytest.raises(AppError):
        recovery.restart_chain(pair.office, COMMUNE, 3, "   ")
    assert dump(pair.office) == before
    seq = json.loads(entries(delta)["manifest.json"])["sequence"]
    assert recovery.restart_chain(pair.office, COMMUNE, seq, "phục hồi bản sao lưu cũ của phòng") == 1
    with pytest.raises(BundleError, match="đầy đủ"):                           # the waiting delta is set aside
        importer.apply_bundle(pair.office, delta, PASS)
    full = export.export_bundle(pair.commune, "2026-04", pair.outbox, PASS, full=True)
    res = importer.apply_bundle(pair.office, full, PASS)
    assert res.status == "applied", res.message
    importer.apply_bundle(pair.commune, res.receipts[0], PASS)
    _check_same_data(pair)
    assert len(rows_of(pair.office, "households")) == 5
    pair.add_households(1, village="Thôn 5")
    nxt = export.export_bundle(pair.commune, "2026-05", pair.outbox, PASS)
    assert importer.apply_bundle(pair.office, nxt, PASS).status == "applied"
    _check_same_data(pair)
    log = pair.office.query("SELECT after FROM audit_log WHERE field = 'chain_restart'")
    assert "phục hồi bản sao lưu cũ của phòng" in log[0]["after"]


def test_a_recovery_bundle_is_refused_where_it_does_not_belong(pair):
    pair.add_households(1)
    _send(pair, "2026-01")
    out = pair.tmp / "kp"
    out.mkdir()
    path = restore.export_recovery(pair.office, COMMUNE, out, PASS, "máy xã hỏng")
    before = dump(pair.office)
    with pytest.raises(BundleError):                 # not an ordinary bundle, and not for the office
        importer.apply_bundle(pair.office, path, PASS)
    assert dump(pair.office) == before
    payload = bytearray(entries(path)["payload.bin"])
    payload[10] ^= 1
    broken = rezip(path, out / "hong.cnb", {"payload.bin": bytes(payload)})
    before = dump(pair.commune)
    with pytest.raises(BundleError):
        restore.apply_recovery(pair.commune, broken, PASS)
    with pytest.raises(BundleError):
        importer.apply_bundle(pair.commune, path, PASS)
    assert dump(pair.commune) == before
    with pytest.raises(AppError):                    # a commune cannot make one
        restore.export_recovery(pair.commune, COMMUNE, out, PASS, "thử")
    with pytest.raises(AppError):                    # nor the office for a unit it never heard from
        restore.export_recovery(pair.office, "00641", out, PASS, "thử")


# --- the command line, as the cadres type it ------------------------------------------------------
@pytest.fixture
def run(monkeypatch, capsys):
    from cannngheo_desktop import cli

    monkeypatch.setattr(cli, "COMMAND_MODULES", ("init", "keys", "bundle", "recovery"))

    def call(*argv: object) -> tuple[int, str]:
        code = cli.main([str(a) for a in argv])
        out = capsys.readouterr()
        return code, out.out + out.err
    return call


def test_lost_pc_from_the_command_line(run, tmp_path: Path):
    secret = tmp_path / "pass.txt"
    secret.write_text("cum-mat-khau-1\n", encoding="utf-8")
    xa, phong, usb = tmp_path / "xa.sqlite", tmp_path / "phong.sqlite", tmp_path / "usb"
    usb.mkdir()
    init = ("--admin", "canbo", "--password-file", secret)
    run("init", "--on", "01/06/2024", "--db", xa, "--role", "commune", "--unit", COMMUNE, "--receiving-unit", OFFICE, *init)
    run("init", "--on", "01/06/2024", "--db", phong, "--role", "aggregator", "--unit", OFFICE, *init)

    def card_of(db: Path, name: str) -> str:
        code, out = run("keys", "card", "--db", db, "--out", tmp_path / name)
        assert code == 0, out
        return out.split("Dấu vân tay: ")[1].splitlines()[0]

    for db in (xa, phong):
        assert run("keys", "init", "--db", db, "--passphrase-file", secret)[0] == 0
    assert run("keys", "trust", "--db", phong, tmp_path / "xa.json", "--fingerprint", card_of(xa, "xa.json"))[0] == 0
    assert run("keys", "trust", "--db", xa, tmp_path / "phong.json", "--fingerprint", card_of(phong, "phong.json"))[0] == 0
    assert run("bundle", "export", "--db", xa, "--period", "2026-01", "--out", usb, "--passphrase-file", secret)[0] == 0
    assert run("bundle", "import", "--db", phong, usb / f"{COMMUNE}-2026-01-1.cnb", "--passphrase-file", secret)[0] == 0
    # the commune's PC dies: a fresh install, new keys, the office's card trusted again
    xa2 = tmp_path / "xa-moi.sqlite"
    run("init", "--on", "01/06/2024", "--db", xa2, "--role", "commune", "--unit", COMMUNE, "--receiving-unit", OFFICE, *init)
    run("keys", "init", "--db", xa2, "--passphrase-file", secret)
    run("keys", "trust", "--db", xa2, tmp_path / "phong.json", "--fingerprint", card_of(phong, "phong.json"))
    new_fp = card_of(xa2, "xa-moi.json")
    # the office: a wrong fingerprint changes nothing (exit 1 or 4), the right one is audited
    code, out = run("recovery", "confirm-key", "--db", phong, tmp_path / "xa-moi.json", "--fingerprint",
                    "0000 1111", "--reason", "máy xã hỏng")
    assert code in (1, 4) and "Lỗi" in out
    code, out = run("recovery", "confirm-key", "--db", phong, tmp_path / "xa-moi.json", "--fingerprint", new_fp,
                    "--reason", "máy xã hỏng, cài lại")
    assert code == 0 and new_fp in out, out
    kp = tmp_path / "kp"
    kp.mkdir()
    code, out = run("recovery", "export", "--db", phong, "--unit", COMMUNE, "--out", kp, "--reason",
                    "máy xã hỏng, cài lại", "--passphrase-file", secret)
    assert code == 0, out
    recovery_file = kp / restore.recovery_file_name(OFFICE, COMMUNE, 1)
    code, out = run("recovery", "apply", "--db", xa2, recovery_file, "--passphrase-file", secret)
    assert code == 0 and "Gói tiếp theo là số 2" in out, out
    code, out = run("recovery", "status", "--db", xa2)
    assert code == 0 and "đã gửi đến gói số 1" in out
    assert run("bundle", "export", "--db", xa2, "--period", "2026-02", "--out", usb, "--passphrase-file", secret)[0] == 0
    code, out = run("bundle", "import", "--db", phong, usb / f"{COMMUNE}-2026-02-2.cnb", "--passphrase-file", secret)
    assert code == 0 and "đã nhập gói số 2" in out, out
    # bad input: a documented exit code and a Vietnamese line, never a traceback
    code, out = run("recovery", "restart-chain", "--db", phong, "--unit", "../x", "--at", "2", "--reason", "thử")
    assert code == 1 and "mã đơn vị" in out and "Traceback" not in out
    code, out = run("recovery", "restart-chain", "--db", phong, "--unit", COMMUNE, "--at", "0", "--reason", "thử")
    assert code == 1 and "Traceback" not in out
    code, out = run("recovery", "apply", "--db", xa2, tmp_path / "xa.json", "--passphrase-file", secret)
    assert code == 4 and "xa.json" in out
    code, out = run("recovery", "restart-chain", "--db", phong, "--unit", COMMUNE, "--at", "3", "--reason",
                    "phục hồi bản sao lưu", "--not-full")
    assert code == 0 and "bắt đầu lại" in out


def test_the_recovered_commune_picks_up_the_office_reference_chain_with_a_full_bundle(pair):
    pair.add_households(1)
    _send(pair, "2026-01")
    for period in ("2026-01", "2026-02"):
        down = export.export_reference(pair.office, COMMUNE, period, pair.outbox, PASS)
        assert importer.apply_bundle(pair.commune, down, PASS).status == "applied"
    office_card = pair.tmp / "cards" / "phong.json"
    pair.commune.close()
    pair.commune = make_store(pair.tmp / "xa-moi.sqlite", "commune", COMMUNE, OFFICE)
    roster.trust_card(pair.commune, office_card)
    card = keycard.own_card(pair.commune)
    recovery.confirm_new_key(pair.office, card, card.display_fingerprint, "máy xã hỏng, cài lại")
    _recover(pair)
    restart = recovery.get_restart(pair.commune, OFFICE, recovery.REFERENCE)
    assert restart is not None and restart.at == 3 and restart.full
    delta = export.export_reference(pair.office, COMMUNE, "2026-03", pair.outbox, PASS)
    before = dump(pair.commune)
    with pytest.raises(BundleError, match="ĐẦY ĐỦ"):
        importer.apply_bundle(pair.commune, delta, PASS)
    assert dump(pair.commune) == before
    full = export.export_reference(pair.office, COMMUNE, "2026-03", pair.tmp, PASS, full=True)
    assert importer.apply_bundle(pair.commune, full, PASS).status == "applied"


def _forged_recovery(pair, src: Path, dst: Path, *, plain=None, manifest=None) -> Path:
    """A recovery bundle rebuilt by someone holding the OFFICE's private key: decrypted (commune
    key), changed, re-encrypted for the commune, re-hashed and re-signed. Tests the checks behind a
    good signature."""
    import zlib

    from cannngheo_desktop.exchange import crypto, keys
    from cannngheo_desktop.exchange.envelope import decrypt, open_bundle

    opened = open_bundle(pair.commune, src)
    text = decrypt(pair.commune, opened, PASS)
    if plain is not None:
        text = plain(text)
    doc = json.loads(opened.raw.manifest_bytes)
    eph, nonce, ct = crypto.encrypt_for(keys.current_keys(pair.commune).encrypt_public, zlib.compress(text),
                                        doc["bundle_id"].encode())
    doc["encryption"].update(ephemeral_public_key=crypto.b64(eph), nonce=crypto.b64(nonce))
    doc["payload"][0].update(size=len(ct), sha256=hashlib.sha256(ct).hexdigest())
    if manifest is not None:
        manifest(doc)
    mbytes = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()
    signer = keys.signing_key(pair.office, keys.current_keys(pair.office).sign_id, PASS)
    return rezip(src, dst, {"manifest.json": mbytes, "manifest.sig": crypto.sign(signer, mbytes), "payload.bin": ct})


def test_hostile_recovery_bundles_change_nothing(pair):
    pair.add_households(2)
    _send(pair, "2026-01")
    out = pair.tmp / "kp"
    out.mkdir()
    good = restore.export_recovery(pair.office, COMMUNE, out, PASS, "máy xã hỏng")

    def other_unit(text: bytes) -> bytes:   # a row of another commune slipped in
        return text.replace(f'"unit_code":"{COMMUNE}"'.encode(), b'"unit_code":"00641"', 1)

    def other_head(text: bytes) -> bytes:   # the chain head inside disagrees with the signed manifest
        return text.replace(b'"sequence":1', b'"sequence":7', 1)

    def two_heads(text: bytes) -> bytes:
        head = [line for line in text.split(b"\n") if b'"_receipt"' in line][0]
        return text + head + b"\n"

    cases = {"other-unit": dict(plain=other_unit), "other-head": dict(plain=other_head),
             "two-heads": dict(plain=two_heads, manifest=lambda d: d["payload"][0]["rows"].update(_receipt=2)),
             "fewer-rows": dict(manifest=lambda d: d["payload"][0]["rows"].update(households=1))}
    for name, change in cases.items():
        bad = _forged_recovery(pair, good, out / f"{name}.cnb", **change)
        before = dump(pair.commune)
        with pytest.raises(BundleError) as err:
            restore.apply_recovery(pair.commune, bad, PASS)
        assert f"{name}.cnb" in err.value.message and "chữ ký" not in err.value.message, name
        assert dump(pair.commune) == before, name
    before = dump(pair.office)
    with pytest.raises(BundleError):                 # an office never takes a recovery bundle
        restore.apply_recovery(pair.office, good, PASS)
    assert dump(pair.office) == before
    # once the office has acknowledged a newer bundle of this copy, the recovery bundle is stale
    pair.add_households(1)
    _send(pair, "2026-02")
    before = dump(pair.commune)
    with pytest.raises(BundleError, match="đã cũ"):
        restore.apply_recovery(pair.commune, good, PASS)
    assert dump(pair.commune) == before
