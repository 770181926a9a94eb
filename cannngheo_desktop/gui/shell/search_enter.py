"""Enter in a dialog's search box searches and goes no further.

A QLineEdit passes Enter on to its dialog, which presses the default button: in the support-action and
review dialogs that saved a row for the first match before the user had even seen the list.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit


class _EnterSearches(QObject):
    def __init__(self, edit: QLineEdit, search: Callable[[], None]) -> None:
        super().__init__(edit)
        self._search = search

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._search()
            return True
        return super().eventFilter(watched, event)


def enter_searches(edit: QLineEdit, search: Callable[[], None]) -> None:
    """Make Enter in ``edit`` call ``search`` and nothing else (the filter lives as long as the edit)."""
    edit.installEventFilter(_EnterSearches(edit, search))
