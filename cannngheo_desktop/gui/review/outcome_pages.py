"""Step pages of the Rà soát tab, second half: complaints, decision, certificates (the report
is in report_page.py), and
the pages outside the steps (a new round, overdue requests). PDFs are written on the worker
(``ctx.tasks.run_task``) and opened afterwards."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import AppError
from ...core.model import EVENT_KINDS
from ...core.text import format_date
from ...documents.review_round import movement
from ...review import outcome as rd
from ...review import rounds as rv
from ...review import settings as review_settings
from ...review import steps
from ...review import worklists as rw
from ...storage import reference
from ...storage.rulesets import list_rulesets
from ..shell import choices, errors
from .page_helpers import (
    RED,
    StepPage,
    cat,
    category_combo,
    date_edit,
    day_of,
    fill,
    hint,
    make_table,
    selected_rows,
)
from .step_bar import primary


class ComplaintsPage(StepPage):
    """Bước 5: complaints received about the posted list, re-checked and resolved."""

    HEADERS = ["Thôn/Tổ", "Chủ hộ", "Kết quả đang niêm yết", "Khiếu nại", "Người khiếu nại", "Giải quyết"]

    def __init__(self, tab: Any) -> None:
        super().__init__()
        self.tab = tab
        self.rows: list[dict[str, Any]] = []
        layout = QVBoxLayout(self)
        layout.addWidget(hint("Chọn hộ bị khiếu nại trong bảng, ghi nội dung; sau khi kiểm tra lại, ghi kết quả "
                              "và (nếu thay đổi) phân loại mới — quyết định dùng phân loại này."))
        self.table = make_table(self.HEADERS, stretch=3, multi=False)
        layout.addWidget(self.table, 1)
        forms = QHBoxLayout()
        rec = QGroupBox("Ghi khiếu nại")
        f1 = QFormLayout(rec)
        self.day, self.by, self.text = date_edit(), QLineEdit(), QLineEdit()
        self.by.setPlaceholderText("Họ tên người khiếu nại")
        self.text.setPlaceholderText("Nội dung khiếu nại")
        self.record_button = QPushButton("Ghi khiếu nại của hộ đã chọn")
        self.record_button.clicked.connect(self.record)
        f1.addRow("Ngày nhận:", self.day)
        f1.addRow("Người khiếu nại:", self.by)
        f1.addRow("Nội dung:", self.text)
        f1.addRow(self.record_button)
        res = QGroupBox("Kết quả kiểm tra lại")
        f2 = QFormLayout(res)
        self.resolve_day, self.outcome = date_edit(), QLineEdit()
        self.outcome.setPlaceholderText("Kết quả kiểm tra lại, trả lời người khiếu nại")
        self.category = category_combo("Giữ kết quả đang niêm yết")
        self.resolve_button = QPushButton("Ghi kết quả giải quyết")
        self.resolve_button.clicked.connect(self.resolve)
        f2.addRow("Ngày giải quyết:", self.resolve_day)
        f2.addRow("Kết quả:", self.outcome)
        f2.addRow("Phân loại sau kiểm tra:", self.category)
        f2.addRow(self.resolve_button)
        forms.addWidget(rec, 1)
        forms.addWidget(res, 1)
        layout.addLayout(forms)

    def load(self, rnd: dict[str, Any] | None, rows: list[dict[str, Any]]) -> None:
        complained = [r for r in rows if r.get("complaint")]
        self.rows = complained + [r for r in rows if not r.get("complaint")]
        fill(self.table, [[r.get("village") or "", r.get("head_name") or "",
                           cat(r.get("meeting_result") or r.get("proposed_category")),
                           r.get("complaint") or "", r.get("complaint_by") or "",
                           (f"{r['complaint_outcome']} ({format_date(r['complaint_resolved_on'])})"
                            if r.get("complaint_resolved_on") else ("Chờ giải quyết" if r.get("complaint") else ""))]
                          for r in self.rows],
             colour=[RED if r.get("complaint") and not r.get("complaint_resolved_on") else None for r in self.rows])

    def chosen(self) -> dict[str, Any] | None:
        rows = selected_rows(self.table)
        if not rows:
            self.tab.warn("Hãy chọn hộ trong bảng.")
            return None
        return self.rows[rows[0]]

    def record(self) -> None:
        item = self.chosen()
        if item:
            self.tab.run(lambda: rv.record_complaint(self.tab.store, item["id"], complaint_date=day_of(self.day),
                                                     by=self.by.text(), text=self.text.text()))

    def resolve(self) -> None:
        item = self.chosen()
        if item:
            self.tab.run(lambda: rv.resolve_complaint(self.tab.store, item["id"], on=day_of(self.resolve_day),
                                                      outcome=self.outcome.text(),
                                                      category=self.category.currentData()))


class DecisionPage(StepPage):
    """Bước 6: the chairman's decision, and the written replies to refused requests."""

    HEADERS = ["Thôn/Tổ", "Chủ hộ", "Trước rà soát", "Kết quả", "Thay đổi"]

    def __init__(self, tab: Any) -> None:
        super().__init__()
        self.tab = tab
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.number = QLineEdit()
        self.number.setPlaceholderText("ví dụ 125/QĐ-UBND")
        self.number.setMinimumWidth(220)
        self.day = date_edit()
        self.decide_button = primary(QPushButton("Ban hành quyết định công nhận"))
        self.decide_button.clicked.connect(tab.decide)
        self.replies_button = QPushButton("In văn bản trả lời hộ không được công nhận…")
        self.replies_button.clicked.connect(self.print_replies)
        self.print_button = QPushButton("In quyết định…")
        self.print_button.clicked.connect(lambda: tab.write_pdf("Lưu quyết định công nhận", "quyet-dinh.pdf",
                                                                lambda st, rid, _d, path: _decision(st, rid, path)))
        for w in (QLabel("Số quyết định:"), self.number, QLabel("Ngày:"), self.day, self.decide_button):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.print_button)
        row.addWidget(self.replies_button)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.table = make_table(self.HEADERS)
        layout.addWidget(self.table, 1)

    def load(self, rnd: dict[str, Any] | None, rows: list[dict[str, Any]]) -> None:
        decided = rnd is not None and rnd["status"] in ("decided", "closed")
        for w in (self.number, self.day, self.decide_button):
            w.setEnabled(rnd is not None and not decided)
        self.print_button.setEnabled(decided)
        refused = sum(1 for r in rows if r.get("reply_date"))
        self.replies_button.setEnabled(refused > 0)
        self.replies_button.setText(f"In văn bản trả lời ({refused} hộ)…")
        if rnd is not None and decided:
            self.status.setText(f"Đã ban hành quyết định số {rnd['decision_no']} ngày "
                                f"{format_date(rnd['decision_date'])}; phân loại mới đã ghi vào sổ hộ.")
        else:
            problems = rd._blockers(rows) if rows else ["đợt chưa có hộ nào"]
            self.status.setText("Chưa ban hành được: " + "; ".join(problems) + "." if problems
                                else "Đủ điều kiện ban hành quyết định. Bảng dưới là kết quả sẽ được công nhận.")
            self.status.setStyleSheet("color: #b00020;" if problems else "color: #1b7a3a;")
        fill(self.table, [[r.get("village") or "", r.get("head_name") or "",
                           cat(r.get("previous_category") or r.get("household_category")),
                           "Không công nhận (trả lời bằng văn bản)" if r.get("reply_date") else cat(r["final_category"]),
                           EVENT_KINDS.get(movement(r) or "", "")] for r in rows])

    def print_replies(self) -> None:
        self.tab.write_pdf("Lưu văn bản trả lời", "van-ban-tra-loi.pdf",
                           lambda store, rid, day, path: _replies(store, rid, path))


