"""Charts drawn with reportlab.graphics (vector, the Unicode font): target vs achieved per unit."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from . import pdf_base

TARGET_COLOR = colors.HexColor("#9DC3E6")
ACHIEVED_COLOR = colors.HexColor("#2E75B6")


def target_vs_achieved(names: Sequence[str], targets: Sequence[int], achieved: Sequence[int], *,
                       width: float, height: float = 80 * mm,
                       title: str = "Chỉ tiêu giảm và số hộ đã thoát theo đơn vị") -> Drawing:
    """Grouped bars per unit: the reduction target and the households that exited."""
    pdf_base.register_fonts()
    drawing = Drawing(width, height)
    drawing.add(String(width / 2, height - 5 * mm, pdf_base.nfc(title), fontName=pdf_base.FONT_BOLD,
                       fontSize=10, textAnchor="middle"))
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 22 * mm
    chart.width, chart.height = width - 20 * mm, height - 36 * mm
    chart.data = [list(targets), list(achieved)]
    chart.bars[0].fillColor = TARGET_COLOR
    chart.bars[1].fillColor = ACHIEVED_COLOR
    chart.barSpacing = 1
    chart.groupSpacing = 6
    chart.categoryAxis.categoryNames = [pdf_base.nfc(n) for n in names]
    chart.categoryAxis.labels.fontName = pdf_base.FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 35
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontName = pdf_base.FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max([*targets, *achieved, 1])
    chart.valueAxis.valueMax = top + max(1, top // 10)
    chart.valueAxis.valueStep = max(1, round(top / 5))
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = pdf_base.FONT
    chart.barLabels.fontSize = 6
    chart.barLabels.nudge = 5
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 70 * mm, height - 9 * mm
    legend.fontName = pdf_base.FONT
    legend.fontSize = 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = [(TARGET_COLOR, pdf_base.nfc("Chỉ tiêu giảm")), (ACHIEVED_COLOR, pdf_base.nfc("Đã thoát"))]
    drawing.add(legend)
    return drawing
