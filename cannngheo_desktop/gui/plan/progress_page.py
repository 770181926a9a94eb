"""The "Tiến độ" page: per-unit progress table with totals, two charts, click-through to households."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QSplitter, QTableWidget, QTabWidget, QVBoxLayout, QWidget

from ...core.text import format_date, format_percent
from ...plan import progress as prog
from ...plan import tracker_queries
from ...storage.reference import short_unit_name
from ..shell.context import AppContext
from ..shell.tables import AMBER, BLUE, GREEN, RED, cell, fill_row, run_for, setup_table
from .charts import ChartView, bar_chart, line_chart
from .households_list_dialog import HouseholdsListDialog

HEADERS = ("Đơn vị", "Đầu năm", "Chỉ tiêu", "Đã thoát", "Mới", "Sang nghèo", "Tăng/giảm", "Hiện có",
           "% chỉ tiêu", "Trạng thái")
HEADER_TIPS = ("Xã, phường, thị trấn của kế hoạch", "Hộ cận nghèo đầu năm (theo kế hoạch)",
               "Kế hoạch giảm số hộ cận nghèo trong năm", "Hộ thoát cận nghèo trong năm (bấm để xem)",
               "Hộ cận nghèo mới trong năm (bấm để xem)", "Hộ cận nghèo chuyển thành hộ nghèo (bấm để xem)",
               "Mới − đã thoát − sang nghèo", "Hộ cận nghèo đang có trong sổ hộ (bấm để xem)",
               "Đã thoát so với chỉ tiêu", "đạt: đủ chỉ tiêu; đúng tiến độ: theo đường thẳng cả năm; chậm: dưới mức đó")
# Columns whose number opens the households behind it (column → metric of households_behind).
CLICKABLE = {3: "exited", 4: "new", 5: "to_poor", 7: "current"}
STATUS_COLORS = {prog.DONE: GREEN, prog.ON_TRACK: AMBER, prog.BEHIND: RED}


class PlanProgressWidget(QWidget):
    """Computes ``tracker_queries.progress`` on the worker and shows it; ``loaded`` fires after."""

    loaded = Signal()
    household_saved = Signal()  # a household opened from a drill-down list was saved

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan_id: str | None = None
        self.as_of: date | None = None
        self.data: prog.Progress | None = None
        self.dialog: HouseholdsListDialog | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget()
        setup_table(self.table, HEADERS, stretch=None)
        for col, tip in enumerate(HEADER_TIPS):
            header = self.table.horizontalHeaderItem(col)
            if header is not None:
                header.setToolTip(tip)
        self.table.setToolTip("Bấm vào số ở các cột Đã thoát, Mới, Sang hộ nghèo, Hiện có để xem danh sách hộ.")
        self.table.cellClicked.connect(self.open_households)
        self.bars, self.lines = ChartView(), ChartView()
        charts = QTabWidget()
        charts.addTab(self.bars, "Biểu đồ theo đơn vị")
        charts.addTab(self.lines, "Biểu đồ theo tháng")
        self.charts = charts
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(charts)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([760, 480])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)

    def load(self, plan_id: str | None, as_of: date) -> None:
        """Recompute for ``plan_id`` at ``as_of`` (worker thread; fast at the demo's size)."""
        self.plan_id, self.as_of = plan_id, as_of
        if plan_id is None:
            self.data = None
            self.table.setRowCount(0)
            self.summary.setText("Chưa có kế hoạch.")
            return

        def work(store: Any, progress: Any) -> prog.Progress:
            return tracker_queries.progress(store, plan_id, as_of)

        run_for(self, work, self._show, "Đang tính tiến độ kế hoạch…")

    def _show(self, data: prog.Progress) -> None:
        if data.plan_id != self.plan_id:
            return  # an older request finished after the user picked another plan
        self.data = data
        rows = [*data.units, data.total]
        self.table.setRowCount(len(rows))
        for i, u in enumerate(rows):
            total = u is data.total
            pct = u.percent_of_target
            typed = " (nhập tay)" if u.baseline_typed and not total else ""
            items = [
                cell(short_unit_name(u.unit_name) + typed, data=u.unit_code, bold=total,
                     tip="Số hộ đầu năm nhập tay (chưa có dữ liệu của đơn vị)" if typed else u.unit_code),
                cell(u.baseline, right=True, bold=total), cell(u.target, right=True, bold=total),
                cell(u.exited, right=True, bold=True, color=BLUE), cell(u.new, right=True, color=BLUE, bold=total),
                cell(u.to_poor, right=True, color=BLUE, bold=total), cell(f"{u.net_change:+d}", right=True, bold=total),
                cell(u.current, right=True, color=BLUE, bold=total),
                cell(format_percent(pct, 1) if pct is not None else "—", right=True, bold=total),
                cell(u.status, color=STATUS_COLORS.get(u.status), bold=True,
                     tip=f"Cần đạt theo tiến độ: {u.expected:.1f} hộ")]
            fill_row(self.table, i, items)
        t = data.total
        self.summary.setText(
            f"Tính đến <b>{format_date(data.as_of)}</b> ({prog.elapsed_share(data.year, data.as_of):.0%} thời gian "
            f"của năm {data.year}): đã thoát <b>{t.exited}</b>/{t.target} hộ, theo tiến độ cần khoảng "
            f"{t.expected:.0f} hộ — <b style='color:{STATUS_COLORS[t.status].name()}'>{t.status}</b>. "
            "Bấm vào một số (màu xanh) để xem danh sách hộ.")
        bar_chart(self.bars, data.units)
        line_chart(self.lines, data.monthly, t.target)
        self.loaded.emit()

    def open_households(self, row: int, column: int) -> None:
        """The households behind the clicked number (totals row: every unit of the plan)."""
        metric = CLICKABLE.get(column)
        unit_cell = self.table.item(row, 0)
        if metric is None or unit_cell is None or self.data is None or self.plan_id is None:
            return
        code = unit_cell.data(Qt.ItemDataRole.UserRole) or None
        rows = tracker_queries.households_behind(self.ctx.store, self.plan_id, code, metric, self.as_of)
        names = {u.unit_code: short_unit_name(u.unit_name) for u in self.data.units}
        where = names.get(code or "", "toàn kế hoạch")
        self.show_households(f"{prog.METRICS[metric]} — {where}", rows, names)

    def show_households(self, title: str, rows: list[dict[str, Any]], names: dict[str, str],
                        action: tuple[str, Callable[[Any], None]] | None = None) -> HouseholdsListDialog:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = HouseholdsListDialog(title, rows, self, unit_names=names, action=action, ctx=self.ctx,
                                           on_saved=lambda _hid: self.household_saved.emit())
        self.dialog.open()
        return self.dialog
