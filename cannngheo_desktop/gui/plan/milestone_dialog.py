"""Add or edit a milestone of a plan (service: storage.plans.add_milestone / update_milestone)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from ...core.errors import AppError
from ...core.text import format_date
from ...plan import milestones as ms
from ...plan import plans
from ...storage import reference
from ...storage.db import Store
from ..forms.ui_milestone_dialog import Ui_MilestoneDialog
from ..shell.tables import set_combo


class MilestoneDialog(QDialog):
    """``milestone`` None: a new milestone of ``plan_id``; otherwise that row is edited."""

    def __init__(self, store: Store, plan_id: str, milestone: Mapping[str, Any] | None = None,
                 parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.store, self.plan_id, self.milestone = store, plan_id, milestone
        self.today = today or date.today()
        self.saved: dict[str, Any] | None = None
        self.ui = ui = Ui_MilestoneDialog()
        ui.setupUi(self)
        ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setText("&Lưu")
        ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        ui.buttonBox.accepted.connect(self.submit)
        ui.buttonBox.rejected.connect(self.reject)
        ui.bodyCombo.addItem("(chưa giao)", None)
        for b in reference.list_bodies(store):
            ui.bodyCombo.addItem(b["name"], b["code"])
        for code, label in ms.STATUS_LABELS.items():
            ui.statusCombo.addItem(label, code)
        ui.statusCombo.currentIndexChanged.connect(self._status_changed)
        ui.errorLabel.hide()
        m = milestone or {}
        self.setWindowTitle("Sửa mốc thời gian" if milestone else "Thêm mốc thời gian")
        ui.titleEdit.setText(m.get("title") or "")
        ui.dueDateEdit.setText(format_date(m.get("due_date")))
        set_combo(ui.bodyCombo, m.get("body_code"))
        set_combo(ui.statusCombo, m.get("status") or ms.OPEN)
        ui.doneDateEdit.setText(format_date(m.get("done_date")))
        ui.noteEdit.setText(m.get("note") or "")
        self._status_changed()

    def _status_changed(self) -> None:
        done = self.ui.statusCombo.currentData() == ms.DONE
        self.ui.doneDateEdit.setEnabled(done)
        if done and not self.ui.doneDateEdit.text().strip():
            self.ui.doneDateEdit.setText(format_date(self.today))
        if not done:
            self.ui.doneDateEdit.clear()

    def values(self) -> dict[str, Any]:
        ui = self.ui
        return {"title": ui.titleEdit.text().strip(), "due_date": ui.dueDateEdit.text().strip(),
                "body_code": ui.bodyCombo.currentData(), "status": ui.statusCombo.currentData(),
                "done_date": ui.doneDateEdit.text().strip() or None, "note": ui.noteEdit.text().strip() or None}

    def submit(self) -> None:
        data = self.values()
        try:
            if self.milestone is None:
                self.saved = plans.add_milestone(self.store, self.plan_id, **data)
            else:
                self.saved = plans.update_milestone(self.store, self.milestone["id"], data)
        except AppError as exc:
            self.ui.errorLabel.setText(exc.message)
            self.ui.errorLabel.show()
            return
        self.accept()
