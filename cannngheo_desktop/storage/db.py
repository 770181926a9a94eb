"""Opening the SQLite file safely: checks, pragmas, the session lock and forward-only migrations."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import sqlite_utils

from ..core.errors import DatabaseError
from . import cipher, keyslots
from . import lock as lockmod
from .backup import backup_database
from .driver import sqlite3
from .failures import error_kind as _error_kind

log = logging.getLogger(__name__)

# PRAGMA application_id marks a file as ours ('CNGD'); other SQLite files are refused.
APPLICATION_ID = 0x434E4744
MIGRATIONS_PACKAGE = "cannngheo_desktop.storage.migrations"


def _migrations() -> list[tuple[int, str]]:
    found = []
    for entry in resources.files(MIGRATIONS_PACKAGE).iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), entry.read_text(encoding="utf-8")))
    return sorted(found)


MIGRATIONS = _migrations()
SCHEMA_VERSION = MIGRATIONS[-1][0]


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def is_environment_error(exc: sqlite3.Error) -> bool:
    """True for failures of the file or disk (full, locked, read-only, damaged), not of the SQL."""
    return _error_kind(exc) is not None


def translate_sqlite_error(exc: sqlite3.Error, path: Path | str) -> DatabaseError:
    """Environment failures (locked, full, read-only, corrupt) as messages a cadre can act on."""
    kind = _error_kind(exc)
    if kind == "locked":
        msg = (f"Tệp dữ liệu '{path}' đang bị một chương trình khác khóa. "
               "Hãy đóng các cửa sổ Cận Nghèo Desktop khác rồi thử lại.")
    elif kind == "full":
        msg = (f"Ổ đĩa chứa '{path}' đã đầy, thao tác chưa được ghi. "
               "Hãy giải phóng dung lượng rồi thử lại; dữ liệu cũ vẫn nguyên vẹn.")
    elif kind == "readonly":
        msg = (f"Không ghi được vào tệp dữ liệu '{path}' (tệp chỉ đọc hoặc không có quyền). "
               "Hãy chép tệp sang thư mục có quyền ghi hoặc bỏ thuộc tính chỉ đọc.")
    elif kind == "corrupt":
        msg = (f"Tệp dữ liệu '{path}' bị hỏng hoặc không phải cơ sở dữ liệu. "
               "Hãy khôi phục từ một bản sao lưu (menu Tệp → Khôi phục).")
    elif kind == "io":
        msg = (f"Lỗi đọc/ghi ổ đĩa với tệp dữ liệu '{path}' (ổ USB bị rút ra hoặc ổ đĩa hỏng?). "
               "Hãy kiểm tra ổ đĩa rồi mở lại; thao tác chưa được ghi.")
    else:
        msg = f"Lỗi cơ sở dữ liệu với tệp '{path}': {exc}"
    return DatabaseError(msg, detail=str(exc))


class Store:
    """One open database file: a sqlite3 connection (owned by the thread that opened it)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, session_lock: lockmod.SessionLock | None,
                 key: bytes | None = None):
        self.path = path
        self.conn = conn
        self.key = key  # the SQLCipher key of an encrypted file (storage/cipher.py); None: plain
        self.db = sqlite_utils.Database(conn)
        self._lock = session_lock
        self._depth = 0
        self._doomed = ""  # why the open transaction must roll back (see transaction())
        self._background: list[threading.Thread] = []
        self.user = "system"
        self.readonly = False  # opened read-only: no second, writable connection either

    def writer_connection(self) -> sqlite3.Connection | None:
        """A second connection to the same file for a bulk writer on a worker thread (the
        caller begins, commits or rolls back and closes it), or None when that cannot work: an
        in-memory or read-only database, or this connection is inside a transaction (its
        uncommitted changes would be invisible to the other connection, and it holds the write
        lock)."""
        if str(self.path) == ":memory:" or self.readonly or self._depth > 0 or self.conn.in_transaction:
            return None
        try:
            conn = _connect(self.path, check_same_thread=False, key=self.key)
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise translate_sqlite_error(exc, self.path) from exc
        return conn

    def check_writable(self) -> None:
        """Refuse, before any work, to change a file opened read-only (see :func:`open_db`)."""
        if self.readonly:
            raise DatabaseError(
                f"Tệp dữ liệu '{self.path}' đang mở ở chế độ chỉ đọc (tệp chỉ đọc, hoặc nằm trên ổ đĩa/thư "
                "mục không cho ghi): xem, in và xuất được, nhưng không lưu được thay đổi. Muốn sửa, hãy bỏ "
                "thuộc tính chỉ đọc của tệp, hoặc chép tệp sang thư mục có quyền ghi rồi mở lại.")

    # -- transactions ----------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing unit of work (a read-only store refuses it). Nested calls join it with
        no SAVEPOINT (one made bulk writes quadratic under SQLCipher: docs/architecture.md); a nested
        block that changed rows and raised dooms it (rollback even if a caller caught the error)."""
        self.check_writable()
        conn = self.conn
        if self._depth > 0:
            before, self._depth = conn.total_changes, self._depth + 1
            try:
                yield conn
            except BaseException as exc:
                if conn.total_changes != before:
                    self._doomed = self._doomed or f"{type(exc).__name__}: {exc}"
                self._raise_translated(exc)
            finally:
                self._depth -= 1
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise translate_sqlite_error(exc, self.path) from exc
        self._depth, self._doomed = 1, ""
        try:
            yield conn
            if self._doomed:
                log.error("transaction rolled back: a nested write failed after changing rows (%s)", self._doomed)
                raise DatabaseError("Không lưu được: một bước ghi dữ liệu bị lỗi giữa chừng nên mọi thay đổi của lần "
                                    "này đã được hủy; dữ liệu vẫn như trước. Hãy thử lại; nếu vẫn lỗi, hãy gửi tệp "
                                    "nhật ký cho người hỗ trợ.", detail=self._doomed)
            conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            self._raise_translated(exc)
        finally:
            self._depth = 0

    def _raise_translated(self, exc: BaseException) -> None:
        """Re-raise; a full disk, a lock or a read-only file is the user's to fix, not a bug."""
        if isinstance(exc, sqlite3.Error) and is_environment_error(exc):
            raise translate_sqlite_error(exc, self.path) from exc
        raise exc

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    # -- small helpers used by repositories ------------------------------------------------
    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise translate_sqlite_error(exc, self.path) from exc

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: tuple | dict = ()):
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.query_one("SELECT value FROM settings WHERE key = ?", (key,))
        return default if row is None else row[0]

    def keep_until_close(self, thread: threading.Thread) -> None:
        """Background work on this file (a writer's checkpoint) that close() waits for."""
        self._background = [t for t in self._background if t.is_alive()] + [thread]

    def close(self) -> None:
        for thread in self._background:
            thread.join()
        self._background = []
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_file(path: Path) -> bool:
    """Refuse what is clearly not ours before SQLite touches it. Returns True if the file exists.
    A file whose first bytes are not SQLite's header is encrypted (or foreign): :func:`open_db`
    needs its key, and a wrong key is refused like a foreign file."""
    if not path.exists():
        if not path.parent.exists():
            raise DatabaseError(f"Thư mục '{path.parent}' không tồn tại. Hãy chọn nơi lưu khác.")
        return False
    if path.is_dir():
        raise DatabaseError(f"'{path}' là một thư mục, không phải tệp dữ liệu.")
    size = path.stat().st_size
    if size == 0:
        return False
    if size < 512 and not cipher.is_plain_file(path):
        raise _foreign(path)
    return True


