"""Users and passwords (salted scrypt)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from ..core.errors import AuthError, ValidationError
from ..core.text import nfc
from . import repo
from .db import Store

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt_b64),
                            n=int(n), r=int(r), p=int(p), dklen=32)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def create_user(store: Store, name: str, password: str, *, role: str = "user",
                full_name: str = "", unit_code: str | None = None) -> dict:
    name = nfc(name or "")
    if not name:
        raise ValidationError("Tên đăng nhập không được để trống.", field="name")
    if len(password) < 6:
        raise ValidationError("Mật khẩu phải có ít nhất 6 ký tự.", field="password")
    if store.query_one("SELECT 1 FROM users WHERE name = ? AND deleted = 0", (name,)):
        raise ValidationError(f"Tên đăng nhập '{name}' đã có.", field="name")
    return repo.insert(store, "users", {
        "name": name, "full_name": full_name or name, "role": role,
        "password_hash": hash_password(password), "unit_code": unit_code})


def authenticate(store: Store, name: str, password: str) -> dict:
    row = store.query_one("SELECT * FROM users WHERE name = ? AND deleted = 0", (nfc(name or ""),))
    if row is None or not check_password(password, row["password_hash"]):
        raise AuthError("Tên đăng nhập hoặc mật khẩu không đúng.")
    return dict(row)


def list_users(store: Store) -> list[dict]:
    return [dict(r) for r in store.query(
        "SELECT id, name, full_name, role FROM users WHERE deleted = 0 ORDER BY name")]
