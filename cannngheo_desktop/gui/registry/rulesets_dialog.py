"""Tệp → Bộ chuẩn nghèo…: every stored ruleset with all its parameters, the values awaiting
confirmation in amber, and who changed what. An administrator edits a value (double-click or
"Sửa giá trị…"); anyone else reads. Services: storage.rulesets (list, update_ruleset_parameter,
parameter_history) and core.standards.parameters (what is editable, how it reads and parses).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import AppError
from ...core.standards.parameters import Parameter, parameters, parse
from ...core.text import format_date
from ...storage import rulesets
from ..shell import errors
from ..shell.context import AppContext
from ..shell.tables import setup_table
from .history_dialog import when_text

WAITING_BRUSH = QBrush(QColor("#fff1c2"))
COLUMNS = ("Nhóm", "Tham số", "Giá trị", "Trạng thái", "Nguồn")
HISTORY_COLUMNS = ("Thời gian", "Người sửa", "Tham số", "Trước", "Sau")


def ask_value(parent: QWidget, parameter: Parameter) -> str | None:
    """The new value as typed (None: cancelled). Replaced in tests."""
    text, ok = QInputDialog.getText(parent, "Sửa tham số bộ chuẩn",
                                    f"{parameter.group}: {parameter.label}\n(ví dụ: {parameter.text})",
                                    text=parameter.text.removesuffix(" đồng"))
    return text if ok else None


class RulesetsDialog(QDialog):
    """Non-modal. ``editable`` is True for an administrator."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Bộ chuẩn nghèo")
        self.ctx, self.store = ctx, ctx.store
        self.editable = ctx.user.get("role") == "admin"
        self.params: list[Parameter] = []
        self.combo = QComboBox()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table, self.history = QTableWidget(), QTableWidget()
        setup_table(self.table, COLUMNS, stretch=1)
        # Value lists and sources are long: fixed widths (the whole text is in the tooltip) so that
        # the parameter's name keeps its room at 1366 px.
        header = self.table.horizontalHeader()
        for col, width in ((0, 190), (2, 200), (4, 300)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(col, width)
        setup_table(self.history, HISTORY_COLUMNS, stretch=2)
        self.edit_button = QPushButton("&Sửa giá trị…")
        self.edit_button.setEnabled(False)
        who = QLabel("Sửa giá trị: chọn một dòng rồi bấm “Sửa giá trị…” (hoặc nhấp đúp). Thay đổi được kiểm tra "
                     "cùng cả bộ chuẩn và ghi vào nhật ký." if self.editable else
                     "Chỉ quản trị viên được sửa tham số. Các giá trị tô vàng đang chờ văn bản xác nhận.")
        who.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Bộ chuẩn:"))
        top.addWidget(self.combo, 1)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(QLabel("<b>Lịch sử sửa</b>"))
        lower_layout.addWidget(self.history)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setSizes([420, 140])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Đóng")
        buttons.addButton(self.edit_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addWidget(who)
        layout.addWidget(buttons)
        for rs in rulesets.list_rulesets(self.store):
            end = format_date(rs.valid_to) if rs.valid_to else "nay"
            self.combo.addItem(f"{rs.name} ({rs.code}), {format_date(rs.valid_from)}–{end}", rs.code)
        self.combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.itemSelectionChanged.connect(self._selection)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self.edit_selected())
        self.edit_button.clicked.connect(self.edit_selected)
        self.resize(1000, 640)
        self.refresh()

    # -- showing ------------------------------------------------------------------------------------
    def code(self) -> str | None:
        return self.combo.currentData()

    def refresh(self) -> None:
        """Re-read the chosen ruleset, its parameters and its history (keeps the selected row)."""
        code = self.code()
        if code is None:
            return
        keep = self.table.currentRow()
        rs = rulesets.get_ruleset(self.store, code)
        self.params = parameters(rs.definition)
        waiting = sum(1 for p in self.params if not p.confirmed)
        self.summary.setText(f"{rs.legal_basis}. Phạm vi: {'toàn quốc' if rs.scope == 'national' else 'mã tỉnh ' + rs.scope}. "
                             + (f"<span style='color:#8a5a00'>{waiting} giá trị đang chờ xác nhận (tô vàng).</span>"
                                if waiting else "Mọi giá trị đã được xác nhận."))
        self.table.setRowCount(len(self.params))
        for row, p in enumerate(self.params):
            values = (p.group, p.label, p.text, "Đã xác nhận" if p.confirmed else "Chờ xác nhận",
                      p.source.split(" — ", 1)[0])
            tip = "\n".join(t for t in (p.note, f"Nguồn: {p.source}" if p.source else "") if t)
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if tip:
                    item.setToolTip(tip)
                if not p.confirmed:
                    item.setBackground(WAITING_BRUSH)
                self.table.setItem(row, col, item)
        if 0 <= keep < len(self.params):
            self.table.selectRow(keep)
        history = rulesets.parameter_history(self.store, code)
        self.history.setRowCount(len(history))
        for row, h in enumerate(history):
            for col, text in enumerate((when_text(h["at"]), h["user"], h["parameter"], h["before"], h["after"])):
                self.history.setItem(row, col, QTableWidgetItem(text))
        self._selection()

    def _selection(self) -> None:
        self.edit_button.setEnabled(self.editable and self.table.currentRow() >= 0)

    # -- editing ------------------------------------------------------------------------------------
    def edit_selected(self) -> None:
        row = self.table.currentRow()
        if not self.editable or not 0 <= row < len(self.params):
            return
        text = ask_value(self, self.params[row])
        if text is not None:
            self.set_value(self.params[row].path, text)

    def set_value(self, path: str, text: str) -> bool:
        """Parse and save one value; a refusal is shown (naming the parameter) and nothing changes."""
        if not self.editable:
            return False
        parameter = next(p for p in self.params if p.path == path)
        try:
            rulesets.update_ruleset_parameter(self.store, self.code() or "", path, parse(parameter, text))
        except AppError as exc:
            errors.report(self, exc)
            return False
        self.refresh()
        return True
