"""What the household editor tells the user before it saves or closes: each problem beside its
field and on its tab's error line, and the unsaved-changes question (Lưu / Không lưu / Hủy)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ...registry.duplicates import Duplicate
from ...registry.editing import MAX_REASON_CHARS, unresolved_cccd_conflicts
from ...registry.validation import validate_household
from ..shell import choices, errors
from .household_form import HouseholdForm

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


def ask_unsaved(parent: QWidget, name: str) -> str:
    """Lưu / Không lưu / Hủy for an editor with unsaved changes."""
    box = QMessageBox(QMessageBox.Icon.Question, "Chưa lưu thay đổi",
                      f"Hộ {name} có thay đổi chưa lưu. Lưu trước khi đóng?",
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, parent)
    box.button(QMessageBox.StandardButton.Save).setText("Lưu")
    box.button(QMessageBox.StandardButton.Discard).setText("Không lưu")
    box.button(QMessageBox.StandardButton.Cancel).setText("Hủy")
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = errors.present(box)
    return {int(QMessageBox.StandardButton.Save): SAVE,
            int(QMessageBox.StandardButton.Discard): DISCARD}.get(answer, CANCEL)


def show_issues(form: HouseholdForm, household: dict[str, Any], bad: dict[str, str],
                members: list[dict[str, Any]], today: date) -> bool:
    """Mark every problem beside its field (and on the tab's error line); True when saving may go on."""
    issues = validate_household(household, members, today=today)
    per_field = dict(bad)
    member_msgs: list[str] = []
    for issue in issues:
        if not issue.is_error:
            continue
        if issue.member_index is not None or issue.field in ("members", "relation"):
            member_msgs.append(issue.message)
        else:
            per_field.setdefault(issue.field, issue.message)
    for name in ("unit_code", "village", "income_month", "land_area_m2", "floor_area_m2"):
        widget = form.field_widget(name)
        if widget is not None:
            choices.mark_error(widget, per_field.get(name))
    if not household.get("unit_code"):
        per_field["unit_code"] = "Hãy chọn đơn vị (xã/phường/thị trấn) của hộ."
    labels = {0: form.ui.householdErrors, 1: form.ui.memberErrors, 2: form.ui.livingErrors,
              4: form.ui.incomeErrors}
    texts: dict[int, list[str]] = {k: [] for k in labels}
    for name, msg in per_field.items():
        texts.setdefault(form.page_of(name), []).append(msg)
    texts[1] = texts.get(1, []) + member_msgs
    for page, label in labels.items():
        label.setText("\n".join(texts.get(page, [])))
    all_msgs = [m for msgs in texts.values() for m in msgs]
    form.ui.errorLabel.setText(("Chưa lưu được: " + " ".join(all_msgs)) if all_msgs else "")
    form.ui.errorLabel.setVisible(bool(all_msgs))
    if all_msgs:
        first = next(p for p in (0, 1, 2, 3, 4) if texts.get(p))
        form.ui.tabs.setCurrentIndex(first)
        return False
    return _cccd_reason_given(form, household, members)


def _cccd_reason_given(form: HouseholdForm, household: dict[str, Any], members: list[dict[str, Any]]) -> bool:
    """A CCCD held by another household needs a reason before the save (issue 17). The editor
    (the form's window, holding ``store`` and ``household_id``) asks once per set of numbers; the
    reason rides in ``household['duplicate_reason']``, which save_household records (audited)."""
    editor = form.ui.errorLabel.window()
    store = getattr(editor, "store", None)
    if store is None:
        return True
    household_id = getattr(editor, "household_id", None)
    conflicts = unresolved_cccd_conflicts(store, members, household_id=household_id)
    key = tuple(sorted((d.member_id, d.household_id) for d in conflicts))
    if not conflicts:
        return True
    if key not in form.cccd_reasons:
        reason = ask_cccd_reason(editor, conflicts)
        if reason is None:
            return False
        form.cccd_reasons[key] = reason
    household["duplicate_reason"] = form.cccd_reasons[key]
    return True


class CccdReasonDialog(QDialog):
    """Asks why a CCCD already held by another household is kept: one number is one person, so
    saving needs a reason, which is recorded (audited) on the household."""

    def __init__(self, conflicts: Sequence[Duplicate], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Số CCCD đã có ở hộ khác")
        layout = QVBoxLayout(self)
        lines = "".join(f"<li>{escape(d.message)}</li>" for d in conflicts)
        self.message = QLabel(f"<b>Mỗi số CCCD là một người.</b><ul>{lines}</ul>"
                              "Nếu đúng là cần giữ (ví dụ: người này đang chờ xóa đăng ký ở hộ cũ), "
                              "hãy ghi lý do. Lý do được lưu vào lịch sử của hộ.", self)
        self.message.setWordWrap(True)
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(MAX_REASON_CHARS)
        self.reason.setPlaceholderText("Lý do giữ số CCCD trùng")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        parent=self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Lưu với lý do này")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy, để sửa số CCCD")
        self.ok.setEnabled(False)
        self.reason.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for widget in (self.message, self.reason, self.buttons):
            layout.addWidget(widget)
        self.resize(560, 0)


def run_dialog(dialog: QDialog) -> int:
    """Show ``dialog`` modally (the one place that blocks; tests replace it)."""
    return int(dialog.exec())


def ask_cccd_reason(parent: QWidget, conflicts: Sequence[Duplicate]) -> str | None:
    """The reason the user gives for keeping CCCDs held by other households; None: cancelled."""
    dialog = CccdReasonDialog(conflicts, parent)
    if run_dialog(dialog) != int(QDialog.DialogCode.Accepted) or not dialog.reason.text().strip():
        return None
    return dialog.reason.text().strip()
