"""The "Hỗ trợ hộ" page: support actions of the plan's households, filters, flags, add/edit/done."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import AppError
from ...core.text import format_date, format_vnd
from ...plan import support, support_effects, tracker_queries
from ...storage import reference
from ..shell.context import AppContext
from ..shell.tables import GREEN, RED, cell, fill_row, fit_columns, selected_data, setup_table
from .households_list_dialog import HouseholdsListDialog
from .support_action_dialog import SupportActionDialog

HEADERS = ("Chủ hộ", "Mã hộ", "Biện pháp hỗ trợ", "Thành viên", "Cơ quan", "Ngày dự kiến", "Trạng thái",
           "Ngày xong", "Số tiền (đ)", "Nguồn kinh phí")


class PlanSupportWidget(QWidget):
    """Lists ``support.list_actions`` for the plan's units and year; ``changed`` fires after a write."""

    changed = Signal()
    noted = Signal(str)  # a one-line "what was saved / what changed" for the status bar

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan: dict[str, Any] | None = None
        self.unit_names: dict[str, str] = {}
        self.today = date.today()
        self.listed: list[dict[str, Any]] = []  # the actions shown (not "actions": QWidget.actions())
        self.dialog: SupportActionDialog | None = None
        self.able_count = self.overdue_count = 0
        self.list_dialog: HouseholdsListDialog | None = None
        self.bodies = {b["code"]: b["name"] for b in reference.list_bodies(ctx.store)}
        self.unit_combo, self.status_combo = QComboBox(), QComboBox()
        self.status_combo.addItem("Mọi trạng thái", None)
        for code, label in support.STATUS_LABELS.items():
            self.status_combo.addItem(label, code)
        self.overdue_check = QCheckBox("Chỉ việc quá ngày dự kiến")
        for w in (self.unit_combo, self.status_combo):
            w.currentIndexChanged.connect(self.reload)
        self.overdue_check.toggled.connect(self.reload)
        self.able_flag, self.overdue_flag = QPushButton(), QPushButton()
        self.able_flag.clicked.connect(self.show_able_without_action)
        self.overdue_flag.clicked.connect(lambda: self.overdue_check.setChecked(True))
        self.table = QTableWidget()
        setup_table(self.table, HEADERS, stretch=2)
        self.table.setWordWrap(True)  # two-line rows: a long measure name wraps instead of being cut
        self.table.verticalHeader().setDefaultSectionSize(2 * self.table.fontMetrics().height() + 8)
        self.table.doubleClicked.connect(lambda _: self.edit_action())
        self.add_button = QPushButton("&Thêm hoạt động…")
        self.edit_button = QPushButton("&Sửa…")
        self.done_button = QPushButton("Đánh dấu đã &xong")
        self.done_button.setToolTip("Ghi hoạt động đang chọn là đã xong hôm nay; thông tin thành viên/hộ "
                                    "được cập nhật theo biện pháp và hộ được đánh giá lại")
        self.undo_button = QPushButton("&Hoàn tác 'Đã xong'")
        self.undo_button.setToolTip("Đưa hoạt động về 'Đang thực hiện' và trả lại thông tin thành viên/hộ "
                                    "như trước khi ghi đã xong (trừ trường đã được sửa sau đó)")
        self.undo_button.clicked.connect(self.undo_done)
        self.info = QLabel()  # "Đã lưu …" with what changed; stays until the next write
        self.info.setWordWrap(True)
        self.info.setStyleSheet("color: #1b5e20;")
        self.info.hide()
        self.add_button.clicked.connect(lambda: self.add_action())
        self.edit_button.clicked.connect(self.edit_action)
        self.done_button.clicked.connect(self.mark_done)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        filters = QHBoxLayout()
        for widget in (QLabel("Đơn vị:"), self.unit_combo, QLabel("Trạng thái:"), self.status_combo,
                       self.overdue_check):
            filters.addWidget(widget)
        filters.addStretch(1)
        flags = QHBoxLayout()
        flags.addWidget(self.able_flag)
        flags.addWidget(self.overdue_flag)
        flags.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.done_button)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.error, 1)
        buttons.addStretch(0 if self.error.isVisible() else 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(flags)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.info)

    # -- loading -------------------------------------------------------------------------------
    def load(self, plan: dict[str, Any] | None, today: date) -> None:
        self.plan, self.today = plan, today
        self.unit_names = {}
        if plan is not None:
            self.unit_names = {r["target_unit_code"]: reference.short_unit_name(r.get("unit_name") or "")
                               for r in tracker_queries.plan_unit_rows(self.ctx.store, plan["id"])}
        self.unit_combo.blockSignals(True)
        self.unit_combo.clear()
        self.unit_combo.addItem("Mọi đơn vị", None)
        for code, name in self.unit_names.items():
            self.unit_combo.addItem(name, code)
        self.unit_combo.blockSignals(False)
        self.reload()

    def _units(self) -> list[str]:
        code = self.unit_combo.currentData()
        return [code] if code else list(self.unit_names)

    def reload(self) -> None:
        """Re-read the flags and the filtered list (aggregate queries; fast on the GUI thread)."""
        self.error.hide()
        for w in (self.add_button, self.edit_button, self.done_button, self.undo_button, self.able_flag,
                  self.overdue_flag):
            w.setEnabled(self.plan is not None)
        if self.plan is None:
            self.listed = []
            self.table.setRowCount(0)
            return
        year, units, store = int(self.plan["year"]), self._units(), self.ctx.store
        able = support.households_able_to_exit_without_action(store, year, unit_codes=units)
        late = support.overdue_actions(store, self.today, unit_codes=units)
        self.able_flag.setText(f"{'⚠' if able else '✓'} {len(able)} hộ có khả năng thoát nhưng chưa có "
                               "hoạt động hỗ trợ — xem danh sách…")
        self.overdue_flag.setText(f"{'⚠' if late else '✓'} {len(late)} hoạt động quá ngày dự kiến chưa xong")
        for w, n in ((self.able_flag, len(able)), (self.overdue_flag, len(late))):
            w.setStyleSheet(f"color: {(RED if n else GREEN).name()}; padding: 3px 10px;")
        self.able_count, self.overdue_count = len(able), len(late)
        self.listed = support.list_actions(
            store, unit_codes=units, year=None if self.overdue_check.isChecked() else year,
            status=self.status_combo.currentData(), overdue_on=self.today if self.overdue_check.isChecked() else None)
        self._fill()

    def _fill(self) -> None:
        self.table.setRowCount(len(self.listed))
        for i, a in enumerate(self.listed):
            late = a["status"] in support.OPEN_STATUSES and a["planned_date"] and a["planned_date"] < self.today.isoformat()
            color = RED if late else None
            status = ("⚠ " if late else "") + support.STATUS_LABELS.get(a["status"], a["status"])
            fill_row(self.table, i, [
                cell(a.get("head_name"), data=a["id"], color=color), cell(a.get("household_code"), color=color),
                cell(a.get("measure_name") or a["measure_code"], color=color,
                     tip="\n".join(x for x in (a.get("measure_name"), a.get("note")) if x)),
                cell(a.get("member_name") or "(cả hộ)", color=color),
                cell(self.bodies.get(a.get("body_code") or "", a.get("body_code")), color=color,
                     tip=self.bodies.get(a.get("body_code") or "")),
                cell(format_date(a.get("planned_date")), color=color),
                cell(status, color=RED if late else GREEN if a["status"] == support.DONE else None, bold=bool(late),
                     tip="Quá ngày dự kiến, chưa xong" if late else None),
                cell(format_date(a.get("done_date"))), cell(format_vnd(a.get("amount")), right=True),
                cell(a.get("funding_source"), tip=a.get("funding_source"))])
        # 1366 px: the measure (stretch) wraps onto two lines instead of being cut; names keep
        # their width; the body and the funding source give way first (full text in the tooltip).
        # The caps are in characters of the table's font (170 px with DejaVu at 9 pt), so a wider
        # Windows font does not cut a name.
        em = max(1, self.table.fontMetrics().averageCharWidth())
        fit_columns(self.table, {0: max(170, 26 * em), 1: max(130, 19 * em), 3: 150, 4: 150, 8: 110, 9: 120})
        for row in range(self.table.rowCount()):  # a measure needing a third line (a wider font) gets it
            self.table.setRowHeight(row, max(self.table.rowHeight(row), self.table.sizeHintForRow(row)))

    # -- actions -------------------------------------------------------------------------------
    def selected_action(self) -> dict[str, Any] | None:
        action_id = selected_data(self.table)
        return next((a for a in self.listed if a["id"] == action_id), None)

    def add_action(self, household: Mapping[str, Any] | None = None) -> SupportActionDialog:
        """Open the action dialog (for ``household`` when given; otherwise the user searches)."""
        self.dialog = SupportActionDialog(self.ctx.store, household=household, parent=self, today=self.today)
        self.dialog.accepted.connect(self._dialog_saved)
        self.dialog.open()
        return self.dialog

    def edit_action(self) -> SupportActionDialog | None:
        action = self.selected_action()
        if action is None:
            return None
        self.dialog = SupportActionDialog(self.ctx.store, action=action, parent=self, today=self.today)
        self.dialog.accepted.connect(self._dialog_saved)
        self.dialog.open()
        return self.dialog

    def mark_done(self) -> None:
        """The selected action is done today."""
        action = self.selected_action()
        if action is None:
            return
        if action["status"] == support.DONE:
            self._say("Hoạt động này đã được ghi là đã xong.")
            return
        self._write(action, {"status": support.DONE, "done_date": self.today})

    def undo_done(self) -> None:
        """Take the selected done action back to "in progress"; what it changed is put back."""
        action = self.selected_action()
        if action is None:
            return
        if action["status"] != support.DONE:
            self._say("Chỉ hoàn tác được hoạt động đang ở trạng thái 'Đã xong'.")
            return
        self._write(action, {"status": support.IN_PROGRESS})

    def _write(self, action: Mapping[str, Any], changes: Mapping[str, Any]) -> None:
        try:
            row = support.update_action(self.ctx.store, action["id"], changes)
        except AppError as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self._saved(row, action)

    def _say(self, text: str) -> None:
        self.info.setText(text)
        self.info.setToolTip(text)
        self.info.show()

    def _dialog_saved(self) -> None:
        dialog = self.dialog
        self._saved(dialog.saved if dialog is not None else None, dialog.action if dialog is not None else None)

    def _saved(self, row: Mapping[str, Any] | None = None, before: Mapping[str, Any] | None = None) -> None:
        if self.list_dialog is not None:
            self.list_dialog.close()
            self.list_dialog = None
        self.reload()
        if row is not None:
            self._report(row, before)
        self.changed.emit()

    def _report(self, row: Mapping[str, Any], before: Mapping[str, Any] | None) -> None:
        """The confirmation under the table and in the status bar: what was saved, what changed."""
        shown = next((a for a in self.listed if a["id"] == row["id"]), None) or {**(before or {}), **row}
        measure = shown.get("measure_name") or row.get("measure_code")
        status = support.STATUS_LABELS.get(row["status"], row["status"])
        head = f"Đã lưu: {measure} — hộ {shown.get('head_name') or ''} — {status}."
        outcome = row.get("outcome")
        text = head if outcome is None else f"{head} {support_effects.summary(outcome, limit=6)}"
        self._say(head if outcome is None else head + "\n" + "\n".join(outcome.lines()))
        self.noted.emit(text)

    def show_able_without_action(self) -> HouseholdsListDialog | None:
        """Households able to exit with nothing planned; 'Lập hoạt động hỗ trợ' for the selected one."""
        if self.plan is None:
            return None
        rows = support.households_able_to_exit_without_action(self.ctx.store, int(self.plan["year"]),
                                                              unit_codes=self._units())
        self.list_dialog = HouseholdsListDialog(
            "Hộ có khả năng thoát cận nghèo nhưng chưa có hoạt động hỗ trợ", rows, self,
            unit_names=self.unit_names, action=("&Lập hoạt động hỗ trợ cho hộ này…", self._add_for))
        self.list_dialog.open()
        return self.list_dialog

    def _add_for(self, household: Mapping[str, Any]) -> None:
        self.add_action(household)

