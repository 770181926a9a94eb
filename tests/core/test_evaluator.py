"""Evaluator: every indicator at its boundaries, income lines, categories, reasons."""

from __future__ import annotations

import pytest
from test_standards_helpers import ON, adult, born, child, household, ruleset, two_adults

from cannngheo_desktop.core.errors import RulesetError
from cannngheo_desktop.core.model import AVERAGE, NEAR_POOR, NOT_POOR, POOR, UNDETERMINED
from cannngheo_desktop.core.standards import age_on, area_type_for_unit_kind, evaluate

VN22 = ruleset("VN-2022")


def status(code, hh, members, rs=VN22, area="rural"):
    return evaluate(hh, members, rs, ON, area).indicator(code).status


# --- income lines ---------------------------------------------------------------------------
@pytest.mark.parametrize(("code", "area", "income_total", "expected"), [
    ("VN-2022", "rural", 3_000_000, NEAR_POOR),      # exactly 1,500,000 per person: at the line
    ("VN-2022", "rural", 3_000_001, AVERAGE),
    ("VN-2022", "rural", 4_500_000, AVERAGE),        # exactly the average band 2,250,000
    ("VN-2022", "rural", 4_500_001, NOT_POOR),
    ("VN-2022", "urban", 4_000_000, NEAR_POOR),      # 2,000,000 urban line
    ("VN-2022", "urban", 4_000_001, AVERAGE),
    ("VN-2022", "urban", 6_000_001, NOT_POOR),
    ("VN-2027", "rural", 4_400_000, NEAR_POOR),      # 2,200,000
    ("VN-2027", "rural", 4_400_001, AVERAGE),
    ("VN-2027", "urban", 5_600_000, NEAR_POOR),      # 2,800,000
    ("VN-2027", "urban", 5_600_001, AVERAGE),
    ("HN-2022", "rural", 4_000_000, NEAR_POOR),      # Hà Nội: 2,000,000 for both areas
    ("HN-2022", "rural", 4_000_001, AVERAGE),
    ("HN-2022", "urban", 4_000_000, NEAR_POOR),
])
def test_income_at_the_line_counts_as_below(code, area, income_total, expected):
    hh = household(income_month=income_total)
    ev = evaluate(hh, two_adults(), ruleset(code), ON, area)
    assert ev.deprivation_count == 0 and ev.undetermined_count == 0
    assert ev.category == expected


def test_income_per_person_is_total_over_present_members():
    members = [*two_adults(), adult("Cụ Tư", 80, status="died"), adult("Anh Ba", 40, deleted=1),
               adult("Chị Năm", 30, status="left")]
    ev = evaluate(household(income_month=3_000_000), members, VN22, ON, "rural")
    assert ev.member_count == 2
    assert ev.income_per_person == 1_500_000
    assert ev.category == NEAR_POOR


@pytest.mark.parametrize(("deprived_facts", "expected"), [
    ({}, NEAR_POOR),
    ({"water_source": "surface"}, NEAR_POOR),
    ({"water_source": "surface", "latrine": "simple_pit"}, NEAR_POOR),                       # 2
    ({"water_source": "surface", "latrine": "simple_pit", "uses_telecom": False}, POOR),     # 3
    ({"water_source": "surface", "latrine": "simple_pit", "uses_telecom": False, "devices": []}, POOR),
])
def test_two_versus_three_deprivations(deprived_facts, expected):
    ev = evaluate(household(1_500_000, **deprived_facts), two_adults(), VN22, ON, "rural")
    assert ev.deprivation_count == len(deprived_facts)
    assert ev.category == expected


def test_deprivations_do_not_matter_above_the_line():
    hh = household(1_600_000, water_source="surface", latrine="none", uses_telecom=False, devices=[])
    assert evaluate(hh, two_adults(), VN22, ON, "rural").category == AVERAGE


# --- ages -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("birth", "expected"), [
    (born(16), 16), (born(16, 1), 15), (born(6), 6), (born(6, 1), 5), ("2010-02-29x", None), (None, None),
    ("2030-01-01", None),
])
def test_age_is_exact_on_birthdays(birth, expected):
    assert age_on(birth, ON) == expected


