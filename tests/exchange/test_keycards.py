"""Key cards cannot be spoofed (issue 15 point 1), on two real database copies: the fingerprint
covers purpose, role, unit code and both keys; hostile card files are refused before anything is
read into memory; a known unit's key is never replaced but by the explicit, audited action with
the fingerprint read over the phone; old (v1) cards and roster rows upgrade."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from cannngheo_desktop import cli
from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.exchange import crypto, export, importer, keycard, roster, trusted_keys
from cannngheo_desktop.exchange.errors import BundleError
from cannngheo_desktop.storage import open_db
from cannngheo_desktop.storage.driver import sqlite3
from tests.conftest import raw_connect
from tests.exchange.bundle_helpers import COMMUNE, OFFICE, PASS, dump, make_store


def _spec_fingerprint(role: str, unit: str, sign: bytes, enc: bytes) -> str:
    """The version 2 fingerprint as docs/bundle-format.md specifies it, computed here independently."""
    parts = [b"cannngheo-keycard-v2", role.encode(), unit.encode(), sign, enc]
    return hashlib.sha256(b"".join(len(p).to_bytes(4, "big") + p for p in parts)).hexdigest()


def _card_doc(card: keycard.KeyCard) -> dict:
    return card.to_json()


def _write(path: Path, doc: dict | list | str | bytes) -> Path:
    if isinstance(doc, (dict, list)):
        doc = json.dumps(doc, ensure_ascii=False)
    path.write_bytes(doc if isinstance(doc, bytes) else doc.encode("utf-8"))
    return path


# --- the fingerprint ---------------------------------------------------------------------------
def test_fingerprint_covers_purpose_role_unit_and_both_keys(pair):
    card = keycard.own_card(pair.commune)
    assert card.fingerprint == _spec_fingerprint("commune", COMMUNE, card.sign_public, card.encrypt_public)
    assert len(card.fingerprint) == 64 and len(card.display_fingerprint.replace(" ", "")) == 32
    changed = {
        "unit": crypto.keycard_fingerprint("commune", "00641", card.sign_public, card.encrypt_public),
        "role": crypto.keycard_fingerprint("aggregator", COMMUNE, card.sign_public, card.encrypt_public),
        "sign": crypto.keycard_fingerprint("commune", COMMUNE, b"\1" * 32, card.encrypt_public),
        "swap": crypto.keycard_fingerprint("commune", COMMUNE, card.encrypt_public, card.sign_public),
    }
    assert all(fp[:32] != card.fingerprint[:32] for fp in changed.values())
    # length prefixes: moving a byte from one field to the next changes the fingerprint
    a = crypto.keycard_fingerprint("commune", "0064", card.sign_public, card.encrypt_public)
    assert a != crypto.keycard_fingerprint("commune", "00640", card.sign_public, card.encrypt_public)
    assert crypto.fingerprint_matches(card.display_fingerprint.lower().replace(" ", "-"), card.fingerprint)
    assert crypto.fingerprint_matches(card.fingerprint.upper(), card.fingerprint)
    assert not crypto.fingerprint_matches(card.display_fingerprint[:-1], card.fingerprint)
    assert not crypto.fingerprint_matches(card.display_fingerprint[:19], card.fingerprint)  # 64 bits: not enough
    assert not crypto.fingerprint_matches("", card.fingerprint)


def test_a_card_whose_unit_code_or_role_was_changed_no_longer_matches(pair):
    card = keycard.own_card(pair.commune)
    doc = _card_doc(card)
    for field, value in (("unit_code", "00641"), ("role", "aggregator")):
        forged = dict(doc, **{field: value})
        with pytest.raises(BundleError, match="không khớp"):  # the printed fingerprint on it gives it away
            keycard.read_card(_write(pair.tmp / f"{field}.json", forged))
        del forged["fingerprint"], forged["fingerprint_full"]  # an attacker simply drops it
        read = keycard.read_card(_write(pair.tmp / f"{field}.json", forged))
        assert not crypto.fingerprint_matches(card.display_fingerprint, read.fingerprint)


# --- the attack: an impostor's card for a known (and for a new) unit ------------------------------
def test_impostor_card_for_a_known_unit_is_refused_and_nothing_changes(pair):
    impostor = make_store(pair.tmp / "gia.sqlite", "commune", COMMUNE, OFFICE)   # same unit code, own keys
    card_path = pair.tmp / "gia.json"
    keycard.write_card(keycard.own_card(impostor), card_path)
    # the impostor also dresses the name up as markup and a fake fingerprint
    doc = json.loads(card_path.read_text(encoding="utf-8"))
    real = keycard.own_card(pair.commune)
    doc["unit_name"] = f"<b>Xã Thanh Trì</b> — dấu vân tay {real.display_fingerprint}"
    _write(card_path, doc)
    before = dump(pair.office)
    with pytest.raises(BundleError) as err:
        roster.trust_card(pair.office, card_path)
    assert "khóa KHÁC" in err.value.message and "--replace" in err.value.message
    # even with the fingerprint the real commune reads out, the impostor's keys do not match
    with pytest.raises(BundleError, match="không khớp"):
        roster.replace_unit_key(pair.office, card_path, typed_fingerprint=real.display_fingerprint,
                                reason="máy hỏng, cài lại")
    assert dump(pair.office) == before
    impostor.close()


def test_impostor_card_for_a_new_unit_shows_a_fingerprint_that_does_not_match(tmp_path):
    office = make_store(tmp_path / "phong.sqlite", "aggregator", OFFICE, None)
    commune = make_store(tmp_path / "xa.sqlite", "commune", COMMUNE, OFFICE)
    impostor = make_store(tmp_path / "gia.sqlite", "commune", COMMUNE, OFFICE)
    read_over_phone = keycard.own_card(commune).display_fingerprint
    fake = keycard.own_card(impostor)
    assert fake.display_fingerprint != read_over_phone
    before = dump(office)
    with pytest.raises(BundleError, match="không khớp"):
        roster.trust_card(office, fake, confirmed_fingerprint=read_over_phone)
    assert dump(office) == before
    roster.trust_card(office, keycard.own_card(commune), confirmed_fingerprint=read_over_phone)
    assert {k.unit_code for k in roster.list_roster(office)} == {COMMUNE}
    for store in (office, commune, impostor):
        store.close()


# --- hostile card files ------------------------------------------------------------------------
HOSTILE = {
    "nan": lambda d: json.dumps(d).replace('"version": 2', '"version": NaN'),
    "infinity": lambda d: json.dumps(d).replace('"version": 2', '"version": Infinity'),
    "huge_number": lambda d: json.dumps(d).replace('"version": 2', '"version": 1e999'),
    "long_integer": lambda d: json.dumps(d).replace('"version": 2', '"version": ' + "9" * 5000),
    "bool_version": lambda d: dict(d, version=True),
    "repeated_field": lambda d: json.dumps(d)[:-1] + ', "unit_code": "00641"}',
    "unit_path": lambda d: dict(d, unit_code="../../x"),
    "unit_newline": lambda d: dict(d, unit_code="00640\n"),
    "unit_arabic_digits": lambda d: dict(d, unit_code="٠٠٦٤٠"),
    "unit_number": lambda d: dict(d, unit_code=640),
    "role": lambda d: dict(d, role="admin"),
    "name_control": lambda d: dict(d, unit_name="Xã A\x1b[2J"),
    "name_bidi": lambda d: dict(d, unit_name="Xã \u202eAAAA"),
    "name_newline": lambda d: dict(d, unit_name="Xã A\nDấu vân tay: 0000"),
    "name_long": lambda d: dict(d, unit_name="X" * 121),
    "name_list": lambda d: dict(d, unit_name=["Xã A"]),
    "key_short": lambda d: dict(d, sign_public=crypto.b64(b"\1" * 31)),
    "key_not_base64": lambda d: dict(d, encrypt_public="!" * 44),
    "key_number": lambda d: dict(d, sign_public=12),
    "key_missing": lambda d: {k: v for k, v in d.items() if k != "encrypt_public"},
    "not_a_card": lambda d: dict(d, format="something-else"),
    "a_list": lambda d: [d],
    "deep": lambda d: "[" * 60000 + "]" * 60000,
    "not_utf8": lambda d: b"\xff\xfe" + json.dumps(d).encode("utf-16-le"),
    "empty": lambda d: "",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_card_files_are_refused_naming_the_file(pair, case):
    doc = _card_doc(keycard.own_card(pair.commune))
    doc.pop("fingerprint"), doc.pop("fingerprint_full")
    path = _write(pair.tmp / f"the [{case}].json", HOSTILE[case](doc))
    before = dump(pair.office)
    with pytest.raises(BundleError) as err:
        roster.trust_card(pair.office, path)
    assert f"Tệp 'the [{case}].json' không phải thẻ khóa hợp lệ" in err.value.message
    assert dump(pair.office) == before


def test_size_is_checked_before_reading(pair):
    big = pair.tmp / "big.json"
    with big.open("wb") as fh:       # a sparse 8 GiB file: reading it would take minutes and memory
        fh.truncate(8 * 2**30)
    with pytest.raises(BundleError, match="quá lớn"):
        keycard.read_card(big)
    with pytest.raises(BundleError, match="không phải một tệp thông thường"):
        keycard.read_card(pair.tmp)   # a folder
    if hasattr(os, "mkfifo"):         # a pipe nobody writes to: opening it would block for ever
        fifo = pair.tmp / "pipe.json"
        os.mkfifo(fifo)
        with pytest.raises(BundleError, match="không phải một tệp thông thường"):
            keycard.read_card(fifo)
    exact = _write(pair.tmp / "exact.json", b" " * keycard.MAX_CARD_BYTES)  # at the cap: read, then refused as JSON
    with pytest.raises(BundleError, match="không phải JSON"):
        keycard.read_card(exact)


def test_cli_refuses_a_hostile_card_with_exit_4_and_no_traceback(pair, capsys, monkeypatch):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("keys",))
    path = _write(pair.tmp / "hong.json", '{"format": "cannngheo-keycard", "version": NaN}')
    before = dump(pair.office)
    code = cli.main(["keys", "trust", "--db", str(pair.office.path), str(path), "--fingerprint", "00" * 16])
    err = capsys.readouterr().err
    assert code == 4 and "hong.json" in err and "không phải thẻ khóa hợp lệ" in err and "Traceback" not in err
    assert dump(pair.office) == before


# --- replacing a known unit's key ----------------------------------------------------------------
def _reinstalled_commune(pair):
    """The commune's PC died: a new copy, same unit, new keys, and its new card."""
    new = make_store(pair.tmp / "xa-moi.sqlite", "commune", COMMUNE, OFFICE)
    roster.trust_card(new, keycard.own_card(pair.office))
    path = pair.tmp / "xa-moi.json"
    keycard.write_card(keycard.own_card(new), path)
    return new, path


