"""Add or edit a support action of a household (service: storage.support.add_action / update_action).

The household is fixed when the dialog is opened for one (from the registry editor or a flag
list); otherwise the user finds it by name or code (``households.search_ids``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QSizePolicy, QWidget

from ...core.errors import AppError
from ...core.text import format_date, format_vnd
from ...plan import support, support_effects
from ...storage import households, reference
from ...storage.db import Store
from ..forms.ui_support_action_dialog import Ui_SupportActionDialog
from ..shell import errors
from ..shell.search_enter import enter_searches
from ..shell.tables import set_combo

SEARCH_LIMIT = 50


def household_label(h: Mapping[str, Any]) -> str:
    parts = [h.get("head_name") or "(chưa có chủ hộ)", h.get("household_code"), h.get("village")]
    return " — ".join(str(p) for p in parts if p)


class SupportActionDialog(QDialog):
    """``action`` None: a new action (for ``household`` when given); otherwise that row is edited."""

    def __init__(self, store: Store, *, household: Mapping[str, Any] | None = None,
                 action: Mapping[str, Any] | None = None, parent: QWidget | None = None,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.store, self.action = store, action
        self.today = today or date.today()
        self.saved: dict[str, Any] | None = None
        self.ui = ui = Ui_SupportActionDialog()
        ui.setupUi(self)
        ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setText("&Lưu")
        ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        ui.buttonBox.accepted.connect(self.submit)
        ui.buttonBox.rejected.connect(self.reject)
        ui.errorLabel.hide()
        # What marking the action done will change on the member or household (catalogue "effect").
        self.effect_label = QLabel()
        self.effect_label.setWordWrap(True)
        self.effect_label.setStyleSheet("color: #205080;")
        self.effect_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        ui.formLayout.insertRow(3, "", self.effect_label)
        self._measures = {m["code"]: m for m in reference.list_measures(store, active_only=action is None)}
        for m in self._measures.values():
            ui.measureCombo.addItem(m["name"], m["code"])
        ui.bodyCombo.addItem("(theo biện pháp)", None)
        for b in reference.list_bodies(store):
            ui.bodyCombo.addItem(b["name"], b["code"])
        for code, label in support.STATUS_LABELS.items():
            ui.statusCombo.addItem(label, code)
        ui.fundingCombo.addItem("")
        ui.fundingCombo.addItems(list(support.FUNDING_SOURCES))
        ui.measureCombo.currentIndexChanged.connect(self._measure_changed)
        ui.statusCombo.currentIndexChanged.connect(self._status_changed)
        ui.householdCombo.currentIndexChanged.connect(self._household_changed)
        enter_searches(ui.householdSearchEdit, self.search)  # Enter must not also press Lưu
        ui.amountEdit.editingFinished.connect(self._format_amount)
        ui.noteEdit.setMaximumHeight(70)
        hid = (action or {}).get("household_id") or (household or {}).get("id")
        if hid:
            row = household or households.get_household(store, hid) or {"id": hid}
            ui.householdCombo.addItem(household_label(row), hid)
            ui.householdSearchEdit.hide()
            ui.householdSearchEditLabel.hide()
            ui.householdCombo.setEnabled(False)
        self._household_changed()
        self.setWindowTitle("Sửa hoạt động hỗ trợ" if action else "Thêm hoạt động hỗ trợ")
        if action:
            self._load(action)
        else:
            self._measure_changed()
            self._status_changed()

    def _load(self, a: Mapping[str, Any]) -> None:
        ui = self.ui
        set_combo(ui.measureCombo, a.get("measure_code"))
        set_combo(ui.memberCombo, a.get("member_id"))
        set_combo(ui.bodyCombo, a.get("body_code"))
        ui.plannedDateEdit.setText(format_date(a.get("planned_date")))
        set_combo(ui.statusCombo, a.get("status"))
        ui.doneDateEdit.setText(format_date(a.get("done_date")))
        ui.amountEdit.setText(format_vnd(a.get("amount")))
        ui.fundingCombo.setCurrentText(a.get("funding_source") or "")
        ui.noteEdit.setPlainText(a.get("note") or "")
        self._status_changed()

    # -- reactions -----------------------------------------------------------------------------
    def search(self) -> None:
        """Fill the household list with the matches of the search text."""
        combo = self.ui.householdCombo
        combo.clear()
        for hid in households.search_ids(self.store, self.ui.householdSearchEdit.text(), limit=SEARCH_LIMIT):
            row = households.get_household(self.store, hid)
            if row is not None and not row.get("deleted"):
                combo.addItem(household_label(row), hid)
        if not combo.count():
            self._error("Không tìm thấy hộ nào khớp. Hãy gõ tên chủ hộ hoặc mã hộ khác.")
        else:
            self.ui.errorLabel.hide()
            combo.setFocus()

    def _household_changed(self) -> None:
        combo = self.ui.memberCombo
        combo.clear()
        combo.addItem("(cả hộ)", None)
        hid = self.ui.householdCombo.currentData()
        if hid:
            for m in households.get_members(self.store, hid):
                combo.addItem(m.get("full_name") or "(chưa có tên)", m["id"])

    def _measure_changed(self) -> None:
        measure = self._measures.get(self.ui.measureCombo.currentData())
        effect = support_effects.effect_for(self.ui.measureCombo.currentData())
        self.effect_label.setText(effect.describe() if effect else "Biện pháp này không thay đổi thông tin "
                                  "của thành viên hay của hộ khi đánh dấu Đã xong.")
        if measure is None:
            return
        set_combo(self.ui.bodyCombo, measure.get("body_code"))
        tip = " · ".join(str(x) for x in (measure.get("legal_basis"), measure.get("default_amount") and
                                            f"Mức: {format_vnd(measure['default_amount'])} {measure.get('amount_unit') or ''}")
                         if x)
        self.ui.measureCombo.setToolTip(tip)

    def _status_changed(self) -> None:
        done = self.ui.statusCombo.currentData() == support.DONE
        self.ui.doneDateEdit.setEnabled(done)
        if done and not self.ui.doneDateEdit.text().strip():
            self.ui.doneDateEdit.setText(format_date(self.today))
        if not done:
            self.ui.doneDateEdit.clear()

    def _format_amount(self) -> None:
        text = self.ui.amountEdit.text().strip().replace(".", "").replace(" ", "")
        if text.isdigit():
            self.ui.amountEdit.setText(format_vnd(int(text)))

    def _error(self, text: str) -> None:
        self.ui.errorLabel.setText(text)
        self.ui.errorLabel.show()

    # -- saving --------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        ui = self.ui
        return {"measure_code": ui.measureCombo.currentData(), "member_id": ui.memberCombo.currentData(),
                "body_code": ui.bodyCombo.currentData(), "planned_date": ui.plannedDateEdit.text().strip(),
                "status": ui.statusCombo.currentData(), "done_date": ui.doneDateEdit.text().strip(),
                "amount": ui.amountEdit.text().strip(), "funding_source": ui.fundingCombo.currentText().strip() or None,
                "note": ui.noteEdit.toPlainText().strip() or None}

    def submit(self) -> None:
        data = self.values()
        try:
            if self.action is not None:
                self.saved = support.update_action(self.store, self.action["id"], data)
            else:
                hid = self.ui.householdCombo.currentData()
                if not hid:
                    self._error("Hãy tìm và chọn hộ được hỗ trợ.")
                    return
                code = data.pop("measure_code")
                self.saved = support.add_action(self.store, hid, code, **data)
        except AppError as exc:
            self._error(exc.message)
            return
        outcome = self.saved.get("outcome")
        if outcome is not None:  # became done, or was taken back from done: say what changed
            errors.inform(self, "Đã lưu hoạt động hỗ trợ.\n\n" + "\n".join(outcome.lines()))
        self.accept()
