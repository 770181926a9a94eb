"""Export a bundle: the commune's monthly report bundle, or (at the office) a reference bundle for
one commune. Month (default: the previous one) and "full snapshot" → preview of the counts per
table (on the worker) → passphrase → folder → export on the worker → the file name.

The dialog is non-modal (``show()``); ``self.written`` holds the file once exported.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import AppError
from ...exchange import export
from ...exchange.export import ExportPreview
from ..shell import errors, files
from ..shell.context import AppContext
from . import passphrase_dialog
from .bundle_import_dialog import table_label

MONTHS_BACK = 24


def month_choices(today: date, back: int = MONTHS_BACK) -> list[tuple[str, str]]:
    """(label 'mm/yyyy', period 'YYYY-MM') from this month back ``back`` months, newest first."""
    out = []
    y, m = today.year, today.month
    for _ in range(back + 1):
        out.append((f"{m:02d}/{y}", f"{y}-{m:02d}"))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out


class ExportDialog(QDialog):
    """``peers`` (unit code, label) makes it a reference-bundle dialog (office → commune)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 peers: list[tuple[str, str]] | None = None, today: date | None = None,
                 initial_period: str | None = None,
                 on_exported: Callable[[Path], None] | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.reference = peers is not None
        self.on_exported = on_exported or (lambda _p: None)
        self.preview: ExportPreview | None = None
        self.written: Path | None = None
        self._pending = 0
        self.setWindowTitle("Gửi gói tham chiếu" if self.reference else "Xuất gói tháng")
        self.resize(620, 520)

        self.peer = QComboBox()
        for code, label in peers or []:
            self.peer.addItem(label, code)
        self.month = QComboBox()
        for label, period in month_choices(today or date.today()):
            self.month.addItem(label, period)
        self.month.setCurrentIndex(1)  # the previous month …
        locked = None if self.reference else export.locked_period(ctx.store)
        if locked and locked > str(self.month.currentData()) and self.month.findData(locked) >= 0:
            self.month.setCurrentIndex(self.month.findData(locked))  # … unless a later one was already sent
        if initial_period and self.month.findData(initial_period) >= 0:
            self.month.setCurrentIndex(self.month.findData(initial_period))  # the month the tab's button named
        self.full = QCheckBox("Gửi toàn bộ dữ liệu (không chỉ phần thay đổi chưa có biên nhận)")
        form = QFormLayout()
        if self.reference:
            form.addRow("Gửi cho xã/phường:", self.peer)
        form.addRow("Kỳ (tháng):", self.month)
        form.addRow("", self.full)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Bảng dữ liệu", "Mới", "Thay đổi"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.export_button = QPushButton("Xuất gói…")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        close = QPushButton("Đóng")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        intro = ("Gói chứa kế hoạch, chỉ tiêu, danh mục và đơn vị do cơ quan này quản lý, mã hóa cho "
                 "xã/phường được chọn." if self.reference else
                 "Gói chứa mọi thay đổi chưa được cơ quan tiếp nhận xác nhận bằng biên nhận (nên gói bị mất "
                 "sẽ được bù ở lần sau). Sau khi xuất, số liệu báo cáo của kỳ này được khóa.")
        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        layout.addWidget(intro_label)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Sẽ gửi:</b>"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.month.currentIndexChanged.connect(self.load_preview)
        self.full.toggled.connect(self.load_preview)
        self.peer.currentIndexChanged.connect(self.load_preview)
        self.load_preview()

    @property
    def period(self) -> str:
        return str(self.month.currentData())

    @property
    def peer_unit(self) -> str | None:
        return str(self.peer.currentData()) if self.reference and self.peer.count() else None

    def load_preview(self) -> None:
        """Count what would go now (on the worker); the newest request wins."""
        self.preview = None
        self.export_button.setEnabled(False)
        self.status.setText("Đang đếm dữ liệu sẽ gửi…")
        self._pending += 1
        ticket = self._pending
        period, full, peer = self.period, self.full.isChecked(), self.peer_unit
        if self.reference and peer is None:
            self.status.setText("Chưa có xã/phường nào trong danh sách khóa tin cậy.")
            return

        def work(store, progress) -> ExportPreview:
            if peer is not None:
                return export.preview_reference(store, peer, period, full=full, progress=progress)
            return export.preview_export(store, period, full=full, progress=progress)

        def failed(exc: AppError) -> None:
            if ticket == self._pending:
                self.table.setRowCount(0)
                self.status.setText(f"<span style='color:#b00020'>{exc.message}</span>")

        self.ctx.tasks.run_task(self, work, on_success=lambda p: self._show(ticket, p), on_failure=failed,
                                label="Đang đếm dữ liệu sẽ gửi…")

    def _show(self, ticket: int, preview: ExportPreview) -> None:
        if ticket != self._pending:
            return
        self.preview = preview
        self.table.setRowCount(len(preview.tables) + 1)
        for r, (table, counts) in enumerate(preview.tables.items()):
            for c, value in enumerate([table_label(table), str(counts["new"]), str(counts["changed"])]):
                self.table.setItem(r, c, QTableWidgetItem(value))
        last = len(preview.tables)
        self.table.setItem(last, 0, QTableWidgetItem("Nhật ký thay đổi (mục)"))
        self.table.setItem(last, 1, QTableWidgetItem(str(preview.audit_entries)))
        self.table.setItem(last, 2, QTableWidgetItem("0"))  # entries are only appended: 0 like any count
        name = export.bundle_file_name(self._file_unit(), preview.period, preview.sequence)
        empty = " Không có thay đổi nào; gói rỗng vẫn báo cho nơi nhận biết kỳ này đã đủ." \
            if preview.total_rows == 0 else ""
        self.status.setText(f"Gói số {preview.sequence} gửi đơn vị {preview.recipient_unit}: "
                            f"{preview.total_rows} dòng dữ liệu. Tệp: <b>{name}</b>.{empty}")
        self.export_button.setEnabled(True)

    def _file_unit(self) -> str:
        own = self.ctx.installation.unit_code
        return f"{own}-{self.peer_unit}" if self.reference else own

    def export(self) -> None:
        """Passphrase → folder → export on the worker → success message with the file name."""
        preview = self.preview
        if preview is None:
            return
        passphrase = passphrase_dialog.ask_passphrase(
            self, "Cụm mật khẩu khóa", "Nhập cụm mật khẩu khóa để ký và mã hóa gói.")
        if passphrase is None:
            return
        folder = files.choose_folder(self, "Chọn thư mục ghi gói (ví dụ ổ USB)")
        if folder is None:
            return
        period, full, peer = preview.period, preview.full, self.peer_unit

        def work(store, progress) -> Path:
            if peer is not None:
                return export.export_reference(store, peer, period, folder, passphrase, full=full,
                                               progress=progress)
            return export.export_bundle(store, period, folder, passphrase, full=full, progress=progress)

        def done(path: Path) -> None:
            self.written = path
            self.on_exported(path)
            errors.inform(self, f"Đã ghi gói số {preview.sequence}: <b>{path.name}</b><br>Thư mục: {path.parent}"
                                "<br><br>Chép tệp này cho đơn vị nhận; khi có biên nhận, hãy nhập biên nhận.")
            self.accept()

        self.ctx.tasks.run_task(self, work, on_success=done, label="Đang xuất gói…")
