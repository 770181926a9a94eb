"""What every document starts from: the parameters the user chose (``ReportParams``) and the
heading they resolve to (``Context``: issuing unit lines, the place and date of the date line).
Unit names are those valid at the report date (GSO codes were re-used after 1/7/2025)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..core.errors import ValidationError
from ..core.model import CATEGORY_LABELS, NEAR_POOR, POOR
from ..storage import installation
from ..storage.db import Store
from ..storage.reference import get_unit, list_units
from .render.xlsx_base import vn_date_line

PARAM_LABELS = {
    "unit": "Đơn vị (để trống: tất cả)",
    "year": "Năm",
    "date": "Tính đến ngày",
    "period": "Kỳ báo cáo (từ ngày – đến ngày)",
    "category": "Phân loại hộ",
    "ruleset": "Bộ chuẩn nghèo",
    "compare": "So với bộ chuẩn (để trống: bộ chuẩn đang áp dụng)",
    "household": "Hộ (mã hộ)",
    "internal": "Bản nội bộ (in đầy đủ số định danh, không niêm yết)",
}
CATEGORY_CHOICES = {POOR: CATEGORY_LABELS[POOR], NEAR_POOR: CATEGORY_LABELS[NEAR_POOR]}
# Both categories and nothing else: what "Hộ nghèo và hộ cận nghèo" means in a filter. Without a
# category a list has every household (565 in the demo, most of them not poor).
POOR_OR_NEAR_POOR = "poor_or_near_poor"
CATEGORY_FILTERS = {**CATEGORY_LABELS, POOR_OR_NEAR_POOR: "Hộ nghèo và hộ cận nghèo"}


@dataclass
class ReportParams:
    """What the user chose; None = the default (all units, this year, today…)."""

    unit_code: str | None = None
    year: int | None = None
    on: date | None = None          # "tính đến ngày" / end of the period
    start: date | None = None       # start of the period (movements)
    category: str | None = None
    ruleset: str | None = None
    compare_to: str | None = None   # the ruleset compared against (ruleset-change)
    household: str | None = None    # id or household code (household-profile)
    village: str | None = None
    internal: bool = False          # full ID numbers, "NỘI BỘ" in the title (never for posting)

    def report_year(self) -> int:
        return self.year or (self.on.year if self.on else date.today().year)

    def as_of(self) -> date:
        """The report date: the given date, else the end of the year (not after today)."""
        if self.on:
            return self.on
        if self.year:
            return min(date(self.year, 12, 31), max(date.today(), date(self.year, 1, 1)))
        return date.today()


@dataclass
class Context:
    """Heading data shared by every report: issuing unit lines, place for the date line."""

    store: Store
    params: ReportParams
    unit_lines: tuple[str, str]
    place: str
    unit_name: str
    on: date

    def name_of(self, code: str) -> str:
        unit = get_unit(self.store, code, self.on) or get_unit(self.store, code)
        return unit["name"] if unit else code

    def unit_names(self) -> dict[str, str]:
        names = {u["code"]: u["name"] for u in list_units(self.store)}
        names.update({u["code"]: u["name"] for u in list_units(self.store, on=self.on)})
        return names

    @property
    def date_line(self) -> str:
        return vn_date_line(self.place, self.on)


_PREFIXES = ("Thành phố ", "Tỉnh ", "Huyện ", "Quận ", "Thị xã ", "Thị trấn ", "Xã ", "Phường ")


def place_name(name: str) -> str:
    """'Huyện Thanh Trì' → 'Thanh Trì' (the place of the date line)."""
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def ubnd(name: str) -> str:
    """'Huyện Thanh Trì' → 'UBND huyện Thanh Trì'."""
    return f"UBND {name[:1].lower()}{name[1:]}" if name else "UBND"


def make_context(store: Store, params: ReportParams) -> Context:
    """Resolve the heading: the chosen unit, else this installation's unit."""
    on = params.as_of()
    inst = installation.current(store)
    own = inst.unit_code if inst else None
    code = params.unit_code or own
    if params.unit_code and get_unit(store, params.unit_code) is None:
        raise ValidationError(f"Không có đơn vị mã '{params.unit_code}'. Hãy chọn một đơn vị trong danh mục.",
                              field="unit")
    unit = (get_unit(store, code, on) or get_unit(store, code)) if code else None
    name = unit["name"] if unit else ""
    # The place of the date line is the ISSUING unit's (a commune's documents are dated at the
    # commune, never at the district), under its name on the document's date.
    own_unit = (get_unit(store, own, on) or get_unit(store, own)) if own else None
    place = place_name(name or (own_unit["name"] if own_unit else ""))
    return Context(store, params, (ubnd(name), ""), place, name, on)
