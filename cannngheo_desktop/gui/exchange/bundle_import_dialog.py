"""Import bundles (report bundles at the office; receipts and reference bundles at a commune).

Files and/or folders (a USB stick) → passphrase → on the worker every file is checked
(limits, signature, hashes, chain) and dry-run with the passphrase → a table per file with the
state or the refusal reason, and for the selected file the new / updated / unchanged / refused
rows per table → "Áp dụng" applies the acceptable files on the worker (receipts written to the
chosen folder, by default beside the files) → the result per file.

The date a bundle carries is the sender's ("Ngày lập (theo máy đơn vị gửi)": its PC's clock,
signed but not verifiable here) and is labelled so, never shown as a date measured here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import AppError
from ...exchange import completeness, importer, keys, payload
from ...exchange.errors import BundleError
from ...exchange.format import SUFFIX, read_bundle
from ...exchange.manifest import parse_manifest
from ..shell import errors, files
from ..shell.context import AppContext
from . import passphrase_dialog

TABLE_LABELS = {
    "households": "Hộ gia đình", "members": "Nhân khẩu", "household_events": "Biến động hộ",
    "assessments": "Kết quả rà soát", "support_actions": "Hỗ trợ đã thực hiện",
    "duplicate_decisions": "Xử lý trùng", "reviews": "Đợt rà soát", "review_items": "Hộ trong đợt rà soát",
    "plans": "Kế hoạch", "plan_units": "Đơn vị trong kế hoạch", "plan_amendments": "Điều chỉnh kế hoạch",
    "plan_objectives": "Mục tiêu kế hoạch", "milestones": "Mốc thời gian", "units": "Đơn vị hành chính",
    "unit_successors": "Sáp nhập đơn vị", "bodies": "Cơ quan", "rulesets": "Bộ tiêu chí",
    "support_measures": "Danh mục hỗ trợ", "audit_log": "Nhật ký thay đổi"}
KIND_LABELS = {"commune-report": "Báo cáo tháng", "receipt": "Biên nhận", "reference": "Gói tham chiếu"}
ACCEPTABLE = ("next", "waiting", "receipt")
GOOD, WAIT, BAD = QColor("#e3f4e1"), QColor("#fff3cd"), QColor("#f8d7da")
BUNDLE_FILTER = f"Gói dữ liệu (*{SUFFIX});;Tất cả các tệp (*)"


def table_label(table: str) -> str:
    return TABLE_LABELS.get(table, table)


@dataclass
class FileCheck:
    """One file: its inspection, or why it was refused; then what applying it did."""

    path: Path
    inspection: importer.Inspection | None = None
    refused: str = ""
    result: str = ""          # applied | duplicate | waiting | acknowledged | refused
    result_text: str = ""

    @property
    def acceptable(self) -> bool:
        insp = self.inspection
        return not self.refused and insp is not None and insp.ok and insp.state in ACCEPTABLE

    def state_text(self, batch: set[tuple[str, str, int]] | None = None) -> str:
        """The check's outcome in words; ``batch`` = (sender, kind, number) of the other files."""
        insp = self.inspection
        if self.refused:
            return self.refused
        assert insp is not None
        if insp.errors:
            return f"Tệp '{self.path.name}' bị từ chối: {payload.describe_errors(insp.errors, insp.errors_dropped)}"
        if insp.state == "duplicate":
            return "Đã nhập trước đó — không có gì thay đổi."
        if insp.state == "waiting":
            numbers = ", ".join(map(str, insp.missing))
            if batch is not None and all((insp.sender_unit, insp.kind, n) in batch for n in insp.missing):
                return f"Hợp lệ; nhập sau gói số {numbers} có trong danh sách này."
            return f"Hợp lệ nhưng còn thiếu gói số {numbers}: sẽ được giữ chờ đến khi có gói thiếu."
        if insp.state == "receipt":
            return "Biên nhận hợp lệ."
        return "Hợp lệ, gói kế tiếp — sẵn sàng nhập."


@dataclass
class Checked:
    files: list[FileCheck] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)   # on the stick but addressed to another unit


def expand_paths(paths: list[Path], unit: str) -> tuple[list[Path], list[str]]:
    """Named files, plus every .cnb inside a named folder that is addressed to ``unit``."""
    out: list[Path] = []
    skipped: list[str] = []
    for p in paths:
        if not Path(p).is_dir():
            out.append(Path(p))
            continue
        for f in sorted(Path(p).glob(f"*{SUFFIX}")):
            try:
                recipient = parse_manifest(f, read_bundle(f).manifest_bytes).recipient_unit
            except BundleError:
                recipient = unit   # damaged: let the inspection say why
            (out.append(f) if recipient == unit else skipped.append(f.name))
    return out, skipped


def check_files(store, paths: list[Path], passphrase: str, unit: str, progress) -> Checked:
    """Worker: passphrase check, then inspect (with dry run) every file; nothing is written."""
    keys.check_passphrase(store, passphrase)
    found, skipped = expand_paths(paths, unit)
    checked = Checked(skipped=skipped)
    for n, path in enumerate(found):
        progress.report(n, len(found), path.name)
        item = FileCheck(path)
        try:
            item.inspection = importer.inspect_bundle(store, path, passphrase)
        except AppError as exc:
            item.refused = exc.message
        checked.files.append(item)
    return checked