def _decision(store: Any, review_id: str, path: Path) -> Path:
    from ...documents.review_round import write_round_decision

    return write_round_decision(store, review_id, path)


def _replies(store: Any, review_id: str, path: Path) -> Path:
    from ...documents.render.refusal_pdf import write_replies

    return write_replies(rw.refusal_records(store, review_id), path)


def _certificates(store: Any, review_id: str, day: date, path: Path, item_ids: list[str] | None) -> Path:
    from ...documents.render.certificate_pdf import write_certificates

    rd.issue_certificates(store, review_id, on=day, item_ids=item_ids)
    return write_certificates(rw.certificate_records(store, review_id, item_ids), path)


class CertificatesPage(StepPage):
    """Bước 7: number and print the certificates (all, or the selected households)."""

    HEADERS = ["Thôn/Tổ", "Chủ hộ", "Phân loại", "Số giấy chứng nhận", "Ngày cấp"]

    def __init__(self, tab: Any) -> None:
        super().__init__()
        self.tab = tab
        self.rows: list[dict[str, Any]] = []
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.day = date_edit()
        self.all_button = primary(QPushButton("Cấp và in cho tất cả…"))
        self.all_button.clicked.connect(lambda: self.print(None))
        self.some_button = QPushButton("Cấp và in cho hộ đã chọn…")
        self.some_button.clicked.connect(lambda: self.print([r["id"] for r in self.selected()]))
        self.signer = QLineEdit()
        self.signer.setPlaceholderText("Họ tên Chủ tịch UBND (in dưới chữ ký)")
        self.signer.setMinimumWidth(220)
        self.signer.setToolTip("Tên in dưới chữ ký trên giấy chứng nhận và văn bản trả lời; được lưu lại.")
        self.signer.editingFinished.connect(self.save_signer)
        for w in (QLabel("Ngày cấp:"), self.day, QLabel("Người ký:"), self.signer, self.all_button,
                  self.some_button):
            row.addWidget(w)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(hint("Số giấy chứng nhận đánh từ 001 mỗi năm; giấy đã cấp in lại với số cũ."))
        self.table = make_table(self.HEADERS)
        layout.addWidget(self.table, 1)

    def selected(self) -> list[dict[str, Any]]:
        return [self.rows[i] for i in selected_rows(self.table)]

    def save_signer(self) -> bool:
        """Store the signer's name if it changed (audited setting); False when refused."""
        text = self.signer.text()
        if " ".join(text.split()) == review_settings.signer_name(self.tab.store):
            return True
        try:
            self.signer.setText(review_settings.set_signer_name(self.tab.store, text))
        except AppError as exc:
            errors.report(self, exc)
            return False
        return True

    def load(self, rnd: dict[str, Any] | None, rows: list[dict[str, Any]]) -> None:
        if not self.signer.hasFocus():
            self.signer.setText(review_settings.signer_name(self.tab.store))
        decided = rnd is not None and rnd["status"] in ("decided", "closed")
        self.all_button.setEnabled(decided)
        self.some_button.setEnabled(decided)
        self.rows = [r for r in rows if r["final_category"] in ("poor", "near_poor") and not r.get("reply_date")]
        fill(self.table, [[r.get("village") or "", r.get("head_name") or "", cat(r["final_category"]),
                           r.get("certificate_no") or "", format_date(r.get("certificate_date"))] for r in self.rows])

    def print(self, item_ids: list[str] | None) -> None:
        if item_ids == []:
            self.tab.warn("Hãy chọn hộ trong bảng.")
            return
        if not self.save_signer():
            return
        self.tab.write_pdf("Lưu giấy chứng nhận", "giay-chung-nhan.pdf",
                           lambda store, rid, day, path: _certificates(store, rid, day, path, item_ids),
                           day=day_of(self.day))


