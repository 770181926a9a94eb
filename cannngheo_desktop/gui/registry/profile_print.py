"""Print one household's profile (hồ sơ hộ) from the registry: Ctrl+P or «In hồ sơ» in the household
editor, Ctrl+P on the selected row of the list.

The PDF is the Báo cáo tab's "household-profile" (documents.catalogue.build_report, one path for
every copy of the profile), built on the worker. It is then handed to the main window's
``preview_pdf(path, title)`` when the window has one (the Báo cáo tab's preview with its «In…»,
which gui/registry may not import: documents come after the registry), else to the system's PDF
viewer (:func:`open_pdf`, replaceable in tests like every blocking prompt).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from ...documents.catalogue import build_report
from ...documents.context import ReportParams
from ..shell import errors
from ..shell.context import AppContext

PROFILE_REPORT = "household-profile"
SHORTCUT_TEXT = "Ctrl+P"


def open_pdf(path: Path) -> bool:
    """The system's PDF viewer (the user prints from there)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _owner_window(widget: QWidget) -> QWidget | None:
    """The first window up the parent chain that can preview a PDF (the main window)."""
    current: QWidget | None = widget
    while current is not None:
        if callable(getattr(current.window(), "preview_pdf", None)):
            return current.window()
        current = current.window().parentWidget()
    return None


def print_profile(parent: QWidget, ctx: AppContext, household_id: str, title: str,
                  on_ready=None) -> None:
    """Build the profile of ``household_id`` on the worker, then preview/print it.
    ``on_ready(path)`` runs after the PDF was shown (the caller's status line)."""
    folder = Path(tempfile.mkdtemp(prefix="ho-so-ho-"))
    out = folder / "ho-so-ho.pdf"

    def show(path: Path) -> None:
        path = Path(path)
        window = _owner_window(parent)
        if window is not None:
            window.preview_pdf(path, title)  # type: ignore[attr-defined]
        elif not open_pdf(path):
            errors.warn(parent, f"Không mở được {path} bằng chương trình đọc PDF. Hãy in từ tab «Báo cáo».")
            return
        if on_ready is not None:
            on_ready(path)

    ctx.tasks.run_task(
        parent, lambda store, progress: build_report(store, PROFILE_REPORT, ReportParams(household=household_id),
                                                     out, "pdf", progress),
        on_success=show, label="Đang lập hồ sơ hộ để in…")
