"""The two dashboard charts (QtCharts): target vs achieved per unit; cumulative exits by month."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ...plan.progress import MonthPoint, UnitProgress
from ...storage.reference import short_unit_name

TARGET_COLOR = QColor("#9db4d8")
DONE_COLOR = QColor("#1b7a3a")
LINE_COLOR = QColor("#b00020")


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont(chart.titleFont())
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setMargins(QMargins(4, 4, 4, 4))
    return chart


def _nice_axis(axis: QValueAxis, value: float) -> None:
    """Integer ticks from 0 to a round maximum ≥ value (never 3, 7, 11…)."""
    top = max(int(value + 0.999), 1)
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 10**9) if top / s <= 8)
    top = ((top + step - 1) // step) * step
    axis.setRange(0, top)
    axis.setTickCount(top // step + 1)
    axis.setLabelFormat("%d")


class ChartView(QChartView):
    """A QChartView with antialiasing and a chart we can rebuild in place."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(360, 220)


def bar_chart(view: QChartView, units: Sequence[UnitProgress]) -> QChart:
    """Grouped bars per unit: 'Chỉ tiêu giảm' and 'Đã thoát cận nghèo'."""
    chart = _chart("Chỉ tiêu giảm và số hộ đã thoát theo đơn vị")
    target, done = QBarSet("Chỉ tiêu giảm"), QBarSet("Đã thoát cận nghèo")
    target.setColor(TARGET_COLOR)
    done.setColor(DONE_COLOR)
    # Horizontal bars: 16 Vietnamese unit names stay readable on the category axis.
    ordered = list(reversed(units))  # first unit of the plan on top
    for u in ordered:
        target.append(u.target)
        done.append(u.exited)
    series = QHorizontalBarSeries()
    series.append(target)
    series.append(done)
    series.setBarWidth(0.8)
    chart.addSeries(series)
    axis_units = QBarCategoryAxis()
    axis_units.append([short_unit_name(u.unit_name) for u in ordered])
    small = QFont(axis_units.labelsFont())
    small.setPointSizeF(max(small.pointSizeF() - 1, 7))
    axis_units.setLabelsFont(small)
    axis_count = QValueAxis()
    _nice_axis(axis_count, max([u.target for u in units] + [u.exited for u in units] + [1]))
    axis_count.setTitleText("Số hộ")
    chart.addAxis(axis_units, Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(axis_count, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis_units)
    series.attachAxis(axis_count)
    view.setChart(chart)
    return chart


def line_chart(view: QChartView, monthly: Sequence[MonthPoint], target: int) -> QChart:
    """Cumulative exits at each month's end against the straight line to the year's target."""
    chart = _chart("Số hộ thoát cận nghèo cộng dồn theo tháng")
    actual, line = QLineSeries(), QLineSeries()
    actual.setName("Đã thoát (cộng dồn)")
    line.setName(f"Tiến độ cần đạt ({target} hộ cả năm)")
    actual.setPen(QPen(DONE_COLOR, 2.5))
    dashed = QPen(LINE_COLOR, 1.5)
    dashed.setStyle(Qt.PenStyle.DashLine)
    line.setPen(dashed)
    line.append(0, 0)
    actual.append(0, 0)
    for p in monthly:
        line.append(p.month, p.target_line)
        if p.cumulative_exits is not None:
            actual.append(p.month, p.cumulative_exits)
    actual.setPointsVisible(True)
    chart.addSeries(line)
    chart.addSeries(actual)
    axis_x = QValueAxis()
    axis_x.setRange(0, 12)
    axis_x.setTickCount(13)
    axis_x.setLabelFormat("%d")
    axis_x.setTitleText("Tháng")
    axis_y = QValueAxis()
    _nice_axis(axis_y, max([target] + [p.cumulative_exits or 0 for p in monthly] + [1]))
    axis_y.setTitleText("Số hộ")
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    for s in (line, actual):
        s.attachAxis(axis_x)
        s.attachAxis(axis_y)
    view.setChart(chart)
    return chart