def test_replace_needs_the_read_out_fingerprint_and_a_reason_and_is_one_audited_step(pair):
    old_card = keycard.own_card(pair.commune)
    new_store, path = _reinstalled_commune(pair)
    new_card = keycard.read_card(path)
    before = dump(pair.office)
    with pytest.raises(BundleError, match="không khớp"):
        roster.replace_unit_key(pair.office, path, typed_fingerprint=old_card.display_fingerprint, reason="máy hỏng")
    with pytest.raises(ValidationError, match="lý do"):
        roster.replace_unit_key(pair.office, path, typed_fingerprint=new_card.display_fingerprint, reason="  ")
    with pytest.raises(ValidationError):
        roster.replace_unit_key(pair.office, path, typed_fingerprint=new_card.display_fingerprint,
                                reason="máy hỏng\x00")
    assert dump(pair.office) == before
    done = roster.replace_unit_key(pair.office, path, typed_fingerprint=new_card.display_fingerprint,
                                   reason="Máy xã hỏng ổ cứng, cài lại; đã gọi ông Nguyễn Văn A")
    assert done.old_fingerprints == [old_card.display_fingerprint] and sorted(done.revoked) == sorted(
        [old_card.sign_key_id, old_card.encrypt_key_id])
    active = [k for k in roster.list_roster(pair.office) if k.unit_code == COMMUNE and k.active]
    assert sorted((k.kind, k.key_id) for k in active) == [("encrypt", new_card.encrypt_key_id),
                                                        ("sign", new_card.sign_key_id)]
    entry = pair.office.query_one("SELECT * FROM audit_log WHERE field = 'replace_key'")
    after, old = json.loads(entry["after"]), json.loads(entry["before"])
    assert entry["user"] == "canbo" and entry["at"] and entry["row_id"] == f"unit:{COMMUNE}"
    assert after["fingerprint"] == new_card.fingerprint and after["reason"].startswith("Máy xã hỏng")
    assert old["fingerprints"] == [old_card.fingerprint] and after["old_fingerprints"] == [old_card.fingerprint]
    # the old keys are revoked: a bundle from the dead PC's backup is refused, the new copy's accepted
    pair.add_households(1)
    stale = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    snapshot = dump(pair.office)
    with pytest.raises(BundleError, match="thu hồi"):
        importer.apply_bundle(pair.office, stale, PASS)
    assert dump(pair.office) == snapshot
    out = pair.tmp / "usb-moi"
    out.mkdir()
    fresh = export.export_bundle(new_store, "2026-01", out, PASS)
    assert importer.apply_bundle(pair.office, fresh, PASS).status == "applied"
    new_store.close()


