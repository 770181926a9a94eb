"""Key rotation: the next bundle is signed with the NEW key, vouched for by the old one
(endorsement in ``key_update``); the receiver learns the new keys on apply and from then on
refuses anything new signed with the retired key. A compromised-key rotation has no endorsement:
the office confirms the new key card by phone."""

from __future__ import annotations

import json

import pytest

from cannngheo_desktop.core.errors import AppError
from cannngheo_desktop.exchange import crypto, export, importer, keycard, keys, roster, rotation
from cannngheo_desktop.exchange.errors import BundleError
from tests.exchange.bundle_helpers import CHEAP, COMMUNE, PASS, dump, entries, rezip


def _manifest(path):
    return json.loads(entries(path)["manifest.json"])


def _signed_with(pair, src, dst, key_id, *, change=None):
    """The same bundle, its manifest claiming and signed by another key of the commune."""
    doc = _manifest(src)
    doc["sender"]["key_id"] = key_id
    if change is not None:
        change(doc)
    mbytes = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()
    signer = keys.signing_key(pair.commune, key_id, PASS)
    return rezip(src, dst, {"manifest.json": mbytes, "manifest.sig": crypto.sign(signer, mbytes)})


def _trusted_ids(store, unit=COMMUNE):
    return {r["id"]: r["revoked_at"] for r in store.query("SELECT id, revoked_at FROM trusted_keys WHERE unit_code = ?",
                                                          (unit,))}


def test_the_next_bundle_is_signed_with_the_new_key_and_the_old_one_is_retired(pair):
    old = keys.current_keys(pair.commune)
    new = keys.init_keys(pair.commune, PASS, kdf=CHEAP, rotate=True)
    pair.add_households(1)
    jan = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    doc = _manifest(jan)
    assert doc["sender"]["key_id"] == new.sign_id                      # never the retired key
    update = doc["key_update"]
    assert update["sign_key_id"] == new.sign_id and update["endorsed_by"] == old.sign_id
    msg = rotation.endorsement_message(COMMUNE, new.sign_public, new.encrypt_public)
    assert crypto.verify(old.sign_public, crypto.unb64(update["endorsement"]), msg)
    r1 = importer.apply_bundle(pair.office, jan, PASS)
    assert r1.status == "applied", r1.message
    ids = _trusted_ids(pair.office)
    assert ids[new.sign_id] is None and ids[new.encrypt_id] is None     # learnt, active
    assert ids[old.encrypt_id] is not None                             # one active encryption key
    assert rotation.superseded_by(pair.office, old.sign_id) == new.sign_id
    audit = pair.office.query("SELECT after FROM audit_log WHERE table_name = 'trusted_keys' AND field = 'replace_key'")
    assert any("endorsed key rotation" in a["after"] and old.sign_id in a["after"] for a in audit)
    # the receipt goes to the NEW encryption key and closes the loop at the commune
    assert importer.apply_bundle(pair.commune, r1.receipts[0], PASS).status == "acknowledged"
    # the next bundle: the new key still, verified directly, the announcement changes nothing
    pair.add_households(1)
    feb = export.export_bundle(pair.commune, "2026-02", pair.outbox, PASS)
    assert _manifest(feb)["sender"]["key_id"] == new.sign_id
    assert importer.apply_bundle(pair.office, feb, PASS).status == "applied"
    assert len(_trusted_ids(pair.office)) == 4
    # a bundle already applied re-imports; a NEW bundle signed with the old key is refused
    assert importer.apply_bundle(pair.office, jan, PASS).status == "duplicate"
    pair.add_households(1)
    mar = export.export_bundle(pair.commune, "2026-03", pair.outbox, PASS)
    forged = _signed_with(pair, mar, pair.tmp / "mar-old-key.cnb", old.sign_id)
    before = dump(pair.office)
    with pytest.raises(BundleError) as err:
        importer.apply_bundle(pair.office, forged, PASS)
    assert "đã được thay bằng khóa mới" in err.value.message and forged.name in err.value.message
    assert "xuất lại gói" in err.value.message                          # says what to do
    assert dump(pair.office) == before
    assert importer.apply_bundle(pair.office, mar, PASS).status == "applied"


def test_the_office_learns_its_office_key_change_from_a_receipt(pair):
    pair.add_households(1)
    jan = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    office_old = keys.current_keys(pair.office)
    office_new = keys.init_keys(pair.office, PASS, kdf=CHEAP, rotate=True)
    receipt = importer.apply_bundle(pair.office, jan, PASS).receipts[0]
    assert _manifest(receipt)["sender"]["key_id"] == office_new.sign_id
    assert importer.apply_bundle(pair.commune, receipt, PASS).status == "acknowledged"
    ids = _trusted_ids(pair.commune, "020")
    assert ids[office_new.sign_id] is None and ids[office_old.encrypt_id] is not None
    # the commune's next bundle is encrypted for the office's new key and opens there
    pair.add_households(1)
    feb = export.export_bundle(pair.commune, "2026-02", pair.outbox, PASS)
    assert _manifest(feb)["recipient"]["key_id"] == office_new.encrypt_id
    assert importer.apply_bundle(pair.office, feb, PASS).status == "applied"


