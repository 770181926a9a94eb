"""Property tests: monotonic in income and deprivations, independent of member order."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from test_standards_helpers import ON, ruleset

from cannngheo_desktop.core.model import (
    AVERAGE,
    EDUCATION_LEVELS,
    EMPLOYMENT,
    LATRINES,
    NEAR_POOR,
    NOT_POOR,
    POOR,
    UNDETERMINED,
    WASTE_HANDLING,
    WATER_SOURCES,
)
from cannngheo_desktop.core.standards import evaluate

RANK = {NOT_POOR: 0, AVERAGE: 1, NEAR_POOR: 2, POOR: 3}
CODES = ("VN-2022", "VN-2027", "HN-2022")

tri = st.sampled_from([True, False, None])
member = st.fixed_dictionaries({
    "full_name": st.sampled_from(["An", "Bình", "Chi", "Dũng", "Hoa", "Lan"]),
    "birth_date": st.one_of(st.none(), st.dates(date(1930, 1, 1), ON).map(date.isoformat)),
    "able_to_work": tri, "employment": st.sampled_from([None, *EMPLOYMENT]),
    "has_health_insurance": tri, "education_level": st.sampled_from([None, *EDUCATION_LEVELS]),
    "in_school": tri, "malnourished": tri, "disabled": tri,
    "status": st.sampled_from(["present", "present", "present", "died", "left"]),
})
household = st.fixed_dictionaries({
    "floor_area_m2": st.one_of(st.none(), st.floats(0, 200, allow_nan=False)),
    "wall_durable": tri, "frame_durable": tri, "roof_durable": tri,
    "water_source": st.sampled_from([None, *WATER_SOURCES]), "latrine": st.sampled_from([None, *LATRINES]),
    "devices": st.one_of(st.none(), st.lists(st.sampled_from(["tv", "radio", "phone", "fridge"]), max_size=3)),
    "uses_telecom": tri, "uses_digital_services": tri,
    "waste_handling": st.sampled_from([None, *WASTE_HANDLING]),
})
members = st.lists(member, min_size=0, max_size=7)


NEAR_LINES = [0, 1_000_000, 1_500_000, 1_500_001, 2_000_000, 2_200_000, 2_250_000, 2_800_000, 3_000_000,
              4_000_000]
RAISES = st.one_of(st.sampled_from([1, 100_000, 500_000, 800_000, 1_500_000]), st.integers(1, 3_000_000))


@st.composite
def setup(draw):
    """(household, members, ruleset code, area); income drawn per person near the lines."""
    hh, ms = draw(household), draw(members)
    present = sum(m["status"] == "present" for m in ms)
    per_person = draw(st.one_of(st.none(), st.sampled_from(NEAR_LINES), st.integers(0, 5_000_000)))
    hh["income_month"] = None if per_person is None else per_person * max(present, 1)
    return hh, ms, draw(st.sampled_from(CODES)), draw(st.sampled_from(["rural", "urban"]))

# One fact change per indicator that can only add a deprivation (or keep it).
WORSEN = [
    ("water_source", "surface"), ("latrine", "none"), ("uses_telecom", False), ("devices", []),
    ("uses_digital_services", False), ("waste_handling", "dumped"), ("floor_area_m2", 0.0),
]


def _ranks(ev) -> tuple[int, int]:
    """How poor a result is, as an interval: undetermined below the line is near-poor or poor;
    undetermined without income (or members) could be anything."""
    if ev.category != UNDETERMINED:
        return RANK[ev.category], RANK[ev.category]
    known = ev.income_per_person is not None
    return (RANK[NEAR_POOR] if known else 0), RANK[POOR]


def not_better(before, after) -> bool:
    """``after`` may be at least as poor as ``before`` (never definitely less poor)."""
    return _ranks(after)[1] >= _ranks(before)[0]


@settings(max_examples=300, deadline=None)
@given(setup(), RAISES)
def test_raising_income_never_makes_a_household_poorer(data, raise_by):
    hh, ms, code, area = data
    rs = ruleset(code)
    before = evaluate(hh, ms, rs, ON, area)
    if hh["income_month"] is None:
        return
    richer = {**hh, "income_month": hh["income_month"] + raise_by * max(before.member_count, 1)}
    after = evaluate(richer, ms, rs, ON, area)
    assert not_better(after, before)
    assert after.deprivation_count == before.deprivation_count


@settings(max_examples=300, deadline=None)
@given(setup(), st.sampled_from(WORSEN))
def test_adding_a_deprivation_never_makes_a_household_less_poor(data, change):
    hh, ms, code, area = data
    rs = ruleset(code)
    before = evaluate(hh, ms, rs, ON, area)
    after = evaluate({**hh, change[0]: change[1]}, ms, rs, ON, area)
    assert after.deprivation_count >= before.deprivation_count
    assert not_better(before, after)


@settings(max_examples=300, deadline=None)
@given(setup(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_member_order(data, rnd):
    hh, ms, code, area = data
    shuffled = list(ms)
    rnd.shuffle(shuffled)
    a = evaluate(hh, ms, ruleset(code), ON, area)
    b = evaluate(hh, shuffled, ruleset(code), ON, area)
    assert (a.category, a.deprivation_count, a.undetermined_count, a.income_per_person) == (
        b.category, b.deprivation_count, b.undetermined_count, b.income_per_person)
    assert [r.status for r in a.indicators] == [r.status for r in b.indicators]


@settings(max_examples=300, deadline=None)
@given(setup())
def test_near_poor_only_when_no_unknown_could_make_it_poor(data):
    hh, ms, code, area = data
    ev = evaluate(hh, ms, ruleset(code), ON, area)
    if ev.category == NEAR_POOR:
        assert ev.deprivation_count + ev.undetermined_count < ruleset(code).poor_min_deprivations
    if ev.undetermined_count == 0 and hh["income_month"] is not None and ev.member_count:
        assert ev.category != UNDETERMINED
    if ev.category == UNDETERMINED:
        assert ev.missing
