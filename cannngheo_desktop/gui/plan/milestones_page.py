"""The "Mốc thời gian" page: the plan's milestones, overdue ones in red, add/edit/mark done."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableWidget, QVBoxLayout, QWidget

from ...core.errors import AppError
from ...core.text import format_date
from ...plan import milestones as ms
from ...plan import plans
from ...storage import reference
from ..shell.context import AppContext
from ..shell.tables import GREEN, RED, cell, fill_row, fit_columns, selected_data, setup_table
from .milestone_dialog import MilestoneDialog

HEADERS = ("Công việc", "Hạn", "Cơ quan chịu trách nhiệm", "Trạng thái", "Ngày xong", "Ghi chú")


class PlanMilestonesWidget(QWidget):
    """``plans.list_milestones`` with ``milestones.is_overdue(today)``; ``changed`` after a write."""

    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan: dict[str, Any] | None = None
        self.today = date.today()
        self.rows: list[dict[str, Any]] = []
        self.dialog: MilestoneDialog | None = None
        self.overdue_count = 0
        self.bodies = {b["code"]: b["name"] for b in reference.list_bodies(ctx.store)}
        self.summary = QLabel()
        self.table = QTableWidget()
        setup_table(self.table, HEADERS, stretch=0)
        # 1366 px: the task (stretch) wraps onto two lines instead of being cut; the body and the
        # note give way first (full text in the tooltip).
        self.table.setWordWrap(True)
        self.table.verticalHeader().setDefaultSectionSize(2 * self.table.fontMetrics().height() + 8)
        self.table.doubleClicked.connect(lambda _: self.edit_milestone())
        self.add_button = QPushButton("&Thêm mốc…")
        self.edit_button = QPushButton("&Sửa…")
        self.done_button = QPushButton("Đánh dấu đã &xong")
        self.add_button.clicked.connect(self.add_milestone)
        self.edit_button.clicked.connect(self.edit_milestone)
        self.done_button.clicked.connect(self.mark_done)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        buttons = QHBoxLayout()
        for w in (self.add_button, self.edit_button, self.done_button):
            buttons.addWidget(w)
        buttons.addWidget(self.error, 1)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def load(self, plan: dict[str, Any] | None, today: date) -> None:
        self.plan, self.today = plan, today
        self.reload()

    def reload(self) -> None:
        self.error.hide()
        for w in (self.add_button, self.edit_button, self.done_button):
            w.setEnabled(self.plan is not None)
        self.rows = plans.list_milestones(self.ctx.store, self.plan["id"]) if self.plan else []
        self.table.setRowCount(len(self.rows))
        late = 0
        for i, m in enumerate(self.rows):
            overdue = ms.is_overdue(m, self.today)
            late += overdue
            status = ms.STATUS_LABELS.get(m["status"], m["status"])
            if overdue:
                status = f"Quá hạn {ms.days_late(m, self.today)} ngày"
            color = RED if overdue else None
            fill_row(self.table, i, [
                cell(m["title"], data=m["id"], color=color, bold=overdue, tip=m["title"]),
                cell(format_date(m["due_date"]), color=color),
                cell(self.bodies.get(m.get("body_code") or "", m.get("body_code") or ""), color=color),
                cell(status, color=RED if overdue else GREEN if m["status"] == ms.DONE else None, bold=overdue),
                cell(format_date(m.get("done_date"))), cell(m.get("note"), tip=m.get("note"))])
        fit_columns(self.table, {2: 200, 5: 260})
        self.overdue_count = late
        text = ms.overdue_text(late)
        self.summary.setText(f"Ngày {format_date(self.today)}: " + (
            f"<b style='color:{RED.name()}'>{text}</b>" if text else "không có việc quá hạn."))

    def _selected(self) -> dict[str, Any] | None:
        mid = selected_data(self.table)
        return next((m for m in self.rows if m["id"] == mid), None)

    def add_milestone(self) -> MilestoneDialog | None:
        if self.plan is None:
            return None
        return self._open(MilestoneDialog(self.ctx.store, self.plan["id"], None, self, today=self.today))

    def edit_milestone(self) -> MilestoneDialog | None:
        m = self._selected()
        if m is None or self.plan is None:
            return None
        return self._open(MilestoneDialog(self.ctx.store, self.plan["id"], m, self, today=self.today))

    def _open(self, dialog: MilestoneDialog) -> MilestoneDialog:
        self.dialog = dialog
        dialog.accepted.connect(self._saved)
        dialog.open()
        return dialog

    def mark_done(self) -> None:
        m = self._selected()
        if m is None:
            return
        try:
            plans.update_milestone(self.ctx.store, m["id"], {"status": ms.DONE, "done_date": self.today})
        except AppError as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self._saved()

    def _saved(self) -> None:
        self.reload()
        self.changed.emit()
