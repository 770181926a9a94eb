"""Tab "Rà soát": one review round at a time as a step-by-step workflow. A step bar (list →
survey → village meeting → posting → complaints → decision → certificates → report, step_bar.py)
shows each step's status and legal deadline, highlights the current one and says what to do next; each step has its own page with only its actions
(preparation_pages.py, outcome_pages.py). Ongoing (monthly) rounds are opened from "Đợt mới…"; requests
unanswered after 15 days are listed in red and counted in the tab title and the start-up note.
Every action calls review.rounds / review.outcome (no SQL here)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import AppError
from ...core.text import format_date
from ...review import outcome as rd
from ...review import rounds as rv
from ...review import settings as review_settings
from ...review import steps
from ...storage import reference
from ..shell import errors, files
from ..shell.context import AppContext
from . import page_helpers
from .outcome_pages import (
    CertificatesPage,
    ComplaintsPage,
    DecisionPage,
    NewRoundPage,
    OverduePage,
)
from .page_helpers import StepPage
from .preparation_pages import ListPage, MeetingPage, PostingPage, SurveyPage
from .report_page import ReportPage
from .review_add_dialog import ReviewAddDialog
from .step_bar import StepBar

TITLE = "Rà soát"
NEW_PAGE, OVERDUE_PAGE = len(steps.STEPS), len(steps.STEPS) + 1


class ReviewsTab(QWidget):
    """The review rounds of this database."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.round: dict[str, Any] | None = None
        self.rows: list[dict[str, Any]] = []
        self.overdue: list[dict[str, Any]] = []
        self.add_dialog: ReviewAddDialog | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.round_combo = QComboBox()
        self.round_combo.setMinimumWidth(520)
        self.round_combo.currentIndexChanged.connect(lambda _i: self._show_round())
        self.new_button = QPushButton("Đợt mới…")
        self.new_button.clicked.connect(lambda: self.go_to(NEW_PAGE))
        self.overdue_button = QPushButton()
        self.overdue_button.clicked.connect(lambda: self.go_to(OVERDUE_PAGE))
        self.facts_label = QLabel()
        self.facts_label.setStyleSheet("color: #205080;")
        for w in (QLabel("Đợt rà soát:"), self.round_combo, self.new_button):
            top.addWidget(w)
        top.addWidget(self.facts_label, 1)
        top.addWidget(self.overdue_button)
        layout.addLayout(top)
        self.step_bar = StepBar(self.go_to)
        self.step_group, self.step_buttons = self.step_bar.group, self.step_bar.buttons
        layout.addWidget(self.step_bar)
        self.pages = QStackedWidget()
        self.decision_page = DecisionPage(self)
        self.step_pages: list[StepPage] = [ListPage(self), SurveyPage(self), MeetingPage(self), PostingPage(self),
                                           ComplaintsPage(self), self.decision_page, CertificatesPage(self),
                                           ReportPage(self)]
        for page in self.step_pages:
            self.pages.addWidget(page)
        self.new_page, self.overdue_page = NewRoundPage(self), OverduePage(self)
        self.pages.addWidget(self.new_page)
        self.pages.addWidget(self.overdue_page)
        layout.addWidget(self.pages, 1)
        self.refresh()

    # -- state ------------------------------------------------------------------------------
    @property
    def store(self):  # noqa: ANN201 - the session's Store
        return self.ctx.store

    def review_id(self) -> str | None:
        return self.round_combo.currentData()

    def today(self) -> date:
        return date.today()

    def startup_notes(self) -> list[str]:
        """'Rà soát: 2 giấy đề nghị quá hạn 15 ngày.' when some are overdue."""
        n = len(rd.overdue_requests(self.store, self.today()))
        return [f"Rà soát: {n} giấy đề nghị quá hạn 15 ngày chưa trả lời."] if n else []

    def refresh(self) -> None:
        """Reload rounds (keeping the chosen one), the overdue requests and the pages."""
        keep = self.review_id()
        self.new_page.fill_choices()
        self.round_combo.blockSignals(True)
        self.round_combo.clear()
        names = {u["code"]: u["name"] for u in reference.list_units(self.store)}
        for r in rv.list_rounds(self.store):
            unit = f"{names[r['unit_code']]} ({r['unit_code']})" if r["unit_code"] in names else r["unit_code"]
            what = f"thường xuyên tháng {r['period'][5:]}/{r['period'][:4]}" if r.get("period") \
                else f"định kỳ năm {r['year']}"
            state = {"decided": "đã có quyết định", "closed": "đã kết thúc"}.get(r["status"], "đang làm")
            self.round_combo.addItem(f"Rà soát {what} — {unit} — {r['ruleset_code']} — {r['items']} hộ, "
                                     f"{state}", r["id"])
        index = self.round_combo.findData(keep) if keep else 0
        self.round_combo.setCurrentIndex(max(index, 0))
        self.round_combo.blockSignals(False)
        self.overdue = rd.overdue_requests(self.store, self.today())
        self.overdue_page.load(self.overdue)
        self.overdue_button.setText(f"Quá hạn 15 ngày: {len(self.overdue)}")
        self.overdue_button.setStyleSheet("color: #b00020; font-weight: bold;" if self.overdue else "")
        self._set_title()
        self._show_round(keep_page=True)

    def _set_title(self) -> None:
        holder = self.parentWidget()
        tabs = holder.parentWidget() if holder is not None else None
        if isinstance(tabs, QTabWidget):
            index = tabs.indexOf(self)
            if index >= 0:
                tabs.setTabText(index, f"{TITLE} ({len(self.overdue)} quá hạn)" if self.overdue else TITLE)

    def show_round(self, review_id: str) -> None:
        """Choose a round (after creating it) and show its current step."""
        self.refresh()
        self.round_combo.setCurrentIndex(max(self.round_combo.findData(review_id), 0))

    def _show_round(self, keep_page: bool = False) -> None:
        review_id = self.review_id()
        self.round = rv.get_round(self.store, review_id) if review_id else None
        self.rows = rv.items(self.store, review_id) if review_id else []
        rnd = self.round
        self.step_bar.show_round(rnd, self.today(), review_settings.get_holidays(self.store))
        current = self.step_bar.current
        if rnd is None:
            self.facts_label.setText("Chưa có đợt rà soát: mở đợt mới.")
            self.go_to(NEW_PAGE)
            return
        facts = [f"{len(self.rows)} hộ"]
        if rnd.get("posting_start"):
            facts.append(f"niêm yết {format_date(rnd['posting_start'])}–{format_date(rnd['posting_end'])}")
        if rnd.get("decision_no"):
            facts.append(f"QĐ {rnd['decision_no']}")
        self.facts_label.setText("  ·  ".join(facts))
        for page in self.step_pages:
            page.load(rnd, self.rows)
        shown = self.pages.currentIndex()
        self.go_to(shown if keep_page and shown < NEW_PAGE else current)

    def go_to(self, index: int) -> None:
        """Show a step page (0–7), the new-round page or the overdue page."""
        self.pages.setCurrentIndex(index)
        self.step_bar.shown(index, self.round is not None)
        button = self.step_group.button(index)
        if button is not None:
            button.setChecked(True)
        else:
            checked = self.step_group.checkedButton()
            if checked is not None:
                self.step_group.setExclusive(False)
                checked.setChecked(False)
                self.step_group.setExclusive(True)

    def warn(self, text: str) -> None:
        errors.warn(self, text)

    def run(self, action: Callable[[], Any], done: str = "") -> bool:
        """Run a service call; an AppError is shown, anything written is reloaded."""
        try:
            action()
        except AppError as exc:
            errors.report(self, exc)
            return False
        self.refresh()
        if done:
            errors.inform(self, done)
        return True

    # -- actions shared by pages --------------------------------------------------------------
    def add_household(self) -> None:
        """Open the (non-blocking) dialog that records a request or adds a household by hand."""
        review_id = self.review_id()
        if not review_id:
            self.warn("Hãy mở hoặc chọn một đợt rà soát trước.")
            return
        self.add_dialog = ReviewAddDialog(self.store, review_id, self, today=self.today())
        self.add_dialog.accepted.connect(self.refresh)
        self.add_dialog.open()

    def export_posting(self) -> None:
        review_id = self.review_id()
        if review_id is None:
            return
        chosen = files.choose_save_file(self, "Lưu danh sách niêm yết", None, "Excel (*.xlsx)")
        if chosen is None:
            return
        path = chosen.with_suffix(".xlsx")

        def go() -> None:
            from ...documents.review_round import write_posting

            write_posting(self.store, review_id, path, self.today())
        self.run(go, f"Đã lưu danh sách niêm yết (số định danh đã che) vào {path}.")

    def decide(self) -> None:
        page = self.decision_page
        review_id = self.review_id()
        if not review_id or not errors.confirm(
                self, "Ban hành quyết định sẽ ghi phân loại mới và sự kiện cho mọi hộ trong đợt. Tiếp tục?"):
            return
        result: dict[str, Any] = {}
        if self.run(lambda: result.update(rd.confirm_decision(
                self.store, review_id, decision_no=page.number.text(),
                decision_date=page_helpers.day_of(page.day)))):
            moved = sum(result["events"].values())
            errors.inform(self, f"Đã ban hành quyết định: {moved} hộ thay đổi phân loại, "
                                f"{result['unchanged']} hộ giữ nguyên, {result['refused']} đề nghị không được công nhận.")

    def write_pdf(self, title: str, name: str, fn: Callable[[Any, str, date, Path], Path], *,
                  day: date | None = None) -> None:
        """Ask for a file, write it on the worker with ``fn(store, review_id, day, path)``, then
        refresh and open it."""
        review_id = self.review_id()
        if review_id is None:
            return
        chosen = files.choose_save_file(self, title, Path(name), "PDF (*.pdf)")
        if chosen is None:
            return
        path, when = chosen.with_suffix(".pdf"), day or self.today()
        self.ctx.tasks.run_task(self, lambda store, _progress: fn(store, review_id, when, path),
                                on_success=self._written, label="Đang in…")

    def _written(self, path: Path) -> None:
        self.refresh()
        page_helpers.open_document(path)

    def export_report(self, fmt: str) -> None:
        review_id = self.review_id()
        if review_id is None:
            return
        kind = "Excel (*.xlsx)" if fmt == "xlsx" else "PDF (*.pdf)"
        chosen = files.choose_save_file(self, "Lưu báo cáo kết quả rà soát", Path(f"bao-cao-ra-soat.{fmt}"), kind)
        if chosen is None:
            return
        path, today = chosen.with_suffix(f".{fmt}"), self.today()

        def work(store: Any, _progress: Any) -> Path:
            from ...documents.review_round import write_round_report

            return write_round_report(store, review_id, path, today, fmt)
        self.ctx.tasks.run_task(self, work, on_success=page_helpers.open_document, label="Đang lập báo cáo…")
