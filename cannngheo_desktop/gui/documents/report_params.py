"""The parameter form of one report, built from ``ReportSpec.params`` (keys of ``PARAM_LABELS``).

Choices come from services: units (``storage.reference.list_units``), rulesets
(``storage.rulesets.list_rulesets``), plan years (``storage.plans.list_plans``) and, for the single
household profile, a search box over ``registry.queries.fetch_page``. ``params()`` returns
the ``reporting.ReportParams`` the catalogue builds from; ``mark(field, message)`` puts a service's
``ValidationError.field`` on the matching widget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.text import fold
from ...documents.catalogue import ReportSpec
from ...documents.context import CATEGORY_CHOICES, PARAM_LABELS, POOR_OR_NEAR_POOR, ReportParams
from ...plan import plans
from ...registry.queries import RELEVANCE, ListQuery, fetch_page
from ...storage import reference, rulesets
from ...storage.db import Store
from ..shell import choices

ALL_UNITS = "Tất cả đơn vị"
ALL_CATEGORIES = "Hộ nghèo và hộ cận nghèo"
ALL_HOUSEHOLDS = "Tất cả các hộ (kể cả hộ chưa thuộc diện)"
DEFAULT_RULESET = "Tự chọn (bộ chuẩn có nhiều lần đánh giá nhất)"
CURRENT_RULESET = "Bộ chuẩn đang áp dụng tại ngày báo cáo"
NEWEST_RULESET = "Bộ chuẩn mới nhất"
DATE_FORMAT = "dd/MM/yyyy"
SEARCH_LIMIT = 50
# Shorter labels than the command line's (the combos say "all" themselves).
LABELS = {"unit": "Đơn vị", "period": "Kỳ báo cáo", "household": "Hộ", "compare": "So với bộ chuẩn", "internal": "Bản nội bộ"}
FieldWidget = TypeVar("FieldWidget", bound=QWidget)


@dataclass
class Choices:
    """What the combos offer, read once per refresh on the GUI thread (small lists)."""

    units: list[tuple[str, str]] = field(default_factory=list)       # (label, code)
    rulesets: list[tuple[str, str]] = field(default_factory=list)    # (label, code)
    default_year: int = date.today().year


def load_choices(store: Store, today: date | None = None) -> Choices:
    """Units (district first, then communes by name), rulesets and the newest plan's year."""
    today = today or date.today()
    units = reference.list_units(store, kinds=("district", "commune", "ward", "town"))
    if not units:
        units = reference.list_units(store)
    unit_items = [(label, code) for label, code, _row in choices.unit_choices(units)]
    rs = [(f"{r.name} ({r.code})", r.code) for r in rulesets.list_rulesets(store)]
    years = [int(p["year"]) for p in plans.list_plans(store) if p.get("year")]
    return Choices(unit_items, rs, max(years) if years else today.year)


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def _date_edit() -> QDateEdit:
    edit = QDateEdit()
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setMaximumDate(QDate(2100, 12, 31))
    edit.setMinimumWidth(120)
    edit.setMaximumWidth(160)
    return edit


class HouseholdPicker(QWidget):
    """A search box (code, head's name, ID number…) and the matching households (first 50)."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.search = QLineEdit()
        self.search.setPlaceholderText("Tìm theo mã hộ, tên chủ hộ, số định danh…")
        self.results = QComboBox()
        self.results.setMinimumContentsLength(40)
        self.results.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(300)
        self.timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _t: self.timer.start())
        self.run_search()

    def run_search(self) -> None:
        """Fill the result combo from the registry list (one small indexed query)."""
        self.timer.stop()
        rows = fetch_page(self.store, ListQuery(search=self.search.text().strip(), sort=RELEVANCE), 0,
                          SEARCH_LIMIT)
        self.results.clear()
        if not rows:
            self.results.addItem("— Không tìm thấy hộ nào —", None)
        for row in rows:
            where = ", ".join(x for x in (row.get("village"), row.get("unit_name")) if x)
            self.results.addItem(f"{row['household_code']} — {row['head_name'] or '?'} ({where})",
                                 row["household_code"])

    def value(self) -> str | None:
        """The chosen household's code (None: nothing found)."""
        return self.results.currentData()


class PeriodEdit(QWidget):
    """A report period: "từ" ``start`` "đến" ``end``."""

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.start, self.end = _date_edit(), _date_edit()
        for text, edit in (("từ", self.start), ("đến", self.end)):
            row.addWidget(QLabel(text))
            row.addWidget(edit)
        row.addStretch(1)


