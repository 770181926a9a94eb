"""Objective measures on the known-answer registry of conftest.py."""

from __future__ import annotations

from datetime import date

import pytest

from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.plan import objectives as obj
from cannngheo_desktop.plan import tracker_queries
from cannngheo_desktop.storage import repo

ON = date(2023, 6, 30)


def _by_code(store, plan_id, on=ON):
    return {m.code: m for m in tracker_queries.measure_objectives(store, plan_id, on)}


def test_every_catalogue_fact_has_known_answer(registry):
    store, plan_id = registry
    got = _by_code(store, plan_id)
    expected = {  # code: (value, numerator, denominator, unknown, target, status)
        "poor_households": (1, 1, None, 0, 0, obj.NOT_MET),
        "near_poor_vs_target": (4, 4, None, 0, 7, obj.MET),
        "to_zero_units": (1, 1, 1, 0, 1, obj.MET),
        "merit_near_poor": (1, 1, 4, 0, 0, obj.NOT_MET),
        "health_insurance_members": (88.89, 8, 9, 1, 100, obj.NOT_MET),
        "children_in_school": (50.0, 1, 2, 1, 100, obj.NOT_MET),
        "safe_water": (66.67, 2, 3, 1, 100, obj.NOT_MET),
        "hygienic_latrine": (66.67, 2, 3, 1, 100, obj.NOT_MET),
        "information_device": (66.67, 2, 3, 1, 100, obj.NOT_MET),
        "housing_difficulty": (2, 2, 3, 1, 0, obj.NOT_MET),
        "job_support": (50.0, 1, 2, 1, 100, obj.NOT_MET),
        "job_placed": (50.0, 1, 2, 1, 30, obj.MET),
    }
    assert set(got) == set(obj.CATALOGUE)
    for code, (value, num, den, unknown, target, status) in expected.items():
        m = got[code]
        assert (m.value, m.numerator, m.denominator, m.unknown, m.target, m.status) == (
            value, num, den, unknown, target, status), code


def test_school_age_window_follows_the_measurement_date(registry):
    store, plan_id = registry
    # One day earlier the child born 30/06/2020 is not yet 3 and the one born 30/06/2007 is still 15.
    m = _by_code(store, plan_id, date(2023, 6, 29))["children_in_school"]
    assert (m.numerator, m.denominator, m.unknown) == (1, 3, 0)


def test_safe_water_set_comes_from_the_ruleset_when_present(registry):
    store, plan_id = registry
    definition = {"indicators": [
        {"code": "drinking_water", "kind": "household_fact_in_set",
         "params": {"field": "water_source", "deprived_when": "not_in", "values": ["piped", "drilled_well"]}},
        {"code": "latrine", "kind": "household_fact_in_set",
         "params": {"field": "latrine", "deprived_when": "in", "values": ["simple_pit", "none", "pour_flush"]}},
    ]}
    repo.insert(store, "rulesets", {"code": "TEST", "name": "Thử", "valid_from": "2022-01-01",
                                    "valid_to": "2025-12-31", "definition": definition, "unit_code": "01"})
    got = _by_code(store, plan_id)
    assert (got["safe_water"].numerator, got["safe_water"].denominator) == (1, 3)  # rain no longer safe
    assert (got["hygienic_latrine"].numerator, got["hygienic_latrine"].denominator) == (1, 3)
    # Outside the ruleset's validity the fallback applies again.
    assert _by_code(store, plan_id, date(2026, 6, 30))["safe_water"].numerator == 2


def test_stored_objectives_use_their_own_targets_and_order(registry):
    store, plan_id = registry
    repo.insert_many(store, "plan_objectives", [
        {"unit_code": "01", "plan_id": plan_id, "kind": "job_placed", "label": "Việc làm",
         "target_value": 60, "comparison": ">=", "sort_order": 1},
        {"unit_code": "01", "plan_id": plan_id, "kind": "poor_households", "label": "Hộ nghèo",
         "target_value": 1, "comparison": "<=", "measure_unit": "hộ", "sort_order": 2},
        {"unit_code": "01", "plan_id": plan_id, "kind": "from_the_future", "label": "Chỉ tiêu lạ",
         "sort_order": 3},
        # Saved with the generic defaults (">=", "%"): "0 poor households" must still mean at most 0.
        {"unit_code": "01", "plan_id": plan_id, "kind": "poor_households", "label": "Không còn hộ nghèo",
         "target_value": 0, "comparison": ">=", "measure_unit": "%", "sort_order": 4},
    ])
    got = tracker_queries.measure_objectives(store, plan_id, ON)
    assert [m.label for m in got] == ["Việc làm", "Hộ nghèo", "Chỉ tiêu lạ", "Không còn hộ nghèo"]
    assert (got[0].target, got[0].status) == (60, obj.NOT_MET)
    assert (got[1].target, got[1].status) == (1, obj.MET)
    assert got[2].status == obj.UNKNOWN_FACT and got[2].value is None
    assert (got[3].comparison, got[3].status) == (obj.AT_MOST, obj.NOT_MET)


def test_status_rules_and_percent():
    assert obj.status_of(0, 0, obj.AT_MOST) == obj.MET
    assert obj.status_of(1, 0, obj.AT_MOST) == obj.NOT_MET
    assert obj.status_of(100, 100, obj.AT_LEAST) == obj.MET
    assert obj.status_of(99.99, 100, obj.AT_LEAST) == obj.NOT_MET
    assert obj.status_of(None, 100, obj.AT_LEAST) == obj.NO_DATA
    assert obj.percent(1, 3) == 33.33 and obj.percent(0, 0) is None
    # A percent objective with nothing known has no value, not 0 %.
    m = obj.measure(obj.CATALOGUE["safe_water"], obj.Counts(0, 0, 5))
    assert (m.value, m.unknown, m.status) == (None, 5, obj.NO_DATA)


def test_unknown_fact_code_refused_with_the_list():
    with pytest.raises(ValidationError) as err:
        obj.require_fact("nuoc_sach")
    assert "safe_water" in err.value.message and err.value.field == "kind"
    assert obj.require_fact("safe_water").target == 100


def test_age_window_on_29_february():
    assert obj.age_window(date(2024, 2, 29)) == ("2008-02-29", "2021-02-28")  # 2008 was a leap year
