"""Qt's own texts (standard buttons, text-box menu, file dialog) appear in Vietnamese."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLineEdit, QPushButton

from cannngheo_desktop.gui.shell import qt_vi


def test_qt_texts_in_vietnamese(qtbot) -> None:
    app = QApplication.instance()
    qt_vi.install(app)
    qt_vi.install(app)  # a second call adds nothing
    assert QCoreApplication.translate("QLineEdit", "&Copy") == "Sao &chép"
    assert QCoreApplication.translate("Anything", "Một câu tiếng Việt") == "Một câu tiếng Việt"
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert sorted(b.text() for b in box.buttons()) == ["Hủy", "Đồng ý"]
    edit = QLineEdit()
    qtbot.addWidget(edit)
    texts = [a.text().split("\t")[0] for a in edit.createStandardContextMenu().actions() if a.text()]
    assert "Chọn tất cả" in texts and "&Dán" in texts and not any("Paste" in t for t in texts)
    dialog = QFileDialog()
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    assert "Hủy" in [p.text() for p in dialog.findChildren(QPushButton)]
