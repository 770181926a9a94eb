"""Unconfirmed-rule warnings name the part that decided the result, and only then (issue 17,
19.3); reasons print exact values that never contradict their threshold (issue 19.3)."""

from __future__ import annotations

from test_standards_helpers import ON, adult, child, household, ruleset, two_adults

from cannngheo_desktop.core.standards import evaluate

VN22 = ruleset("VN-2022")
TWO = {"water_source": "surface", "latrine": "none"}  # two confirmed-or-not deprivations


def test_no_warning_when_no_unconfirmed_part_decided() -> None:
    # above the line: no indicator counts, and the national line's figure is an official summary's
    ev = evaluate(household(1_600_000, devices=[]), two_adults(), VN22, ON, "rural")
    assert ev.category == "average" and not [w for w in ev.warnings if "Chỉ số" in w]
    # below the line with 5 deprivations: reversing any single one changes nothing
    ev = evaluate(household(1_000_000, floor_area_m2=10.0, devices=[], uses_telecom=False, **TWO), two_adults(),
                  VN22, ON, "rural")
    assert ev.category == "poor" and ev.deprivation_count == 5 and ev.warnings == []
    # HN-2022 used to warn "đang chờ xác nhận" on every assessment; a household above its line hears nothing
    ev = evaluate(household(3_500_000), two_adults(), ruleset("HN-2022"), ON, "rural")
    assert ev.category == "not_poor" and ev.warnings == []


def test_the_deciding_unconfirmed_indicator_is_named() -> None:
    # exactly 3 deprivations, one of them the unconfirmed 'information devices': it made the household poor
    ev = evaluate(household(1_000_000, devices=[], **TWO), two_adults(), VN22, ON, "rural")
    assert ev.category == "poor"
    named = [w for w in ev.warnings if w.startswith("Chỉ số")]
    assert len(named) == 3 and any("Phương tiện" in w or "thông tin" in w for w in named)
    assert all("(thiếu hụt)" in w for w in named) and ev.deciding_unconfirmed == [
        "drinking_water", "latrine", "information_devices"]
    # 2 deprivations: any unconfirmed indicator found not deprived would, reversed, make it poor —
    # said in one line with their number, not once per indicator
    ev = evaluate(household(1_000_000, **TWO), two_adults(), VN22, ON, "rural")
    assert ev.category == "near_poor" and not ev.deciding_unconfirmed
    waiting = [r for r in ev.indicators if r.status == "not_deprived" and not VN22.indicator(r.code).confirmed]
    assert ev.warnings == [f"Hộ thiếu hụt 2 chỉ số: nếu một trong {len(waiting)} chỉ số chưa được xác nhận "
                           "(đang không thiếu hụt) được xác nhận khác đi, hộ sẽ là hộ nghèo."]
    # 1 deprivation: no single indicator can change near-poor: nothing said
    ev = evaluate(household(1_000_000, latrine="none"), two_adults(), VN22, ON, "rural")
    assert ev.category == "near_poor" and ev.warnings == []


def test_area_reason_never_contradicts_the_threshold() -> None:
    ev = evaluate(household(1_000_000, n=8, floor_area_m2=63.95), [adult(f"Người {i}") for i in range(8)],
                  VN22, ON, "rural")
    reason = ev.indicator("housing_area").reason
    assert ev.indicator("housing_area").status == "deprived"
    assert "≈ 7,99 m²/người, dưới 8 m²/người" in reason
    ev = evaluate(household(1_000_000, floor_area_m2=16.0), two_adults(), VN22, ON, "rural")
    assert "= 8 m²/người, không dưới 8 m²/người" in ev.indicator("housing_area").reason


def test_income_reason_never_contradicts_the_line() -> None:
    members = [adult(), adult("Lê Thị Hoa", 30), child()]
    ev = evaluate({**household(n=3), "income_month": 4_500_001}, members, VN22, ON, "rural")
    assert ev.category == "average"
    assert ev.income_reason.startswith("Thu nhập bình quân ≈ 1.500.000,3 đồng/người/tháng, trên chuẩn nghèo 1.500.000")
    ev = evaluate({**household(n=3), "income_month": 4_499_999}, members, VN22, ON, "rural")
    assert "≈ 1.499.999 đồng/người/tháng, không vượt chuẩn nghèo nông thôn 1.500.000" in ev.income_reason
    ev = evaluate({**household(n=2), "income_month": 3_000_000}, two_adults(), VN22, ON, "rural")
    assert "Thu nhập bình quân 1.500.000 đồng/người/tháng, không vượt" in ev.income_reason


def test_missing_members_are_listed_once() -> None:
    ev = evaluate(household(n=1), [], VN22, ON, "rural")
    assert [f for f, _ in ev.missing].count("members") == 1
