"""The main window shell: four tabs, status bar, backup now, restore, about, and the file lock."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QMessageBox

from cannngheo_desktop import paths
from cannngheo_desktop.gui.shell import files, session
from cannngheo_desktop.gui.shell.main_window import MainWindow
from cannngheo_desktop.gui.shell.recovery_sheet_dialog import RecoverySheetDialog
from cannngheo_desktop.storage import cipher, households, keyslots, open_db
from tests.conftest import raw_connect

TAB_TITLES = ["Hộ gia đình", "Kế hoạch", "Báo cáo", "Trao đổi dữ liệu", "Rà soát"]


@pytest.fixture
def window(qtbot, app_ctx, shown_messages):
    w = MainWindow(app_ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def _add_household(store, name: str) -> str:
    return households.add_household(store, {"unit_code": "020", "category": "near_poor"},
                                     [{"full_name": name, "relation": "head"}])


def test_four_tabs_status_bar_and_size(window, app_ctx):
    assert window.tab_titles() == TAB_TITLES
    assert "Huyện Thanh Trì (020)" in window.unit_label.text()
    assert "quantri" in window.user_label.text()
    assert window.db_label.toolTip() == str(app_ctx.db_path)
    assert window.windowTitle() == "Huyện Thanh Trì — Cận Nghèo Desktop"  # Qt appends nothing to it
    assert window.width() <= 1366 and window.height() <= 740
    menus = [a.text() for a in window.ui.menuFile.actions() if not a.isSeparator()]
    assert menus == ["Thêm &hộ mới…", "&In…", "&Mở cơ sở dữ liệu…", "&Tạo cơ sở dữ liệu mới…",
                     "&Sao lưu ngay…", "&Khôi phục từ bản sao lưu…", "&Bộ chuẩn nghèo…", "Đổi &mật khẩu…", "T&hoát"]


def test_households_tab_counts_through_service(qtbot, app_ctx, shown_messages):
    tab_text = lambda w: w.ui.tabs.widget(0).count_label.text()  # noqa: E731
    w = MainWindow(app_ctx)
    qtbot.addWidget(w)
    assert "<b>0</b> hộ" in tab_text(w)
    _add_household(app_ctx.store, "Nguyễn Văn An")
    _add_household(app_ctx.store, "Trần Thị Bình")
    w.ui.tabs.widget(0).refresh()
    assert "<b>2</b> hộ" in tab_text(w) and w.ui.tabs.widget(0).model.total == 2


def test_backup_now_writes_a_copy_to_the_chosen_folder(qtbot, window, app_ctx, shown_messages,
                                                       tmp_path, monkeypatch):
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(files, "choose_folder", lambda *a, **k: usb)
    window.ui.actionBackupNow.trigger()
    qtbot.waitUntil(lambda: window.last_backup is not None, timeout=10_000)
    copies = list(usb.glob("*.sqlite"))
    assert copies == [window.last_backup]
    conn = raw_connect(copies[0])
    try:
        assert conn.execute("SELECT unit_code, role FROM installation").fetchone() == ("020", "aggregator")
    finally:
        conn.close()
    assert shown_messages[-1][0] == QMessageBox.Icon.Information
    assert str(copies[0]) in shown_messages[-1][2]


def test_backup_cancelled_folder_does_nothing(window, shown_messages, monkeypatch):
    monkeypatch.setattr(files, "choose_folder", lambda *a, **k: None)
    window.ui.actionBackupNow.trigger()
    assert window.last_backup is None and shown_messages == []


def test_restore_replaces_data_after_safety_copy(qtbot, window, app_ctx, shown_messages, login_as_admin,
                                                 tmp_path, monkeypatch):
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(files, "choose_folder", lambda *a, **k: usb)
    window.ui.actionBackupNow.trigger()
    qtbot.waitUntil(lambda: window.last_backup is not None, timeout=10_000)
    _add_household(app_ctx.store, "Lê Văn Sau")
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: window.last_backup)

    del shown_messages[:]
    window.ui.actionRestore.trigger()
    assert window.ctx is not app_ctx
    assert window.ui.tabs.widget(0).model.total == 0
    assert shown_messages[0][0] == QMessageBox.Icon.Question  # confirmation first
    safety = list(paths.backups_dir(window.ctx.db_path).glob("*truoc-khoi-phuc*"))
    assert len(safety) == 1 and str(safety[0]) in shown_messages[-1][2]
    with open_db(safety[0], readonly=True) as old:  # the replaced data is kept
        assert old.scalar("SELECT count(*) FROM households") == 1
    window.close()


def test_about_names_version_data_and_log(window, shown_messages):
    window.ui.actionAbout.trigger()
    icon, title, text = shown_messages[-1]
    assert title == "Giới thiệu Cận Nghèo Desktop"
    assert "0.1.0" in text and str(paths.log_file()) in text and str(paths.data_dir()) in text


def test_second_copy_is_told_who_holds_the_file(qtbot, installed_store, shown_messages):
    """installed_store holds the session lock like a running window; a second open is refused."""
    ctx = session.open_session(installed_store.path, None)
    assert ctx is None
    icon, _title, text = shown_messages[-1]
    assert icon == QMessageBox.Icon.Warning
    assert "đang được mở bởi quantri trên máy" in text and str(installed_store.path) in text


def test_new_database_runs_setup_and_switches(qtbot, window, app_ctx, shown_messages, tmp_path, monkeypatch):
    target = tmp_path / "moi" / "xa-ta-thanh-oai.sqlite"
    target.parent.mkdir()
    monkeypatch.setattr(files, "choose_save_file", lambda *a, **k: target)

    def fill_setup(dialog):
        if isinstance(dialog, RecoverySheetDialog):  # shown once the new file is encrypted
            shown_sheets.append(dialog.keyLabel.text())
            dialog.confirmBox.setChecked(True)
            dialog.accept()
            return dialog.result()
        ui = dialog.ui
        ui.startDateEdit.setDate(QDate(2024, 6, 1))  # Xã Tả Thanh Oai is offered only before 1/7/2025
        ui.unitCombo.setCurrentIndex(ui.unitCombo.findData("00649"))
        assert ui.receivingCombo.currentData() == "020"  # pre-filled: the unit's parent
        ui.adminNameEdit.setText("canbo")
        ui.passwordEdit.setText("bimat-2023")
        ui.password2Edit.setText("bimat-2023")
        dialog.submit()
        return dialog.result()

    shown_sheets: list[str] = []
    monkeypatch.setattr(session, "run_dialog", fill_setup)
    old_path = app_ctx.db_path
    window.ui.actionNewDatabase.trigger()
    assert window.ctx.db_path == target.resolve()
    assert len(shown_sheets) == 1 and len(shown_sheets[0]) == 39  # 8 groups of 4, dashes between
    assert not cipher.is_plain_file(target) and keyslots.read_key_file(target).find("user", "canbo")
    assert window.unit_label.text() == "Đơn vị: Xã Tả Thanh Oai (00649)"
    assert window.user_label.text() == "Người dùng: canbo"
    # the previous file was closed and its lock released: it opens (locked) again
    open_db(old_path, lock=True).close()
    window.close()


def test_new_database_refuses_existing_file(window, app_ctx, shown_messages, monkeypatch):
    monkeypatch.setattr(files, "choose_save_file", lambda *a, **k: app_ctx.db_path)
    window.ui.actionNewDatabase.trigger()
    assert window.ctx is app_ctx
    assert "đã có" in shown_messages[-1][2]


def test_open_database_refuses_foreign_file(window, app_ctx, shown_messages, tmp_path, monkeypatch):
    foreign = tmp_path / "ghi-chu.sqlite"
    foreign.write_bytes(b"khong phai sqlite" * 10)
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: foreign)
    window.ui.actionOpenDatabase.trigger()
    assert window.ctx is app_ctx
    assert "không phải cơ sở dữ liệu của Cận Nghèo Desktop" in shown_messages[-1][2]
    assert foreign.read_bytes() == b"khong phai sqlite" * 10


def test_window_session_lock_names_the_os_account(qtbot, installed_store, admin_login, login_as_admin, shown_messages,
                                                  monkeypatch):
    import getpass

    path = installed_store.path
    installed_store.close()

    first = session.open_session(path, None)
    try:
        assert first is not None and first.store.user == admin_login[0]
        assert session.open_session(path, None) is None
        assert f"đang được mở bởi {getpass.getuser()} trên máy" in shown_messages[-1][2]
    finally:
        first.close()
    second = session.open_session(path, None)  # released on close
    assert second is not None
    second.close()
