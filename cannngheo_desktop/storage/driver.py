"""The SQLite library the whole app runs on: SQLCipher, through ``sqlcipher3-wheels``.

SQLCipher is SQLite with page-level encryption (AES-256, HMAC-SHA512 per page); a connection
that is given no key reads and writes plain SQLite files exactly as the standard library does, so
this one module decides the driver for every connection the app opens (issue 16, docs/security.md
"Data at rest"). Everything that catches database errors, builds rows or checks statements uses
the names re-exported here — ``sqlite3.Error`` from the standard library would NOT catch this
driver's errors.

Why this library (evaluated side by side, bench/bench_cipher.py): it keeps the standard
``sqlite3`` DB-API (rows, ``backup``, ``executemany``, sqlite-utils on top), ships wheels for
Windows x64 and manylinux x86_64 with SQLCipher statically linked (no system library, nothing
for PyInstaller to miss), carries FTS5 with the trigram tokenizer, and is released with current
SQLite (3.51 in 0.5.7). ``sqlcipher3`` proper ships no Linux wheel for CPython 3.11; APSW with
SQLite3 Multiple Ciphers is a different API (no DB-API rows, no sqlite-utils).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the stubs of the standard module describe the same API
    import sqlite3
else:
    from sqlcipher3 import dbapi2 as sqlite3


def _quiet() -> None:
    """SQLCipher writes its own errors (a wrong key: "hmac check failed") to stderr; the app
    says what happened in Vietnamese instead, so its log level is set to NONE (process-wide)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
    finally:
        conn.close()


_quiet()

__all__ = ["sqlite3"]