def apply_files(store, items: list[FileCheck], passphrase: str, receipt_dir: Path | None, progress) -> None:
    """Worker: apply the acceptable files in chain order; fills ``result``/``result_text``."""
    chain = [(i.inspection, i) for i in items if i.acceptable and i.inspection is not None]
    chain.sort(key=lambda c: (c[0].kind == "receipt", c[0].sender_unit, c[0].kind, c[0].sequence))
    todo = [item for _, item in chain]
    for n, item in enumerate(todo):
        progress.report(n, len(todo), item.path.name)
        try:
            res = importer.apply_bundle(store, item.path, passphrase, receipt_dir=receipt_dir)
        except AppError as exc:
            item.result, item.result_text = "refused", exc.message
            continue
        item.result = res.status
        text = {"applied": "Đã nhập", "duplicate": "Đã nhập trước đó", "acknowledged": "Đã ghi nhận biên nhận"}
        item.result_text = text.get(res.status, "") + (f" — {res.message}" if res.status != "applied" else "")
        if res.status == "waiting":
            item.result_text = f"Đang chờ gói thiếu số {', '.join(map(str, res.missing))}."
        if res.receipts:
            item.result_text += f"; biên nhận: {', '.join(p.name for p in res.receipts)}"
        for sub in res.also_applied:
            item.result_text += f"; {sub.message}"
    progress.report(len(todo), len(todo))


