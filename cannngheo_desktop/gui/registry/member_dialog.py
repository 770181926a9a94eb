"""One member of a household (form forms/member_dialog.ui); checks the member's own rules inline."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLineEdit, QWidget

from ...core import model
from ...core.household_checks import format_birth, parse_birth
from ...core.text import format_date, parse_vn_date
from ...registry.validation import validate_household
from ..forms.ui_member_dialog import Ui_MemberDialog
from ..shell import choices

# field → (widget attribute on the form, vocabulary or None for text, tri-state yes/no)
COMBOS: dict[str, tuple[str, Any]] = {
    "sex": ("sexCombo", model.SEXES), "relation": ("relationCombo", model.RELATIONS),
    "status": ("statusCombo", model.MEMBER_STATUSES), "education_level": ("educationCombo", model.EDUCATION_LEVELS),
    "in_school": ("inSchoolCombo", choices.YES_NO), "employment": ("employmentCombo", model.EMPLOYMENT),
    "able_to_work": ("ableToWorkCombo", choices.YES_NO), "has_health_insurance": ("insuranceCombo", choices.YES_NO),
    "malnourished": ("malnourishedCombo", choices.YES_NO), "disabled": ("disabledCombo", choices.YES_NO),
    "social_allowance": ("allowanceCombo", choices.YES_NO), "merit_status": ("meritCombo", choices.YES_NO),
}
TEXTS = {"full_name": "nameEdit", "cccd": "cccdEdit", "ethnicity": "ethnicityEdit"}
DATES = {"birth_date": "birthEdit", "cccd_date": "cccdDateEdit"}


class MemberDialog(QDialog):
    """Edit a member dict; on accept ``self.member`` holds the new values (ISO dates, codes)."""

    def __init__(self, member: dict[str, Any] | None = None, parent: QWidget | None = None, *,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.today = today or date.today()
        self.original = dict(member or {})
        self.member: dict[str, Any] = dict(self.original)
        self.ui = Ui_MemberDialog()
        self.ui.setupUi(self)
        self.setWindowTitle("Sửa thành viên" if self.original.get("full_name") else "Thêm thành viên")
        for name, (attr, mapping) in COMBOS.items():
            combo: QComboBox = getattr(self.ui, attr)
            choices.fill(combo, mapping, unknown=None if name == "status" else choices.UNKNOWN)
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setText("Đồng ý")
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        self.ui.buttonBox.accepted.connect(self.submit)
        self.ui.buttonBox.rejected.connect(self.reject)
        self.ui.errorLabel.hide()
        self._warned: list[str] = []
        self._load(self.original)

    def _load(self, m: dict[str, Any]) -> None:
        for name, attr in TEXTS.items():
            getattr(self.ui, attr).setText(str(m.get(name) or ("Kinh" if name == "ethnicity" and not m.get("full_name") else "")))
        self.ui.birthEdit.setText(format_birth(m.get("birth_date"), m.get("birth_year_only")))
        self.ui.birthEdit.setPlaceholderText("dd/mm/yyyy, hoặc chỉ năm sinh (yyyy)")
        self.ui.birthEdit.setToolTip("Ngày sinh dd/mm/yyyy; nếu sổ cũ chỉ ghi năm sinh thì nhập năm (ví dụ 1950).")
        self.ui.cccdDateEdit.setText(format_date(m.get("cccd_date")) if m.get("cccd_date") else "")
        for name, (attr, _) in COMBOS.items():
            choices.set_value(getattr(self.ui, attr), m.get(name, "present" if name == "status" else None))

    def field_widget(self, name: str) -> QWidget | None:
        """The input of a member field (missing-fact links focus it)."""
        attr = TEXTS.get(name) or DATES.get(name) or COMBOS.get(name, (None,))[0]
        return getattr(self.ui, attr) if attr else None

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The values on the form and the date fields that could not be read."""
        out = dict(self.original)
        bad: dict[str, str] = {}
        for name, attr in TEXTS.items():
            out[name] = getattr(self.ui, attr).text().strip() or None
        for name, attr in DATES.items():
            text = getattr(self.ui, attr).text().strip()
            out[name] = None
            if name == "birth_date":
                out["birth_year_only"] = 0
            if text:
                try:
                    if name == "birth_date":
                        day, year_only = parse_birth(text)
                        out[name], out["birth_year_only"] = day.isoformat(), int(year_only)
                    else:
                        out[name] = parse_vn_date(text).isoformat()
                except ValueError as exc:
                    bad[name] = f"{exc}."
        for name, (attr, _) in COMBOS.items():
            out[name] = choices.value(getattr(self.ui, attr))
        return out, bad

    def submit(self) -> None:
        member, problems = self.collect()
        issues = [i for i in validate_household({}, [member], today=self.today) if i.member_index == 0]
        for issue in issues:
            if issue.is_error:
                problems.setdefault(issue.field, issue.message)
        warnings = [i.message for i in issues if not i.is_error]
        for name in (*TEXTS, *DATES, *COMBOS):
            widget = self.field_widget(name)
            if widget is not None:
                choices.mark_error(widget, problems.get(name))
        if problems:
            self.ui.errorLabel.setText("\n".join(problems.values()))
            self.ui.errorLabel.show()
            first = self.field_widget(next(iter(problems)))
            if isinstance(first, (QLineEdit, QComboBox)):
                first.setFocus()
            return
        if warnings and warnings != self._warned:  # shown once; a second "Đồng ý" keeps the values
            self._warned = warnings
            self.ui.errorLabel.setText("Cảnh báo: " + "\n".join(warnings) + "\nBấm Đồng ý lần nữa nếu vẫn đúng.")
            self.ui.errorLabel.show()
            self.ui.cccdEdit.setFocus()
            return
        self.member = member
        self.accept()
