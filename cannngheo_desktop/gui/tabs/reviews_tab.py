"""Tab "Rà soát": one review round at a time — open a round, see its list and steps, record
the survey, village meetings, posting dates and complaints, issue the decision and print the
certificates. Every action calls storage.reviews / storage.review_decisions (no SQL here)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import AppError
from ...core.model import CATEGORY_LABELS
from ...core.text import format_date
from ...review import decisions, steps
from ...storage import review_decisions as rd
from ...storage import reviews as rv
from ...storage.rulesets import list_rulesets
from .. import errors
from ..context import AppContext
from ..dialogs import files
from ..dialogs.review_add_dialog import ReviewAddDialog

TITLE = "Rà soát"
COLUMNS = ["Thôn/Tổ", "Chủ hộ", "Lý do", "Hiện tại", "Đề xuất", "Họp dân", "Khiếu nại", "Kết quả", "Số GCN"]
_STATUS_MARK = {"todo": "○", "doing": "◐", "done": "●"}


def _cat(code: str | None) -> str:
    return CATEGORY_LABELS.get(code or "", "")


class ReviewsTab(QWidget):
    """The review rounds of this database."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[dict[str, Any]] = []
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.round_combo = QComboBox()
        self.round_combo.setMinimumWidth(360)
        self.round_combo.currentIndexChanged.connect(self._show_round)
        self.unit_combo, self.ruleset_combo = QComboBox(), QComboBox()
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2020, 2100)
        self.year_spin.setValue(date.today().year)
        self.create_button = QPushButton("Mở đợt rà soát định kỳ")
        self.create_button.clicked.connect(self.create_round)
        for w in (QLabel("Đợt:"), self.round_combo, QLabel("   Mở đợt mới — đơn vị:"), self.unit_combo,
                  QLabel("năm"), self.year_spin, QLabel("chuẩn"), self.ruleset_combo, self.create_button):
            top.addWidget(w)
        top.addStretch(1)
        layout.addLayout(top)
        self.steps_label, self.facts_label = QLabel(), QLabel()
        self.facts_label.setStyleSheet("color: #205080;")
        layout.addWidget(self.steps_label)
        layout.addWidget(self.facts_label)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        layout.addWidget(self._actions())
        self.refresh()

    # -- building ---------------------------------------------------------------------------
    def _actions(self) -> QGroupBox:
        box = QGroupBox("Thao tác (ngày dùng cho mọi thao tác bên dưới)")
        grid = QGridLayout(box)
        self.day_edit = QDateEdit(QDate.currentDate())
        self.day_edit.setDisplayFormat("dd/MM/yyyy")
        self.day_edit.setCalendarPopup(True)
        self.add_dialog: ReviewAddDialog | None = None
        self.add_button = QPushButton("Thêm hộ / giấy đề nghị…")
        self.add_button.clicked.connect(self.add_household)
        self.survey_button = QPushButton("Ghi kết quả rà soát (hộ đã chọn)")
        self.survey_button.clicked.connect(self.survey_selected)
        self.attendees_spin = QSpinBox()
        self.attendees_spin.setRange(1, 5000)
        self.attendees_spin.setValue(30)
        self.meeting_button = QPushButton("Ghi họp dân (thôn của hộ đã chọn)")
        self.meeting_button.clicked.connect(self.record_meeting)
        self.posting_button = QPushButton("Niêm yết từ ngày này")
        self.posting_button.clicked.connect(self.set_posting)
        self.posting_list_button = QPushButton("Xuất danh sách niêm yết…")
        self.posting_list_button.clicked.connect(self.export_posting)
        self.complaint_edit = QLineEdit()
        self.complaint_edit.setPlaceholderText("Nội dung khiếu nại / kết quả kiểm tra lại")
        self.complaint_button = QPushButton("Ghi khiếu nại")
        self.complaint_button.clicked.connect(self.record_complaint)
        self.resolve_combo = QComboBox()
        self.resolve_combo.addItem("Giữ kết quả", None)
        for code in decisions.FINAL_CHOICES:
            self.resolve_combo.addItem(_cat(code), code)
        self.resolve_button = QPushButton("Giải quyết khiếu nại")
        self.resolve_button.clicked.connect(self.resolve_complaint)
        self.decision_edit = QLineEdit()
        self.decision_edit.setPlaceholderText("Số quyết định, ví dụ 125/QĐ-UBND")
        self.decide_button = QPushButton("Ban hành quyết định")
        self.decide_button.clicked.connect(self.decide)
        self.certificates_button = QPushButton("Cấp và in giấy chứng nhận…")
        self.certificates_button.clicked.connect(self.print_certificates)
        grid.addWidget(QLabel("Ngày:"), 0, 0)
        grid.addWidget(self.day_edit, 0, 1)
        grid.addWidget(self.survey_button, 0, 2)
        grid.addWidget(QLabel("Số người dự họp:"), 0, 3)
        grid.addWidget(self.attendees_spin, 0, 4)
        grid.addWidget(self.meeting_button, 0, 5)
        grid.addWidget(self.posting_button, 0, 6)
        grid.addWidget(self.posting_list_button, 0, 7)
        grid.addWidget(self.complaint_edit, 1, 0, 1, 3)
        grid.addWidget(self.complaint_button, 1, 3)
        grid.addWidget(self.resolve_combo, 1, 4)
        grid.addWidget(self.resolve_button, 1, 5)
        grid.addWidget(self.decision_edit, 2, 0, 1, 3)
        grid.addWidget(self.decide_button, 2, 3)
        grid.addWidget(self.certificates_button, 2, 5)
        grid.addWidget(self.add_button, 1, 6)
        return box

    # -- state ------------------------------------------------------------------------------
    @property
    def store(self):  # noqa: ANN201 - the session's Store
        return self.ctx.store

    def day(self) -> date:
        d = self.day_edit.date()
        return date(d.year(), d.month(), d.day())

    def review_id(self) -> str | None:
        return self.round_combo.currentData()

    def refresh(self) -> None:
        """Reload rounds, units and rulesets, keeping the chosen round."""
        keep = self.review_id()
        self.unit_combo.clear()
        for code, name in rv.review_units(self.store):
            self.unit_combo.addItem(f"{name} ({code})", code)
        if self.ruleset_combo.count() == 0:
            for rs in list_rulesets(self.store):
                self.ruleset_combo.addItem(rs.code, rs.code)
            self.ruleset_combo.setCurrentIndex(max(self.ruleset_combo.findData("VN-2027"), 0))
        self.round_combo.blockSignals(True)
        self.round_combo.clear()
        for r in rv.list_rounds(self.store):
            what = f"thường xuyên kỳ {r['period']}" if r.get("period") else f"định kỳ năm {r['year']}"
            self.round_combo.addItem(f"Rà soát {what} — {r['unit_code']} — {r['ruleset_code']} ({r['items']} hộ)",
                                     r["id"])
        index = self.round_combo.findData(keep) if keep else 0
        self.round_combo.setCurrentIndex(max(index, 0))
        self.round_combo.blockSignals(False)
        self._show_round()

    def _show_round(self) -> None:
        review_id = self.review_id()
        self.rows = rv.items(self.store, review_id) if review_id else []
        if not review_id:
            self.facts_label.setText("")
            self.steps_label.setText("Chưa có đợt rà soát. Chọn đơn vị, năm và bộ chuẩn rồi bấm "
                                     "<b>Mở đợt rà soát định kỳ</b>: danh sách gồm các hộ nghèo, cận nghèo hiện có.")
        else:
            rnd = rv.get_round(self.store, review_id)
            parts = [f"{_STATUS_MARK[rnd['steps'][s]['status']]} {steps.STEP_LABELS[s]}" for s in steps.STEPS]
            extra = []
            if rnd.get("posting_start"):
                extra.append(f"Niêm yết {format_date(rnd['posting_start'])} – {format_date(rnd['posting_end'])}")
            if rnd.get("decision_no"):
                extra.append(f"Quyết định {rnd['decision_no']} ngày {format_date(rnd['decision_date'])}")
            unsurveyed = sum(1 for r in self.rows if not r.get("surveyed_on"))
            extra.append(f"{len(self.rows)} hộ, còn {unsurveyed} hộ chưa rà soát")
            self.steps_label.setText("  →  ".join(parts))
            self.facts_label.setText("; ".join(extra))
        self.table.setRowCount(len(self.rows))
        for n, r in enumerate(self.rows):
            complaint = ""
            if r.get("complaint"):
                complaint = "Đã giải quyết" if r.get("complaint_resolved_on") else "Chờ giải quyết"
            values = [r.get("village") or "", r.get("head_name") or "", decisions.REASON_LABELS.get(r["reason"], ""),
                      _cat(r.get("household_category")), _cat(r.get("proposed_category")),
                      _cat(r.get("meeting_result")), complaint,
                      "Từ chối (có văn bản trả lời)" if r.get("reply_date") else _cat(r.get("final_category")),
                      r.get("certificate_no") or ""]
            for c, value in enumerate(values):
                self.table.setItem(n, c, QTableWidgetItem(value))

    def selected(self) -> list[dict[str, Any]]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.rows[r] for r in rows if r < len(self.rows)]

    def _run(self, action: Any, done: str = "") -> bool:
        try:
            action()
        except AppError as exc:
            errors.report(self, exc)
            return False
        self.refresh()
        if done:
            errors.inform(self, done)
        return True

    def _need_selection(self) -> list[dict[str, Any]] | None:
        chosen = self.selected()
        if not chosen:
            errors.warn(self, "Hãy chọn ít nhất một hộ trong danh sách.")
            return None
        return chosen

    # -- actions ----------------------------------------------------------------------------
    def create_round(self) -> None:
        def go() -> None:
            rnd = rv.create_round(self.store, kind="annual", year=self.year_spin.value(),
                                  ruleset_code=self.ruleset_combo.currentData(), unit_code=self.unit_combo.currentData(),
                                  on=self.day())
            self.round_combo.addItem("", rnd["id"])
            self.round_combo.setCurrentIndex(self.round_combo.count() - 1)
        self._run(go)

    def add_household(self) -> None:
        """Open the (non-blocking) dialog that records a request or adds a household by hand."""
        review_id = self.review_id()
        if not review_id:
            errors.warn(self, "Hãy mở hoặc chọn một đợt rà soát trước.")
            return
        self.add_dialog = ReviewAddDialog(self.store, review_id, self, today=self.day())
        self.add_dialog.accepted.connect(self.refresh)
        self.add_dialog.open()

    def survey_selected(self) -> None:
        chosen = self._need_selection()
        if chosen:
            self._run(lambda: [rv.record_survey(self.store, r["id"], phieu_a_result="continue", on=self.day(),
                                                assessor=self.ctx.user_name) for r in chosen])

    def record_meeting(self) -> None:
        chosen = self._need_selection()
        if chosen:
            villages = sorted({r.get("village") or "" for r in chosen})
            self._run(lambda: [rv.record_meeting(self.store, self.review_id(), village=v, meeting_date=self.day(),
                                                 attendees=self.attendees_spin.value(), agreed="Nhất trí kết quả rà soát")
                               for v in villages], f"Đã ghi biên bản họp dân của {len(villages)} thôn/tổ.")

    def set_posting(self) -> None:
        if self.review_id():
            self._run(lambda: rv.set_posting(self.store, self.review_id(), self.day()))

    def export_posting(self) -> None:
        review_id = self.review_id()
        if not review_id:
            return
        chosen = files.choose_save_file(self, "Lưu danh sách niêm yết", None, "Excel (*.xlsx)")
        if chosen is None:
            return
        path = chosen.with_suffix(".xlsx")

        def go() -> None:
            from ...reports.posting_list import PostingList, write_posting_list

            rnd = rv.get_round(self.store, review_id)
            unit = dict(rv.review_units(self.store)).get(rnd["unit_code"], rnd["unit_code"])
            write_posting_list(PostingList(["ỦY BAN NHÂN DÂN", unit.upper()], unit, rnd["year"],
                                           rv.posting_households(self.store, review_id), on=self.day()), path)
        self._run(go, f"Đã lưu danh sách niêm yết (số định danh đã che) vào {path}.")

    def record_complaint(self) -> None:
        chosen = self._need_selection()
        if chosen:
            self._run(lambda: rv.record_complaint(self.store, chosen[0]["id"], complaint_date=self.day(), by="",
                                                  text=self.complaint_edit.text()))

    def resolve_complaint(self) -> None:
        chosen = self._need_selection()
        if chosen:
            self._run(lambda: rv.resolve_complaint(self.store, chosen[0]["id"], on=self.day(),
                                                   outcome=self.complaint_edit.text(),
                                                   category=self.resolve_combo.currentData()))

    def decide(self) -> None:
        review_id = self.review_id()
        if not review_id or not errors.confirm(
                self, "Ban hành quyết định sẽ ghi phân loại mới và sự kiện cho mọi hộ trong đợt. Tiếp tục?"):
            return
        result: dict[str, Any] = {}
        if self._run(lambda: result.update(rd.confirm_decision(
                self.store, review_id, decision_no=self.decision_edit.text(), decision_date=self.day()))):
            moved = sum(result["events"].values())
            errors.inform(self, f"Đã ban hành quyết định: {moved} hộ thay đổi phân loại, "
                                f"{result['unchanged']} hộ giữ nguyên, {result['refused']} đề nghị không được công nhận.")

    def print_certificates(self) -> None:
        review_id = self.review_id()
        if not review_id:
            return
        chosen = files.choose_save_file(self, "Lưu giấy chứng nhận", None, "PDF (*.pdf)")
        if chosen is None:
            return
        path = chosen.with_suffix(".pdf")

        def go() -> None:
            from ...reports.certificate_pdf import write_certificates

            rd.issue_certificates(self.store, review_id, on=self.day())
            records = [rd.certificate_record(self.store, r["id"]) for r in rv.items(self.store, review_id)
                       if r.get("certificate_no")]
            write_certificates(records, path)
        self._run(go, f"Đã lưu giấy chứng nhận vào {path}.")
