"""The self-test's window step: build the real main window over an open store, offscreen if needed."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtWidgets import QApplication

from ...storage.db import Store
from ...storage.installation import Installation
from .context import AppContext
from .main_window import MainWindow
from .tasks import TaskRunner


def build_main_window(store: Store, inst: Installation, user: dict[str, Any]) -> str:
    """Show and close a MainWindow over ``store``; returns a one-line description.

    The session (worker, ``store``, its file lock) is closed here on the way out, not left to the
    window's close event: a platform may deliver that event later or never (Wine without a display
    does not), and Windows refuses to delete a database file that is still open (WinError 32).
    Closing twice is harmless."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):  # instance() is typed QCoreApplication
        app = QApplication([sys.argv[0]])
    ctx = AppContext(db_path=store.path, store=store, installation=inst, user=user,
                     tasks=TaskRunner(store.path, user=str(user.get("name", ""))))
    try:
        window = MainWindow(ctx)
        window.show()
        app.processEvents()
        titles = window.tab_titles()
        size = window.size()
        window.close()
        app.processEvents()
    finally:
        ctx.close()
    required = ("Hộ gia đình", "Kế hoạch", "Báo cáo", "Trao đổi dữ liệu")
    missing = [t for t in required if t not in titles]
    if missing:
        raise RuntimeError(f"cửa sổ chính thiếu thẻ: {', '.join(missing)}")
    return f"{len(titles)} thẻ ({', '.join(titles)}), {size.width()}×{size.height()}, nền {app.platformName()}"
