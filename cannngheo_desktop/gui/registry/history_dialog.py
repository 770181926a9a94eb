"""A household's history from the audit log: who, when, which field, before → after, with
Vietnamese field labels and code labels; events named with their kind, date and decision.

Below it, the support actions marked done whose changes to the household are still in place; one
can be taken back from here ("Hoàn tác"), through the same service as the Kế hoạch tab: what the
action changed is put back, audited, and the household is reassessed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core import model
from ...core.errors import AppError
from ...core.text import format_date, format_vnd
from ...plan import support, support_effects
from ...registry import queries as rq
from ...storage.db import Store
from ..shell import errors

FIELD_LABELS = {
    "unit_code": "Đơn vị", "household_code": "Mã hộ", "village": "Thôn/Tổ", "address": "Địa chỉ",
    "area_type": "Khu vực", "head_name": "Chủ hộ", "member_count": "Số nhân khẩu",
    "income_month": "Thu nhập (đồng/tháng)", "floor_area_m2": "Diện tích nhà ở", "land_area_m2": "Diện tích đất",
    "wall_durable": "Tường nhà bền chắc", "frame_durable": "Khung nhà bền chắc", "roof_durable": "Mái nhà bền chắc",
    "water_source": "Nguồn nước", "latrine": "Nhà tiêu", "devices": "Phương tiện thông tin",
    "uses_telecom": "Dùng điện thoại/internet", "uses_digital_services": "Dùng dịch vụ số",
    "waste_handling": "Xử lý rác", "is_merit": "Hộ có công", "no_labour_capacity": "Không có khả năng lao động",
    "is_ethnic_minority": "Dân tộc thiểu số", "is_average_farm": "Hộ nông nghiệp mức sống TB",
    "able_to_exit": "Có khả năng thoát", "able_to_exit_reason": "Lý do (khả năng thoát)", "causes": "Nguyên nhân",
    "needs": "Nhu cầu", "needs_text": "Nhu cầu khác", "category": "Phân loại", "category_since": "Phân loại từ ngày",
    "deprivation_count": "Số chỉ số thiếu hụt", "exit_date": "Ngày thoát", "certificate_no": "Số giấy chứng nhận",
    "status": "Tình trạng", "deleted": "Đã xóa", "full_name": "Họ và tên", "birth_date": "Ngày sinh",
    "sex": "Giới tính", "cccd": "Số CCCD", "cccd_date": "Ngày cấp CCCD", "relation": "Quan hệ với chủ hộ",
    "ethnicity": "Dân tộc", "education_level": "Học vấn", "in_school": "Đang đi học", "employment": "Việc làm",
    "able_to_work": "Có khả năng lao động", "has_health_insurance": "Có thẻ BHYT",
    "malnourished": "Suy dinh dưỡng", "disabled": "Khuyết tật", "social_allowance": "Trợ cấp xã hội",
    "merit_status": "Người có công", "sort_order": "Thứ tự", "kind": "Sự kiện",
    "wants_job_support": "Có nhu cầu hỗ trợ việc làm", "got_job_support": "Được hỗ trợ việc làm",
    "got_job": "Có việc làm sau hỗ trợ",
}
CODE_LABELS: dict[str, dict[str, str]] = {
    "category": model.CATEGORY_LABELS, "water_source": model.WATER_SOURCES, "latrine": model.LATRINES,
    "waste_handling": model.WASTE_HANDLING, "relation": model.RELATIONS, "sex": model.SEXES,
    "education_level": model.EDUCATION_LEVELS, "employment": model.EMPLOYMENT, "area_type": model.AREA_LABELS,
    "kind": model.EVENT_KINDS,
}
LIST_CODES = {"devices": model.DEVICES, "causes": model.CAUSES, "needs": model.NEEDS}
BOOL_FIELDS = {"wall_durable", "frame_durable", "roof_durable", "uses_telecom", "uses_digital_services", "is_merit",
               "no_labour_capacity", "is_ethnic_minority", "is_average_farm", "able_to_exit", "deleted", "in_school",
               "able_to_work", "has_health_insurance", "malnourished", "disabled", "social_allowance",
               "merit_status", "wants_job_support", "got_job_support", "got_job"}
DATE_FIELDS = {"birth_date", "cccd_date", "category_since", "exit_date", "event_date"}
HEADERS = ("Thời gian", "Người sửa", "Nội dung", "Thông tin", "Trước", "Sau")
SUPPORT_HEADERS = ("Ngày xong", "Hỗ trợ", "Thành viên", "Đã thay đổi")


def value_text(field: str, value: Any) -> str:
    """A stored value as the user reads it (labels for codes, Có/Không, dd/mm/yyyy, VND)."""
    if value is None or value == "":
        return "(trống)"
    if field == "status":
        return {**model.HOUSEHOLD_STATUSES, **model.MEMBER_STATUSES}.get(str(value), str(value))
    if field in BOOL_FIELDS:
        return "Có" if str(value) in ("1", "True", "true") else "Không"
    if field in DATE_FIELDS:
        return format_date(str(value))
    if field in CODE_LABELS:
        return CODE_LABELS[field].get(str(value), str(value))
    if field in LIST_CODES:
        try:
            codes = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            return str(value)
        return ", ".join(LIST_CODES[field].get(c, c) for c in codes or []) or "(không có)"
    if field == "income_month":
        return format_vnd(float(value))
    return str(value)


def when_text(at: str) -> str:
    """UTC ISO timestamp → local dd/mm/yyyy HH:MM."""
    try:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return at
    return moment.astimezone().strftime("%d/%m/%Y %H:%M")


def _insert_text(entry: dict[str, Any], events: dict[str, dict[str, Any]]) -> tuple[str, str]:
    """(what was added, note) for an insert entry (the audit keeps who/when; the row says what)."""
    table = entry["table_name"]
    if table == "households":
        return "Tạo hồ sơ hộ", ""
    if table == "members":
        return f"Thêm thành viên {entry.get('member_name') or ''}".strip(), ""
    event = events.get(entry["row_id"]) or {}
    label = model.EVENT_KINDS.get(event.get("kind") or "", "Sự kiện")
    day = f" ngày {format_date(event['event_date'])}" if event.get("event_date") else ""
    decision = f", số {event['decision_no']}" if event.get("decision_no") else ""
    return f"{label}{day}{decision}", str(event.get("note") or "")


def history_rows(entries: list[dict[str, Any]], events: list[dict[str, Any]] | None = None
                 ) -> list[tuple[str, ...]]:
    """Audit entries → table rows (time, user, what, field, before, after)."""
    by_id = {e["id"]: e for e in events or []}
    rows: list[tuple[str, ...]] = []
    for e in entries:
        who = e.get("member_name")
        what = {"households": "Hộ", "members": f"Thành viên {who or ''}".strip(),
                "household_events": "Sự kiện"}.get(e["table_name"], e["table_name"])
        if e["action"] == "insert":
            text, note = _insert_text(e, by_id)
            rows.append((when_text(e["at"]), e.get("user") or "", what, text, "", note))
            continue
        field = e.get("field") or ""
        rows.append((when_text(e["at"]), e.get("user") or "", what, FIELD_LABELS.get(field, field),
                     value_text(field, e.get("before")), value_text(field, e.get("after"))))
    return rows


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    """Put ``rows`` of texts in ``table``, each cell with its text as tooltip (long values)."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)


