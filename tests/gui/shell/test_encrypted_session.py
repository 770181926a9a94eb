"""Issue 16 in the window: an encrypted file is unlocked by the login before it is opened, the
recovery key typed in the password box opens it and asks for a new password, and a plain file
from an earlier version is encrypted right after its first login (recovery sheet shown)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cannngheo_desktop.demo import build as demo
from cannngheo_desktop.gui.shell import session
from cannngheo_desktop.gui.shell.login_dialog import LoginDialog
from cannngheo_desktop.gui.shell.password_dialog import PasswordDialog
from cannngheo_desktop.gui.shell.recovery_sheet_dialog import RecoverySheetDialog
from cannngheo_desktop.storage import cipher, encryption, installation, keyslots, open_db

ADMIN, PASSWORD = "canbo", "so-tay-can-bo-2026"


def _make_encrypted(path: Path) -> str:
    new = encryption.prepare_new_database(path)
    with open_db(path, key=new.key, user=ADMIN) as store:
        installation.initialize(store, role="commune", unit_code="00640", receiving_unit_code="020",
                                admin_name=ADMIN, admin_password=PASSWORD)
    cipher.forget(path)
    return new.recovery


class Script:
    """Answers the start-up dialogs in order, recording what was shown."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.shown: list[object] = []

    def __call__(self, dialog) -> int:
        self.shown.append(dialog)
        return self.answers.pop(0)(dialog)


def login(name: str, password: str):
    def answer(dialog: LoginDialog) -> int:
        assert isinstance(dialog, LoginDialog)
        dialog.ui.nameEdit.setText(name)
        dialog.ui.passwordEdit.setText(password)
        dialog.submit()
        return dialog.result()
    return answer


def new_password(password: str):
    def answer(dialog: PasswordDialog) -> int:
        assert isinstance(dialog, PasswordDialog)
        dialog.newEdit.setText(password)
        dialog.againEdit.setText(password)
        dialog.submit()
        return dialog.result()
    return answer


def read_sheet(dialog: RecoverySheetDialog) -> int:
    assert isinstance(dialog, RecoverySheetDialog)
    assert not dialog.ok.isEnabled()          # not before the person says the key is kept
    dialog.confirmBox.setChecked(True)
    dialog.ok.click()
    return dialog.result()


def test_the_login_unlocks_an_encrypted_file_and_a_wrong_password_is_told(qtbot, tmp_path, monkeypatch,
                                                                          shown_messages) -> None:
    path = tmp_path / "xa.sqlite"
    _make_encrypted(path)
    wrong_then_right = Script(login(ADMIN, "khong-dung-dau"))
    monkeypatch.setattr(session, "run_dialog", wrong_then_right)
    assert session.open_session(path, None) is None  # the wrong password kept the dialog open; cancelled
    dialog = wrong_then_right.shown[0]
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in dialog.ui.errorLabel.text()
    assert cipher.recall(path) is None
    monkeypatch.setattr(session, "run_dialog", Script(login(ADMIN, PASSWORD)))
    ctx = session.open_session(path, None)
    try:
        assert ctx is not None and ctx.user["name"] == ADMIN and ctx.store.key is not None
        assert ctx.installation.unit_code == "00640"
    finally:
        ctx.close()


def test_the_recovery_key_in_the_password_box_opens_and_asks_for_a_new_password(qtbot, tmp_path, monkeypatch,
                                                                                 shown_messages) -> None:
    path = tmp_path / "xa.sqlite"
    recovery = _make_encrypted(path)
    monkeypatch.setattr(session, "run_dialog", Script(login("", recovery), new_password("mot cau moi de nho")))
    ctx = session.open_session(path, None)
    try:
        assert ctx is not None and ctx.user["name"] == ADMIN
    finally:
        ctx.close()
    cipher.forget(path)
    with pytest.raises(Exception, match="không đúng"):
        keyslots.unlock(path, PASSWORD, name=ADMIN)
    assert keyslots.unlock(path, "mot cau moi de nho", name=ADMIN).kind == "user"


def test_a_plain_file_is_encrypted_after_its_first_login(qtbot, tmp_path, monkeypatch, shown_messages) -> None:
    path = tmp_path / "cu.sqlite"
    suite_key = cipher.key_for_new_file()
    cipher.set_key_for_new_files(None)  # made by an earlier version: plain
    try:
        with open_db(path, user=ADMIN) as store:
            demo.build_demo(store, year_in_progress=False)
            households = store.scalar("SELECT count(*) FROM households")
    finally:
        cipher.set_key_for_new_files(suite_key)
    assert cipher.is_plain_file(path)
    script = Script(login(demo.ADMIN_NAME, demo.ADMIN_PASSWORD), read_sheet)
    monkeypatch.setattr(session, "run_dialog", script)
    ctx = session.open_session(path, None)
    try:
        assert ctx is not None and ctx.store.key is not None
        assert ctx.store.scalar("SELECT count(*) FROM households") == households
        assert [type(d).__name__ for d in script.shown] == ["LoginDialog", "RecoverySheetDialog"]
        sheet = script.shown[1]
        saved = sheet.save_sheet(tmp_path / "phieu.pdf")
        assert saved is not None and saved.read_bytes().startswith(b"%PDF")
    finally:
        ctx.close()
    assert not cipher.is_plain_file(path)
    assert keyslots.read_key_file(path).find("user", demo.ADMIN_NAME) is not None


def test_the_window_locks_after_inactivity_and_the_password_reopens_it(qtbot, tmp_path, monkeypatch,
                                                                       shown_messages) -> None:
    from cannngheo_desktop.gui.shell.idle_lock import IdleLock
    from cannngheo_desktop.gui.shell.main_window import MainWindow

    path = tmp_path / "xa.sqlite"
    _make_encrypted(path)
    monkeypatch.setattr(session, "run_dialog", Script(login(ADMIN, PASSWORD)))
    ctx = session.open_session(path, None)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    guard = window.guard
    assert isinstance(guard.idle, IdleLock) and guard.screen is not None and not guard.screen.locked
    guard.idle.idle.emit()                      # what 15 quiet minutes end in
    assert guard.screen.locked
    guard.screen.password_edit.setText("khong-phai-mat-khau")
    guard.screen.try_unlock()
    assert guard.screen.locked and "không đúng" in guard.screen.error_label.text()
    guard.screen.password_edit.setText(PASSWORD)
    guard.screen.try_unlock()
    assert not guard.screen.locked
    window.close()
