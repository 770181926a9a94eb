"""One app copy per database file: an OS-level lock on ``<db>.lock`` that names its holder.

The OS drops the lock when the holder dies, so a crash never leaves the file blocked.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import sys
from datetime import datetime
from pathlib import Path
from typing import IO

from ..core.errors import DatabaseLockedError

# sys.platform, not os.name: type checkers follow it, so msvcrt is checked on Windows and fcntl elsewhere.
if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds
    import msvcrt

    def _try_lock(fh: IO) -> bool:
        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fh: IO) -> None:
        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
else:
    import fcntl

    def _try_lock(fh: IO) -> bool:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fh: IO) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def _holder_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock.json")


class SessionLock:
    def __init__(self, db_path: Path, fh: IO) -> None:
        self.db_path = db_path
        self._fh: IO | None = fh

    def release(self) -> None:
        if self._fh is None:
            return
        try:
            _holder_path(self.db_path).unlink(missing_ok=True)
        except OSError:
            pass
        _unlock(self._fh)
        self._fh.close()
        self._fh = None


def read_holder(db_path: Path) -> dict:
    try:
        return json.loads(_holder_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def acquire(db_path: Path, *, user: str = "") -> SessionLock:
    """Take the lock or raise DatabaseLockedError naming who holds the file."""
    path = lock_path(db_path)
    fh = open(path, "a+b")  # noqa: SIM115 - kept open for the session
    if not _try_lock(fh):
        fh.close()
        holder = read_holder(db_path)
        who = holder.get("user") or "một người dùng khác"
        where = holder.get("host") or "máy này"
        since = holder.get("since", "")
        raise DatabaseLockedError(
            f"Tệp dữ liệu '{db_path}' đang được mở bởi {who} trên máy {where}"
            + (f" từ {since}" if since else "")
            + ". Hãy đóng cửa sổ đó trước, hoặc mở một tệp khác.",
            holder=holder,
        )
    info = {
        "user": user or getpass.getuser(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "since": datetime.now().strftime("%H:%M %d/%m/%Y"),
    }
    try:
        _holder_path(db_path).write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    except OSError:
        pass
    return SessionLock(db_path, fh)
