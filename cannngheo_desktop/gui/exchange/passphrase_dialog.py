"""Ask for the key passphrase (Designer form ``forms/passphrase_dialog.ui``), and for a change of
it (current passphrase, new one twice: :class:`ChangePassphraseDialog`).

``ask_passphrase(...)`` and ``ask_new_passphrase(...)`` are the only places that block on a
dialog; tests monkeypatch them (``monkeypatch.setattr(passphrase_dialog, "ask_passphrase", ...)``),
so callers must call them through the module: ``passphrase_dialog.ask_passphrase(...)``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ...core.errors import ValidationError
from ...exchange import keys
from ..forms.ui_passphrase_dialog import Ui_PassphraseDialog


class PassphraseDialog(QDialog):
    """Passphrase (and, when ``confirm``, a repeat plus the cannot-be-recovered warning)."""

    def __init__(self, parent: QWidget | None, title: str, text: str, *, confirm: bool = False) -> None:
        super().__init__(parent)
        self.confirm = confirm
        self.passphrase: str | None = None
        self.ui = Ui_PassphraseDialog()
        self.ui.setupUi(self)
        self.setWindowTitle(title)
        self.ui.introLabel.setText(text)
        self.ui.repeatLabel.setVisible(confirm)
        self.ui.repeatEdit.setVisible(confirm)
        self.ui.warningLabel.setVisible(confirm)
        self.ui.errorLabel.hide()
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setText("Đồng ý")
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        self.ui.buttonBox.accepted.connect(self.submit)
        self.ui.buttonBox.rejected.connect(self.reject)
        self.ui.passphraseEdit.setFocus()

    def error(self) -> str:
        """What is wrong with the typed text ('' when it can be accepted)."""
        first = self.ui.passphraseEdit.text()
        if not first:
            return "Hãy nhập cụm mật khẩu khóa."
        if self.confirm:
            try:
                keys.check_passphrase_strength(first)
            except ValidationError as exc:
                return exc.message
            if self.ui.repeatEdit.text() != first:
                return "Hai lần nhập cụm mật khẩu khóa không khớp; hãy nhập lại."
        return ""

    def submit(self) -> None:
        problem = self.error()
        if problem:
            self.ui.errorLabel.setText(problem)
            self.ui.errorLabel.show()
            self.ui.passphraseEdit.setFocus()
            return
        self.passphrase = self.ui.passphraseEdit.text()
        self.accept()


def ask_passphrase(parent: QWidget | None, title: str, text: str, *, confirm: bool = False) -> str | None:
    """The passphrase the user typed, or None when cancelled (blocks; tests replace this function)."""
    dialog = PassphraseDialog(parent, title, text, confirm=confirm)
    try:
        return dialog.passphrase if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()


CHANGE_TEXT = ("Khóa ký và khóa mã hóa được mã hóa lại bằng cụm mật khẩu mới; khóa, thẻ khóa và dấu vân tay "
               "giữ nguyên, không cần gửi thẻ khóa mới. Cụm mới cần ít nhất {n} ký tự và không phải mật khẩu "
               "phổ biến; nên dùng một câu ngắn dễ nhớ với bạn.")


class ChangePassphraseDialog(QDialog):
    """Current passphrase + new one twice. The new one is checked here (rules, repeat, differs
    from the current); the current one is checked by the service (keys.change_passphrase)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Đổi cụm mật khẩu khóa")
        self.old = ""
        self.new = ""
        layout = QVBoxLayout(self)
        intro = QLabel(CHANGE_TEXT.format(n=keys.MIN_PASSPHRASE))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.oldEdit, self.newEdit, self.againEdit = QLineEdit(), QLineEdit(), QLineEdit()
        for edit in (self.oldEdit, self.newEdit, self.againEdit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Cụm mật khẩu &hiện tại:", self.oldEdit)
        form.addRow("Cụm mật khẩu &mới:", self.newEdit)
        form.addRow("&Nhập lại cụm mới:", self.againEdit)
        layout.addLayout(form)
        warning = QLabel("Quên cụm mật khẩu khóa thì không ai khôi phục được: hãy ghi nhớ cụm mới.")
        warning.setWordWrap(True)
        warning.setStyleSheet("color: #8a5a00;")
        layout.addWidget(warning)
        self.errorLabel = QLabel()
        self.errorLabel.setStyleSheet("color: #b00020;")
        self.errorLabel.setWordWrap(True)
        self.errorLabel.hide()
        layout.addWidget(self.errorLabel)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Đổ&i cụm mật khẩu")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.oldEdit.setFocus()

    def error(self) -> tuple[str, QLineEdit | None]:
        """What is wrong with the typed text and the field to fix ('' when it can be accepted)."""
        old, new = self.oldEdit.text(), self.newEdit.text()
        if not old:
            return "Hãy nhập cụm mật khẩu khóa hiện tại.", self.oldEdit
        try:
            keys.check_passphrase_strength(new)
        except ValidationError as exc:
            return exc.message, self.newEdit
        if self.againEdit.text() != new:
            return "Hai lần nhập cụm mật khẩu mới không khớp; hãy nhập lại.", self.againEdit
        if new == old:
            return "Cụm mật khẩu khóa mới phải khác cụm đang dùng.", self.newEdit
        return "", None

    def submit(self) -> None:
        problem, edit = self.error()
        if problem:
            self.errorLabel.setText(problem)
            self.errorLabel.show()
            self.adjustSize()
            if edit is not None:
                edit.selectAll()
                edit.setFocus()
            return
        self.old, self.new = self.oldEdit.text(), self.newEdit.text()
        self.accept()


def ask_new_passphrase(parent: QWidget | None) -> tuple[str, str] | None:
    """(current, new) passphrases the user typed, or None when cancelled (blocks; tests replace it)."""
    dialog = ChangePassphraseDialog(parent)
    try:
        return (dialog.old, dialog.new) if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
