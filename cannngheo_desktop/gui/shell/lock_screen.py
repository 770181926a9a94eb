"""The lock screen shown after inactivity (gui/shell/idle_lock.py): an opaque layer over the whole
main window (nothing of the data shows), a plain curtain over every other open window, and the
password of the person signed in to come back.

The password is checked by the caller's ``verify(password) -> bool`` (the key-slot check of the
session); it may raise an AppError (e.g. "wait N seconds" after repeated failures), whose message
is shown. While locked, keyboard and mouse input for anything but the lock screen is swallowed
(menus, shortcuts, the windows behind). ``verify`` runs on the GUI thread: it is one scrypt
(about a second), with a busy cursor.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import AppError

BACKGROUND = "#1f3b57"
CARD_TEXT_WIDTH = 400
BLOCKED = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride, QEvent.Type.Shortcut,
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.Wheel, QEvent.Type.ContextMenu, QEvent.Type.TouchBegin, QEvent.Type.InputMethod,
})


class LockScreen(QWidget):
    """Covers ``window`` when :meth:`lock` is called; emits ``unlocked`` once ``verify`` accepts."""

    unlocked = Signal()

    def __init__(self, window: QWidget, user_label: str, verify: Callable[[str], bool]) -> None:
        super().__init__(window)
        self.window_ = window
        self.verify = verify
        self._curtains: list[QWidget] = []
        self.setObjectName("lockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"#lockScreen {{ background: {BACKGROUND}; }}")
        self.setAutoFillBackground(True)

        card = QFrame(self)
        card.setObjectName("lockCard")
        card.setStyleSheet("#lockCard { background: white; border-radius: 6px; }")
        title = QLabel("<b style='font-size:15pt'>Phiên làm việc đã khóa</b>")
        self.who_label = QLabel(f"Đang đăng nhập: <b>{escape(user_label)}</b>")
        explain = QLabel("Chương trình tự khóa sau một thời gian không dùng, để người khác không xem được "
                         "dữ liệu hộ gia đình. Nhập mật khẩu của bạn để tiếp tục.")
        explain.setWordWrap(True)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("Mật khẩu")
        self.password_edit.returnPressed.connect(self.try_unlock)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        self.unlock_button = QPushButton("&Mở khóa")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(10)
        for widget in (title, self.who_label, explain, self.password_edit, self.error_label, self.unlock_button):
            widget.setFixedWidth(CARD_TEXT_WIDTH)  # a fixed width lets wrapped labels take their full height
            inner.addWidget(widget)
        inner.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.hide()
        window.installEventFilter(self)

    # --- locking -------------------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self.isVisible() or bool(self._curtains)

    def lock(self) -> None:
        """Cover the window (and curtain the other open windows); no-op when already locked."""
        if self.locked:
            return
        self.setGeometry(self.window_.rect())
        self.password_edit.clear()
        self.error_label.hide()
        for top in QApplication.topLevelWidgets():
            if top is not self.window_ and top.isVisible() and not top.isAncestorOf(self):
                self._curtains.append(self._curtain(top))
        self.show()
        self.raise_()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _curtain(self, top: QWidget) -> QWidget:
        curtain = QWidget(top)
        curtain.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        curtain.setStyleSheet(f"background: {BACKGROUND};")
        curtain.setGeometry(top.rect())
        curtain.show()
        curtain.raise_()
        return curtain

    def _unlock(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        for curtain in self._curtains:
            curtain.deleteLater()
        self._curtains = []
        self.password_edit.clear()
        self.hide()
        self.unlocked.emit()

    def try_unlock(self) -> None:
        """Check the typed password with ``verify``; unlock, or say why not and stay locked."""
        password = self.password_edit.text()
        if not password:
            self._say("Hãy nhập mật khẩu.")
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            ok = bool(self.verify(password))
            problem = "" if ok else "Mật khẩu không đúng. Hãy nhập lại."
        except AppError as exc:
            ok, problem = False, exc.message
        finally:
            QGuiApplication.restoreOverrideCursor()
        if ok:
            self._unlock()
        else:
            self._say(problem)

    def _say(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        self.password_edit.selectAll()
        self.password_edit.setFocus()

    # --- while locked --------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if watched is self.window_ and kind == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.window_.rect())
            self.raise_()
            return False
        if not self.isVisible() or kind not in BLOCKED:
            return False
        if isinstance(watched, QWindow):
            return False  # the native window passes input on to its widgets, filtered next
        if isinstance(watched, QWidget):
            return not (watched is self or self.isAncestorOf(watched))
        return kind == QEvent.Type.Shortcut  # a QAction/QShortcut of the windows behind
