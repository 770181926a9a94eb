"""Step pages of the Rà soát tab, first half: list, survey, village meeting, public posting.
Each page shows only its step's actions; ``load(rnd, rows)`` fills it from the round. Writes go
through ``tab.run`` (services in storage.reviews; no SQL here)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
)

from ...core.text import format_date
from ...review import decisions
from ...review import meetings as rm
from ...review import rounds as rv
from ...review import settings as review_settings
from ...review import worklists as rw
from .page_helpers import (
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


class ListPage(StepPage):
    """Bước 1: the round's households and the requests they filed."""

    HEADERS = ["Thôn/Tổ", "Chủ hộ", "Mã hộ", "Lý do vào danh sách", "Phân loại hiện tại", "Giấy đề nghị"]

    def __init__(self, tab: Any) -> None:
        super().__init__()
        self.tab = tab
        layout = QVBoxLayout(self)
        layout.addWidget(hint("Danh sách gồm các hộ nghèo, cận nghèo đang quản lý (rà soát định kỳ), các hộ có "
                              "giấy đề nghị và các hộ bổ sung có lý do. Hộ mới nộp giấy đề nghị (công nhận hoặc "
                              "thoát) thì ghi ở đây."))
        row = QHBoxLayout()
        self.add_button = primary(QPushButton("Thêm hộ / ghi giấy đề nghị…"))
        self.add_button.clicked.connect(tab.add_household)
        self.count_label = QLabel()
        row.addWidget(self.add_button)
        row.addWidget(self.count_label, 1)
        layout.addLayout(row)
        self.table = make_table(self.HEADERS)
        layout.addWidget(self.table, 1)

    def load(self, rnd: dict[str, Any] | None, rows: list[dict[str, Any]]) -> None:
        requests = sum(1 for r in rows if r.get("request_date"))
        self.count_label.setText(f"{len(rows)} hộ trong danh sách, {requests} giấy đề nghị.")
        self.add_button.setEnabled(rnd is not None and rnd["status"] == "open")
        fill(self.table, [[r.get("village") or "", r.get("head_name") or "", r.get("household_code") or "",
                           decisions.REASON_LABELS.get(r.get("reason") or "", ""),
                           cat(r.get("household_category")),
                           (f"{'Thoát' if r.get('request_kind') == 'exit' else 'Công nhận'} — "
                            f"{format_date(r['request_date'])}, {r.get('request_by') or ''}")
                           if r.get("request_date") else ""] for r in rows])


class SurveyPage(StepPage):
    """Bước 2: Phiếu A and the evaluation of each household; the work list first."""

    HEADERS = ["Thôn/Tổ", "Chủ hộ", "Hiện tại", "Phiếu A", "Đề xuất sau rà soát", "Ngày rà soát"]

    def __init__(self, tab: Any) -> None:
        super().__init__()
        self.tab = tab
        self.rows: list[dict[str, Any]] = []
        layout = QVBoxLayout(self)
        layout.addWidget(hint("Thông tin của hộ (nhà ở, nước, thành viên, thu nhập…) sửa ở tab Hộ gia đình. "
                              "Ghi kết quả: hộ bị loại qua Phiếu A được đề xuất không nghèo; các hộ khác được "
                              "đánh giá theo bộ chuẩn của đợt."))
        row = QHBoxLayout()
        self.pending_only = QComboBox()
        self.pending_only.addItems(["Hộ chưa rà soát", "Tất cả các hộ"])
        self.pending_only.currentIndexChanged.connect(lambda _i: tab.refresh())
        self.phieu_a = QComboBox()
        for code, label in decisions.PHIEU_A.items():
            self.phieu_a.addItem(label, code)
        self.day = date_edit()
        self.button = primary(QPushButton("Ghi kết quả rà soát cho hộ đã chọn"))
        self.button.clicked.connect(self.record)
        for w in (QLabel("Xem:"), self.pending_only, QLabel("Phiếu A:"), self.phieu_a, QLabel("Ngày:"), self.day,
                  self.button):
            row.addWidget(w)
        row.addStretch(1)
        layout.addLayout(row)
        self.count_label = QLabel()
        layout.addWidget(self.count_label)
        self.table = make_table(self.HEADERS)
        layout.addWidget(self.table, 1)

    def load(self, rnd: dict[str, Any] | None, rows: list[dict[str, Any]]) -> None:
        left = [r for r in rows if not r.get("surveyed_on")]
        self.rows = left if self.pending_only.currentIndex() == 0 else rows
        self.count_label.setText(f"Còn {len(left)} / {len(rows)} hộ chưa rà soát.")
        fill(self.table, [[r.get("village") or "", r.get("head_name") or "", cat(r.get("household_category")),
                           decisions.PHIEU_A.get(r.get("phieu_a_result") or "", "") if r.get("surveyed_on") else "",
                           cat(r.get("proposed_category")), format_date(r.get("surveyed_on"))] for r in self.rows])

    def record(self) -> None:
        chosen = [self.rows[i] for i in selected_rows(self.table)]
        if not chosen:
            self.tab.warn("Hãy chọn ít nhất một hộ trong danh sách.")
            return
        result, day = self.phieu_a.currentData(), day_of(self.day)
        self.tab.run(lambda: [rv.record_survey(self.tab.store, r["id"], phieu_a_result=result, on=day,
                                               assessor=self.tab.ctx.user_name) for r in chosen])


