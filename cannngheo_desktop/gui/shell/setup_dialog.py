"""First start: role, unit, receiving unit and the first administrator (service: installation.initialize)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QWidget

from ...core.errors import AppError, ValidationError
from ...core.text import fold
from ...storage import installation
from ...storage.db import Store
from ...storage.installation import Installation
from ..forms.ui_setup_dialog import Ui_SetupDialog
from . import errors

# Unit kinds offered for each role; the receiving office of a commune is a district/province level unit.
COMMUNE_KINDS = ("commune", "ward", "town")
UPPER_KINDS = ("district", "province")


def _get(unit: Any, key: str) -> Any:
    return unit.get(key) if isinstance(unit, dict) else getattr(unit, key, None)


def unit_label(unit: Any) -> str:
    """'Xã Tả Thanh Oai (10261)', with the end date for units merged in the 2025 reform."""
    label = f"{_get(unit, 'name')} ({_get(unit, 'code')})"
    valid_to = _get(unit, "valid_to")
    if valid_to:
        y, m, d = str(valid_to)[:10].split("-")
        label += f" — đến {d}/{m}/{y}"
    return label


class SetupDialog(QDialog):
    """Collects the setup answers, validates inline, and saves through ``installation.initialize``."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.result_installation: Installation | None = None
        self.ui = Ui_SetupDialog()
        self.ui.setupUi(self)
        ok = self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Thiết &lập")
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("Thoát")
        self.ui.buttonBox.accepted.connect(self.submit)
        self.ui.buttonBox.rejected.connect(self.reject)
        self.error_labels: dict[str, QLabel] = {
            "unit_code": self.ui.unitError, "receiving_unit_code": self.ui.receivingError,
            "name": self.ui.nameError, "password": self.ui.passwordError,
            "password2": self.ui.password2Error, "": self.ui.generalError,
        }
        self.clear_errors()
        self.units = self._load_units()
        self.ui.communeRadio.toggled.connect(self._fill_combos)
        self._fill_combos()

    # -- data -------------------------------------------------------------------------------
    def _load_units(self) -> list[Any]:
        from ...storage import reference

        installation.load_reference_data(self.store)  # shipped catalogue; idempotent
        return list(reference.list_units(self.store))

    def _units_of(self, kinds: tuple[str, ...]) -> list[Any]:
        return [u for u in self.units if _get(u, "kind") in kinds]

    def _fill_combos(self) -> None:
        commune = self.ui.communeRadio.isChecked()
        own = self._units_of(COMMUNE_KINDS if commune else UPPER_KINDS) or self.units
        self._fill(self.ui.unitCombo, own, blank="— chọn đơn vị —")
        upper = self._units_of(UPPER_KINDS) or self.units
        self._fill(self.ui.receivingCombo, upper,
                   blank="— chọn cơ quan tiếp nhận —" if commune else "(không có — cấp cao nhất)")

    @staticmethod
    def _fill(combo: QComboBox, units: list[Any], *, blank: str) -> None:
        previous = combo.currentData()
        combo.clear()
        combo.addItem(blank, None)
        for unit in sorted(units, key=lambda u: fold(str(_get(u, "name") or ""))):
            combo.addItem(unit_label(unit), _get(unit, "code"))
        index = combo.findData(previous) if previous else -1
        combo.setCurrentIndex(max(index, 0))

    # -- validation ---------------------------------------------------------------------------
    def clear_errors(self) -> None:
        for label in self.error_labels.values():
            label.clear()
            label.hide()

    def show_error(self, field: str, message: str) -> None:
        label = self.error_labels.get(field, self.ui.generalError)
        label.setText(message)
        label.show()

    def errors(self) -> dict[str, str]:
        """Messages currently shown, by field (tests and accessibility)."""
        return {k: v.text() for k, v in self.error_labels.items() if v.text()}

    def _check_form(self) -> bool:
        ui = self.ui
        if ui.unitCombo.currentData() is None:
            self.show_error("unit_code", "Hãy chọn đơn vị của bản cài đặt này.")
        if ui.communeRadio.isChecked() and ui.receivingCombo.currentData() is None:
            self.show_error("receiving_unit_code", "Xã/phường cần chọn cơ quan tiếp nhận báo cáo.")
        if not ui.adminNameEdit.text().strip():
            self.show_error("name", "Hãy nhập tên đăng nhập cho quản trị viên.")
        if not ui.passwordEdit.text():
            self.show_error("password", "Hãy đặt mật khẩu (ít nhất 6 ký tự).")
        elif ui.passwordEdit.text() != ui.password2Edit.text():
            self.show_error("password2", "Hai lần nhập mật khẩu không khớp. Hãy nhập lại.")
        return not self.errors()

    def reject(self) -> None:
        """Escape, "Thoát" or the window's close button: closing quits the app, so ask first."""
        if errors.confirm(self, "Thoát mà không thiết lập?"):
            super().reject()

    def submit(self) -> None:
        """Validate; on success save in one transaction and accept, otherwise show inline messages."""
        self.clear_errors()
        if not self._check_form():
            return
        ui = self.ui
        try:
            self.result_installation = installation.initialize(
                self.store,
                role="commune" if ui.communeRadio.isChecked() else "aggregator",
                unit_code=ui.unitCombo.currentData(),
                receiving_unit_code=ui.receivingCombo.currentData(),
                admin_name=ui.adminNameEdit.text().strip(),
                admin_password=ui.passwordEdit.text(),
                admin_full_name=ui.fullNameEdit.text().strip())
        except ValidationError as exc:
            self.show_error(exc.field if exc.field in self.error_labels else "", exc.message)
            return
        except AppError as exc:
            self.show_error("", exc.message)
            return
        self.accept()

    @property
    def admin_name(self) -> str:
        return self.ui.adminNameEdit.text().strip()
