"""Ruleset definitions: the shipped files, validation messages naming the field, overlaps, edits."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from test_standards_helpers import STANDARDS, ruleset

from cannngheo_desktop.core.errors import RulesetError
from cannngheo_desktop.core.standards import (
    check_overlap,
    load_definition_file,
    load_definitions_dir,
    parse_ruleset,
    set_parameter,
)


def definition(code: str = "VN-2022") -> dict:
    return json.loads((STANDARDS / f"{code}.json").read_text(encoding="utf-8"))


def test_shipped_rulesets_load_and_do_not_overlap():
    parsed = [parse_ruleset(d) for d in load_definitions_dir(STANDARDS)]
    assert {r.code for r in parsed} == {"VN-2022", "VN-2027", "HN-2022"}
    for r in parsed:
        check_overlap(r, parsed)


def test_vn2022_facts():
    r = ruleset("VN-2022")
    assert len(r.indicators) == 12
    assert len({i.dimension for i in r.indicators}) == 6
    assert r.income_lines == {"rural": 1_500_000, "urban": 2_000_000}
    assert r.average_band == {"rural": 2_250_000, "urban": 3_000_000}
    assert (r.valid_from, r.valid_to) == (date(2022, 1, 1), date(2026, 12, 31))
    assert r.poor_min_deprivations == 3
    assert r.indicator("housing_area").params["min_per_person"] == 8


def test_vn2027_facts():
    r = ruleset("VN-2027")
    assert r.income_lines == {"rural": 2_200_000, "urban": 2_800_000}
    assert (r.valid_from, r.valid_to) == (date(2027, 1, 1), date(2030, 12, 31))
    codes = {i.code for i in r.indicators}
    assert "information_devices" not in codes and {"digital_services", "waste_treatment"} <= codes
    unconfirmed = dict(r.unconfirmed())
    assert "average_band" in unconfirmed and "TẠM" in unconfirmed["average_band"]
    assert "indicators.waste_treatment" in unconfirmed


def test_hanoi_ruleset_is_local_and_awaiting_confirmation():
    r = ruleset("HN-2022")
    assert r.scope == "01" and not r.confirmed
    assert r.income_lines == {"rural": 2_000_000, "urban": 2_000_000}
    assert "chờ xác nhận" in r.name
    assert [i.code for i in r.indicators] == [i.code for i in ruleset("VN-2022").indicators]


def test_uncertain_parameters_are_flagged_not_hidden():
    unconfirmed = dict(ruleset("VN-2022").unconfirmed())
    for path in ("average_band", "indicators.dependants", "indicators.telecom", "indicators.information_devices"):
        assert path in unconfirmed and unconfirmed[path]


def _broken(mutate) -> dict:
    d = copy.deepcopy(definition())
    mutate(d)
    return d


@pytest.mark.parametrize(("mutate", "named"), [
    (lambda d: d.pop("income_lines"), "income_lines"),
    (lambda d: d.pop("valid_from"), "valid_from"),
    (lambda d: d.update(valid_from="01/01/2022"), "valid_from"),
    (lambda d: d.update(valid_to="2021-12-31"), "valid_to"),
    (lambda d: d["income_lines"].update(rural=-1), "income_lines.rural"),
    (lambda d: d["income_lines"].update(urban="2000000"), "income_lines.urban"),
    (lambda d: d["average_band"].update(rural=1_000_000), "average_band.rural"),
    (lambda d: d["classification"].update(poor_min_deprivations=0), "poor_min_deprivations"),
    (lambda d: d["classification"].update(poor_min_deprivations=13), "poor_min_deprivations"),
    (lambda d: d["indicators"][0].update(kind="magic"), "indicators.employment.kind"),
    (lambda d: d["indicators"][0].pop("name"), "indicators.0.name"),
    (lambda d: d["indicators"][1].update(code="employment"), "employment"),
    (lambda d: d["indicators"][7]["params"].update(min_per_person=-8), "indicators.housing_area.params.min_per_person"),
    (lambda d: d["indicators"][1]["params"].update(max_share=1.5), "indicators.dependants.params.max_share"),
    (lambda d: d["indicators"][3]["params"]["rules"][0].update(age_min=-6), "rules.0.age_min"),
    (lambda d: d["indicators"][3]["params"]["rules"][0].update(age_below=3), "rules.0.age_below"),
    (lambda d: d["indicators"][3]["params"]["rules"][0]["condition"].update(field="shoe_size"),
     "rules.0.condition.field"),
    (lambda d: d["indicators"][8]["params"].update(field="colour"), "indicators.drinking_water.params.field"),
    (lambda d: d["indicators"][8]["params"].update(values=[]), "indicators.drinking_water.params.values"),
    (lambda d: d["indicators"][6]["params"].update(min_count=4), "indicators.housing_quality.params.min_count"),
    (lambda d: d["indicators"][10]["params"].update(deprived_when="no"), "indicators.telecom.params.deprived_when"),
])
def test_malformed_definitions_are_refused_naming_the_field(mutate, named):
    with pytest.raises(RulesetError) as info:
        parse_ruleset(_broken(mutate))
    assert named in info.value.message


def test_overlapping_rulesets_of_the_same_scope_are_refused():
    base = ruleset("VN-2022")
    other = parse_ruleset({**definition("VN-2027"), "code": "VN-X", "valid_from": "2026-12-31"})
    with pytest.raises(RulesetError) as info:
        check_overlap(other, [base])
    assert "valid_from" in info.value.message and "VN-2022" in info.value.message
    open_ended = parse_ruleset({**definition("VN-2027"), "code": "VN-Y", "valid_to": None})
    check_overlap(open_ended, [base])  # starts after VN-2022 ends
    check_overlap(ruleset("HN-2022"), [base])  # another scope


def test_set_parameter_changes_only_that_value():
    d = definition()
    new = set_parameter(d, "indicators.housing_area.params.min_per_person", 9)
    assert parse_ruleset(new).indicator("housing_area").params["min_per_person"] == 9
    assert d["indicators"][7]["params"]["min_per_person"] == 8  # original untouched
    new = set_parameter(d, "indicators.health_insurance.params.rules.0.age_min", 5)
    assert parse_ruleset(new).indicator("health_insurance").params["rules"][0]["age_min"] == 5
    assert set_parameter(d, "average_band.confirmed", True)["average_band"]["confirmed"] is True


@pytest.mark.parametrize("path", ["income_lines.suburban", "indicators.nope.params", "code", "", "indicators.99"])
def test_set_parameter_refuses_unknown_paths(path):
    with pytest.raises(RulesetError):
        set_parameter(definition(), path, 1)


def test_broken_file_is_refused_with_its_name(tmp_path):
    bad = tmp_path / "X.json"
    bad.write_text('{"code": "X", ', encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_definition_file(bad)
    assert "X.json" in info.value.message
