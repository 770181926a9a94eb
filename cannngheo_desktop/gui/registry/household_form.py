"""The household editor's fields (forms/household_editor.ui): fill the choices, load a household
dict into the widgets, read it back, and find the widget (and tab) of a field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLineEdit, QWidget

from ...core import model
from ..forms.ui_household_editor import Ui_HouseholdEditor
from ..shell import choices

# field → (combo attribute, vocabulary)
COMBOS: dict[str, tuple[str, Mapping[Any, str]]] = {
    "wall_durable": ("wallCombo", choices.DURABLE), "frame_durable": ("frameCombo", choices.DURABLE),
    "roof_durable": ("roofCombo", choices.DURABLE), "water_source": ("waterCombo", model.WATER_SOURCES),
    "latrine": ("latrineCombo", model.LATRINES), "uses_telecom": ("telecomCombo", choices.YES_NO),
    "uses_digital_services": ("digitalCombo", choices.YES_NO), "waste_handling": ("wasteCombo", model.WASTE_HANDLING),
    "able_to_exit": ("ableToExitCombo", choices.YES_NO),
}
CHECKS = {"is_merit": "meritCheck", "no_labour_capacity": "noLabourCheck", "is_ethnic_minority": "ethnicCheck",
          "is_average_farm": "averageFarmCheck"}
TEXTS = {"address": "addressEdit", "household_code": "codeEdit", "able_to_exit_reason": "exitReasonEdit"}
NUMBERS = {"land_area_m2": "landAreaEdit", "floor_area_m2": "floorAreaEdit"}
PER_MONTH, PER_YEAR = "month", "year"
# Tab index of each field (0 household, 1 members, 2 living, 3 causes/needs, 4 income).
PAGES = {**dict.fromkeys(("unit_code", "village", "address", "household_code", *CHECKS), 0),
         **dict.fromkeys(("members",), 1),
         **dict.fromkeys((*NUMBERS, *list(COMBOS)[:-1], "devices"), 2),
         **dict.fromkeys(("causes", "needs", "needs_text"), 3),
         **dict.fromkeys(("income_month", "able_to_exit", "able_to_exit_reason"), 4)}


MEMBER_COLUMNS = ("Họ và tên", "Quan hệ", "Ngày sinh", "Giới tính", "Số CCCD", "Tình trạng")


def parse_number(text: str) -> float | None:
    """'4.500.000' or '4500000' → 4500000; '12,5' → 12.5; '' → None. ValueError when not a number."""
    raw = text.strip().replace(" ", "")
    if not raw:
        return None
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    elif raw.count(".") > 1 or (raw.count(".") == 1 and len(raw.split(".")[1]) == 3):
        raw = raw.replace(".", "")
    return float(raw)


def _checklist(box: QWidget, mapping: Mapping[str, str], columns: int) -> dict[str, QCheckBox]:
    out = {}
    layout = box.layout()
    if not isinstance(layout, QGridLayout):
        raise TypeError(f"{box.objectName()}: the form must give this box a grid layout")
    for i, (code, label) in enumerate(mapping.items()):
        check = QCheckBox(label, box)
        layout.addWidget(check, i // columns, i % columns)
        out[code] = check
    return out


class HouseholdForm:
    """Binds a household dict to the editor's widgets (no database access)."""

    def __init__(self, ui: Ui_HouseholdEditor) -> None:
        self.ui = ui
        for attr, mapping in COMBOS.values():
            choices.fill(getattr(ui, attr), mapping)
        choices.fill(ui.ableToExitCombo, choices.YES_NO, unknown="— Chưa đánh giá —")
        choices.fill(ui.incomePeriodCombo, {PER_MONTH: "đồng/tháng", PER_YEAR: "đồng/năm"}, unknown=None)
        self.devices = _checklist(ui.devicesBox, model.DEVICES, 3)
        self.causes = _checklist(ui.causesBox, model.CAUSES, 2)
        self.needs = _checklist(ui.needsBox, model.NEEDS, 2)
        self.cccd_reasons: dict[tuple[tuple[str, str], ...], str] = {}  # editor_checks: reasons given
        ui.codeEdit.setPlaceholderText("Để trống: tự sinh mã <mã xã>-<số thôn>-<số thứ tự> khi lưu")

    def widgets(self) -> list[QWidget]:
        """Every input (the editor listens to all of them for changes)."""
        ui = self.ui
        out: list[QWidget] = [ui.unitCombo, ui.villageCombo, ui.incomeEdit, ui.incomePeriodCombo, ui.needsTextEdit]
        out += [getattr(ui, a) for a, _ in COMBOS.values()]
        out += [getattr(ui, a) for a in (*CHECKS.values(), *TEXTS.values(), *NUMBERS.values())]
        return out + [*self.devices.values(), *self.causes.values(), *self.needs.values()]

    def load(self, hh: Mapping[str, Any]) -> None:
        ui = self.ui
        ui.villageCombo.setCurrentText(str(hh.get("village") or ""))
        for name, attr in TEXTS.items():
            getattr(ui, attr).setText(str(hh.get(name) or ""))
        for name, attr in NUMBERS.items():
            value = hh.get(name)
            getattr(ui, attr).setText("" if value is None else f"{value:g}".replace(".", ","))
        for name, attr in CHECKS.items():
            getattr(ui, attr).setChecked(bool(hh.get(name)))
        for name, (attr, _) in COMBOS.items():
            choices.set_value(getattr(ui, attr), hh.get(name))
        for field, checks in (("devices", self.devices), ("causes", self.causes), ("needs", self.needs)):
            chosen = set(hh.get(field) or [])
            for code, check in checks.items():
                check.setChecked(code in chosen)
        ui.needsTextEdit.setPlainText(str(hh.get("needs_text") or ""))
        income = hh.get("income_month")
        choices.set_value(ui.incomePeriodCombo, PER_MONTH)
        ui.incomeEdit.setText("" if income is None else f"{int(income):,}".replace(",", "."))

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The household values on the form and the number fields that could not be read."""
        ui = self.ui
        hh: dict[str, Any] = {"unit_code": ui.unitCombo.currentData(),
                              "village": ui.villageCombo.currentText().strip()}
        bad: dict[str, str] = {}
        for name, attr in TEXTS.items():
            hh[name] = getattr(ui, attr).text().strip()
        for name, attr in CHECKS.items():
            hh[name] = getattr(ui, attr).isChecked()
        for name, (attr, _) in COMBOS.items():
            hh[name] = choices.value(getattr(ui, attr))
        for name, attr in NUMBERS.items():
            try:
                hh[name] = parse_number(getattr(ui, attr).text())
            except ValueError:
                bad[name] = f"'{getattr(ui, attr).text()}' không phải là số (ví dụ 45 hoặc 12,5)."
        devices = [c for c, check in self.devices.items() if check.isChecked()]
        # No device ticked and telecom unknown: treat the device list as not asked yet (unknown).
        hh["devices"] = devices if devices or hh.get("uses_telecom") is not None else None
        hh["causes"] = [c for c, check in self.causes.items() if check.isChecked()]
        hh["needs"] = [c for c, check in self.needs.items() if check.isChecked()]
        hh["needs_text"] = ui.needsTextEdit.toPlainText().strip()
        try:
            amount = parse_number(ui.incomeEdit.text())
            if amount is not None and ui.incomePeriodCombo.currentData() == PER_YEAR:
                amount = amount / 12
            hh["income_month"] = None if amount is None else round(amount)
        except ValueError:
            hh["income_month"] = None
            bad["income_month"] = f"Thu nhập '{ui.incomeEdit.text()}' không phải là số (ví dụ 4.500.000)."
        return hh, bad

    def field_widget(self, name: str) -> QWidget | None:
        """The input of a household field (for error marks and missing-fact links)."""
        ui = self.ui
        direct = {"unit_code": ui.unitCombo, "village": ui.villageCombo, "income_month": ui.incomeEdit,
                  "needs_text": ui.needsTextEdit, "devices": ui.devicesBox, "causes": ui.causesBox,
                  "needs": ui.needsBox, "members": ui.membersTable}
        if name in direct:
            return direct[name]
        attr = TEXTS.get(name) or NUMBERS.get(name) or CHECKS.get(name) or COMBOS.get(name, (None,))[0]
        return getattr(ui, attr) if attr else None

    def setup_members_table(self) -> None:
        """The members table's columns and their widths (filled by the editor)."""
        table = self.ui.membersTable
        table.setColumnCount(len(MEMBER_COLUMNS))
        table.setHorizontalHeaderLabels(list(MEMBER_COLUMNS))
        table.horizontalHeader().setStretchLastSection(True)
        table.horizontalHeader().setHighlightSections(False)
        table.verticalHeader().setVisible(False)
        for col, width in enumerate((190, 90, 90, 70, 110)):
            table.setColumnWidth(col, width)

    @staticmethod
    def page_of(name: str) -> int:
        return PAGES.get(name, 0)


def is_text_input(widget: QWidget | None) -> bool:
    return isinstance(widget, (QLineEdit, QComboBox))
