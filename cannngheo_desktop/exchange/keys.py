"""This copy's own keys: an Ed25519 signing key and an X25519 encryption key per installation.

Private keys are stored in the ``keys`` table encrypted with a passphrase: scrypt derives a
256-bit key that seals the raw private bytes with AES-256-GCM (the key id is the associated
data, so a sealed key cannot be swapped between rows). The scrypt cost is stored beside it.

Sealed boxes of version 2 (``"v": 2``) derive from the NFC-normalised passphrase with
core.passwords.derive_key at ``DEFAULT_KDF`` (N = 2^17) unless the caller chose another cost.
Older boxes (no ``"v"``: N = 2^15, the passphrase as typed) are still read, and re-sealed as
version 2 at ``DEFAULT_KDF`` on their next successful unlock (one transaction, audited).
:func:`change_passphrase` re-seals every key under a new passphrase without creating keys.
Wrong passphrases are counted (exchange/passphrase_tries.py): after five a wait starts.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..core import passwords
from ..core.errors import ValidationError
from ..storage import installation, keyslots, repo
from ..storage.db import Store, utc_now
from . import crypto, passphrase_tries, rotation, sync
from .errors import BundleError

MIN_PASSPHRASE = passwords.MIN_LENGTH
LEGACY_MIN_PASSPHRASE = 8  # every passphrase ever accepted had at least this many characters
BOX_VERSION = 2
MAX_N, MAX_R, MAX_P = 2**20, 32, 4  # a stored cost above these is damage, not a choice


@dataclass(frozen=True)
class KdfParams:
    """scrypt cost. The default is current guidance (N = 2^17, ~0.3 s and 128 MiB on a desktop);
    tests pass a cheap one explicitly."""

    n: int = passwords.SCRYPT_N
    r: int = passwords.SCRYPT_R
    p: int = passwords.SCRYPT_P


DEFAULT_KDF = KdfParams()


@dataclass(frozen=True)
class KeyPair:
    """The public halves of this copy's current keys."""

    sign_id: str
    sign_public: bytes
    encrypt_id: str
    encrypt_public: bytes


@dataclass(frozen=True)
class PassphraseChange:
    """What :func:`change_passphrase` did: keys re-sealed, and older keys that the old passphrase
    did not open (sealed under an earlier passphrase) and were left as they were."""

    changed: int
    skipped: int


def _seal(raw_private: bytes, passphrase: str, aad: str, kdf: KdfParams) -> str:
    salt, nonce = os.urandom(16), os.urandom(12)
    key = passwords.derive_key(passphrase, salt, n=kdf.n, r=kdf.r, p=kdf.p)
    ct = AESGCM(key).encrypt(nonce, raw_private, aad.encode("ascii"))
    return json.dumps({"v": BOX_VERSION, "kdf": "scrypt", "norm": "NFC", "n": kdf.n, "r": kdf.r, "p": kdf.p,
                       "salt": crypto.b64(salt), "cipher": "AES-256-GCM", "nonce": crypto.b64(nonce),
                       "ct": crypto.b64(ct)})


def _box(sealed: str, key_id: str) -> dict[str, Any]:
    """The stored box, checked: a damaged one (or an absurd cost) is a BundleError, not a hang."""
    try:
        box = json.loads(sealed)
        n, r, p = int(box["n"]), int(box["r"]), int(box["p"])
        ok = (isinstance(box, dict) and box.get("kdf") == "scrypt" and 2 <= n <= MAX_N and not n & (n - 1)
              and 1 <= r <= MAX_R and 1 <= p <= MAX_P)
        if ok:
            box["salt_b"] = crypto.unb64(box["salt"])
            box["nonce_b"] = crypto.unb64(box["nonce"], length=12)
            box["ct_b"] = crypto.unb64(box["ct"])
    except (ValueError, TypeError, KeyError) as exc:
        raise _damaged(key_id) from exc
    if not ok:
        raise _damaged(key_id)
    return box


def _damaged(key_id: str) -> BundleError:
    return BundleError(f"Khóa riêng {crypto.group_hex(key_id)} trong cơ sở dữ liệu bị hỏng (không đọc được). "
                       "Hãy phục hồi từ bản sao lưu hoặc đổi khóa (cannngheo recovery).")


def _is_legacy(box: dict[str, Any]) -> bool:
    return box.get("v") != BOX_VERSION or box.get("norm") != "NFC"


