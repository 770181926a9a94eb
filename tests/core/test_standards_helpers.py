"""Builders for evaluator tests: a household that is deprived on nothing, and members of exact ages."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from cannngheo_desktop.core.standards import Ruleset, load_definition_file, parse_ruleset

ON = date(2026, 6, 15)
STANDARDS = Path(__file__).resolve().parents[2] / "resources" / "standards"


@cache
def ruleset(code: str) -> Ruleset:
    return parse_ruleset(load_definition_file(STANDARDS / f"{code}.json"))


def born(years: int, days_before_birthday: int = 0, on: date = ON) -> str:
    """Birth date of someone exactly ``years`` old on ``on`` (birthday today), or that many days
    before their ``years``-th birthday when ``days_before_birthday`` > 0."""
    birthday = on.replace(year=on.year - years)
    return (birthday + timedelta(days=days_before_birthday)).isoformat()


def adult(name: str = "Trần Văn Bình", age: int = 34, **facts: Any) -> dict[str, Any]:
    m = {"full_name": name, "birth_date": born(age), "relation": "head", "able_to_work": True,
         "employment": "contract", "has_health_insurance": True, "education_level": "upper_secondary",
         "in_school": False, "malnourished": False, "disabled": False, "status": "present"}
    m.update(facts)
    return m


def child(name: str = "Trần Minh An", age: int = 10, **facts: Any) -> dict[str, Any]:
    m = adult(name, age, relation="child", able_to_work=False, employment="student", in_school=True,
              education_level="primary")
    m.update(facts)
    return m


def household(income_per_person: int = 1_000_000, n: int = 2, **facts: Any) -> dict[str, Any]:
    h = {"income_month": income_per_person * n, "floor_area_m2": 100.0, "wall_durable": True,
         "frame_durable": True, "roof_durable": True, "water_source": "piped", "latrine": "septic",
         "devices": ["tv"], "uses_telecom": True, "uses_digital_services": True, "waste_handling": "collected"}
    h.update(facts)
    return h


def two_adults(**facts: Any) -> list[dict[str, Any]]:
    return [adult(**facts), adult("Nguyễn Thị Lan", 32, relation="spouse")]
