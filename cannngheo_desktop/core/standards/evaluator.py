"""The evaluator: one household's facts + a ruleset + a date → category, with reasons.

Pure (no Qt, no SQL). It never guesses: an unknown fact makes its indicator *undetermined*, and a
category that could change once the fact is known is ``undetermined`` ("Chưa đủ thông tin").
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
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
from .indicators import DEPRIVED, MEMBERS_MISSING, NOT_DEPRIVED, Context, MemberView, exact_quotient
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
    # codes of the unconfirmed indicators that decided poor vs near-poor (each has a warning)
    deciding_unconfirmed: list[str] = field(default_factory=list)

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
        return _age_from_text(str(birth)[:10], on)
    if birth > on:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@lru_cache(maxsize=65536)
def _age_from_text(birth: str, on: date) -> int | None:
    # Birth dates repeat a lot across 100,000 households: parse each (date, day) pair once.
    try:
        day = date.fromisoformat(birth)
    except ValueError:
        return None
    if day > on:
        return None
    return on.year - day.year - ((on.month, on.day) < (day.month, day.day))


_UNSEEN = object()
_AGES: dict[date, dict[str, int | None]] = {}


def _ages_on(on: date) -> dict[str, int | None]:
    """Birth date text → age on ``on``, filled as households are evaluated (birth dates repeat
    a lot across a bulk run); bounded so a long session does not grow it without end."""
    ages = _AGES.get(on)
    if ages is None or len(ages) > 200_000:
        if len(_AGES) > 8:
            _AGES.clear()
        ages = _AGES[on] = {}
    return ages


def present_members(members: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Members counted in the household: not deleted, status 'present' (unknown status counts)."""
    return [m for m in members if not m.get("deleted") and (m.get("status") or "present") == "present"]


def household_view(household: Mapping[str, Any]) -> Mapping[str, Any]:
    """The household facts with ``devices`` decoded when it is JSON text (as stored)."""
    devices = household.get("devices")
    if isinstance(devices, str):
        parsed = _devices(devices)
        household = {**household, "devices": list(parsed) if parsed is not None else None}
    return household


@lru_cache(maxsize=4096)
def _devices(text: str) -> tuple[Any, ...] | None:
    # Few distinct device lists exist: decode each JSON text once (a fresh list is handed out).
    try:
        parsed = json.loads(text) if text.strip() else None
    except json.JSONDecodeError:
        parsed = None
    return tuple(parsed) if isinstance(parsed, list) else None


def evaluate(household: Mapping[str, Any], members: Sequence[Mapping[str, Any]], ruleset: Ruleset,
             on: date, area_type: str, *, explain: bool = True) -> Evaluation:
    """Classify one household under ``ruleset`` at date ``on`` in an area ('rural'/'urban').

    ``explain=False`` gives the same verdicts, counts, category and missing facts without
    writing the reasons ("" instead): bulk runs that save verdicts, whose reasons are rebuilt
    from the saved inputs when somebody looks at them."""
    if area_type not in (RURAL, URBAN):
        raise RulesetError(f"Khu vực '{area_type}' không hợp lệ (rural hoặc urban).")
    hh = household_view(household)
    ages = _ages_on(on)
    new = tuple.__new__
    views = []
    for i, m in enumerate(members):
        if m.get("deleted") or (m.get("status") or "present") != "present":
            continue
        birth = m.get("birth_date")
        if type(birth) is str:
            age = ages.get(birth, _UNSEEN)
            if age is _UNSEEN:
                age = ages[birth] = age_on(birth, on)
        else:
            age = age_on(birth, on)
        views.append(new(MemberView, (i, m.get("full_name") or f"Thành viên thứ {i + 1}", age, m)))
    ctx = Context(hh, views, explain)
    results: list[IndicatorResult] = []
    missing: list[tuple[str, str]] = []
    deprived = undetermined = 0
    for check, code, name, dimension in _checks(ruleset):
        status, reason, miss = check(ctx)
        results.append(new(IndicatorResult, (code, name, dimension, status, reason)))
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
        missing.insert(0, MEMBERS_MISSING)
    category = _category(income, n, line, band, deprived, undetermined, ruleset.poor_min_deprivations)
    ev = Evaluation(ruleset.code, on, area_type, category, per_person, line, band, n, deprived, undetermined,
                    results, list(dict.fromkeys(missing)) if missing else missing,
                    _income_reason(per_person, line, band, income, n, area_type) if explain else "")
    ev.warnings = _warnings(ruleset, on, category)
    if explain and category != UNDETERMINED:
        ev.warnings.extend(_decisive_warnings(ruleset, results, category, deprived, ev.deciding_unconfirmed))
    return ev


# Where a value's source is the decree's text or the government's own published summary of it,
# its figure is not in doubt; others (a secondary source, a local line awaiting its document,
# an assumption) are warned about when they decide a household's category.
SETTLED_SOURCES = ("decree_text", "official_summary")


def _source_kind(part: Mapping[str, Any] | None) -> str:
    source = (part or {}).get("source")
    return str(source.get("kind", "")) if isinstance(source, Mapping) else ""


