"""The key passphrase: scrypt N=2^17 for new keys, old boxes read and re-sealed on unlock, change of
passphrase without new keys (library and `cannngheo keys passphrase`), the wait after repeated
wrong passphrases (counted in the database, audited)."""

from __future__ import annotations

import json
import os
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from cannngheo_desktop import cli
from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.exchange import crypto, export, importer, keycard, keys, passphrase_tries, sync
from cannngheo_desktop.exchange.errors import BundleError
from cannngheo_desktop.storage import installation, open_db
from cannngheo_desktop.storage.db import Store
from tests.exchange.bundle_helpers import CHEAP, COMMUNE, OFFICE, PASS, data_dump, dump, make_store

NEW = "đường về thôn Bến Đò"


@pytest.fixture
def store(tmp_path: Path):
    s = make_store(tmp_path / "xa.sqlite", "commune", COMMUNE, OFFICE)
    yield s
    s.close()


def legacy_box(raw: bytes, passphrase: str, aad: str, n: int = 2**15) -> str:
    """A private key sealed exactly as the app did before version 2 (N=2^15, passphrase bytes as typed)."""
    salt, nonce = os.urandom(16), os.urandom(12)
    key = Scrypt(salt=salt, length=32, n=n, r=8, p=1).derive(passphrase.encode("utf-8"))
    ct = AESGCM(key).encrypt(nonce, raw, aad.encode("ascii"))
    return json.dumps({"kdf": "scrypt", "n": n, "r": 8, "p": 1, "salt": crypto.b64(salt),
                       "cipher": "AES-256-GCM", "nonce": crypto.b64(nonce), "ct": crypto.b64(ct)})


def sealed(store: Store, key_id: str) -> dict:
    return json.loads(sync.get_key(store, key_id)["private_key_encrypted"])


def key_events(store: Store) -> list[tuple[str, dict]]:
    rows = store.query("SELECT row_id, after FROM audit_log WHERE table_name = 'key_passphrase' ORDER BY id")
    return [(r["row_id"], json.loads(r["after"])) for r in rows]


def raw_sign(store: Store, passphrase: str) -> bytes:
    return keys.signing_key(store, keys.require_keys(store).sign_id, passphrase).sign(b"thu")


@pytest.fixture
def bare(tmp_path: Path):
    """A fresh install without keys yet."""
    s = open_db(tmp_path / "moi.sqlite", user="canbo")
    installation.initialize(s, role="commune", unit_code=COMMUNE, receiving_unit_code=OFFICE,
                            admin_name="canbo", admin_password="matkhau-123")
    yield s
    s.close()


def test_new_keys_use_scrypt_2_17_over_nfc(bare):
    assert keys.DEFAULT_KDF.n == 2**17
    pair = keys.init_keys(bare, NEW)  # the default cost, as the window and the command line use it
    for key_id in (pair.sign_id, pair.encrypt_id):
        box = sealed(bare, key_id)
        assert (box["v"], box["norm"], box["n"], box["r"], box["p"]) == (2, "NFC", 2**17, 8, 1)
    # typed decomposed (NFD, as some keyboards/pastes give) it still opens
    keys.check_passphrase(bare, unicodedata.normalize("NFD", NEW))


def test_a_new_passphrase_follows_the_policy(bare):
    for weak, word in (("ngan-9-ky", "ít nhất 10"), ("matkhau123", "phổ biến"), ("Mật Khẩu 123", "phổ biến"),
                       ("canbo-o-xa-nay", "canbo"), ("ma-xa-00640-ok", "00640")):
        with pytest.raises(ValidationError, match=word):
            keys.init_keys(bare, weak, kdf=CHEAP)
    assert keys.current_keys(bare) is None


def test_an_old_box_opens_and_is_resealed_at_the_new_cost_once(store):
    pair = keys.require_keys(store)
    typed = unicodedata.normalize("NFD", "khóa cũ của xã")  # the old code hashed the bytes as typed
    raw = keys._private_raw(store, pair.sign_id, PASS)
    store.conn.execute("UPDATE keys SET private_key_encrypted = ? WHERE id = ?",
                       (legacy_box(raw, typed, pair.sign_id), pair.sign_id))
    store.conn.commit()
    signature = raw_sign(store, typed)
    assert crypto.verify(pair.sign_public, signature, b"thu")
    box = sealed(store, pair.sign_id)
    assert (box["v"], box["n"]) == (2, 2**17)
    audit = store.query("SELECT after FROM audit_log WHERE table_name = 'keys' AND row_id = ? "
                        "AND field = 'private_key_encrypted'", (pair.sign_id,))
    assert [json.loads(a["after"])["reason"] for a in audit] == ["rewrap"]
    assert "ct" not in audit[0]["after"] and "salt" not in audit[0]["after"]
    # the re-sealed key opens with the same words in either form, and is not re-sealed again
    before = sync.get_key(store, pair.sign_id)["private_key_encrypted"]
    raw_sign(store, unicodedata.normalize("NFC", typed))
    assert sync.get_key(store, pair.sign_id)["private_key_encrypted"] == before
    # the encryption key, still cheap version 2 here, is never re-sealed behind the caller's back
    enc_before = sync.get_key(store, pair.encrypt_id)["private_key_encrypted"]
    keys.encryption_key(store, pair.encrypt_id, PASS)
    assert sync.get_key(store, pair.encrypt_id)["private_key_encrypted"] == enc_before


