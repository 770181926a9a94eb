"""The registry tab on a real database: folded search, combined filters, SQL sort, the paged model
stays lazy, removed households findable, events, history and Excel export from the toolbar."""

from __future__ import annotations

import openpyxl
import pytest
from PySide6.QtCore import Qt

from cannngheo_desktop.gui.registry.household_table_model import COLUMNS, MAX_PAGES, PAGE_SIZE
from cannngheo_desktop.gui.registry.households_tab import HouseholdsTab
from cannngheo_desktop.gui.shell import choices, files
from cannngheo_desktop.registry import queries as rq
from cannngheo_desktop.storage import households

UNIT = "00685"  # Xã Nam Phù, covered by the Thanh Trì office


def _hh(code, head, village, category, able, merit=False, extra=()):
    return ({"unit_code": UNIT, "household_code": code, "village": village, "category": category,
             "able_to_exit": able, "is_merit": merit},
            [{"full_name": head, "relation": "head", "birth_date": "1970-01-01"}, *extra])


@pytest.fixture
def seeded(app_ctx):
    households.add_households(app_ctx.store, [
        _hh("H01", "Nguyễn Thị Hoa", "Thôn 1", "near_poor", True),
        _hh("H02", "Nguyễn Thị Đào", "Thôn 2", "near_poor", False, True),
        _hh("H03", "Trần Văn Nguyên", "Thôn 1", "poor", True),
        _hh("H04", "Lê Văn Tâm", "Thôn 1", "near_poor", True,
            extra=[{"full_name": "Nguyễn Thị Thu", "relation": "spouse"}]),
        _hh("H05", "Đỗ Thị Nguyệt", "Thôn 2", "not_poor", None),
    ])
    return app_ctx


@pytest.fixture
def tab(qtbot, seeded, shown_messages):
    w = HouseholdsTab(seeded)
    qtbot.addWidget(w)
    w.resize(1280, 640)
    w.show()
    return w


def _heads(tab):
    return [tab.model.row_data(r)["head_name"] for r in range(tab.model.rowCount())]


def test_list_columns_and_count(tab):
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))]
    assert headers == ["Mã hộ", "Chủ hộ", "Người tìm thấy", "Thôn/Tổ", "Đơn vị", "Phân loại", "Số nhân khẩu",
                       "Số chỉ số thiếu hụt", "Khả năng thoát", "Người có công", "Cập nhật"]
    assert tab.view.isColumnHidden(COLUMNS.index("matched"))  # nothing typed: no one was found
    assert tab.model.rowCount() == 5 and "<b>5</b> hộ" in tab.count_label.text()
    index = tab.model.index(0, COLUMNS.index("category"))
    assert tab.model.data(index) in {"Hộ cận nghèo", "Hộ nghèo", "Không thuộc diện"}
    updated = tab.model.data(tab.model.index(0, COLUMNS.index("updated_at")))
    assert len(updated) == 10 and updated[2] == "/" and updated[5] == "/"


def test_search_without_diacritics_finds_names(tab, qtbot):
    qtbot.keyClicks(tab.search, "nguyen thi")
    qtbot.waitUntil(lambda: tab.model.total == 3, timeout=3000)  # debounced, then one query
    assert set(_heads(tab)) == {"Nguyễn Thị Hoa", "Nguyễn Thị Đào", "Lê Văn Tâm"}  # Tâm's wife matches
    tab.search.setText("dao")
    qtbot.waitUntil(lambda: tab.model.total == 1, timeout=3000)
    assert _heads(tab) == ["Nguyễn Thị Đào"]
    assert "<b>1</b> hộ" in tab.count_label.text()


