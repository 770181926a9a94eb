"""Key rotation at the receiver: learning the new keys a bundle announces, and retiring the old
signing key once the sender has switched.

1. A bundle signed by a unit's trusted key announces new keys (``key_update``): when it is
   applied, the new keys enter the roster and this copy remembers which old key they replace
   (setting ``rotation:<new sign key id>`` = old key id).
2. While the sender waits for the receipt it keeps signing with the old key; those bundles are
   accepted as before.
3. The first bundle signed with the NEW key that this copy applies proves the switch: the old
   key becomes *superseded* (setting ``superseded:<old key id>`` = new key id). From then on a
   bundle signed with the old key is accepted only if it is already in the chain (re-importing
   it says "đã nhập trước đó"); any other is refused.
"""

from __future__ import annotations

from typing import Any

from ..storage import repo
from ..storage.db import Store
from . import crypto, sync


def learn_announced_keys(store: Store, unit: str, signed_by: str, key_update: dict[str, str]) -> None:
    """Trust the keys announced by ``unit`` in a bundle signed by its trusted key ``signed_by``.
    Caller holds the apply transaction."""
    sign_pub = crypto.unb64(key_update["sign_public"], length=32)
    enc_pub = crypto.unb64(key_update["encrypt_public"], length=32)
    fp = crypto.card_fingerprint(sign_pub, enc_pub)
    for kind, pub in (("sign", sign_pub), ("encrypt", enc_pub)):
        kid = crypto.key_id(pub)
        if sync.get_trusted(store, kid) is None:
            sync.add_trusted(store, kid, unit, kind, crypto.b64(pub), fp)
    new_sign = crypto.key_id(sign_pub)
    if new_sign != signed_by and not store.get_setting(f"rotation:{new_sign}"):
        repo.set_setting(store, f"rotation:{new_sign}", signed_by)


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
            "Hãy yêu cầu đơn vị gửi xuất lại gói bằng khóa mới.")