class MeetingPage(StepPage):
    """Bước 3: the minutes of each village meeting, with per-household results."""

    VILLAGES = ["Thôn/Tổ", "Số hộ", "Đã rà soát", "Ngày họp", "Số người dự"]
    HOUSEHOLDS = ["Chủ hộ", "Đề xuất", "Kết quả họp dân", "Lý do thay đổi"]

    def __init__(self, tab: Any) -> None:
        super().__init__()
        self.tab = tab
        self.villages: list[dict[str, Any]] = []
        self.listed: list[dict[str, Any]] = []
        self.results: list[tuple[QComboBox, QLineEdit]] = []  # per listed household: result, reason
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(hint("Chọn thôn/tổ, ghi biên bản họp. Mặc định họp dân nhất trí với đề xuất; đổi phân "
                            "loại của hộ nào thì ghi lý do."))
        self.village_table = make_table(self.VILLAGES, stretch=0, multi=False)
        self.village_table.itemSelectionChanged.connect(self._show_village)
        left.addWidget(self.village_table, 1)
        layout.addLayout(left, 2)
        box = QGroupBox("Biên bản họp thôn")
        form = QFormLayout(box)
        self.village_label = QLabel("—")
        self.day = date_edit()
        self.attendees = QSpinBox()
        self.attendees.setRange(1, 5000)
        self.attendees.setValue(30)
        self.agreed = QPlainTextEdit("Nhất trí với kết quả rà soát.")
        self.agreed.setFixedHeight(54)
        self.disagreements = QPlainTextEdit()
        self.disagreements.setPlaceholderText("Ý kiến khác (nếu có)")
        self.disagreements.setFixedHeight(54)
        self.household_table = make_table(self.HOUSEHOLDS, stretch=0, multi=False)
        self.save_button = primary(QPushButton("Lưu biên bản họp thôn"))
        self.save_button.clicked.connect(self.save)
        self.print_button = QPushButton("In biên bản họp dân…")
        self.print_button.clicked.connect(self.print_minutes)
        self.votes_for, self.votes_against = QSpinBox(), QSpinBox()
        for box_ in (self.votes_for, self.votes_against):
            box_.setRange(0, 5000)
        self.votes_for.setValue(30)
        self.chair, self.secretary = QLineEdit(), QLineEdit()
        self.chair.setPlaceholderText("Trưởng thôn")
        votes, people = QHBoxLayout(), QHBoxLayout()
        votes.addWidget(self.votes_for)
        votes.addWidget(QLabel("không nhất trí:"))
        votes.addWidget(self.votes_against)
        people.addWidget(self.chair)
        people.addWidget(QLabel("Thư ký:"))
        people.addWidget(self.secretary)
        form.addRow("Thôn/tổ:", self.village_label)
        form.addRow("Ngày họp:", self.day)
        form.addRow("Số người dự:", self.attendees)
        form.addRow("Nhất trí:", votes)
        form.addRow("Chủ trì:", people)
        form.addRow("Kết quả thống nhất:", self.agreed)
        form.addRow("Ý kiến khác:", self.disagreements)
        form.addRow(self.household_table)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        form.addRow(buttons)
        form.addRow(hint("Từ 50% số người dự nhất trí thì kết quả được thông qua; dưới 50% thì các hộ của thôn "
                         "được rà soát lại và họp lại (Quyết định 24/2021/QĐ-TTg)."))
        layout.addWidget(box, 3)

    def load(self, rnd: dict[str, Any] | None, rows: list[dict[str, Any]]) -> None:
        keep = self.current_village()
        self.save_button.setEnabled(rnd is not None and rnd["status"] == "open")  # decided: minutes are final
        self.villages = rw.village_overview(self.tab.store, rnd["id"]) if rnd else []
        fill(self.village_table, [[v["village"] or "(không ghi thôn)", v["households"], v["surveyed"],
                                   (format_date(v["meeting"]["meeting_date"])
                                    + (" (chưa đạt 50%)" if v["meeting"].get("passed") == 0 else ""))
                                   if v["meeting"] else "chưa họp",
                                   v["meeting"]["attendees"] if v["meeting"] else ""] for v in self.villages])
        names = [v["village"] for v in self.villages]
        self.village_table.blockSignals(True)
        self.village_table.selectRow(names.index(keep) if keep in names else 0)
        self.village_table.blockSignals(False)
        self._show_village()

    def current_village(self) -> str | None:
        rows = selected_rows(self.village_table)
        return self.villages[rows[0]]["village"] if rows and rows[0] < len(self.villages) else None

    def _show_village(self) -> None:
        village = self.current_village()
        self.village_label.setText(village or "—")
        rid = self.tab.review_id()
        self.listed = rv.items(self.tab.store, rid, village=village) if rid and village is not None else []
        table = self.household_table
        table.setRowCount(0)
        table.setRowCount(len(self.listed))
        self.results = []
        for n, r in enumerate(self.listed):
            table.setItem(n, 0, QTableWidgetItem(r.get("head_name") or ""))
            table.setItem(n, 1, QTableWidgetItem(cat(r.get("proposed_category")) or "chưa rà soát"))
            combo = category_combo("Nhất trí đề xuất")
            if r.get("meeting_result") and r["meeting_result"] != r.get("proposed_category"):
                combo.setCurrentIndex(max(combo.findData(r["meeting_result"]), 0))
            reason = QLineEdit()
            table.setCellWidget(n, 2, combo)
            table.setCellWidget(n, 3, reason)
            self.results.append((combo, reason))

    def save(self) -> None:
        village = self.current_village()
        if village is None:
            self.tab.warn("Hãy chọn một thôn/tổ.")
            return
        results, notes = {}, {}
        for r, (combo, reason) in zip(self.listed, self.results, strict=True):
            choice = combo.currentData()
            if choice:
                results[r["id"]] = choice
                notes[r["id"]] = reason.text()
        self.tab.run(lambda: rm.record_meeting(
            self.tab.store, self.tab.review_id(), village=village, meeting_date=day_of(self.day),
            attendees=self.attendees.value(), agreed=self.agreed.toPlainText(),
            disagreements=self.disagreements.toPlainText(), results=results, notes=notes,
            votes_for=self.votes_for.value(), votes_against=self.votes_against.value(),
            chair=self.chair.text(), secretary=self.secretary.text()),
            f"Đã lưu biên bản họp dân {village}.")
        latest = rm.latest_by_village(self.tab.store, self.tab.review_id() or "").get(village)
        if latest is not None and not latest.get("passed", 1):
            self.tab.warn(f"Biểu quyết ở {village} dưới 50% số người dự: biên bản đã lưu, các hộ của thôn trở lại "
                          "bước rà soát; rà soát lại rồi họp dân lại.")

    def print_minutes(self) -> None:
        village = self.current_village()
        self.tab.write_pdf("Lưu biên bản họp dân", "bien-ban-hop-dan.pdf",
                           lambda store, rid, _day, path: _minutes(store, rid, path, village))


