"""Backups with SQLite's online backup API: automatic rotating copies, manual copies, restore.

A backup of an encrypted database is encrypted with the same key and carries a copy of the
key-slot file (``<copy>.keys``), so the same passwords and the recovery key open it; restoring
checks the copy opens and is whole before anything is replaced, and writes it back under the
current file's key (storage/encryption.py)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from ..core.errors import DatabaseError
from ..paths import backups_dir
from . import cipher, keyslots
from .cipher import SQLITE_HEADER
from .copies import check_copy, export_copy, open_file, wipe
from .driver import sqlite3
from .failures import error_kind

__all__ = ["SQLITE_HEADER", "BackupKeyError", "backup_database", "daily_backup_due", "list_backups", "restore_database"]

KEEP_AUTOMATIC = 10


def _copy(conn: sqlite3.Connection, target: Path, *, chosen: bool, key: bytes | None,
          source_plain: bool) -> None:
    tmp = target.with_suffix(target.suffix + ".part")
    try:
        tmp.unlink(missing_ok=True)
        if key is not None and source_plain:  # the backup API cannot cross plain → encrypted
            export_copy(conn, tmp, key)
        else:
            dest = sqlite3.connect(tmp)
            try:
                if key is not None:
                    cipher.apply_key(dest, key)
                conn.backup(dest)
            finally:
                dest.close()
        tmp.replace(target)
    except (sqlite3.Error, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise backup_failed(exc, conn, target, chosen=chosen) from exc


def _size_mb(conn: sqlite3.Connection) -> int:
    try:
        # SQLCipher answers page_size as text
        pages, size = (int(conn.execute(f"PRAGMA {p}").fetchone()[0]) for p in ("page_count", "page_size"))
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
                    folder: Path | None = None, keep: int | None = KEEP_AUTOMATIC,
                    key: bytes | None = None, key_file: keyslots.KeyFile | None = None) -> Path:
    """Copy the open database to ``folder`` (default: the backups folder beside it).

    An encrypted database (its key remembered by this process, or ``key``) gives an encrypted
    copy with the key-slot file beside it (``key_file``, default the database's own).
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
    source_plain = str(db_path) == ":memory:" or not db_path.exists() or cipher.is_plain_file(db_path)
    key = key if key is not None else (None if source_plain else cipher.recall(db_path))
    _copy(conn, target, chosen=chosen, key=key, source_plain=source_plain)
    if key is not None:
        kf = key_file or keyslots.read_key_file(db_path)
        if kf is not None:
            try:
                keyslots.write_key_file(target, kf)
            except DatabaseError:
                target.unlink(missing_ok=True)
                raise
    if keep is not None:
        copies = sorted(folder.glob(f"{db_path.stem}-*.sqlite"))
        for old in copies[:-keep]:
            old.unlink(missing_ok=True)
            keyslots.keys_path(old).unlink(missing_ok=True)
    return target


def list_backups(db_path: Path) -> list[Path]:
    folder = backups_dir(db_path)
    return sorted(folder.glob(f"{db_path.stem}-*.sqlite"), reverse=True) if folder.exists() else []


def daily_backup_due(db_path: Path) -> bool:
    today = datetime.now().strftime("%Y%m%d")
    return not any(p.name.startswith(f"{db_path.stem}-{today}") for p in list_backups(db_path))


class BackupKeyError(DatabaseError):
    """The backup is encrypted under another key: ask for its password or recovery key."""


def restore_database(backup_file: Path, db_path: Path, *, key: bytes | None = None) -> Path:
    """Replace ``db_path`` with ``backup_file`` after backing up the current file.

    The copy is checked first (it opens, is ours, passes SQLite's quick check); an encrypted copy
    opens with ``key`` or the current file's key. The restored file is written under the
    current file's key (a plain copy restored over an encrypted file is encrypted), so the
    current passwords keep working. The caller must have closed every connection to
    ``db_path``. Returns the safety copy.
    """
    with backup_file.open("rb") as fh:
        header = fh.read(16)
    plain_copy = header == SQLITE_HEADER
    current_key = None if not db_path.exists() or cipher.is_plain_file(db_path) else cipher.recall(db_path)
    if db_path.exists() and not cipher.is_plain_file(db_path) and current_key is None:
        raise DatabaseError(f"Tệp dữ liệu '{db_path}' đã mã hóa; hãy đăng nhập trước khi khôi phục.")
    copy_key = None if plain_copy else (key or current_key)
    if not plain_copy and copy_key is None:
        raise DatabaseError(f"'{backup_file}' là bản sao lưu đã mã hóa; cần mật khẩu hoặc mã khôi phục của nó.")
    if len(header) < 16:
        raise DatabaseError(f"'{backup_file}' không phải bản sao lưu hợp lệ; không khôi phục.")
    if not plain_copy and copy_key is not None:
        slots = keyslots.read_key_file(backup_file)
        if slots is not None and slots.check != cipher.key_check(copy_key):
            raise BackupKeyError(
                f"Bản sao lưu '{backup_file.name}' được mã hóa bằng khóa khác với tệp đang mở (máy khác, hoặc "
                "trước khi đặt lại). Cần mật khẩu của người dùng trong bản đó hoặc mã khôi phục của nó; chưa có "
                "gì thay đổi.")
    try:
        check_copy(backup_file, copy_key)
    except DatabaseError as exc:
        raise DatabaseError(f"'{backup_file}' không phải bản sao lưu hợp lệ hoặc không mở được; không khôi "
                            f"phục. {exc.message}", detail=exc.detail) from exc
    target_key = current_key if current_key is not None else copy_key
    safety = None
    if db_path.exists():
        src = open_file(db_path, current_key)
        try:
            safety = backup_database(src, db_path, reason="truoc-khoi-phuc", key=current_key)
        finally:
            src.close()
    tmp = db_path.with_suffix(".restoring")
    wipe(tmp)
    src = open_file(backup_file, copy_key)
    try:
        if target_key == copy_key:
            shutil.copyfile(backup_file, tmp)
        else:
            export_copy(src, tmp, target_key)
    finally:
        src.close()
    check_copy(tmp, target_key)
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    tmp.replace(db_path)
    if current_key is None and copy_key is not None:  # a plain file replaced by an encrypted copy
        kf = keyslots.read_key_file(backup_file)
        if kf is not None:
            keyslots.write_key_file(db_path, kf)
        cipher.remember(db_path, copy_key)
    return safety or db_path