def test_leap_day_birthday():
    from datetime import date
    assert age_on("2008-02-29", date(2026, 2, 28)) == 17
    assert age_on("2008-02-29", date(2026, 3, 1)) == 18


@pytest.mark.parametrize(("code", "member", "expected"), [
    # Child schooling: 3 to under 16, not in school.
    ("child_schooling", child(in_school=False, birth_date=born(16, 1)), "deprived"),  # 15 years 364 days
    ("child_schooling", child(in_school=False, birth_date=born(16), education_level="lower_secondary"),
     "not_deprived"),
    ("child_schooling", child(in_school=False, birth_date=born(3)), "deprived"),
    ("child_schooling", child(in_school=False, birth_date=born(3, 1)), "not_deprived"),
    ("child_schooling", child(in_school=None), "undetermined"),
    # Nutrition: under 16.
    ("nutrition", child(malnourished=True, birth_date=born(16, 1)), "deprived"),
    ("nutrition", child(malnourished=True, birth_date=born(16)), "not_deprived"),
    ("nutrition", child(malnourished=None), "undetermined"),
    # Health insurance: aged 6 or over.
    ("health_insurance", child(has_health_insurance=False, birth_date=born(6, 1)), "not_deprived"),
    ("health_insurance", child(has_health_insurance=False, birth_date=born(6)), "deprived"),
    ("health_insurance", adult(has_health_insurance=None), "undetermined"),
    ("health_insurance", adult(has_health_insurance=False, birth_date=None), "undetermined"),
    # Adult education: 16–<18 needs lower secondary, 18–30 upper secondary or vocational.
    ("adult_education", adult(age=16, education_level="primary"), "deprived"),
    ("adult_education", adult(age=16, education_level="primary", in_school=True), "not_deprived"),
    ("adult_education", adult(age=17, education_level="lower_secondary"), "not_deprived"),
    ("adult_education", adult(birth_date=born(16, 1), education_level="primary", in_school=False,
                              able_to_work=False), "not_deprived"),
    ("adult_education", adult(age=18, education_level="lower_secondary"), "deprived"),
    ("adult_education", adult(age=18, education_level="vocational"), "not_deprived"),
    ("adult_education", adult(age=30, education_level="lower_secondary"), "deprived"),
    ("adult_education", adult(age=31, education_level="lower_secondary"), "not_deprived"),
    ("adult_education", adult(age=25, education_level=None), "undetermined"),
    ("adult_education", adult(age=25, education_level=None, in_school=True), "not_deprived"),
    # Employment: working age, able to work, unemployed or without a contract.
    ("employment", adult(employment="no_contract"), "deprived"),
    ("employment", adult(employment="unemployed"), "deprived"),
    ("employment", adult(employment="unemployed", able_to_work=False), "not_deprived"),
    ("employment", adult(age=60, employment="unemployed"), "not_deprived"),
    ("employment", adult(age=15, employment="unemployed"), "deprived"),
    ("employment", adult(employment=None), "undetermined"),
    ("employment", adult(employment="contract", able_to_work=None), "not_deprived"),
])
def test_member_indicators_at_their_boundaries(code, member, expected):
    members = [member, adult("Nguyễn Thị Lan", 32, relation="spouse")]
    assert status(code, household(), members) == expected


@pytest.mark.parametrize(("members", "expected"), [
    ([adult(), adult("B", 40), child(), child("D", 5)], "not_deprived"),             # 2/4 = 50%: not above
    ([adult(), child(), child("C", 5), child("D", 2)], "deprived"),                  # 3/4
    ([adult(), adult("B", 70), child()], "deprived"),                                # elderly count
    ([adult(), adult("B", 40, disabled=True), child()], "deprived"),
    ([adult(), adult("B", 40, disabled=None), child()], "undetermined"),
    ([adult(), adult("B", 40, disabled=None), adult("C", 30), child()], "not_deprived"),  # at most 2/4
])
def test_dependants_share(members, expected):
    assert status("dependants", household(), members) == expected


