"""The evaluator: one household's facts + a ruleset + a date → category, with reasons.

Pure (no Qt, no SQL). It never guesses: an unknown fact makes its indicator *undetermined*, and a
category that could change once the fact is known is ``undetermined`` ("Chưa đủ thông tin").
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, NamedTuple

from ..errors import RulesetError
from ..model import (
    AVERAGE,
    CATEGORY_LABELS,
    NEAR_POOR,
    NOT_POOR,
    POOR,
    RURAL,
    UNDETERMINED,
    UNIT_KINDS,
    URBAN,
    URBAN_UNIT_KINDS,
)
from ..text import format_date, format_vnd
from .indicators import DEPRIVED, NOT_DEPRIVED, Context, MemberView
from .indicators import UNDETERMINED as IND_UNDETERMINED
from .ruleset import Ruleset


class IndicatorResult(NamedTuple):
    """One indicator's verdict (a tuple: cheap to build 100,000 times)."""

    code: str
    name: str
    dimension: str
    status: str  # 'deprived' | 'not_deprived' | 'undetermined'
    reason: str

    @property
    def deprived(self) -> bool | None:
        return None if self.status == IND_UNDETERMINED else self.status == DEPRIVED


@dataclass
class Evaluation:
    ruleset_code: str
    assessed_on: date
    area_type: str
    category: str
    income_per_person: int | None
    income_line: int
    average_limit: int | None
    member_count: int
    deprivation_count: int
    undetermined_count: int
    indicators: list[IndicatorResult]
    missing: list[tuple[str, str]]
    income_reason: str
    warnings: list[str] = field(default_factory=list)

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]

    def indicator(self, code: str) -> IndicatorResult | None:
        return next((r for r in self.indicators if r.code == code), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (CLI output, assessment rows)."""
        out = asdict(self)
        out["assessed_on"] = self.assessed_on.isoformat()
        out["category_label"] = self.category_label
        out["indicators"] = [{**r._asdict(), "deprived": r.deprived} for r in self.indicators]
        out["missing"] = [{"field": f, "label": label} for f, label in self.missing]
        return out


def area_type_for_unit_kind(kind: str) -> str:
    """Ward (phường) and town (thị trấn) are urban, commune (xã) rural; others have no line."""
    if kind in URBAN_UNIT_KINDS:
        return URBAN
    if kind == "commune":
        return RURAL
    label = UNIT_KINDS.get(kind, kind)
    raise RulesetError(
        f"Đơn vị loại '{label}' không có chuẩn nghèo riêng: chỉ xã (nông thôn), phường hoặc thị trấn "
        "(thành thị) mới xác định được khu vực.")


def age_on(birth: Any, on: date) -> int | None:
    """Whole years at ``on`` (a child is 16 on their 16th birthday); None if unknown/invalid."""
    if birth is None or birth == "":
        return None
    if not isinstance(birth, date):
        try:
            birth = date.fromisoformat(str(birth)[:10])
        except ValueError:
            return None
    if birth > on:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def present_members(members: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Members counted in the household: not deleted, status 'present' (unknown status counts)."""
    return [m for m in members if not m.get("deleted") and (m.get("status") or "present") == "present"]


def household_view(household: Mapping[str, Any]) -> Mapping[str, Any]:
    """The household facts with ``devices`` decoded when it is JSON text (as stored)."""
    devices = household.get("devices")
    if isinstance(devices, str):
        try:
            parsed = json.loads(devices) if devices.strip() else None
        except json.JSONDecodeError:
            parsed = None
        household = {**household, "devices": parsed if isinstance(parsed, list) else None}
    return household


def evaluate(household: Mapping[str, Any], members: Sequence[Mapping[str, Any]], ruleset: Ruleset,
             on: date, area_type: str) -> Evaluation:
    """Classify one household under ``ruleset`` at date ``on`` in an area ('rural'/'urban')."""
    if area_type not in (RURAL, URBAN):
        raise RulesetError(f"Khu vực '{area_type}' không hợp lệ (rural hoặc urban).")
    hh = household_view(household)
    views = [MemberView(i, m.get("full_name") or f"Thành viên thứ {i + 1}", age_on(m.get("birth_date"), on), m)
             for i, m in enumerate(members)
             if not m.get("deleted") and (m.get("status") or "present") == "present"]
    ctx = Context(hh, views)
    results: list[IndicatorResult] = []
    missing: list[tuple[str, str]] = []
    deprived = undetermined = 0
    for d in ruleset.indicators:
        status, reason, miss = d.check(ctx)
        results.append(IndicatorResult(d.code, d.name, d.dimension, status, reason))
        if status == DEPRIVED:
            deprived += 1
        elif status != NOT_DEPRIVED:
            undetermined += 1
            missing.extend(miss)
    line = ruleset.income_line(area_type)
    band = ruleset.average_limit(area_type)
    income, n = hh.get("income_month"), len(views)
    per_person = None if income is None or n == 0 else int(income) // n
    if income is None:
        missing.insert(0, ("income_month", "Tổng thu nhập của hộ (đồng/tháng)"))
    if n == 0:
        missing.insert(0, ("members", "Danh sách thành viên đang ở"))
    category = _category(income, n, line, band, deprived, undetermined, ruleset.poor_min_deprivations)
    ev = Evaluation(ruleset.code, on, area_type, category, per_person, line, band, n, deprived, undetermined,
                    results, list(dict.fromkeys(missing)), _income_reason(per_person, line, band, income, n, area_type))
    ev.warnings = _warnings(ruleset, on, category)
    return ev


def _category(income: Any, n: int, line: int, band: int | None, deprived: int, undetermined: int,
              poor_min: int) -> str:
    if income is None or n == 0:
        return UNDETERMINED
    income = int(income)
    # Compare totals rather than rounded per-person figures: "at or below the line" is exact.
    if income <= line * n:
        if deprived >= poor_min:
            return POOR
        if deprived + undetermined < poor_min:
            return NEAR_POOR
        return UNDETERMINED
    if band is not None and income <= band * n:
        return AVERAGE
    return NOT_POOR


def _income_reason(per_person: int | None, line: int, band: int | None, income: Any, n: int,
                   area_type: str) -> str:
    area = "nông thôn" if area_type == RURAL else "thành thị"
    if income is None:
        return "Chưa có thu nhập của hộ"
    if n == 0:
        return "Hộ chưa có thành viên đang ở"
    head = f"Thu nhập bình quân {format_vnd(per_person)} đồng/người/tháng"
    if int(income) <= line * n:
        return f"{head}, không vượt chuẩn nghèo {area} {format_vnd(line)} đồng"
    if band is not None and int(income) <= band * n:
        return f"{head}, trên chuẩn nghèo {format_vnd(line)} nhưng không quá mức sống trung bình {format_vnd(band)} đồng"
    return f"{head}, trên chuẩn nghèo {area} {format_vnd(line)} đồng"


def _warnings(ruleset: Ruleset, on: date, category: str) -> list[str]:
    out = []
    if not ruleset.valid_on(on):
        end = format_date(ruleset.valid_to) if ruleset.valid_to else "nay"
        out.append(f"Ngày đánh giá {format_date(on)} nằm ngoài thời gian hiệu lực của bộ chuẩn {ruleset.code} "
                   f"({format_date(ruleset.valid_from)}–{end}).")
    if not ruleset.confirmed:
        out.append(f"Bộ chuẩn {ruleset.code} đang chờ xác nhận.")
    if category == AVERAGE and not (ruleset.definition.get("average_band") or {}).get("confirmed", True):
        out.append("Ngưỡng hộ có mức sống trung bình của bộ chuẩn này chưa được xác nhận (giá trị tạm).")
    return out
