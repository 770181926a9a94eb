"""The user guide window (F1): the Vietnamese guide shipped in resources/guide/*.md, shown in a
QTextBrowser with its table of contents on the left. One window per main window; F1 again only
turns it to the page of the tab in use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QKeySequence, QShortcut, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ... import APP_TITLE, paths
from ...core.errors import AppError

# The guide's pages in reading order: (file, title in the table of contents).
PAGES = (
    ("index.md", "Bắt đầu"),
    ("chu-ky-thang.md", "Công việc hằng tháng"),
    ("ho-gia-dinh.md", "1. Cập nhật hộ gia đình"),
    ("ho-tro.md", "2. Ghi hoạt động hỗ trợ"),
    ("in-ho-so.md", "3. In hồ sơ, báo cáo"),
    ("xuat-goi.md", "4. Xuất gói tháng (xã/phường)"),
    ("nhap-goi.md", "5. Nhập gói (cơ quan tiếp nhận)"),
    ("bang-theo-doi.md", "6. Đọc bảng theo dõi các tháng"),
    ("ra-soat.md", "Rà soát hằng năm"),
    ("su-co.md", "Khi có sự cố"),
    ("phim-tat.md", "Phím tắt"),
)
SHORTCUTS_PAGE = "phim-tat.md"
MAX_PAGE_BYTES = 512 * 1024  # a guide page is a few KB; anything bigger is not ours


def guide_dir() -> Path:
    return paths.resource_path("guide")


def read_page(name: str) -> str:
    """The Markdown text of one page (shipped with the app; refused when missing or oversized)."""
    path = guide_dir() / name
    try:
        if path.stat().st_size > MAX_PAGE_BYTES:
            raise AppError(f"Trang hướng dẫn '{path}' quá lớn; hãy cài lại chương trình.")
        return path.read_text(encoding="utf-8")
    except OSError:
        raise AppError(f"Không tìm thấy trang hướng dẫn '{path}'. Hãy cài lại chương trình.") from None


class GuideBrowser(QTextBrowser):
    """A QTextBrowser that shows the guide's 1366-px screenshots scaled to fit its page."""

    MAX_IMAGE_WIDTH = 820

    def loadResource(self, kind: int, name: QUrl | str) -> Any:  # noqa: N802 - Qt override
        if kind == QTextDocument.ResourceType.ImageResource.value:
            url = QUrl(name) if isinstance(name, str) else name
            path = Path(url.toLocalFile()) if url.isLocalFile() else guide_dir() / url.path()
            image = QImage(str(path))
            if not image.isNull():
                width = min(self.MAX_IMAGE_WIDTH, max(320, self.viewport().width() - 40))
                if image.width() > width:
                    image = image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
                return image
        return super().loadResource(kind, name)


class HelpWindow(QWidget):
    """Table of contents | page; Back / Home buttons (Alt+Left, Alt+Home as in a browser), Esc closes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(f"Hướng dẫn sử dụng — {APP_TITLE}")
        self.contents = QListWidget()
        for name, title in PAGES:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.contents.addItem(item)
        self.contents.setSpacing(3)
        self.contents.currentItemChanged.connect(self._on_contents)
        self.browser = GuideBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(True)
        self.browser.setSearchPaths([str(guide_dir())])
        self.browser.sourceChanged.connect(self._sync_contents)
        self.back_button = QPushButton("← &Quay lại")
        self.back_button.setToolTip("Trang vừa xem (Alt+←)")
        self.back_button.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.back_button.setEnabled(False)
        home = QPushButton("&Mục lục")
        home.clicked.connect(lambda: self.show_page("index.md"))
        bar = QHBoxLayout()
        bar.addWidget(self.back_button)
        bar.addWidget(home)
        bar.addStretch(1)
        splitter = QSplitter()
        splitter.addWidget(self.contents)
        splitter.addWidget(self.browser)
        splitter.setSizes([260, 900])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        close = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        close.activated.connect(self.close)
        self.resize(1180, 700)

    def show_page(self, name: str) -> None:
        """Show one page of the guide (``name`` as in PAGES)."""
        path = guide_dir() / name
        if not path.is_file():
            raise AppError(f"Không tìm thấy trang hướng dẫn '{path}'. Hãy cài lại chương trình.")
        self.browser.setSource(QUrl.fromLocalFile(str(path)))

    def page(self) -> str:
        """The file name of the page shown."""
        return Path(self.browser.source().toLocalFile()).name

    def text(self) -> str:
        return self.browser.toPlainText()

    def _on_contents(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None and item.data(Qt.ItemDataRole.UserRole) != self.page():
            self.show_page(str(item.data(Qt.ItemDataRole.UserRole)))

    def _sync_contents(self, url: QUrl) -> None:
        name = Path(url.toLocalFile()).name  # source() still names the previous page here
        for row in range(self.contents.count()):
            if self.contents.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.contents.blockSignals(True)
                self.contents.setCurrentRow(row)
                self.contents.blockSignals(False)
                return