def test_filters_combine(tab):
    choices.set_value(tab.category, "near_poor")
    assert tab.model.total == 3
    tab.village.setCurrentIndex(tab.village.findData("Thôn 1"))
    assert set(_heads(tab)) == {"Nguyễn Thị Hoa", "Lê Văn Tâm"}
    choices.set_value(tab.able, True)
    tab.search.setText("tam")
    tab.apply_filters()
    assert _heads(tab) == ["Lê Văn Tâm"]
    choices.set_value(tab.able, False)
    assert tab.model.total == 0
    tab.search.setText("")
    tab.village.setCurrentIndex(0)
    choices.set_value(tab.able, None)
    choices.set_value(tab.merit, True)
    assert _heads(tab) == ["Nguyễn Thị Đào"]


def test_sort_is_done_in_sql(tab):
    tab.view.sortByColumn(COLUMNS.index("household_code"), Qt.SortOrder.DescendingOrder)
    assert tab.model.query.sort == "household_code" and tab.model.query.descending
    assert tab.model.row_data(0)["household_code"] == "H05"
    tab.view.sortByColumn(COLUMNS.index("household_code"), Qt.SortOrder.AscendingOrder)
    assert tab.model.row_data(0)["household_code"] == "H01"


def test_model_never_loads_all_rows(app_ctx, qtbot, shown_messages):
    many = 3000
    households.add_households(app_ctx.store, [_hh(f"X{i:05d}", f"Hộ số {i}", "Thôn 3", "near_poor", True)
                                              for i in range(many)])
    w = HouseholdsTab(app_ctx)
    qtbot.addWidget(w)
    w.resize(1280, 640)
    w.show()
    assert w.model.rowCount() == many
    for value in range(0, w.view.verticalScrollBar().maximum() + 1, 997):
        w.view.verticalScrollBar().setValue(value)
        qtbot.wait(1)
    w.view.scrollToBottom()
    qtbot.wait(1)
    assert w.model.row_data(many - 1) is not None
    assert w.model.held_rows() <= MAX_PAGES * PAGE_SIZE < many
    assert w.model.fetch_calls <= 10  # 15 pages exist; only the visited ones were read


def test_moved_away_household_stays_findable(tab, seeded, qtbot):
    from cannngheo_desktop.registry.editing import record_event

    hid = rq.fetch_page(seeded.store, rq.ListQuery(search="hoa"), 0, 1)[0]["id"]
    record_event(seeded.store, hid, "moved_away", "01/02/2026")
    tab.refresh()
    assert tab.model.total == 4
    tab.show_removed.setChecked(True)
    assert tab.model.total == 5
    row = next(r for r in range(5) if tab.model.row_data(r)["id"] == hid)
    assert tab.model.data(tab.model.index(row, 1), Qt.ItemDataRole.ToolTipRole) == "Hộ đã chuyển đi"


def test_event_and_history_from_the_toolbar(tab, seeded, qtbot):
    tab.view.selectRow(0)
    hid = tab.selected_id()
    assert tab.actions_by_name["event"].isEnabled()
    head = households.get_household(seeded.store, hid)["head_name"]
    notes: list[str] = []
    tab._note = notes.append  # the main window's status bar in the app
    dialog = tab.record_event()
    choices.set_value(dialog.kind, "exited_near_poverty")
    dialog.date.setText("15/01/2026")
    dialog.decision.setText("25/QĐ-UBND")
    dialog.submit()
    assert dialog.result() == 1
    assert notes == [f"Đã ghi sự kiện «Thoát cận nghèo» cho hộ {head}."]
    assert households.get_household(seeded.store, hid)["category"] == "not_poor"
    tab.view.selectRow(next(r for r in range(tab.model.total) if tab.model.household_id(r) == hid))
    history = tab.show_history()
    assert any(r[3] == "Phân loại" and r[5] == "Không thuộc diện" for r in history.rows)
    assert any(r[2] == "Sự kiện" and "Thoát cận nghèo" in r[3] for r in history.rows), history.rows


def test_double_click_opens_editor_once(tab, qtbot):
    index = tab.model.index(0, 1)
    tab.view.doubleClicked.emit(index)
    tab.view.doubleClicked.emit(index)
    assert len(tab.editors) == 1
    editor = next(iter(tab.editors.values()))
    assert editor.household_id == tab.model.household_id(0)
    editor.close()


