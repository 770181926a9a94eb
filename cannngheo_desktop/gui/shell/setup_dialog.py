"""First start: role, unit, receiving unit and the first administrator (service: installation.initialize).

Only units valid on the chosen start date are offered (the communes dissolved in the 2025 merger
stay in the catalogue for history but cannot be chosen for new work); the receiving office is
pre-filled from the unit's parent, and any other choice must be confirmed, because the monthly
bundles can go only to that office."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QWidget

from ...core.errors import AppError, ValidationError
from ...core.text import fold, format_date
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


def validity(unit: Any) -> str:
    """'từ 01/07/2025', '01/01/2004 – 30/06/2025' or '' (no dates known)."""
    start, end = _get(unit, "valid_from"), _get(unit, "valid_to")
    if start and end:
        return f"{format_date(str(start)[:10])} – {format_date(str(end)[:10])}"
    if end:
        return f"đến {format_date(str(end)[:10])}"
    return f"từ {format_date(str(start)[:10])}" if start else ""


def unit_label(unit: Any) -> str:
    """'Xã Đại Thanh (từ 01/07/2025) — mã 00664': the name with its validity (codes were re-used in 2025)."""
    span = validity(unit)
    return f"{_get(unit, 'name')}{f' ({span})' if span else ''} — mã {_get(unit, 'code')}"


def receiving_warning(office_name: str) -> str:
    """Why choosing another receiving office than the unit's parent needs a confirmation."""
    return (f"Cơ quan tiếp nhận đã chọn không phải cấp trên trực tiếp của đơn vị ({office_name}).\n\n"
            "Các gói số liệu hằng tháng chỉ gửi được cho cơ quan tiếp nhận chọn ở đây, và không đổi được "
            "sau khi thiết lập. Chỉ chọn khác khi có văn bản chỉ đạo.\n\nVẫn dùng cơ quan tiếp nhận này?")


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
        installation.load_reference_data(self.store)  # shipped catalogue; idempotent
        self.units: list[Any] = []
        today = date.today()
        self.ui.startDateEdit.setDate(QDate(today.year, today.month, today.day))
        self.ui.startDateEdit.dateChanged.connect(self._fill_combos)
        self.ui.communeRadio.toggled.connect(self._fill_combos)
        self.ui.unitCombo.currentIndexChanged.connect(self._suggest_receiving)
        self.ui.receivingCombo.currentIndexChanged.connect(self._show_receiving_note)
        self._fill_combos()

    # -- data -------------------------------------------------------------------------------
    @property
    def start_date(self) -> date:
        d = self.ui.startDateEdit.date()
        return date(d.year(), d.month(), d.day())

    def _load_units(self) -> list[Any]:
        """The catalogue's units valid on the start date (history keeps the others)."""
        from ...storage import reference

        return list(reference.list_units(self.store, on=self.start_date))

    def _units_of(self, kinds: tuple[str, ...]) -> list[Any]:
        return [u for u in self.units if _get(u, "kind") in kinds]

    def _fill_combos(self) -> None:
        self.units = self._load_units()
        commune = self.ui.communeRadio.isChecked()
        own = self._units_of(COMMUNE_KINDS if commune else UPPER_KINDS) or self.units
        upper = self._units_of(UPPER_KINDS) or self.units
        self._fill(self.ui.receivingCombo, upper,
                   blank="— chọn cơ quan tiếp nhận —" if commune else "(không có — cấp cao nhất)")
        self._fill(self.ui.unitCombo, own, blank="— chọn đơn vị —")
        self._suggest_receiving()

    def unit(self) -> Any | None:
        """The chosen unit's catalogue row (valid on the start date)."""
        code = self.ui.unitCombo.currentData()
        return next((u for u in self.units if _get(u, "code") == code), None)

    def _name(self, code: str) -> str:
        return next((str(_get(u, "name")) for u in self.units if _get(u, "code") == code), code)

    def suggested_receiving(self) -> str | None:
        """The unit's parent when it is an office valid on the start date, else None."""
        unit = self.unit()
        parent = _get(unit, "parent_code") if unit is not None else None
        return parent if parent and self.ui.receivingCombo.findData(parent) > 0 else None

    def _suggest_receiving(self) -> None:
        """Pre-fill the receiving office from the chosen unit's parent."""
        parent = self.suggested_receiving()
        if parent is not None:
            self.ui.receivingCombo.setCurrentIndex(self.ui.receivingCombo.findData(parent))
        self._show_receiving_note()

    def _show_receiving_note(self) -> None:
        parent, chosen = self.suggested_receiving(), self.ui.receivingCombo.currentData()
        if parent is None or chosen is None:
            text = ""
        elif chosen == parent:
            text = "Điền sẵn theo cấp trên của đơn vị. Gói số liệu hằng tháng chỉ gửi được cho cơ quan này."
        else:
            text = f"Khác cấp trên của đơn vị ({self._name(parent)}) — chương trình sẽ hỏi lại trước khi lưu."
        self.ui.receivingNote.setText(text)
        self.ui.receivingNote.setVisible(bool(text))

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
            self.show_error("password", "Hãy đặt mật khẩu (ít nhất 10 ký tự).")
        elif ui.passwordEdit.text() != ui.password2Edit.text():
            self.show_error("password2", "Hai lần nhập mật khẩu không khớp. Hãy nhập lại.")
        return not self.errors()

    def reject(self) -> None:
        """Escape, "Thoát" or the window's close button: closing quits the app, so ask first."""
        if errors.confirm(self, "Thoát mà không thiết lập?"):
            super().reject()

    def _confirm_receiving(self) -> bool:
        """A receiving office other than the unit's parent only after an explicit Yes."""
        parent, chosen = self.suggested_receiving(), self.ui.receivingCombo.currentData()
        if parent is None or chosen is None or chosen == parent:
            return True
        if errors.confirm(self, receiving_warning(self._name(parent))):
            return True
        self.show_error("receiving_unit_code", "Hãy chọn lại cơ quan tiếp nhận (gợi ý: cấp trên của đơn vị).")
        return False

    def submit(self) -> None:
        """Validate; on success save in one transaction and accept, otherwise show inline messages."""
        self.clear_errors()
        if not self._check_form() or not self._confirm_receiving():
            return
        ui = self.ui
        role = "commune" if ui.communeRadio.isChecked() else "aggregator"
        try:
            # The same rule as `cannngheo init`: both units valid on the start date; an office
            # other than the unit's parent was confirmed just above (_confirm_receiving).
            receiving = installation.resolve_receiving(
                self.store, role=role, unit_code=ui.unitCombo.currentData(),
                receiving_unit_code=ui.receivingCombo.currentData(), on=self.start_date, confirmed=True)
            self.result_installation = installation.initialize(
                self.store,
                role=role,
                unit_code=ui.unitCombo.currentData(),
                receiving_unit_code=receiving,
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