def _foreign(path: Path) -> DatabaseError:
    return DatabaseError(
        f"Tệp '{path}' không phải cơ sở dữ liệu của Cận Nghèo Desktop, hoặc khóa mở tệp không đúng. "
        "Hãy chọn đúng tệp .sqlite hoặc tạo cơ sở dữ liệu mới; tệp này không bị thay đổi.")


def _connect(path: Path, *, readonly: bool = False, immutable: bool = False,
             check_same_thread: bool = True, key: bytes | None = None) -> sqlite3.Connection:
    uri = f"file:{path.as_posix()}?mode={'ro' if readonly else 'rwc'}" + ("&immutable=1" if immutable else "")
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=5.0, check_same_thread=check_same_thread)
    if key is not None:
        cipher.apply_key(conn, key)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _inspect(conn: sqlite3.Connection, path: Path) -> int:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app_id != APPLICATION_ID and (tables or version):
        raise DatabaseError(
            f"Tệp '{path}' là cơ sở dữ liệu SQLite của chương trình khác, không phải của Cận Nghèo Desktop. "
            "Tệp này không bị thay đổi.")
    if version > SCHEMA_VERSION:
        raise DatabaseError(
            f"Tệp '{path}' được tạo bởi phiên bản Cận Nghèo Desktop mới hơn (lược đồ {version}, "
            f"bản này chỉ hiểu đến {SCHEMA_VERSION}). Hãy cập nhật chương trình; tệp không bị thay đổi.")
    return int(version)


def _split_sql(script: str) -> list[str]:
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        if not buf and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