def test_export_current_filter_to_excel(tab, tmp_path, monkeypatch, qtbot, shown_messages):
    """Asked for full ID numbers (the message boxes answer yes), the export is the internal copy,
    locked with the password typed twice in the real input dialogs."""
    from PySide6.QtWidgets import QDialog

    from cannngheo_desktop.core.personal_data import open_protected_xlsx
    from cannngheo_desktop.gui.shell import account_actions

    def type_password(dialog) -> int:
        dialog.setTextValue("mat-khau-tep-xuat")
        dialog.accept()
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(account_actions, "run_dialog", type_password)
    target = tmp_path / "xuat.xlsx"
    monkeypatch.setattr(files, "choose_save_file", lambda *a, **k: target)
    choices.set_value(tab.category, "near_poor")
    tab.actions_by_name["export"].trigger()
    qtbot.waitUntil(lambda: any("Đã xuất 3 hộ" in m[2] for m in shown_messages), timeout=10_000)
    assert any("CCCD đầy đủ" in m[2] for m in shown_messages)
    assert b"Nguy" not in target.read_bytes()
    ws = openpyxl.load_workbook(open_protected_xlsx(target, "mat-khau-tep-xuat")).active
    text = " ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "Nguyễn Thị Hoa" in text and "Đỗ Thị Nguyệt" not in text


def test_template_from_the_toolbar(tab, tmp_path, monkeypatch, qtbot, shown_messages):
    target = tmp_path / "mau"
    monkeypatch.setattr(files, "choose_save_file", lambda *a, **k: target)
    tab.actions_by_name["template"].trigger()
    qtbot.waitUntil(lambda: (tmp_path / "mau.xlsx").exists() and bool(shown_messages), timeout=10_000)
    assert openpyxl.load_workbook(tmp_path / "mau.xlsx").sheetnames


def test_closing_the_window_asks_about_unsaved_editors(qtbot, seeded, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from cannngheo_desktop.gui.shell import errors
    from cannngheo_desktop.gui.shell.main_window import MainWindow

    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    monkeypatch.setattr(errors, "present", lambda box: int(answers.pop(0)))
    window = MainWindow(seeded)
    qtbot.addWidget(window)
    window.show()
    tab = window.ui.tabs.widget(0)
    editor = tab.edit_household(tab.model.household_id(0))
    editor.ui.addressEdit.setText("Số 1 đường Mới")
    assert editor.dirty
    assert not window.close()  # Hủy: the window and the editor stay
    assert window.isVisible() and editor.isVisible() and answers == [QMessageBox.StandardButton.Discard]
    assert window.close()  # Không lưu: everything closes, nothing written
    assert answers == []
    from cannngheo_desktop.storage import open_db

    with open_db(seeded.db_path, readonly=True) as store:  # the window closed its own store
        assert rq.count_households(store, rq.ListQuery(search="duong moi")) == 0
        assert rq.count_households(store, rq.ListQuery()) == 5


def test_unit_choosers_offer_only_the_offices_units(tab, qtbot, tmp_path):
    """The Thanh Trì office: its former communes and their successors, never another district's wards."""
    from cannngheo_desktop.gui.registry.household_editor import HouseholdEditor
    from cannngheo_desktop.gui.registry.import_dialog import ImportDialog

    editor = HouseholdEditor(tab.ctx, None)
    qtbot.addWidget(editor)
    dialog = ImportDialog(tab.ctx, tmp_path / "khong-co.xlsx", UNIT)
    qtbot.addWidget(dialog)
    for combo in (tab.unit, editor.ui.unitCombo, dialog.unit):
        codes = {combo.itemData(i) for i in range(combo.count())} - {None}
        labels = " | ".join(combo.itemText(i) for i in range(combo.count()))
        assert len(codes) == 16 and {"00640", "00646", UNIT} <= codes
        assert "Hà Đông" not in labels and "Khương Đình" not in labels and "Hồng Vân" not in labels
