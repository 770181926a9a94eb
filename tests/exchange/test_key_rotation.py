"""After a rotation the receiver retires the old signing key once the sender has switched: bundles
already in the chain still verify, a NEW bundle signed with the old key is refused."""

from __future__ import annotations

import json

import pytest

from cannngheo_desktop.exchange import crypto, export, importer, keys, rotation
from cannngheo_desktop.exchange.errors import BundleError
from tests.exchange.bundle_helpers import CHEAP, PASS, dump, entries, rezip


def _signed_with(pair, src, dst, key_id):
    """The same bundle, its manifest claiming and signed by another key of the commune."""
    doc = json.loads(entries(src)["manifest.json"])
    doc["sender"]["key_id"] = key_id
    mbytes = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()
    signer = keys.signing_key(pair.commune, key_id, PASS)
    return rezip(src, dst, {"manifest.json": mbytes, "manifest.sig": crypto.sign(signer, mbytes)})


def test_old_key_is_superseded_once_the_new_key_is_used(pair):
    old = keys.current_keys(pair.commune)
    new = keys.init_keys(pair.commune, PASS, kdf=CHEAP, rotate=True)
    pair.add_households(1)
    jan = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)   # old key + key_update
    r1 = importer.apply_bundle(pair.office, jan, PASS)
    pair.add_households(1)
    feb = export.export_bundle(pair.commune, "2026-02", pair.outbox, PASS)   # no receipt yet: old key still
    assert json.loads(entries(feb)["manifest.json"])["sender"]["key_id"] == old.sign_id
    r2 = importer.apply_bundle(pair.office, feb, PASS)
    assert r2.status == "applied", r2.message
    assert rotation.superseded_by(pair.office, old.sign_id) is None
    for res in (r1, r2):
        importer.apply_bundle(pair.commune, res.receipts[0], PASS)
    pair.add_households(1)
    mar = export.export_bundle(pair.commune, "2026-03", pair.outbox, PASS)
    assert json.loads(entries(mar)["manifest.json"])["sender"]["key_id"] == new.sign_id
    assert importer.apply_bundle(pair.office, mar, PASS).status == "applied"
    assert rotation.superseded_by(pair.office, old.sign_id) == new.sign_id
    # bundles already in the chain still open ("đã nhập trước đó")
    assert importer.apply_bundle(pair.office, feb, PASS).status == "duplicate"
    # a new bundle signed with the old (perhaps stolen) key is refused, nothing changes
    pair.add_households(1)
    apr = export.export_bundle(pair.commune, "2026-04", pair.outbox, PASS)
    forged = _signed_with(pair, apr, pair.tmp / "apr-old-key.cnb", old.sign_id)
    before = dump(pair.office)
    with pytest.raises(BundleError) as err:
        importer.apply_bundle(pair.office, forged, PASS)
    assert "đã được thay bằng khóa mới" in err.value.message and forged.name in err.value.message
    assert dump(pair.office) == before
    assert importer.apply_bundle(pair.office, apr, PASS).status == "applied"


def test_a_bad_key_update_is_refused_as_a_bad_manifest(pair):
    pair.add_households(1)
    good = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    doc = json.loads(entries(good)["manifest.json"])
    doc["key_update"] = {"sign_public": "AAAA", "encrypt_public": "AAAA"}
    mbytes = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()
    signer = keys.signing_key(pair.commune, doc["sender"]["key_id"], PASS)
    bad = rezip(good, pair.tmp / "bad-update.cnb", {"manifest.json": mbytes, "manifest.sig": crypto.sign(signer, mbytes)})
    before = dump(pair.office)
    with pytest.raises(BundleError) as err:
        importer.apply_bundle(pair.office, bad, PASS)
    assert "manifest.json không hợp lệ" in err.value.message
    assert dump(pair.office) == before