def _unseal(sealed: str, passphrase: str, aad: str) -> bytes | None:
    box = _box(sealed, aad)
    n, r, p = int(box["n"]), int(box["r"]), int(box["p"])
    if _is_legacy(box):  # written before version 2: the passphrase's bytes as typed
        key = hashlib.scrypt(passphrase.encode("utf-8"), salt=box["salt_b"], n=n, r=r, p=p,
                             maxmem=128 * r * (n + p + 2) + (32 << 20), dklen=32)
    else:
        key = passwords.derive_key(passphrase, box["salt_b"], n=n, r=r, p=p)
    try:
        return AESGCM(key).decrypt(box["nonce_b"], box["ct_b"], aad.encode("ascii"))
    except InvalidTag:
        return None


def _names(store: Store) -> list[str]:
    """What a new passphrase must not contain: the user name and the unit's code and name."""
    inst = installation.current(store)
    names = [store.user]
    if inst is not None:
        names += [inst.unit_code, inst.unit_name or ""]
    return names


def check_passphrase_strength(passphrase: str, names: list[str] | tuple[str, ...] = ()) -> None:
    """The policy for a NEW key passphrase (core/passwords.py); ValidationError on 'passphrase'."""
    passwords.check_new_secret(passphrase, what="cụm mật khẩu khóa", field="passphrase", names=names)


def has_keys(store: Store) -> bool:
    return sync.current_key(store, "sign") is not None


def init_keys(store: Store, passphrase: str, *, kdf: KdfParams = DEFAULT_KDF,
              rotate: bool = False, compromised: bool = False) -> KeyPair:
    """Create this copy's signing and encryption keys (once; ``rotate=True`` replaces them).

    On rotation the old keys are retired but kept (bundles already encrypted to the old key still
    open) and the NEW key signs every bundle from the next one on. Unless ``compromised``, the old
    signing key endorses the new keys (``rotation.endorse``), so receivers learn them from the next
    bundle without a new card; a compromised-key rotation makes no endorsement and the receiver
    must confirm the new key card by phone. Audited: the keys rows, the retirement, the setting.
    """
    old = current_keys(store)
    if old is None:
        check_passphrase_strength(passphrase, _names(store))
    elif len(passphrase or "") < LEGACY_MIN_PASSPHRASE:  # rotation keeps the current passphrase
        raise ValidationError("Đổi khóa dùng cụm mật khẩu khóa hiện tại (ít nhất "
                              f"{LEGACY_MIN_PASSPHRASE} ký tự); hãy nhập đúng cụm đó.", field="passphrase")
    if old is not None and not rotate:
        raise ValidationError("Bản cài đặt này đã có khóa. Dùng chức năng đổi khóa nếu cần khóa mới.",
                              field="keys")
    inst = installation.current(store)
    # the old key vouches for the new one (and proves the passphrase: rotation keeps it)
    endorser = signing_key(store, old.sign_id, passphrase) if old is not None else None
    sign_priv, enc_priv = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    pair = KeyPair(crypto.key_id(crypto.public_raw(sign_priv)), crypto.public_raw(sign_priv),
                   crypto.key_id(crypto.public_raw(enc_priv)), crypto.public_raw(enc_priv))
    raw = {"sign": sign_priv.private_bytes(ser.Encoding.Raw, ser.PrivateFormat.Raw, ser.NoEncryption()),
           "encrypt": enc_priv.private_bytes(ser.Encoding.Raw, ser.PrivateFormat.Raw, ser.NoEncryption())}
    with store.transaction():
        if old is not None:
            sync.retire_keys(store, old.sign_id, old.encrypt_id)
        sync.insert_key(store, pair.sign_id, "sign", crypto.b64(pair.sign_public),
                        _seal(raw["sign"], passphrase, pair.sign_id, kdf))
        sync.insert_key(store, pair.encrypt_id, "encrypt", crypto.b64(pair.encrypt_public),
                        _seal(raw["encrypt"], passphrase, pair.encrypt_id, kdf))
        sync.set_installation_keys(store, pair.sign_id, pair.encrypt_id)
        if old is not None:
            endorsement = None
            if endorser is not None and inst is not None and not compromised:
                endorsement = rotation.endorse(endorser, inst.unit_code, pair.sign_public, pair.encrypt_public)
            rotation.save_endorsement(store, pair.sign_id, old.sign_id if endorsement else None, endorsement)
            repo.set_setting(store, "key_rotation_pending", old.sign_id if endorsement else None)
            repo.set_setting(store, "key_rotation_announced_seq", None)
    if old is None:
        _signing_slot(store, passphrase)
    return pair


def _signing_slot(store: Store, passphrase: str) -> None:
    """One secret for whoever holds the unit's key: on an encrypted database with key slots, the
    key passphrase also unlocks the database (a "signing" slot, storage/keyslots.py), so
    ``--passphrase-file`` with the key passphrase opens both, and changing it changes both."""
    if store.key is not None and keyslots.read_key_file(store.path) is not None:
        inst = installation.current(store)
        keyslots.set_slot(store.path, store.key, "signing", inst.unit_code if inst else "unit", passphrase)


