"""The database key: how a connection is keyed, whether a file is encrypted, and the keys this
process has unlocked.

A database is encrypted by SQLCipher (storage/driver.py) with a random 256-bit key given raw
(``PRAGMA key = "x'…'"``): no key derivation runs when a file is opened, so the window's worker
threads open their own connections at no cost. The key itself is never stored in clear: it is
wrapped in the key slots beside the file (storage/keyslots.py) and derived from the recovery key
printed at setup. Once a person has unlocked a file, this process keeps the key in memory
(:func:`remember`) so that every connection it opens to that file (worker threads, the command
it runs) finds it; :func:`forget` drops it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from pathlib import Path

from .driver import sqlite3

KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every plain SQLite database file

_lock = threading.Lock()
_keys: dict[str, bytes] = {}
_new_file_key: bytes | None = None


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def _norm(path: Path | str) -> str:
    return os.path.normcase(str(Path(path).resolve()))


def remember(path: Path | str, key: bytes) -> None:
    """Keep ``key`` for ``path`` in this process (after the person unlocked it)."""
    check_key(key)
    with _lock:
        _keys[_norm(path)] = bytes(key)


def recall(path: Path | str) -> bytes | None:
    with _lock:
        return _keys.get(_norm(path))


def forget(path: Path | str) -> None:
    with _lock:
        _keys.pop(_norm(path), None)


def set_key_for_new_files(key: bytes | None) -> None:
    """Encrypt every database this process creates without an explicit key with ``key`` (and
    remember it per file). For embedding and for the test suite, which runs every test on
    encrypted files this way; the window and the command line always pass the key of a new
    file's own key slots and never set this."""
    global _new_file_key
    if key is not None:
        check_key(key)
    _new_file_key = key


def key_for_new_file() -> bytes | None:
    return _new_file_key


def check_key(key: bytes) -> None:
    if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
        raise ValueError("a database key is 32 bytes")


def key_pragma(key: bytes) -> str:
    check_key(key)
    return f"PRAGMA key = \"x'{bytes(key).hex()}'\""


def apply_key(conn: sqlite3.Connection, key: bytes) -> None:
    """Key a fresh connection (must be its first statement)."""
    conn.execute(key_pragma(key))


def key_check(key: bytes) -> str:
    """A short public value that tells whether a key belongs to a file, without opening it."""
    return hmac.new(bytes(key), b"cannngheo-desktop database key check v1", hashlib.sha256).hexdigest()[:32]


def looks_encrypted(path: Path) -> bool:
    """A file that may be one of our encrypted databases: not plain SQLite, and either its key
    slot file is beside it or it is made of whole SQLCipher pages."""
    try:
        size = path.stat().st_size
        if not path.is_file() or size == 0 or is_plain_file(path):
            return False
    except OSError:
        return False
    if Path(f"{path}.keys").exists():
        return True
    return size >= 1024 and size % 512 == 0


def is_plain_file(path: Path) -> bool:
    """True for a plain SQLite file (its header readable), False for an encrypted or foreign one."""
    with path.open("rb") as fh:
        return fh.read(16) == SQLITE_HEADER
