"""Record an event instead of deleting: exit, moved away/in, member died/left/born, merged as a
duplicate, ID corrected (service: registry.editing.record_event, one transaction)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...core import model
from ...core.errors import ValidationError
from ...core.text import format_date
from ...registry import queries as rq
from ...registry.editing import RECORDABLE_KINDS, record_event
from ...storage import households as hh_repo
from ...storage.db import Store
from ..shell import choices

MEMBER_EVENT_KINDS = {"member_died", "member_left", "id_corrected"}
EXIT_TARGETS = {"not_poor": model.CATEGORY_LABELS["not_poor"], "average": model.CATEGORY_LABELS["average"],
                "near_poor": model.CATEGORY_LABELS["near_poor"]}


class EventDialog(QDialog):
    """On success ``self.recorded`` holds the stored event row and the dialog is accepted."""

    def __init__(self, store: Store, household_id: str, parent: QWidget | None = None, *,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.store, self.household_id, self.today = store, household_id, today or date.today()
        self.recorded: dict[str, Any] | None = None
        hh = hh_repo.get_household(store, household_id) or {}
        self.setWindowTitle(f"Ghi sự kiện — hộ {hh.get('head_name') or ''}")
        self.kind = QComboBox()
        choices.fill(self.kind, {k: model.EVENT_KINDS[k] for k in RECORDABLE_KINDS}, unknown=None)
        self.date = QLineEdit(format_date(self.today))
        self.decision = QLineEdit()
        self.decision.setPlaceholderText("Số quyết định/giấy chứng nhận, nếu có")
        self.member = QComboBox()
        for m in hh_repo.get_members(store, household_id):
            if (m.get("status") or "present") == "present":
                self.member.addItem(f"{m['full_name']} ({model.RELATIONS.get(m.get('relation') or '', '')})", m["id"])
        self.to_category = QComboBox()
        choices.fill(self.to_category, EXIT_TARGETS, unknown=None)
        self.new_name, self.new_cccd, self.note = QLineEdit(), QLineEdit(), QLineEdit()
        self.new_sex = QComboBox()
        choices.fill(self.new_sex, model.SEXES)
        self.related = QComboBox()
        self.related_search = QLineEdit()
        self.related_search.setPlaceholderText("Gõ mã hộ hoặc tên chủ hộ được giữ lại…")
        self.related_search.textChanged.connect(self._find_related)
        self.form = QFormLayout()
        rows = [("Sự kiện:", self.kind), ("Ngày (dd/mm/yyyy):", self.date), ("Số quyết định:", self.decision),
                ("Phân loại sau khi thoát:", self.to_category), ("Thành viên:", self.member),
                ("Họ tên người mới sinh:", self.new_name), ("Giới tính:", self.new_sex),
                ("Số CCCD đúng:", self.new_cccd), ("Tìm hộ được giữ lại:", self.related_search),
                ("Hộ được giữ lại:", self.related), ("Ghi chú:", self.note)]
        for text, widget in rows:
            self.form.addRow(text, widget)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Ghi sự kiện")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._show_rows)
        self._show_rows()
        self.resize(560, 0)

    def _show_rows(self) -> None:
        kind = self.kind.currentData()
        visible = {self.to_category: kind in ("exited_near_poverty", "exited_poverty"),
                   self.member: kind in MEMBER_EVENT_KINDS, self.new_name: kind == "member_born",
                   self.new_sex: kind == "member_born", self.new_cccd: kind == "id_corrected",
                   self.related_search: kind == "merged_duplicate", self.related: kind == "merged_duplicate"}
        for widget, show in visible.items():
            self.form.setRowVisible(widget, show)

    def _find_related(self, text: str) -> None:
        self.related.clear()
        if len(text.strip()) < 2:
            return
        for row in rq.fetch_page(self.store, rq.ListQuery(search=text, sort=rq.RELEVANCE), 0, 20):
            if row["id"] != self.household_id:
                self.related.addItem(f"{row['head_name'] or '?'} — mã {row['household_code'] or '?'}, "
                                     f"{row['village'] or ''}", row["id"])

    def submit(self) -> None:
        kind = self.kind.currentData()
        try:
            self.recorded = record_event(
                self.store, self.household_id, kind, self.date.text(), decision_no=self.decision.text().strip(),
                member_id=self.member.currentData() if kind in MEMBER_EVENT_KINDS else None,
                related_household_id=self.related.currentData(), to_category=self.to_category.currentData(),
                note=self.note.text().strip() or None, today=self.today,
                new_member={"full_name": self.new_name.text().strip(), "sex": self.new_sex.currentData()},
                new_cccd=self.new_cccd.text().strip())
        except ValidationError as exc:
            self.error.setText(exc.message)
            return
        self.accept()
