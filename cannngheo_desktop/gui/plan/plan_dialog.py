"""Create or edit a yearly plan: header, per-unit table, allocation proposal, approval, amendments.

A draft is saved with ``plans.create_plan``/``update_plan`` + ``set_plan_units`` (one transaction);
"Lưu và phê duyệt" also runs ``approve_plan`` in the same transaction. An approved plan opens in
amendment mode: the same fields, a required reason, and ``plans.amend_plan`` with only what changed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QTableWidgetItem, QWidget

from ...core.errors import AppError, ValidationError
from ...core.text import format_date, format_percent
from ...documents import queries as report_queries
from ...plan import plans, tracker_queries
from ...plan.allocation import allocate, rate_percent
from ...storage import reference
from ...storage.db import Store
from ...storage.installation import Installation
from ..forms.ui_plan_dialog import Ui_PlanDialog
from ..shell.tables import GREEN, RED, cell, parse_date_field, setup_table

HEADERS = ("Đơn vị", "Hộ cận nghèo đầu năm", "Nhập tay", "Tổng số hộ", "Tỉ lệ (%)", "Phấn đấu về 0",
           "Kế hoạch giảm")
C_NAME, C_BASE, C_TYPED, C_TOTAL, C_RATE, C_ZERO, C_TARGET = range(7)
_NUMBER_COLS = (C_BASE, C_TOTAL, C_TARGET)


def parse_target(text: str, baseline: int) -> tuple[int | None, float | None]:
    """'75' → (75, None); '15%' → (15% of baseline rounded down, 15.0); '' → (None, None)."""
    text = text.strip().replace(" ", "")
    if not text:
        return None, None
    try:
        if text.endswith("%"):
            pct = float(text[:-1].replace(",", "."))
            if not 0 <= pct <= 100:
                raise ValueError
            return math.floor(baseline * pct / 100 + 1e-9), pct
        value = int(text.replace(".", ""))
        if value < 0:
            raise ValueError
        return value, None
    except ValueError:
        raise ValidationError(f"Chỉ tiêu giảm chung '{text}' không hợp lệ: nhập số hộ (75) hoặc tỉ lệ (15%).",
                              field="target_total") from None


class PlanDialog(QDialog):
    """``plan_id`` None: a new draft plan of the installation's unit; otherwise that plan."""

    def __init__(self, store: Store, inst: Installation, plan_id: str | None = None,
                 parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.store, self.inst = store, inst
        self.today = today or date.today()
        self.plan: dict[str, Any] | None = plans.get_plan(store, plan_id) if plan_id else None
        self.saved_id: str | None = None
        self._filling = False
        self.ui = ui = Ui_PlanDialog()
        ui.setupUi(self)
        setup_table(ui.unitsTable, HEADERS, stretch=C_NAME, editable=True)
        ui.unitsTable.setSelectionMode(ui.unitsTable.SelectionMode.SingleSelection)
        ui.unitsTable.setSelectionBehavior(ui.unitsTable.SelectionBehavior.SelectItems)
        ui.errorLabel.hide()
        ui.unitsTable.itemChanged.connect(self._item_changed)
        ui.targetEdit.textChanged.connect(self._update_sum)
        ui.allocateButton.clicked.connect(self.propose_allocation)
        ui.loadBaselineButton.clicked.connect(self.load_baseline)
        ui.saveButton.clicked.connect(lambda: self.submit(approve=False))
        ui.approveButton.clicked.connect(lambda: self.submit(approve=True))
        ui.closeButton.clicked.connect(self.reject)
        if self.plan is None:
            self._new_plan()
        else:
            self._load(self.plan)
        self._update_sum()

    @property
    def amending(self) -> bool:
        return self.plan is not None and self.plan["status"] == "approved"

    # -- filling -------------------------------------------------------------------------------
    def _new_plan(self) -> None:
        ui = self.ui
        taken = {p["year"] for p in plans.list_plans(self.store, unit_code=self.inst.unit_code)}
        year = self.today.year
        while year in taken:
            year += 1
        ui.yearSpin.setValue(year)
        ui.baselineDateEdit.setText(format_date(date(year, 1, 1)))
        ui.statusLabel.setText("Kế hoạch mới (bản nháp). Nhập số văn bản, chỉ tiêu chung, rồi phân bổ cho từng đơn vị.")
        ui.amendGroup.hide()
        self.setWindowTitle("Tạo kế hoạch giảm hộ cận nghèo")
        units = reference.units_covered(self.store, self.inst.unit_code, date(year, 1, 1))
        if not units:  # a commune installation plans for itself
            own = reference.get_unit(self.store, self.inst.unit_code)
            units = [own] if own else []
        previous = self._previous_totals()
        rows = [{"target_unit_code": u["code"], "unit_name": u["name"], "baseline_near_poor": None,
                 "total_households": u.get("total_households") or previous.get(u["code"]),
                 "target_reduction": None, "to_zero": False, "baseline_typed": False} for u in units]
        self._fill_table(rows)
        self.load_baseline()

    def _previous_totals(self) -> dict[str, int]:
        """Total households per unit from the newest earlier plan (a starting point to correct)."""
        for p in plans.list_plans(self.store, unit_code=self.inst.unit_code):
            return {u["target_unit_code"]: u["total_households"] for u in plans.plan_units(self.store, p["id"])
                    if u["total_households"] is not None}
        return {}

    def _load(self, plan: Mapping[str, Any]) -> None:
        ui = self.ui
        ui.yearSpin.setValue(int(plan["year"]))
        ui.yearSpin.setEnabled(False)
        ui.titleEdit.setText(plan.get("title") or "")
        ui.docNoEdit.setText(plan.get("doc_no") or "")
        ui.docDateEdit.setText(format_date(plan.get("doc_date")))
        ui.baselineDateEdit.setText(format_date(plan.get("baseline_date")))
        ui.targetEdit.setText("" if plan.get("target_total") is None else str(plan["target_total"]))
        names = {r["target_unit_code"]: r.get("unit_name") for r in tracker_queries.plan_unit_rows(self.store, plan["id"])}
        self._fill_table([{**u, "unit_name": names.get(u["target_unit_code"]) or u["target_unit_code"]}
                          for u in plan["units"]])
        if self.amending:
            n = int(plan.get("amendment_no") or 0)
            ui.statusLabel.setText(
                f"<b>Đã phê duyệt</b> ngày {format_date(plan.get('approved_at'))}"
                + (f", đã điều chỉnh {n} lần" if n else "")
                + ". Mọi thay đổi được lưu thành một lần điều chỉnh kế hoạch, có ghi lý do.")
            ui.saveButton.setText("&Lưu điều chỉnh")
            ui.approveButton.hide()
            ui.loadBaselineButton.setEnabled(False)
            self.setWindowTitle(f"Điều chỉnh kế hoạch năm {plan['year']}")
        else:
            ui.statusLabel.setText("Bản nháp: sửa tự do; phê duyệt xong thì kế hoạch được khóa.")
            ui.amendGroup.hide()
            self.setWindowTitle(f"Sửa kế hoạch năm {plan['year']} (bản nháp)")

    def _fill_table(self, rows: Sequence[Mapping[str, Any]]) -> None:
        table = self.ui.unitsTable
        self._filling = True
        table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            table.setItem(i, C_NAME, cell(reference.short_unit_name(r.get("unit_name") or ""),
                                          data=r["target_unit_code"], tip=r["target_unit_code"]))
            for col, key in ((C_BASE, "baseline_near_poor"), (C_TOTAL, "total_households"),
                             (C_TARGET, "target_reduction")):
                item = QTableWidgetItem("" if r.get(key) is None else str(r[key]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(i, col, item)
            for col, key in ((C_TYPED, "baseline_typed"), (C_ZERO, "to_zero")):
                item = QTableWidgetItem()
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if r.get(key) else Qt.CheckState.Unchecked)
                table.setItem(i, col, item)
            table.setItem(i, C_RATE, cell("", right=True))
            self._update_rate(i)
        self._filling = False

    # -- reading the table ---------------------------------------------------------------------
    def _number(self, row: int, col: int) -> int | None:
        item = self.ui.unitsTable.item(row, col)
        text = (item.text() if item else "").strip().replace(".", "")
        if not text:
            return None
        if not text.isdigit():
            name = self.ui.unitsTable.item(row, C_NAME).text()
            raise ValidationError(f"Dòng {row + 1} ({name}), cột '{HEADERS[col]}': '{text}' không phải số "
                                  "nguyên không âm.", field="units", row=row + 1)
        return int(text)

    def _checked(self, row: int, col: int) -> bool:
        item = self.ui.unitsTable.item(row, col)
        return item is not None and item.checkState() == Qt.CheckState.Checked

    def unit_rows(self) -> list[dict[str, Any]]:
        """The per-unit rows as ``set_plan_units`` wants them (ValidationError on a bad number)."""
        out = []
        for i in range(self.ui.unitsTable.rowCount()):
            out.append({"target_unit_code": self.ui.unitsTable.item(i, C_NAME).data(Qt.ItemDataRole.UserRole),
                        "sort_order": i + 1, "baseline_near_poor": self._number(i, C_BASE), "baseline_poor": 0,
                        "baseline_typed": self._checked(i, C_TYPED), "total_households": self._number(i, C_TOTAL),
                        "target_reduction": self._number(i, C_TARGET), "to_zero": self._checked(i, C_ZERO)})
        return out

    def _safe_sum(self, col: int) -> int:
        total = 0
        for i in range(self.ui.unitsTable.rowCount()):
            try:
                total += self._number(i, col) or 0
            except ValidationError:
                pass
        return total

    # -- reactions -----------------------------------------------------------------------------
    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        row, col = item.row(), item.column()
        if col == C_BASE:
            self._filling = True
            self.ui.unitsTable.item(row, C_TYPED).setCheckState(Qt.CheckState.Checked)
            self._filling = False
        if col in (C_BASE, C_TOTAL):
            self._update_rate(row)
        self._update_sum()

    def _update_rate(self, row: int) -> None:
        try:
            rate = rate_percent(self._number(row, C_BASE), self._number(row, C_TOTAL))
        except ValidationError:
            rate = None
        was, self._filling = self._filling, True
        self.ui.unitsTable.item(row, C_RATE).setText(format_percent(rate).rstrip("%"))
        self._filling = was

    def _update_sum(self) -> None:
        base, total, planned = self._safe_sum(C_BASE), self._safe_sum(C_TOTAL), self._safe_sum(C_TARGET)
        ui = self.ui
        try:
            target, pct = parse_target(ui.targetEdit.text(), base)
        except ValidationError as exc:
            ui.targetInfoLabel.setText(f"<span style='color:#b00020'>{exc.message}</span>")
            target = None
        else:
            rate = rate_percent(target, base) if target is not None else None
            info = (f"= {target} hộ ({format_percent(pct, 0)} của {base} hộ đầu năm, làm tròn xuống)" if pct is not None
                    else f"= {format_percent(rate)} của {base} hộ đầu năm" if rate is not None else "")
            ui.targetInfoLabel.setText(info + f" · tỉ lệ hộ cận nghèo chung: {format_percent(rate_percent(base, total))}"
                                       if total else info)
        ok = target is not None and planned == target
        color = GREEN if ok else RED
        ui.sumLabel.setText(f"Tổng kế hoạch giảm: <b>{planned}</b> / {'—' if target is None else target} hộ "
                            + ("✓" if ok else "(chưa khớp)"))
        ui.sumLabel.setStyleSheet(f"color: {color.name()};")

    def propose_allocation(self) -> None:
        """Fill 'Kế hoạch giảm' with allocate(): largest remainder, 'to zero' units get all."""
        try:
            rows = self.unit_rows()
            base = sum(r["baseline_near_poor"] or 0 for r in rows)
            target, _ = parse_target(self.ui.targetEdit.text(), base)
            if target is None:
                raise ValidationError("Hãy nhập chỉ tiêu giảm chung trước khi đề xuất phân bổ.", field="target_total")
            baselines = {r["target_unit_code"]: r["baseline_near_poor"] or 0 for r in rows}
            zero = {r["target_unit_code"] for r in rows if r["to_zero"]}
            proposal = allocate(target, baselines, zero)
        except ValidationError as exc:
            return self._error(exc.message)
        except ValueError as exc:
            return self._error(str(exc))
        self._filling = True
        for i, r in enumerate(rows):
            self.ui.unitsTable.item(i, C_TARGET).setText(str(proposal[r["target_unit_code"]]))
        self._filling = False
        self.ui.errorLabel.hide()
        self._update_sum()

    def load_baseline(self) -> None:
        """Near-poor households per unit at the baseline date, from the registry (not typed)."""
        try:
            day = parse_date_field(self.ui.baselineDateEdit.text(), "Ngày chốt số đầu năm") or date(
                self.ui.yearSpin.value(), 1, 1)
        except ValueError as exc:
            return self._error(str(exc))
        counts = report_queries.categories_at(self.store, day)
        self._filling = True
        for i in range(self.ui.unitsTable.rowCount()):
            code = self.ui.unitsTable.item(i, C_NAME).data(Qt.ItemDataRole.UserRole)
            self.ui.unitsTable.item(i, C_BASE).setText(str(counts.get(code, {}).get("near_poor", 0)))
            self.ui.unitsTable.item(i, C_TYPED).setCheckState(Qt.CheckState.Unchecked)
            self._update_rate(i)
        self._filling = False
        self._update_sum()

    def _error(self, text: str) -> None:
        self.ui.errorLabel.setText(text)
        self.ui.errorLabel.show()

    # -- saving --------------------------------------------------------------------------------
    def header(self) -> dict[str, Any]:
        ui = self.ui
        rows = self.unit_rows()
        target, pct = parse_target(ui.targetEdit.text(), sum(r["baseline_near_poor"] or 0 for r in rows))
        out: dict[str, Any] = {"title": ui.titleEdit.text().strip() or None, "doc_no": ui.docNoEdit.text().strip() or None,
                               "doc_date": ui.docDateEdit.text().strip() or None,
                               "baseline_date": ui.baselineDateEdit.text().strip() or None, "target_total": target}
        if pct is not None:
            out["target_percent"] = pct
        return out

    def submit(self, *, approve: bool) -> None:
        """Save (and approve), or record an amendment; errors stay in the dialog, nothing half-written."""
        try:
            if self.amending:
                self._amend()
            else:
                self._save(approve)
        except AppError as exc:
            return self._error(exc.message)
        self.accept()

    def _save(self, approve: bool) -> None:
        header, rows = self.header(), self.unit_rows()
        with self.store.transaction():
            if self.plan is None:
                plan = plans.create_plan(self.store, unit_code=self.inst.unit_code, year=self.ui.yearSpin.value(),
                                         **header)
            else:
                plan = plans.update_plan(self.store, self.plan["id"], header)
            plans.set_plan_units(self.store, plan["id"], rows)
            if approve:
                plans.approve_plan(self.store, plan["id"])
        self.saved_id = plan["id"]

    def _amend(self) -> None:
        assert self.plan is not None
        reason = self.ui.reasonEdit.text().strip()
        if not reason:
            self.ui.reasonEdit.setFocus()
            raise ValidationError("Kế hoạch đã phê duyệt: hãy ghi lý do điều chỉnh.", field="reason")
        header = {k: v for k, v in self.header().items() if _differs(self.plan.get(k), v)}
        old = {u["target_unit_code"]: u for u in self.plan["units"]}
        units = []
        for r in self.unit_rows():
            before = old.get(r["target_unit_code"], {})
            changed = {k: v for k, v in r.items() if k != "target_unit_code" and _differs(before.get(k), v)}
            if changed:
                units.append({"target_unit_code": r["target_unit_code"], **changed})
        if not header and not units:
            raise ValidationError("Chưa có gì thay đổi so với kế hoạch đã phê duyệt.", field="changes")
        plans.amend_plan(self.store, self.plan["id"], reason, {"plan": header, "units": units},
                         amended_on=self.today)
        self.saved_id = self.plan["id"]


def _differs(old: Any, new: Any) -> bool:
    """Compare a stored value with a dialog value (dates dd/mm/yyyy vs ISO, bools vs 0/1)."""
    if isinstance(new, bool) or isinstance(old, bool):
        return bool(old) != bool(new)
    if isinstance(new, str) and isinstance(old, str) and "/" in new:
        try:
            return parse_date_field(new, "") != date.fromisoformat(old[:10])
        except ValueError:
            return True
    return old != new
