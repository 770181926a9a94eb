"""Excel import preview on the worker: a messy workbook with three bad rows lists exactly those
rows and writes nothing; the error workbook is saved; the fixed file imports every household."""

from __future__ import annotations

import openpyxl
import pytest

from cannngheo_desktop.gui.registry.households_tab import HouseholdsTab
from cannngheo_desktop.gui.registry.import_dialog import ImportDialog
from cannngheo_desktop.gui.shell import files
from cannngheo_desktop.registry import queries as rq
from tests.registry.registry_fixtures import BAD_CELLS, bad_rows, write_messy

UNIT = "00685"  # Xã Nam Phù, covered by the Thanh Trì office


@pytest.fixture
def open_dialog(qtbot, app_ctx, shown_messages):
    def make(path, unit=UNIT):
        dialog = ImportDialog(app_ctx, path, unit)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
        return dialog
    return make


def _table_rows(dialog, level):
    rows = set()
    for r in range(dialog.table.rowCount()):
        if dialog.table.item(r, 1).text() == level:
            rows.add(int(dialog.table.item(r, 0).text()))
    return rows


def test_three_bad_rows_are_listed_and_nothing_is_written(open_dialog, app_ctx, tmp_path, monkeypatch,
                                                          shown_messages):
    dialog = open_dialog(write_messy(tmp_path / "danh_sach.xlsx"))
    assert len(BAD_CELLS) == 3
    assert _table_rows(dialog, "Lỗi") == set(bad_rows())
    assert dialog.error_rows() == bad_rows()
    assert not dialog.import_button.isEnabled() and dialog.errors_button.isEnabled()
    assert "3 dòng có lỗi" in dialog.summary_label.text()
    dialog.apply()  # refused while errors remain
    assert rq.count_households(app_ctx.store, rq.ListQuery(include_removed=True)) == 0
    out = tmp_path / "loi.xlsx"
    monkeypatch.setattr(files, "choose_save_file", lambda *a, **k: out)
    dialog.errors_button.click()
    ws = openpyxl.load_workbook(out).active
    col = next(c.column for row in ws.iter_rows(max_row=8) for c in row if c.value == "Lỗi")
    flagged = {r for r in range(1, ws.max_row + 1) if ws.cell(r, col).value not in (None, "Lỗi")}
    assert flagged == set(bad_rows())
    assert "Đã lưu tệp lỗi" in shown_messages[-1][2]


def test_fixed_file_imports_all_households_with_members(open_dialog, app_ctx, tmp_path, qtbot, shown_messages):
    dialog = open_dialog(write_messy(tmp_path / "da_sua.xlsx", bad=False))
    assert _table_rows(dialog, "Lỗi") == set()
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=15_000)
    assert dialog.summary.households == 4 and dialog.summary.members == 11
    assert rq.count_households(app_ctx.store, rq.ListQuery()) == 4
    codes = {r["household_code"]: r["member_count"] for r in rq.fetch_page(app_ctx.store, rq.ListQuery(), 0, 10)}
    assert codes == {"HN001": 3, "HN002": 2, "HN003": 2, "HN004": 4}
    assert "Đã nhập 4 hộ, 11 nhân khẩu" in shown_messages[-1][2]


def test_import_from_the_tab_refreshes_the_list(qtbot, app_ctx, tmp_path, monkeypatch, shown_messages):
    tab = HouseholdsTab(app_ctx)
    qtbot.addWidget(tab)
    path = write_messy(tmp_path / "tab.xlsx", bad=False)
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: path)
    tab.unit.setCurrentIndex(tab.unit.findData(UNIT))
    dialog = tab.import_excel()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: tab.model.total == 4, timeout=15_000)
    tab.search.setText("hoang van tu")
    tab.apply_filters()
    assert tab.model.total == 1


def test_a_commune_dialog_starts_on_its_own_unit(qtbot, tmp_path, shown_messages):
    from cannngheo_desktop.gui.shell.context import AppContext
    from cannngheo_desktop.gui.shell.tasks import TaskRunner
    from cannngheo_desktop.storage import installation, open_db, users

    store = open_db(tmp_path / "xa.sqlite", lock=True, user="quantri")
    inst = installation.initialize(store, role="commune", unit_code="00640", receiving_unit_code="020",
                                   admin_name="quantri", admin_password="so-tay-can-bo-2026")
    ctx = AppContext(db_path=store.path, store=store, installation=inst,
                     user=users.authenticate(store, "quantri", "so-tay-can-bo-2026"),
                     tasks=TaskRunner(store.path, user="quantri"))
    try:
        dialog = ImportDialog(ctx, write_messy(tmp_path / "xa.xlsx", bad=False))  # the tab's filter: all units
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
        assert dialog.unit.currentData() == "00640"
        assert dialog.report.errors == [] and dialog.import_button.isEnabled()
    finally:
        assert ctx.tasks.shutdown()
        store.close()