def test_an_endorsement_not_made_by_the_trusted_key_is_refused(pair):
    keys.init_keys(pair.commune, PASS, kdf=CHEAP, rotate=True)
    pair.add_households(1)
    good = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    new_id = _manifest(good)["sender"]["key_id"]
    impostor = keys.signing_key(pair.commune, new_id, PASS)  # any key but the trusted one

    def forge_endorsement(doc):
        upd = doc["key_update"]
        msg = rotation.endorsement_message(COMMUNE, crypto.unb64(upd["sign_public"]), crypto.unb64(upd["encrypt_public"]))
        upd["endorsement"] = crypto.b64(crypto.sign(impostor, msg))

    def other_unit(doc):  # a valid endorsement, replayed for keys it does not name
        doc["key_update"]["sign_public"] = doc["key_update"]["encrypt_public"]

    for name, change in (("forged", forge_endorsement), ("other", other_unit),
                         ("none", lambda d: d.pop("key_update"))):
        bad = _signed_with(pair, good, pair.tmp / f"{name}.cnb", new_id, change=change)
        before = dump(pair.office)
        with pytest.raises(BundleError) as err:
            importer.apply_bundle(pair.office, bad, PASS)
        assert "khóa lạ" in err.value.message and "recovery confirm-key" in err.value.message, name
        assert dump(pair.office) == before
    assert importer.apply_bundle(pair.office, good, PASS).status == "applied"


def test_an_endorsement_by_a_revoked_key_is_refused(pair):
    old = keys.current_keys(pair.commune)
    keys.init_keys(pair.commune, PASS, kdf=CHEAP, rotate=True)
    pair.add_households(1)
    jan = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    roster.revoke(pair.office, old.sign_id)          # the office believes the old key was stolen
    before = dump(pair.office)
    with pytest.raises(BundleError) as err:
        importer.apply_bundle(pair.office, jan, PASS)
    assert "đã bị thu hồi" in err.value.message and "khóa lạ" in err.value.message
    assert dump(pair.office) == before


def test_a_compromised_key_rotation_needs_the_new_card_confirmed_by_phone(pair):
    keys.init_keys(pair.commune, PASS, kdf=CHEAP, rotate=True, compromised=True)
    pair.add_households(1)
    jan = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    assert "key_update" not in _manifest(jan)
    before = dump(pair.office)
    with pytest.raises(BundleError) as err:
        importer.apply_bundle(pair.office, jan, PASS)
    assert "Xác nhận khóa mới" in err.value.message
    assert dump(pair.office) == before
    card = keycard.own_card(pair.commune)
    with pytest.raises(AppError):  # a wrong digit read over the phone changes nothing
        roster.replace_unit_key(pair.office, card, typed_fingerprint="0" * 32, reason="máy bị lộ khóa")
    assert dump(pair.office) == before
    roster.replace_unit_key(pair.office, card, typed_fingerprint=card.display_fingerprint, reason="máy bị lộ khóa")
    assert importer.apply_bundle(pair.office, jan, PASS).status == "applied"


def test_a_key_already_confirmed_by_phone_verifies_directly(pair):
    new = keys.init_keys(pair.commune, PASS, kdf=CHEAP, rotate=True)
    card = keycard.own_card(pair.commune)
    roster.replace_unit_key(pair.office, card, typed_fingerprint=card.display_fingerprint, reason="đổi khóa định kỳ")
    pair.add_households(1)
    jan = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    assert importer.apply_bundle(pair.office, jan, PASS).status == "applied"
    active = [k for k, revoked in _trusted_ids(pair.office).items() if revoked is None]
    assert sorted(active) == sorted([new.sign_id, new.encrypt_id])


def test_a_bad_key_update_is_refused_as_a_bad_manifest(pair):
    pair.add_households(1)
    good = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    doc = _manifest(good)
    doc["key_update"] = {"sign_public": "AAAA", "encrypt_public": "AAAA"}
    mbytes = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()
    signer = keys.signing_key(pair.commune, doc["sender"]["key_id"], PASS)
    bad = rezip(good, pair.tmp / "bad-update.cnb", {"manifest.json": mbytes, "manifest.sig": crypto.sign(signer, mbytes)})
    before = dump(pair.office)
    with pytest.raises(BundleError) as err:
        importer.apply_bundle(pair.office, bad, PASS)
    assert "manifest.json không hợp lệ" in err.value.message
    assert dump(pair.office) == before
