"""The rules for every new password or passphrase, and the one key-derivation function.

Policy (:func:`check_new_secret`): at least ``MIN_LENGTH`` characters, not one of the common
passwords shipped in ``resources/common_passwords.txt`` (compared without case, tone marks or
spaces, so "Mật Khẩu 123" is "matkhau123"; punctuation counts), not made of fewer than
``MIN_DISTINCT`` different characters, and not equal to or containing a given name (user name,
unit name). A broken rule is a ValidationError whose Vietnamese message says what is wrong and
what to do; the secret itself is never quoted.

KDF (:func:`derive_key`): scrypt with N = ``SCRYPT_N`` (2^17), r = 8, p = 1 over the
NFC-normalised secret, so the same words typed on Windows (NFC) or pasted from elsewhere (NFD)
give the same key. Qt-free and SQL-free.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from ..paths import resource_path
from .errors import ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 1024
MIN_DISTINCT = 4
MIN_NAME = 4  # shorter names (a 3-digit unit code) are not looked for inside a secret
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
KEY_BYTES = 32
COMMON_FILE = "common_passwords.txt"
MAX_COMMON_FILE = 1024 * 1024

# Always refused, even if the resource file is missing from a damaged install.
_BUILT_IN = frozenset({"matkhau123", "matkhau1234", "1234567890", "0123456789", "qwertyuiop",
                       "password123", "admin12345", "quantri123", "abc1234567", "abcd123456"})


def fold_secret(text: str) -> str:
    """The comparison key of a secret or a name: no tone marks (đ → d), lower case, no spaces;
    punctuation and digits stay. ``fold_secret("Mật Khẩu 123") == "matkhau123"``."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed.casefold() if not ch.isspace() and unicodedata.category(ch) != "Mn")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, folded (``#`` starts a comment line)."""
    found = set(_BUILT_IN)
    path = resource_path(COMMON_FILE)
    try:
        if path.stat().st_size <= MAX_COMMON_FILE:
            for line in path.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    found.add(fold_secret(line))
    except (OSError, UnicodeDecodeError):
        pass  # the built-in core still applies
    found.discard("")
    return frozenset(found)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def check_new_secret(secret: str, *, what: str, field: str, names: Sequence[str] = ()) -> None:
    """Refuse a new password/passphrase that breaks the policy (ValidationError on ``field``).

    ``what`` names it in the message ("mật khẩu", "cụm mật khẩu khóa"); ``names`` are the user
    name, unit name… that it must neither be nor contain."""
    if not isinstance(secret, str):
        raise ValidationError(f"{_capital(what)} không hợp lệ.", field=field)
    text = unicodedata.normalize("NFC", secret)
    length = len(text)
    if length < MIN_LENGTH:
        raise ValidationError(
            f"{_capital(what)} cần ít nhất {MIN_LENGTH} ký tự (đang có {length}). Hãy dùng một câu ngắn "
            "dễ nhớ với bạn, ví dụ 'nhà tôi ở thôn 3'.", field=field)
    if length > MAX_LENGTH:
        raise ValidationError(f"{_capital(what)} dài quá {MAX_LENGTH} ký tự; hãy chọn {what} ngắn hơn.",
                              field=field)
    key = fold_secret(text)
    if len(set(text)) < MIN_DISTINCT:
        raise ValidationError(
            f"{_capital(what)} quá đơn giản (ít hơn {MIN_DISTINCT} ký tự khác nhau). Hãy chọn {what} "
            "khác, ví dụ một câu ngắn chỉ bạn biết.", field=field)
    if key in common_passwords():
        raise ValidationError(
            f"{_capital(what)} này nằm trong danh sách mật khẩu phổ biến, rất dễ bị đoán. Hãy chọn {what} "
            "khác, ví dụ một câu ngắn chỉ bạn biết.", field=field)
    for name in names:
        folded = fold_secret(str(name or ""))
        if len(folded) >= MIN_NAME and folded in key:
            raise ValidationError(
                f"{_capital(what)} không được trùng hoặc chứa tên '{name}'. Hãy chọn {what} khác.",
                field=field)


def derive_key(secret: str, salt: bytes, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> bytes:
    """A 256-bit key from a secret: scrypt(NFC(secret), salt, N=n, r, p). Deterministic for a
    given salt and cost; ``n`` must be a power of two (ValueError otherwise)."""
    if n < 2 or n & (n - 1) or not 1 <= r <= 64 or not 1 <= p <= 16:
        raise ValueError(f"scrypt cost out of range: n={n}, r={r}, p={p}")
    data = unicodedata.normalize("NFC", secret).encode("utf-8")
    need = 128 * r * (n + p + 2)
    return hashlib.scrypt(data, salt=salt, n=n, r=r, p=p, maxmem=need + (32 << 20), dklen=KEY_BYTES)
