"""Tab "Kế hoạch": the yearly plan (header, approval, amendments) and four pages — Tiến độ,
Mục tiêu, Hỗ trợ hộ, Mốc thời gian. Every figure comes from a storage/plan service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import AppError
from ...core.text import format_date, format_percent, parse_vn_date
from ...plan import plans, tracker_queries
from ..shell.context import AppContext
from .milestones_page import PlanMilestonesWidget
from .objectives_page import PlanObjectivesWidget
from .plan_dialog import PlanDialog
from .progress_page import PlanProgressWidget
from .support_page import PlanSupportWidget

TITLE = "Kế hoạch"


class PlansTab(QWidget):
    """Plan selector + header + the four pages. ``today`` fixes the clock (tests)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 today: Callable[[], date] | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._today = today or date.today
        self.plan: dict[str, Any] | None = None
        self.dialog: PlanDialog | None = None
        self.plan_combo = QComboBox()
        self.plan_combo.setMinimumContentsLength(36)
        self.plan_combo.currentIndexChanged.connect(self._plan_chosen)
        self.as_of_edit = QLineEdit()
        self.as_of_edit.setPlaceholderText("dd/mm/yyyy")
        self.as_of_edit.setMaximumWidth(110)
        self.as_of_edit.setToolTip("Tính tiến độ, mục tiêu và việc quá hạn đến ngày này (Enter để tính lại).")
        self.as_of_edit.returnPressed.connect(self.reload_pages)
        self.new_button = QPushButton("&Tạo kế hoạch…")
        self.edit_button = QPushButton("&Sửa kế hoạch…")
        self.new_button.clicked.connect(self.new_plan)
        self.edit_button.clicked.connect(self.edit_plan)
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setTextFormat(self.header.textFormat().RichText)
        top = QHBoxLayout()
        for w in (QLabel("Kế hoạch:"), self.plan_combo, QLabel("Tính đến ngày:"), self.as_of_edit):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.new_button)
        top.addWidget(self.edit_button)
        self.progress = PlanProgressWidget(ctx)
        self.objectives = PlanObjectivesWidget(ctx)
        self.support = PlanSupportWidget(ctx)
        self.milestones = PlanMilestonesWidget(ctx)
        self.pages = QTabWidget()
        self.pages.addTab(self.progress, "Tiến độ")
        self.pages.addTab(self.objectives, "Mục tiêu")
        self.pages.addTab(self.support, "Hỗ trợ hộ")
        self.pages.addTab(self.milestones, "Mốc thời gian")
        self.support.changed.connect(self._figures_changed)
        self.milestones.changed.connect(self._figures_changed)
        self.progress.household_saved.connect(self._figures_changed)
        self.support.noted.connect(self.show_note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.header)
        layout.addWidget(self.pages, 1)
        self.refresh()

    # -- the clock -----------------------------------------------------------------------------
    def today(self) -> date:
        return self._today()

    def as_of(self) -> date:
        """The date typed in 'Tính đến ngày' (default: today, kept inside the plan year)."""
        try:
            return parse_vn_date(self.as_of_edit.text())
        except ValueError:
            return self._default_as_of()

    def _default_as_of(self) -> date:
        today = self.today()
        if self.plan is None:
            return today
        year = int(self.plan["year"])
        return min(max(today, date(year, 1, 1)), date(year, 12, 31))

    def startup_notes(self) -> list[str]:
        """What the status bar says at start-up: 'Kế hoạch: 3 việc quá hạn' (nothing when none)."""
        text = tracker_queries.startup_overdue_text(self.ctx.store, self.today())
        return [f"Kế hoạch: {text}."] if text else []

    # -- plans ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the plan list (keeping the chosen plan) and every page."""
        keep = self.plan["id"] if self.plan else None
        rows = plans.list_plans(self.ctx.store, unit_code=self.ctx.installation.unit_code) or \
            plans.list_plans(self.ctx.store)
        self.plan_combo.blockSignals(True)
        self.plan_combo.clear()
        for p in rows:
            state = "đã phê duyệt" if p["status"] == "approved" else "bản nháp"
            self.plan_combo.addItem(f"Năm {p['year']} — {p['doc_no'] or 'chưa có số văn bản'} ({state})", p["id"])
        index = self.plan_combo.findData(keep) if keep else -1
        self.plan_combo.setCurrentIndex(index if index >= 0 else (0 if rows else -1))
        self.plan_combo.blockSignals(False)
        self._plan_chosen(reset_date=keep is None)

    def select_plan(self, plan_id: str) -> None:
        index = self.plan_combo.findData(plan_id)
        if index >= 0:
            self.plan_combo.setCurrentIndex(index)

    def _plan_chosen(self, *_: Any, reset_date: bool = True) -> None:
        plan_id = self.plan_combo.currentData()
        self.plan = plans.get_plan(self.ctx.store, plan_id) if plan_id else None
        if reset_date or not self.as_of_edit.text().strip():
            self.as_of_edit.setText(format_date(self._default_as_of()))
        self.edit_button.setEnabled(self.plan is not None)
        self.edit_button.setText("Điều chỉnh kế hoạch…" if self.plan and self.plan["status"] == "approved"
                                 else "&Sửa kế hoạch…")
        self._show_header()
        self.reload_pages()

    def _show_header(self) -> None:
        p = self.plan
        if p is None:
            self.header.setText("Chưa có kế hoạch nào. Bấm <b>Tạo kế hoạch…</b> để nhập kế hoạch năm "
                                "(số văn bản, chỉ tiêu chung, chỉ tiêu từng đơn vị).")
            return
        base = sum(u["baseline_near_poor"] or 0 for u in p["units"])
        target = p.get("target_total")
        pct = f" (≈ {format_percent(p['target_percent'], 0)})" if p.get("target_percent") is not None else ""
        if p["status"] == "approved":
            state = f"<b style='color:#1b7a3a'>Đã phê duyệt</b> {format_date(p.get('approved_at'))}"
        else:
            state = "<b style='color:#a05a00'>Bản nháp</b> (chưa phê duyệt)"
        amendments = p.get("amendments") or []
        amend = ""
        if amendments:
            last = amendments[-1]
            amend = (f" · Đã điều chỉnh {len(amendments)} lần (lần gần nhất {format_date(last['amended_on'])}: "
                     f"{last['reason']})")
        doc = p.get("doc_no") or "chưa có số văn bản"
        self.header.setText(
            f"<b>{p.get('title') or 'Kế hoạch năm ' + str(p['year'])}</b><br>"
            f"Văn bản {doc}, ngày {format_date(p.get('doc_date')) or '—'} · {state}{amend}<br>"
            f"Số hộ cận nghèo đầu năm (ngày {format_date(p.get('baseline_date'))}): <b>{base}</b> · "
            f"chỉ tiêu giảm: <b>{'—' if target is None else target}</b> hộ{pct} · {len(p['units'])} đơn vị")

    def reload_pages(self) -> None:
        as_of = self.as_of()
        self.progress.load(self.plan["id"] if self.plan else None, as_of)
        self.objectives.load(self.plan, as_of)
        self.support.load(self.plan, as_of)
        self.milestones.load(self.plan, as_of)

    def _figures_changed(self) -> None:
        """A write changed the registry: the dashboard and the objectives are measured again."""
        self.progress.load(self.plan["id"] if self.plan else None, self.as_of())
        self.objectives.load(self.plan, self.as_of())

    def show_note(self, text: str) -> None:
        """Say it in the main window's status bar (when the tab sits in one)."""
        window = self.window()
        note = getattr(window, "show_note", None) if window is not self else None
        if callable(note):
            note(text)

    # -- dialogs -------------------------------------------------------------------------------
    def new_plan(self) -> PlanDialog | None:
        return self._open_dialog(None)

    def edit_plan(self) -> PlanDialog | None:
        return self._open_dialog(self.plan["id"]) if self.plan else None

    def _open_dialog(self, plan_id: str | None) -> PlanDialog | None:
        try:
            self.dialog = PlanDialog(self.ctx.store, self.ctx.installation, plan_id, self, today=self.today())
        except AppError as exc:
            from ..shell import errors

            errors.report(self, exc)
            return None
        self.dialog.accepted.connect(self._plan_saved)
        self.dialog.open()
        return self.dialog

    def _plan_saved(self) -> None:
        saved = self.dialog.saved_id if self.dialog else None
        self.refresh()
        if saved:
            self.select_plan(saved)
