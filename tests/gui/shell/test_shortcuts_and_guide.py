"""The keyboard map of the main window (Ctrl+N new household, Ctrl+F search, Ctrl+P print, F1 the
guide at the page of the tab in use), typed as real key presses on the shown window; the guide's
shortcut table lists every shortcut the menus show; the title names the app once."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from cannngheo_desktop import APP_TITLE, paths
from cannngheo_desktop.gui.registry.household_editor import HouseholdEditor
from cannngheo_desktop.gui.shell import help_window
from cannngheo_desktop.gui.shell.main_window import TAB_HELP, MainWindow

# What F1 must open on each tab, and a heading that page must show.
TAB_PAGES = {"Hộ gia đình": ("ho-gia-dinh.md", "Cập nhật hộ gia đình"),
             "Kế hoạch": ("ho-tro.md", "Ghi hoạt động hỗ trợ"),
             "Báo cáo": ("in-ho-so.md", "In hồ sơ, báo cáo"),
             "Trao đổi dữ liệu": ("xuat-goi.md", "Xuất gói tháng"),
             "Rà soát": ("ra-soat.md", "Rà soát hằng năm")}


@pytest.fixture
def window(qtbot, app_ctx, shown_messages):
    w = MainWindow(app_ctx)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5_000)
    yield w
    if w.help_window is not None:
        w.help_window.close()


def _press(qtbot, window, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press where the cadre's focus is: the current tab's focused widget, or the window."""
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifier)


@pytest.mark.parametrize("title", list(TAB_PAGES))
def test_f1_opens_the_guide_page_of_each_tab(qtbot, window, title):
    window.ui.tabs.setCurrentIndex(window.tab_titles().index(title))
    window.ui.tabs.currentWidget().setFocus()
    _press(qtbot, window, Qt.Key.Key_F1)
    guide = window.help_window
    assert guide is not None and guide.isVisible()
    page, heading = TAB_PAGES[title]
    assert guide.page() == page
    assert heading in guide.text()
    # the table of contents follows the page shown
    assert guide.contents.currentItem().data(Qt.ItemDataRole.UserRole) == page


def test_guide_links_and_images_resolve(qtbot):
    """Every page of the contents exists, every link names a page of the guide, every image is a
    shipped PNG under 200 KB, and the browser follows a link to another page."""
    folder = paths.resource_path("guide")
    names = [name for name, _title in help_window.PAGES]
    assert sorted(p.name for p in folder.glob("*.md")) == sorted(names)
    for name in names:
        text = (folder / name).read_text(encoding="utf-8")
        for link in re.findall(r"\]\(([^)]+\.md)\)", text):
            assert link in names, (name, link)
        for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
            path = folder / image
            assert path.suffix == ".png" and path.is_file(), (name, image)
            assert 0 < path.stat().st_size < 200 * 1024, (image, path.stat().st_size)
    guide = help_window.HelpWindow()
    qtbot.addWidget(guide)
    guide.show_page("index.md")
    guide.browser.setSource(guide.browser.source().resolved(guide.browser.source().__class__("phim-tat.md")))
    assert guide.page() == "phim-tat.md" and "Phím tắt" in guide.text()
    guide.back_button.click()
    assert guide.page() == "index.md"


def test_ctrl_n_opens_a_new_household_editor_from_any_tab(qtbot, window):
    window.ui.tabs.setCurrentIndex(window.tab_titles().index("Trao đổi dữ liệu"))
    _press(qtbot, window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    households = window.ui.tabs.widget(0)
    assert window.ui.tabs.currentWidget() is households
    editors = [e for e in households.editors.values() if isinstance(e, HouseholdEditor)]
    assert len(editors) == 1 and editors[0].household_id is None and editors[0].isVisible()
    for editor in editors:
        editor.close()


def test_ctrl_n_is_no_longer_a_new_database(window):
    assert window.ui.actionNewHousehold.shortcut() == QKeySequence("Ctrl+N")
    assert window.ui.actionNewDatabase.shortcut().isEmpty()


def test_ctrl_f_puts_the_cursor_in_the_household_search(qtbot, window):
    window.ui.tabs.setCurrentIndex(window.tab_titles().index("Báo cáo"))
    households = window.ui.tabs.widget(0)
    households.search.setText("nguyen")
    households.apply_filters()  # the debounced search runs now, not after the store is closed
    _press(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.ui.tabs.currentWidget() is households
    qtbot.waitUntil(lambda: households.search.hasFocus(), timeout=2_000)
    assert households.search.selectedText() == "nguyen"  # typing replaces the old search


def test_ctrl_p_without_a_chosen_form_says_what_to_do(qtbot, window):
    reports = window.ui.tabs.widget(window.tab_titles().index("Báo cáo"))
    reports.spec = None
    window.ui.tabs.setCurrentIndex(window.tab_titles().index("Trao đổi dữ liệu"))  # a tab that prints nothing
    _press(qtbot, window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.ui.tabs.currentWidget() is reports
    assert "Chọn mẫu cần in" in window.note_label.text()


def test_menus_show_the_shortcuts_and_the_guide_lists_them(window):
    actions = [a for menu in (window.ui.menuFile, window.ui.menuEdit, window.ui.menuHelp)
               for a in menu.actions() if not a.isSeparator()]
    shown = {a.shortcut().toString(): a for a in actions if not a.shortcut().isEmpty()}
    assert set(shown) == {"Ctrl+N", "Ctrl+P", "Ctrl+O", "Ctrl+Q", "Ctrl+F", "F1"}
    for key, action in shown.items():
        assert f"({key})" in action.toolTip(), (key, action.toolTip())
    table = (paths.resource_path("guide") / help_window.SHORTCUTS_PAGE).read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| ([^|]+?) \|", table, flags=re.MULTILINE))
    assert set(shown) <= listed, set(shown) - listed
    assert len(TAB_HELP) == window.ui.tabs.count()


def test_title_names_the_app_once(qtbot, app_ctx, shown_messages):
    app_ctx.demo = True
    w = MainWindow(app_ctx)
    qtbot.addWidget(w)
    assert w.windowTitle() == f"Huyện Thanh Trì — dữ liệu mẫu — {APP_TITLE}"
    assert w.windowTitle().count(APP_TITLE) == 1 and w.windowTitle().endswith(APP_TITLE)
