"""Log in with a name and password.

On an encrypted database (the usual case) the dialog runs before the file is opened: the
password unlocks the person's key slot (storage.keyslots.unlock), and the recovery key from the
printed sheet, typed in the password box, opens it too (the session then asks for a new
password). On a plain database (before its first-start encryption) it checks the password
against the users table (storage.users.authenticate)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from ...core.errors import AppError, AuthError
from ...storage import keyslots, users
from ...storage.db import Store
from ...storage.installation import Installation
from ..forms.ui_login_dialog import Ui_LoginDialog

RECOVERY_HINT = ("Quên mật khẩu? Gõ <b>mã khôi phục</b> (32 ký tự trên phiếu khôi phục) vào ô mật khẩu, "
                 "rồi đặt mật khẩu mới.")


class LoginDialog(QDialog):
    """On success ``self.user`` holds the user's row (plain database) or ``self.unlocked`` the
    database key and whose slot opened it (encrypted database, ``path`` given, no store)."""

    def __init__(self, store: Store | None, inst: Installation | None, parent: QWidget | None = None,
                 name: str = "", *, path: Path | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.path = path if path is not None else (store.path if store is not None else None)
        self.user: dict[str, Any] | None = None
        self.unlocked: keyslots.Unlocked | None = None
        self.user_name = ""
        self.password = ""
        self.ui = Ui_LoginDialog()
        self.ui.setupUi(self)
        where = escape(str(self.path))
        if inst is not None:
            self.ui.unitLabel.setText(f"Đơn vị: <b>{escape(inst.unit_name)}</b><br>Tệp dữ liệu: {where}")
        else:
            self.ui.unitLabel.setText(f"Tệp dữ liệu (đã mã hóa): {where}<br><small>{RECOVERY_HINT}</small>")
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setText("Đăng &nhập")
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("Thoát")
        self.ui.buttonBox.accepted.connect(self.submit)
        self.ui.buttonBox.rejected.connect(self.reject)
        self.ui.errorLabel.hide()
        if name:
            self.ui.nameEdit.setText(name)
            self.ui.passwordEdit.setFocus()

    def submit(self) -> None:
        name, password = self.ui.nameEdit.text().strip(), self.ui.passwordEdit.text()
        try:
            if self.store is not None:
                self.user = users.authenticate(self.store, name, password)
            else:
                assert self.path is not None
                recovery = keyslots.parse_recovery(password) is not None
                self.unlocked = keyslots.unlock(self.path, password, name=None if recovery else name)
        except (AuthError, AppError) as exc:
            self.ui.errorLabel.setText(exc.message)
            self.ui.errorLabel.show()
            self.ui.passwordEdit.selectAll()
            self.ui.passwordEdit.setFocus()
            return
        self.user_name, self.password = name, password
        self.accept()
