"""Tab "Báo cáo": the report catalogue (reporting.CATALOGUE) with parameters, preview, export, print.

Left: the reports grouped (Kế hoạch, Hộ gia đình, Rà soát và niêm yết). Right: the chosen
report's title and description, its parameter form (widgets/report_params.py) and the actions
"Xem trước", "Xuất Excel…", "Xuất PDF…", "In…" (formats a report does not write are disabled).
Every report is built on the worker (``ctx.tasks.run_task``) with progress and cancel; preview and
printing go through dialogs/print_preview.py (QtPdf). The last export folder is a local setting.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import AppError
from ...documents.catalogue import ReportSpec, build_report, list_reports
from ...storage import repo
from ..shell import errors, files
from ..shell.account_actions import ask_export_password
from ..shell.context import AppContext
from . import print_preview
from .report_params import ReportParamsForm, file_stem, load_choices

TITLE = "Báo cáo"
FOLDER_SETTING = "reports.last_folder"
GROUPS = (
    ("Kế hoạch", ("plan-table", "plan-results", "support")),
    ("Hộ gia đình", ("household-list", "household-profile", "household-profiles", "groups", "deprivation",
                     "ruleset-change")),
    ("Rà soát và niêm yết", ("posting-list", "movements")),
)
FORMAT_NAMES = {"xlsx": "Excel (.xlsx)", "pdf": "PDF"}
FILTERS = {"xlsx": "Bảng tính Excel (*.xlsx)", "pdf": "Tệp PDF (*.pdf)"}
CODE_ROLE = Qt.ItemDataRole.UserRole
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 1
PAD = 4


class ReportTree(QTreeWidget):
    """The list of reports; rows are re-measured when the width changes (descriptions wrap)."""

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.scheduleDelayedItemsLayout()


class ReportItemDelegate(QStyledItemDelegate):
    """A report in the list: its title, and its description in smaller grey text, both wrapped."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        title = QFont(option.font)
        small = QFont(option.font)
        small.setPointSizeF(option.font.pointSizeF() * 0.9)
        return title, small

    def _width(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> int:
        width = option.rect.width() if option.rect.width() > 0 else self.tree.viewport().width()
        if option.rect.width() <= 0:
            width -= self.tree.indentation() * (2 if index.parent().isValid() else 1)
        return max(width - 2 * PAD, 80)

    def _heights(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex,
                 width: int) -> tuple[int, int]:
        title_font, small = self._fonts(option)
        flags = int(Qt.TextFlag.TextWordWrap)
        title_h = QFontMetrics(title_font).boundingRect(QRect(0, 0, width, 10_000), flags, index.data()).height()
        text = index.data(DESCRIPTION_ROLE) or ""
        desc_h = QFontMetrics(small).boundingRect(QRect(0, 0, width, 10_000), flags, text).height() if text else 0
        return title_h, desc_h

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        if not index.data(DESCRIPTION_ROLE):
            return super().sizeHint(option, index)
        width = self._width(option, index)
        title_h, desc_h = self._heights(option, index, width)
        return QSize(width, title_h + desc_h + 3 * PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        if not index.data(DESCRIPTION_ROLE):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal = opt.palette
        width = opt.rect.width() - 2 * PAD
        title_font, small = self._fonts(opt)
        title_h, desc_h = self._heights(opt, index, width)
        x, y = opt.rect.x() + PAD, opt.rect.y() + PAD
        flags = int(Qt.TextFlag.TextWordWrap)
        painter.save()
        painter.setFont(title_font)
        painter.setPen(pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        painter.drawText(QRect(x, y, width, title_h), flags, index.data())
        painter.setFont(small)
        if not selected:
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(QRect(x, y + title_h + PAD, width, desc_h), flags, index.data(DESCRIPTION_ROLE))
        painter.restore()


class ReportsTab(QWidget):
    """The report catalogue: choose, set parameters, preview, export, print."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.specs = {s.code: s for s in list_reports()}
        self.spec: ReportSpec | None = None
        self.last_output: Path | None = None
        self.preview: print_preview.PrintPreviewDialog | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="cannngheo-baocao-", ignore_cleanup_errors=True)
        self._runs = 0

        self.tree = ReportTree()
        self.tree.setHeaderHidden(True)
        self.tree.setMinimumWidth(300)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setIndentation(14)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setItemDelegate(ReportItemDelegate(self.tree))
        self._fill_tree()

        self.title = QLabel()
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.formats = QLabel()
        self.formats.setStyleSheet("color: #555;")
        self.form = ReportParamsForm(ctx.store, load_choices(ctx.store))
        params_box = QGroupBox("Tham số")
        params_box.setMaximumWidth(760)
        QVBoxLayout(params_box).addWidget(self.form)

        self.preview_button = QPushButton("Xem trước")
        self.xlsx_button = QPushButton("Xuất Excel…")
        self.pdf_button = QPushButton("Xuất PDF…")
        self.print_button = QPushButton("In…")
        self.preview_button.clicked.connect(self.show_preview)
        self.xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        self.print_button.clicked.connect(self.print_report)
        actions = QHBoxLayout()
        for b in (self.preview_button, self.xlsx_button, self.pdf_button, self.print_button):
            actions.addWidget(b)
        actions.addStretch(1)

        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder_button = QPushButton("Mở thư mục")
        self.open_folder_button.clicked.connect(self.open_folder)
        self.open_folder_button.hide()
        status = QHBoxLayout()
        status.addWidget(self.note, 1)
        status.addWidget(self.open_folder_button)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.title)
        rl.addWidget(self.description)
        rl.addWidget(self.formats)
        rl.addWidget(params_box)
        rl.addLayout(actions)
        rl.addLayout(status)
        rl.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(right)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tree)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([420, 840])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.tree.currentItemChanged.connect(self._on_current)
        self.select(GROUPS[0][1][0])

    # --- the list -----------------------------------------------------------------------------
    def _fill_tree(self) -> None:
        placed: set[str] = set()
        groups = [(name, [c for c in codes if c in self.specs]) for name, codes in GROUPS]
        rest = [c for c in self.specs if not any(c in codes for _n, codes in GROUPS)]
        if rest:
            groups.append(("Khác", rest))
        for name, codes in groups:
            head = QTreeWidgetItem([name])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            bold = QFont(head.font(0))
            bold.setBold(True)
            head.setFont(0, bold)
            self.tree.addTopLevelItem(head)
            for code in codes:
                spec = self.specs[code]
                item = QTreeWidgetItem([spec.title])
                item.setData(0, CODE_ROLE, code)
                item.setData(0, DESCRIPTION_ROLE, spec.description)
                head.addChild(item)
                placed.add(code)
            head.setExpanded(True)

    def _item(self, code: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            if head is None:
                continue
            for j in range(head.childCount()):
                child = head.child(j)
                if child is not None and child.data(0, CODE_ROLE) == code:
                    return child
        return None

    def select(self, code: str) -> None:
        """Choose report ``code`` (as a click in the list would)."""
        item = self._item(code)
        if item is not None:
            self.tree.setCurrentItem(item)

    def _on_current(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        code = item.data(0, CODE_ROLE) if item is not None else None
        if code:
            self._show_spec(self.specs[code])

    def _show_spec(self, spec: ReportSpec) -> None:
        self.spec = spec
        self.title.setText(spec.title)
        self.description.setText(spec.description)
        self.formats.setText("Định dạng: " + ", ".join(FORMAT_NAMES[f] for f in spec.formats))
        self.form.set_spec(spec)
        self.xlsx_button.setEnabled("xlsx" in spec.formats)
        for b in (self.pdf_button, self.preview_button, self.print_button):
            b.setEnabled("pdf" in spec.formats)
        reason = "Báo cáo này không có bản PDF." if "pdf" not in spec.formats else ""
        for b in (self.pdf_button, self.preview_button, self.print_button):
            b.setToolTip(reason)
        self.xlsx_button.setToolTip("" if "xlsx" in spec.formats else "Báo cáo này chỉ có bản PDF.")

    # --- building ------------------------------------------------------------------------------
    def _build(self, fmt: str, out: Path, on_success, label: str, password: str | None = None) -> None:
        """Build the current report into ``out`` on the worker; ``on_success(path)`` afterwards."""
        assert self.spec is not None
        code, params = self.spec.code, replace(self.form.params(), password=password)
        self.form.mark(None, None)
        self.ctx.tasks.run_task(
            self, lambda store, progress: build_report(store, code, params, out, fmt, progress),
            on_success=on_success, on_failure=self._failed, label=label)

    def _failed(self, exc: AppError) -> None:
        field = getattr(exc, "field", None)
        if field:
            self.form.mark("period" if field == "date" and "period" in self.form.fields else field, exc.message)
        errors.show_app_error(self, exc)

    def _temp_pdf(self) -> Path:
        assert self.spec is not None
        self._runs += 1
        return Path(self._tmp.name) / f"{file_stem(self.spec, self.form.params())}-{self._runs}.pdf"

    def last_folder(self) -> Path:
        """Where the last export went (a local setting), else the home folder."""
        saved = self.ctx.store.get_setting(FOLDER_SETTING)
        return Path(saved) if saved and Path(saved).is_dir() else Path.home()

    def export(self, fmt: str) -> None:
        """"Xuất Excel…"/"Xuất PDF…": choose the file, build it on the worker, say where it went."""
        if self.spec is None or fmt not in self.spec.formats:
            return
        suggested = self.last_folder() / f"{file_stem(self.spec, self.form.params())}.{fmt}"
        title = "Xuất Excel" if fmt == "xlsx" else "Xuất PDF"
        path = files.choose_save_file(self, title, suggested, FILTERS[fmt])
        if path is None:
            return
        if path.suffix.lower() != f".{fmt}":
            path = path.with_name(path.name.removesuffix(".sqlite") + f".{fmt}")
        password = ask_export_password(self) if fmt == "xlsx" and self.form.params().internal else ""
        if password is None:  # an internal Excel copy is locked with a password; cancelled
            return
        if path.parent != self.last_folder():
            repo.set_setting(self.ctx.store, FOLDER_SETTING, str(path.parent))
        self._build(fmt, path, self._exported, f"Đang lập «{self.spec.title}»…", password or None)

    def _exported(self, path: Path) -> None:
        self.last_output = Path(path)
        self.note.setText(f"Đã xuất <b>{self.last_output.name}</b> vào {self.last_output.parent}")
        self.open_folder_button.show()

    def open_folder(self) -> None:
        """Open the folder of the last export in the file manager."""
        if self.last_output is not None:
            print_preview.open_default(self.last_output.parent)

    # --- preview and printing ---------------------------------------------------------------
    def show_preview(self) -> None:
        """Build the PDF to a temporary file on the worker and show its pages."""
        if self.spec is None or "pdf" not in self.spec.formats:
            return
        self._build("pdf", self._temp_pdf(), self._open_preview, f"Đang lập bản xem trước «{self.spec.title}»…")

    def _open_preview(self, path: Path) -> None:
        if not print_preview.HAVE_QTPDF:
            self._fallback(path)
            return
        if self.preview is not None:
            self.preview.close()
        self.preview = print_preview.PrintPreviewDialog(Path(path), self.spec.title if self.spec else "", self)
        self.preview.print_button.clicked.connect(lambda: self.print_file(Path(path)))
        self.preview.show()

    def print_report(self) -> None:
        """"In…": build the PDF on the worker, then the print dialog and the pages to the printer."""
        if self.spec is None or "pdf" not in self.spec.formats:
            return
        self._build("pdf", self._temp_pdf(), self.print_file, f"Đang chuẩn bị in «{self.spec.title}»…")

    def print_file(self, path: Path) -> None:
        """Print dialog (A4, orientation of the first page), then print on the worker."""
        path = Path(path)
        if not print_preview.HAVE_QTPDF:
            self._fallback(path)
            return
        try:
            printer = print_preview.a4_printer(print_preview.is_landscape(path))
        except AppError as exc:
            self._print_failed(path, exc)
            return
        printer.setDocName(self.spec.title if self.spec else path.stem)
        if not print_preview.ask_printer(self, printer):
            return
        self._printer = printer  # alive until the worker is done with it
        self.ctx.tasks.run_task(
            self, lambda progress: print_preview.print_pdf(path, printer, progress),
            on_success=lambda n: self._printed(printer, n),
            on_failure=lambda exc: self._print_failed(path, exc), label="Đang gửi tới máy in…", db=False)

    def _printed(self, printer, pages: int) -> None:
        where = printer.outputFileName() or printer.printerName() or "máy in mặc định"
        self.note.setText(f"Đã gửi {pages} trang tới {where}.")

    def _print_failed(self, path: Path, exc: AppError) -> None:
        if errors.confirm(self, f"{exc.message}\n\nMở bản PDF bằng chương trình mặc định để in?"):
            self._fallback(path)

    def _fallback(self, path: Path) -> None:
        """No QtPdf (or it failed): hand the PDF to the system's viewer."""
        if print_preview.open_default(path):
            self.note.setText(f"Đã mở {path.name} bằng chương trình mặc định; hãy in từ chương trình đó.")
        else:
            errors.warn(self, f"Không mở được {path} bằng chương trình mặc định. "
                              "Hãy cài một chương trình đọc PDF hoặc dùng «Xuất PDF…».")

    def refresh(self) -> None:
        """Re-read the choices (units, rulesets, plan years); the form is rebuilt only when they changed."""
        options = load_choices(self.ctx.store)
        if options != self.form.options:
            self.form.options = options
            if self.spec is not None:
                self.form.set_spec(self.spec)
