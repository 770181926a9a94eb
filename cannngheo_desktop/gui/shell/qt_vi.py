"""Vietnamese for Qt's own texts (Qt ships no qtbase_vi.qm).

Without it the right-click menu of every text box (Undo, Copy, Paste…), Qt's file dialog (used where
the system has no native one) and any standard button we did not rename would show English.
``install(app)`` adds a translator that answers from the table below and leaves every other text alone.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator

# Source texts as Qt writes them (with their & accelerators); looked up whatever the context.
TEXTS: dict[str, str] = {
    # standard buttons (QPlatformTheme) and message boxes
    "OK": "Đồng ý", "&OK": "Đồng ý", "Cancel": "Hủy", "&Cancel": "Hủy", "Close": "Đóng", "&Close": "Đóng",
    "Yes": "Có", "&Yes": "&Có", "No": "Không", "&No": "&Không", "Yes to &All": "Có với tất cả",
    "N&o to All": "Không với tất cả", "Save": "Lưu", "&Save": "&Lưu", "Save All": "Lưu tất cả",
    "Open": "Mở", "&Open": "&Mở", "Discard": "Không lưu", "Don't Save": "Không lưu",
    "Close without Saving": "Đóng không lưu", "Apply": "Áp dụng", "Reset": "Đặt lại",
    "Restore Defaults": "Khôi phục mặc định", "Help": "Trợ giúp", "Abort": "Dừng", "Retry": "Thử lại",
    "Ignore": "Bỏ qua", "Show Details...": "Xem chi tiết…", "Hide Details...": "Ẩn chi tiết…",
    # text boxes: right-click menu
    "&Undo": "&Hoàn tác", "&Redo": "&Làm lại", "Cu&t": "&Cắt", "&Copy": "Sao &chép", "&Paste": "&Dán",
    "Delete": "Xóa", "Select All": "Chọn tất cả", "Copy &Link Location": "Sao chép địa chỉ liên kết",
    # spin boxes / date edits
    "&Step up": "Tăng", "Step &down": "Giảm",
    # file dialog (non-native)
    "Look in:": "Tìm trong:", "&Look in:": "&Tìm trong:", "Files of t&ype:": "&Loại tệp:",
    "File &name:": "&Tên tệp:", "Files of type:": "Loại tệp:", "&Choose": "&Chọn",
    "Directory:": "Thư mục:", "Back": "Quay lại", "Forward": "Tiến tới", "Parent Directory": "Thư mục cha",
    "Create New Folder": "Tạo thư mục mới", "New Folder": "Thư mục mới", "List View": "Dạng danh sách",
    "Detail View": "Dạng chi tiết", "Name": "Tên", "Size": "Kích thước", "Type": "Loại",
    "Date Modified": "Ngày sửa", "Computer": "Máy tính", "My Computer": "Máy tính",
    "Recent Places": "Mở gần đây", "Show &hidden files": "Hiện tệp ẩn", "&Rename": "Đổi &tên",
    "&Delete": "&Xóa", "&New Folder": "Thư mục &mới", "Drive": "Ổ đĩa", "File": "Tệp",
    "File Folder": "Thư mục", "Directories": "Thư mục", "Folder": "Thư mục", "Unknown": "Không rõ", "All Files (*)": "Tất cả các tệp (*)",
    "Are you sure you want to delete '%1'?": "Xóa '%1'?",
    "%1 already exists.\nDo you want to replace it?": "%1 đã có.\nGhi đè lên tệp đó?",
    "%1\nFile not found.\nPlease verify the correct file name was given.":
        "%1\nKhông tìm thấy tệp.\nHãy kiểm tra lại tên tệp.",
    # print dialog (common parts)
    "Print": "In", "&Print": "&In", "Printer": "Máy in", "Properties": "Thuộc tính", "Copies": "Số bản",
    "Pages": "Trang", "Options": "Tùy chọn", "Print range": "Phạm vi in", "Print all": "In tất cả",
    "Pages from": "Từ trang", "to": "đến", "Current Page": "Trang hiện tại", "Selection": "Vùng chọn",
    "Portrait": "Dọc", "Landscape": "Ngang", "Orientation": "Hướng giấy", "Page size:": "Khổ giấy:",
}


class VietnameseQtTranslator(QTranslator):
    """Answers Qt's own source texts from ``TEXTS``; None (a null QString, not "") lets Qt keep its text."""

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        return TEXTS.get(source)

    def isEmpty(self) -> bool:  # noqa: N802 - Qt override
        return False


def install(app: QCoreApplication) -> VietnameseQtTranslator:
    """Install the translator on ``app`` (kept as an attribute so it is not garbage-collected)."""
    translator = getattr(app, "_vi_translator", None)
    if translator is None:
        translator = VietnameseQtTranslator(app)
        app.installTranslator(translator)
        app._vi_translator = translator  # type: ignore[attr-defined]
    return translator
