"""What every document starts from: the parameters the user chose (``ReportParams``) and the
heading they resolve to (``Context``: issuing unit lines, the place and date of the date line).

Names as of the document's date (the 2025 merger; GSO codes were re-used after 1/7/2025), by
:func:`unit_label`: a unit valid on the date prints its name; a code re-used by a new unit prints
the new name with the former one in brackets ("Xã Ngọc Hồi (xã Đại Áng cũ)"), because rows of a
table are keyed by the code the households were registered under; a unit dissolved before the
date prints its last name marked "(cũ)" (its households have not been moved to a successor — the
old → new links are not confirmed, see docs/reference-data.md). The issuing unit follows the
same rule, and the date line carries the issuing unit's own place name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..core.errors import ValidationError
from ..core.model import CATEGORY_LABELS, NEAR_POOR, POOR
from ..core.places import address_as_of
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
    password: str | None = None     # an internal xlsx is written as a password-protected workbook

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
    versions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def _versions(self) -> dict[str, list[dict[str, Any]]]:
        """Every unit's versions, read once per document."""
        if not self.versions:
            self.versions = unit_versions(self.store)
        return self.versions

    def name_of(self, code: str) -> str:
        """The unit's name on the report date (see the module docstring)."""
        return unit_label(self._versions().get(code, []), self.on) or code

    def address_of(self, household: Mapping[str, Any]) -> str:
        """The household's address as written on the report date: from 1/7/2025 without the
        district and with its commune's name on that date (``core.places.address_as_of``)."""
        name, _former, _dissolved = unit_parts(self._versions().get(household.get("unit_code") or "", []), self.on)
        return address_as_of(str(household.get("address") or ""), name, self.on)

    def unit_names(self) -> dict[str, str]:
        return {code: unit_label(v, self.on) or code for code, v in self._versions().items()}

    @property
    def date_line(self) -> str:
        return vn_date_line(self.place, self.on)


def unit_versions(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every stored version of every unit code, oldest first."""
    out: dict[str, list[dict[str, Any]]] = {}
    for unit in list_units(store):
        out.setdefault(unit["code"], []).append(unit)
    for versions in out.values():
        versions.sort(key=lambda u: u.get("valid_from") or "")
    return out


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def unit_parts(versions: list[dict[str, Any]], on: date) -> tuple[str, str, bool]:
    """(name valid on ``on`` or the last name before it, former name if the code was re-used,
    dissolved?) for one code's versions."""
    day = on.isoformat()
    now = next((u for u in versions if (u.get("valid_from") or "") <= day
                and (u.get("valid_to") or "9999") >= day), None)
    limit = (now.get("valid_from") or "") if now else day
    before = [u for u in versions if u.get("valid_to") and u["valid_to"] < limit]
    if now is not None:
        former = before[-1]["name"] if before and before[-1]["name"] != now["name"] else ""
        return now["name"], former, False
    if before:
        return before[-1]["name"], "", True
    return "", "", False


def unit_label(versions: list[dict[str, Any]], on: date) -> str:
    """"Xã Ngọc Hồi (xã Đại Áng cũ)", "Xã Liên Ninh (cũ)" or the plain name (module docstring)."""
    name, former, dissolved = unit_parts(versions, on)
    if former:
        return f"{name} ({_lower_first(former)} cũ)"
    return f"{name} (cũ)" if dissolved else name


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
    versions = unit_versions(store)
    name, _former, dissolved = unit_parts(versions.get(code or "", []), on)
    # The place of the date line is the ISSUING unit's (a commune's documents are dated at the
    # commune, never at the district), under its name on the document's date.
    place = place_name(name)
    label = f"{name} (cũ)" if dissolved else name
    return Context(store, params, (ubnd(label), ""), place, label, on, versions)
