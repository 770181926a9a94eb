"""The household list as a Qt table model over SQL pages (Anki's browser pattern: fetch lazily).

The model knows the total number of matches (``count_households``) and asks
``registry.queries.fetch_page`` for the page a visible row falls in. It keeps at most
``MAX_PAGES`` pages in a small LRU cache, so scrolling through 100,000 households never holds
them all in memory. Sorting sets the ListQuery's sort column: SQL sorts.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QTableView

from ...core.model import CATEGORY_LABELS, HOUSEHOLD_STATUSES, RELATIONS
from ...core.text import format_date
from ...registry import queries as rq
from ...storage.db import Store

PAGE_SIZE = 200
MAX_PAGES = 8
# The list's columns plus "matched": the member a search found, with the relation to the head
# (empty and hidden while nothing is typed; sorting by it is the search's best-match order).
MATCHED = "matched"
COLUMNS = (*rq.LIST_COLUMNS[:2], MATCHED, *rq.LIST_COLUMNS[2:])
LABELS = {**rq.LIST_LABELS, MATCHED: "Người tìm thấy"}
NUMERIC = {"member_count", "deprivation_count"}
CENTERED = {"able_to_exit", "is_merit", "updated_at"}
_Index = QModelIndex | QPersistentModelIndex


def _yes_no(value: Any) -> str:
    if value is None:
        return ""
    return "Có" if value else "Không"


def display_value(column: str, row: dict[str, Any]) -> str:
    """What a cell shows (Vietnamese labels, dd/mm/yyyy)."""
    value = row.get(column)
    if column == MATCHED:
        name = row.get("matched_name")
        if not name:
            return ""
        relation = RELATIONS.get(row.get("matched_relation") or "", "")
        return f"{name} ({relation})" if relation else str(name)
    if column == "category":
        return CATEGORY_LABELS.get(value or "undetermined", value or "")
    if column == "able_to_exit":
        return _yes_no(value)
    if column == "is_merit":
        return "Có" if value else ""
    if column == "updated_at":
        return format_date(value) if value else ""
    if value is None:
        return ""
    return str(value)


class HouseholdTableModel(QAbstractTableModel):
    """Rows of the household list, fetched page by page from SQL."""

    def __init__(self, store: Store, query: rq.ListQuery | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.store = store
        self.query = query or rq.ListQuery()
        self.total = 0
        self.fetch_calls = 0  # how many pages were read (tests assert the model stays lazy)
        self._pages: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
        self.reload()

    # -- data access --------------------------------------------------------------------------------
    def reload(self, query: rq.ListQuery | None = None) -> None:
        """Re-count and drop the cached pages (after a filter change or a save)."""
        self.beginResetModel()
        if query is not None:
            self.query = query
        self._pages.clear()
        self.total = rq.count_households(self.store, self.query)
        self.endResetModel()

    def held_rows(self) -> int:
        """Rows currently kept in memory."""
        return sum(len(p) for p in self._pages.values())

    def _page(self, number: int) -> list[dict[str, Any]]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        page = rq.fetch_page(self.store, self.query, number * PAGE_SIZE, PAGE_SIZE)
        self.fetch_calls += 1
        self._pages[number] = page
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        return page

    def row_data(self, row: int) -> dict[str, Any] | None:
        """The list row (dict of LIST_COLUMNS + id, status, deleted) at ``row``."""
        if not 0 <= row < self.total:
            return None
        page = self._page(row // PAGE_SIZE)
        offset = row % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def household_id(self, row: int) -> str | None:
        data = self.row_data(row)
        return data["id"] if data else None

    # -- Qt model -----------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return LABELS[COLUMNS[section]]
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_data(index.row())
        if row is None:
            return None
        column = COLUMNS[index.column()]
        removed = bool(row.get("deleted")) or (row.get("status") or "active") != "active"
        if role == Qt.ItemDataRole.DisplayRole:
            return display_value(column, row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if column in CENTERED:
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and removed:
            return QColor("#888888")
        if role == Qt.ItemDataRole.FontRole and removed:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and removed:
            return f"Hộ {HOUSEHOLD_STATUSES.get(row.get('status') or '', 'đã xóa').lower()}"
        if role == Qt.ItemDataRole.UserRole:
            return row["id"]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """SQL sorts: the query's sort column changes and the pages are read again."""
        if not 0 <= column < len(COLUMNS):
            return
        self.query.sort = rq.RELEVANCE if COLUMNS[column] == MATCHED else COLUMNS[column]
        self.query.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()


def show_sort(view: QTableView, query: rq.ListQuery) -> None:
    """Put the header's sort mark where ``query`` sorts (best match: the "Người tìm thấy" column,
    shown only while a search is typed), without asking the model to sort again."""
    header = view.horizontalHeader()
    header.blockSignals(True)
    column = MATCHED if query.sort == rq.RELEVANCE else query.sort
    order = Qt.SortOrder.DescendingOrder if query.descending else Qt.SortOrder.AscendingOrder
    header.setSortIndicator(COLUMNS.index(column), order)
    header.blockSignals(False)
    header.viewport().update()
    view.setColumnHidden(COLUMNS.index(MATCHED), not query.search)
