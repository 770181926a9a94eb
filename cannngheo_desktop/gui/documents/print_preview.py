"""Preview and printing of a report's PDF with Qt's own PDF engine (QtPdf, pdfium).

Why QtPdf: the frozen Windows app has no ``pdftoppm`` and cannot count on a PDF viewer, while
QtPdf ships inside PySide6 (Qt6Pdf + Qt6PdfWidgets, kept in build.spec). Pages are shown with
``QPdfView`` and printed by rendering each page to an image (``QPdfDocument.render``) at up to
300 dpi and drawing it on a ``QPrinter`` (A4, orientation from the first page). When QtPdf cannot
be loaded the caller falls back to :func:`open_default` (the system's PDF viewer).

Blocking prompts are wrapped so tests can replace them: :func:`ask_printer` (QPrintDialog).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRect, QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...core.errors import AppError, Cancelled
from ...core.progress import Progress, or_null

log = logging.getLogger(__name__)

try:  # QtPdf is part of PySide6's wheels; a trimmed build might lack it
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPdfWidgets import QPdfView
    HAVE_QTPDF = True
except ImportError:  # pragma: no cover - depends on the build
    HAVE_QTPDF = False

PRINT_DPI = 300  # enough for text on paper; 1200 dpi pages would need ~500 MB each


class PdfError(AppError):
    """A PDF that QtPdf cannot open."""


def load_document(path: Path, parent=None) -> QPdfDocument:
    """Open ``path`` with QtPdf; PdfError (Vietnamese, naming the file) when it cannot."""
    doc = QPdfDocument(parent)
    status = doc.load(str(path))
    if status != QPdfDocument.Error.None_ or doc.pageCount() == 0:
        raise PdfError(f"Không mở được tệp PDF '{path.name}' để xem/in. "
                       "Hãy mở tệp bằng chương trình đọc PDF của máy.")
    return doc


def page_count(path: Path) -> int:
    """Number of pages QtPdf sees in ``path``."""
    return load_document(path).pageCount()


def open_default(path: Path) -> bool:
    """Open a file (or folder) with the system's default program; False when nothing opened it."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def a4_printer(landscape: bool = False) -> QPrinter:
    """A printer set to A4 with the given orientation and no extra margins."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), orientation, QMarginsF(0, 0, 0, 0)))
    printer.setFullPage(True)
    return printer


def is_landscape(path: Path) -> bool:
    """True when the first page is wider than tall."""
    size = load_document(path).pagePointSize(0)
    return size.width() > size.height()


def _orient(printer: QPrinter, landscape: bool) -> None:
    want = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    if printer.pageLayout().orientation() != want:
        printer.setPageOrientation(want)


def ask_printer(parent: QWidget | None, printer: QPrinter) -> bool:
    """The system print dialog (printer, copies, pages); True when the user chose Print.

    The one place printing blocks; tests monkeypatch it.
    """
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("In báo cáo")
    return dialog.exec() == QDialog.DialogCode.Accepted


def print_pdf(path: Path, printer: QPrinter, progress: Progress | None = None) -> int:
    """Draw every page of ``path`` on ``printer`` (scaled to fit, centred); returns pages printed.

    Runs on the worker thread (QPainter on a QPrinter is allowed outside the GUI thread).
    Honours the page range chosen in the print dialog. Raises Cancelled between pages.
    """
    prog = or_null(progress)
    doc = load_document(path)
    total = doc.pageCount()
    first, last = printer.fromPage(), printer.toPage()
    pages = list(range(first - 1, min(last, total))) if first > 0 and last > 0 else list(range(total))
    painter = QPainter()
    if not painter.begin(printer):
        raise PdfError("Không bắt đầu in được: máy in chưa sẵn sàng hoặc không ghi được tệp. "
                       "Hãy kiểm tra máy in rồi thử lại.")
    dpi = min(printer.resolution(), PRINT_DPI)
    try:
        for n, index in enumerate(pages):
            if prog.cancelled():
                printer.abort()
                raise Cancelled()
            points = doc.pagePointSize(index)
            if n:
                _orient(printer, points.width() > points.height())  # takes effect on the next page
                printer.newPage()
            size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
            image = doc.render(index, size)
            target = painter.viewport()
            scaled = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            rect = QRect(target.x() + (target.width() - scaled.width()) // 2,
                         target.y() + (target.height() - scaled.height()) // 2, scaled.width(), scaled.height())
            painter.drawImage(rect, image.convertToFormat(QImage.Format.Format_RGB32))
            prog.report(n + 1, len(pages))
    finally:
        painter.end()
    return len(pages)


class PrintPreviewDialog(QDialog):
    """The pages of a PDF, page after page, fitted to the width; In… / Mở bằng… / Đóng."""

    def __init__(self, path: Path, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.setWindowTitle(f"Xem trước — {title}")
        self.document = load_document(path, self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.info = QLabel(f"{path.name} — {self.document.pageCount()} trang")
        self.print_button = QPushButton("In…")
        self.open_button = QPushButton("Mở bằng chương trình mặc định")
        self.close_button = QPushButton("Đóng")
        self.open_button.clicked.connect(lambda: open_default(self.path))
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.info, 1)
        for b in (self.print_button, self.open_button, self.close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.resize(900, 680)

    @property
    def pages(self) -> int:
        return self.document.pageCount()
