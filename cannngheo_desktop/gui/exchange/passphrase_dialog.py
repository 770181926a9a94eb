"""Ask for the key passphrase (Designer form ``forms/passphrase_dialog.ui``).

``ask_passphrase(...)`` is the single place that blocks on the dialog; tests monkeypatch it
(``monkeypatch.setattr(passphrase_dialog, "ask_passphrase", ...)``), so callers must call it through
the module: ``passphrase_dialog.ask_passphrase(...)``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

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
