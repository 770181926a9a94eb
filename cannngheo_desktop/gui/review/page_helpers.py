"""Helpers shared by the Rà soát tab's step pages: tables with a stretched name column, date
fields, the category labels and opening a written PDF (tests patch ``open_document``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QUrl
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ...core.model import CATEGORY_LABELS
from ...review import decisions
from ..shell.tables import setup_table

RED = QColor("#b00020")
GREEN = QColor("#1b7a3a")
HINT_STYLE = "color: #3c4a5c;"


class StepPage(QWidget):
    """The page of one step of a round; the tab reloads every step page with the same data."""

    def load(self, rnd: dict[str, Any] | None, rows: list[dict[str, Any]]) -> None:
        """Show round ``rnd`` (None: no round yet) and its households ``rows``."""
        raise NotImplementedError


def cat(code: str | None) -> str:
    """Vietnamese label of a category code ('' for none)."""
    return CATEGORY_LABELS.get(code or "", "")


def make_table(headers: Sequence[str], *, stretch: int = 1, multi: bool = True) -> QTableWidget:
    """A read-only, whole-row table whose ``stretch`` column takes the free width."""
    table = QTableWidget(0, len(headers))
    setup_table(table, headers, stretch=stretch, multi=multi)
    table.horizontalHeader().setStretchLastSection(False)
    return table


def fill(table: QTableWidget, rows: Sequence[Sequence[Any]], *, colour: Sequence[QColor | None] = ()) -> None:
    """Replace the table's rows (text cells; an optional foreground colour per row)."""
    table.setRowCount(len(rows))
    for n, values in enumerate(rows):
        brush = QBrush(colour[n]) if n < len(colour) and colour[n] is not None else None
        for c, value in enumerate(values):
            cell = QTableWidgetItem("" if value is None else str(value))
            if isinstance(value, int):
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if brush is not None:
                cell.setForeground(brush)
            table.setItem(n, c, cell)


def selected_rows(table: QTableWidget) -> list[int]:
    """Indexes of the selected rows, in order."""
    return sorted({i.row() for i in table.selectionModel().selectedRows()})


def date_edit(day: date | None = None) -> QDateEdit:
    """A dd/MM/yyyy date field with a calendar."""
    edit = QDateEdit(QDate(day.year, day.month, day.day) if day else QDate.currentDate())
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    return edit


def day_of(edit: QDateEdit) -> date:
    """The Python date of a date field."""
    d = edit.date()
    return date(d.year(), d.month(), d.day())


def category_combo(keep_label: str | None = None) -> QComboBox:
    """Poor / near-poor / average / not poor, optionally led by a "keep" choice (data None)."""
    combo = QComboBox()
    if keep_label:
        combo.addItem(keep_label, None)
    for code in decisions.FINAL_CHOICES:
        combo.addItem(cat(code), code)
    return combo


def hint(text: str) -> QLabel:
    """A wrapped explanatory line."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    return label


def open_document(path: Path) -> None:
    """Open a written file with the system's viewer (tests replace this)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def page_owner(widget: QWidget) -> Any:
    """The ReviewsTab that holds a page (for its context and refresh)."""
    parent = widget.parentWidget()
    while parent is not None and not hasattr(parent, "review_id"):
        parent = parent.parentWidget()
    return parent