def current_keys(store: Store) -> KeyPair | None:
    sign, enc = sync.current_key(store, "sign"), sync.current_key(store, "encrypt")
    if sign is None or enc is None:
        return None
    return KeyPair(sign["id"], crypto.unb64(sign["public_key"]), enc["id"], crypto.unb64(enc["public_key"]))


def require_keys(store: Store) -> KeyPair:
    pair = current_keys(store)
    if pair is None:
        raise BundleError("Bản cài đặt này chưa có khóa. Hãy tạo khóa trước (cannngheo keys init).")
    return pair


def _private_raw(store: Store, key_id: str, passphrase: str) -> bytes:
    """The raw private key; BundleError when missing, damaged or the passphrase is wrong (counted,
    and refused unchecked while a wait runs). An old-format box is re-sealed on success."""
    row = sync.get_key(store, key_id)
    if row is None:
        raise BundleError(f"Không có khóa riêng {crypto.group_hex(key_id)} trong cơ sở dữ liệu này.")
    passphrase_tries.check_not_waiting(store)
    raw = _unseal(row["private_key_encrypted"], passphrase, key_id)
    if raw is None:
        raise passphrase_tries.record_failure(store, key_id)
    passphrase_tries.record_success(store, key_id)
    if _is_legacy(_box(row["private_key_encrypted"], key_id)) and not store.readonly:
        _store_sealed(store, key_id, _seal(raw, passphrase, key_id, DEFAULT_KDF), "rewrap")
    return raw


def _store_sealed(store: Store, key_id: str, sealed: str, reason: str) -> None:
    """Replace one key's sealed private half (one transaction; audited with the new cost only)."""
    box = json.loads(sealed)
    with store.transaction() as conn:
        conn.execute("UPDATE keys SET private_key_encrypted = ? WHERE id = ?", (sealed, key_id))
        conn.execute(
            "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
            "VALUES (?, ?, 'keys', ?, 'update', 'private_key_encrypted', NULL, ?)",
            (utc_now(), store.user, key_id, json.dumps({"reason": reason, "kdf": "scrypt", "n": box["n"],
                                                         "r": box["r"], "p": box["p"]}, sort_keys=True)))


def signing_key(store: Store, key_id: str, passphrase: str) -> Ed25519PrivateKey:
    """The private signing key ``key_id``, unlocked with the passphrase (BundleError if wrong)."""
    return Ed25519PrivateKey.from_private_bytes(_private_raw(store, key_id, passphrase))


def encryption_key(store: Store, key_id: str, passphrase: str) -> X25519PrivateKey:
    """The private encryption key ``key_id`` (current or retired), unlocked with the passphrase."""
    return X25519PrivateKey.from_private_bytes(_private_raw(store, key_id, passphrase))


def check_passphrase(store: Store, passphrase: str) -> None:
    """Raise BundleError unless the passphrase opens the current signing key."""
    signing_key(store, require_keys(store).sign_id, passphrase)


def change_passphrase(store: Store, old: str, new: str, *, kdf: KdfParams = DEFAULT_KDF) -> PassphraseChange:
    """Re-seal this copy's private keys (current and retired) under ``new``; no key is created and
    key cards stay valid. ``old`` must open the current signing key (a wrong one is counted as a
    failure and changes nothing); retired keys that ``old`` does not open (sealed under an
    earlier passphrase) are left as they were and counted in ``skipped``. One transaction."""
    pair = require_keys(store)
    check_passphrase_strength(new, _names(store))
    if passwords.fold_secret(new) == passwords.fold_secret(old or ""):
        raise ValidationError("Cụm mật khẩu khóa mới phải khác cụm đang dùng.", field="new_passphrase")
    store.check_writable()
    _private_raw(store, pair.sign_id, old)  # proves the old passphrase (and counts a wrong one)
    rows = store.query("SELECT id, private_key_encrypted FROM keys ORDER BY created_at, id")
    resealed: list[tuple[str, str]] = []
    for row in rows:
        raw = _unseal(row["private_key_encrypted"], old, row["id"])
        if raw is not None:
            resealed.append((row["id"], _seal(raw, new, row["id"], kdf)))
    if pair.encrypt_id not in {key_id for key_id, _ in resealed}:
        raise BundleError("Cụm mật khẩu khóa cũ mở được khóa ký nhưng không mở được khóa mã hóa hiện tại; "
                          "không có gì bị thay đổi. Hãy đổi khóa (cannngheo keys init --rotate).")
    with store.transaction():
        for key_id, sealed in resealed:
            _store_sealed(store, key_id, sealed, "passphrase_changed")
    _signing_slot(store, new)
    return PassphraseChange(len(resealed), len(rows) - len(resealed))