def test_a_wrong_passphrase_on_an_old_box_changes_it_not(store):
    pair = keys.require_keys(store)
    raw = keys._private_raw(store, pair.sign_id, PASS)
    old = legacy_box(raw, PASS, pair.sign_id, n=2**10)
    store.conn.execute("UPDATE keys SET private_key_encrypted = ? WHERE id = ?", (old, pair.sign_id))
    store.conn.commit()
    with pytest.raises(BundleError, match="không đúng"):
        keys.check_passphrase(store, "khong-phai-cum-nay")
    assert sync.get_key(store, pair.sign_id)["private_key_encrypted"] == old


def test_a_damaged_box_is_a_message_not_a_hang(store):
    pair = keys.require_keys(store)
    box = sealed(store, pair.sign_id)
    for bad in ({**box, "n": 2**40}, {**box, "n": 1000}, {**box, "salt": "@@"}, "not json"):
        text = bad if isinstance(bad, str) else json.dumps(bad)
        store.conn.execute("UPDATE keys SET private_key_encrypted = ? WHERE id = ?", (text, pair.sign_id))
        store.conn.commit()
        with pytest.raises(BundleError, match="bị hỏng"):
            keys.check_passphrase(store, PASS)


def test_change_passphrase_keeps_keys_and_card(pair):
    store = pair.commune
    card_before = keycard.own_card(store)
    current = keys.init_keys(store, PASS, kdf=CHEAP, rotate=True)  # so that one retired pair is there too
    assert current.sign_id != card_before.sign_key_id
    card = keycard.own_card(store)
    done = keys.change_passphrase(store, PASS, NEW, kdf=CHEAP)
    assert (done.changed, done.skipped) == (4, 0)
    assert keycard.own_card(store).fingerprint == card.fingerprint
    assert keys.current_keys(store) == current
    with pytest.raises(BundleError, match="không đúng"):
        keys.check_passphrase(store, PASS)
    keys.check_passphrase(store, NEW)
    retired = card_before.encrypt_key_id
    keys.encryption_key(store, retired, NEW)  # old bundles still open, with the new passphrase
    changed = store.query("SELECT row_id, after FROM audit_log WHERE table_name = 'keys' "
                          "AND field = 'private_key_encrypted'")
    assert sorted(r["row_id"] for r in changed) == sorted(r["id"] for r in store.query("SELECT id FROM keys"))
    assert {json.loads(r["after"])["reason"] for r in changed} == {"passphrase_changed"}
    # bundles go on: signed with the new passphrase, accepted by the office
    pair.add_households(1)
    path = export.export_bundle(store, "2026-01", pair.outbox, NEW)
    assert importer.apply_bundle(pair.office, path, PASS).status == "applied"


def test_change_passphrase_wrong_old_changes_nothing(store):
    before, everything = data_dump(store), dump(store)
    with pytest.raises(BundleError, match="không đúng"):
        keys.change_passphrase(store, "cum-sai-hoan-toan", NEW, kdf=CHEAP)
    assert data_dump(store) == before  # every key row, every other row as it was
    assert dump(store) != everything  # ... but the failure was counted and audited
    assert store.get_setting("key_passphrase_failures") == "1"
    keys.check_passphrase(store, PASS)  # the old passphrase still opens everything


@pytest.mark.parametrize(("new", "word"), [("ngan-qua", "ít nhất 10"), ("quantri123", "phổ biến"),
                                           (PASS, "khác cụm đang dùng")])
def test_change_passphrase_refuses_a_weak_or_same_new_one_before_anything(store, new, word):
    before = dump(store)
    with pytest.raises(ValidationError, match=word):
        keys.change_passphrase(store, PASS, new, kdf=CHEAP)
    assert dump(store) == before  # not even a try was counted


def test_change_passphrase_leaves_keys_of_an_earlier_passphrase(store):
    first = keys.require_keys(store)
    keys.init_keys(store, PASS, kdf=CHEAP, rotate=True)
    raw = keys._private_raw(store, first.encrypt_id, PASS)
    other = keys._seal(raw, "cum-truoc-do-nua", first.encrypt_id, CHEAP)
    store.conn.execute("UPDATE keys SET private_key_encrypted = ? WHERE id = ?", (other, first.encrypt_id))
    store.conn.commit()
    done = keys.change_passphrase(store, PASS, NEW, kdf=CHEAP)
    assert (done.changed, done.skipped) == (3, 1)
    assert sync.get_key(store, first.encrypt_id)["private_key_encrypted"] == other
    keys.encryption_key(store, first.encrypt_id, "cum-truoc-do-nua")


