"""Users and passwords.

On an encrypted database a person's password is the key slot that unwraps the database key
(storage/keyslots.py): ``password_hash`` then says ``keyslot`` and the slot is the only
verifier, so a password is checked, changed and reset in one place. On a plain database (before
its first-start encryption) the password is a salted scrypt hash (N = 2^17 for new hashes;
older hashes keep the parameters they were made with)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from ..core.errors import AuthError, ValidationError
from ..core.text import nfc
from . import keyslots, repo
from .db import Store, utc_now

_R, _P = 8, 1
KEYSLOT = "keyslot"  # password_hash of a user whose password is a key slot
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    n = keyslots.SCRYPT_N
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=_R, p=_P, dklen=32,
                            maxmem=256 * _R * n + (1 << 20))
    return f"scrypt${n}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    if not (n.isdigit() and r.isdigit() and p.isdigit() and int(n) <= 2**20 and int(r) <= 16 and int(p) <= 4):
        return False
    digest = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt_b64),
                            n=int(n), r=int(r), p=int(p), dklen=32, maxmem=256 * int(r) * int(n) + (1 << 20))
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def create_user(store: Store, name: str, password: str, *, role: str = "user",
                full_name: str = "", unit_code: str | None = None) -> dict:
    name = nfc(name or "")
    if not name:
        raise ValidationError("Tên đăng nhập không được để trống.", field="name")
    check_new_password(password, name)
    if store.query_one("SELECT 1 FROM users WHERE name = ? AND deleted = 0", (name,)):
        raise ValidationError(f"Tên đăng nhập '{name}' đã có.", field="name")
    row = repo.insert(store, "users", {
        "name": name, "full_name": full_name or name, "role": role,
        "password_hash": _verifier(store, name, password), "unit_code": unit_code})
    return row


def check_new_password(password: str, name: str = "") -> None:
    """The rules every new password follows (core/passwords.py when present)."""
    import importlib

    try:
        passwords = importlib.import_module("cannngheo_desktop.core.passwords")
    except ImportError:  # pragma: no cover - until the policy module lands
        if len(password or "") < MIN_LENGTH:
            raise ValidationError(f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.", field="password") from None
        return
    passwords.check_new_secret(password, what="mật khẩu", field="password", names=[name] if name else [])


def _verifier(store: Store, name: str, password: str) -> str:
    """A key slot on an encrypted database that has a slot file; a scrypt hash otherwise."""
    if store.key is not None and keyslots.read_key_file(store.path) is not None:
        keyslots.set_slot(store.path, store.key, "user", name, password)
        return KEYSLOT
    return hash_password(password)


def authenticate(store: Store, name: str, password: str) -> dict:
    row = store.query_one("SELECT * FROM users WHERE name = ? AND deleted = 0", (nfc(name or ""),))
    if row is None:
        raise AuthError("Tên đăng nhập hoặc mật khẩu không đúng.")
    if row["password_hash"] == KEYSLOT:
        keyslots.unlock(store.path, password, name=row["name"])  # AuthError, with the wait in force
    elif not check_password(password, row["password_hash"]):
        raise AuthError("Tên đăng nhập hoặc mật khẩu không đúng.")
    return dict(row)


def find_user(store: Store, name: str) -> dict | None:
    row = store.query_one("SELECT * FROM users WHERE name = ? AND deleted = 0", (nfc(name or ""),))
    return None if row is None else dict(row)


def set_password(store: Store, name: str, new_password: str, *, old_password: str | None = None) -> None:
    """Change ``name``'s password (``old_password`` checked when given: a person changing their
    own) or reset it (an administrator, or after opening with the recovery key). One audited
    write; on an encrypted file the person's key slot is rewritten, nothing is re-encrypted."""
    user = find_user(store, name)
    if user is None:
        raise ValidationError(f"Không có người dùng '{name}'.", field="name")
    if old_password is not None:
        authenticate(store, name, old_password)
    check_new_password(new_password, user["name"])
    verifier = _verifier(store, user["name"], new_password)
    repo.update(store, "users", user["id"], {"password_hash": verifier})


def list_users(store: Store) -> list[dict]:
    return [dict(r) for r in store.query(
        "SELECT id, name, full_name, role FROM users WHERE deleted = 0 ORDER BY name")]


def first_admin_name(store: Store) -> str:
    return str(store.scalar("SELECT name FROM users WHERE role = 'admin' AND deleted = 0 ORDER BY name LIMIT 1")
               or "")


def record_encryption(store: Store, name: str, note: str) -> None:
    """After the first-start encryption (storage/encryption.py): ``name``'s password is now their
    key slot, and the encryption itself is audited; one transaction."""
    with store.transaction() as conn:
        conn.execute("UPDATE users SET password_hash = ? WHERE name = ? AND deleted = 0", (KEYSLOT, nfc(name)))
        conn.execute("INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
                     "VALUES (?, ?, 'database', 'encryption', 'update', 'encrypted', 'plain', ?)",
                     (utc_now(), name, note))
