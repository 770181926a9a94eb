"""Start-up: the Qt application, then a session (session.py: open, set up or log in, daily backup),
then the main window and its event loop."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from ... import APP_NAME, APP_TITLE, __version__
from . import errors, qt_vi
from .gc_timer import GarbageCollector
from .main_window import MainWindow
from .session import open_session

log = logging.getLogger(__name__)


def run_app(db_path: Path, *, demo: bool = False, argv: list[str] | None = None) -> int:
    """The window's main loop; returns the process exit code."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):  # instance() is typed QCoreApplication
        app = QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(__version__)
    qt_vi.install(app)
    collector = GarbageCollector(app)  # cyclic GC between events only (gc_timer.py)
    windows: list[MainWindow] = []
    errors.install_excepthook(lambda: windows[0] if windows else None)
    log.info("Starting %s %s with %s", APP_TITLE, __version__, db_path)
    ctx = open_session(db_path, None, demo=demo)
    if ctx is None:
        return 1
    window = MainWindow(ctx)
    windows.append(window)
    window.show()
    code = int(app.exec())
    collector.collect()
    return code
