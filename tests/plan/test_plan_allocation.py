"""The allocation helper: sums to the target, honours "to zero" units, never exceeds a baseline."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cannngheo_desktop.plan import allocate, rate_percent

APPENDIX = {"00679": 62, "00685": 5, "00670": 11, "00652": 59, "00682": 34, "00673": 56, "00667": 35,
            "00655": 25, "00646": 5, "00643": 6, "00649": 89, "00658": 3, "00640": 2, "00676": 57,
            "00664": 39, "00661": 17}


def test_appendix_proposal_sums_to_75_and_zeroes_the_two_units() -> None:
    result = allocate(75, APPENDIX, {"00658", "00640"})
    assert sum(result.values()) == 75
    assert result["00658"] == 3 and result["00640"] == 2
    # 70 spread over 500 households: Tả Thanh Oai's quota is 12.46 → 12 or 13, Đông Mỹ's 0.7 → 0 or 1.
    assert result["00649"] in (12, 13)
    assert all(0 <= result[u] <= APPENDIX[u] for u in APPENDIX)


def test_largest_remainder_gets_the_leftover() -> None:
    # quotas 10 * (5, 3, 2) / 10 are exact; 7 * (5, 3, 2) / 10 = 3.5, 2.1, 1.4 → 4, 2, 1.
    assert allocate(7, {"a": 5, "b": 3, "c": 2}, set()) == {"a": 4, "b": 2, "c": 1}


@pytest.mark.parametrize(("target", "baselines", "to_zero", "words"), [
    (4, {"a": 5, "b": 3}, {"a"}, "phấn đấu về 0"),
    (9, {"a": 5, "b": 3}, set(), "lớn hơn tổng"),
    (-1, {"a": 5}, set(), "không được âm"),
    (1, {"a": 5}, {"x"}, "không có trong kế hoạch"),
])
def test_impossible_targets_raise_a_vietnamese_message(target, baselines, to_zero, words) -> None:
    with pytest.raises(ValueError, match=words):
        allocate(target, baselines, to_zero)


@st.composite
def plans(draw):
    baselines = draw(st.dictionaries(st.text("abcdefgh", min_size=1, max_size=3),
                                     st.integers(0, 200), min_size=1, max_size=20))
    to_zero = draw(st.sets(st.sampled_from(sorted(baselines)), max_size=len(baselines)))
    need = sum(baselines[u] for u in to_zero)
    target = draw(st.integers(need, sum(baselines.values())))
    return target, baselines, to_zero


@settings(max_examples=300, deadline=None)
@given(plans())
def test_allocation_properties(case) -> None:
    target, baselines, to_zero = case
    result = allocate(target, baselines, to_zero)
    assert set(result) == set(baselines)
    assert sum(result.values()) == target
    for unit, value in result.items():
        assert 0 <= value <= baselines[unit]
        if unit in to_zero:
            assert value == baselines[unit]
    # Proportionality: no non-zero-unit is more than one household off its exact quota.
    others = [u for u in baselines if u not in to_zero]
    capacity = sum(baselines[u] for u in others)
    rest = target - sum(baselines[u] for u in to_zero)
    for u in (others if capacity else []):
        assert abs(result[u] - rest * baselines[u] / capacity) < 1


@settings(max_examples=100, deadline=None)
@given(plans(), st.integers(1, 50))
def test_targets_outside_the_possible_range_are_refused(case, excess) -> None:
    _, baselines, to_zero = case
    with pytest.raises(ValueError):
        allocate(sum(baselines.values()) + excess, baselines, to_zero)
    need = sum(baselines[u] for u in to_zero)
    if need:
        with pytest.raises(ValueError):
            allocate(need - 1, baselines, to_zero)


def test_rate_is_rounded_half_up_to_two_decimals() -> None:
    assert rate_percent(505, 85558) == 0.59
    assert rate_percent(1, 800) == 0.13  # 0.125 → 0.13 (a float round() would give 0.12)
    assert rate_percent(3, 0) is None and rate_percent(None, 10) is None
