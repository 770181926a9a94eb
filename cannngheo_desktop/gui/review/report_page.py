"""Bước 8 of the Rà soát tab: the round report on screen and as Excel/PDF, and closing the
decided round (review.outcome.close_round)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from ...core.text import format_date
from ...review import outcome as rd
from ..shell import errors
from .page_helpers import StepPage, date_edit, day_of, fill, hint, make_table
from .step_bar import primary

HEADINGS = ("I", "II", "III")


class ReportPage(StepPage):
    """Bước 8: the round report on screen and as Excel/PDF."""

    def __init__(self, tab: Any) -> None:
        super().__init__()
        self.tab = tab
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        xlsx = QPushButton("Xuất báo cáo Excel…")
        xlsx.clicked.connect(lambda: tab.export_report("xlsx"))
        pdf = QPushButton("Xuất báo cáo PDF…")
        pdf.clicked.connect(lambda: tab.export_report("pdf"))
        self.close_day = date_edit()
        self.close_button = primary(QPushButton("Kết thúc đợt rà soát"))
        self.close_button.clicked.connect(self.close_round)
        self.state = QLabel()
        row.addWidget(xlsx)
        row.addWidget(pdf)
        row.addStretch(1)
        row.addWidget(self.state)
        row.addWidget(QLabel("Ngày kết thúc:"))
        row.addWidget(self.close_day)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.table = make_table(["TT", "Nội dung", "Hộ nghèo", "Hộ cận nghèo"], multi=False)
        layout.addWidget(self.table, 1)
        self.notes = hint("")
        layout.addWidget(self.notes)

    def load(self, rnd: dict[str, Any] | None, rows: list[dict[str, Any]]) -> None:
        status = (rnd or {}).get("status")
        self.close_button.setEnabled(status == "decided")
        self.close_day.setEnabled(status == "decided")
        self.state.setText(f"Đã kết thúc ngày {format_date(rnd['closed_date'])}." if rnd and status == "closed"
                           else "")
        if not rnd:
            fill(self.table, [])
            return
        from ...documents.review_round import round_report

        report = round_report(self.tab.store, rnd["id"], date.today())
        out: list[list[Any]] = []
        for section in report.sections:
            out += [["" if v is None else v for v in r] for r in section.rows]
        fill(self.table, out)
        for n, row in enumerate(out):
            if row[0] in HEADINGS:
                for c in range(4):
                    cell = self.table.item(n, c)
                    if cell is not None:
                        font = cell.font()
                        font.setBold(True)
                        cell.setFont(font)
        self.notes.setText(" ".join(report.notes))


    def close_round(self) -> None:
        review_id, day = self.tab.review_id(), day_of(self.close_day)
        if review_id and errors.confirm(self, "Kết thúc đợt rà soát? Sau khi kết thúc không ghi thêm được gì "
                                               "vào đợt này (vẫn in lại được giấy tờ)."):
            self.tab.run(lambda: rd.close_round(self.tab.store, review_id, on=day), "Đã kết thúc đợt rà soát.")
