"""Backups with SQLite's online backup API: automatic rotating copies, manual copies, restore."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from ..core.errors import DatabaseError
from ..paths import backups_dir
from .driver import sqlite3
from .failures import error_kind

SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file

KEEP_AUTOMATIC = 10


def _copy(conn: sqlite3.Connection, target: Path, *, chosen: bool) -> None:
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
        raise backup_failed(exc, conn, target, chosen=chosen) from exc


def _size_mb(conn: sqlite3.Connection) -> int:
    try:
        pages, size = (conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size"))
    except sqlite3.Error:
        return 0
    return max(1, -(-pages * size // 1_000_000))


def backup_failed(exc: BaseException, conn: sqlite3.Connection, target: Path, *, chosen: bool) -> DatabaseError:
    """The failed copy in words a cadre can act on; SQLite's or the system's own (English) text is
    the error's ``detail``, which the window and the command line write to the log."""
    folder = target.parent
    elsewhere = ("chọn thư mục khác (ổ đĩa khác, USB còn trống)" if chosen else
                 "chép tệp dữ liệu sang ổ đĩa còn trống rồi mở tệp đó (bản sao lưu tự động nằm trong "
                 "thư mục backups cạnh tệp dữ liệu)")
    kind = error_kind(exc)
    if kind == "full":
        message = (f"Không sao lưu được: ổ đĩa chứa thư mục '{folder}' đã đầy (bản sao cần khoảng "
                   f"{_size_mb(conn)} MB). Hãy giải phóng dung lượng trên ổ đĩa đó (xóa tệp không cần, "
                   f"dọn thùng rác) hoặc {elsewhere}, rồi thử lại.")
    elif kind == "readonly":
        message = (f"Không sao lưu được: không có quyền ghi vào thư mục '{folder}' (thư mục chỉ đọc "
                   f"hoặc bị khóa). Hãy {elsewhere}, rồi thử lại.")
    else:
        message = (f"Không sao lưu được vào thư mục '{folder}' (lỗi đọc/ghi ổ đĩa). Hãy kiểm tra ổ đĩa "
                   f"hoặc {elsewhere}, rồi thử lại.")
    return DatabaseError(f"{message} Cơ sở dữ liệu không bị thay đổi.",
                         detail=f"{type(exc).__name__}: {exc} ({target})")


def backup_database(conn: sqlite3.Connection, db_path: Path, *, reason: str = "tu-dong",
                    folder: Path | None = None, keep: int | None = KEEP_AUTOMATIC) -> Path:
    """Copy the open database to ``folder`` (default: the backups folder beside it).

    Automatic copies rotate: only the newest ``keep`` of the same folder are kept.
    """
    chosen = folder is not None
    folder = folder or backups_dir(db_path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{db_path.stem}-{stamp}-{reason}.sqlite"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise backup_failed(exc, conn, target, chosen=chosen) from exc
    _copy(conn, target, chosen=chosen)
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
