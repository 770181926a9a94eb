"""The "Mục tiêu" page: the plan's objectives with live values, and adding one from the catalogue."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import AppError, ValidationError
from ...core.text import format_date
from ...plan import objectives as obj
from ...plan import plans, tracker_queries
from ..shell.context import AppContext
from ..shell.tables import GREEN, RED, cell, fill_row, run_for, setup_table

HEADERS = ("Mục tiêu", "Giá trị đo được", "Tử số / mẫu số", "Chưa có thông tin", "Chỉ tiêu", "Trạng thái")
STATUS_COLORS = {obj.MET: GREEN, obj.NOT_MET: RED}


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text}%" if unit == obj.PERCENT else f"{text} {unit}"


class PlanObjectivesWidget(QWidget):
    """Measures on the worker (``measure_objectives``); adding goes through ``add_objective`` or,
    on an approved plan, ``amend_plan`` with the reason typed beside it."""

    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan: dict[str, Any] | None = None
        self.on: date | None = None
        self.rows: list[obj.Measurement] = []
        self.summary = QLabel()
        self.table = QTableWidget()
        setup_table(self.table, HEADERS, stretch=0)
        self.fact_combo = QComboBox()
        for fact in obj.CATALOGUE.values():
            self.fact_combo.addItem(fact.label, fact.code)
        self.fact_combo.currentIndexChanged.connect(self._fact_changed)
        self.target_edit = QLineEdit()
        self.target_edit.setMaximumWidth(90)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("Lý do điều chỉnh (kế hoạch đã phê duyệt)")
        self.add_button = QPushButton("Thêm &mục tiêu")
        self.add_button.clicked.connect(self.add_objective)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()
        adder = QHBoxLayout()
        adder.addWidget(QLabel("Thêm từ danh mục:"))
        adder.addWidget(self.fact_combo, 3)
        adder.addWidget(QLabel("Chỉ tiêu:"))
        adder.addWidget(self.target_edit)
        adder.addWidget(self.reason_edit, 2)
        adder.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(adder)
        layout.addWidget(self.error)
        self._fact_changed()

    def _fact_changed(self) -> None:
        fact = obj.CATALOGUE.get(self.fact_combo.currentData())
        if fact is not None:
            self.target_edit.setText("" if fact.target is None else _number(fact.target, "").strip())
            self.target_edit.setToolTip(f"{fact.comparison} · đơn vị: {fact.measure_unit} · đối tượng: {fact.population}")

    def load(self, plan: dict[str, Any] | None, on: date) -> None:
        self.plan, self.on = plan, on
        self.error.hide()
        approved = bool(plan and plan["status"] == "approved")
        self.reason_edit.setVisible(approved)
        self.add_button.setEnabled(plan is not None)
        if plan is None:
            self.table.setRowCount(0)
            self.summary.setText("Chưa có kế hoạch.")
            return
        plan_id = plan["id"]

        def work(store: Any, progress: Any) -> tuple[str, list[obj.Measurement]]:
            return plan_id, tracker_queries.measure_objectives(store, plan_id, on)

        run_for(self, work, self._show, "Đang đo các mục tiêu…")

    def _show(self, result: tuple[str, list[obj.Measurement]]) -> None:
        plan_id, rows = result
        if self.plan is None or plan_id != self.plan["id"]:
            return
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, m in enumerate(rows):
            ratio = f"{m.numerator} / {m.denominator}" if m.denominator is not None else str(m.numerator)
            sign = {"<=": "≤", ">=": "≥"}.get(m.comparison, m.comparison)
            target = "—" if m.target is None else f"{sign} {_number(m.target, m.measure_unit)}"
            fill_row(self.table, i, [
                cell(m.label, data=m.code, tip=(obj.CATALOGUE[m.code].population if m.code in obj.CATALOGUE else None)),
                cell(_number(m.value, m.measure_unit), right=True, bold=True), cell(ratio, right=True),
                cell(m.unknown or "", right=True), cell(target, right=True),
                cell(m.status, color=STATUS_COLORS.get(m.status), bold=True)])
        met = sum(1 for m in rows if m.status == obj.MET)
        self.summary.setText(f"Đo tại ngày <b>{format_date(self.on)}</b> trên hộ cận nghèo của kế hoạch: "
                             f"<b>{met}</b>/{len(rows)} mục tiêu đạt. Thông tin chưa có được đếm riêng, "
                             "không tính là chưa đạt.")
        self.loaded.emit()

    def add_objective(self) -> None:
        """Add the chosen catalogue fact with the typed target (amendment when approved)."""
        if self.plan is None:
            return
        fact = obj.require_fact(self.fact_combo.currentData())
        try:
            text = self.target_edit.text().strip().rstrip("%").replace(",", ".")
            try:
                target = float(text) if text else None
            except ValueError:
                raise ValidationError(f"Chỉ tiêu '{self.target_edit.text()}' phải là số.", field="target_value") from None
            row = {"kind": fact.code, "label": fact.label, "target_value": target, "comparison": fact.comparison,
                   "measure_unit": fact.measure_unit}
            if self.plan["status"] == "approved":
                plans.amend_plan(self.ctx.store, self.plan["id"], self.reason_edit.text(), {"objectives": [row]},
                                 amended_on=self.on)
            else:
                plans.add_objective(self.ctx.store, self.plan["id"], kind=fact.code, label=fact.label,
                                    target_value=target, comparison=fact.comparison, measure_unit=fact.measure_unit)
        except AppError as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self.reason_edit.clear()
        self.plan = plans.get_plan(self.ctx.store, self.plan["id"])
        self.load(self.plan, self.on or date.today())