def _decisive_warnings(ruleset: Ruleset, results: Sequence[IndicatorResult], category: str,
                       deprived: int, codes: list[str]) -> list[str]:
    """Warnings about unconfirmed parts of the ruleset that decided this household's category:
    an unconfirmed deprivation that made the household poor (named), one line when a household
    one deprivation short of poor has unconfirmed indicators found not deprived (below the line
    only: above it no indicator counts), and an income line whose figure is in doubt when
    the household is classified by it. Nothing about parts that did not matter. The deciding
    indicators' codes are added to ``codes`` (the screen marks their rows)."""
    out: list[str] = []
    lines = ruleset.definition.get("income_lines") or {}
    if (category in (POOR, NEAR_POOR, AVERAGE) and not lines.get("confirmed", True)
            and _source_kind(lines) not in SETTLED_SOURCES):
        out.append(f"Chuẩn thu nhập của bộ chuẩn {ruleset.code} chưa được xác nhận bằng văn bản "
                   "và đã quyết định kết quả này.")
    if category not in (POOR, NEAR_POOR):
        return out
    need = ruleset.poor_min_deprivations
    unconfirmed = [r for r in results if (d := ruleset.indicator(r.code)) is not None and not d.confirmed]
    if deprived == need:  # each unconfirmed deprivation made the household poor: name it
        for r in unconfirmed:
            if r.status == DEPRIVED:
                codes.append(r.code)
                out.append(f"Chỉ số '{r.name}' (thiếu hụt) chưa được xác nhận theo văn bản nghị định "
                           "và đã quyết định hộ nghèo.")
    elif deprived == need - 1:  # one more would make it poor: said once, not per indicator
        waiting = sum(1 for r in unconfirmed if r.status == NOT_DEPRIVED)
        if waiting:
            out.append(f"Hộ thiếu hụt {deprived} chỉ số: nếu một trong {waiting} chỉ số chưa được xác nhận "
                       "(đang không thiếu hụt) được xác nhận khác đi, hộ sẽ là hộ nghèo.")
    return out


_CHECKS: dict[int, tuple[tuple[Any, ...], tuple[tuple[Any, str, str, str], ...]]] = {}


def _checks(ruleset: Ruleset) -> tuple[tuple[Any, str, str, str], ...]:
    """(check, code, name, dimension) of each indicator, gathered once per ruleset (keyed by the
    indicators tuple, which the entry keeps alive so its id is not reused)."""
    indicators = ruleset.indicators
    entry = _CHECKS.get(id(indicators))
    if entry is None or entry[0] is not indicators:
        if len(_CHECKS) > 64:
            _CHECKS.clear()
        entry = (indicators, tuple((d.check, d.code, d.name, d.dimension) for d in indicators))
        _CHECKS[id(indicators)] = entry
    return entry[1]


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
    # Cut to as many decimals as it takes to tell it from the line and from the band.
    shown, exact = max((exact_quotient(int(income), n, limit, money=True)
                        for limit in (line, band) if limit is not None), key=lambda t: len(t[0]))
    head = f"Thu nhập bình quân {'' if exact else '≈ '}{shown} đồng/người/tháng"
    if int(income) <= line * n:
        return f"{head}, không vượt chuẩn nghèo {area} {format_vnd(line)} đồng"
    if band is not None and int(income) <= band * n:
        return f"{head}, trên chuẩn nghèo {format_vnd(line)} nhưng không quá mức sống trung bình {format_vnd(band)} đồng"
    return f"{head}, trên chuẩn nghèo {area} {format_vnd(line)} đồng"


def _band_confirmed(ruleset: Ruleset) -> bool:
    return bool((ruleset.definition.get("average_band") or {}).get("confirmed", True))


def _warning_texts(code: str, valid: bool, valid_from: Any, valid_to: Any,
                     band_confirmed: bool, on: date, category: str) -> tuple[str, ...]:
    out = []
    if not valid:
        end = format_date(valid_to) if valid_to else "nay"
        out.append(f"Ngày đánh giá {format_date(on)} nằm ngoài thời gian hiệu lực của bộ chuẩn {code} "
                   f"({format_date(valid_from)}–{end}).")
    if category == AVERAGE and not band_confirmed:
        out.append("Ngưỡng hộ có mức sống trung bình của bộ chuẩn này chưa được xác nhận (giá trị tạm).")
    return tuple(out)


_WARNINGS: dict[tuple[int, date, str], tuple[Ruleset, tuple[str, ...]]] = {}


def _warnings(ruleset: Ruleset, on: date, category: str) -> list[str]:
    """The warnings shown with an evaluation (validity, unconfirmed ruleset or band), built once
    per (ruleset, date, category): keyed by the ruleset object, which the entry keeps alive."""
    key = (id(ruleset), on, category)
    entry = _WARNINGS.get(key)
    if entry is None or entry[0] is not ruleset:
        if len(_WARNINGS) > 256:
            _WARNINGS.clear()
        entry = _WARNINGS[key] = (ruleset, _warning_texts(
            ruleset.code, ruleset.valid_on(on), ruleset.valid_from, ruleset.valid_to,
            _band_confirmed(ruleset), on, category))
    return list(entry[1])
