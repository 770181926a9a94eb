"""Add a household to a review round: a request form (recognise / exit: date and who filed it)
or by hand with a reason. Services: storage.reviews.record_request / add_item."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QListWidgetItem, QWidget

from ...core.errors import AppError, ValidationError
from ...core.model import CATEGORY_LABELS
from ...core.text import format_date
from ...review import rounds as reviews
from ...storage import households
from ...storage.db import Store
from ..forms.ui_review_add_dialog import Ui_ReviewAddDialog
from ..shell.search_enter import enter_searches

CHOICES = (("recognise", "Giấy đề nghị công nhận hộ nghèo/cận nghèo"),
           ("exit", "Giấy đề nghị công nhận thoát nghèo/cận nghèo"),
           ("manual", "Bổ sung theo đề xuất (ghi lý do)"))


class ReviewAddDialog(QDialog):
    """Non-modal use: ``open()``, then ``saved`` holds the item once accepted."""

    def __init__(self, store: Store, review_id: str, parent: QWidget | None = None, *,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.store, self.review_id = store, review_id
        self.saved: dict[str, Any] | None = None
        self.ui = ui = Ui_ReviewAddDialog()
        ui.setupUi(self)
        ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setText("&Thêm")
        ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        ui.buttonBox.accepted.connect(self.submit)
        ui.buttonBox.rejected.connect(self.reject)
        enter_searches(ui.searchEdit, self.search)  # Enter must not also press Thêm
        for code, label in CHOICES:
            ui.reasonCombo.addItem(label, code)
        ui.reasonCombo.currentIndexChanged.connect(self._reason_changed)
        ui.dateEdit.setText(format_date(today or date.today()))
        ui.errorLabel.hide()
        self._reason_changed()

    def _reason_changed(self) -> None:
        manual = self.ui.reasonCombo.currentData() == "manual"
        for w in (self.ui.requestByEdit, self.ui.dateEdit):
            w.setEnabled(not manual)
        self.ui.noteEdit.setEnabled(manual)

    def search(self) -> None:
        """Fill the list with the households matching the search text (diacritics folded)."""
        self.ui.householdList.clear()
        for hid in households.search_ids(self.store, self.ui.searchEdit.text(), limit=50):
            hh = households.get_household(self.store, hid)
            if not hh or hh.get("deleted"):
                continue
            text = (f"{hh.get('head_name') or ''} — {hh.get('village') or ''} — "
                    f"{CATEGORY_LABELS.get(hh.get('category') or '', 'chưa phân loại')}")
            item = QListWidgetItem(text)
            item.setData(256, hid)  # Qt.UserRole
            self.ui.householdList.addItem(item)
        if self.ui.householdList.count():
            self.ui.householdList.setCurrentRow(0)

    def _show_error(self, text: str) -> None:
        self.ui.errorLabel.setText(text)
        self.ui.errorLabel.show()

    def submit(self) -> None:
        """Validate through the service; stay open with the message when it refuses."""
        current = self.ui.householdList.currentItem()
        try:
            if current is None:
                raise ValidationError("Hãy tìm và chọn một hộ.", field="household")
            hid = current.data(256)
            reason = self.ui.reasonCombo.currentData()
            if reason == "manual":
                self.saved = reviews.add_item(self.store, self.review_id, hid, reason="manual",
                                              note=self.ui.noteEdit.text())
            else:
                self.saved = reviews.record_request(self.store, self.review_id, hid,
                                                    request_date=self.ui.dateEdit.text(),
                                                    request_by=self.ui.requestByEdit.text(), request_kind=reason)
        except AppError as exc:
            self._show_error(exc.message)
            return
        self.accept()
