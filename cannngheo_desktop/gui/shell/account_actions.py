"""Menu actions about the signed-in person's secret (issue 16): change one's own password, and
give the password or recovery key of a backup made under another key before restoring it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QInputDialog, QLineEdit, QWidget

from ...core.errors import AppError
from ...core.personal_data import check_export_password
from ...storage import keyslots, users
from . import errors
from .context import AppContext
from .idle_lock import IdleLock, parse_minutes
from .lock_screen import LockScreen


def run_dialog(dialog: QDialog) -> int:
    """The one blocking point, which tests replace."""
    return int(dialog.exec())


def change_own_password(parent: QWidget, ctx: AppContext) -> bool:
    """Tệp → Đổi mật khẩu…: the current password, then the new one twice; one audited write."""
    from .password_dialog import PasswordDialog

    name = str(ctx.user["name"])
    dialog = PasswordDialog(name, "Đổi mật khẩu đăng nhập (cũng là mật khẩu mở dữ liệu đã mã hóa).", parent,
                            ask_old=True)
    while run_dialog(dialog) == QDialog.DialogCode.Accepted:
        try:
            users.set_password(ctx.store, name, dialog.password, old_password=dialog.old_password)
        except AppError as exc:
            dialog.errorLabel.setText(exc.message)
            dialog.errorLabel.show()
            continue
        errors.inform(parent, "Đã đổi mật khẩu. Lần đăng nhập sau hãy dùng mật khẩu mới.")
        return True
    return False


def backup_key(parent: QWidget, backup_file: Path) -> bytes | None:
    """The key of a backup made under another key (another PC, before a reset): asks for a
    password of that backup or the recovery key on its sheet. None when cancelled."""
    while True:
        text, ok = QInputDialog.getText(
            parent, "Bản sao lưu có khóa khác",
            f"Bản sao lưu '{backup_file.name}' được mã hóa bằng khóa khác với tệp đang mở.\n"
            "Hãy nhập mật khẩu của người dùng trong bản sao lưu đó, hoặc mã khôi phục trên phiếu của nó:",
            QLineEdit.EchoMode.Password)
        if not ok or not text:
            return None
        try:
            return keyslots.unlock(backup_file, text).key
        except AppError as exc:
            errors.warn(parent, exc.message)


def _ask_secret(parent: QWidget, title: str, label: str) -> str | None:
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    if run_dialog(dialog) != QDialog.DialogCode.Accepted:
        return None
    return dialog.textValue()


def ask_export_password(parent: QWidget) -> str | None:
    """An internal Excel copy (full ID numbers) is locked with a password: asked twice; None when
    cancelled (issue 16, core/personal_data.protect_xlsx)."""
    title = "Mật khẩu cho tệp Excel nội bộ"
    while True:
        first = _ask_secret(parent, title, "Bản nội bộ có đầy đủ số định danh nên được khóa bằng mật khẩu (ít nhất "
                            "8 ký tự).\nExcel sẽ hỏi mật khẩu này khi mở tệp. Báo mật khẩu cho người nhận qua điện "
                            "thoại, không gửi kèm tệp.")
        if first is None:
            return None
        again = _ask_secret(parent, title, "Nhập lại mật khẩu:")
        if again is None:
            return None
        if first != again:
            errors.warn(parent, "Hai lần nhập mật khẩu không khớp; hãy nhập lại.")
            continue
        try:
            check_export_password(first)
        except AppError as exc:
            errors.warn(parent, exc.message)
            continue
        return first


class SessionGuard:
    """The window's account pieces: Tệp → Đổi mật khẩu…, and the session lock after inactivity
    (setting ``session_lock_minutes``, default 15, 0 = never; gui/shell/idle_lock.py and
    lock_screen.py). ``bind(ctx)`` again for each new session."""

    def __init__(self, window: QWidget, menu: Any, before: Any = None) -> None:
        self.window = window
        self.ctx: AppContext | None = None
        self.idle: IdleLock | None = None
        self.screen: LockScreen | None = None
        self.change_action = QAction("Đổi &mật khẩu…", window)
        self.change_action.setToolTip("Đổi mật khẩu đăng nhập (cũng là mật khẩu mở dữ liệu đã mã hóa)")
        self.change_action.triggered.connect(self._change)
        if before is not None:
            menu.insertAction(before, self.change_action)
        else:
            menu.addAction(self.change_action)

    def bind(self, ctx: AppContext) -> None:
        self.stop()
        self.ctx = ctx
        self.idle = IdleLock(parse_minutes(ctx.store.get_setting("session_lock_minutes")), self.window)
        self.screen = LockScreen(self.window, ctx.user_label, verify=self._verify)
        self.idle.idle.connect(self.screen.lock)
        self.screen.unlocked.connect(self.idle.restart)

    def stop(self) -> None:
        if self.idle is not None:
            self.idle.stop()
            self.idle.deleteLater()
        if self.screen is not None:
            self.screen.deleteLater()
        self.idle = self.screen = None

    def _verify(self, password: str) -> bool:
        assert self.ctx is not None
        users.authenticate(self.ctx.store, str(self.ctx.user["name"]), password)  # AuthError: shown, waits
        return True

    def _change(self) -> None:
        if self.ctx is not None:
            change_own_password(self.window, self.ctx)
