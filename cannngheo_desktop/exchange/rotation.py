"""Key rotation: the sender endorses its new keys with the old one; the receiver learns them.

Sender (``keys.init_keys(rotate=True)``): the new keys sign every bundle from the next one on.
Unless the rotation is for a compromised key, the OLD signing key signs an **endorsement** of
the new keys: Ed25519 over ``ENDORSE_DOMAIN ‖ 0x00 ‖ unit code ‖ 0x00 ‖ new sign public (32)
‖ new encrypt public (32)`` (``endorsement_message``). It is kept in the setting
``key_endorsement`` and travels in the bundles' ``key_update`` (``endorsed_by`` = the old key
id, ``endorsement`` = base64 signature): at a commune until a receipt from its office confirms a
bundle that carried it (setting ``key_rotation_pending``, cleared by ``receipts``); at an office,
which sends to many communes, until its next rotation. A compromised-key
rotation makes no endorsement: the receiver must confirm the new key card by phone.

Receiver:

1. a bundle signed by a key it does not know is accepted only when its ``key_update`` names that
   very key and the endorsement verifies against a signing key of the same unit that this copy
   trusts now (not revoked, not superseded) — ``endorsed_signer``;
2. applying it adds the new keys to the roster (audited) and records which key they replace
   (setting ``rotation:<new key id>``), and the old key is superseded at once (setting
   ``superseded:<old key id>``): the new key signed this very bundle, so the switch is proven;
3. from then on a bundle signed with the old key opens only if it is already applied in the
   chain (re-importing it says "đã nhập trước đó"); any other is refused with what to do.

If the receiver already trusts the new key (the office confirmed its card by phone), the bundle
verifies directly and the key update changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..storage import installation, repo
from ..storage.db import Store
from . import crypto, sync

ENDORSE_DOMAIN = b"cannngheo-key-endorsement-v1"
ENDORSEMENT_SETTING = "key_endorsement"


def endorsement_message(unit: str, sign_public: bytes, encrypt_public: bytes) -> bytes:
    """The exact bytes the old signing key signs to vouch for the new keys of ``unit``."""
    return b"\x00".join((ENDORSE_DOMAIN, unit.encode("ascii"), sign_public + encrypt_public))


def endorse(old_signer: Ed25519PrivateKey, unit: str, sign_public: bytes, encrypt_public: bytes) -> str:
    """Base64 endorsement signature (what ``key_update.endorsement`` carries)."""
    return crypto.b64(crypto.sign(old_signer, endorsement_message(unit, sign_public, encrypt_public)))


def key_update_for(store: Store, sign_public: bytes, sign_id: str, encrypt_public: bytes,
                   encrypt_id: str) -> dict[str, str] | None:
    """The ``key_update`` this copy announces with its current keys, or None (never rotated, or
    rotated because the old key was compromised). Only an endorsement of the current keys counts."""
    raw = store.get_setting(ENDORSEMENT_SETTING)
    if not raw:
        return None
    inst = installation.current(store)
    if inst is not None and inst.role == "commune" and not store.get_setting("key_rotation_pending"):
        return None  # its one peer, the office, confirmed a bundle that announced the keys (receipt)
    saved = json.loads(raw)
    if saved.get("sign_key_id") != sign_id:
        return None
    return {"sign_public": crypto.b64(sign_public), "sign_key_id": sign_id,
            "encrypt_public": crypto.b64(encrypt_public), "encrypt_key_id": encrypt_id,
            "endorsed_by": saved["endorsed_by"], "endorsement": saved["endorsement"]}


def save_endorsement(store: Store, sign_id: str, endorsed_by: str | None, endorsement: str | None) -> None:
    """Keep (or, for a compromised-key rotation, clear) the endorsement. Caller's transaction."""
    value = None if endorsed_by is None else json.dumps(
        {"sign_key_id": sign_id, "endorsed_by": endorsed_by, "endorsement": endorsement}, sort_keys=True)
    repo.set_setting(store, ENDORSEMENT_SETTING, value)


def _endorser(store: Store, unit: str, key_update: dict[str, str]) -> tuple[dict[str, Any] | None, str]:
    """(the trusted key row that endorsed ``key_update``, '') or (None, the reason it is not valid)."""
    endorser_id, signature = key_update.get("endorsed_by"), key_update.get("endorsement")
    if not endorser_id or not signature:
        return None, "gói không kèm xác nhận của khóa cũ (đơn vị đổi khóa vì lộ/mất khóa)"
    row = sync.get_trusted(store, endorser_id)
    if row is None or row["kind"] != "sign" or row["unit_code"] != unit:
        return None, f"khóa cũ {crypto.group_hex(endorser_id)} xác nhận khóa mới không phải khóa tin cậy của đơn vị"
    if row["revoked_at"]:
        return None, f"khóa cũ {crypto.group_hex(endorser_id)} xác nhận khóa mới đã bị thu hồi"
    if superseded_by(store, endorser_id):
        return None, f"khóa cũ {crypto.group_hex(endorser_id)} đã được thay trước đó, không còn xác nhận được khóa mới"
    try:
        sign_pub = crypto.unb64(key_update["sign_public"], length=32)
        enc_pub = crypto.unb64(key_update["encrypt_public"], length=32)
        sig = crypto.unb64(signature, length=64)
    except (KeyError, ValueError):
        return None, "thông báo đổi khóa không hợp lệ"
    if not crypto.verify(crypto.unb64(row["public_key"]), sig, endorsement_message(unit, sign_pub, enc_pub)):
        return None, "xác nhận của khóa cũ cho khóa mới không hợp lệ"
    return row, ""


