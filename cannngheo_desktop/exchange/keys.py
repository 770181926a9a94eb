"""This copy's own keys: an Ed25519 signing key and an X25519 encryption key per installation.

Private keys are stored in the ``keys`` table encrypted with a passphrase: scrypt derives a
256-bit key that seals the raw private bytes with AES-256-GCM (the key id is the associated
data, so a sealed key cannot be swapped between rows). The scrypt cost is stored beside it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ..core.errors import ValidationError
from ..storage import installation, repo
from ..storage.db import Store
from . import crypto, rotation, sync
from .errors import BundleError

MIN_PASSPHRASE = 8


@dataclass(frozen=True)
class KdfParams:
    """scrypt cost. The default suits a desktop (~0.1 s); tests pass a cheap one explicitly."""

    n: int = 2**15
    r: int = 8
    p: int = 1


DEFAULT_KDF = KdfParams()


@dataclass(frozen=True)
class KeyPair:
    """The public halves of this copy's current keys."""

    sign_id: str
    sign_public: bytes
    encrypt_id: str
    encrypt_public: bytes


def _seal(raw_private: bytes, passphrase: str, aad: str, kdf: KdfParams) -> str:
    salt, nonce = os.urandom(16), os.urandom(12)
    key = Scrypt(salt=salt, length=32, n=kdf.n, r=kdf.r, p=kdf.p).derive(passphrase.encode("utf-8"))
    ct = AESGCM(key).encrypt(nonce, raw_private, aad.encode("ascii"))
    return json.dumps({"kdf": "scrypt", "n": kdf.n, "r": kdf.r, "p": kdf.p, "salt": crypto.b64(salt),
                       "cipher": "AES-256-GCM", "nonce": crypto.b64(nonce), "ct": crypto.b64(ct)})


def _unseal(sealed: str, passphrase: str, aad: str) -> bytes | None:
    box = json.loads(sealed)
    key = Scrypt(salt=crypto.unb64(box["salt"]), length=32, n=int(box["n"]), r=int(box["r"]),
                 p=int(box["p"])).derive(passphrase.encode("utf-8"))
    try:
        return AESGCM(key).decrypt(crypto.unb64(box["nonce"]), crypto.unb64(box["ct"]), aad.encode("ascii"))
    except InvalidTag:
        return None


def check_passphrase_strength(passphrase: str) -> None:
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise ValidationError(f"Cụm mật khẩu khóa cần ít nhất {MIN_PASSPHRASE} ký tự.", field="passphrase")


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
    check_passphrase_strength(passphrase)
    old = current_keys(store)
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
    return pair


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
    row = sync.get_key(store, key_id)
    if row is None:
        raise BundleError(f"Không có khóa riêng {crypto.group_hex(key_id)} trong cơ sở dữ liệu này.")
    raw = _unseal(row["private_key_encrypted"], passphrase, key_id)
    if raw is None:
        raise BundleError("Cụm mật khẩu khóa không đúng. Hãy nhập lại; không có gì bị thay đổi.")
    return raw


def signing_key(store: Store, key_id: str, passphrase: str) -> Ed25519PrivateKey:
    """The private signing key ``key_id``, unlocked with the passphrase (BundleError if wrong)."""
    return Ed25519PrivateKey.from_private_bytes(_private_raw(store, key_id, passphrase))


def encryption_key(store: Store, key_id: str, passphrase: str) -> X25519PrivateKey:
    """The private encryption key ``key_id`` (current or retired), unlocked with the passphrase."""
    return X25519PrivateKey.from_private_bytes(_private_raw(store, key_id, passphrase))


def check_passphrase(store: Store, passphrase: str) -> None:
    """Raise BundleError unless the passphrase opens the current signing key."""
    signing_key(store, require_keys(store).sign_id, passphrase)
