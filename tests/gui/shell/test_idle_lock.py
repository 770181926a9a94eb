"""Session lock after inactivity: IdleLock (input resets the count, 0 = never) and the lock screen
(covers the window, swallows input meant for it, the wrong password keeps it locked)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QMainWindow, QVBoxLayout, QWidget

from cannngheo_desktop.core.errors import AuthError
from cannngheo_desktop.gui.shell import idle_lock
from cannngheo_desktop.gui.shell.idle_lock import IdleLock
from cannngheo_desktop.gui.shell.lock_screen import LockScreen

SECRET = "so-tay-can-bo-2026"


@pytest.fixture
def window(qtbot):
    win = QMainWindow()
    central = QWidget()
    layout = QVBoxLayout(central)
    win.data_label = QLabel("Nguyễn Văn An — CCCD 001080012345")
    win.edit = QLineEdit()
    layout.addWidget(win.data_label)
    layout.addWidget(win.edit)
    win.setCentralWidget(central)
    win.saved = []
    save = QAction("Lưu", win)
    save.setShortcut(QKeySequence("Ctrl+S"))
    save.triggered.connect(lambda: win.saved.append(1))
    win.addAction(save)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_idle_is_emitted_after_the_timeout(qtbot):
    lock = IdleLock(timeout_ms=150)
    try:
        with qtbot.waitSignal(lock.idle, timeout=3_000):
            pass
        assert not lock.active  # waits for input before counting again
    finally:
        lock.stop()


def test_input_resets_the_count(qtbot, window):
    lock = IdleLock(timeout_ms=600)
    fired: list[int] = []
    lock.idle.connect(lambda: fired.append(1))
    try:
        for _ in range(6):  # keep typing every 200 ms for 1.2 s: never idle
            qtbot.wait(200)
            qtbot.keyClick(window.edit, Qt.Key.Key_A)
        assert fired == []
        qtbot.waitUntil(lambda: fired == [1], timeout=3_000)
        qtbot.wait(800)
        assert fired == [1]  # once per quiet period
        qtbot.mouseClick(window.edit, Qt.MouseButton.LeftButton)  # input: counts again
        qtbot.waitUntil(lambda: fired == [1, 1], timeout=3_000)
    finally:
        lock.stop()


def test_zero_minutes_never_locks(qtbot):
    lock = IdleLock(minutes=0)
    fired: list[int] = []
    lock.idle.connect(lambda: fired.append(1))
    try:
        assert not lock.active and lock.timeout_ms == 0
        lock.set_timeout_ms(100)
        assert lock.active
        lock.set_minutes(0)
        qtbot.wait(300)
        assert fired == [] and not lock.active
    finally:
        lock.stop()


@pytest.mark.parametrize(("text", "minutes"), [(None, 15), ("", 15), ("5", 5), (" 30 ", 30), ("0", 0),
                                               ("-1", 15), ("1441", 15), ("mười", 15), ("1.5", 15)])
def test_setting_parsing(text, minutes):
    assert idle_lock.parse_minutes(text) == minutes


def test_lock_screen_covers_and_unlocks_with_the_right_password(qtbot, window):
    tries: list[str] = []

    def verify(password: str) -> bool:
        tries.append(password)
        return password == SECRET

    screen = LockScreen(window, "canbo (Nguyễn Thị Bình)", verify)
    screen.lock()
    assert screen.locked and screen.isVisible()
    assert screen.geometry() == window.rect()
    assert "canbo (Nguyễn Thị Bình)" in screen.who_label.text()
    # what shows is the lock screen, not the data behind it
    assert window.childAt(window.data_label.geometry().center()) is not window.data_label
    # typing goes to the password field; the window's shortcut does not fire
    qtbot.keyClick(window.edit, Qt.Key.Key_X)
    assert window.edit.text() == ""
    qtbot.keyClick(screen.password_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.saved == []
    # wrong password: stays locked with a message
    qtbot.keyClicks(screen.password_edit, "sai-mat-khau")
    qtbot.keyClick(screen.password_edit, Qt.Key.Key_Return)
    assert screen.locked and "không đúng" in screen.error_label.text() and tries == ["sai-mat-khau"]
    # empty: no check at all
    screen.password_edit.clear()
    screen.unlock_button.click()
    assert screen.locked and tries == ["sai-mat-khau"] and "Hãy nhập" in screen.error_label.text()
    # right password: unlocked, the window works again
    screen.password_edit.setText(SECRET)
    with qtbot.waitSignal(screen.unlocked, timeout=2_000):
        screen.unlock_button.click()
    assert not screen.locked and not screen.isVisible() and screen.password_edit.text() == ""
    qtbot.keyClick(window.edit, Qt.Key.Key_X)
    assert window.edit.text() == "x"


def test_a_wait_message_from_verify_is_shown(qtbot, window):
    def verify(password: str) -> bool:
        raise AuthError("Đã nhập sai 5 lần. Hãy đợi 30 giây rồi thử lại.")

    screen = LockScreen(window, "canbo", verify)
    screen.lock()
    screen.password_edit.setText(SECRET)
    screen.unlock_button.click()
    assert screen.locked and "đợi 30 giây" in screen.error_label.text()


def test_other_open_windows_are_curtained_and_follow_resizes(qtbot, window):
    other = QDialog()
    QVBoxLayout(other).addWidget(QLabel("Trần Văn Cường — 0123456789"))
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    screen = LockScreen(window, "canbo", lambda p: p == SECRET)
    screen.lock()
    assert other.isVisible()  # not closed (unsaved work in it is kept) ...
    curtain = other.childAt(other.rect().center())
    assert curtain is not None and curtain.parent() is other and not isinstance(curtain, QLabel)  # ... but covered
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: screen.geometry() == window.rect(), timeout=2_000)
    screen.password_edit.setText(SECRET)
    screen.try_unlock()
    qtbot.waitUntil(lambda: isinstance(other.childAt(other.rect().center()), (QLabel, type(None))) or
                    other.childAt(other.rect().center()) is not curtain, timeout=2_000)
    screen.lock()
    screen.lock()  # twice: still one lock
    assert screen.locked


def test_idle_drives_the_lock_screen(qtbot, window):
    screen = LockScreen(window, "canbo", lambda p: p == SECRET)
    lock = IdleLock(timeout_ms=200)
    lock.idle.connect(screen.lock)
    screen.unlocked.connect(lock.restart)
    try:
        qtbot.waitUntil(lambda: screen.locked, timeout=3_000)
        screen.password_edit.setText(SECRET)
        screen.try_unlock()
        assert not screen.locked and lock.active
        qtbot.waitUntil(lambda: screen.locked, timeout=3_000)
    finally:
        lock.stop()
