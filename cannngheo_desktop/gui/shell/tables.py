"""Small helpers shared by the Kế hoạch tab's widgets and dialogs (tables, colours, parsing)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import shiboken6  # noqa: E402 - after the Qt imports on purpose
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QTableWidget, QTableWidgetItem

from ...core.text import parse_vn_date

RED = QColor("#b00020")
GREEN = QColor("#1b7a3a")
AMBER = QColor("#a05a00")
BLUE = QColor("#1f4e9a")
DATA_ROLE = Qt.ItemDataRole.UserRole


def setup_table(table: QTableWidget, headers: Sequence[str], *, stretch: int | None = 0,
                editable: bool = False, multi: bool = False) -> None:
    """Column headers, whole-row selection, no editing (unless asked), stretch one column."""
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setHighlightSections(False)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi
                           else QAbstractItemView.SelectionMode.SingleSelection)
    if not editable:
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    else:
        header.setStretchLastSection(True)
    rows = table.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 8)


def run_for(widget: Any, fn: Callable[..., Any], on_success: Callable[[Any], None], label: str) -> None:
    """``widget.ctx.tasks.run_task`` whose result is dropped when the widget was closed meanwhile
    (switching database, closing the window, a test ending)."""
    def done(result: Any) -> None:
        if shiboken6.isValid(widget):
            on_success(result)

    widget.ctx.tasks.run_task(widget, fn, on_success=done, label=label)


def fit_columns(table: QTableWidget, caps: dict[int, int]) -> None:
    """Size columns to their contents, but no wider than ``caps[column]`` pixels (long names are
    elided; the full text is in the tooltip). Capped columns stay resizable by the user."""
    header = table.horizontalHeader()
    for col, width in caps.items():
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        table.resizeColumnToContents(col)
        table.setColumnWidth(col, min(table.columnWidth(col), width))


def cell(text: Any, *, data: Any = None, right: bool = False, color: QColor | None = None,
         bold: bool = False, tip: str | None = None) -> QTableWidgetItem:
    """A read-only table item; numbers right-aligned; optional colour, bold and tooltip."""
    item = QTableWidgetItem("" if text is None else str(text))
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if data is not None:
        item.setData(DATA_ROLE, data)
    if color is not None:
        item.setForeground(QBrush(color))
    if bold:
        font = QFont(item.font())
        font.setBold(True)
        item.setFont(font)
    if tip:
        item.setToolTip(tip)
    return item


def fill_row(table: QTableWidget, row: int, items: Sequence[QTableWidgetItem]) -> None:
    for col, item in enumerate(items):
        table.setItem(row, col, item)


def selected_data(table: QTableWidget, column: int = 0) -> Any:
    """The DATA_ROLE of the selected row's item in ``column`` (None when nothing is selected)."""
    rows = table.selectionModel().selectedRows(column) if table.selectionModel() else []
    if not rows:
        return None
    item = table.item(rows[0].row(), column)
    return item.data(DATA_ROLE) if item is not None else None


def set_combo(combo: QComboBox, value: Any) -> None:
    """Select the entry whose data is ``value`` (first entry when absent)."""
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))


def parse_date_field(text: str, label: str) -> date | None:
    """'' → None; dd/mm/yyyy → date; otherwise ValueError naming the field."""
    text = text.strip()
    if not text:
        return None
    try:
        return parse_vn_date(text)
    except ValueError as exc:
        raise ValueError(f"{label}: {exc}.") from None


def int_or_none(text: str) -> int | None:
    """'1.234' → 1234; '' → None; ValueError for anything else."""
    text = text.strip().replace(".", "").replace(" ", "")
    if not text:
        return None
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value
