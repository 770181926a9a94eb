"""A session on one database file: open it (locked), first-start setup or login (``--demo`` logs in
by itself), the daily backup, and the AppContext every screen is given. Used at start-up and
when the main window opens another file or restores a backup."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QWidget

from ...core.errors import AppError
from ...storage import backup, installation, open_db, users
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


def _setup_and_login(store: Store, parent: QWidget | None, demo: bool) -> tuple[Any, dict] | None:
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
        admin = users.authenticate(store, setup.admin_name, setup.ui.passwordEdit.text())
        return inst, admin
    user = demo_login(store) if demo else None
    if user is not None:
        return inst, user
    login = LoginDialog(store, inst, parent)
    if run_dialog(login) != QDialog.DialogCode.Accepted or login.user is None:
        return None
    return inst, login.user


def open_session(path: Path, parent: QWidget | None = None, *, demo: bool = False,
                 create: bool = True) -> AppContext | None:
    """Open ``path`` for this window; None when refused (message already shown) or cancelled."""
    store = None
    try:
        # user="" → the lock file names the OS account, which a colleague can recognise.
        store = open_db(path, create=create, lock=True, user="")
        store.user = "system"
        answer = _setup_and_login(store, parent, demo)
        if answer is None:
            store.close()
            return None
        inst, user = answer
        store.user = str(user["name"])
        notes = [n for n in [READ_ONLY_NOTE if store.readonly else daily_backup(store)] if n]
        tasks = TaskRunner(store.path, user=store.user)
        return AppContext(db_path=store.path, store=store, installation=inst, user=user,
                          tasks=tasks, demo=demo, notes=notes)
    except AppError as exc:
        if store is not None:
            store.close()
        errors.show_app_error(parent, exc)
        return None
