"""The recovery key printed at setup: 160 random bits shown as 8 groups of 4 characters of
Crockford base32 (``J1AZ-DMPY-…``), read back forgivingly (case, spaces and dashes do not
matter; O/0 and I/L/1 are read alike). The database key is derived from it with HKDF-SHA256, so
the sheet opens the database and its backups even when the key-slot file is lost."""

from __future__ import annotations

import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import cipher

RECOVERY_BYTES = 20  # 160 bits, 32 characters of Crockford base32, 8 groups of 4
_B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_B32_READ = {**{c: i for i, c in enumerate(_B32)}, "O": 0, "I": 1, "L": 1}


def new_recovery_secret() -> bytes:
    return secrets.token_bytes(RECOVERY_BYTES)


def format_recovery(secret: bytes) -> str:
    number = int.from_bytes(secret, "big")
    chars = "".join(_B32[(number >> (5 * i)) & 31] for i in reversed(range(RECOVERY_BYTES * 8 // 5)))
    return "-".join(chars[i:i + 4] for i in range(0, len(chars), 4))


def parse_recovery(text: str) -> bytes | None:
    """The recovery key typed from the sheet (case, spaces and dashes do not matter; O/0 and
    I/L/1 are read alike), or None when ``text`` is not one."""
    chars = [c for c in (text or "").upper() if c not in " -\t"]
    if len(chars) != RECOVERY_BYTES * 8 // 5 or any(c not in _B32_READ for c in chars):
        return None
    number = 0
    for c in chars:
        number = (number << 5) | _B32_READ[c]
    return number.to_bytes(RECOVERY_BYTES, "big")


def key_from_recovery(secret: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=cipher.KEY_BYTES, salt=None,
                info=b"cannngheo-desktop database key v1").derive(secret)