@pytest.mark.parametrize(("area", "n", "expected"), [
    (8.0, 1, "not_deprived"), (7.99, 1, "deprived"), (24.0, 3, "not_deprived"), (23.97, 3, "deprived"),
    (None, 2, "undetermined"),
])
def test_housing_area_per_person(area, n, expected):
    members = [adult(f"Người {i}", 30 + i) for i in range(n)]
    assert status("housing_area", household(floor_area_m2=area), members) == expected


@pytest.mark.parametrize(("wall", "frame", "roof", "expected"), [
    (True, True, True, "not_deprived"), (False, True, True, "not_deprived"),
    (False, False, True, "deprived"), (0, 0, 0, "deprived"), (False, None, True, "undetermined"),
    (True, None, True, "not_deprived"), (None, None, True, "undetermined"),
])
def test_housing_quality(wall, frame, roof, expected):
    hh = household(wall_durable=wall, frame_durable=frame, roof_durable=roof)
    assert status("housing_quality", hh, two_adults()) == expected


@pytest.mark.parametrize(("code", "facts", "expected"), [
    ("drinking_water", {"water_source": "surface"}, "deprived"),
    ("drinking_water", {"water_source": "unprotected_dug_well"}, "deprived"),
    ("drinking_water", {"water_source": "rain"}, "not_deprived"),
    ("drinking_water", {"water_source": None}, "undetermined"),
    ("latrine", {"latrine": "simple_pit"}, "deprived"),
    ("latrine", {"latrine": "semi_septic"}, "not_deprived"),
    ("latrine", {"latrine": None}, "undetermined"),
    ("telecom", {"uses_telecom": 0}, "deprived"),
    ("telecom", {"uses_telecom": 1}, "not_deprived"),
    ("telecom", {"uses_telecom": None}, "undetermined"),
    ("information_devices", {"devices": []}, "deprived"),
    ("information_devices", {"devices": "[]"}, "deprived"),
    ("information_devices", {"devices": '["radio"]'}, "not_deprived"),
    ("information_devices", {"devices": ["loudspeaker"]}, "not_deprived"),
    ("information_devices", {"devices": None}, "undetermined"),
])
def test_household_indicators(code, facts, expected):
    assert status(code, household(**facts), two_adults()) == expected


@pytest.mark.parametrize(("facts", "code", "expected"), [
    ({"waste_handling": "dumped"}, "waste_treatment", "deprived"),
    ({"waste_handling": "burned"}, "waste_treatment", "deprived"),
    ({"waste_handling": "collected"}, "waste_treatment", "not_deprived"),
    ({"waste_handling": None}, "waste_treatment", "undetermined"),
    ({"uses_digital_services": False}, "digital_services", "deprived"),
    ({"uses_digital_services": True}, "digital_services", "not_deprived"),
])
def test_vn2027_new_indicators(facts, code, expected):
    assert status(code, household(**facts), two_adults(), rs=ruleset("VN-2027")) == expected


def test_vn2027_drops_information_devices():
    ev = evaluate(household(devices=[]), two_adults(), ruleset("VN-2027"), ON, "rural")
    assert ev.indicator("information_devices") is None
    assert ev.deprivation_count == 0
    assert {r.code for r in ev.indicators} >= {"digital_services", "waste_treatment"}


# --- area type ------------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "area"), [("commune", "rural"), ("ward", "urban"), ("town", "urban")])
def test_area_type_by_unit_kind(kind, area):
    assert area_type_for_unit_kind(kind) == area


@pytest.mark.parametrize("kind", ["province", "district"])
def test_area_type_refused_for_higher_levels(kind):
    with pytest.raises(RulesetError):
        area_type_for_unit_kind(kind)


def test_same_household_in_a_ward_and_a_commune():
    """After the 2025 reform a former commune may now be a ward: the line follows the unit kind."""
    hh = household(1_800_000)
    assert evaluate(hh, two_adults(), VN22, ON, area_type_for_unit_kind("commune")).category == AVERAGE
    assert evaluate(hh, two_adults(), VN22, ON, area_type_for_unit_kind("ward")).category == NEAR_POOR


