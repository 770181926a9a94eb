"""Keys, key cards (JSON, PEM, PDF with QR), the roster, rotation, and openssl interoperability."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from pypdf import PdfReader

from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.exchange import crypto, export, importer, keycard, keys, roster
from cannngheo_desktop.exchange.errors import BundleError
from tests.exchange.bundle_helpers import CHEAP, PASS, dump, entries


def test_private_keys_are_sealed_and_need_the_passphrase(pair):
    pair_keys = keys.current_keys(pair.commune)
    row = pair.commune.query_one("SELECT * FROM keys WHERE id = ?", (pair_keys.sign_id,))
    assert "scrypt" in row["private_key_encrypted"] and len(pair_keys.sign_id) == 16
    keys.check_passphrase(pair.commune, PASS)
    with pytest.raises(BundleError, match="không đúng"):
        keys.check_passphrase(pair.commune, "sai-mat-khau")
    with pytest.raises(ValidationError):
        keys.init_keys(pair.commune, PASS, kdf=CHEAP)  # already has keys
    with pytest.raises(ValidationError):
        keys.init_keys(pair.commune, "ngan", kdf=CHEAP, rotate=True)


def test_key_card_json_pdf_and_fingerprint(pair):
    card = keycard.own_card(pair.commune)
    out, pdf, pem = pair.tmp / "the.json", pair.tmp / "the.pdf", pair.tmp / "the.pem"
    keycard.write_card(card, out, pdf=pdf, pem=pem)
    back = keycard.read_card(out)
    assert back.fingerprint == card.fingerprint and back.unit_code == "00640"
    assert len(card.display_fingerprint) == 39 and card.display_fingerprint.count(" ") == 7  # 128 bits
    groups = card.display_fingerprint.split(" ")
    text = PdfReader(str(pdf)).pages[0].extract_text()
    assert " ".join(groups[:4]) in text and " ".join(groups[4:]) in text and "THẺ KHÓA" in text
    assert pem.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    # a card whose key was swapped no longer matches its printed fingerprint
    doc = out.read_text().replace(crypto.b64(card.encrypt_public), crypto.b64(b"\1" * 32))
    out.write_text(doc)
    with pytest.raises(BundleError, match="không khớp"):
        keycard.read_card(out)


def test_trust_twice_is_harmless_and_revoked_stays_revoked(pair):
    card = keycard.own_card(pair.commune)
    before = dump(pair.office)
    roster.trust_card(pair.office, card)
    assert dump(pair.office) == before
    revoked = roster.revoke(pair.office, card.sign_key_id)
    assert revoked == [card.sign_key_id]
    with pytest.raises(BundleError, match="thu hồi"):
        roster.trust_card(pair.office, card)
    assert [k.active for k in roster.list_roster(pair.office) if k.unit_code == "00640"].count(False) == 1


def test_rotation_announced_in_a_bundle_signed_with_the_old_key(pair):
    old = keys.current_keys(pair.commune)
    new = keys.init_keys(pair.commune, PASS, kdf=CHEAP, rotate=True)
    assert new.sign_id != old.sign_id
    pair.add_households(1)
    first = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    res = importer.apply_bundle(pair.office, first, PASS)
    assert res.status == "applied"
    assert roster_ids(pair.office) >= {new.sign_id, new.encrypt_id}
    importer.apply_bundle(pair.commune, res.receipts[0], PASS)
    assert pair.commune.get_setting("key_rotation_pending") is None
    pair.add_households(1)
    second = export.export_bundle(pair.commune, "2026-02", pair.outbox, PASS)
    assert b'"key_update"' not in entries(second)["manifest.json"]
    assert importer.apply_bundle(pair.office, second, PASS).status == "applied"


def roster_ids(store):
    return {k.key_id for k in roster.list_roster(store) if k.active}


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl binary not installed")
def test_openssl_verifies_the_signature(pair):
    pair.add_households(1)
    path = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    folder = pair.tmp / "check"
    folder.mkdir()
    for name, data in entries(path).items():
        (folder / name).write_bytes(data)
    keycard.write_card(keycard.own_card(pair.commune), folder / "card.json", pem=folder / "sender.pem")
    cmd = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "sender.pem", "-rawin",
           "-in", "manifest.json", "-sigfile", "manifest.sig"]
    ok = subprocess.run(cmd, cwd=folder, capture_output=True, text=True)
    assert ok.returncode == 0 and "Signature Verified Successfully" in ok.stdout
    (folder / "manifest.json").write_bytes((folder / "manifest.json").read_bytes().replace(b"2026-01", b"2026-02"))
    bad = subprocess.run(cmd, cwd=folder, capture_output=True, text=True)
    assert bad.returncode != 0