def _minutes(store: Any, review_id: str, path: Any, village: str | None) -> Any:
    from ...documents.review_round import write_round_minutes

    return write_round_minutes(store, review_id, path, village=village)


class PostingPage(StepPage):
    """Bước 4: posting start, end computed live in working days, holidays, the posting list."""

    def __init__(self, tab: Any) -> None:
        super().__init__()
        self.tab = tab
        layout = QHBoxLayout(self)
        box = QGroupBox("Niêm yết công khai tại trụ sở và nhà văn hóa thôn")
        form = QFormLayout(box)
        self.start = date_edit()
        self.start.dateChanged.connect(lambda _d: self.update_end())
        self.end_label = QLabel()
        self.end_label.setStyleSheet("font-weight: bold;")
        self.saved_label = QLabel()
        self.save_button = primary(QPushButton("Lưu ngày niêm yết"))
        self.save_button.clicked.connect(self.save)
        self.export_button = QPushButton("Xuất danh sách niêm yết (Excel)…")
        self.export_button.clicked.connect(tab.export_posting)
        form.addRow("Ngày bắt đầu:", self.start)
        form.addRow("Ngày kết thúc:", self.end_label)
        form.addRow("Đã lưu:", self.saved_label)
        form.addRow(self.save_button)
        form.addRow(hint("Danh sách niêm yết che số định danh cá nhân."))
        form.addRow(self.export_button)
        layout.addWidget(box, 1)
        hol = QGroupBox("Ngày nghỉ lễ, Tết (không tính vào thời gian niêm yết)")
        col = QVBoxLayout(hol)
        self.holiday_list = QListWidget()
        self.holiday_list.setSortingEnabled(True)
        add_row = QHBoxLayout()
        self.holiday_day = date_edit()
        add = QPushButton("Thêm ngày")
        add.clicked.connect(lambda: self.add_holiday(day_of(self.holiday_day)))
        remove = QPushButton("Bỏ ngày đã chọn")
        remove.clicked.connect(self.remove_holiday)
        for w in (self.holiday_day, add, remove):
            add_row.addWidget(w)
        add_row.addStretch(1)
        self.save_holidays_button = QPushButton("Lưu danh sách ngày nghỉ")
        self.save_holidays_button.clicked.connect(self.save_holidays)
        col.addWidget(self.holiday_list, 1)
        col.addLayout(add_row)
        col.addWidget(self.save_holidays_button)
        layout.addWidget(hol, 1)

    def holidays(self) -> list[date]:
        out = []
        for n in range(self.holiday_list.count()):
            out.append(date.fromisoformat(self.holiday_list.item(n).data(256)))
        return sorted(out)

    def _set_holidays(self, days: list[date]) -> None:
        self.holiday_list.clear()
        for d in sorted(set(days)):
            item = QListWidgetItem(f"{d:%Y-%m-%d}  ({d:%d/%m/%Y})")
            item.setData(256, d.isoformat())
            self.holiday_list.addItem(item)

    def add_holiday(self, day: date) -> None:
        self._set_holidays([*self.holidays(), day])
        self.update_end()

    def remove_holiday(self) -> None:
        for item in self.holiday_list.selectedItems():
            self.holiday_list.takeItem(self.holiday_list.row(item))
        self.update_end()

    def save_holidays(self) -> None:
        self.tab.run(lambda: review_settings.set_holidays(self.tab.store, self.holidays()), "Đã lưu danh sách ngày nghỉ.")

    def update_end(self) -> None:
        end = rw.posting_end_preview(self.tab.store, self.tab.review_id(), day_of(self.start), self.holidays())
        days = (self.tab.round or {}).get("posting_days") or 3
        self.end_label.setText(f"{end:%d/%m/%Y} (sau {days} ngày làm việc)")

    def load(self, rnd: dict[str, Any] | None, rows: list[dict[str, Any]]) -> None:
        self._set_holidays(review_settings.get_holidays(self.tab.store))
        if rnd and rnd.get("posting_start"):
            self.saved_label.setText(f"từ {format_date(rnd['posting_start'])} đến {format_date(rnd['posting_end'])}")
        else:
            self.saved_label.setText("chưa niêm yết")
        self.update_end()

    def save(self) -> None:
        holidays, start = self.holidays(), day_of(self.start)

        def go() -> None:
            if holidays != review_settings.get_holidays(self.tab.store):
                review_settings.set_holidays(self.tab.store, holidays)
            rv.set_posting(self.tab.store, self.tab.review_id(), start)
        self.tab.run(go)