class NewRoundPage(QWidget):
    """Open a round: annual (year, ruleset) or ongoing (month)."""

    def __init__(self, tab: Any) -> None:
        super().__init__()
        self.tab = tab
        layout = QVBoxLayout(self)
        box = QGroupBox("Mở đợt rà soát mới")
        box.setMaximumWidth(720)
        form = QFormLayout(box)
        self.annual, self.ongoing = QRadioButton(steps.KIND_LABELS["annual"]), QRadioButton(steps.KIND_LABELS["ongoing"])
        self.annual.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.annual)
        group.addButton(self.ongoing)
        kinds = QHBoxLayout()
        kinds.addWidget(self.annual)
        kinds.addWidget(self.ongoing)
        self.unit = QComboBox()
        self.year = QSpinBox()
        self.year.setRange(2020, 2100)
        self.year.setValue(date.today().year)
        self.month = QSpinBox()
        self.month.setRange(1, 12)
        self.month.setValue(date.today().month)
        self.month.setEnabled(False)
        self.ongoing.toggled.connect(self.month.setEnabled)
        self.ruleset = QComboBox()
        self.day = date_edit()
        self.create_button = QPushButton("Mở đợt")
        self.create_button.clicked.connect(self.open_round)
        form.addRow("Loại:", kinds)
        form.addRow("Đơn vị:", self.unit)
        form.addRow("Năm:", self.year)
        form.addRow("Tháng (thường xuyên):", self.month)
        form.addRow("Bộ chuẩn nghèo:", self.ruleset)
        form.addRow("Ngày mở:", self.day)
        form.addRow(hint("Định kỳ: danh sách gồm mọi hộ nghèo, cận nghèo hiện có. Thường xuyên: mỗi tháng một "
                         "đợt, ghi các giấy đề nghị; phải trả lời trong 15 ngày."))
        form.addRow(self.create_button)
        layout.addWidget(box)
        layout.addStretch(1)

    def fill_choices(self) -> None:
        self.unit.clear()
        # codes were re-used after the 2025 reform: the shared label says which unit ended when
        labels = {code: label for label, code, _row in choices.unit_choices(reference.list_units(self.tab.store))}
        for code, name in rv.review_units(self.tab.store):
            self.unit.addItem(labels.get(code, f"{name} ({code})"), code)
        if self.ruleset.count() == 0:
            for rs in list_rulesets(self.tab.store):
                self.ruleset.addItem(f"{rs.code} — {rs.name}", rs.code)
            self.ruleset.setCurrentIndex(max(self.ruleset.findData("VN-2027"), 0))

    def open_round(self) -> None:
        ongoing = self.ongoing.isChecked()
        period = f"{self.year.value():04d}-{self.month.value():02d}" if ongoing else None
        made: dict[str, Any] = {}
        if self.tab.run(lambda: made.update(rv.create_round(
                self.tab.store, kind="ongoing" if ongoing else "annual", year=self.year.value(),
                ruleset_code=self.ruleset.currentData(), unit_code=self.unit.currentData(), on=day_of(self.day),
                period=period))):
            self.tab.show_round(made["id"])


class OverduePage(QWidget):
    """Ongoing-round requests unanswered more than 15 days after filing (in red)."""

    HEADERS = ["Kỳ", "Thôn/Tổ", "Chủ hộ", "Ngày đề nghị", "Hạn trả lời", "Người nộp"]

    def __init__(self, tab: Any) -> None:
        super().__init__()
        self.tab = tab
        layout = QVBoxLayout(self)
        layout.addWidget(hint("Giấy đề nghị trong rà soát thường xuyên phải được cấp giấy chứng nhận hoặc trả lời "
                              "bằng văn bản trong 15 ngày. Các đề nghị dưới đây đã quá hạn."))
        self.table = make_table(self.HEADERS, stretch=2, multi=False)
        layout.addWidget(self.table, 1)

    def load(self, overdue: list[dict[str, Any]]) -> None:
        fill(self.table, [[r.get("period") or "", r.get("village") or "", r.get("head_name") or "",
                           format_date(r["request_date"]), format_date(r["deadline"]), r.get("request_by") or ""]
                          for r in overdue], colour=[RED] * len(overdue))