class BundleImportDialog(QDialog):
    """Non-modal; call :meth:`start` after ``show()`` (asks the passphrase, then checks)."""

    COLUMNS = ["Tệp", "Đơn vị gửi", "Loại", "Kỳ", "Số", completeness.SENDER_DATE, "Kiểm tra", "Kết quả"]
    SENDER_DATE_COLUMN = 5
    SENDER_DATE_TIP = ("Ngày ghi trong gói, do máy của đơn vị gửi đặt khi lập gói: chữ ký chứng minh đơn vị đó "
                       "ghi ngày này, không chứng minh đồng hồ máy của họ đúng. Ngày nhận là ngày máy này nhập gói.")

    def __init__(self, ctx: AppContext, paths: list[Path], parent: QWidget | None = None,
                 on_applied: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.paths = [Path(p) for p in paths]
        self.on_applied = on_applied or (lambda: None)
        self.passphrase: str | None = None
        self.checked: Checked | None = None
        self.applied = False
        first = self.paths[0] if self.paths else Path.home()
        self.receipt_dir = first if first.is_dir() else first.parent
        self.setWindowTitle("Nhập gói dữ liệu")
        self.resize(1100, 600)

        self.status = QLabel("Chưa kiểm tra.")
        self.status.setTextFormat(Qt.TextFormat.RichText)  # file names and messages in it are escaped
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([c.replace(" (", "\n(") for c in self.COLUMNS])
        date_header = self.table.horizontalHeaderItem(self.SENDER_DATE_COLUMN)
        if date_header is not None:
            date_header.setToolTip(self.SENDER_DATE_TIP)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for c in range(6):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_summary)
        self.summary = QTableWidget(0, 5)
        self.summary.setHorizontalHeaderLabels(["Bảng dữ liệu", "Mới", "Cập nhật", "Không đổi", "Từ chối"])
        self.summary.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.summary.verticalHeader().hide()
        self.summary.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.summary_title = QLabel("<b>Tóm tắt thử nhập</b> (chọn một tệp ở bảng trên):")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.summary_title)
        lower_layout.addWidget(self.summary)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setSizes([300, 200])

        self.receipt_label = QLabel()
        self.receipt_button = QPushButton("Đổi thư mục…")
        self.receipt_button.clicked.connect(self.choose_receipt_dir)
        self.recheck_button = QPushButton("Kiểm tra lại…")
        self.recheck_button.clicked.connect(self.start)
        self.apply_button = QPushButton("Áp dụng")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        close = QPushButton("Đóng")
        close.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.receipt_label, 1)
        row.addWidget(self.receipt_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.recheck_button)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addLayout(row)
        layout.addLayout(buttons)
        self._show_receipt_dir()

    # --- checking ------------------------------------------------------------------------------
    def start(self) -> None:
        """Ask the passphrase and check every file on the worker."""
        passphrase = passphrase_dialog.ask_passphrase(
            self, "Cụm mật khẩu khóa", "Nhập cụm mật khẩu khóa để giải mã và kiểm tra các gói.")
        if passphrase is None:
            return
        self.passphrase = passphrase
        self.apply_button.setEnabled(False)
        self.status.setText("Đang kiểm tra…")
        paths, unit = self.paths, self.ctx.installation.unit_code

        def failed(exc: AppError) -> None:
            self.status.setText(f"<span style='color:#b00020'>{escape(exc.message)}</span>")
            errors.warn(self, exc.message)

        self.ctx.tasks.run_task(self, lambda store, progress: check_files(store, paths, passphrase, unit, progress),
                                on_success=self._checked, on_failure=failed, label="Đang kiểm tra các gói…")

    def _checked(self, checked: Checked) -> None:
        self.checked = checked
        self._fill()
        good = sum(1 for f in checked.files if f.acceptable)
        refused = sum(1 for f in checked.files if f.refused or (f.inspection and f.inspection.errors))
        text = f"{len(checked.files)} tệp: {good} có thể nhập, {refused} bị từ chối."
        if checked.skipped:
            text += f" Bỏ qua {len(checked.skipped)} tệp gửi cho đơn vị khác ({escape(', '.join(checked.skipped))})."
        if not checked.files:
            text = f"Không có tệp gói ({SUFFIX}) nào gửi cho đơn vị này."
        self.status.setText(text)
        self.apply_button.setEnabled(good > 0 and not self.applied)
        if checked.files:
            first = next((r for r, f in enumerate(checked.files) if f.acceptable), 0)
            self.table.selectRow(first)

    def _fill(self) -> None:
        items = self.checked.files if self.checked else []
        batch = {(f.inspection.sender_unit, f.inspection.kind, f.inspection.sequence)
                 for f in items if f.acceptable and f.inspection is not None}
        self.table.setRowCount(len(items))
        for r, item in enumerate(items):
            insp = item.inspection
            period = f"{insp.period[5:7]}/{insp.period[:4]}" if insp and insp.period else ""
            values = [item.path.name, insp.sender_unit if insp else "", KIND_LABELS.get(insp.kind, insp.kind)
                      if insp else "", period, str(insp.sequence) if insp else "",
                      completeness.vn_day(insp.created_at) if insp else "", item.state_text(batch), item.result_text]
            bad = bool(item.refused or (insp and insp.errors)) or item.result == "refused"
            colour = BAD if bad else WAIT if (insp and insp.state == "waiting") or item.result == "waiting" \
                else GOOD
            for c, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setToolTip(value)
                cell.setBackground(colour)
                self.table.setItem(r, c, cell)
        self.table.resizeRowsToContents()

    def _show_summary(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        items = self.checked.files if self.checked else []
        item = items[rows[0].row()] if rows and rows[0].row() < len(items) else None
        summary = item.inspection.summary if item and item.inspection else {}
        name = item.path.name if item else ""
        note = ""
        if item is not None and not summary:
            insp = item.inspection
            note = (" — không có: tệp bị từ chối" if item.refused or (insp and insp.errors) else
                    " — không có: đã nhập trước đó" if insp and insp.state == "duplicate" else
                    " — không có: biên nhận không chứa dữ liệu hộ" if insp and insp.state == "receipt" else
                    " — sẽ tính khi gói đến lượt nhập (sau các gói còn thiếu)" if insp and insp.state == "waiting"
                    else " — gói không có dòng dữ liệu nào")
        day = completeness.vn_day(item.inspection.created_at) if item and item.inspection else ""
        sender = f" — {completeness.SENDER_DATE}: {day}" if day else ""
        self.summary_title.setText(f"<b>Tóm tắt thử nhập</b> {escape(name)}{sender}{note}" if item else
                                   "<b>Tóm tắt thử nhập</b> (chọn một tệp ở bảng trên):")
        self.summary.setRowCount(len(summary))
        for r, (table, counts) in enumerate(summary.items()):
            values = [table_label(table), *(str(counts[k]) for k in ("new", "updated", "unchanged", "refused"))]
            for c, value in enumerate(values):
                self.summary.setItem(r, c, QTableWidgetItem(value))

    # --- applying ------------------------------------------------------------------------------
    def _show_receipt_dir(self) -> None:
        self.receipt_label.setText(f"Biên nhận ghi vào: {self.receipt_dir}")

    def choose_receipt_dir(self) -> None:
        folder = files.choose_folder(self, "Chọn thư mục ghi biên nhận", self.receipt_dir)
        if folder is not None:
            self.receipt_dir = folder
            self._show_receipt_dir()

    def apply(self) -> None:
        """Apply the acceptable files on the worker and show the result per file."""
        if self.checked is None or self.passphrase is None:
            return
        items, passphrase, receipt_dir = self.checked.files, self.passphrase, self.receipt_dir
        self.apply_button.setEnabled(False)
        self.ctx.tasks.run_task(self, lambda store, progress: apply_files(store, items, passphrase,
                                                                          receipt_dir, progress),
                                on_success=lambda _r: self._applied(), label="Đang nhập các gói…")

    def _applied(self) -> None:
        self.applied = True
        self._fill()
        items = self.checked.files if self.checked else []
        counts: dict[str, int] = {}
        for item in items:
            if item.result:
                counts[item.result] = counts.get(item.result, 0) + 1
        labels = {"applied": "đã nhập", "duplicate": "đã nhập trước đó", "waiting": "đang chờ gói thiếu",
                  "acknowledged": "biên nhận đã ghi nhận", "refused": "bị từ chối"}
        text = ", ".join(f"{n} {labels.get(k, k)}" for k, n in counts.items()) or "không có tệp nào được nhập"
        self.status.setText(f"Kết quả: {text}.")
        self.on_applied()