def endorsed_signer(store: Store, unit: str, sender_key_id: str,
                    key_update: dict[str, str] | None) -> tuple[bytes | None, str]:
    """For a bundle signed by a key this copy does not know: (the public key to check the
    signature with, '') when ``key_update`` announces exactly that key, endorsed by the unit's
    trusted key; else (None, why not)."""
    if not key_update:
        return None, ""
    try:
        sign_pub = crypto.unb64(key_update["sign_public"], length=32)
    except (KeyError, ValueError):
        return None, "thông báo đổi khóa không hợp lệ"
    if crypto.key_id(sign_pub) != sender_key_id:
        return None, "thông báo đổi khóa không nói về khóa đã ký gói"
    row, why = _endorser(store, unit, key_update)
    return (sign_pub, "") if row is not None else (None, why)


def learn_announced_keys(store: Store, unit: str, signed_by: str, key_update: dict[str, str]) -> None:
    """Trust the new keys of ``unit`` announced in a bundle being applied. Keys already in the
    roster (e.g. confirmed by phone) change nothing; unknown keys enter only with a valid
    endorsement by the unit's trusted key. Caller holds the apply transaction."""
    sign_pub = crypto.unb64(key_update["sign_public"], length=32)
    enc_pub = crypto.unb64(key_update["encrypt_public"], length=32)
    new_sign, new_enc = crypto.key_id(sign_pub), crypto.key_id(enc_pub)
    if sync.get_trusted(store, new_sign) is not None and sync.get_trusted(store, new_enc) is not None:
        return
    endorser, _ = _endorser(store, unit, key_update)
    if endorser is None or new_sign != signed_by:
        return  # the signature was checked against a trusted key; an unproven announcement is ignored
    inst = installation.current(store)
    role = "aggregator" if inst is not None and unit == inst.receiving_unit_code else "commune"
    fp = crypto.keycard_fingerprint(role, unit, sign_pub, enc_pub)  # as the unit's new card shows it
    # the old encryption key is revoked (one active per unit); the old signing key stays, superseded
    # below, so bundles already in the chain still re-import as "đã nhập trước đó"
    sync.replace_unit_trusted(
        store, unit, role, fp, [(new_sign, "sign", crypto.b64(sign_pub)), (new_enc, "encrypt", crypto.b64(enc_pub))],
        {"reason": "đổi khóa có xác nhận của khóa cũ (trong gói)", "procedure": "endorsed key rotation",
         "endorsed_by": endorser["id"]}, revoke_kinds=("encrypt",))
    if not store.get_setting(f"rotation:{new_sign}"):
        repo.set_setting(store, f"rotation:{new_sign}", endorser["id"])


def note_signed_by(store: Store, key_id: str) -> None:
    """A bundle signed by ``key_id`` is being applied: if that key replaced an older one, the older
    one is superseded from now on. Caller holds the apply transaction."""
    old = store.get_setting(f"rotation:{key_id}")
    if old and not store.get_setting(f"superseded:{old}"):
        repo.set_setting(store, f"superseded:{old}", key_id)


def superseded_by(store: Store, key_id: str) -> str | None:
    """The key that replaced ``key_id`` once the sender switched to it, else None."""
    return store.get_setting(f"superseded:{key_id}")


def check_not_superseded(store: Store, key_id: str, sha256: str) -> str | None:
    """None if a bundle (hash ``sha256``) signed by ``key_id`` may be opened; else the reason."""
    newer = superseded_by(store, key_id)
    if not newer:
        return None
    known: dict[str, Any] | None = sync.bundle_by_sha(store, sha256)
    if known is not None and known["status"] == "applied":
        return None
    return (f"khóa ký {crypto.group_hex(key_id)} đã được thay bằng khóa mới {crypto.group_hex(newer)} "
            "(đơn vị gửi đã đổi khóa); gói mới ký bằng khóa cũ không được nhận. "
            "Hãy yêu cầu đơn vị gửi cập nhật chương trình và xuất lại gói (gói mới được ký bằng khóa mới); "
            "nếu đơn vị không đổi khóa, khóa cũ có thể đã bị lộ: thu hồi nó (cannngheo keys revoke).")
