"""The trust roster: which units' keys this copy accepts (from key cards), replacement and revocation.

Rules:

- a unit has at most ONE active signing key and ONE active encryption key;
- a card for a unit that has no active key is trusted after a person compared its fingerprint
  (``trust_card``; the GUI and the CLI pass what the person typed as ``confirmed_fingerprint``);
- a card that brings OTHER keys for a unit that already has keys (a lost PC, a new key) is never
  trusted by ``trust_card``: only ``replace_unit_key`` does it, with the fingerprint typed as read
  over the phone and a reason; it revokes the unit's old keys and trusts the new ones in one
  audited transaction;
- a revoked key is never trusted again.

Roster rows trusted before fingerprints version 2 keep a 16-digit fingerprint; it is recomputed
from the stored keys, unit code and role by ``upgrade_fingerprints`` (on the next change of the
roster) and shown recomputed by ``list_roster`` meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ValidationError
from ..storage import installation
from ..storage.db import Store
from . import crypto, rotation, trusted_keys
from .errors import BundleError
from .keycard import CardProblem, KeyCard, plain_text, read_card

MAX_REASON_CHARS = 300
MIN_REASON_CHARS = 5


@dataclass(frozen=True)
class TrustedKey:
    key_id: str
    unit_code: str
    kind: str
    fingerprint: str       # version 2, 64 hex digits (recomputed for a row trusted before version 2)
    added_at: str
    revoked_at: str | None
    role: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def display_fingerprint(self) -> str:
        return crypto.display_fingerprint(self.fingerprint)


@dataclass(frozen=True)
class CardStatus:
    """What trusting ``card`` would do: 'new' (unit has no key), 'same' (already trusted),
    'replace' (the unit has other keys: only ``replace_unit_key``) or 'refused' (``reason``)."""
    card: KeyCard
    state: str
    old: tuple[TrustedKey, ...] = ()
    reason: str = ""

    @property
    def old_fingerprints(self) -> list[str]:
        return sorted({k.display_fingerprint for k in self.old})


@dataclass(frozen=True)
class Replacement:
    unit_code: str
    old_fingerprints: list[str]
    new_fingerprint: str
    revoked: list[str]


def peer_role(store: Store) -> str:
    """The role of the units this copy exchanges with: a commune's peer is its office, an office's
    peers are communes (used for roster rows that did not record a role)."""
    inst = installation.current(store)
    return "aggregator" if inst is not None and inst.role == "commune" else "commune"


def _v2_fingerprints(rows: list[dict], default_role: str) -> dict[str, tuple[str, str]]:
    """key id → (version 2 fingerprint, role) for roster rows still holding a version 1 one:
    the sign and encrypt rows of one card share unit and v1 fingerprint; both are needed."""
    cards: dict[tuple[str, str], dict[str, dict]] = {}
    for r in rows:
        if len(r["fingerprint"]) != 64:
            cards.setdefault((r["unit_code"], r["fingerprint"]), {})[r["kind"]] = r
    out = {}
    for (unit, _old), pair in cards.items():
        if set(pair) != {"sign", "encrypt"}:
            continue
        role = pair["sign"].get("role") or pair["encrypt"].get("role") or default_role
        try:
            fp = crypto.keycard_fingerprint(role, unit, crypto.unb64(pair["sign"]["public_key"], length=32),
                                            crypto.unb64(pair["encrypt"]["public_key"], length=32))
        except ValueError:
            continue
        out.update({pair["sign"]["id"]: (fp, role), pair["encrypt"]["id"]: (fp, role)})
    return out


def upgrade_fingerprints(store: Store) -> int:
    """Recompute version 2 fingerprints of roster rows trusted before them (one transaction,
    each row audited). Returns how many rows changed."""
    with store.transaction():
        upgraded = _v2_fingerprints(trusted_keys.list_trusted(store), peer_role(store))
        for key_id, (fp, role) in upgraded.items():
            trusted_keys.set_trusted_fingerprint(store, key_id, fp, role)
    return len(upgraded)


def list_roster(store: Store) -> list[TrustedKey]:
    """Every roster row, with version 2 fingerprints (recomputed for old rows, nothing written)."""
    rows = trusted_keys.list_trusted(store)
    upgraded = _v2_fingerprints(rows, peer_role(store))
    out = []
    for r in rows:
        fp, role = upgraded.get(r["id"], (r["fingerprint"], r.get("role")))
        out.append(TrustedKey(r["id"], r["unit_code"], r["kind"], fp, r["added_at"], r["revoked_at"], role))
    return out


def _load(card_or_path: KeyCard | Path) -> KeyCard:
    return card_or_path if isinstance(card_or_path, KeyCard) else read_card(Path(card_or_path))


def card_status(store: Store, card: KeyCard) -> CardStatus:
    """What trusting this card would mean for this copy's roster (nothing is written)."""
    inst = installation.current(store)
    if inst is not None and card.unit_code == inst.unit_code:
        return CardStatus(card, "refused", reason=f"đây là thẻ khóa của chính đơn vị này ('{card.unit_code}'); "
                                                  "hãy chọn thẻ khóa của đơn vị kia.")
    for kind, pub in (("sign", card.sign_public), ("encrypt", card.encrypt_public)):
        kid = crypto.key_id(pub)
        row = trusted_keys.get_trusted(store, kid)
        if row is not None and row["revoked_at"]:
            return CardStatus(card, "refused", reason=f"khóa {crypto.group_hex(kid)} của đơn vị '{row['unit_code']}' "
                                                      "đã bị thu hồi; không tin cậy lại. Hãy yêu cầu đơn vị tạo "
                                                      "khóa mới và gửi thẻ khóa mới.")
        if row is not None and row["unit_code"] != card.unit_code:
            return CardStatus(card, "refused", reason=f"khóa {crypto.group_hex(kid)} đã được ghi cho đơn vị "
                                                      f"'{row['unit_code']}', không phải '{card.unit_code}'.")
        if row is not None and row["kind"] != kind:
            return CardStatus(card, "refused", reason=f"khóa {crypto.group_hex(kid)} đã được ghi với loại khác.")
    # a signing key superseded by an endorsed rotation (rotation.py) is kept unrevoked only so that
    # bundles already in the chain re-import; it is not the unit's key any more
    old = tuple(k for k in list_roster(store) if k.unit_code == card.unit_code and k.active
                and not rotation.superseded_by(store, k.key_id))
    if not old:
        return CardStatus(card, "new")
    if {k.key_id for k in old} == {card.sign_key_id, card.encrypt_key_id}:
        if all(k.fingerprint == card.fingerprint for k in old):
            return CardStatus(card, "same", old)
        return CardStatus(card, "refused", old, reason="thẻ mang đúng các khóa đang tin cậy nhưng ghi vai trò khác "
                                                       "(dấu vân tay khác) — thẻ đã bị sửa.")
    return CardStatus(card, "replace", old)