def test_one_active_key_per_unit_is_kept_by_the_database(pair):
    before = dump(pair.office)
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):   # a second active encryption key
        trusted_keys.add_trusted(pair.office, "0" * 16, COMMUNE, "encrypt", crypto.b64(b"\2" * 32), "f" * 64, "commune")
    assert dump(pair.office) == before
    assert trusted_keys.active_trusted(pair.office, COMMUNE, "encrypt")["id"] == keycard.own_card(pair.commune).encrypt_key_id


def test_cli_trust_and_replace(pair, capsys, monkeypatch):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("keys",))
    db = str(pair.office.path)
    new_store, path = _reinstalled_commune(pair)
    new_fp = keycard.read_card(path).display_fingerprint

    def run(*argv: str) -> tuple[int, str]:
        code = cli.main(list(argv))
        out = capsys.readouterr()
        return code, out.out + out.err

    before = dump(pair.office)
    code, out = run("keys", "trust", "--db", db, str(path), "--fingerprint", new_fp)
    assert code == 4 and "khóa KHÁC" in out and new_fp in out and "Vai trò: Xã/phường" in out
    code, out = run("keys", "trust", "--db", db, str(path), "--replace", "--fingerprint", new_fp)
    assert code == 1 and "--reason" in out
    code, out = run("keys", "trust", "--db", db, str(path), "--replace", "--fingerprint", "0000 " * 8,
                    "--reason", "máy hỏng")
    assert code == 4 and "KHÔNG KHỚP" in out
    assert dump(pair.office) == before
    code, out = run("keys", "trust", "--db", db, str(path), "--replace", "--fingerprint", new_fp.lower(),
                    "--reason", "Máy hỏng, cài lại")
    assert code == 0 and "Đã thay khóa" in out and new_fp in out
    code, out = run("keys", "list", "--db", db)
    assert f"thẻ {new_fp}\ttin cậy" in out and "đã thu hồi" in out
    new_store.close()


