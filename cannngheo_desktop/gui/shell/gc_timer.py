"""Python's cyclic garbage collection only between events, never in the middle of one.

Left automatic, the collector runs at any allocation — also while Qt is dispatching an event —
and can then destroy Qt objects (dialogs, widgets, closures holding them) that belong to cycles,
under Qt's feet: an occasional crash. Anki does the same: turn automatic collection off and
collect from a timer on the GUI thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 10_000


class GarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    @staticmethod
    def collect() -> int:
        return gc.collect()
