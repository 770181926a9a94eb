"""The completeness grid widget: months before a unit reports are empty grey cells, not 'Thiếu'."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from cannngheo_desktop.gui.exchange.completeness_grid import COLOURS, CompletenessGrid


def test_not_applicable_months_are_empty_grey_cells_with_a_legend(qtbot) -> None:
    grid = CompletenessGrid(lambda year: {"00640": {1: "na", 2: "missing", 3: "received"}}, year=2026)
    qtbot.addWidget(grid)
    na, missing = grid.table.item(0, 0), grid.table.item(0, 1)
    assert na.text() == "" and na.background().color().name() == COLOURS["na"]
    assert COLOURS["na"] not in (COLOURS[""], COLOURS["missing"])
    assert "Chưa áp dụng" in na.toolTip()
    assert missing.text() == "Thiếu"
    legend = " ".join(label.text() for label in grid.findChildren(QLabel))
    assert "Chưa áp dụng" in legend and "Thiếu" in legend