# --- old cards and old roster rows ----------------------------------------------------------------
def test_v1_card_is_read_but_its_printed_fingerprint_is_ignored(pair):
    card = keycard.own_card(pair.commune)
    v1 = {"format": "cannngheo-keycard", "version": 1, "unit_code": COMMUNE, "unit_name": card.unit_name,
          "role": "commune", "sign_public": crypto.b64(card.sign_public),
          "encrypt_public": crypto.b64(card.encrypt_public), "fingerprint": "DEAD BEEF DEAD BEEF"}
    read = keycard.read_card(_write(pair.tmp / "cu.json", v1))
    assert read.version == 1 and read.fingerprint == card.fingerprint


def test_v1_roster_rows_upgrade_to_v2_audited(pair):
    card = keycard.own_card(pair.commune)
    v1 = crypto.card_fingerprint(card.sign_public, card.encrypt_public)
    pair.office.conn.execute("UPDATE trusted_keys SET fingerprint = ?, role = NULL WHERE unit_code = ?", (v1, COMMUNE))
    assert {k.fingerprint for k in roster.list_roster(pair.office) if k.unit_code == COMMUNE} == {card.fingerprint}
    assert roster.upgrade_fingerprints(pair.office) == 2
    rows = trusted_keys.unit_trusted(pair.office, COMMUNE)
    assert {(r["fingerprint"], r["role"]) for r in rows} == {(card.fingerprint, "commune")}
    audited = pair.office.query("SELECT before, after FROM audit_log WHERE field = 'fingerprint'")
    assert {(a["before"], a["after"]) for a in audited} == {(v1, card.fingerprint)}
    before = dump(pair.office)
    roster.trust_card(pair.office, card, confirmed_fingerprint=card.display_fingerprint)  # the same card: no change
    assert dump(pair.office) == before