def migrate(conn: sqlite3.Connection, path: Path, current: int, *, backup: bool = True,
            key: bytes | None = None) -> int:
    """Apply every migration above ``current`` in ONE transaction, after a backup copy."""
    pending = [(n, sql) for n, sql in MIGRATIONS if n > current]
    if not pending:
        return current
    if backup and current > 0:
        backup_database(conn, path, reason=f"truoc-nang-cap-v{current}", key=key)  # encrypted like the file
    try:
        conn.execute("BEGIN IMMEDIATE")
        for number, script in pending:
            for statement in _split_sql(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(
            "INSERT OR REPLACE INTO settings(key, value) VALUES ('schema_migrated_at', ?)", (utc_now(),))
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise translate_sqlite_error(exc, path) from exc
    return pending[-1][0]


def open_db(path: Path | str, *, create: bool = True, lock: bool = False, readonly: bool = False,
            user: str = "system", backup_before_migrate: bool = True, key: bytes | None = None) -> Store:
    """Open (or create) the app's database, refusing foreign, newer, damaged or locked files.

    ``lock=True`` takes the session lock (one app copy per file); the holder is named to others.
    A file this process cannot write (read-only attribute, read-only medium or folder) is opened
    read-only, as with ``readonly=True``: reading, reports and exports work, and every write is
    refused with a Vietnamese message (:meth:`Store.check_writable`). Nothing is written to a file
    that is refused or opened read-only.

    An encrypted file is opened with ``key`` or the key this process remembers for it
    (storage/cipher.py); without one it is refused with :class:`EncryptedDatabaseError`, and
    with a wrong one like a foreign file. A new file is created encrypted when a key is given.
    """
    path = Path(path).resolve() if str(path) != ":memory:" else Path(":memory:")
    exists = _check_file(path) if str(path) != ":memory:" else False
    if not exists and not create:
        raise DatabaseError(f"Không tìm thấy tệp dữ liệu '{path}'.")
    if exists and not readonly and not _writable(path):
        readonly = True  # a read-only copy: open it to read and export, never to write
    key = keyslots.key_for_open(path, exists, key)
    session_lock = _take_lock(path, user, readonly) if lock and str(path) != ":memory:" else None
    conn = None
    try:
        conn = _connect_readonly(path, key) if readonly else _connect(path, key=key)
        try:
            current = _inspect(conn, path)
        except sqlite3.DatabaseError as exc:
            if key is not None and _error_kind(exc) == "corrupt":
                raise _foreign(path) from exc
            raise
        if not readonly:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal" and str(path) != ":memory:":
                raise DatabaseError(f"Không bật được chế độ ghi an toàn (WAL) cho '{path}'.")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn, path, current, backup=backup_before_migrate, key=key)
        elif current == 0:
            raise DatabaseError(f"Tệp '{path}' chưa được khởi tạo.")
        elif current < SCHEMA_VERSION:
            raise DatabaseError(
                f"Tệp dữ liệu '{path}' chỉ đọc và được tạo bởi phiên bản cũ hơn (lược đồ {current}); cần "
                f"nâng cấp lên lược đồ {SCHEMA_VERSION} mà không ghi được. Hãy chép tệp sang thư mục có "
                "quyền ghi (hoặc bỏ thuộc tính chỉ đọc) rồi mở lại; tệp không bị thay đổi.")
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        if session_lock:
            session_lock.release()
        raise translate_sqlite_error(exc, path) from exc
    except BaseException:
        if conn is not None:
            conn.close()
        if session_lock:
            session_lock.release()
        raise
    store = Store(path, conn, session_lock, key)
    store.user = user
    store.readonly = readonly
    if key is not None:
        cipher.remember(path, key)
        if not readonly:
            keyslots.audit_events(store.conn, path, utc_now())
    return store


def _writable(path: Path) -> bool:
    """Whether this process may write the file and, for SQLite's -wal/-shm files, its folder
    (False for the read-only attribute, ``chattr +i``, a read-only mount or folder)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _take_lock(path: Path, user: str, readonly: bool) -> lockmod.SessionLock | None:
    """The session lock; a file opened read-only in a folder where no lock file can be written
    goes without one (this copy will not write, and nobody can write there)."""
    try:
        return lockmod.acquire(path, user=user)
    except OSError:
        if readonly:
            return None
        raise


def _connect_readonly(path: Path, key: bytes | None = None) -> sqlite3.Connection:
    """``mode=ro``: SQLite reads the file and its -wal (committed changes not yet copied back).
    On a read-only medium or folder SQLite cannot make the -shm file that WAL reading needs; then,
    when there is no -wal to honour, the file is opened ``immutable`` (nobody can change it
    there), which needs no side files at all."""
    conn = None
    try:
        conn = _connect(path, readonly=True, key=key)
        conn.execute("PRAGMA schema_version").fetchone()  # the first read opens the WAL index
        return conn
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        wal = Path(f"{path}-wal")
        folder_closed = not os.access(path.parent, os.W_OK)
        if not folder_closed or (wal.exists() and wal.stat().st_size > 0):
            raise
        first = exc
    try:
        return _connect(path, readonly=True, immutable=True, key=key)
    except sqlite3.Error:
        raise first from None
