"""Shown once after a database is encrypted (setup, or the first start of a plain one): the
recovery key, said plainly what it is for, a button to save the printable sheet (PDF), and a
check box the person ticks once the key is written down or printed."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import AppError
from ...documents.render.recovery_sheet import ADVICE, render_recovery_sheet
from . import errors, files


class RecoverySheetDialog(QDialog):
    def __init__(self, recovery: str, unit_name: str, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mã khôi phục dữ liệu")
        self.recovery, self.unit_name, self.db_path = recovery, unit_name, db_path
        self.saved: Path | None = None
        layout = QVBoxLayout(self)
        intro = QLabel("<b>Dữ liệu của đơn vị đã được mã hóa trên đĩa.</b> Hãy in phiếu khôi phục (hoặc chép mã "
                       "dưới đây ra giấy) và cất nơi an toàn, tách khỏi máy tính.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.keyLabel = QLabel(recovery)
        font = QFont("Courier New")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(16)
        font.setBold(True)
        self.keyLabel.setFont(font)
        self.keyLabel.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.keyLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.keyLabel)
        advice = QLabel("<ul>" + "".join(f"<li>{escape(a)}</li>" for a in ADVICE) + "</ul>")
        advice.setWordWrap(True)
        layout.addWidget(advice)
        self.saveButton = QPushButton("&Lưu phiếu khôi phục (PDF) để in…")
        self.saveButton.clicked.connect(self.save_sheet)
        layout.addWidget(self.saveButton)
        self.confirmBox = QCheckBox("Tôi đã &in hoặc chép mã khôi phục và cất nơi an toàn")
        layout.addWidget(self.confirmBox)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Tiếp tục")
        self.ok.setEnabled(False)
        self.confirmBox.toggled.connect(self.ok.setEnabled)
        self.buttons.accepted.connect(self.accept)
        layout.addWidget(self.buttons)

    def reject(self) -> None:  # Esc does not skip the sheet
        if self.confirmBox.isChecked():
            super().reject()

    def save_sheet(self, target: Path | None = None) -> Path | None:
        if target is None:
            chosen = files.choose_save_file(self, "Lưu phiếu khôi phục", Path.home() / "phieu-khoi-phuc.pdf",
                                            "PDF (*.pdf)")
            if chosen is None:
                return None
            target = chosen if chosen.suffix.lower() == ".pdf" else chosen.with_suffix(".pdf")
        try:
            self.saved = render_recovery_sheet(target, recovery=self.recovery, unit_name=self.unit_name,
                                               db_file=self.db_path.name)
        except (AppError, OSError) as exc:
            errors.show_app_error(self, exc if isinstance(exc, AppError) else AppError(
                f"Không lưu được phiếu vào '{target}': {exc}"))
            return None
        return self.saved
