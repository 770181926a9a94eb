"""The trust roster: which units' keys this copy accepts (from key cards), and revocation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ValidationError
from ..storage.db import Store
from . import crypto, sync
from .errors import BundleError
from .keycard import KeyCard, read_card


@dataclass(frozen=True)
class TrustedKey:
    key_id: str
    unit_code: str
    kind: str
    fingerprint: str
    added_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def trust_card(store: Store, card_or_path: KeyCard | Path) -> KeyCard:
    """Add both keys of a key card to the roster. The caller shows ``card.display_fingerprint`` to
    compare with the printed card first. Trusting the same card twice changes nothing."""
    card = card_or_path if isinstance(card_or_path, KeyCard) else read_card(Path(card_or_path))
    with store.transaction():
        for kind, pub in (("sign", card.sign_public), ("encrypt", card.encrypt_public)):
            kid = crypto.key_id(pub)
            row = sync.get_trusted(store, kid)
            if row is not None and row["revoked_at"]:
                raise BundleError(f"Khóa {crypto.group_hex(kid)} của đơn vị '{row['unit_code']}' đã bị thu hồi; "
                                  "không tin cậy lại. Hãy yêu cầu đơn vị tạo khóa mới.")
            if row is not None and row["unit_code"] != card.unit_code:
                raise BundleError(f"Khóa {crypto.group_hex(kid)} đã được ghi cho đơn vị '{row['unit_code']}'.")
            if row is None:
                sync.add_trusted(store, kid, card.unit_code, kind, crypto.b64(pub), card.fingerprint)
    return card


def revoke(store: Store, key_or_fingerprint: str) -> list[str]:
    """Revoke a key by key id or card fingerprint (spaces ignored). Returns the revoked key ids."""
    wanted = key_or_fingerprint.replace(" ", "").lower()
    rows = sync.trusted_by_fingerprint(store, wanted)
    if not rows:
        row = sync.get_trusted(store, wanted)
        rows = [row] if row else []
    if not rows:
        raise ValidationError(f"Không có khóa '{key_or_fingerprint}' trong danh sách tin cậy.", field="key")
    ids = [r["id"] for r in rows if not r["revoked_at"]]
    sync.revoke_trusted(store, ids)
    return ids


def list_roster(store: Store) -> list[TrustedKey]:
    return [TrustedKey(r["id"], r["unit_code"], r["kind"], r["fingerprint"], r["added_at"], r["revoked_at"])
            for r in sync.list_trusted(store)]