# --- never guess ----------------------------------------------------------------------------
def test_missing_facts_make_the_category_undetermined_not_near_poor():
    members = [{"full_name": "Lê Văn Cường", "birth_date": born(40)}, {"full_name": "Lê Thị Dung"}]
    ev = evaluate({"income_month": 2_000_000}, members, VN22, ON, "rural")
    assert ev.category == UNDETERMINED
    assert ev.deprivation_count == 0
    fields = [f for f, _ in ev.missing]
    assert "water_source" in fields and "members[1].birth_date" in fields
    assert any("Lê Thị Dung" in label for _, label in ev.missing)


def test_two_deprived_and_one_unknown_is_undetermined():
    hh = household(1_000_000, water_source="surface", latrine="none", uses_telecom=None)
    ev = evaluate(hh, two_adults(), VN22, ON, "rural")
    assert (ev.deprivation_count, ev.undetermined_count, ev.category) == (2, 1, UNDETERMINED)
    assert ("uses_telecom", "Có sử dụng dịch vụ viễn thông không") in ev.missing


def test_unknown_that_cannot_flip_the_category_is_tolerated():
    ev = evaluate(household(1_000_000, uses_telecom=None), two_adults(), VN22, ON, "rural")
    assert ev.category == NEAR_POOR  # 0 deprived + 1 unknown can never reach 3
    ev = evaluate(household(1_000_000, water_source="surface", latrine="none", uses_telecom=False,
                            devices=None), two_adults(), VN22, ON, "rural")
    assert ev.category == POOR  # already 3


def test_unknown_income_is_undetermined_even_with_many_deprivations():
    hh = household(income_month=None, water_source="surface", latrine="none", uses_telecom=False)
    ev = evaluate(hh, two_adults(), VN22, ON, "rural")
    assert ev.category == UNDETERMINED and ev.income_per_person is None
    assert ev.missing[0][0] == "income_month"


def test_no_present_member_is_undetermined():
    ev = evaluate(household(), [adult(status="died")], VN22, ON, "rural")
    assert ev.category == UNDETERMINED
    assert ev.missing[0][0] == "members"


# --- reasons ----------------------------------------------------------------------------------
def test_reason_names_member_age_and_fact():
    ev = evaluate(household(), two_adults(has_health_insurance=False), VN22, ON, "rural")
    assert ev.indicator("health_insurance").reason == "Trần Văn Bình, 34 tuổi, chưa có thẻ BHYT"


def test_reasons_for_household_indicators_are_vietnamese():
    ev = evaluate(household(floor_area_m2=15, water_source="surface"), two_adults(), VN22, ON, "rural")
    assert "7,5 m²/người, dưới 8 m²/người" in ev.indicator("housing_area").reason
    assert "Nước sông, suối, ao, hồ" in ev.indicator("drinking_water").reason


def test_to_dict_is_json_ready():
    import json

    ev = evaluate(household(income_month=None), two_adults(education_level=None, age=20), VN22, ON, "rural")
    data = json.loads(json.dumps(ev.to_dict(), ensure_ascii=False))
    assert data["category"] == UNDETERMINED and data["category_label"] == "Chưa đủ thông tin"
    assert {"field": "income_month", "label": "Tổng thu nhập của hộ (đồng/tháng)"} in data["missing"]
    assert data["indicators"][0]["code"] == "employment"


def test_warnings_outside_validity_and_unconfirmed():
    from datetime import date

    ev = evaluate(household(1_600_000), two_adults(), ruleset("HN-2022"), date(2027, 3, 1), "rural")
    assert any("ngoài thời gian hiệu lực" in w for w in ev.warnings)
    # HN-2022's local line is an assumption awaiting its document and it decided this household.
    assert any("Chuẩn thu nhập của bộ chuẩn HN-2022 chưa được xác nhận" in w for w in ev.warnings)



def test_a_household_without_members_is_never_called_not_deprived() -> None:
    ev = evaluate(household(n=1), [], ruleset("VN-2022"), ON, "rural")
    member_based = {"employment", "dependants", "nutrition", "health_insurance", "adult_education",
                    "child_schooling"}
    statuses = {r.code: r.status for r in ev.indicators}
    assert {statuses[c] for c in member_based & set(statuses)} == {"undetermined"}
    assert len(member_based & set(statuses)) >= 5
    assert ev.category == UNDETERMINED
