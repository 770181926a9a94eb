"""Backups with SQLite's online backup API: automatic rotating copies, manual copies, restore."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from ..core.errors import DatabaseError
from ..paths import backups_dir

SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file

KEEP_AUTOMATIC = 10


def _copy(conn: sqlite3.Connection, target: Path) -> None:
    tmp = target.with_suffix(target.suffix + ".part")
    try:
        dest = sqlite3.connect(tmp)
        try:
            conn.backup(dest)
        finally:
            dest.close()
        tmp.replace(target)
    except (sqlite3.Error, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise DatabaseError(
            f"Không sao lưu được vào '{target}': {exc}. Hãy kiểm tra dung lượng và quyền ghi.",
            detail=str(exc)) from exc


def backup_database(conn: sqlite3.Connection, db_path: Path, *, reason: str = "tu-dong",
                    folder: Path | None = None, keep: int | None = KEEP_AUTOMATIC) -> Path:
    """Copy the open database to ``folder`` (default: the backups folder beside it).

    Automatic copies rotate: only the newest ``keep`` of the same folder are kept.
    """
    folder = folder or backups_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{db_path.stem}-{stamp}-{reason}.sqlite"
    _copy(conn, target)
    if keep is not None:
        copies = sorted(folder.glob(f"{db_path.stem}-*.sqlite"))
        for old in copies[:-keep]:
            old.unlink(missing_ok=True)
    return target


def list_backups(db_path: Path) -> list[Path]:
    folder = backups_dir(db_path)
    return sorted(folder.glob(f"{db_path.stem}-*.sqlite"), reverse=True) if folder.exists() else []


def daily_backup_due(db_path: Path) -> bool:
    today = datetime.now().strftime("%Y%m%d")
    return not any(p.name.startswith(f"{db_path.stem}-{today}") for p in list_backups(db_path))


def restore_database(backup_file: Path, db_path: Path) -> Path:
    """Replace ``db_path`` with ``backup_file`` after backing up the current file.

    The caller must have closed every connection to ``db_path``. Returns the safety copy.
    """
    with backup_file.open("rb") as fh:
        if fh.read(16) != SQLITE_HEADER:
            raise DatabaseError(f"'{backup_file}' không phải bản sao lưu hợp lệ; không khôi phục.")
    safety = None
    if db_path.exists():
        src = sqlite3.connect(db_path)
        try:
            safety = backup_database(src, db_path, reason="truoc-khoi-phuc")
        finally:
            src.close()
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    tmp = db_path.with_suffix(".restoring")
    shutil.copyfile(backup_file, tmp)
    tmp.replace(db_path)
    return safety or db_path
