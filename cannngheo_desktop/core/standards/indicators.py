"""Indicator kinds: how a ruleset's indicator definitions are checked and computed.

The evaluator knows *kinds*, never particular indicators; ages, thresholds and value sets come
from the definition's ``params``. Each kind returns ``(status, reason, missing)`` where missing
is a list of ``(field path, Vietnamese label)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..errors import RulesetError
from ..model import HOUSEHOLD_FACT_FIELDS, LATRINES, WASTE_HANDLING, WATER_SOURCES
from ..text import format_vnd
from . import conditions as cnd

DEPRIVED, NOT_DEPRIVED, UNDETERMINED = "deprived", "not_deprived", "undetermined"
Missing = list[tuple[str, str]]
Outcome = tuple[str, str, Missing]
MEMBERS_MISSING = ("members", "Danh sách thành viên đang ở")

HOUSEHOLD_FIELD_LABELS = {
    "income_month": "Tổng thu nhập của hộ (đồng/tháng)",
    "floor_area_m2": "Diện tích nhà ở (m²)",
    "wall_durable": "Tường nhà có bền chắc không",
    "frame_durable": "Khung, cột nhà có bền chắc không",
    "roof_durable": "Mái nhà có bền chắc không",
    "water_source": "Nguồn nước sinh hoạt",
    "latrine": "Loại nhà vệ sinh",
    "devices": "Phương tiện tiếp cận thông tin",
    "uses_telecom": "Có sử dụng dịch vụ viễn thông không",
    "uses_digital_services": "Có sử dụng dịch vụ số không",
    "waste_handling": "Cách xử lý rác thải",
}
_PART_NAMES = {"wall_durable": "tường", "frame_durable": "khung/cột", "roof_durable": "mái"}
_VALUE_LABELS = {"water_source": WATER_SOURCES, "latrine": LATRINES, "waste_handling": WASTE_HANDLING}
_FLAG_TEXT = {
    "uses_telecom": "sử dụng dịch vụ viễn thông (điện thoại, internet)",
    "uses_digital_services": "sử dụng dịch vụ số (dịch vụ công trực tuyến, thanh toán điện tử…)",
}


class MemberView(NamedTuple):
    """A member as the indicators see it (a tuple: built 400,000 times in a bulk run)."""

    position: int  # in the household's member list (not "index": that would hide tuple.index)
    name: str
    age: int | None
    data: Mapping[str, Any]

    def label(self) -> str:
        if self.age is None:
            return f"{self.name}, chưa rõ tuổi"
        return f"{self.name}, {self.age} tuổi" if self.age >= 1 else f"{self.name}, dưới 1 tuổi"


@dataclass(slots=True)
class Context:
    household: Mapping[str, Any]
    members: Sequence[MemberView]
    # False: verdicts and missing facts only, reasons left "" (bulk runs that store verdicts;
    # the reasons are rebuilt from the saved inputs when someone looks).
    explain: bool = True


def _upper_first(text: str) -> str:
    """'thẻ BHYT' → 'Thẻ BHYT' (str.capitalize would lower the rest: 'Thẻ bhyt')."""
    return text[:1].upper() + text[1:]


def member_missing(mv: MemberView, field: str) -> tuple[str, str]:
    return (f"members[{mv.position}].{field}",
            f"{_upper_first(cnd.MEMBER_FIELD_LABELS.get(field, field))} của {mv.name}")


def household_missing(field: str) -> tuple[str, str]:
    return field, HOUSEHOLD_FIELD_LABELS.get(field, field)


def _bad(where: str, what: str) -> RulesetError:
    return RulesetError(f"Bộ chuẩn không hợp lệ: '{where}' {what}.")


def _need_field(params: Mapping[str, Any], where: str, key: str = "field") -> str:
    field = params.get(key)
    if field not in HOUSEHOLD_FACT_FIELDS:
        raise _bad(f"{where}.{key}", f"phải là thông tin của hộ ({', '.join(HOUSEHOLD_FACT_FIELDS)})")
    return field


def _need_values(params: Mapping[str, Any], where: str) -> list[Any]:
    values = params.get("values")
    if not isinstance(values, list) or not values:
        raise _bad(f"{where}.values", "phải là danh sách không rỗng")
    return values


def _need_number(params: Mapping[str, Any], where: str, key: str, *, lo: float = 0.0,
                 hi: float | None = None) -> float:
    value = params.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= lo or (
            hi is not None and value > hi):
        bound = f" và không quá {hi}" if hi is not None else ""
        raise _bad(f"{where}.{key}", f"phải là số lớn hơn {lo}{bound}")
    return float(value)


# --- member_any: at least one member matches one of the rules ------------------------------
def _member_any(params: Mapping[str, Any], where: str) -> Callable[[Context], Outcome]:
    rules = params.get("rules")
    if not isinstance(rules, list) or not rules:
        raise _bad(f"{where}.rules", "phải là danh sách quy tắc không rỗng")
    conds = []
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict) or "condition" not in rule:
            raise _bad(f"{where}.rules.{i}", "cần có 'condition'")
        extra = set(rule) - {"age_min", "age_below", "condition", "note"}
        if extra:
            raise _bad(f"{where}.rules.{i}", f"có khóa không biết {sorted(extra)}")
        cnd.validate_age_range(rule, f"{where}.rules.{i}")
        cnd.validate_condition(rule["condition"], f"{where}.rules.{i}.condition")
        age = {k: rule[k] for k in ("age_min", "age_below") if rule.get(k) is not None}
        conds.append({"all": [age, rule["condition"]]} if age else rule["condition"])
    whole = cnd.Condition({"any": conds})
    test = whole.test

    def run(ctx: Context) -> Outcome:
        if not ctx.members:  # nobody to check is not "nobody deprived": never guess
            return UNDETERMINED, "Hộ chưa có thành viên đang ở", [MEMBERS_MISSING]
        hits, unknown = [], []
        for mv in ctx.members:
            v = test(mv.data, mv.age)
            if v:
                hits.append(mv)
            elif v is None:
                unknown.append(mv)
        if hits:
            if not ctx.explain:
                return DEPRIVED, "", []
            parts = []
            for mv in hits:
                phrases: list[str] = []
                whole.explain(mv.data, mv.age, phrases, [])
                parts.append(", ".join([mv.label(), *dict.fromkeys(phrases)]))
            return DEPRIVED, "; ".join(parts), []
        if unknown:
            missing: Missing = []
            parts = []
            for mv in unknown:
                fields: list[str] = []
                whole.explain(mv.data, mv.age, [], fields)
                fields = list(dict.fromkeys(fields))
                missing.extend(member_missing(mv, f) for f in fields)
                parts.append(f"{mv.name}: chưa rõ {', '.join(cnd.MEMBER_FIELD_LABELS.get(f, f) for f in fields)}")
            return UNDETERMINED, "Chưa đủ thông tin — " + "; ".join(parts), missing
        return NOT_DEPRIVED, "Không có thành viên nào thuộc diện thiếu hụt", []
    return run


# --- member_ratio: share of members matching a condition above a maximum ---------------------
def _member_ratio(params: Mapping[str, Any], where: str) -> Callable[[Context], Outcome]:
    cnd.validate_condition(params.get("condition"), f"{where}.condition")
    max_share = _need_number(params, where, "max_share", hi=1.0)
    condition = cnd.Condition(params["condition"])
    test = condition.test

    def run(ctx: Context) -> Outcome:
        n = len(ctx.members)
        if n == 0:
            return UNDETERMINED, "Hộ chưa có thành viên đang ở", [MEMBERS_MISSING]
        yes, unknown = [], []
        for mv in ctx.members:
            v = test(mv.data, mv.age)
            if v:
                yes.append(mv)
            elif v is None:
                unknown.append(mv)
        if len(yes) > max_share * n:
            if not ctx.explain:
                return DEPRIVED, "", []
            names = ", ".join(mv.label() for mv in yes)  # only the deprived text names them
            return DEPRIVED, (f"{len(yes)}/{n} thành viên là người phụ thuộc ({names}), "
                              f"trên {_num(max_share * 100)}%"), []
        if len(yes) + len(unknown) <= max_share * n:
            if not ctx.explain:
                return NOT_DEPRIVED, "", []
            return NOT_DEPRIVED, f"{len(yes)}/{n} thành viên là người phụ thuộc, không quá {_num(max_share * 100)}%", []
        missing: Missing = []
        for mv in unknown:
            fields: list[str] = []
            condition.explain(mv.data, mv.age, [], fields)
            missing.extend(member_missing(mv, f) for f in dict.fromkeys(fields))
        return UNDETERMINED, (f"Chưa đủ thông tin: {len(yes)}/{n} chắc chắn là người phụ thuộc, "
                              f"chưa rõ {len(unknown)} người"), missing
    return run


# --- household_count: at least min_count of some household flags have a value ---------------
def _household_count(params: Mapping[str, Any], where: str) -> Callable[[Context], Outcome]:
    fields = params.get("fields")
    if not isinstance(fields, list) or not fields:
        raise _bad(f"{where}.fields", "phải là danh sách thông tin của hộ")
    for i, f in enumerate(fields):
        _need_field({"field": f}, f"{where}.fields.{i}")
    value = params.get("value")
    if not isinstance(value, bool):
        raise _bad(f"{where}.value", "phải là true hoặc false")
    min_count = params.get("min_count")
    if not isinstance(min_count, int) or isinstance(min_count, bool) or not 1 <= min_count <= len(fields):
        raise _bad(f"{where}.min_count", f"phải là số nguyên từ 1 đến {len(fields)}")

    def run(ctx: Context) -> Outcome:
        hh = ctx.household
        hit = [f for f in fields if hh.get(f) is not None and bool(hh.get(f)) == value]
        unknown = [f for f in fields if hh.get(f) is None]
        if not ctx.explain and (len(hit) >= min_count or len(hit) + len(unknown) < min_count):
            return (DEPRIVED if len(hit) >= min_count else NOT_DEPRIVED), "", []
        parts = ", ".join(_PART_NAMES.get(f, f) for f in hit) or "không có"
        if len(hit) >= min_count:
            return DEPRIVED, f"{len(hit)}/{len(fields)} bộ phận chính của nhà không bền chắc ({parts})", []
        if len(hit) + len(unknown) < min_count:
            return NOT_DEPRIVED, f"Nhà có {len(hit)}/{len(fields)} bộ phận không bền chắc ({parts})", []
        return (UNDETERMINED, "Chưa đủ thông tin về kết cấu nhà",
                [household_missing(f) for f in unknown])
    return run


# --- per_person_below: a household quantity divided by members under a minimum --------------
def _per_person_below(params: Mapping[str, Any], where: str) -> Callable[[Context], Outcome]:
    field = _need_field(params, where)
    minimum = _need_number(params, where, "min_per_person")

    def run(ctx: Context) -> Outcome:
        total, n = ctx.household.get(field), len(ctx.members)
        if total is None:
            return UNDETERMINED, "Chưa có diện tích nhà ở", [household_missing(field)]
        if n == 0:
            return UNDETERMINED, "Hộ chưa có thành viên đang ở", [MEMBERS_MISSING]
        if not ctx.explain:
            return (DEPRIVED if float(total) < minimum * n else NOT_DEPRIVED), "", []
        shown, exact = exact_quotient(total, n, minimum)
        text = f"Diện tích {_num(total)} m² cho {n} người {'=' if exact else '≈'} {shown} m²/người"
        if float(total) < minimum * n:
            return DEPRIVED, f"{text}, dưới {_num(minimum)} m²/người", []
        return NOT_DEPRIVED, f"{text}, không dưới {_num(minimum)} m²/người", []
    return run


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def exact_quotient(total: Any, n: int, threshold: float, *, money: bool = False) -> tuple[str, bool]:
    """``total / n`` written so that it never contradicts ``threshold``: cut (not rounded) to as
    many decimals as it takes for a quotient that differs from the threshold to print differently
    (7,99 for 63,95 m² / 8 people, never 8 beside "dưới 8"), and whether the text is exact.
    Money uses '.' thousands and ',' decimals (1.500.000,33)."""
    from decimal import ROUND_DOWN, Decimal

    exact = Decimal(str(total)) / Decimal(n)
    limit = Decimal(str(threshold))
    places = 0 if money else 2
    while True:
        cut = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
        if cut == exact or (cut != limit) == (exact != limit) or places >= 6:
            break
        places += 1
    whole, _, frac = f"{cut:f}".partition(".")
    frac = frac.rstrip("0")
    head = format_vnd(int(whole)) if money else whole
    return head + ("," + frac if frac else ""), cut == exact


# --- household_fact_in_set: a household value in (or not in) a set ---------------------------
def _fact_in_set(params: Mapping[str, Any], where: str) -> Callable[[Context], Outcome]:
    field = _need_field(params, where)
    values = frozenset(_need_values(params, where))
    when = params.get("deprived_when")
    if when not in ("in", "not_in"):
        raise _bad(f"{where}.deprived_when", "phải là 'in' hoặc 'not_in'")
    good_word = params.get("ok_label", "loại đạt yêu cầu")

    def run(ctx: Context) -> Outcome:
        value = ctx.household.get(field)
        if value is None:
            return UNDETERMINED, f"Chưa có thông tin: {HOUSEHOLD_FIELD_LABELS.get(field, field)}", [
                household_missing(field)]
        deprived = (value in values) == (when == "in")
        if not ctx.explain:
            return (DEPRIVED if deprived else NOT_DEPRIVED), "", []
        label = _VALUE_LABELS.get(field, {}).get(value, str(value))
        head = f"{HOUSEHOLD_FIELD_LABELS.get(field, field)}: {label}"
        return (DEPRIVED, f"{head} (không phải {good_word})", []) if deprived else (
            NOT_DEPRIVED, f"{head} (là {good_word})", [])
    return run


# --- household_flag: a yes/no household fact with the deprived answer ------------------------
def _flag(params: Mapping[str, Any], where: str) -> Callable[[Context], Outcome]:
    field = _need_field(params, where)
    when = params.get("deprived_when")
    if not isinstance(when, bool):
        raise _bad(f"{where}.deprived_when", "phải là true hoặc false")
    text = _FLAG_TEXT.get(field, HOUSEHOLD_FIELD_LABELS.get(field, field))

    def run(ctx: Context) -> Outcome:
        value = ctx.household.get(field)
        if value is None:
            return UNDETERMINED, f"Chưa rõ hộ có {text} không", [household_missing(field)]
        if not ctx.explain:
            return (DEPRIVED if bool(value) == when else NOT_DEPRIVED), "", []
        if bool(value) == when:
            return DEPRIVED, f"Không thành viên nào {text}" if not when else f"Hộ {text}", []
        return NOT_DEPRIVED, f"Có thành viên {text}" if not when else f"Hộ không {text}", []
    return run


# --- household_list_any: the household has none of the listed items --------------------------
def _list_any(params: Mapping[str, Any], where: str) -> Callable[[Context], Outcome]:
    from ..model import DEVICES

    field = _need_field(params, where)
    values = _need_values(params, where)

    def run(ctx: Context) -> Outcome:
        items = ctx.household.get(field)
        if items is None:
            return UNDETERMINED, "Chưa có thông tin về phương tiện tiếp cận thông tin", [household_missing(field)]
        have = [v for v in values if v in items]
        if not ctx.explain:
            return (NOT_DEPRIVED if have else DEPRIVED), "", []
        if have:
            return NOT_DEPRIVED, "Hộ có " + ", ".join(DEVICES.get(v, v).lower() for v in have), []
        wanted = ", ".join(DEVICES.get(v, v).lower() for v in values)
        return DEPRIVED, f"Hộ không có phương tiện nào trong số: {wanted}", []
    return run


KINDS: dict[str, Callable[[Mapping[str, Any], str], Callable[[Context], Outcome]]] = {
    "member_any": _member_any,
    "member_ratio": _member_ratio,
    "household_count": _household_count,
    "per_person_below": _per_person_below,
    "household_fact_in_set": _fact_in_set,
    "household_flag": _flag,
    "household_list_any": _list_any,
}


def build(kind: Any, params: Any, where: str) -> Callable[[Context], Outcome]:
    """Validate an indicator's parameters for its kind and return its compiled check."""
    if kind not in KINDS:
        raise _bad(f"{where}.kind", f"= '{kind}' không phải loại chỉ tiêu đã biết ({', '.join(KINDS)})")
    if not isinstance(params, dict):
        raise _bad(f"{where}.params", "phải là đối tượng JSON")
    return KINDS[kind](params, f"{where}.params")


def format_money(amount: float | None) -> str:
    return "chưa rõ" if amount is None else f"{format_vnd(amount)} đồng"
