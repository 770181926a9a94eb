"""The households behind a number of the plan dashboard (click-through), or any household list."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QPushButton, QWidget

from ...core.model import CATEGORY_LABELS
from ...core.text import format_date
from ..forms.ui_households_list_dialog import Ui_HouseholdsListDialog
from ..registry.household_editor import HouseholdEditor
from ..shell.context import AppContext
from ..shell.tables import cell, fill_row, selected_data, setup_table

HEADERS = ("Chủ hộ", "Mã hộ", "Đơn vị", "Thôn, tổ dân phố", "Phân loại", "Số người", "Ngày sự kiện")


class HouseholdsListDialog(QDialog):
    """A read-only list of households; an optional action button works on the selected one."""

    def __init__(self, title: str, rows: Sequence[Mapping[str, Any]], parent: QWidget | None = None, *,
                 unit_names: Mapping[str, str] | None = None,
                 action: tuple[str, Callable[[Mapping[str, Any]], None]] | None = None,
                 ctx: AppContext | None = None, on_saved: Callable[[str], None] | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.on_saved = ctx, on_saved
        self.editor: HouseholdEditor | None = None
        self.ui = Ui_HouseholdsListDialog()
        self.ui.setupUi(self)
        self.rows = list(rows)
        names = unit_names or {}
        shown = f"{len(self.rows)} hộ" if self.rows else "không có hộ nào"
        self.ui.titleLabel.setText(f"<b>{title}</b> — {shown}")
        self.setWindowTitle(title)
        table = self.ui.table
        setup_table(table, HEADERS, stretch=3)
        table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            fill_row(table, i, [
                cell(r.get("head_name") or "(chưa có chủ hộ)", data=i), cell(r.get("household_code")),
                cell(names.get(r.get("unit_code") or "", r.get("unit_code"))), cell(r.get("village")),
                cell(CATEGORY_LABELS.get(r.get("category") or "", r.get("category"))),
                cell(r.get("member_count"), right=True), cell(format_date(r.get("event_date")))])
        table.setColumnHidden(6, not any(r.get("event_date") for r in self.rows))
        if self.rows:
            table.selectRow(0)
        self.action_button: QPushButton | None = None
        if action is not None:
            text, fn = action
            self.action_button = QPushButton(text, self)
            self.ui.buttonsLayout.insertWidget(0, self.action_button)
            self.action_button.setEnabled(bool(self.rows))
            self.action_button.clicked.connect(lambda: self._run(fn))
        # Drill-down: Enter, F2, a double click or the button open the selected household's record
        # (the registry's own editor, so what is changed there changes the dashboard too).
        self.open_button: QPushButton | None = None
        if ctx is not None:
            self.open_button = QPushButton("&Mở hồ sơ hộ", self)
            self.open_button.setToolTip("Mở hồ sơ của hộ đang chọn (Enter, F2 hoặc bấm đúp)")
            self.open_button.setEnabled(bool(self.rows))
            self.ui.buttonsLayout.insertWidget(0, self.open_button)
            self.open_button.clicked.connect(self.open_selected)
            self.open_button.setDefault(True)
            table.doubleClicked.connect(lambda _: self.open_selected())
        self.ui.closeButton.clicked.connect(self.accept)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_F2 and self.open_button is not None:  # F2 opens, as in the registry
            self.open_selected()
            return
        super().keyPressEvent(event)

    def open_selected(self) -> HouseholdEditor | None:
        """Open the selected household in the registry's editor (non-modal, over this list)."""
        row = self.selected_row()
        if row is None or self.ctx is None or not row.get("id"):
            return None
        self.editor = HouseholdEditor(self.ctx, str(row["id"]), self.window())
        if self.on_saved is not None:
            self.editor.saved.connect(self.on_saved)
        self.editor.resize(1240, 680)
        self.editor.show()
        return self.editor

    def selected_row(self) -> Mapping[str, Any] | None:
        index = selected_data(self.ui.table)
        return None if index is None else self.rows[int(index)]

    def _run(self, fn: Callable[[Mapping[str, Any]], None]) -> None:
        row = self.selected_row()
        if row is not None:
            fn(row)
