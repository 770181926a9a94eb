"""Helpers for the registry GUI tests: fill the editor and the member dialog like a user would."""

from __future__ import annotations

from datetime import date
from typing import Any

from cannngheo_desktop.gui.registry.household_editor import HouseholdEditor
from cannngheo_desktop.gui.shell import choices

TODAY = date(2026, 6, 1)
RURAL_UNIT = "00685"  # Xã Nam Phù, a commune valid today that the Thanh Trì office covers

ADULT = {"able_to_work": True, "employment": "self_employed", "has_health_insurance": True,
         "education_level": "upper_secondary", "disabled": False}
CHILD = {"in_school": True, "has_health_insurance": True, "malnourished": False, "education_level": "primary"}
FOUR = [
    {"full_name": "Nguyễn Thị Lan", "birth_date": "05/03/1980", "relation": "head", "sex": "female",
     "cccd": "001180000011", **ADULT},
    {"full_name": "Trần Văn Hùng", "birth_date": "01/08/1978", "relation": "spouse", "sex": "male",
     "cccd": "001078000022", **ADULT, "has_health_insurance": False},
    {"full_name": "Trần Thị Mai", "birth_date": "10/09/2014", "relation": "child", "sex": "female", **CHILD},
    {"full_name": "Trần Minh Đức", "birth_date": "02/02/2017", "relation": "child", "sex": "male", **CHILD},
]
LIVING = {"floor_area_m2": "60", "wall_durable": True, "frame_durable": True, "roof_durable": True,
          "water_source": "piped", "latrine": "septic", "uses_telecom": True, "uses_digital_services": True,
          "waste_handling": "collected"}


def add_member(editor: HouseholdEditor, data: dict[str, Any]) -> None:
    """Open the member dialog, type the values, press Đồng ý."""
    dialog = editor.edit_member(None)
    assert dialog is not None
    fill_member(dialog, data)
    dialog.submit()


def fill_member(dialog: Any, data: dict[str, Any]) -> None:
    from cannngheo_desktop.gui.registry.member_dialog import COMBOS, DATES, TEXTS

    for name, value in data.items():
        if name in TEXTS:
            getattr(dialog.ui, TEXTS[name]).setText(value)
        elif name in DATES:
            getattr(dialog.ui, DATES[name]).setText(value)
        else:
            choices.set_value(getattr(dialog.ui, COMBOS[name][0]), value)


def fill_household(editor: HouseholdEditor, *, village: str = "Thôn 1", income: str = "4.000.000",
                   living: dict[str, Any] | None = None) -> None:
    from cannngheo_desktop.gui.registry.household_form import COMBOS, NUMBERS

    ui = editor.ui
    ui.unitCombo.setCurrentIndex(ui.unitCombo.findData(RURAL_UNIT))
    ui.villageCombo.setCurrentText(village)
    ui.incomeEdit.setText(income)
    for name, value in (living or LIVING).items():
        if name in NUMBERS:
            getattr(ui, NUMBERS[name]).setText(value)
        else:
            choices.set_value(getattr(ui, COMBOS[name][0]), value)
    editor.form.devices["tv"].setChecked(True)
    editor.form.devices["smartphone"].setChecked(True)
