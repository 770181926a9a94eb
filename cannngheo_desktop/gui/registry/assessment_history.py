"""The saved assessments of a household (newest first) and, for the selected one, its verdict
with each indicator's reason: opened from the household editor ("Các lần đã lưu…").

Rows come from ``storage.assessments.assessment_history`` (reasons of bulk-saved assessments are
rebuilt there from the saved facts); indicator names from the rulesets the editor already has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...core.model import CATEGORY_LABELS
from ...core.standards import Ruleset
from ...core.text import format_date, format_vnd
from ..shell.tables import setup_table
from .assessment_panel import CATEGORY_COLOURS, indicator_table

COLUMNS = ("Ngày đánh giá", "Bộ chuẩn", "Kết quả", "Số chỉ số thiếu hụt", "Thu nhập BQ (đồng/người/tháng)",
           "Người đánh giá", "Ghi nhận")
EMPTY = ("Hộ chưa có lần đánh giá nào được lưu. Kết quả bên phải chỉ được lưu khi bấm "
         "“Ghi nhận kết quả” (hoặc khi đánh giá hàng loạt, rà soát).")


def render_saved(row: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """One saved assessment as rich text: verdict, income, each indicator with its reason."""
    category = row.get("category") or ""
    colour = CATEGORY_COLOURS.get(category, "#555")
    income = row.get("income_per_person")
    parts = [f"<p style='font-size:14px; color:{colour}'><b>{escape(CATEGORY_LABELS.get(category, category))}</b>"
             f" — {escape(row['ruleset_code'])}, ngày {format_date(row['assessed_on'])}</p>",
             f"<p>Thu nhập bình quân {format_vnd(income) if income is not None else 'chưa rõ'} đồng/người/tháng; "
             f"{row.get('deprivation_count') or 0} chỉ số thiếu hụt. Người đánh giá: "
             f"{escape(row.get('assessor') or '')}{' — đã ghi nhận' if row.get('recognised') else ''}.</p>"]
    missing = row.get("missing") or []
    if missing:
        items = "".join(f"<li>{escape(str(m[1] if isinstance(m, (list, tuple)) and len(m) > 1 else m))}</li>"
                        for m in missing)
        parts.append(f"<p><b>Còn thiếu thông tin lúc đánh giá:</b></p><ul style='margin-left:-20px'>{items}</ul>")
    parts.append(indicator_table((r.get("status"), names.get(r.get("code"), r.get("code") or ""), r.get("reason") or "")
                                 for r in row.get("results") or []))
    return "".join(parts)


class AssessmentHistory(QWidget):
    """Saved assessments of one household: a table and the details of the selected row."""

    def __init__(self, rulesets: Sequence[Ruleset], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.names = {rs.code: {i.code: i.name for i in rs.indicators} for rs in rulesets}
        self.rows: list[dict[str, Any]] = []
        layout = QVBoxLayout(self)
        self.empty = QLabel(EMPTY)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #555")
        layout.addWidget(self.empty)
        self.table = QTableWidget()
        setup_table(self.table, COLUMNS, stretch=None)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.details)
        split.setSizes([160, 320])
        layout.addWidget(split, 1)
        self.table.currentCellChanged.connect(lambda row, *_: self._show(row))

    def show_history(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Fill the table (newest first, as given) and show the newest one."""
        self.rows = [dict(r) for r in rows]
        self.empty.setVisible(not self.rows)
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            income = r.get("income_per_person")
            values = (format_date(r["assessed_on"]), r["ruleset_code"],
                      CATEGORY_LABELS.get(r.get("category") or "", r.get("category") or ""),
                      str(r.get("deprivation_count") or 0), format_vnd(income) if income is not None else "",
                      r.get("assessor") or "", "Có" if r.get("recognised") else "")
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if col in (3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, col, item)
        if self.rows:
            self.table.selectRow(0)
            self._show(0)
        else:
            self.details.clear()

    def _show(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            row = self.rows[index]
            self.details.setHtml(render_saved(row, self.names.get(row["ruleset_code"], {})))


class AssessmentHistoryDialog(QDialog):
    """Non-modal window around :class:`AssessmentHistory` with a close button."""

    def __init__(self, rulesets: Sequence[Ruleset], rows: Sequence[Mapping[str, Any]], household: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"Các lần đánh giá đã lưu — {household.lstrip('* ')}")
        self.history = AssessmentHistory(rulesets, self)
        self.history.show_history(rows)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText("Đóng")
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.history, 1)
        layout.addWidget(buttons)
        self.resize(900, 600)
