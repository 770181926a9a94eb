"""Whole-file copies between plain and encrypted databases, their proof, and removing a file.

* :func:`export_copy` writes a whole database (schema, rows, ``user_version``,
  ``application_id``) to a new file keyed with a given key, through SQLCipher's
  ``sqlcipher_export`` (the online backup API cannot cross between a plain and an encrypted file);
* :func:`fingerprint` counts the rows of every table and hashes them in rowid order, so a copy is
  accepted only when it holds exactly what its source held (:func:`check_copy`);
* :func:`wipe` overwrites a file with zeros and flushes it to the disk before removing it (see
  docs/security.md for what this can and cannot promise on SSDs and journalling file systems).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..core.errors import DatabaseError
from . import cipher
from .driver import sqlite3
from .failures import error_kind

APPLICATION_ID = 0x434E4744  # as storage/db.py: PRAGMA application_id marks our files


def fingerprint(conn: sqlite3.Connection, schema: str = "main") -> dict[str, tuple[int, str]]:
    """{table: (row count, sha256 of every row in rowid order)} for every table of ``schema``."""
    out: dict[str, tuple[int, str]] = {}
    names = [r[0] for r in conn.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    for name in names:
        digest = hashlib.sha256()
        count = 0
        without_rowid = "WITHOUT ROWID" in (conn.execute(
            f"SELECT sql FROM {schema}.sqlite_master WHERE name = ?", (name,)).fetchone()[0] or "").upper()
        order = "" if without_rowid else " ORDER BY rowid"
        for row in conn.execute(f'SELECT * FROM {schema}."{name}"{order}'):
            digest.update(repr(tuple(row)).encode("utf-8"))
            count += 1
        out[name] = (count, digest.hexdigest())
    return out


def export_copy(conn: sqlite3.Connection, target: Path, key: bytes | None) -> None:
    """Write everything ``conn`` holds to the new file ``target`` (encrypted with ``key``; plain
    when None). ``target`` must not exist."""
    if target.exists():
        raise DatabaseError(f"Tệp '{target}' đã có; không ghi đè.")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    key_sql = f"x'{key.hex()}'" if key is not None else ""
    conn.execute(f"ATTACH DATABASE ? AS cn_export KEY \"{key_sql}\"", (str(target),))
    try:
        conn.execute("SELECT sqlcipher_export('cn_export')").fetchall()
        conn.execute(f"PRAGMA cn_export.user_version = {int(version)}")
        conn.execute(f"PRAGMA cn_export.application_id = {int(app_id)}")
    finally:
        conn.execute("DETACH DATABASE cn_export")


def open_file(path: Path, key: bytes | None, *, readonly: bool = True) -> sqlite3.Connection:
    """A bare connection to one of our files (for copying and checking), keyed when ``key``."""
    uri = f"file:{path.as_posix()}?mode={'ro' if readonly else 'rw'}"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    if key is not None:
        cipher.apply_key(conn, key)
    return conn


def check_copy(path: Path, key: bytes | None, expected: dict[str, tuple[int, str]] | None = None) -> None:
    """Refuse a copy that does not open with ``key``, is damaged, is not ours, or (given
    ``expected``) does not hold exactly those rows."""
    try:
        conn = open_file(path, key)
        try:
            if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                raise DatabaseError(f"Tệp '{path}' không phải cơ sở dữ liệu của Cận Nghèo Desktop.")
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise DatabaseError(f"Bản sao '{path}' bị hỏng (kiểm tra toàn vẹn không đạt).")
            if expected is not None and fingerprint(conn) != expected:
                raise DatabaseError(f"Bản sao '{path}' không khớp với dữ liệu gốc; chưa thay thế gì.")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if error_kind(exc) == "corrupt":
            raise DatabaseError(
                f"Không mở được '{path}': khóa (mật khẩu, mã khôi phục) không đúng với tệp này, hoặc tệp "
                "bị hỏng. Chưa có gì thay đổi.", detail=str(exc)) from exc
        raise DatabaseError(f"Không đọc được '{path}'. Chưa có gì thay đổi.", detail=str(exc)) from exc


def wipe(path: Path) -> None:
    """Overwrite ``path`` with zeros, flush to disk, remove it (missing: nothing to do)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    with path.open("r+b") as fh:
        zeros = bytes(1 << 20)
        left = size
        while left > 0:
            step = min(left, len(zeros))
            fh.write(zeros[:step])
            left -= step
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()


def wipe_database_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        wipe(Path(f"{path}{suffix}"))
