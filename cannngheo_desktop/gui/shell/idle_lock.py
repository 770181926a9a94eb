"""Notice when nobody has used the app for a while: ``IdleLock.idle`` is emitted after N minutes
without keyboard, mouse, wheel or touch input anywhere in the application (an app-wide event
filter), so the window can lock itself (gui/shell/lock_screen.py).

N comes from the setting ``session_lock_minutes`` (:func:`parse_minutes`: default 15, 0 = never,
at most a day). Tests pass ``timeout_ms``. The filter only notes the time of the last input (one
comparison per event); the single-shot timer checks it when it fires and re-arms for the rest,
so a moving mouse costs no timer restarts. After ``idle`` the timer waits for the next input.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

SETTING = "session_lock_minutes"
DEFAULT_MINUTES = 15
MAX_MINUTES = 24 * 60

INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TabletPress,
    QEvent.Type.InputMethod,
})


def parse_minutes(value: object) -> int:
    """The setting's text → minutes (0 = never lock). Missing or not a whole number in
    0…1440: the default, 15."""
    if value is None:
        return DEFAULT_MINUTES
    try:
        minutes = int(str(value).strip())
    except ValueError:
        return DEFAULT_MINUTES
    return minutes if 0 <= minutes <= MAX_MINUTES else DEFAULT_MINUTES


class IdleLock(QObject):
    """Emits ``idle()`` once after ``minutes`` (or ``timeout_ms``) without input; 0 = never."""

    idle = Signal()

    def __init__(self, minutes: int = DEFAULT_MINUTES, parent: QObject | None = None, *,
                 timeout_ms: int | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        self._last = time.monotonic()
        self._timeout_ms = 0
        self._waiting_for_input = False
        app = QApplication.instance()
        if app is None:
            raise RuntimeError("IdleLock needs a QApplication")
        app.installEventFilter(self)
        self.set_timeout_ms(timeout_ms if timeout_ms is not None else int(minutes) * 60_000)

    @property
    def timeout_ms(self) -> int:
        return self._timeout_ms

    @property
    def active(self) -> bool:
        """True while counting towards ``idle`` (False when set to never, or after ``idle``)."""
        return self._timer.isActive()

    def set_minutes(self, minutes: int) -> None:
        self.set_timeout_ms(int(minutes) * 60_000)

    def set_timeout_ms(self, timeout_ms: int) -> None:
        """Change the delay (0 = never) and count again from now."""
        self._timeout_ms = max(0, int(timeout_ms))
        self.restart()

    def restart(self) -> None:
        """Count from now (after unlocking, or after the delay changed)."""
        self._last = time.monotonic()
        self._waiting_for_input = False
        if self._timeout_ms:
            self._timer.start(self._timeout_ms)
        else:
            self._timer.stop()

    def stop(self) -> None:
        """Stop for good (the session ends); the filter is removed."""
        self._timer.stop()
        self._timeout_ms = 0
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in INPUT_EVENTS:
            self._last = time.monotonic()
            if self._waiting_for_input and self._timeout_ms:
                self._waiting_for_input = False
                self._timer.start(self._timeout_ms)
        return False  # only watching: every event goes on to its receiver

    def _check(self) -> None:
        quiet_ms = (time.monotonic() - self._last) * 1000
        left = self._timeout_ms - quiet_ms
        if left > 1:
            self._timer.start(int(left) + 1)
            return
        self._waiting_for_input = True
        self.idle.emit()