def test_migration_8_keeps_the_encryption_key_that_was_in_use(tmp_path):
    from cannngheo_desktop.storage import cipher
    from cannngheo_desktop.storage.db import APPLICATION_ID, MIGRATIONS, _split_sql

    a, b = make_store(tmp_path / "a.sqlite", "commune", COMMUNE, OFFICE), make_store(
        tmp_path / "b.sqlite", "commune", COMMUNE, OFFICE)
    first, second = keycard.own_card(a), keycard.own_card(b)
    path = tmp_path / "phong.sqlite"
    raw = raw_connect(path)   # a database as version 7 left it (its migrations only): two cards, both active
    for number, script in MIGRATIONS:
        if number <= 7:
            for statement in _split_sql(script):
                raw.execute(statement)
    raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for when, card in (("2026-01-01T00:00:00.000000Z", first), ("2026-02-01T00:00:00.000000Z", second)):
        for kind, pub in (("sign", card.sign_public), ("encrypt", card.encrypt_public)):
            raw.execute("INSERT INTO trusted_keys(id, unit_code, kind, public_key, fingerprint, added_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (crypto.key_id(pub), COMMUNE, kind, crypto.b64(pub),
                                                      crypto.card_fingerprint(card.sign_public, card.encrypt_public),
                                                      when))
    raw.execute("PRAGMA user_version = 7")
    raw.commit()
    raw.close()
    store = open_db(path, user="canbo")
    (before_upgrade,) = (path.parent / "backups").glob("phong-*-truoc-nang-cap-v7.sqlite")
    assert not cipher.is_plain_file(before_upgrade)  # the copy before an upgrade is encrypted like the file
    assert trusted_keys.active_trusted(store, COMMUNE, "encrypt")["id"] == second.encrypt_key_id   # the newest, as before
    revoked = store.query("SELECT row_id, after FROM audit_log WHERE after LIKE '%migration 8%'")
    assert [r["row_id"] for r in revoked] == [first.encrypt_key_id]
    assert {k.fingerprint for k in roster.list_roster(store) if k.kind == "encrypt"} == {first.fingerprint,
                                                                                       second.fingerprint}
    for s in (store, a, b):
        s.close()


# --- the printed page -----------------------------------------------------------------------------
def test_printed_card_has_v2_fingerprint_diacritics_date_and_a_qr_of_the_card(pair):
    card = keycard.own_card(pair.commune)
    card = keycard.KeyCard(card.unit_code, "Xã Đồng Tâm – Hòa Bình", card.role, card.sign_public,
                           card.encrypt_public, "2026-03-09T20:30:00.000000Z")
    pdf = keycard.write_card_pdf(card, pair.tmp / "the.pdf")
    text = PdfReader(str(pdf)).pages[0].extract_text()
    groups = card.display_fingerprint.split(" ")
    assert " ".join(groups[:4]) in text and " ".join(groups[4:]) in text
    assert "Đơn vị: Xã Đồng Tâm – Hòa Bình (mã 00640)" in text
    assert "ngày tạo 10/03/2026" in text   # 20:30 UTC is already the 10th in Vietnam
    assert "Vai trò: Xã/phường" in text
    assert keycard.parse_card(keycard.qr_text(card).encode("utf-8")) == keycard.KeyCard(
        card.unit_code, card.unit_name, card.role, card.sign_public, card.encrypt_public, card.created)


def test_after_an_endorsed_rotation_the_new_card_is_already_trusted_not_a_replacement(pair):
    from cannngheo_desktop.exchange import keys
    from tests.exchange.bundle_helpers import CHEAP

    old = keycard.own_card(pair.commune)
    keys.init_keys(pair.commune, PASS, kdf=CHEAP, rotate=True)
    pair.add_households(1)
    bundle = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    assert importer.apply_bundle(pair.office, bundle, PASS).status == "applied"
    new = keycard.own_card(pair.commune)
    assert roster.card_status(pair.office, new).state == "same"
    before = dump(pair.office)
    roster.trust_card(pair.office, new, confirmed_fingerprint=new.display_fingerprint)
    assert dump(pair.office) == before
    # the old card is refused: its encryption key was revoked by the rotation
    assert roster.card_status(pair.office, old).state == "refused"


def test_cli_on_a_terminal_asks_for_the_read_out_fingerprint(pair, capsys, monkeypatch):
    import builtins
    import sys

    monkeypatch.setattr(cli, "COMMAND_MODULES", ("keys",))
    new_store, path = _reinstalled_commune(pair)
    card = keycard.read_card(path)
    fresh = make_store(pair.tmp / "phong-moi.sqlite", "aggregator", OFFICE, None)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    answers = iter(["0000 1111 2222 3333 4444 5555 6666 7777", "", card.display_fingerprint])
    monkeypatch.setattr(builtins, "input", lambda prompt="": next(answers))
    argv = ["keys", "trust", "--db", str(fresh.path), str(path)]
    before = dump(fresh)
    assert cli.main(argv) == 4 and "KHÔNG KHỚP" in capsys.readouterr().err   # misheard
    assert cli.main(argv) == 1                                                # nothing typed: cancelled
    assert dump(fresh) == before
    assert cli.main(argv) == 0 and "dấu vân tay khớp" in capsys.readouterr().out
    assert {k.fingerprint for k in roster.list_roster(fresh)} == {card.fingerprint}
    new_store.close()
    fresh.close()


def test_a_missing_card_file_is_named_in_vietnamese(pair):
    with pytest.raises(BundleError) as err:
        keycard.read_card(pair.tmp / "khong-co.json")
    assert err.value.message.startswith("Không đọc được tệp thẻ khóa 'khong-co.json': không tìm thấy tệp")
