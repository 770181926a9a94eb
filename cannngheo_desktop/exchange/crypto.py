"""The primitives: Ed25519 signatures and X25519 + HKDF-SHA256 + AES-256-GCM encryption.

Nothing here touches files or the database; keys are raw 32-byte values or cryptography objects.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SCHEME = "X25519-HKDF-SHA256-AES-256-GCM"
HKDF_INFO = b"cannngheo-bundle-v1"
RAW = serialization.Encoding.Raw
RAW_PUB = serialization.PublicFormat.Raw


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, *, length: int | None = None) -> bytes:
    """Strict base64 decoding; raises ValueError on bad text or a wrong length."""
    data = base64.b64decode(text.encode("ascii"), validate=True)
    if length is not None and len(data) != length:
        raise ValueError(f"expected {length} bytes, got {len(data)}")
    return data


def key_id(raw_public: bytes) -> str:
    """A key's id: the first 16 hex digits of sha256 over its raw public bytes."""
    return hashlib.sha256(raw_public).hexdigest()[:16]


def card_fingerprint(sign_public: bytes, encrypt_public: bytes) -> str:
    """LEGACY (version 1) key card fingerprint: 16 hex digits of sha256 over both raw public keys.

    It covers neither the unit nor the role and is only 64 bits: kept to recognise roster rows and
    card files written before version 2; never shown to people as something to compare."""
    return hashlib.sha256(sign_public + encrypt_public).hexdigest()[:16]


FINGERPRINT_PURPOSE = b"cannngheo-keycard-v2"
FINGERPRINT_ROLES = ("commune", "aggregator")
DISPLAY_HEX = 32  # 128 bits shown to people: 8 groups of 4 hex digits


def _field(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def keycard_fingerprint(role: str, unit_code: str, sign_public: bytes, encrypt_public: bytes) -> str:
    """A key card's fingerprint (version 2): 64 hex digits of sha256 over a domain-separated,
    length-prefixed encoding of the purpose, the unit's role, its unit code and both raw public
    keys. A card whose role, unit code or either key was changed has another fingerprint."""
    if role not in FINGERPRINT_ROLES:
        raise ValueError(f"vai trò {role!r} không hợp lệ")
    if len(sign_public) != 32 or len(encrypt_public) != 32:
        raise ValueError("khóa công khai phải dài đúng 32 byte")
    data = b"".join(_field(part) for part in (FINGERPRINT_PURPOSE, role.encode("ascii"),
                                              unit_code.encode("utf-8"), sign_public, encrypt_public))
    return hashlib.sha256(data).hexdigest()


def display_fingerprint(fingerprint: str) -> str:
    """What people read and compare: the first 128 bits in 8 groups of 4 ('A1B2 C3D4 … 0718')."""
    return group_hex(fingerprint[:DISPLAY_HEX])


def normalize_fingerprint(text: str) -> str:
    """A fingerprint as typed or read aloud → lowercase hex digits only (spaces, dashes, dots and
    the case are ignored); '' when anything else is in it."""
    cleaned = "".join(ch for ch in str(text) if ch not in " \t-.:")
    cleaned = cleaned.lower()
    if not cleaned or any(ch not in "0123456789abcdef" for ch in cleaned):
        return ""
    return cleaned


def fingerprint_matches(typed: str, fingerprint: str) -> bool:
    """True when ``typed`` (as read over the phone: the 32 shown digits, or all 64) is the
    fingerprint ``fingerprint`` (64 hex digits). Constant-time comparison."""
    wanted = normalize_fingerprint(typed)
    full = fingerprint.lower()
    if len(wanted) not in (DISPLAY_HEX, len(full)) or len(full) < DISPLAY_HEX:
        return False
    return hmac.compare_digest(wanted.encode("ascii"), full[:len(wanted)].encode("ascii"))


def group_hex(text: str) -> str:
    """'a1b2c3d4e5f60718' → 'A1B2 C3D4 E5F6 0718' (for reading aloud and comparing by eye)."""
    text = text.upper()
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def public_raw(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(RAW, RAW_PUB)


def sign(private: Ed25519PrivateKey, data: bytes) -> bytes:
    """Raw 64-byte Ed25519 signature (what `openssl pkeyutl -sign -rawin` makes)."""
    return private.sign(data)


def verify(public_raw_bytes: bytes, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_raw_bytes).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def signing_pem(public_raw_bytes: bytes) -> str:
    """SubjectPublicKeyInfo PEM of an Ed25519 public key (for openssl)."""
    pub = Ed25519PublicKey.from_public_bytes(public_raw_bytes)
    return pub.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def _derive(shared: bytes, eph_pub: bytes, recipient_pub: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=eph_pub + recipient_pub,
                info=HKDF_INFO).derive(shared)


def encrypt_for(recipient_pub: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes, bytes]:
    """Encrypt for one X25519 public key. Returns (ephemeral public key, nonce, ciphertext+tag)."""
    eph = X25519PrivateKey.generate()
    eph_pub = public_raw(eph)
    shared = eph.exchange(X25519PublicKey.from_public_bytes(recipient_pub))
    nonce = os.urandom(12)
    ct = AESGCM(_derive(shared, eph_pub, recipient_pub)).encrypt(nonce, plaintext, aad)
    return eph_pub, nonce, ct


def decrypt_with(private: X25519PrivateKey, eph_pub: bytes, nonce: bytes, ciphertext: bytes,
                 aad: bytes) -> bytes | None:
    """Decrypt what encrypt_for made; None when the key, nonce, data or aad do not match."""
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(eph_pub))
        key = _derive(shared, eph_pub, public_raw(private))
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except (InvalidTag, ValueError):
        return None
