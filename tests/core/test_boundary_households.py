"""The boundary table (tests/core/boundary_households.json): households just under, at and just
over every threshold of both national rulesets, with the category and verdicts the decree's rule
gives, written by hand (issue 19.4). The evaluator must agree with every one of them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from test_standards_helpers import adult, born, child, ruleset

from cannngheo_desktop.core.standards import evaluate

TABLE = json.loads((Path(__file__).with_name("boundary_households.json")).read_text(encoding="utf-8"))
CASES = TABLE["cases"]
THRESHOLDS = ("under-line", "at-line", "just-over-line")


def member(spec: dict[str, Any], on: date, i: int) -> dict[str, Any]:
    facts = {k: v for k, v in spec.items() if k not in ("base", "age", "days_before_birthday")}
    make = adult if spec["base"] == "adult" else child
    m = make(f"Thành viên {i + 1}", spec["age"], **facts)
    m["birth_date"] = born(spec["age"], spec.get("days_before_birthday", 0), on)
    return m


def test_the_table_covers_every_threshold_of_both_rulesets() -> None:
    assert len(CASES) >= 40
    assert len({c["id"] for c in CASES}) == len(CASES)
    for code in ("VN-2022", "VN-2027"):
        ids = {c["id"].split("/", 1)[1] for c in CASES if c["ruleset"] == code}
        for area in ("rural", "urban"):
            assert {f"{area}-{t}" for t in THRESHOLDS} <= ids
        # every indicator of the ruleset is crossed by at least one case each way
        for d in ruleset(code).indicators:
            seen = {c["expected"].get("indicators", {}).get(d.code) for c in CASES if c["ruleset"] == code}
            assert "deprived" in seen, (code, d.code)
            if d.code not in ("telecom", "digital_services"):  # yes/no facts: the other side is the base case
                assert "not_deprived" in seen, (code, d.code)
    assert all(c["clause"] and c["why"] for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_boundary_household(case: dict[str, Any]) -> None:
    on = date.fromisoformat(case["on"])
    members = [member(m, on, i) for i, m in enumerate(case["members"])]
    household = {"income_month": case["income_month"], "floor_area_m2": 100.0, "wall_durable": True,
                 "frame_durable": True, "roof_durable": True, "water_source": "piped", "latrine": "septic",
                 "devices": ["tv"], "uses_telecom": True, "uses_digital_services": True,
                 "waste_handling": "collected", **case["household"]}
    ev = evaluate(household, members, ruleset(case["ruleset"]), on, case["area"])
    want = case["expected"]
    where = f"{case['id']} ({case['clause']}: {case['why']})"
    if "category" in want:
        assert ev.category == want["category"], where
    for bad in want.get("category_not_in", []):
        assert ev.category != bad, where
    if "deprivation_count" in want:
        assert ev.deprivation_count == want["deprivation_count"], where
    for code, status in want.get("indicators", {}).items():
        result = ev.indicator(code)
        assert result is not None and result.status == status, (where, result)
