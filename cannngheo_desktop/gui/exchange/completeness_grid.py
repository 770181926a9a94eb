"""Completeness grid: units × months of one year, coloured by status (exchange.completeness).

A cell's tooltip names each date with its source: the sender's own date ("Ngày lập (theo máy đơn
vị gửi)", written by the commune's PC, not verifiable here) apart from what this copy measured
("Ngày nhận"); the note under the legend says on which date "on time / late" is judged."""

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

from ...exchange.completeness import DEADLINE_DAY, RECEIVED_DATE, SENDER_DATE, STATUS_LABELS

COLOURS = {"received": "#b7e1b0", "sent": "#bcd7f5", "waiting": "#ffe08a", "late": "#f7c08a",
           "missing": "#f2a5a5", "na": "#d9d9d9", "": "#ffffff"}
LEGEND_ORDER = ("sent", "received", "waiting", "late", "missing", "na")
# "na" (before the unit was expected to report) is an empty grey cell, never "Thiếu"
SHORT = {"sent": "Gửi", "received": "Nhận", "waiting": "Chờ", "late": "Muộn", "missing": "Thiếu", "na": "",
         "": ""}


class CompletenessGrid(QWidget):
    """Year selector + table + legend. ``load(year)`` returns ``{unit: {month: status}}``;
    ``unit_label(code)`` names a row; ``dates(year)`` (optional) gives each cell's labelled dates,
    ``{unit: {month: [(label, dd/mm/yyyy)]}}`` (exchange.completeness.cell_dates)."""

    def __init__(self, load: Callable[[int], dict[str, dict[int, str]]],
                 unit_label: Callable[[str], str] = str, parent: QWidget | None = None,
                 year: int | None = None,
                 dates: Callable[[int], dict[str, dict[int, list[tuple[str, str]]]]] | None = None,
                 office: bool = False) -> None:
        super().__init__(parent)
        self.load, self.unit_label, self.dates = load, unit_label, dates
        self.grid: dict[str, dict[int, str]] = {}
        self.cell_dates: dict[str, dict[int, list[tuple[str, str]]]] = {}
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
        self.note = QLabel(
            f"Đúng hạn / muộn (hạn: ngày {DEADLINE_DAY} tháng sau) tính theo “{SENDER_DATE}”: ngày do máy của "
            f"xã/phường ghi khi lập gói, chương trình không kiểm chứng được. “{RECEIVED_DATE}” là ngày máy này "
            "nhập gói. Rê chuột lên một ô để xem cả hai ngày." if office else "")
        self.note.setWordWrap(True)
        self.note.setVisible(office)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addLayout(legend)
        layout.addWidget(self.note)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the grid for the chosen year."""
        self.grid = self.load(self.year.value())
        self.cell_dates = self.dates(self.year.value()) if self.dates is not None else {}
        units = list(self.grid)
        self.table.setRowCount(len(units))
        self.table.setVerticalHeaderLabels([self.unit_label(u) for u in units])
        for r, unit in enumerate(units):
            for m in range(1, 13):
                status = self.grid[unit].get(m, "")
                cell = QTableWidgetItem(SHORT[status])
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                cell.setBackground(QColor(COLOURS[status]))
                cell.setToolTip(self.tooltip(unit, m))
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

    def tooltip(self, unit: str, month: int) -> str:
        """The unit, month and status, then each date under its own label (whose clock it is)."""
        status = self.status(unit, month)
        lines = [f"{self.unit_label(unit)}, tháng {month}/{self.year.value()}: {STATUS_LABELS[status] or 'chưa đến hạn'}"]
        lines += [f"{label}: {day}" for label, day in self.cell_dates.get(unit, {}).get(month, [])]
        return "\n".join(lines)