def _check_typed(card: KeyCard, typed: str | None, *, required: bool) -> None:
    if typed is None and not required:
        return
    if typed is None or not crypto.fingerprint_matches(typed, card.fingerprint):
        raise BundleError(f"Dấu vân tay nhập vào không khớp với thẻ khóa của đơn vị '{card.unit_code}' "
                          f"({card.display_fingerprint}). Không tin cậy thẻ này. Hãy gọi điện cho đơn vị, "
                          "đọc lại từng nhóm 4 ký tự; nếu vẫn khác, thẻ khóa không phải của đơn vị đó.")


def trust_card(store: Store, card_or_path: KeyCard | Path, *, confirmed_fingerprint: str | None = None) -> KeyCard:
    """Trust a key card of a unit that has no active key yet (both keys enter the roster).

    ``confirmed_fingerprint`` is what the person read on the printed card or heard over the phone;
    it must match. ``None`` means the caller already had the person compare (tests, scripted
    set-up). Trusting the same card twice changes nothing. A card with OTHER keys for a unit that
    already has keys is refused: that is ``replace_unit_key``."""
    card = _load(card_or_path)
    _check_typed(card, confirmed_fingerprint, required=False)
    with store.transaction():
        upgrade_fingerprints(store)
        status = card_status(store, card)
        if status.state == "refused":
            raise BundleError(f"Không tin cậy thẻ khóa của đơn vị '{card.unit_code}': {status.reason}")
        if status.state == "replace":
            raise BundleError(
                f"Đơn vị '{card.unit_code}' đã có khóa đang được tin cậy (dấu vân tay "
                f"{', '.join(status.old_fingerprints)}); thẻ này mang khóa KHÁC ({card.display_fingerprint}). "
                "Khóa không được thay tự động. Nếu đơn vị đã cài lại máy hoặc đổi khóa, hãy gọi điện cho đơn "
                "vị, đọc dấu vân tay mới rồi dùng 'Thay khóa của đơn vị' (cannngheo keys trust THẺ_KHÓA "
                "--replace --fingerprint \"…\" --reason \"…\").")
        if status.state == "new":
            for kind, pub in (("sign", card.sign_public), ("encrypt", card.encrypt_public)):
                trusted_keys.add_trusted(store, crypto.key_id(pub), card.unit_code, kind, crypto.b64(pub),
                                 card.fingerprint, card.role)
    return card


