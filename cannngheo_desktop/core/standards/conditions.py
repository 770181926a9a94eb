"""Member conditions in ruleset definitions: a tiny, validated, three-valued language.

A condition is a JSON object with exactly one form:

* ``{"field": F, "equals": V}`` — member fact F equals V (booleans may be stored as 0/1);
* ``{"field": F, "in": [V, ...]}`` — member fact F is one of the values;
* ``{"age_min": A, "age_below": B}`` — age in whole years at the assessment date, A ≤ age < B
  (either bound may be omitted or null);
* ``{"all": [C, ...]}``, ``{"any": [C, ...]}``, ``{"not": C}``.

Evaluation is Kleene logic: True, False or None (unknown — a fact is missing). Unknown never
becomes False: the evaluator turns it into an *undetermined* indicator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import RulesetError
from ..model import EDUCATION_LEVELS, EMPLOYMENT, MEMBER_FACT_FIELDS, RELATIONS

Tri = bool | None
Compiled = Callable[[Mapping[str, Any], int | None], Tri]

MEMBER_FIELD_LABELS = {
    "full_name": "họ tên",
    "birth_date": "ngày sinh",
    "relation": "quan hệ với chủ hộ",
    "able_to_work": "khả năng lao động",
    "employment": "tình trạng việc làm",
    "has_health_insurance": "thẻ BHYT",
    "education_level": "trình độ học vấn",
    "in_school": "tình trạng đi học",
    "malnourished": "tình trạng suy dinh dưỡng",
    "disabled": "tình trạng khuyết tật",
    "status": "tình trạng cư trú",
}
_BOOL_PHRASES = {
    ("has_health_insurance", False): "chưa có thẻ BHYT",
    ("has_health_insurance", True): "có thẻ BHYT",
    ("in_school", False): "không đi học",
    ("in_school", True): "đang đi học",
    ("malnourished", True): "suy dinh dưỡng (thấp còi hoặc nhẹ cân)",
    ("malnourished", False): "không suy dinh dưỡng",
    ("disabled", True): "khuyết tật",
    ("disabled", False): "không khuyết tật",
    ("able_to_work", True): "có khả năng lao động",
    ("able_to_work", False): "không có khả năng lao động",
}
_VALUE_LABELS = {"education_level": EDUCATION_LEVELS, "employment": EMPLOYMENT, "relation": RELATIONS}


def validate_condition(cond: Any, where: str) -> None:
    """Raise RulesetError naming ``where`` (the field path) when ``cond`` is malformed."""
    if not isinstance(cond, dict) or not cond:
        raise RulesetError(f"Bộ chuẩn không hợp lệ: '{where}' phải là một điều kiện (đối tượng JSON).")
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        items = cond[key]
        if set(cond) != {key} or not isinstance(items, list) or not items:
            raise RulesetError(f"Bộ chuẩn không hợp lệ: '{where}.{key}' phải là danh sách điều kiện không rỗng.")
        for i, item in enumerate(items):
            validate_condition(item, f"{where}.{key}.{i}")
    elif "not" in cond:
        if set(cond) != {"not"}:
            raise RulesetError(f"Bộ chuẩn không hợp lệ: '{where}' có khóa thừa bên cạnh 'not'.")
        validate_condition(cond["not"], f"{where}.not")
    elif "field" in cond:
        field = cond["field"]
        if field not in MEMBER_FACT_FIELDS:
            raise RulesetError(f"Bộ chuẩn không hợp lệ: '{where}.field' = '{field}' không phải thông tin thành viên.")
        ops = set(cond) - {"field"}
        if ops == {"equals"}:
            return
        if ops == {"in"} and isinstance(cond["in"], list) and cond["in"]:
            return
        raise RulesetError(f"Bộ chuẩn không hợp lệ: '{where}' cần đúng một phép so sánh 'equals' hoặc 'in' (danh sách).")
    elif set(cond) <= {"age_min", "age_below"}:
        validate_age_range(cond, where)
    else:
        raise RulesetError(f"Bộ chuẩn không hợp lệ: '{where}' có dạng điều kiện không biết: {sorted(cond)}.")


def validate_age_range(obj: Mapping[str, Any], where: str) -> None:
    lo, hi = obj.get("age_min"), obj.get("age_below")
    for name, value in (("age_min", lo), ("age_below", hi)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise RulesetError(f"Bộ chuẩn không hợp lệ: '{where}.{name}' phải là số tuổi không âm.")
    if lo is not None and hi is not None and hi <= lo:
        raise RulesetError(f"Bộ chuẩn không hợp lệ: '{where}.age_below' phải lớn hơn age_min.")


def _kleene_all(parts: list[Compiled]) -> Compiled:
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts

        def run2(m: Mapping[str, Any], age: int | None) -> Tri:
            a = first(m, age)
            if a is False:
                return False
            b = second(m, age)
            if b is False:
                return False
            return None if a is None or b is None else True
        return run2

    def run(m: Mapping[str, Any], age: int | None) -> Tri:
        unknown = False
        for p in parts:
            v = p(m, age)
            if v is False:
                return False
            if v is None:
                unknown = True
        return None if unknown else True
    return run


def _kleene_any(parts: list[Compiled]) -> Compiled:
    if len(parts) == 1:
        return parts[0]

    def run(m: Mapping[str, Any], age: int | None) -> Tri:
        unknown = False
        for p in parts:
            v = p(m, age)
            if v is True:
                return True
            if v is None:
                unknown = True
        return None if unknown else False
    return run


class Condition:
    """A validated condition compiled once: ``test(member, age)`` is the fast three-valued check,
    ``explain`` says why (only called for the few members that matter)."""

    __slots__ = ("spec", "test", "children", "age_first")

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.test: Compiled
        key = "all" if "all" in spec else "any" if "any" in spec else "not" if "not" in spec else None
        self.children = ([Condition(c) for c in spec[key]] if key in ("all", "any")
                         else [Condition(spec["not"])] if key == "not" else [])
        self.age_first = key == "all" and len(self.children) == 2 and _is_age_range(self.children[0].spec)
        if self.age_first:
            # Rules read "age A–B and <condition>": test the age inline, the condition only when needed.
            self.test = _age_and(self.children[0].spec, self.children[1].test)
        elif key == "all":
            self.test = _kleene_all([c.test for c in self.children])
        elif key == "any":
            self.test = _kleene_any([c.test for c in self.children])
        elif key == "not":
            inner = self.children[0].test
            self.test = lambda m, age: None if (v := inner(m, age)) is None else not v
        else:
            self.test = _leaf(spec)

    def explain(self, m: Mapping[str, Any], age: int | None, phrases: list[str], unknown: list[str]) -> None:
        """Collect the phrases of the facts that hold (for a deprived member) and the names of
        the facts that are missing (for an undetermined one)."""
        spec = self.spec
        if self.age_first and age is not None:
            # A known age adds no phrase and no missing fact: only the condition part can.
            if self.test(m, age) is not False:
                self.children[1].explain(m, age, phrases, unknown)
            return
        if "all" in spec or "any" in spec:
            whole = self.test(m, age)
            for c in self.children:
                # The children that decide the whole: true ones when it holds, unknown ones when unknown.
                if whole is not False and c.test(m, age) is whole:
                    c.explain(m, age, phrases, unknown)
            return
        if "not" in spec:
            self.children[0].explain(m, age, [], unknown)
            return
        value = self.test(m, age)
        if "field" in spec:
            if value is None:
                unknown.append(spec["field"])
            elif value:
                phrases.append(fact_phrase(spec["field"], m.get(spec["field"])))
        elif value is None:
            unknown.append("birth_date")


def _is_age_range(spec: Mapping[str, Any]) -> bool:
    return bool(spec) and set(spec) <= {"age_min", "age_below"}


def _age_and(age_spec: Mapping[str, Any], second: Compiled) -> Compiled:
    """Kleene ``age in [lo, hi) AND second`` with the age compared inline."""
    lo = age_spec.get("age_min")
    hi = age_spec.get("age_below")
    lo_f = float("-inf") if lo is None else lo
    hi_f = float("inf") if hi is None else hi

    def run(m: Mapping[str, Any], age: int | None) -> Tri:
        if age is None:
            return False if second(m, age) is False else None
        if lo_f <= age < hi_f:
            return second(m, age)
        return False
    return run


def _leaf(cond: Mapping[str, Any]) -> Compiled:
    if "field" in cond:
        field = cond["field"]
        if "equals" in cond:
            target = cond["equals"]
            if isinstance(target, bool):
                return lambda m, age: None if (v := m.get(field)) is None else bool(v) == target
            return lambda m, age: None if (v := m.get(field)) is None else v == target
        values = frozenset(cond["in"])
        return lambda m, age: None if (v := m.get(field)) is None else v in values
    return age_test(cond.get("age_min"), cond.get("age_below"))


def compile_condition(cond: Mapping[str, Any]) -> Compiled:
    """A fast closure ``(member, age) -> True/False/None`` for a validated condition."""
    return Condition(cond).test


def age_test(lo: float | None, hi: float | None) -> Compiled:
    if lo is not None and hi is not None:
        return lambda m, age: None if age is None else lo <= age < hi
    if lo is not None:
        return lambda m, age: None if age is None else age >= lo
    if hi is not None:
        return lambda m, age: None if age is None else age < hi
    return lambda m, age: None if age is None else True


def explain(cond: Mapping[str, Any], m: Mapping[str, Any], age: int | None,
            phrases: list[str], unknown: list[str]) -> None:
    """One-off explanation of a condition (compiles it; use Condition.explain in loops)."""
    Condition(cond).explain(m, age, phrases, unknown)


def fact_phrase(field: str, value: Any) -> str:
    """'chưa có thẻ BHYT', 'trình độ Tiểu học'… — one member fact in words."""
    if isinstance(value, (bool, int)) and (field, bool(value)) in _BOOL_PHRASES:
        return _BOOL_PHRASES[(field, bool(value))]
    labels = _VALUE_LABELS.get(field, {})
    text = labels.get(value, str(value))
    if field == "education_level":
        return f"trình độ {text}"
    if field == "employment":
        return text[:1].lower() + text[1:]
    return f"{MEMBER_FIELD_LABELS.get(field, field)}: {text}"


def condition_fields(cond: Mapping[str, Any]) -> set[str]:
    """Member facts a condition reads (``birth_date`` for age tests)."""
    if "all" in cond or "any" in cond:
        out: set[str] = set()
        for c in cond["all"] if "all" in cond else cond["any"]:
            out |= condition_fields(c)
        return out
    if "not" in cond:
        return condition_fields(cond["not"])
    return {cond["field"]} if "field" in cond else {"birth_date"}
