"""Choose a new password (twice): a person changing their own, a reset after opening with the
recovery key, or a password that no longer meets the rules before the database is encrypted.
The rules are storage.users.check_new_password (core/passwords.py)."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import ValidationError
from ...storage import users


class PasswordDialog(QDialog):
    """``self.password`` holds the accepted new password; ``ask_old`` adds the current one
    (``self.old_password``)."""

    def __init__(self, name: str, reason: str, parent: QWidget | None = None, *, ask_old: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Đặt mật khẩu mới")
        self.name = name
        self.password = ""
        self.old_password = ""
        layout = QVBoxLayout(self)
        intro = QLabel(f"{escape(reason)}<br>Người dùng: <b>{escape(name)}</b>. Mật khẩu cần ít nhất "
                       f"{users.MIN_LENGTH} ký tự và không phải mật khẩu phổ biến; nên dùng một câu ngắn dễ nhớ.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.oldEdit = QLineEdit()
        self.oldEdit.setEchoMode(QLineEdit.EchoMode.Password)
        if ask_old:
            form.addRow("Mật khẩu &hiện tại:", self.oldEdit)
        self.newEdit = QLineEdit()
        self.newEdit.setEchoMode(QLineEdit.EchoMode.Password)
        self.againEdit = QLineEdit()
        self.againEdit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Mật khẩu &mới:", self.newEdit)
        form.addRow("&Nhập lại:", self.againEdit)
        layout.addLayout(form)
        self.errorLabel = QLabel()
        self.errorLabel.setStyleSheet("color: #b00020")
        self.errorLabel.setWordWrap(True)
        self.errorLabel.hide()
        layout.addWidget(self.errorLabel)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Lưu mật khẩu")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.ask_old = ask_old
        (self.oldEdit if ask_old else self.newEdit).setFocus()

    def submit(self) -> None:
        new, again = self.newEdit.text(), self.againEdit.text()
        try:
            if new != again:
                raise ValidationError("Hai lần nhập mật khẩu mới không khớp.", field="password2")
            users.check_new_password(new, self.name)
        except ValidationError as exc:
            self.errorLabel.setText(exc.message)
            self.errorLabel.show()
            self.newEdit.selectAll()
            self.newEdit.setFocus()
            return
        self.password, self.old_password = new, self.oldEdit.text()
        self.accept()
