"""What an administrator sees and types for a ruleset's parameters (the shipped definitions)."""

from __future__ import annotations

import json

import pytest

from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.core.standards import parse_ruleset, set_parameter
from cannngheo_desktop.core.standards.parameters import changes, parameters, parse
from cannngheo_desktop.paths import resource_path


def shipped(code: str) -> dict:
    return json.loads((resource_path("standards") / f"{code}.json").read_text(encoding="utf-8"))


def by_path(definition: dict) -> dict:
    return {p.path: p for p in parameters(definition)}


def test_every_value_awaiting_confirmation_is_listed_and_flagged() -> None:
    params = by_path(shipped("VN-2027"))
    band = params["average_band.rural"]
    assert (band.value, band.text, band.confirmed) == (3_300_000, "3.300.000 đồng", False)
    assert "GIÁ TRỊ TẠM" in band.note
    # the line comes from the government's published summary, not the decree's text: not confirmed,
    # and the parameter says where it comes from
    income = params["income_lines.rural"]
    assert not income.confirmed and income.text == "2.200.000 đồng"
    assert "Nghị định 351/2025/NĐ-CP" in income.source and "tóm tắt chính thức" in income.source
    water = params["indicators.drinking_water.params.values"]
    assert water.kind == "list" and "piped" in water.value and "piped" in water.text
    assert params["indicators.housing_area.params.min_per_person"].value == 8
    assert params["indicators.health_insurance.params.rules.0.age_min"].label == "Từ tuổi"
    assert params["valid_from"].text == "01/01/2027"
    # every path is one that set_parameter accepts and the result still validates
    definition = shipped("VN-2027")
    for path, p in params.items():
        parse_ruleset(set_parameter(definition, path, p.value))
    # a whole ruleset awaiting confirmation (the Hà Nội line) flags all its values
    assert not any(p.confirmed for p in parameters(shipped("HN-2022")))


@pytest.mark.parametrize(("path", "typed", "value"), [
    ("average_band.rural", "3.400.000", 3_400_000),
    ("average_band.rural", "3400000 đồng", 3_400_000),
    ("indicators.housing_area.params.min_per_person", "7,5", 7.5),
    ("indicators.housing_area.params.min_per_person", "9", 9),
    ("indicators.dependants.params.max_share", "0,6", 0.6),
    ("valid_to", "31/12/2031", "2031-12-31"),
    ("valid_to", "", None),
    ("average_band.confirmed", "Có", True),
    ("average_band.confirmed", "không", False),
    ("classification.poor_min_deprivations", "4", 4),
])
def test_values_are_read_as_typed_in_vietnamese(path, typed, value) -> None:
    assert parse(by_path(shipped("VN-2027"))[path], typed) == value


@pytest.mark.parametrize(("path", "typed"), [
    ("average_band.rural", "ba triệu"), ("valid_from", "2027-13-01"), ("average_band.confirmed", "có lẽ"),
    ("indicators.housing_area.params.min_per_person", "tám"),
])
def test_a_bad_value_names_the_parameter_and_the_expected_form(path, typed) -> None:
    p = by_path(shipped("VN-2027"))[path]
    with pytest.raises(ValidationError) as info:
        parse(p, typed)
    assert p.label in info.value.message and "hãy nhập dạng" in info.value.message
    assert info.value.field == path


def test_changes_between_two_definitions_read_as_sentences() -> None:
    before = shipped("VN-2027")
    after = set_parameter(set_parameter(before, "average_band.rural", 3_500_000), "average_band.confirmed", True)
    assert changes(before, after) == [
        ("Mức sống trung bình: Khu vực nông thôn (đồng/người/tháng)", "3.300.000 đồng", "3.500.000 đồng"),
        ("Mức sống trung bình: Đã được xác nhận", "Không", "Có")]
    assert changes(before, before) == []


def test_a_flag_shows_its_own_value_even_when_the_whole_ruleset_waits() -> None:
    params = by_path(shipped("HN-2022"))
    nutrition = shipped("HN-2022")["indicators"]
    own = next(i for i in nutrition if i["code"] == "nutrition").get("confirmed", True)
    flag = params["indicators.nutrition.confirmed"]
    assert flag.value is own and not flag.confirmed  # its value as stored; amber because HN-2022 waits
