"""A session on one database file: open it (locked), first-start setup or login (``--demo`` logs in
by itself), the daily backup, and the AppContext every screen is given. Used at start-up and
when the main window opens another file or restores a backup.

Databases are encrypted at rest (storage/cipher.py, keyslots.py): a new file is created
encrypted and its recovery sheet shown after setup; an encrypted file is unlocked by the login
(a person's password, or the recovery key, which then asks for a new password) before it is
opened; a plain file from an earlier version is encrypted right after its first login, with an
encrypted backup first (storage/encryption.py)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QWidget

from ...core.errors import AppError, AuthError
from ...storage import backup, cipher, encryption, installation, keyslots, open_db, users
from ...storage.db import Store
from . import errors
from .context import AppContext
from .tasks import TaskRunner

log = logging.getLogger(__name__)


def build_demo_if_empty(store: Store) -> bool:
    """``--demo``: fill an empty database with the demo data set; False when it already had data."""
    if installation.current(store) is not None:
        return False
    from ...demo import build as demo  # written alongside; imported only when asked for

    demo.build_demo(store, year_in_progress=True)
    return True


def demo_login(store: Store) -> dict[str, Any] | None:
    """``--demo`` logs in with the published demo credentials; None when they do not work here
    (a real database opened with --demo still asks for a password)."""
    from ...demo import build as demo

    try:
        return users.authenticate(store, demo.ADMIN_NAME, demo.ADMIN_PASSWORD)
    except AppError:
        return None


READ_ONLY_NOTE = ("Tệp dữ liệu chỉ đọc: xem, in và xuất được, nhưng không lưu được thay đổi "
                  "(bỏ thuộc tính chỉ đọc hoặc chép tệp sang thư mục có quyền ghi để sửa).")


def daily_backup(store: Store) -> str | None:
    """The automatic once-a-day copy; returns a note for the status bar, never raises."""
    try:
        if backup.daily_backup_due(store.path):
            target = backup.backup_database(store.conn, store.path, reason="hang-ngay")
            return f"Đã sao lưu tự động hôm nay ({target.parent.name}/)."
    except AppError as exc:
        log.warning("Daily backup failed: %s", exc.detail or exc.message)
        return f"Chưa sao lưu tự động được: {exc.message}"
    return None


def run_dialog(dialog: QDialog) -> int:
    """Run a start-up dialog modally; the single blocking point, which tests replace."""
    return int(dialog.exec())


def _setup_and_login(store: Store, parent: QWidget | None, demo: bool,
                     unlocked: keyslots.Unlocked | None = None,
                     user_name: str = "") -> tuple[Any, dict, str] | None:
    """(installation, user row, the password typed — empty when not typed) or None."""
    from .login_dialog import LoginDialog
    from .setup_dialog import SetupDialog

    if demo:
        build_demo_if_empty(store)
    inst = installation.current(store)
    if inst is None:
        setup = SetupDialog(store, parent)
        if run_dialog(setup) != QDialog.DialogCode.Accepted:
            return None
        inst = setup.result_installation
        # The administrator has just chosen the password; asking for it again would be ceremony.
        password = setup.ui.passwordEdit.text()
        admin = users.authenticate(store, setup.admin_name, password)
        return inst, admin, password
    if unlocked is not None:  # the login before opening already proved who this is
        return _unlocked_user(store, inst, unlocked, user_name, parent)
    user = demo_login(store) if demo else None
    if user is not None:
        return inst, user, demo_password() if store.key is None else ""
    login = LoginDialog(store, inst, parent)
    if run_dialog(login) != QDialog.DialogCode.Accepted or login.user is None:
        return None
    return inst, login.user, login.password


def demo_password() -> str:
    from ...demo import build as demo

    return demo.ADMIN_PASSWORD


def _unlocked_user(store: Store, inst: Any, unlocked: keyslots.Unlocked, user_name: str,
                   parent: QWidget | None) -> tuple[Any, dict, str] | None:
    """The user row of whoever unlocked the file; after the recovery key, the named person (an
    administrator when no name was typed) sets a new password first."""
    from .password_dialog import PasswordDialog

    if unlocked.kind == "recovery":
        name = user_name or users.first_admin_name(store)
        user = users.find_user(store, name)
        if user is None:
            raise AuthError(f"Không có người dùng '{name}' trong tệp dữ liệu này.")
        dialog = PasswordDialog(name, "Đã mở bằng mã khôi phục. Hãy đặt mật khẩu mới.", parent)
        if run_dialog(dialog) != QDialog.DialogCode.Accepted:
            return None
        store.user = name
        users.set_password(store, name, dialog.password)
        return inst, user, dialog.password
    user = users.find_user(store, unlocked.name) if unlocked.kind == "user" else None
    if user is None:
        raise AuthError("Tài khoản này không còn trong tệp dữ liệu; hãy nhờ quản trị viên.")
    return inst, user, ""


def _unlock_first(path: Path, parent: QWidget | None, demo: bool) -> tuple[keyslots.Unlocked, str] | None:
    """The login of an encrypted file, before it is opened (demo: its published password)."""
    from .login_dialog import LoginDialog

    if demo:
        from ...demo import build as demo_data

        kf = keyslots.read_key_file(path)
        if kf is not None and kf.find("user", demo_data.ADMIN_NAME) is not None:
            try:
                return keyslots.unlock(path, demo_data.ADMIN_PASSWORD, name=demo_data.ADMIN_NAME), \
                    demo_data.ADMIN_NAME
            except AuthError:
                pass
    login = LoginDialog(None, None, parent, path=path)
    if run_dialog(login) != QDialog.DialogCode.Accepted or login.unlocked is None:
        return None
    return login.unlocked, login.user_name


def _encrypt_plain(store: Store, user: dict, password: str, parent: QWidget | None,
                   demo: bool) -> tuple[Store, str] | None:
    """First start of a plain database: encrypt it with this person's password as the first key
    slot (a new one first when the old password no longer meets the rules). Returns the store
    reopened on the encrypted file and the recovery key to show."""
    from .password_dialog import PasswordDialog

    name = str(user["name"])
    try:
        users.check_new_password(password, name)
    except AppError:
        dialog = PasswordDialog(name, "Từ phiên bản này dữ liệu được mã hóa trên đĩa và mật khẩu cần mạnh hơn. "
                                "Hãy đặt mật khẩu mới trước khi mã hóa.", parent)
        if run_dialog(dialog) != QDialog.DialogCode.Accepted:
            return None
        password = dialog.password
    path, user_lock = store.path, store.user
    inst = installation.current(store)
    done = encryption.encrypt_plain_database(store.conn, path, admin_name=name, password=password,
                                             label=inst.unit_name if inst else "")
    store.close()
    reopened = open_db(path, create=False, lock=True, user="", key=done.key)
    reopened.user = user_lock
    users.record_encryption(reopened, name, f"sqlcipher; encrypted backup {done.backup.name}; "
                                           f"{done.backups_encrypted} older backups encrypted")
    return reopened, done.recovery


def _is_new(path: Path) -> bool:
    return not path.exists() or (path.is_file() and path.stat().st_size == 0)


def _needs_unlock(path: Path) -> bool:
    return cipher.looks_encrypted(path) and cipher.recall(path) is None


def show_recovery_sheet(recovery: str, unit_name: str, path: Path, parent: QWidget | None) -> None:
    from .recovery_sheet_dialog import RecoverySheetDialog

    run_dialog(RecoverySheetDialog(recovery, unit_name, path, parent))


def open_session(path: Path, parent: QWidget | None = None, *, demo: bool = False,
                 create: bool = True) -> AppContext | None:
    """Open ``path`` for this window; None when refused (message already shown) or cancelled."""
    store = None
    new = None
    path = Path(path).resolve()
    try:
        key, unlocked, typed_name = None, None, ""
        if create and _is_new(path) and path.parent.is_dir():
            new = encryption.prepare_new_database(path)
            key = new.key
        elif _needs_unlock(path):
            got = _unlock_first(path, parent, demo)
            if got is None:
                return None
            unlocked, typed_name = got
            key = unlocked.key
        # user="" → the lock file names the OS account, which a colleague can recognise.
        store = open_db(path, create=create, lock=True, user="", key=key)
        store.user = "system"
        answer = _setup_and_login(store, parent, demo, unlocked, typed_name)
        if answer is None:
            store.close()
            if new is not None:
                encryption.discard_new_database(path)
            return None
        inst, user, password = answer
        store.user = str(user["name"])
        recovery = new.recovery if new is not None else None
        if store.key is None and not store.readonly and str(store.path) != ":memory:":
            encrypted = _encrypt_plain(store, user, password or "", parent, demo)
            if encrypted is None:
                store.close()
                return None
            store, recovery = encrypted
        if recovery is not None and not demo:
            show_recovery_sheet(recovery, inst.unit_name, store.path, parent)
        notes = [n for n in [READ_ONLY_NOTE if store.readonly else daily_backup(store)] if n]
        tasks = TaskRunner(store.path, user=store.user)
        return AppContext(db_path=store.path, store=store, installation=inst, user=user,
                          tasks=tasks, demo=demo, notes=notes)
    except AppError as exc:
        if store is not None:
            store.close()
        if new is not None and installation_missing(path):
            encryption.discard_new_database(path)
        errors.show_app_error(parent, exc)
        return None


def installation_missing(path: Path) -> bool:
    """True when a file this session created holds no installation yet (safe to remove)."""
    try:
        with open_db(path, create=False) as store:
            return installation.current(store) is None
    except AppError:
        return True