def test_five_failures_then_a_doubling_wait_audited(store):
    for i in range(1, 5):
        with pytest.raises(BundleError) as err:
            keys.check_passphrase(store, f"sai-lan-thu-{i}")
        assert "không đúng" in err.value.message
    assert "Còn 1 lần thử" in err.value.message
    with pytest.raises(BundleError, match="hãy đợi 30 giây"):
        keys.check_passphrase(store, "sai-lan-thu-5")
    # during the wait even the right passphrase is not checked, and the count stays
    with pytest.raises(BundleError, match=r"sai cụm mật khẩu khóa 5 lần liên tiếp\. Hãy đợi (30|29|28) giây"):
        keys.check_passphrase(store, PASS)
    assert passphrase_tries.failures(store) == 5
    events = key_events(store)
    assert [e for e, _ in events] == ["unlock_failed"] * 4 + ["locked"]
    assert events[-1][1]["wait_seconds"] == 30 and events[-1][1]["failures"] == 5
    assert all(PASS not in json.dumps(a) and "sai-lan" not in json.dumps(a) for _, a in events)
    # the wait is over (as if 30 seconds passed): one more wrong try doubles it
    store.conn.execute("UPDATE settings SET value = ? WHERE key = ?",
                       ((datetime.now(UTC) - timedelta(seconds=1)).isoformat(), passphrase_tries.WAIT_KEY))
    store.conn.commit()
    with pytest.raises(BundleError, match="hãy đợi 1 phút rồi"):
        keys.check_passphrase(store, "sai-lan-thu-6")
    store.conn.execute("UPDATE settings SET value = NULL WHERE key = ?", (passphrase_tries.WAIT_KEY,))
    store.conn.commit()
    keys.check_passphrase(store, PASS)  # right: the count is cleared and that is audited
    assert passphrase_tries.failures(store) == 0 and passphrase_tries.seconds_left(store) == 0
    assert key_events(store)[-1] == ("unlock_ok", {"event": "unlock_ok", "key_id": keys.require_keys(store).sign_id,
                                                   "failures_before": 6})


def test_wait_grows_to_fifteen_minutes_and_no_further():
    waits = [passphrase_tries.wait_after(n) for n in range(1, 14)]
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:10] == [30, 60, 120, 240, 480, 900] and set(waits[9:]) == {900}
    assert passphrase_tries.describe_wait(900) == "15 phút" and passphrase_tries.describe_wait(150) == "2 phút 30 giây"


def test_a_far_or_damaged_wait_is_capped(store):
    store.conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)",
                       (passphrase_tries.WAIT_KEY, (datetime.now(UTC) + timedelta(days=400)).isoformat()))
    store.conn.commit()
    assert passphrase_tries.seconds_left(store) == passphrase_tries.MAX_WAIT_S
    store.conn.execute("UPDATE settings SET value = 'hôm qua' WHERE key = ?", (passphrase_tries.WAIT_KEY,))
    store.conn.commit()
    assert passphrase_tries.seconds_left(store) == 0
    keys.check_passphrase(store, PASS)


# --- the command line -----------------------------------------------------------------------------

@pytest.fixture
def run(monkeypatch, capsys):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("init", "keys", "bundle"))

    def call(*argv: object) -> tuple[int, str]:
        code = cli.main([str(a) for a in argv])
        out = capsys.readouterr()
        return code, out.out + out.err
    return call


def test_cli_keys_passphrase(run, tmp_path, capsys):
    old, new, weak = tmp_path / "old.txt", tmp_path / "new.txt", tmp_path / "weak.txt"
    old.write_text(PASS + "\n", encoding="utf-8")
    new.write_text(NEW + "\n", encoding="utf-8")
    weak.write_text("matkhau123\n", encoding="utf-8")
    db = tmp_path / "xa.sqlite"
    assert run("init", "--on", "01/06/2024", "--db", db, "--role", "commune", "--unit", COMMUNE, "--receiving-unit", OFFICE,
               "--on", "01/01/2025", "--admin", "canbo", "--password-file", old)[0] == 0
    with open_db(db, create=False) as s:
        keys.init_keys(s, PASS, kdf=CHEAP)  # cheap to make; the command re-seals at the real cost
    with pytest.raises(SystemExit):
        run("keys", "passphrase", "--help")
    out = capsys.readouterr().out
    assert "Mã thoát" in out and "--new-passphrase-file" in out
    code, out = run("keys", "passphrase", "--db", db, "--passphrase-file", new, "--new-passphrase-file", weak)
    assert code == 1 and "phổ biến" in out and "Traceback" not in out
    code, out = run("keys", "passphrase", "--db", db, "--passphrase-file", new, "--new-passphrase-file", old)
    assert code == 4 and "không đúng" in out and "Traceback" not in out
    code, out = run("keys", "passphrase", "--db", db, "--passphrase-file", old, "--new-passphrase-file", new)
    assert code == 0 and "2 khóa riêng" in out, out
    with open_db(db, create=False) as s:
        keys.check_passphrase(s, NEW)
        with pytest.raises(BundleError):
            keys.check_passphrase(s, PASS)
        assert sealed(s, keys.require_keys(s).sign_id)["n"] == 2**17
        assert [e for e, _ in key_events(s)] == ["unlock_failed", "unlock_ok", "unlock_failed"]
