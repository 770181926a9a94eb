"""What the household editor tells the user before it saves or closes: each problem beside its
field and on its tab's error line, and the unsaved-changes question (Lưu / Không lưu / Hủy)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

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
    return not all_msgs
