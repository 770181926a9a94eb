"""What a failure of the file or disk is, whatever raised it: SQLite's result codes and the
operating system's errors sorted into the few kinds a cadre can act on (locked, full, read-only,
damaged, disk i/o). db.py and backup.py word their messages from these kinds."""

from __future__ import annotations

import errno

from .driver import sqlite3

# SQLite primary result codes of failures of the file or disk (not of the SQL).
_SQLITE_KINDS = {5: "locked", 6: "locked", 8: "readonly", 10: "io", 11: "corrupt", 13: "full",
                 14: "readonly", 26: "corrupt"}
_OS_KINDS = {errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EROFS: "readonly", errno.EACCES: "readonly",
             errno.EPERM: "readonly", errno.EIO: "io"}


def error_kind(exc: BaseException) -> str | None:
    """'locked', 'full', 'readonly', 'corrupt', 'io' or None (a failure of the SQL or code)."""
    if isinstance(exc, OSError):
        return _OS_KINDS.get(exc.errno) if exc.errno is not None else None
    if not isinstance(exc, sqlite3.Error):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return _SQLITE_KINDS.get(code & 0xFF)
    text = str(exc).lower()  # errors raised without a code (older Pythons, some wrappers)
    for words, kind in ((("database is locked", "busy"), "locked"), (("disk is full",), "full"),
                        (("readonly", "read-only", "unable to open"), "readonly"),
                        (("malformed", "not a database"), "corrupt"), (("disk i/o",), "io")):
        if any(w in text for w in words):
            return kind
    return None
