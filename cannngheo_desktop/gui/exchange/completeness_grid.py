"""Completeness grid: units × months of one year, coloured by status (bundle.completeness)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...exchange.completeness import STATUS_LABELS

COLOURS = {"received": "#b7e1b0", "sent": "#bcd7f5", "waiting": "#ffe08a", "late": "#f7c08a",
           "missing": "#f2a5a5", "na": "#d9d9d9", "": "#ffffff"}
LEGEND_ORDER = ("sent", "received", "waiting", "late", "missing", "na")
# "na" (before the unit was expected to report) is an empty grey cell, never "Thiếu"
SHORT = {"sent": "Gửi", "received": "Nhận", "waiting": "Chờ", "late": "Muộn", "missing": "Thiếu", "na": "",
         "": ""}


class CompletenessGrid(QWidget):
    """Year selector + table + legend. ``load(year)`` returns ``{unit: {month: status}}``;
    ``unit_label(code)`` names a row."""

    def __init__(self, load: Callable[[int], dict[str, dict[int, str]]],
                 unit_label: Callable[[str], str] = str, parent: QWidget | None = None,
                 year: int | None = None) -> None:
        super().__init__(parent)
        self.load, self.unit_label = load, unit_label
        self.grid: dict[str, dict[int, str]] = {}
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(year or date.today().year)
        self.year.valueChanged.connect(self.refresh)
        self.table = QTableWidget(0, 12)
        self.table.setHorizontalHeaderLabels([f"T{m}" for m in range(1, 13)])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        top = QHBoxLayout()
        top.addWidget(QLabel("Năm:"))
        top.addWidget(self.year)
        top.addStretch(1)
        legend = QHBoxLayout()
        legend.setSpacing(12)
        for status in LEGEND_ORDER:
            chip = QLabel(f"<span style='background:{COLOURS[status]}; border:1px solid #888'>"
                          f"&nbsp;&nbsp;&nbsp;&nbsp;</span> {STATUS_LABELS[status]}")
            legend.addWidget(chip)
        legend.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addLayout(legend)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the grid for the chosen year."""
        self.grid = self.load(self.year.value())
        units = list(self.grid)
        self.table.setRowCount(len(units))
        self.table.setVerticalHeaderLabels([self.unit_label(u) for u in units])
        for r, unit in enumerate(units):
            for m in range(1, 13):
                status = self.grid[unit].get(m, "")
                cell = QTableWidgetItem(SHORT[status])
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                cell.setBackground(QColor(COLOURS[status]))
                cell.setToolTip(f"{self.unit_label(unit)}, tháng {m}/{self.year.value()}: "
                                f"{STATUS_LABELS[status] or 'chưa đến hạn'}")
                self.table.setItem(r, m - 1, cell)
        self._fit_height()

    def _fit_height(self) -> None:
        rows = min(max(self.table.rowCount(), 1), 8)
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(min(rows, self.table.rowCount())))
        height += 0 if self.table.rowCount() else self.table.verticalHeader().defaultSectionSize()
        self.table.setMaximumHeight(height + 4)

    def status(self, unit: str, month: int) -> str:
        return self.grid.get(unit, {}).get(month, "")
