"""Tab "Trao đổi dữ liệu": keys and key cards, then by role —
a commune exports its monthly bundle and imports receipts/reference bundles;
the receiving office imports its communes' bundles, sees the completeness grid and sends
reference bundles down. Services: cannngheo_desktop.exchange (no SQL here)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.text import format_date
from ...exchange import completeness, export, keys, roster, sync
from ...storage import reference
from ..shell import files
from ..shell.context import AppContext
from .bundle_import_dialog import BUNDLE_FILTER, BundleImportDialog
from .completeness_grid import CompletenessGrid
from .export_dialog import ExportDialog
from .keys_dialog import KeysPanel
from .recovery_dialog import RecoveryDialog

TITLE = "Trao đổi dữ liệu"
OUT_STATUS = {"sent": "Đã gửi, chờ biên nhận", "acknowledged": "Đã được nhận (có biên nhận)"}
IN_STATUS = {"applied": "Đã nhập", "waiting": "Chờ gói thiếu"}


SENT_COLUMNS = ["Số", "Kỳ", "Tệp", completeness.EXPORTED_DATE, "Trạng thái", completeness.ACKNOWLEDGED_DATE]
RECEIVED_COLUMNS = ["Đơn vị", "Số", "Kỳ", "Tệp", completeness.SENDER_DATE, completeness.RECEIVED_DATE, "Trạng thái"]
DATE_TIPS = {
    completeness.SENDER_DATE: "Ngày ghi trong gói, do máy của đơn vị gửi đặt khi lập gói: chữ ký chứng minh "
                              "đơn vị đó ghi ngày này, không chứng minh đồng hồ máy của họ đúng.",
    completeness.RECEIVED_DATE: "Ngày máy này nhập (hoặc giữ chờ) gói — do chính máy này ghi.",
    completeness.EXPORTED_DATE: "Ngày máy này xuất gói.",
    completeness.ACKNOWLEDGED_DATE: "Ngày máy này nhập biên nhận của cơ quan tiếp nhận.",
}


PRIMARY_STYLE = "QPushButton { font-weight: bold; padding: 6px 14px; }"
NEXT_STYLE = "QFrame#nextStep { background: #eef4fb; border: 1px solid #b7cde6; border-radius: 4px; }"


def month_label(period: str) -> str:
    """'2026-11' → '11/2026'."""
    return f"{period[5:7]}/{period[:4]}"


def next_period(locked: str | None, today: date) -> str:
    """The month a commune exports next: the previous month, or this month once the previous one
    (or a later one) was already sent."""
    y, m = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    previous = f"{y}-{m:02d}"
    return f"{today:%Y-%m}" if locked and locked >= previous else previous


def _date(iso: str | None) -> str:
    """dd/mm/yyyy of a stored UTC timestamp, as the Vietnam date."""
    return completeness.vn_day(iso)


def _table(columns: list[str], *, stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    for c, title in enumerate(columns):
        item = table.horizontalHeaderItem(c)
        if title in DATE_TIPS and item is not None:
            item.setToolTip(DATE_TIPS[title])
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setHighlightSections(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


class ExchangeTab(QWidget):
    """Keys on the left; the commune's or the office's exchange work on the right."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.inst = ctx.installation
        self.dialog: QWidget | None = None   # the last exchange dialog opened (tests look at it)
        self.keys_panel = KeysPanel(ctx, self, on_changed=self.refresh)
        self.recovery_button = QPushButton("Khôi phục / đổi khóa…")  # lost PC, new key, restart a chain
        self.recovery_button.clicked.connect(self.open_recovery)
        self.hint = QLabel()  # what to do next, in plain words
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        self.details_button = QToolButton()  # key ids and fingerprints stay behind "Chi tiết"
        self.details_button.setText("Chi tiết (khóa, thẻ khóa, khôi phục)")
        self.details_button.setCheckable(True)
        self.details_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_button.setArrowType(Qt.ArrowType.RightArrow)
        self.details_button.setToolTip("Hiện hoặc ẩn phần kỹ thuật: khóa của bản này, các thẻ khóa tin cậy, "
                                       "khôi phục khi mất máy")
        self.details_button.toggled.connect(self._show_details)
        self._details_chosen = False  # once the cadre opens or closes it, the tab no longer decides
        self.details_button.clicked.connect(lambda: setattr(self, "_details_chosen", True))
        self.period = ""
        self.sent_table: QTableWidget | None = None
        self.grid = CompletenessGrid(lambda year: completeness.completeness_grid(ctx.store, year),
                                     self._unit_label, dates=lambda year: completeness.cell_dates(ctx.store, year),
                                     office=self.inst.is_aggregator)
        role_box = self._office_box() if self.inst.is_aggregator else self._commune_box()
        self.details_box = QWidget()
        details = QVBoxLayout(self.details_box)
        details.setContentsMargins(0, 0, 0, 0)
        details.addWidget(self.keys_panel, 1)
        recovery_row = QHBoxLayout()
        recovery_row.addWidget(self.recovery_button)
        recovery_row.addStretch(1)
        details.addLayout(recovery_row)
        layout = QHBoxLayout(self)
        layout.addWidget(self.details_box, 2)
        layout.addWidget(role_box, 3)
        self.refresh()

    def _next_step(self, primary: QPushButton, secondary: list[QPushButton]) -> QFrame:
        """The "what to do next" panel: the hint, ONE primary button, the others plain."""
        frame = QFrame()
        frame.setObjectName("nextStep")
        frame.setStyleSheet(NEXT_STYLE)
        primary.setStyleSheet(PRIMARY_STYLE)
        primary.setDefault(True)
        row = QHBoxLayout()
        row.addWidget(primary)
        for button in secondary:
            button.setFlat(False)
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.details_button)
        layout = QVBoxLayout(frame)
        layout.addWidget(self.hint)
        layout.addLayout(row)
        return frame

    def _show_details(self, shown: bool) -> None:
        self.details_box.setVisible(shown)
        self.details_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    # --- layout per role -----------------------------------------------------------------------
    def _commune_box(self) -> QGroupBox:
        receiving = self.inst.receiving_unit_code
        box = QGroupBox(f"Gửi gói cho cơ quan tiếp nhận: {reference.unit_name(self.ctx.store, receiving)} ({receiving})"
                        if receiving else "Gửi gói cho cơ quan tiếp nhận")
        self.export_button = QPushButton("Xuất gói tháng…")
        self.export_button.clicked.connect(lambda: self.open_export())
        self.import_button = QPushButton("Nhập biên nhận…")
        self.import_button.setToolTip("Nhập biên nhận hoặc gói tham chiếu do cơ quan tiếp nhận gửi về (tệp .cnb)")
        self.import_button.clicked.connect(self.import_files)
        table = _table(SENT_COLUMNS, stretch=2)
        self.sent_table = table
        layout = QVBoxLayout(box)
        layout.addWidget(self._next_step(self.export_button, [self.import_button]))
        layout.addWidget(QLabel("<b>Các gói đã gửi</b>"))
        layout.addWidget(table, 1)
        layout.addWidget(QLabel("<b>Theo dõi các tháng</b>"))
        layout.addWidget(self.grid)
        return box

    def _office_box(self) -> QGroupBox:
        box = QGroupBox(f"Nhận gói từ các xã/phường — {self.inst.unit_name}")
        self.import_button = QPushButton("Nhập gói…")
        self.import_button.clicked.connect(self.import_files)
        self.import_folder_button = QPushButton("Nhập cả thư mục (USB)…")
        self.import_folder_button.clicked.connect(self.import_folder)
        self.reference_button = QPushButton("Gửi gói tham chiếu…")
        self.reference_button.clicked.connect(self.open_reference)
        layout = QVBoxLayout(box)
        layout.addWidget(self._next_step(self.import_button, [self.import_folder_button, self.reference_button]))
        layout.addWidget(QLabel("<b>Tình trạng nhận gói</b> (hạn: ngày 5 của tháng sau)"))
        layout.addWidget(self.grid)
        layout.addWidget(QLabel("<b>Các gói đã nhận</b>"))
        self.received_table = _table(RECEIVED_COLUMNS, stretch=3)
        layout.addWidget(self.received_table, 1)
        return box

    def _unit_label(self, code: str) -> str:
        name = reference.unit_name(self.ctx.store, code)
        return f"{reference.short_unit_name(name)} ({code})" if name != code else code

    # --- reading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read keys, roster, sent bundles and the grid."""
        store = self.ctx.store
        has_keys = keys.has_keys(store)
        peers = [k for k in roster.list_roster(store) if k.active]
        ready = has_keys and bool(peers)
        self.hint.setText(self._hint(has_keys, bool(peers)))
        if not self._details_chosen:  # setting up the keys IS the next step: show them until done
            self.details_button.setChecked(not ready)
        self._show_details(self.details_button.isChecked())
        self.import_button.setEnabled(ready)
        if self.inst.is_aggregator:
            self.import_folder_button.setEnabled(ready)
            self.reference_button.setEnabled(ready)
            self._fill_received()
        else:
            self.export_button.setEnabled(ready)
            self._fill_sent()
        self.keys_panel.refresh()
        self.grid.refresh()

    def _hint(self, has_keys: bool, has_peers: bool) -> str:
        """What to do next, in plain words (the first step not yet done)."""
        office = self.inst.is_aggregator
        if not has_keys:
            return ("<b>Việc cần làm:</b> bấm <b>Tạo khóa…</b> (phần Chi tiết bên trái). Chỉ làm một lần; "
                    "sau đó mới " + ("nhận được gói của các xã/phường." if office
                                     else "gửi được gói cho cơ quan tiếp nhận."))
        if not has_peers:
            return ("<b>Việc cần làm:</b> bấm <b>Thêm từ thẻ khóa…</b> (bên trái) và chọn thẻ khóa "
                    + ("của từng xã/phường" if office else "của cơ quan tiếp nhận")
                    + ", rồi đọc dấu vân tay qua điện thoại với bên kia để chắc đúng thẻ.")
        if office:
            previous = next_period(None, date.today())
            grid = completeness.completeness_grid(self.ctx.store, int(previous[:4]))
            missing = [u for u, months in grid.items() if months.get(int(previous[5:7])) == "missing"]
            text = ("<b>Việc cần làm:</b> bấm <b>Nhập gói…</b> và chọn các tệp .cnb các xã/phường gửi lên "
                    "(hoặc cả thư mục USB). Chương trình kiểm tra và cho xem trước rồi mới nhập.")
            if missing:
                text += (f"<br>Tháng {month_label(previous)} còn thiếu gói của {len(missing)} đơn vị: "
                         + ", ".join(self._unit_label(u) for u in missing[:6]) + ("…" if len(missing) > 6 else "")
                         + ".")
            return text
        locked = export.locked_period(self.ctx.store)
        self.period = next_period(locked, date.today())
        self.export_button.setText(f"Xuất gói tháng {month_label(self.period)}")
        due = completeness.deadline(int(self.period[:4]), int(self.period[5:7]))
        receiving = self.inst.receiving_unit_code
        office_name = reference.unit_name(self.ctx.store, receiving) if receiving else "cơ quan tiếp nhận"
        text = (f"<b>Việc cần làm:</b> xuất gói tháng {month_label(self.period)}, chép vào USB và gửi "
                f"{office_name} chậm nhất ngày {format_date(due)}.")
        if locked:
            text += f"<br>Gói gần nhất đã gửi: tháng {month_label(locked)}."
        return text

    def _fill_sent(self) -> None:
        assert self.sent_table is not None
        rows = [r for r in sync.list_bundles(self.ctx.store, "out") if r["kind"] == "commune-report"]
        rows.sort(key=lambda r: r["sequence"], reverse=True)
        self.sent_rows = rows
        self.sent_table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            period = r["period"] or ""
            values = [str(r["sequence"]), f"{period[5:7]}/{period[:4]}" if period else "", r["file_name"] or "",
                      _date(r["created_at"]), OUT_STATUS.get(r["status"], r["status"]), _date(r["acknowledged_at"])]
            for c, value in enumerate(values):
                self.sent_table.setItem(i, c, QTableWidgetItem(value))

    def _fill_received(self) -> None:
        rows = [r for r in sync.list_bundles(self.ctx.store, "in") if r["kind"] == "commune-report"]
        rows.sort(key=lambda r: (r["received_at"] or "", r["sequence"]), reverse=True)  # this copy's clock
        self.received_table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            period = r["period"] or ""
            values = [self._unit_label(r["peer_unit"]), str(r["sequence"]),
                      f"{period[5:7]}/{period[:4]}" if period else "", r["file_name"] or "",
                      _date(r["created_at"]), _date(r["received_at"]), IN_STATUS.get(r["status"], r["status"])]
            for c, value in enumerate(values):
                self.received_table.setItem(i, c, QTableWidgetItem(value))

    # --- actions -------------------------------------------------------------------------------
    def open_export(self, period: str | None = None) -> ExportDialog:
        """The monthly export dialog (non-modal), at ``period`` (default: the month the button names)."""
        dialog = ExportDialog(self.ctx, self, initial_period=period or self.period or None,
                              on_exported=lambda _p: self.refresh())
        self.dialog = dialog
        dialog.show()
        return dialog

    def open_reference(self) -> ExportDialog:
        """Office → commune reference bundle; the communes are those with trusted keys."""
        codes = sorted({k.unit_code for k in roster.list_roster(self.ctx.store)
                        if k.active and k.unit_code != self.inst.unit_code})
        dialog = ExportDialog(self.ctx, self, peers=[(c, self._unit_label(c)) for c in codes],
                              on_exported=lambda _p: self.refresh())
        self.dialog = dialog
        dialog.show()
        return dialog

    def open_recovery(self) -> RecoveryDialog:
        """The recovery procedures of this copy's role (non-modal)."""
        dialog = RecoveryDialog(self.ctx, self, on_changed=self.refresh)
        self.dialog = dialog
        dialog.show()
        return dialog

    def import_files(self) -> BundleImportDialog | None:
        """One or many .cnb files → the import dialog."""
        chosen = files.choose_open_files(self, "Chọn các tệp gói dữ liệu", file_filter=BUNDLE_FILTER)
        return self._open_import(chosen) if chosen else None

    def import_folder(self) -> BundleImportDialog | None:
        """Every .cnb of a folder (a USB stick) addressed to this unit → the import dialog."""
        folder = files.choose_folder(self, "Chọn thư mục chứa các gói (ví dụ ổ USB)")
        return self._open_import([folder]) if folder else None

    def _open_import(self, paths: list[Path]) -> BundleImportDialog:
        dialog = BundleImportDialog(self.ctx, paths, self, on_applied=self.refresh)
        self.dialog = dialog
        dialog.show()
        dialog.start()
        return dialog
