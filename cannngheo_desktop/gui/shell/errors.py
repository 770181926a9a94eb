"""How the window reports failures: AppError → a message box; anything else → log + crash dialog.

Every message box goes through :func:`present`, so tests can replace that one function
(``monkeypatch.setattr(errors, "present", fake)``) instead of blocking on ``exec()``.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ... import APP_TITLE, paths
from ...core.errors import AppError
from ...paths import configure_logging  # noqa: F401 - re-exported: the window's start-up and tests use it here

log = logging.getLogger("cannngheo_desktop")

CRASH_TEXT = ("Chương trình gặp lỗi ngoài dự kiến. Dữ liệu đã lưu trước đó không bị ảnh hưởng; "
              "thao tác vừa rồi có thể chưa hoàn tất.\n\n"
              "Nhật ký lỗi ở: {log}\n\n"
              "Hãy gửi tệp nhật ký này cho người hỗ trợ kỹ thuật, kèm mô tả việc bạn vừa làm.")


def present(box: QMessageBox) -> int:
    """Show a prepared message box modally and return the clicked standard button.

    The single place that blocks; tests monkeypatch it.
    """
    return int(box.exec())


def _box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str,
         buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok) -> QMessageBox:
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    ok = box.button(QMessageBox.StandardButton.Ok)
    if ok is not None:
        ok.setText("Đóng")  # Qt ships no Vietnamese translation of its standard buttons
    return box


def inform(parent: QWidget | None, text: str, title: str = APP_TITLE) -> None:
    present(_box(parent, QMessageBox.Icon.Information, title, text))


def warn(parent: QWidget | None, text: str, title: str = APP_TITLE) -> None:
    present(_box(parent, QMessageBox.Icon.Warning, title, text))


def confirm(parent: QWidget | None, text: str, title: str = APP_TITLE) -> bool:
    """Yes/No question, No by default; True when the user chose Có (Yes)."""
    box = _box(parent, QMessageBox.Icon.Question, title, text,
               QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.Yes).setText("Có")
    box.button(QMessageBox.StandardButton.No).setText("Không")
    return present(box) == int(QMessageBox.StandardButton.Yes)


def show_app_error(parent: QWidget | None, exc: AppError) -> None:
    """An error the user can act on: its Vietnamese message, nothing more."""
    log.info("AppError shown: %s (%s)", exc.message, exc.detail)
    warn(parent, exc.message)


def show_crash(parent: QWidget | None, exc_info: tuple[type[BaseException], BaseException,
                                                        TracebackType | None]) -> None:
    """Log a bug with its traceback and tell the user where the log is."""
    text = "".join(traceback.format_exception(*exc_info))
    log.error("Lỗi ngoài dự kiến:\n%s", text)
    # The traceback goes to the log only: Qt's "Show Details…" button cannot be translated.
    present(_box(parent, QMessageBox.Icon.Critical, f"{APP_TITLE} — lỗi", CRASH_TEXT.format(log=paths.log_file())))


def report(parent: QWidget | None, exc: BaseException) -> None:
    """Route any exception: AppError → message box, otherwise → crash dialog."""
    if isinstance(exc, AppError):
        show_app_error(parent, exc)
    else:
        show_crash(parent, (type(exc), exc, exc.__traceback__))


def install_excepthook(parent_getter: Callable[[], QWidget | None] = lambda: None) -> None:
    """Uncaught exceptions (e.g. in a slot) end in :func:`report` instead of killing the app."""
    def hook(etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(etype, KeyboardInterrupt):
            sys.__excepthook__(etype, value, tb)
            return
        if QApplication.instance() is None:
            log.error("Lỗi ngoài dự kiến", exc_info=(etype, value, tb))
            sys.__excepthook__(etype, value, tb)
            return
        try:
            if isinstance(value, AppError):
                show_app_error(parent_getter(), value)
            else:
                show_crash(parent_getter(), (etype, value, tb))
        except Exception:  # the reporter must never raise into Qt
            log.exception("Không hiển thị được hộp thoại lỗi")

    sys.excepthook = hook
