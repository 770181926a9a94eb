"""Comparing two rulesets on the same households: who moves from which category to which, and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..model import CATEGORY_LABELS
from ..text import format_vnd
from .evaluator import Evaluation
from .indicators import DEPRIVED, NOT_DEPRIVED

STATUS_WORDS = {DEPRIVED: "thiếu hụt", NOT_DEPRIVED: "không thiếu hụt", "undetermined": "chưa đủ thông tin"}


@dataclass
class ChangedHousehold:
    household_id: str
    household_code: str
    head_name: str
    village: str
    category_a: str
    category_b: str
    reasons: list[str]
    unit_code: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"household_id": self.household_id, "household_code": self.household_code,
                "head_name": self.head_name, "village": self.village, "category_a": self.category_a,
                "category_b": self.category_b, "reasons": self.reasons,
                "unit_code": self.unit_code}


@dataclass
class Comparison:
    code_a: str
    code_b: str
    on: date
    total: int = 0
    transitions: Counter = field(default_factory=Counter)  # (cat_a, cat_b) -> count
    changed: list[ChangedHousehold] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (household, why it was not evaluated)

    def add(self, household: dict[str, Any], ev_a: Evaluation, ev_b: Evaluation) -> None:
        """Count one household and keep it (with the reasons) when its category changes."""
        self.total += 1
        self.transitions[(ev_a.category, ev_b.category)] += 1
        if ev_a.category != ev_b.category:
            self.changed.append(ChangedHousehold(
                str(household.get("id") or ""), household.get("household_code") or "",
                household.get("head_name") or "", household.get("village") or "",
                ev_a.category, ev_b.category, explain_change(ev_a, ev_b), household.get("unit_code") or ""))

    def counts_a(self) -> Counter:
        out: Counter = Counter()
        for (a, _b), n in self.transitions.items():
            out[a] += n
        return out

    def counts_b(self) -> Counter:
        out: Counter = Counter()
        for (_a, b), n in self.transitions.items():
            out[b] += n
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "ruleset_a": self.code_a, "ruleset_b": self.code_b, "date": self.on.isoformat(),
            "total": self.total,
            "transitions": [{"from": a, "to": b, "count": n}
                            for (a, b), n in sorted(self.transitions.items())],
            "changed": [c.to_dict() for c in self.changed],
            "skipped": [{"household": h, "message": m} for h, m in self.skipped],
        }


def explain_change(ev_a: Evaluation, ev_b: Evaluation) -> list[str]:
    """Vietnamese lines saying what made the difference: income line and indicators."""
    lines = []
    if ev_a.income_line != ev_b.income_line or ev_a.average_limit != ev_b.average_limit:
        income = "chưa rõ" if ev_a.income_per_person is None else f"{format_vnd(ev_a.income_per_person)} đồng"
        lines.append(
            f"Thu nhập bình quân {income}/người/tháng; chuẩn nghèo {format_vnd(ev_a.income_line)} "
            f"đồng ({ev_a.ruleset_code}) → {format_vnd(ev_b.income_line)} đồng ({ev_b.ruleset_code})")
    by_code_b = {r.code: r for r in ev_b.indicators}
    by_code_a = {r.code: r for r in ev_a.indicators}
    for r in ev_a.indicators:
        other = by_code_b.get(r.code)
        if other is None:
            if r.status != NOT_DEPRIVED:
                lines.append(f"Bỏ chỉ tiêu '{r.name}' ({STATUS_WORDS[r.status]} theo {ev_a.ruleset_code})")
        elif other.status != r.status:
            lines.append(f"'{r.name}': {STATUS_WORDS[r.status]} → {STATUS_WORDS[other.status]} — {other.reason}")
    for r in ev_b.indicators:
        if r.code not in by_code_a and r.status != NOT_DEPRIVED:
            lines.append(f"Thêm chỉ tiêu '{r.name}': {STATUS_WORDS[r.status]} — {r.reason}")
    lines.append(f"Số chỉ tiêu thiếu hụt: {ev_a.deprivation_count} → {ev_b.deprivation_count}; "
                 f"{CATEGORY_LABELS[ev_a.category]} → {CATEGORY_LABELS[ev_b.category]}")
    return lines
