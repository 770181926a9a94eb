"""The household editor: household data, members, living conditions, causes, needs, income,
the live assessment beside them; validation inline, duplicate warning on save, drafts.

Saving is one service call (registry.editing.save_household = one transaction). The editor is a
non-modal window (``show()``), so nothing blocks; questions go through ``errors.present``.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QCheckBox, QDialog, QTableWidgetItem, QWidget

from ...core import model
from ...core.errors import AppError, ValidationError
from ...core.household_checks import format_birth
from ...core.standards import area_type_for_unit_kind
from ...core.text import format_date
from ...registry import duplicates
from ...registry import queries as rq
from ...registry.editing import save_household
from ...storage import assessments, reference, rulesets
from ..forms.ui_household_editor import Ui_HouseholdEditor
from ..shell import choices, errors
from ..shell.context import AppContext
from . import editor_keys
from . import household_drafts as drafts
from .assessment_history import AssessmentHistoryDialog
from .assessment_panel import AssessmentPanel
from .editor_checks import CANCEL, DISCARD, SAVE, ask_unsaved, show_issues
from .household_form import HouseholdForm, is_text_input
from .member_dialog import MemberDialog

DRAFT_EVERY_MS = 30_000


class HouseholdEditor(QDialog):
    """Signals: ``saved(household_id)`` after a save or a recognised assessment;
    ``open_requested(household_id)`` when the user follows a duplicate link."""

    saved = Signal(str)
    open_requested = Signal(str)

    def __init__(self, ctx: AppContext, household_id: str | None = None, parent: QWidget | None = None, *,
                 default_unit: str | None = None, draft: tuple[Path, dict[str, Any]] | None = None,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.ctx, self.store, self.today = ctx, ctx.store, today or date.today()
        self.household_id = household_id
        self.stored: dict[str, Any] = {}
        self.members: list[dict[str, Any]] = []
        self.dirty = False
        self._loading = True
        self._closing = False
        self._duplicates: list[duplicates.Duplicate] = []
        self._dup_shown = False
        self._not_duplicates: set[str] = set()
        self.ui = Ui_HouseholdEditor()
        self.ui.setupUi(self)
        self.form = HouseholdForm(self.ui)
        self.panel_rulesets = rulesets.list_rulesets(self.store)
        self.panel = AssessmentPanel(self.panel_rulesets, self.today, self,
                                     province=reference.province_code(self.store, ctx.installation.unit_code
                                                                      if ctx.installation else None))
        self.ui.panelHost.addWidget(self.panel)
        self.units = reference.units_for_installation(self.store, ctx.installation, self.today)
        self._fill_units()
        self.form.setup_members_table()
        self.ui.duplicateLabel.hide()
        self.ui.errorLabel.hide()
        self._timer, self._draft_timer = QTimer(self), QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self._recompute)
        self._draft_timer.setInterval(DRAFT_EVERY_MS)
        self._draft_timer.timeout.connect(self._write_draft)
        self.draft_path = draft[0] if draft else drafts.draft_path(household_id, ctx.db_path)
        self._load(default_unit)
        if draft is not None:
            self._apply_draft(draft[1])
        elif household_id is not None:
            self._offer_draft()
        self._connect()
        self.print_button = editor_keys.install(self)  # Ctrl+S, Ctrl+P, Delete, tooltips, «In hồ sơ…»
        self._loading = False
        self._recompute()
        self._draft_timer.start()

    # -- loading ------------------------------------------------------------------------------------
    def _fill_units(self) -> None:
        self.current_units = {}
        for label, code, row in choices.unit_choices(self.units):
            self.ui.unitCombo.addItem(label, code)
            self.current_units[code] = row

    def _load(self, default_unit: str | None) -> None:
        if self.household_id is not None:
            detail = rq.household_detail(self.store, self.household_id)
            if detail is None:
                raise ValidationError("Không tìm thấy hộ này (có thể đã bị xóa).")
            self.stored = detail["household"]
            self.members = [dict(m) for m in detail["members"]]
        unit = self.stored.get("unit_code") or default_unit or self.ctx.installation.unit_code
        index = self.ui.unitCombo.findData(unit)
        if index < 0 and self.stored.get("unit_code") and (row := reference.get_unit(self.store, unit)):
            self.ui.unitCombo.addItem(f"{row['name']} ({unit})", unit)  # a household outside this copy's units
            self.current_units[unit] = row
            index = self.ui.unitCombo.count() - 1
        self.ui.unitCombo.setCurrentIndex(max(index, 0))
        self._fill_villages()
        self.form.load(self.stored)
        self._show_members()
        self._show_history()
        self._update_title()

    def _show_history(self) -> None:
        """The panel's button says how many assessments are saved (the list is read when opened)."""
        n = assessments.count_assessments(self.store, self.household_id) if self.household_id else 0
        self.panel.history_button.setText(f"Các lần đã lưu ({n})…")
        self.panel.history_button.setEnabled(n > 0)

    def show_saved_assessments(self) -> AssessmentHistoryDialog:
        """The list of saved assessments with the reasons of the selected one (non-modal)."""
        rows = assessments.assessment_history(self.store, self.household_id) if self.household_id else []
        dialog = AssessmentHistoryDialog(self.panel_rulesets, rows, self.windowTitle(), self)
        dialog.show()
        return dialog

    def _fill_villages(self) -> None:
        combo = self.ui.villageCombo
        text = combo.currentText()
        combo.clear()
        combo.addItems(rq.list_villages(self.store, self.ui.unitCombo.currentData()))
        combo.setCurrentText(text)

    def _offer_draft(self) -> None:
        data = drafts.read_draft(self.draft_path) if self.draft_path.exists() else None
        if data is None:
            return
        if errors.confirm(self, f"Có bản nháp chưa lưu của hộ này (ghi lúc {drafts.saved_at_text(data)}), "
                                "có thể do chương trình bị tắt đột ngột. Mở lại bản nháp?"):
            self._apply_draft(data)
        else:
            drafts.remove_draft(self.draft_path)

    def _apply_draft(self, data: dict[str, Any]) -> None:
        hh = data.get("household") or {}
        index = self.ui.unitCombo.findData(hh.get("unit_code"))
        if index >= 0:
            self.ui.unitCombo.setCurrentIndex(index)
        self.form.load(hh)
        self.members = [dict(m) for m in data.get("members") or []]
        self._show_members()
        self.dirty = True
        self._update_title()

    def _connect(self) -> None:
        for w in self.form.widgets():
            for signal in ("textChanged", "currentIndexChanged", "toggled", "editTextChanged"):
                if hasattr(w, signal) and not (isinstance(w, QCheckBox) and signal == "textChanged"):
                    getattr(w, signal).connect(self._changed)
        self.ui.unitCombo.currentIndexChanged.connect(self._fill_villages)
        ui = self.ui
        ui.addMemberButton.clicked.connect(lambda: self.edit_member(None))
        ui.editMemberButton.clicked.connect(lambda: self.edit_member(ui.membersTable.currentRow()))
        ui.membersTable.cellDoubleClicked.connect(lambda row, _col: self.edit_member(row))
        ui.removeMemberButton.clicked.connect(self.remove_member)
        ui.saveButton.clicked.connect(self.save)
        ui.closeButton.clicked.connect(self.close)
        ui.duplicateLabel.linkActivated.connect(self._duplicate_link)
        self.panel.field_requested.connect(self.focus_field)
        self.panel.recognise_requested.connect(self.recognise)
        self.panel.history_button.clicked.connect(self.show_saved_assessments)

    # -- state --------------------------------------------------------------------------------------
    def _changed(self, *_args: Any) -> None:
        if self._loading:
            return
        self.dirty = True
        self._dup_shown = False
        self.ui.saveButton.setText("&Lưu")
        self._update_title()
        self._timer.start()

    def _update_title(self) -> None:
        name = next((m["full_name"] for m in self.live_members() if m.get("relation") == "head"), None)
        title = f"Hộ {name}" if name else ("Thêm hộ mới" if self.household_id is None else "Hộ gia đình")
        code = self.stored.get("household_code")
        self.setWindowTitle(f"{'* ' if self.dirty else ''}{title}{f' — mã {code}' if code else ''}")

    def live_members(self) -> list[dict[str, Any]]:
        return [m for m in self.members if not m.get("deleted")]

    def area_type(self) -> str | None:
        if self.stored.get("area_type"):
            return str(self.stored["area_type"])
        unit = self.current_units.get(self.ui.unitCombo.currentData())
        if unit is None:
            return None
        try:
            return area_type_for_unit_kind(unit["kind"])
        except AppError:
            return unit.get("area")

    def _recompute(self) -> None:
        household, _bad = self.form.collect()
        area = self.area_type()
        own = " (ghi riêng cho hộ)" if self.stored.get("area_type") else " (theo đơn vị)"
        self.ui.areaValue.setText(model.AREA_LABELS.get(area or "", "Chưa xác định") + (own if area else ""))
        present = [m for m in self.live_members() if (m.get("status") or "present") == "present"]
        income = household.get("income_month")
        self.ui.perPersonValue.setText(
            f"{income // len(present):,} đồng/người/tháng ({len(present)} người đang ở)".replace(",", ".")
            if income is not None and present else "—")
        self.panel.update_facts(household, self.live_members(), area)
        if self.dirty:
            self._write_draft()

    def _write_draft(self) -> None:
        if self.dirty:
            household, _ = self.form.collect()
            drafts.write_draft(self.draft_path, self.household_id, household, self.members, self.ctx.db_path)

    # -- members ------------------------------------------------------------------------------------
    def _show_members(self) -> None:
        table = self.ui.membersTable
        live = self.live_members()
        table.setRowCount(len(live))
        for row, m in enumerate(live):
            values = (m.get("full_name") or "", model.RELATIONS.get(m.get("relation") or "", ""),
                      format_birth(m.get("birth_date"), m.get("birth_year_only")), model.SEXES.get(m.get("sex") or "", ""),
                      m.get("cccd") or "", model.MEMBER_STATUSES.get(m.get("status") or "present", ""))
            for col, text in enumerate(values):
                table.setItem(row, col, QTableWidgetItem(str(text)))
        self._update_title()

    def edit_member(self, row: int | None, focus: str | None = None) -> MemberDialog | None:
        """Open the member dialog (non-modal) for a row, or for a new member when ``row`` is None."""
        live = self.live_members()
        if row is not None and not 0 <= row < len(live):
            return None
        dialog = MemberDialog(live[row] if row is not None else ({"relation": "head"} if not live else {}),
                              self, today=self.today)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def done() -> None:
            if row is None:
                self.members.append(dialog.member)
            else:
                live[row].clear()
                live[row].update(dialog.member)
            self._show_members()
            self._changed()

        dialog.accepted.connect(done)
        dialog.open()
        widget = dialog.field_widget(focus) if focus else None
        if widget is not None:
            widget.setFocus()
        self.member_dialog = dialog
        return dialog

    def remove_member(self) -> None:
        row = self.ui.membersTable.currentRow()
        live = self.live_members()
        if not 0 <= row < len(live):
            return
        m = live[row]
        if not errors.confirm(self, f"Xóa {m.get('full_name') or 'thành viên này'} khỏi hộ vì nhập nhầm?\n"
                                    "Người đã mất hoặc chuyển đi thì dùng “Ghi sự kiện” để giữ lịch sử."):
            return
        if m.get("id"):
            m["deleted"] = 1
        else:
            self.members.remove(m)
        self._show_members()
        self._changed()

    # -- links from the panel -----------------------------------------------------------------------
    def focus_field(self, name: str) -> None:
        """Show the tab holding ``name`` and focus its input (``members[i].field``: the member)."""
        if name.startswith("members[") and "]." in name:
            index = int(name[len("members["):name.index("]")])
            self.ui.tabs.setCurrentIndex(1)
            self.ui.membersTable.selectRow(index)
            self.edit_member(index, focus=name.split("].", 1)[1])
            return
        self.ui.tabs.setCurrentIndex(self.form.page_of(name))
        widget = self.form.field_widget(name)
        if widget is not None:
            widget.setFocus()
            if not is_text_input(widget):
                child = widget.findChild(QCheckBox)
                if child is not None:
                    child.setFocus()

    # -- saving -------------------------------------------------------------------------------------
    def _check_duplicates(self, household: dict[str, Any]) -> bool:
        """Show likely duplicates once; True when there are none (or the user saw them)."""
        if self._dup_shown:
            return True
        found = [d for d in duplicates.find_duplicates(self.store, household, self.live_members(),
                                               exclude_id=self.household_id)
                 if d.household_id not in self._not_duplicates]
        self._duplicates = found
        if not found:
            self.ui.duplicateLabel.hide()
            return True
        lines = [f"{escape(d.message)} <a href='open:{d.household_id}'>Mở hộ đó</a> · "
                 f"<a href='notdup:{d.household_id}'>Không phải trùng</a>" for d in found]
        self.ui.duplicateLabel.setText("<b>Có thể trùng với hộ đã có:</b><br>" + "<br>".join(lines)
                                       + "<br>Kiểm tra rồi bấm <b>Vẫn lưu</b> nếu đúng là hộ khác.")
        self.ui.duplicateLabel.show()
        self._dup_shown = True
        self.ui.saveButton.setText("&Vẫn lưu")
        return False

    def _duplicate_link(self, href: str) -> None:
        kind, _, other = href.partition(":")
        if kind == "open":
            self.open_requested.emit(other)
        elif kind == "notdup":
            self._not_duplicates.add(other)
            if self.household_id is not None:
                duplicates.mark_not_duplicate(self.store, self.household_id, other)
            self._dup_shown = False
            self._check_duplicates(self.form.collect()[0])

    def save(self) -> bool:
        """Validate, warn about duplicates, then save in one transaction. True when saved."""
        household, bad = self.form.collect()
        if not show_issues(self.form, household, bad, self.live_members(), self.today) or not self._check_duplicates(household):
            return False
        try:
            hid = save_household(self.store, household, self.members, household_id=self.household_id,
                                 today=self.today)
        except AppError as exc:
            self.ui.errorLabel.setText(exc.message)
            self.ui.errorLabel.show()
            return False
        for other in self._not_duplicates:  # a new household has an id only now
            duplicates.mark_not_duplicate(self.store, hid, other)
        drafts.remove_draft(self.draft_path)
        self.household_id = hid
        self.draft_path = drafts.draft_path(hid, self.ctx.db_path)
        self._loading = True
        self._load(None)
        self._loading = False
        self.dirty = False
        self._dup_shown = False
        self.ui.duplicateLabel.hide()
        self.ui.saveButton.setText("&Lưu")
        self.ui.statusLabel.setText(editor_keys.saved_text(self.stored.get("head_name"), self.stored.get("household_code")))
        self._update_title()
        self._recompute()
        self.saved.emit(hid)
        return True

    def recognise(self, ruleset_code: str) -> None:
        """Store the assessment under ``ruleset_code`` as the household's current category."""
        if self.household_id is None or self.dirty:
            errors.warn(self, "Hãy lưu hộ trước khi ghi nhận kết quả đánh giá.")
            return
        try:
            row = assessments.assess_household(self.store, self.household_id, ruleset_code, self.today,
                                               recognise=True, assessor=self.ctx.user_name)
        except AppError as exc:
            errors.report(self, exc)
            return
        label = model.CATEGORY_LABELS.get(row["category"], row["category"])
        self.ui.statusLabel.setText(f"Đã ghi nhận: {label} theo {ruleset_code}, ngày {format_date(self.today)}.")
        self._show_history()
        self.saved.emit(self.household_id)

    # -- closing ------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.dirty:
            answer = ask_unsaved(self, self.windowTitle().lstrip("* "))
            if answer == CANCEL or (answer == SAVE and not self.save()):
                event.ignore()
                return
            if answer == DISCARD:
                drafts.remove_draft(self.draft_path)
        self._draft_timer.stop()
        self.dirty = False
        self._closing = True
        super().closeEvent(event)  # QDialog's closeEvent calls reject(), which then just hides

    def reject(self) -> None:  # Esc goes through the same question as the close button
        if self._closing:
            super().reject()
        else:
            self.close()
