"""The main window: five tabs, the Tệp/Sửa/Trợ giúp menus with the shortcut map (Ctrl+N, Ctrl+F,
Ctrl+P, F1…), and a status bar (unit, user, database file)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QMainWindow, QSizePolicy, QWidget

from ... import APP_TITLE, __version__, paths
from ...core.errors import AppError
from ...storage import backup
from ..documents import reports_tab
from ..exchange import exchange_tab
from ..forms.ui_main_window import Ui_MainWindow
from ..plan import plans_tab
from ..registry import households_tab
from ..registry.rulesets_dialog import RulesetsDialog
from ..review import reviews_tab
from . import errors, files
from .account_actions import SessionGuard, backup_key
from .context import AppContext
from .help_window import SHORTCUTS_PAGE, HelpWindow
from .session import open_session

log = logging.getLogger(__name__)
DEFAULT_SIZE = (1280, 720)  # fits a 1366×768 laptop screen with the taskbar
TAB_MODULES = (households_tab, plans_tab, reports_tab, exchange_tab, reviews_tab)
TAB_CLASSES = (households_tab.HouseholdsTab, plans_tab.PlansTab, reports_tab.ReportsTab,
               exchange_tab.ExchangeTab, reviews_tab.ReviewsTab)
# The guide page F1 opens on each tab (resources/guide/).
TAB_HELP = ("ho-gia-dinh.md", "ho-tro.md", "in-ho-so.md", "xuat-goi.md", "ra-soat.md")


class MainWindow(QMainWindow):
    """Shows one AppContext; File menu actions may replace it with another session."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._closed = False
        self.last_backup: Path | None = None
        self.help_window: HelpWindow | None = None
        self.ui = Ui_MainWindow()
        self.ui.setupUi(self)
        self.unit_label, self.user_label, self.db_label = QLabel(), QLabel(), QLabel()
        self.note_label = QLabel()  # start-up and "done" notes; a separate label never hides the others
        for label in (self.unit_label, self.user_label):
            label.setContentsMargins(6, 0, 12, 0)
            self.statusBar().addWidget(label)
        self.note_label.setStyleSheet("color: #205080;")
        # A long note must never push the database path off a 1366-px screen: the label may
        # shrink (its full text stays in the tooltip).
        self.note_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.statusBar().addWidget(self.note_label, 1)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.timeout.connect(self.note_label.clear)
        self.db_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addPermanentWidget(self.db_label)
        ui = self.ui
        ui.actionOpenDatabase.triggered.connect(self.open_database)
        ui.actionNewDatabase.triggered.connect(self.new_database)
        ui.actionBackupNow.triggered.connect(self.backup_now)
        ui.actionRestore.triggered.connect(self.restore_backup)
        ui.actionRulesets.triggered.connect(self.show_rulesets)
        ui.actionQuit.triggered.connect(self.close)
        ui.actionAbout.triggered.connect(self.show_about)
        ui.actionNewHousehold.triggered.connect(self.new_household)
        ui.actionFind.triggered.connect(self.focus_search)
        ui.actionPrint.triggered.connect(self.print_current)
        ui.actionGuide.triggered.connect(lambda: self.show_guide())  # not the "checked" argument
        ui.actionShortcuts.triggered.connect(lambda: self.show_guide(SHORTCUTS_PAGE))
        self.guard = SessionGuard(self, ui.menuFile, before=ui.actionQuit)
        self._fit_screen()
        self._bind()

    # -- layout -----------------------------------------------------------------------------
    def _fit_screen(self) -> None:
        width, height = DEFAULT_SIZE
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            avail = screen.availableGeometry()
            width, height = min(width, avail.width() - 20), min(height, avail.height() - 40)
        self.resize(max(width, self.minimumWidth()), max(height, self.minimumHeight()))

    def _bind(self) -> None:
        """(Re)build tabs and status bar for ``self.ctx``."""
        self.ctx.tasks.setParent(self)  # the window owns its session's runner (closeEvent shuts it down)
        tabs = self.ui.tabs
        while tabs.count():
            widget = tabs.widget(0)
            tabs.removeTab(0)
            widget.deleteLater()
        for module, cls in zip(TAB_MODULES, TAB_CLASSES, strict=True):
            tabs.addTab(cls(self.ctx), module.TITLE)
        inst = self.ctx.installation
        suffix = " — dữ liệu mẫu" if self.ctx.demo else ""
        # The title ends with the application's display name, so Qt does not append it a second
        # time (it adds " - Cận Nghèo Desktop" to any title that does not already end with it).
        self.setWindowTitle(f"{inst.unit_name}{suffix} — {APP_TITLE}")
        self.unit_label.setText(f"Đơn vị: {inst.unit_name} ({inst.unit_code})")
        self.user_label.setText(f"Người dùng: {self.ctx.user_label}")
        full = str(self.ctx.db_path)
        metrics = self.db_label.fontMetrics()
        self.db_label.setText(f"Tệp dữ liệu: {metrics.elidedText(full, Qt.TextElideMode.ElideMiddle, 520)}")
        self.db_label.setToolTip(full)
        self.guard.bind(self.ctx)
        notes = list(self.ctx.notes)
        for i in range(tabs.count()):  # e.g. the plan tab's "Kế hoạch: 3 việc quá hạn."
            notes += getattr(tabs.widget(i), "startup_notes", list)()
        self.show_note(" ".join(notes))

    def show_note(self, text: str, msecs: int = 20_000) -> None:
        """A short note in the status bar (cleared after ``msecs``)."""
        self.note_label.setText(text)
        self.note_label.setToolTip(text)
        if text:
            self._note_timer.start(msecs)

    def tab_titles(self) -> list[str]:
        return [self.ui.tabs.tabText(i) for i in range(self.ui.tabs.count())]

    def switch_to(self, ctx: AppContext) -> None:
        """Show another session; the old one is closed (its file lock released)."""
        old, self.ctx = self.ctx, ctx
        if old is not ctx:
            old.close()
        self._bind()

    # -- Tệp ----------------------------------------------------------------------------------
    def open_database(self) -> None:
        path = files.choose_open_file(self, "Mở cơ sở dữ liệu", self.ctx.db_path.parent)
        if path is None:
            return
        if path.resolve() == self.ctx.db_path.resolve():
            errors.inform(self, f"Tệp '{path}' đang được mở.")
            return
        self._open_session(path, create=False)

    def new_database(self) -> None:
        path = files.choose_save_file(self, "Tạo cơ sở dữ liệu mới", self.ctx.db_path.parent)
        if path is None:
            return
        if path.exists():
            errors.warn(self, f"Tệp '{path}' đã có. Hãy chọn tên khác, hoặc dùng Tệp → Mở cơ sở dữ liệu….")
            return
        self._open_session(path, create=True)

    def _open_session(self, path: Path, *, create: bool) -> None:
        ctx = open_session(path, self, create=create)
        if ctx is not None:
            self.switch_to(ctx)

    def backup_now(self) -> None:
        """Copy the open database into a folder the user chooses (a USB stick); copies there are kept."""
        folder = files.choose_folder(self, "Chọn thư mục để lưu bản sao (ví dụ ổ USB)")
        if folder is None:
            return

        def work(store, progress) -> Path:  # worker thread, its own connection
            return backup.backup_database(store.conn, store.path, reason="thu-cong", folder=folder, keep=None)

        self.ctx.tasks.run_task(self, work, on_success=self._backup_done,
                                label="Đang sao lưu cơ sở dữ liệu…", cancellable=False)

    def _backup_done(self, target: Path) -> None:
        self.last_backup = target
        self.show_note(f"Đã sao lưu vào {target}")
        errors.inform(self, f"Đã sao lưu toàn bộ dữ liệu vào:\n{target}")

    def restore_backup(self) -> None:
        """Replace the open file with a backup, after a safety copy; then reopen (and log in again)."""
        path = self.ctx.db_path
        source = files.choose_open_file(self, "Chọn bản sao lưu để khôi phục", paths.backups_dir(path),
                                        files.BACKUP_FILTER)
        if source is None:
            return
        if not errors.confirm(self, (
                f"Thay toàn bộ dữ liệu trong '{path.name}' bằng bản sao lưu '{source.name}'?\n\n"
                f"Dữ liệu hiện tại được sao lưu trước vào thư mục {paths.backups_dir(path)}, "
                "rồi chương trình mở lại tệp và yêu cầu đăng nhập.")):
            return
        demo = self.ctx.demo
        self.ctx.close()
        try:
            try:
                safety = backup.restore_database(source, path)
            except backup.BackupKeyError:  # made under another key: its own password or recovery key
                key = backup_key(self, source)
                if key is None:
                    raise
                safety = backup.restore_database(source, path, key=key)
        except (AppError, OSError) as exc:
            errors.report(self, exc if isinstance(exc, AppError) else AppError(
                f"Không khôi phục được từ '{source}': {exc}"))
            safety = None
        ctx = open_session(path, self, demo=demo, create=False)
        if ctx is None:
            self._closed = True  # the old store is already closed
            self.close()
            return
        self.ctx = ctx
        self._bind()
        if safety is not None:
            errors.inform(self, f"Đã khôi phục từ '{source}'.\nBản sao dữ liệu trước khi khôi phục: {safety}")

    def show_rulesets(self) -> RulesetsDialog:
        """Tệp → Bộ chuẩn nghèo… (values awaiting confirmation; an administrator edits them)."""
        dialog = RulesetsDialog(self.ctx, self)
        dialog.show()
        return dialog

    # -- shortcuts (Ctrl+N, Ctrl+F, Ctrl+P) --------------------------------------------------------
    def _tab(self, cls: type) -> QWidget | None:
        for i in range(self.ui.tabs.count()):
            if isinstance(self.ui.tabs.widget(i), cls):
                self.ui.tabs.setCurrentIndex(i)
                return self.ui.tabs.widget(i)
        return None

    def new_household(self) -> QWidget | None:
        """Ctrl+N: the households tab's editor for a new household."""
        tab = self._tab(households_tab.HouseholdsTab)
        if not isinstance(tab, households_tab.HouseholdsTab):
            return None
        new = getattr(tab, "new_household", None)
        return new() if callable(new) else tab.edit_household(None)

    def focus_search(self) -> None:
        """Ctrl+F: the search of the tab in use (its focus_search() or its search box), else the households'."""
        own = getattr(self.ui.tabs.currentWidget(), "focus_search", None)
        if callable(own):
            own()
            return
        box = getattr(self.ui.tabs.currentWidget(), "search", None)
        if not isinstance(box, QLineEdit):
            box = getattr(self._tab(households_tab.HouseholdsTab), "search", None)
        if isinstance(box, QLineEdit):
            box.setFocus(Qt.FocusReason.ShortcutFocusReason)
            box.selectAll()

    def print_current(self) -> None:
        """Ctrl+P: the tab's own printing when it has one, else the Báo cáo tab's "In…"."""
        tab = self.ui.tabs.currentWidget()
        own = getattr(tab, "print_current", None)
        if callable(own):
            own()
            return
        reports = self._tab(reports_tab.ReportsTab)
        if isinstance(reports, reports_tab.ReportsTab):
            if reports.spec is None:
                self.show_note("Chọn mẫu cần in trong danh sách bên trái rồi bấm Ctrl+P.")
                return
            reports.print_report()

    # -- Trợ giúp -----------------------------------------------------------------------------
    def show_guide(self, page: str | None = None) -> HelpWindow:
        """F1: the user guide, at the page of the tab in use (or ``page``)."""
        if page is None:
            index = self.ui.tabs.currentIndex()
            page = TAB_HELP[index] if 0 <= index < len(TAB_HELP) else "index.md"
        if self.help_window is None:
            self.help_window = HelpWindow(self)
        try:
            self.help_window.show_page(page)
        except AppError as exc:
            errors.report(self, exc)
        self.help_window.show()
        self.help_window.raise_()
        self.help_window.activateWindow()
        return self.help_window

    def show_about(self) -> None:
        errors.inform(self, (
            f"{APP_TITLE} {__version__}\n"
            "Quản lý hộ nghèo, hộ cận nghèo cho xã/phường và cơ quan tiếp nhận — chạy không cần mạng.\n\n"
            f"Tệp dữ liệu đang mở: {self.ctx.db_path}\n"
            f"Thư mục dữ liệu: {paths.data_dir()}\n"
            f"Bản sao lưu tự động: {paths.backups_dir(self.ctx.db_path)}\n"
            f"Nhật ký lỗi: {paths.log_file()}"), title=f"Giới thiệu {APP_TITLE}")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self._closed:
            self._closed = True
            self.guard.stop()
            self.ctx.close()
        super().closeEvent(event)
