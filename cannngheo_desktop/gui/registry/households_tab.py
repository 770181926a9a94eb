"""Tab "Hộ gia đình": find, edit, assess, import and export households.

The list is a paged SQL model; the search (storage.household_search) waits ~250 ms after the last
keystroke, lists best matches first until a header is clicked, and shows whom it found. Keys: Enter/F2
open, Delete asks first, Tab leaves the table; the main window's Ctrl+N/F/P call ``new_household``,
``focus_search`` and ``print_current``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ...core import model
from ...registry import queries as rq
from ...registry.template import write_template
from ...storage import reference, rulesets
from ..shell import choices, errors, files
from ..shell.context import AppContext
from . import household_drafts as drafts
from .event_dialog import EventDialog
from .export_action import export_list
from .history_dialog import HistoryDialog
from .household_editor import HouseholdEditor
from .household_table_model import COLUMNS, MATCHED, HouseholdTableModel, show_sort
from .import_dialog import XLSX_FILTER, ImportDialog
from .profile_print import print_profile

TITLE = "Hộ gia đình"
SEARCH_DELAY_MS = 250
ANY = "— Tất cả —"
OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2)
COLUMN_WIDTHS = {"household_code": 115, "head_name": 180, MATCHED: 200, "village": 80, "unit_name": 160, "category": 145,
                 "member_count": 105, "deprivation_count": 135, "able_to_exit": 105, "is_merit": 100}


class HouseholdsTab(QWidget):
    """The household registry: search, filters, list, and the actions on a household."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.editors: dict[str | None, HouseholdEditor] = {}
        self.search = QLineEdit()
        self.search.setPlaceholderText("Tìm một người theo họ tên (chủ hộ hoặc thành viên), hoặc một phần mã hộ, "
                                       "số CCCD (từ 4 ký tự) — gõ không dấu cũng được, ví dụ: nguyen thi lan (Ctrl+F)")
        self.search.setToolTip("Ctrl+F: về ô tìm kiếm · Tab: xuống danh sách · Enter/F2 trong danh sách: mở hộ")
        self._chosen_sort = False  # a header was clicked: keep that order while searching
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self._build_filters()
        self.model = HouseholdTableModel(ctx.store, self.current_query(), self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(COLUMNS.index("head_name"), Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setTabKeyNavigation(False)  # Tab leaves the table (Windows), arrows move in it
        self.view.installEventFilter(self)
        self.view.horizontalHeader().sectionClicked.connect(lambda _c: setattr(self, "_chosen_sort", True))
        self.view.setToolTip("Enter hoặc F2: mở hộ đang chọn · Delete: đưa hộ ra khỏi danh sách (có hỏi trước)")
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setHighlightSections(False)  # bold headers of a selected row get cut off
        for name, width in COLUMN_WIDTHS.items():
            self.view.setColumnWidth(COLUMNS.index(name), width)
        self.empty_hint = QLabel()
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setStyleSheet("color: #555; font-size: 11pt;")
        hint_layout = QVBoxLayout(self.view.viewport())
        hint_layout.setContentsMargins(40, 40, 40, 40)
        hint_layout.addWidget(self.empty_hint)
        self.toolbar = self._build_toolbar()
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.toolbar)
        layout.addLayout(top)
        layout.addLayout(self.filters)
        layout.addWidget(self.view, 1)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.view.doubleClicked.connect(lambda index: self.edit_household(self.model.household_id(index.row())))
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.modelReset.connect(self._update_actions)
        self.apply_filters()
        self._update_actions()
        QTimer.singleShot(0, self.offer_drafts)

    # -- building -----------------------------------------------------------------------------------
    def _build_filters(self) -> None:
        store = self.ctx.store
        self.unit = QComboBox()
        self.unit.addItem(ANY, None)
        for label, code, _row in choices.unit_choices(reference.units_for_installation(store, self.ctx.installation)):
            self.unit.addItem(label, code)
        self.village = QComboBox()
        self.category = QComboBox()
        choices.fill(self.category, model.CATEGORY_LABELS, unknown=ANY)
        self.able = QComboBox()
        choices.fill(self.able, choices.YES_NO, unknown=ANY)
        self.merit = QComboBox()
        choices.fill(self.merit, choices.YES_NO, unknown=ANY)
        self.indicator = QComboBox()
        names: dict[str, str] = {}
        for rs in rulesets.list_rulesets(store):
            for ind in rs.indicators:
                names.setdefault(ind.code, ind.name)
        choices.fill(self.indicator, names, unknown=ANY)
        self.open_actions = QCheckBox("Đang có hỗ trợ chưa xong")
        self.needs_review = QCheckBox("Cần rà soát lại")
        self.show_removed = QCheckBox("Hiện cả hộ đã chuyển đi/gộp")
        self._fill_villages()
        grid = QGridLayout()
        cells = [("Đơn vị:", self.unit), ("Thôn/Tổ:", self.village), ("Phân loại:", self.category),
                 ("Khả năng thoát:", self.able), ("Người có công:", self.merit), ("Thiếu hụt chỉ số:", self.indicator)]
        for i, (text, widget) in enumerate(cells):
            grid.addWidget(QLabel(text), i // 3, (i % 3) * 2)
            grid.addWidget(widget, i // 3, (i % 3) * 2 + 1)
            widget.currentIndexChanged.connect(self.apply_filters)
        checks = QHBoxLayout()
        for check in (self.open_actions, self.needs_review, self.show_removed):
            checks.addWidget(check)
            check.toggled.connect(self.apply_filters)
        checks.addStretch(1)
        grid.addLayout(checks, 2, 0, 1, 6)
        for col in (1, 3, 5):
            grid.setColumnStretch(col, 1)
        self.unit.currentIndexChanged.connect(self._fill_villages)
        self.filters = grid

    def _fill_villages(self) -> None:
        current = self.village.currentData()
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItem(ANY, None)
        for v in rq.list_villages(self.ctx.store, self.unit.currentData()):
            self.village.addItem(v, v)
        self.village.setCurrentIndex(max(self.village.findData(current), 0))
        self.village.blockSignals(False)

    def _build_toolbar(self) -> QToolBar:
        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        specs = [("add", "Thêm hộ", self.new_household),
                 ("edit", "Sửa", lambda: self.edit_household(self.selected_id())),
                 ("event", "Ghi sự kiện…", self.record_event),
                 ("history", "Lịch sử", self.show_history), None,
                 ("import", "Nhập Excel…", self.import_excel),
                 ("template", "Tải mẫu Excel", self.save_template),
                 ("export", "Xuất Excel", self.export_excel)]
        self.actions_by_name: dict[str, QAction] = {}
        for spec in specs:
            if spec is None:
                bar.addSeparator()
                continue
            name, text, slot = spec
            action = bar.addAction(text)
            action.triggered.connect(slot)
            self.actions_by_name[name] = action
        for name, tip in (("add", "Thêm hộ mới (Ctrl+N)"), ("edit", "Mở hộ đang chọn (Enter, F2)")):
            self.actions_by_name[name].setToolTip(tip)
        return bar

    # -- list ---------------------------------------------------------------------------------------
    def current_query(self) -> rq.ListQuery:
        """The ListQuery the search box and filters describe (sort kept from the list)."""
        base = getattr(self, "model", None)
        sort = base.query.sort if base else "head_name"
        descending = base.query.descending if base else False
        if self.search.text().strip() and not self._chosen_sort:
            sort, descending = rq.RELEVANCE, False  # best matches first: the person's own household
        elif not self.search.text().strip() and sort == rq.RELEVANCE:
            sort, descending = "head_name", False
        return rq.ListQuery(
            search=self.search.text().strip(), unit_code=self.unit.currentData(), village=self.village.currentData(),
            category=self.category.currentData(), able_to_exit=self.able.currentData(),
            is_merit=self.merit.currentData(), deprived_indicator=self.indicator.currentData(),
            has_open_actions=True if self.open_actions.isChecked() else None,
            needs_review=True if self.needs_review.isChecked() else None,
            include_removed=self.show_removed.isChecked(), sort=sort, descending=descending)

    def apply_filters(self) -> None:
        """Re-query with the search box and filters (the debounced search lands here too)."""
        self._search_timer.stop()
        if not self.search.text().strip():
            self._chosen_sort = False
        query = self.current_query()
        self.model.reload(query)
        show_sort(self.view, query)
        self._update_count()

    def _update_count(self) -> None:
        total = self.model.total
        self.count_label.setText(f"<b>{total:,}</b> hộ".replace(",", "."))
        if total:
            self.empty_hint.hide()
            return
        query = self.model.query
        filtered = bool(query.search) or any(
            v is not None for v in (query.unit_code, query.village, query.category, query.able_to_exit,
                                             query.is_merit, query.deprived_indicator, query.has_open_actions,
                                             query.needs_review))
        self.empty_hint.setText(
            "Không có hộ nào khớp với từ khóa tìm kiếm và bộ lọc đang chọn. Hãy xóa bớt điều kiện lọc."
            if filtered else
            "Sổ hộ chưa có hộ nào. Bấm «Thêm hộ» để nhập từng hộ, hoặc «Tải mẫu Excel», điền danh sách "
            "rồi «Nhập Excel» để nhập nhiều hộ một lần.")
        self.empty_hint.show()

    def refresh(self) -> None:
        """Re-read the list (after an import, a save or another window's change)."""
        self._fill_villages()
        self.apply_filters()

    def selected_id(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.household_id(rows[0].row()) if rows else None

    def _update_actions(self, *_args: Any) -> None:
        has = self.selected_id() is not None
        for name in ("edit", "event", "history"):
            self.actions_by_name[name].setEnabled(has)

    # -- actions ------------------------------------------------------------------------------------
    def new_household(self) -> HouseholdEditor | None:
        """Ctrl+N (main window) and «Thêm hộ»: the editor of a new household."""
        return self.edit_household(None)

    def focus_search(self) -> None:
        """Ctrl+F (main window): to the search box, its text selected for typing over."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def print_current(self) -> None:
        """Ctrl+P (main window): the profile of the selected household."""
        if (hid := self.selected_id()) is None:
            self._note("Chọn một hộ trong danh sách rồi bấm Ctrl+P để in hồ sơ hộ.")
            return
        print_profile(self, self.ctx, hid, f"Hồ sơ hộ {self._selected_head()}".strip())

    def _selected_head(self) -> str:
        rows = self.view.selectionModel().selectedRows()
        return self.model.index(rows[0].row(), COLUMNS.index("head_name")).data() if rows else ""

    def remove_selected(self) -> EventDialog | None:
        """Delete: a household is never erased (its history stays); ask, then record why it leaves."""
        if self.selected_id() is None:
            return None
        if not errors.confirm(self, f"Hộ {self._selected_head()} không xóa hẳn khỏi sổ được (phải giữ lịch sử).\n"
                                    "Ghi sự kiện (chuyển đi, gộp hộ, thoát nghèo…) cho hộ này?"):
            return None
        return self.record_event()

    def edit_household(self, household_id: str | None, *,
                       draft: tuple[Path, dict[str, Any]] | None = None) -> HouseholdEditor | None:
        """Open (or raise) the editor of a household; None opens a new one."""
        if household_id is not None and household_id in self.editors:
            editor = self.editors[household_id]
            editor.raise_()
            editor.activateWindow()
            return editor
        editor = HouseholdEditor(self.ctx, household_id, self, default_unit=self.unit.currentData(), draft=draft)
        key = household_id if household_id is not None else f"new-{id(editor)}"
        self.editors[key] = editor
        editor.saved.connect(lambda _hid: self.refresh())
        editor.saved.connect(lambda _hid: self._note(editor.ui.statusLabel.text()))
        editor.open_requested.connect(lambda other: self.edit_household(other))
        editor.destroyed.connect(lambda *_: self.editors.pop(key, None))
        editor.resize(min(1240, self.window().width()), min(680, self.window().height()))
        editor.show()
        return editor

    def record_event(self) -> EventDialog | None:
        hid = self.selected_id()
        if hid is None:
            return None
        head = self._selected_head()
        dialog = EventDialog(self.ctx.store, hid, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.refresh)
        dialog.accepted.connect(lambda: self._note(f"Đã ghi sự kiện «{dialog.kind.currentText()}» cho hộ {head}."))
        dialog.open()
        return dialog

    def _note(self, text: str) -> None:
        """Feedback in the main window's status bar (the list may re-sort and lose the selection)."""
        show_note = getattr(self.window(), "show_note", None)
        if callable(show_note):
            show_note(text)

    def show_history(self) -> HistoryDialog | None:
        hid = self.selected_id()
        if hid is None:
            return None
        dialog = HistoryDialog(self.ctx.store, hid, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self._support_undone)
        dialog.open()
        return dialog

    def _support_undone(self, text: str) -> None:
        """A support action was taken back from the history: the list and the status bar follow."""
        self.refresh()
        self._note(text)

    def import_excel(self) -> ImportDialog | None:
        path = files.choose_open_file(self, "Chọn danh sách hộ (Excel)", None, XLSX_FILTER)
        if path is None:
            return None
        dialog = ImportDialog(self.ctx, path, self.unit.currentData(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(lambda _s: self.refresh())
        dialog.open()
        return dialog

    def save_template(self) -> None:
        path = files.choose_save_file(self, "Lưu mẫu Excel", Path.home() / "mau-danh-sach-ho.xlsx", XLSX_FILTER)
        if path is None:
            return
        target = path.with_suffix(".xlsx")
        self.ctx.tasks.run_task(self, lambda _progress: write_template(target), db=False,
                                on_success=lambda p: errors.inform(self, f"Đã lưu mẫu Excel: {p}"),
                                label="Đang tạo mẫu Excel…")

    def export_excel(self) -> None:
        """Xuất Excel: the list as filtered; ID numbers masked unless an internal, locked copy."""
        export_list(self, self.ctx, replace(self.model.query))

    def offer_drafts(self) -> None:
        """Drafts left by a crash: offer to open them again (they are removed on save/discard)."""
        left = drafts.drafts_for(self.ctx.db_path)
        if not left:
            return
        if not errors.confirm(self, f"Có {len(left)} hồ sơ hộ đang sửa dở chưa lưu (chương trình bị tắt đột ngột?)."
                                    " Mở lại để lưu tiếp?"):
            return
        for path, data in left:
            self.edit_household(data.get("household_id"), draft=(path, data))

    def unsaved_editors(self) -> list[HouseholdEditor]:
        """Open editors with unsaved changes."""
        return [e for e in self.editors.values() if e.dirty]

    def close_editors(self) -> bool:
        """Close every editor, each asking Lưu / Không lưu / Hủy; False when one stays open."""
        for editor in list(self.editors.values()):
            if not editor.close():
                return False
        return True

    # Closing the app asks about unsaved editors first: the tab watches its window's Close event.
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        window = self.window()
        if window is not self and getattr(self, "_watching", None) is not window:
            window.installEventFilter(self)
            self._watching = window
        super().showEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.view and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            if event.key() in OPEN_KEYS and self.selected_id() is not None:
                self.edit_household(self.selected_id())
                return True
            if event.key() == Qt.Key.Key_Delete:
                self.remove_selected()
                return True
        if event.type() == QEvent.Type.Close and watched is getattr(self, "_watching", None) \
                and not self.close_editors():
            event.ignore()
            return True
        return super().eventFilter(watched, event)
