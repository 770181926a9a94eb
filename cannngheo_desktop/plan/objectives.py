"""Measurable facts a plan's objectives can be tied to, and the pure status rules.

Each fact has a stable code (stored in ``plan_objectives.kind``), a Vietnamese label, the unit of
measure and a default target. The SQL that measures a fact lives in ``plan/tracker_queries.py``;
here are only the rules that turn counts into a value and a status. Unknown facts (NULL in the
registry) are counted apart as "chưa có thông tin" and never as failures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from ..core.errors import ValidationError
from ..core.model import LATRINES, WATER_SOURCES

# Status words shown in the objectives table.
MET = "đạt"
NOT_MET = "chưa đạt"
NO_DATA = "chưa có số liệu"
UNKNOWN_FACT = "không đo được"

# Units of measure (plan_objectives.measure_unit).
PERCENT = "%"
HOUSEHOLDS = "hộ"
UNITS = "đơn vị"

AT_MOST = "<="
AT_LEAST = ">="

# FALLBACK sets, used only when no ruleset in the database defines the indicator (DOMAIN.md §2,
# indicators 9 and 10). The ruleset is the authority; these keep the measure working on a bare file.
FALLBACK_SAFE_WATER = frozenset(
    {"piped", "drilled_well", "protected_dug_well", "protected_spring", "rain", "bought"})
FALLBACK_HYGIENIC_LATRINES = frozenset(
    {"septic", "semi_septic", "pour_flush", "double_vault", "ventilated_pit"})

# Housing difficulty: non-durable home (≥ 2 of wall/frame/roof not durable) or < 8 m² per person.
NON_DURABLE_PARTS_MIN = 2
MIN_AREA_PER_PERSON_M2 = 8.0

# School-age children for the schooling objective: 3 to under 16 at the measurement date.
SCHOOL_AGE_MIN = 3
SCHOOL_AGE_BELOW = 16


@dataclass(frozen=True)
class Fact:
    """One measurable fact of the catalogue."""

    code: str
    label: str
    measure_unit: str
    target: float | None  # None: computed from the plan (near_poor_vs_target, to_zero_units)
    comparison: str
    population: str  # what the denominator counts, for the table's tooltip and docs


CATALOGUE: dict[str, Fact] = {f.code: f for f in (
    Fact("poor_households", "Không còn hộ nghèo (số hộ nghèo hiện có)", HOUSEHOLDS, 0, AT_MOST,
         "hộ nghèo đang quản lý"),
    Fact("near_poor_vs_target", "Số hộ cận nghèo so với chỉ tiêu cuối năm", HOUSEHOLDS, None, AT_MOST,
         "hộ cận nghèo đang quản lý; chỉ tiêu = đầu năm − kế hoạch giảm"),
    Fact("to_zero_units", "Đơn vị phấn đấu hết hộ cận nghèo", UNITS, None, AT_LEAST,
         "đơn vị được giao chỉ tiêu về 0"),
    Fact("merit_near_poor", "Hộ cận nghèo thuộc hộ người có công", HOUSEHOLDS, 0, AT_MOST,
         "hộ cận nghèo có người có công với cách mạng"),
    Fact("health_insurance_members", "Thành viên hộ cận nghèo có thẻ BHYT", PERCENT, 100, AT_LEAST,
         "thành viên đang ở của hộ cận nghèo"),
    Fact("children_in_school", "Trẻ em 3 đến dưới 16 tuổi được đi học", PERCENT, 100, AT_LEAST,
         "trẻ em đủ 3 đến dưới 16 tuổi của hộ cận nghèo"),
    Fact("safe_water", "Hộ cận nghèo dùng nước sạch, hợp vệ sinh", PERCENT, 100, AT_LEAST,
         "hộ cận nghèo"),
    Fact("hygienic_latrine", "Hộ cận nghèo có nhà vệ sinh hợp vệ sinh", PERCENT, 100, AT_LEAST,
         "hộ cận nghèo"),
    Fact("information_device", "Hộ cận nghèo có ít nhất một phương tiện tiếp cận thông tin", PERCENT,
         100, AT_LEAST, "hộ cận nghèo"),
    Fact("housing_difficulty", "Hộ cận nghèo còn khó khăn về nhà ở", HOUSEHOLDS, 0, AT_MOST,
         "hộ cận nghèo (nhà không bền chắc hoặc dưới 8 m²/người)"),
    Fact("job_support", "Lao động có nhu cầu được tư vấn, hỗ trợ việc làm", PERCENT, 100, AT_LEAST,
         "thành viên hộ cận nghèo có nhu cầu hỗ trợ việc làm"),
    Fact("job_placed", "Lao động có nhu cầu được giới thiệu có việc làm", PERCENT, 30, AT_LEAST,
         "thành viên hộ cận nghèo có nhu cầu hỗ trợ việc làm"),
)}


def require_fact(code: str) -> Fact:
    """The catalogue entry for ``code``; a ValidationError naming the known codes otherwise."""
    fact = CATALOGUE.get(code)
    if fact is None:
        raise ValidationError(
            f"'{code}' không phải chỉ tiêu đo được. Hãy chọn một trong: {', '.join(CATALOGUE)}.",
            field="kind")
    return fact


@dataclass(frozen=True)
class Counts:
    """What the SQL returns for one fact: numerator, denominator (None for plain counts), unknown."""

    numerator: int
    denominator: int | None = None
    unknown: int = 0


@dataclass(frozen=True)
class Measurement:
    """One objective row with its live value and status."""

    code: str
    label: str
    measure_unit: str
    comparison: str
    target: float | None
    value: float | None
    numerator: int
    denominator: int | None
    unknown: int
    status: str
    objective_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percent(numerator: int, denominator: int | None) -> float | None:
    """numerator/denominator in percent, 2 decimals; None when there is nothing to divide by."""
    if not denominator:
        return None
    return round(100.0 * numerator / denominator, 2)


def status_of(value: float | None, target: float | None, comparison: str) -> str:
    """'đạt' / 'chưa đạt' by comparing value with target; 'chưa có số liệu' when either is None."""
    if value is None or target is None:
        return NO_DATA
    ok = value <= target if comparison == AT_MOST else value >= target
    return MET if ok else NOT_MET


def measure(fact: Fact, counts: Counts, *, target: float | None = None, comparison: str | None = None,
            label: str | None = None, objective_id: str | None = None) -> Measurement:
    """Turn a fact's counts into a Measurement. Percent facts divide by the known denominator;
    count facts (hộ, đơn vị) report the numerator itself."""
    value: float | None
    if fact.measure_unit == PERCENT:
        value = percent(counts.numerator, counts.denominator)
    else:
        value = float(counts.numerator)
    tgt = fact.target if target is None else target
    cmp = comparison or fact.comparison
    return Measurement(fact.code, label or fact.label, fact.measure_unit, cmp, tgt, value,
                       counts.numerator, counts.denominator, counts.unknown,
                       status_of(value, tgt, cmp), objective_id)


def unmeasurable(kind: str, label: str, objective_id: str | None = None) -> Measurement:
    """A stored objective whose kind this version does not know (e.g. from a newer copy)."""
    return Measurement(kind, label, "", AT_LEAST, None, None, 0, None, 0, UNKNOWN_FACT, objective_id)


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29/02 → 28/02 when that year has none)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_window(on: date, age_min: int = SCHOOL_AGE_MIN, age_below: int = SCHOOL_AGE_BELOW
               ) -> tuple[str, str]:
    """ISO bounds (exclusive low, inclusive high) of birth dates aged ``age_min`` to under
    ``age_below`` on ``on``: ``low < birth_date <= high``."""
    return years_before(on, age_below).isoformat(), years_before(on, age_min).isoformat()


def safe_set_from_ruleset(definition: Any, field: str, all_values: Iterable[str]) -> frozenset[str] | None:
    """The values of ``field`` a ruleset counts as NOT deprived, read from its
    ``household_fact_in_set`` indicator; None when the ruleset has no such indicator."""
    universe = frozenset(all_values)
    for node in _walk(definition):
        params = node.get("params")
        if node.get("kind") != "household_fact_in_set" or not isinstance(params, Mapping):
            continue
        if params.get("field") != field or not isinstance(params.get("values"), list):
            continue
        values = frozenset(str(v) for v in params["values"])
        return values if params.get("deprived_when") == "not_in" else universe - values
    return None


def _walk(node: Any) -> Iterable[Mapping[str, Any]]:
    if isinstance(node, Mapping):
        yield node
        for child in node.values():
            yield from _walk(child)
    elif isinstance(node, list):
        for child in node:
            yield from _walk(child)


def good_sets(definition: Any | None) -> tuple[frozenset[str], frozenset[str], bool]:
    """(safe water sources, hygienic latrines, True if both came from the ruleset)."""
    water = safe_set_from_ruleset(definition, "water_source", WATER_SOURCES) if definition else None
    latrine = safe_set_from_ruleset(definition, "latrine", LATRINES) if definition else None
    return (water or FALLBACK_SAFE_WATER, latrine or FALLBACK_HYGIENIC_LATRINES,
            water is not None and latrine is not None)


def default_objectives() -> list[dict[str, Any]]:
    """The customer plan's objectives (DOMAIN.md §1), in the order of the document, as rows for
    ``plan_objectives`` (kind, label, target_value, comparison, measure_unit, sort_order)."""
    return [{"kind": f.code, "label": f.label, "target_value": f.target, "comparison": f.comparison,
             "measure_unit": f.measure_unit, "sort_order": i}
            for i, f in enumerate(CATALOGUE.values(), start=1)]