def check_reason(reason: object) -> str:
    """The reason for a key replacement: a short plain text (ValidationError otherwise)."""
    try:
        text = plain_text(reason, "lý do", limit=MAX_REASON_CHARS).strip()
    except CardProblem as exc:
        raise ValidationError(f"Lý do thay khóa không hợp lệ: {exc}.", field="reason") from exc
    if len(text) < MIN_REASON_CHARS:
        raise ValidationError("Hãy ghi lý do thay khóa (ví dụ: 'Máy xã hỏng, cài lại, khóa mới; "
                              "đã gọi điện ông A ngày …').", field="reason")
    return text


def replace_unit_key(store: Store, card_or_path: KeyCard | Path, *, typed_fingerprint: str,
                     reason: str) -> Replacement:
    """Replace a unit's trusted keys by the keys of ``card`` (lost PC, new key): the explicit,
    audited way a known unit gets another key.

    ``typed_fingerprint`` is the fingerprint the person typed as the unit read it over the phone;
    it must equal the card's. ``reason`` (required) says why. In ONE transaction the unit's active
    keys are revoked and the card's keys trusted; the audit log holds who, when, the old and new
    fingerprints and the reason. A unit without keys simply gets the new ones (same checks)."""
    card = _load(card_or_path)
    _check_typed(card, typed_fingerprint, required=True)
    why = check_reason(reason)
    with store.transaction():
        upgrade_fingerprints(store)
        status = card_status(store, card)
        if status.state == "refused":
            raise BundleError(f"Không thay khóa của đơn vị '{card.unit_code}': {status.reason}")
        old = status.old_fingerprints
        new_keys = [(card.sign_key_id, "sign", crypto.b64(card.sign_public)),
                    (card.encrypt_key_id, "encrypt", crypto.b64(card.encrypt_public))]
        revoked = [] if status.state == "same" else trusted_keys.replace_unit_trusted(
            store, card.unit_code, card.role, card.fingerprint, new_keys,
            {"reason": why, "old_fingerprints": sorted({k.fingerprint for k in status.old}),
             "confirmed_by_phone": True})
    return Replacement(card.unit_code, old, card.display_fingerprint, revoked)


def revoke(store: Store, key_or_fingerprint: str) -> list[str]:
    """Revoke a key by key id or card fingerprint (32 or 64 hex digits; spaces ignored). Returns
    the revoked key ids."""
    wanted = crypto.normalize_fingerprint(key_or_fingerprint)
    with store.transaction():
        upgrade_fingerprints(store)
        rows = trusted_keys.trusted_by_fingerprint(store, wanted) if wanted else []
        if not rows and wanted:
            row = trusted_keys.get_trusted(store, wanted)
            rows = [row] if row else []
        if not rows:
            raise ValidationError(f"Không có khóa '{key_or_fingerprint[:80]}' trong danh sách tin cậy.", field="key")
        ids = [r["id"] for r in rows if not r["revoked_at"]]
        trusted_keys.revoke_trusted(store, ids)
    return ids
