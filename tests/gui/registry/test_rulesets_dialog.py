"""Tệp → Bộ chuẩn nghèo…: values awaiting confirmation shown in amber; an administrator corrects
one (stored, audited, in the history); a bad value is a Vietnamese message and nothing changes;
an ordinary user only reads."""

from __future__ import annotations

from cannngheo_desktop.gui.registry import rulesets_dialog
from cannngheo_desktop.gui.registry.rulesets_dialog import WAITING_BRUSH, RulesetsDialog
from cannngheo_desktop.gui.shell.main_window import MainWindow
from cannngheo_desktop.storage import rulesets


def _row(dialog: RulesetsDialog, path: str) -> int:
    return next(i for i, p in enumerate(dialog.params) if p.path == path)


def test_admin_corrects_a_value_awaiting_confirmation(qtbot, app_ctx, monkeypatch, shown_messages) -> None:
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    dialog = window.show_rulesets()
    qtbot.addWidget(dialog)
    assert dialog.editable
    dialog.combo.setCurrentIndex(dialog.combo.findData("VN-2027"))
    row = _row(dialog, "average_band.rural")
    assert dialog.table.item(row, 2).text() == "3.300.000 đồng"
    assert dialog.table.item(row, 3).text() == "Chờ xác nhận"
    assert dialog.table.item(row, 1).background() == WAITING_BRUSH
    income = _row(dialog, "income_lines.rural")
    # the line is taken from the government's summary, not the decree's text: awaiting, with its source
    assert dialog.table.item(income, 3).text() == "Chờ xác nhận"
    assert "Nghị định 351/2025/NĐ-CP" in dialog.table.item(income, 4).text()
    assert "Nguồn:" in dialog.table.item(income, 1).toolTip()
    assert "giá trị đang chờ xác nhận" in dialog.summary.text()
    dialog.table.selectRow(row)
    assert dialog.edit_button.isEnabled()
    monkeypatch.setattr(rulesets_dialog, "ask_value", lambda parent, p: "3.500.000")
    dialog.edit_button.click()
    assert rulesets.get_ruleset(app_ctx.store, "VN-2027").average_band["rural"] == 3_500_000
    assert dialog.table.item(row, 2).text() == "3.500.000 đồng"
    assert dialog.history.rowCount() == 1
    assert [dialog.history.item(0, c).text() for c in (1, 3, 4)] == [app_ctx.user_name, "3.300.000 đồng",
                                                                      "3.500.000 đồng"]
    assert shown_messages == []
    # a value that does not read is refused with the parameter named; nothing changes
    assert not dialog.set_value("average_band.rural", "ba triệu rưỡi")
    assert "Khu vực nông thôn (đồng/người/tháng)" in shown_messages[-1][2]
    # a value that breaks the ruleset (end before start) is refused by the whole-ruleset check
    assert not dialog.set_value("valid_to", "01/01/2020")
    assert "valid_to" in shown_messages[-1][2]
    assert rulesets.get_ruleset(app_ctx.store, "VN-2027").average_band["rural"] == 3_500_000
    assert dialog.history.rowCount() == 1
    dialog.close()


def test_an_ordinary_user_only_reads(qtbot, app_ctx, monkeypatch) -> None:
    app_ctx.user = {**app_ctx.user, "role": "user"}
    dialog = RulesetsDialog(app_ctx)
    qtbot.addWidget(dialog)
    dialog.table.selectRow(0)
    assert not dialog.editable and not dialog.edit_button.isEnabled()
    monkeypatch.setattr(rulesets_dialog, "ask_value", lambda parent, p: "3.500.000")
    dialog.edit_selected()
    assert not dialog.set_value("average_band.rural", "3.500.000")
    assert rulesets.get_ruleset(app_ctx.store, "VN-2027").average_band["rural"] == 3_300_000
    dialog.close()