class HistoryDialog(QDialog):
    """The household's audit entries, newest first, and its support actions that can be taken back."""

    changed = Signal(str)  # a support action was taken back: what changed, one line

    def __init__(self, store: Store, household_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.household_id = store, household_id
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for c, width in enumerate((130, 90, 170, 170, 170)):
            self.table.setColumnWidth(c, width)
        header.setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.count_label = QLabel()

        self.support_label = QLabel("Hỗ trợ đã ghi 'Đã xong' đang còn tác dụng trên hồ sơ hộ. Chọn một dòng và bấm "
                                    "'Hoàn tác' nếu đã ghi nhầm: thông tin được trả lại như trước khi ghi.")
        self.support_label.setWordWrap(True)
        self.support_table = QTableWidget(0, len(SUPPORT_HEADERS))
        self.support_table.setHorizontalHeaderLabels(list(SUPPORT_HEADERS))
        self.support_table.verticalHeader().setVisible(False)
        self.support_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.support_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.support_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.support_table.setTabKeyNavigation(False)
        for c, width in enumerate((90, 260, 160)):
            self.support_table.setColumnWidth(c, width)
        self.support_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        # Rows follow their wrapped text as the dialog is resized (a few rows, so this is cheap).
        self.support_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.support_table.setWordWrap(True)
        self.support_table.setMaximumHeight(150)
        self.undo_button = QPushButton("&Hoàn tác hỗ trợ đã chọn…")
        self.undo_button.setToolTip("Đưa hoạt động về 'Đang thực hiện' và trả lại thông tin thành viên/hộ "
                                    "mà nó đã thay đổi (được ghi vào lịch sử).")
        self.undo_button.clicked.connect(self.undo_selected)
        self.support_table.itemSelectionChanged.connect(self._enable)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.support_label)
        layout.addWidget(self.support_table)
        row = QHBoxLayout()
        row.addWidget(self.undo_button)
        row.addWidget(self.message, 1)
        row.addStretch(0)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText("Đóng")
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(1000, 600)
        self.reload()

    def reload(self) -> None:
        """Read the history and the undoable support actions again (after an undo)."""
        detail = rq.household_detail(self.store, self.household_id) or {"household": {}, "events": []}
        hh = detail["household"]
        self.setWindowTitle(f"Lịch sử hộ {hh.get('head_name') or ''} — mã {hh.get('household_code') or '?'}")
        self.rows = history_rows(rq.household_history(self.store, self.household_id), detail.get("events"))
        _fill(self.table, self.rows)
        self.table.resizeRowsToContents()
        self.count_label.setText(f"{len(self.rows)} thay đổi, mới nhất ở trên. Mọi thay đổi đều được ghi lại; "
                                 "không có gì bị xóa hẳn.")
        self.undoable = support_effects.undoable_actions(self.store, self.household_id)
        _fill(self.support_table, [
            (format_date(a.get("done_date") or ""), a.get("measure_name") or a["measure_code"],
             a.get("member_name") or "", "\n".join(a["changes"])) for a in self.undoable])
        for w in (self.support_label, self.support_table, self.undo_button):
            w.setVisible(bool(self.undoable))
        self._enable()

    def _enable(self) -> None:
        self.undo_button.setEnabled(self.selected_action() is not None)

    def selected_action(self) -> dict[str, Any] | None:
        rows = self.support_table.selectionModel().selectedRows()
        return self.undoable[rows[0].row()] if rows and rows[0].row() < len(self.undoable) else None

    def undo_selected(self) -> None:
        """Take the selected action back to "in progress", after a Yes."""
        action = self.selected_action()
        if action is None:
            return
        question = (f"Hoàn tác hỗ trợ '{action.get('measure_name') or action['measure_code']}'"
                    f" (xong ngày {format_date(action.get('done_date') or '')})?\n\n"
                    + "\n".join(action["changes"]) + "\n\nThông tin trên sẽ được trả lại như trước khi ghi; "
                    "hoạt động trở về 'Đang thực hiện'.")
        if not errors.confirm(self, question):
            return
        try:
            row = support.update_action(self.store, action["id"], {"status": support.IN_PROGRESS})
        except AppError as exc:
            self._say(exc.message)
            return
        outcome = row.get("outcome")
        text = "Đã hoàn tác. " + (support_effects.summary(outcome) if outcome is not None else "")
        self.reload()
        self._say(text.strip())
        self.changed.emit(text.strip())

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setToolTip(text)
        self.message.show()
