"""Encrypting a database: the first-start encryption of a plain file and the key of a new one.

:func:`encrypt_plain_database` is the first-start migration of a plain database: an encrypted
backup first, then the encrypted copy, verified row for row (storage/copies.py), and only then
the plain file and its plain automatic backups wiped. :func:`prepare_new_database` gives a new
file its key (derived from the recovery key) and its empty key-slot file.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from . import cipher, keyslots
from .backup import backup_database, list_backups
from .copies import check_copy, export_copy, fingerprint, open_file, wipe, wipe_database_files
from .driver import sqlite3

__all__ = ["Encrypted", "NewDatabase", "check_copy", "discard_new_database", "encrypt_plain_database",
           "export_copy", "fingerprint", "open_file", "prepare_new_database", "wipe"]


@dataclass(frozen=True)
class Encrypted:
    key: bytes
    recovery: str           # the recovery key to print (storage/keyslots.format_recovery)
    backup: Path            # the encrypted copy taken before anything else
    backups_encrypted: int  # plain automatic backups re-written encrypted (and wiped)


def encrypt_plain_database(conn: sqlite3.Connection, path: Path, *, admin_name: str, password: str,
                           label: str = "") -> Encrypted:
    """Encrypt the plain database ``path`` (``conn`` open on it, the session lock held, no other
    connection): an encrypted backup first, then the encrypted copy beside it, verified row for
    row; the key-slot file; then the copy replaces the file and the plain file, its side files
    and its plain automatic backups are wiped. This closes ``conn``; the caller reopens ``path``
    with the returned key. On any failure before the swap the plain database is exactly as it
    was."""
    secret = keyslots.new_recovery_secret()
    key = keyslots.key_from_recovery(secret)
    with contextlib.suppress(sqlite3.Error):
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    expected = fingerprint(conn)
    kf = keyslots.new_key_file(key, label=label)
    keyslots.make_slot(kf, key, "user", admin_name, password)
    work = path.with_name(path.name + ".encrypting")
    for stale in (work, Path(f"{work}-journal")):
        stale.unlink(missing_ok=True)
    try:
        safety = backup_database(conn, path, reason="truoc-ma-hoa", key=key, key_file=kf)
        export_copy(conn, work, key)
        check_copy(work, key, expected)
    except BaseException:
        wipe(work)
        raise
    keyslots.write_key_file(path, kf)
    conn.close()
    wipe_database_files(path)
    os.replace(work, path)
    converted = 0
    for old in list_backups(path):
        if old == safety or not cipher.is_plain_file(old):
            continue
        _encrypt_backup(old, key, kf)
        converted += 1
    return Encrypted(key, keyslots.format_recovery(secret), safety, converted)


def _encrypt_backup(old: Path, key: bytes, kf: keyslots.KeyFile) -> None:
    """Re-write a plain backup encrypted under the same name, then wipe the plain bytes."""
    work = old.with_name(old.name + ".encrypting")
    work.unlink(missing_ok=True)
    src = open_file(old, None)
    try:
        expected = fingerprint(src)
        export_copy(src, work, key)
    finally:
        src.close()
    check_copy(work, key, expected)
    wipe(old)
    os.replace(work, old)
    keyslots.write_key_file(old, kf)


@dataclass(frozen=True)
class NewDatabase:
    key: bytes
    recovery: str  # to print on the recovery sheet, once


def prepare_new_database(path: Path, *, label: str = "") -> NewDatabase:
    """The key and the (empty) key-slot file of a database about to be created at ``path``;
    open it with ``open_db(path, key=…)`` and its first user gets the first slot."""
    secret = keyslots.new_recovery_secret()
    key = keyslots.key_from_recovery(secret)
    keyslots.write_key_file(path, keyslots.new_key_file(key, label=label))
    return NewDatabase(key, keyslots.format_recovery(secret))


def discard_new_database(path: Path) -> None:
    """Remove a database whose creation was abandoned (it holds no household yet)."""
    cipher.forget(path)
    for suffix in ("", "-wal", "-shm", "-journal", ".keys"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