class ReportParamsForm(QWidget):
    """Labelled fields for exactly the parameters of one report."""

    def __init__(self, store: Store, options: Choices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.options = options
        self.spec: ReportSpec | None = None
        self.fields: dict[str, QWidget] = {}
        self._dates_touched = False
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)

    # --- building ---------------------------------------------------------------------------
    def set_spec(self, spec: ReportSpec) -> None:
        """Rebuild the form for ``spec`` (values of the previous report are not carried over)."""
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        self._dates_touched = False
        self.spec = spec
        for key in spec.params:
            widget = getattr(self, f"_make_{key}")()
            self.fields[key] = widget
            text = "Bộ chuẩn mới" if key == "ruleset" and self._comparing() else LABELS.get(key, PARAM_LABELS[key])
            label = QLabel(text)
            label.setWordWrap(True)
            self.form.addRow(label, widget)
        if not spec.params:
            self.form.addRow(QLabel("Báo cáo này không cần tham số."))
        self._follow_year()

    def _comparing(self) -> bool:
        """The report compares two rulesets (its "ruleset" is the new one)."""
        return self.spec is not None and "compare" in self.spec.params

    def _make_unit(self) -> QComboBox:
        combo = QComboBox()
        combo.addItem(ALL_UNITS, None)
        for label, code in self.options.units:
            combo.addItem(label, code)
        combo.setMinimumContentsLength(30)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        return combo

    def _make_year(self) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(2000, 2100)
        spin.setValue(self.options.default_year)
        spin.setGroupSeparatorShown(False)
        spin.setMaximumWidth(110)
        spin.valueChanged.connect(lambda _v: self._follow_year())
        return spin

    def _make_date(self) -> QDateEdit:
        edit = _date_edit()
        edit.userDateChanged.connect(self._touched)
        return edit

    def _make_period(self) -> PeriodEdit:
        box = PeriodEdit()
        for edit in (box.start, box.end):
            edit.userDateChanged.connect(self._touched)
        return box

    def _make_category(self) -> QComboBox:
        combo = QComboBox()
        if self._comparing():
            combo.addItem(ALL_HOUSEHOLDS, None)
        else:  # exactly the two categories, never the households that are not poor
            combo.addItem(ALL_CATEGORIES, POOR_OR_NEAR_POOR)
        for code, label in CATEGORY_CHOICES.items():
            combo.addItem(label, code)
        return combo

    def _make_ruleset(self) -> QComboBox:
        combo = QComboBox()
        combo.addItem(NEWEST_RULESET if self._comparing() else DEFAULT_RULESET, None)
        for label, code in self.options.rulesets:
            combo.addItem(label, code)
        return combo

    def _make_compare(self) -> QComboBox:
        combo = QComboBox()
        combo.addItem(CURRENT_RULESET, None)
        for label, code in self.options.rulesets:
            combo.addItem(label, code)
        return combo

    def _make_internal(self) -> QCheckBox:
        """Unchecked by default: a list meant for posting never shows full ID numbers."""
        box = QCheckBox("Nội bộ — in đầy đủ số định danh")
        box.setChecked(False)
        box.setToolTip("Chỉ dùng cho hồ sơ lưu tại cơ quan. Danh sách niêm yết công khai phải để trống ô này.")
        return box

    def _make_household(self) -> HouseholdPicker:
        return HouseholdPicker(self.store)

    def _touched(self, _day: QDate) -> None:
        self._dates_touched = True

    def _field(self, key: str, kind: type[FieldWidget]) -> FieldWidget | None:
        """The field ``key`` if this report has it (each key always makes the same kind of widget)."""
        widget = self.fields.get(key)
        return widget if isinstance(widget, kind) else None

    def _follow_year(self) -> None:
        """Dates follow the year (31/12, not after today; period 01/01 → 31/12) until edited."""
        if self._dates_touched:
            return
        year_field = self._field("year", QSpinBox)
        year = year_field.value() if year_field is not None else date.today().year
        end = ReportParams(year=year).as_of()
        edits: list[tuple[QDateEdit, date]] = []
        if (day_field := self._field("date", QDateEdit)) is not None:
            edits.append((day_field, end))
        if (period := self._field("period", PeriodEdit)) is not None:
            edits += [(period.start, date(year, 1, 1)), (period.end, end)]
        for edit, day in edits:
            edit.blockSignals(True)
            edit.setDate(to_qdate(day))
            edit.blockSignals(False)

    # --- reading ----------------------------------------------------------------------------
    def params(self) -> ReportParams:
        """What the user chose, as the catalogue's parameters."""
        p = ReportParams()
        if (unit := self._field("unit", QComboBox)) is not None:
            p.unit_code = unit.currentData()
        if (year := self._field("year", QSpinBox)) is not None:
            p.year = year.value()
        if (day := self._field("date", QDateEdit)) is not None:
            p.on = from_qdate(day.date())
        if (period := self._field("period", PeriodEdit)) is not None:
            p.start = from_qdate(period.start.date())
            p.on = from_qdate(period.end.date())
        if (category := self._field("category", QComboBox)) is not None:
            p.category = category.currentData()
        if (ruleset := self._field("ruleset", QComboBox)) is not None:
            p.ruleset = ruleset.currentData()
        if (compare := self._field("compare", QComboBox)) is not None:
            p.compare_to = compare.currentData()
        if (household := self._field("household", HouseholdPicker)) is not None:
            p.household = household.value()
        if (internal := self._field("internal", QCheckBox)) is not None:
            p.internal = internal.isChecked()
        return p

    def set_value(self, key: str, value: Any) -> None:
        """Set one field programmatically (tests, remembered choices)."""
        widget = self.fields[key]
        if isinstance(widget, QComboBox):
            choices.set_value(widget, value)
        elif isinstance(widget, QSpinBox):
            widget.setValue(int(value))
        elif isinstance(widget, QDateEdit):
            widget.setDate(to_qdate(value))
            self._dates_touched = True
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, HouseholdPicker):
            widget.search.setText(str(value))
            widget.run_search()

    def mark(self, key: str | None, message: str | None) -> None:
        """Red frame on the field a service complained about; ``key`` None clears every mark."""
        targets = self.fields.items() if key is None else [(key, self.fields.get(key))]
        for _k, widget in targets:
            if widget is not None:
                choices.mark_error(widget, message)


def file_stem(spec: ReportSpec, params: ReportParams) -> str:
    """'Biểu kế hoạch giảm hộ cận nghèo', 2023 → 'bieu-ke-hoach-giam-ho-can-ngheo-2023'."""
    stem = re.sub(r"[^a-z0-9]+", "-", fold(spec.title)).strip("-")
    extra = params.household or params.unit_code or ""
    parts = [stem, extra, str(params.year) if params.year else ""]
    return "-".join(p for p in parts if p)
