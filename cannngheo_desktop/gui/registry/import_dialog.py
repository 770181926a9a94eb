"""Excel import preview: the dry run's per-row errors and warnings, "Lưu tệp lỗi…" to fix the
file, and "Nhập" (only without errors) to write everything in one transaction after a backup.
Both the check and the write run on the worker (ctx.tasks.run_task)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
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
from ...registry.excel_import import (
    ImportReport,
    ImportSummary,
    apply_import,
    default_unit,
    dry_run,
    write_error_workbook,
)
from ...storage import reference
from ..shell import choices, errors, files
from ..shell.context import AppContext
from .history_dialog import FIELD_LABELS

XLSX_FILTER = "Bảng tính Excel (*.xlsx);;Tất cả các tệp (*)"
HEADERS = ("Dòng", "Mức", "Thông tin", "Nội dung")
LEVELS = {"error": ("Lỗi", "#ffc7ce"), "warning": ("Cảnh báo", "#ffeb9c")}
IMPORT_FIELDS = {**FIELD_LABELS, "members": "Thành viên", "unit_code": "Mã đơn vị"}


class ImportDialog(QDialog):
    """Signal ``imported(summary)`` after a successful write."""

    imported = Signal(object)

    def __init__(self, ctx: AppContext, path: Path, unit_code: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.path = ctx, Path(path)
        self.report: ImportReport | None = None
        self.summary: ImportSummary | None = None
        self.setWindowTitle(f"Nhập danh sách hộ từ Excel — {self.path.name}")
        self.unit = QComboBox()
        self.unit.addItem("— Theo cột “Mã đơn vị” trong tệp —", None)
        for label, code, _row in choices.unit_choices(reference.units_for_installation(ctx.store, ctx.installation)):
            self.unit.addItem(label, code)
        index = self.unit.findData(unit_code or default_unit(ctx.installation))  # a commune: its own unit
        self.unit.setCurrentIndex(max(index, 0))
        self.summary_label = QLabel("Đang kiểm tra tệp…")
        self.summary_label.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setColumnWidth(0, 60)
        self.table.setColumnWidth(1, 80)
        self.table.setColumnWidth(2, 150)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.errors_button = QPushButton("Lưu tệp lỗi…")
        self.import_button = QPushButton("Nhập")
        self.close_button = QPushButton("Đóng")
        for b in (self.errors_button, self.import_button):
            b.setEnabled(False)
        unit_row = QHBoxLayout()
        unit_row.addWidget(QLabel("Đơn vị của các hộ:"))
        unit_row.addWidget(self.unit, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.errors_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(unit_row)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.unit.currentIndexChanged.connect(self.check)
        self.errors_button.clicked.connect(self.save_errors)
        self.import_button.clicked.connect(self.apply)
        self.close_button.clicked.connect(self.reject)
        self.resize(980, 560)
        self.check()

    # -- dry run ------------------------------------------------------------------------------------
    def check(self) -> None:
        """Run the dry run on the worker; nothing is written."""
        self.report = None
        self.import_button.setEnabled(False)
        self.errors_button.setEnabled(False)
        self.summary_label.setText("Đang kiểm tra tệp…")
        path, unit = self.path, self.unit.currentData()
        self.ctx.tasks.run_task(self, lambda store, _progress: dry_run(store, path, unit),
                                on_success=self.show_report, on_failure=self._failed,
                                label=f"Đang kiểm tra {path.name}…")

    def _failed(self, exc: AppError) -> None:
        self.summary_label.setText(f"<span style='color:#b00020'>{exc.message}</span>")

    def show_report(self, report: ImportReport) -> None:
        self.report = report
        issues = report.issues
        self.table.setRowCount(len(issues))
        for r, issue in enumerate(issues):
            level, colour = LEVELS.get(issue.level, (issue.level, "#ffffff"))
            values = (str(issue.row or ""), level, IMPORT_FIELDS.get(issue.field, issue.field), issue.message)
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if c < 2:
                    item.setBackground(QColor(colour))
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        verdict = ("Còn lỗi: hãy bấm “Lưu tệp lỗi…”, sửa các dòng tô đỏ trong tệp rồi nhập lại. Chưa ghi gì."
                   if report.has_errors else
                   "Không có lỗi. Bấm “Nhập” để ghi tất cả các hộ (sao lưu trước khi ghi).")
        self.summary_label.setText(f"{report.summary_text()}<br><b>{verdict}</b>")
        self.import_button.setEnabled(not report.has_errors and bool(report.households))
        self.errors_button.setEnabled(bool(issues))

    def error_rows(self) -> list[int]:
        """Source rows listed with an error (tests and the summary use it)."""
        return self.report.error_rows() if self.report else []

    # -- actions ------------------------------------------------------------------------------------
    def save_errors(self) -> None:
        if self.report is None:
            return
        start = self.path.with_name(f"{self.path.stem}-loi.xlsx")
        target = files.choose_save_file(self, "Lưu tệp lỗi", start, XLSX_FILTER)
        if target is None:
            return
        target = target.with_suffix(".xlsx")
        try:
            write_error_workbook(self.report, target)
        except AppError as exc:
            errors.report(self, exc)
            return
        errors.inform(self, f"Đã lưu tệp lỗi: {target}\nSửa các dòng tô đỏ (cột “Lỗi” ghi rõ lý do), "
                            "xóa hai cột Lỗi/Cảnh báo nếu muốn, rồi nhập lại tệp.")

    def apply(self) -> None:
        report = self.report
        if report is None or report.has_errors:
            return
        self.import_button.setEnabled(False)

        def work(store: Any, progress: Any) -> ImportSummary:
            return apply_import(store, report, progress=progress)

        self.ctx.tasks.run_task(self, work, on_success=self._done, label=f"Đang nhập {self.path.name}…")

    def _done(self, summary: ImportSummary) -> None:
        self.summary = summary
        self.imported.emit(summary)
        backup = f"\nBản sao lưu trước khi nhập: {summary.backup_path}" if summary.backup_path else ""
        errors.inform(self, f"Đã nhập {summary.households} hộ, {summary.members} nhân khẩu.{backup}")
        self.accept()
