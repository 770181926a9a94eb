"""Issue 17.1 and 17.4 on real widgets: the search shows whom it found (head first), and the registry
tab and household editor follow Windows keyboard conventions (Enter/F2 open, Tab leaves the table,
Delete asks first, Ctrl+S saves with a message, Esc asks about unsaved changes, Ctrl+P and the
«In hồ sơ…» button print the household's profile)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cannngheo_desktop.gui.registry import profile_print
from cannngheo_desktop.gui.registry.event_dialog import EventDialog
from cannngheo_desktop.gui.registry.household_editor import HouseholdEditor
from cannngheo_desktop.gui.registry.household_table_model import COLUMNS
from cannngheo_desktop.gui.registry.households_tab import HouseholdsTab
from cannngheo_desktop.registry import queries as rq
from cannngheo_desktop.storage import households
from tests.gui.registry.household_helpers import TODAY

UNIT = "00685"
CTRL = Qt.KeyboardModifier.ControlModifier


def _hh(code, head, extra=()):
    return ({"unit_code": UNIT, "household_code": code, "village": "Thôn 1", "category": "near_poor"},
            [{"full_name": head, "relation": "head", "birth_date": "1970-01-01", "cccd": None}, *extra])


@pytest.fixture
def seeded(app_ctx):
    households.add_households(app_ctx.store, [
        _hh("NP-T1-0001", "Nguyễn Thị Hoa"),
        _hh("NP-T1-0002", "Nguyễn Thị Đào"),
        _hh("NP-T1-0003", "Trần Văn Nguyên"),
        _hh("NP-T2-0004", "Lê Văn Tâm", extra=[{"full_name": "Nguyễn Thị Thu", "relation": "spouse",
                                                "cccd": "001180098765"}]),
        _hh("NP-T2-0005", "Đỗ Thị Nguyệt"),
    ])
    return app_ctx


@pytest.fixture
def tab(qtbot, seeded, shown_messages):
    w = HouseholdsTab(seeded)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    return w


def _type_search(qtbot, tab, text: str) -> None:
    tab.search.clear()
    QTest.keyClicks(tab.search, text)
    qtbot.waitUntil(lambda: tab.model.query.search == text, timeout=3000)


def _column(tab, name: str) -> list[str]:
    return [tab.model.data(tab.model.index(r, COLUMNS.index(name))) for r in range(tab.model.rowCount())]


def test_search_lists_heads_first_and_shows_whom_it_found(qtbot, tab):
    matched = COLUMNS.index("matched")
    assert tab.view.isColumnHidden(matched)
    _type_search(qtbot, tab, "nguyen thi")
    # Trần Văn Nguyên has no "thi", Đỗ Thị Nguyệt no whole word "nguyen": one person must hold every word
    assert _column(tab, "head_name") == ["Nguyễn Thị Đào", "Nguyễn Thị Hoa", "Lê Văn Tâm"]
    assert _column(tab, "matched") == ["Nguyễn Thị Đào (Chủ hộ)", "Nguyễn Thị Hoa (Chủ hộ)",
                                       "Nguyễn Thị Thu (Vợ/Chồng)"]
    assert not tab.view.isColumnHidden(matched)
    assert tab.view.horizontalHeader().sortIndicatorSection() == matched
    assert "<b>3</b> hộ" in tab.count_label.text()
    tab.grab().save("/tmp/shots/registry-search-per-person.png")
    # a header click is the user's order: kept while the search changes
    QTest.mouseClick(tab.view.horizontalHeader().viewport(), Qt.MouseButton.LeftButton, pos=_section_center(tab, 0))
    qtbot.waitUntil(lambda: tab.model.query.sort == "household_code", timeout=3000)
    _type_search(qtbot, tab, "nguyen thi thu")
    assert _column(tab, "head_name") == ["Lê Văn Tâm"]
    assert tab.model.query.sort == "household_code"
    # part of a CCCD (4+ characters) finds the member who holds it
    _type_search(qtbot, tab, "98765")
    assert _column(tab, "matched") == ["Nguyễn Thị Thu (Vợ/Chồng)"]
    _type_search(qtbot, tab, "T2-000")
    assert _column(tab, "household_code") == ["NP-T2-0004", "NP-T2-0005"]


def _section_center(tab, section: int) -> QPoint:
    header = tab.view.horizontalHeader()
    return QPoint(header.sectionViewportPosition(section) + header.sectionSize(section) // 2, header.height() // 2)


def test_enter_f2_open_the_selected_household_and_tab_leaves_the_table(qtbot, tab):
    tab.view.setFocus()
    tab.view.selectRow(0)
    hid = tab.selected_id()
    QTest.keyClick(tab.view, Qt.Key.Key_Return)
    assert hid in tab.editors and tab.editors[hid].isVisible()
    tab.editors[hid].close()
    qtbot.waitUntil(lambda: hid not in tab.editors, timeout=3000)
    tab.view.selectRow(2)
    other = tab.selected_id()
    QTest.keyClick(tab.view, Qt.Key.Key_F2)
    assert other in tab.editors
    tab.editors[other].close()
    tab.activateWindow()
    tab.view.setFocus()
    QTest.keyClick(tab.view, Qt.Key.Key_Tab)
    assert tab.view.tabKeyNavigation() is False
    assert tab.focusWidget() is not tab.view  # Tab went on to the next control
    assert "Enter" in tab.actions_by_name["edit"].toolTip() and "Ctrl+N" in tab.actions_by_name["add"].toolTip()
    assert "Ctrl+F" in tab.search.toolTip()


def test_delete_asks_first_and_erases_nothing(qtbot, tab, shown_messages, monkeypatch):
    tab.view.setFocus()
    tab.view.selectRow(0)
    before = rq.count_households(tab.ctx.store, rq.ListQuery(include_removed=True))
    answers = iter([False])
    monkeypatch.setattr("cannngheo_desktop.gui.shell.errors.confirm", lambda _p, text, *a: (
        shown_messages.append(text), next(answers))[1])
    QTest.keyClick(tab.view, Qt.Key.Key_Delete)
    assert "không xóa hẳn" in shown_messages[-1]
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, EventDialog) and w.isVisible()]
    answers = iter([True])
    QTest.keyClick(tab.view, Qt.Key.Key_Delete)
    dialogs = [w for w in tab.findChildren(EventDialog) if w.isVisible()]
    assert len(dialogs) == 1  # yes: record why the household leaves the list
    dialogs[0].reject()
    assert rq.count_households(tab.ctx.store, rq.ListQuery(include_removed=True)) == before


def test_new_household_and_focus_search_for_the_main_window(qtbot, tab):
    editor = tab.new_household()
    assert isinstance(editor, HouseholdEditor) and editor.household_id is None
    editor.close()
    tab.view.setFocus()
    tab.search.setText("abc")
    qtbot.waitUntil(lambda: tab.model.query.search == "abc", timeout=3000)  # the search ran
    tab.focus_search()
    assert tab.search.hasFocus() or tab.focusWidget() is tab.search
    assert tab.search.selectedText() == "abc"


@pytest.fixture
def opened(qtbot, seeded, shown_messages):
    hid = households.search_ids(seeded.store, "le van tam")[0]
    e = HouseholdEditor(seeded, hid, today=TODAY)
    qtbot.addWidget(e)
    e.resize(1366, 768)
    e.show()
    qtbot.waitExposed(e)
    return e


def test_ctrl_s_saves_with_a_message_and_esc_asks_when_unsaved(qtbot, opened, shown_messages, monkeypatch):
    e = opened
    e.ui.incomeEdit.setText("3.500.000")
    assert e.dirty
    QTest.keyClick(e, Qt.Key.Key_S, CTRL)
    assert not e.dirty
    assert e.ui.statusLabel.text().startswith("Đã lưu hộ Lê Văn Tâm (NP-T2-0004) lúc ")
    assert "Ctrl+S" in e.ui.saveButton.toolTip() and "Esc" in e.ui.closeButton.toolTip()
    e.ui.incomeEdit.setText("3.600.000")
    asked = []
    import cannngheo_desktop.gui.registry.household_editor as editor_module

    monkeypatch.setattr(editor_module, "ask_unsaved", lambda _w, name: (asked.append(name), editor_module.CANCEL)[1])
    QTest.keyClick(e, Qt.Key.Key_Escape)
    assert asked and e.isVisible()  # cancelled: still open, still dirty
    assert e.dirty


def test_print_button_and_ctrl_p_print_the_saved_profile(qtbot, opened, monkeypatch, tmp_path):
    e = opened
    opened_pdfs: list[Path] = []
    monkeypatch.setattr(profile_print, "open_pdf", lambda path: opened_pdfs.append(Path(path)) or True)
    assert e.print_button.isVisible() and "Ctrl+P" in e.print_button.toolTip()
    e.grab().save("/tmp/shots/household-editor-print.png")
    QTest.keyClick(e, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: len(opened_pdfs) == 1, timeout=20_000)
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(opened_pdfs[0]).pages)
    assert "Lê Văn Tâm" in text and "Nguyễn Thị Thu" in text
    assert "Đã mở hồ sơ hộ để in" in e.ui.statusLabel.text()
    # with unsaved changes the button asks, saves, then prints what was saved
    e.ui.incomeEdit.setText("2.900.000")
    QTest.mouseClick(e.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(opened_pdfs) == 2, timeout=20_000)
    assert not e.dirty


def test_members_table_keys(qtbot, opened, shown_messages):
    e = opened
    e.ui.tabs.setCurrentIndex(1)
    table = e.ui.membersTable
    table.setFocus()
    table.selectRow(1)
    QTest.keyClick(table, Qt.Key.Key_Delete)
    assert any("Xóa Nguyễn Thị Thu" in m[2] for m in shown_messages)  # asked (the fixture answers yes)
    assert [m["full_name"] for m in e.live_members()] == ["Lê Văn Tâm"]
    assert e.dirty
    assert table.tabKeyNavigation() is False
