"""Log in with a name and password (service: storage.users.authenticate)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from ...core.errors import AuthError
from ...storage import users
from ...storage.db import Store
from ...storage.installation import Installation
from ..forms.ui_login_dialog import Ui_LoginDialog


class LoginDialog(QDialog):
    """On success ``self.user`` holds the user's row (name, full_name, role…)."""

    def __init__(self, store: Store, inst: Installation, parent: QWidget | None = None,
                 name: str = "") -> None:
        super().__init__(parent)
        self.store = store
        self.user: dict[str, Any] | None = None
        self.ui = Ui_LoginDialog()
        self.ui.setupUi(self)
        self.ui.unitLabel.setText(f"Đơn vị: <b>{inst.unit_name}</b><br>Tệp dữ liệu: {store.path}")
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setText("Đăng &nhập")
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("Thoát")
        self.ui.buttonBox.accepted.connect(self.submit)
        self.ui.buttonBox.rejected.connect(self.reject)
        self.ui.errorLabel.hide()
        if name:
            self.ui.nameEdit.setText(name)
            self.ui.passwordEdit.setFocus()

    def submit(self) -> None:
        try:
            self.user = users.authenticate(self.store, self.ui.nameEdit.text().strip(),
                                           self.ui.passwordEdit.text())
        except AuthError as exc:
            self.ui.errorLabel.setText(exc.message)
            self.ui.errorLabel.show()
            self.ui.passwordEdit.selectAll()
            self.ui.passwordEdit.setFocus()
            return
        self.accept()
