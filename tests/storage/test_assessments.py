"""Rulesets and assessments in a real SQLite file: shipped loading, admin edits, saving and
recognising assessments, bulk runs and the comparison of two rulesets on a known fixture."""

from __future__ import annotations

from datetime import date

import pytest

from cannngheo_desktop.core.errors import Cancelled, RulesetError, ValidationError
from cannngheo_desktop.core.model import AVERAGE, NEAR_POOR, NOT_POOR, POOR
from cannngheo_desktop.storage import households, open_db, repo
from cannngheo_desktop.storage import rulesets as rs_store
from cannngheo_desktop.storage.assessments import (
    assess_household,
    assess_many,
    assessment_history,
    compare_rulesets,
    evaluate_household,
    latest_assessment,
)

ON = date(2026, 11, 1)


@pytest.fixture
def store(tmp_path):
    s = open_db(tmp_path / "x.sqlite", user="canbo")
    rs_store.load_shipped_rulesets(s)
    # 00640 was a town (thị trấn Văn Điển) until 30/6/2025, then the code went to Xã Thanh Trì.
    for row in (
        {"id": "00640@2000-01-01", "code": "00640", "name": "Thị trấn Văn Điển", "kind": "town",
         "area": "urban", "valid_from": "2000-01-01", "valid_to": "2025-06-30", "unit_code": "*"},
        {"id": "00640@2025-07-01", "code": "00640", "name": "Xã Thanh Trì", "kind": "commune",
         "area": "rural", "valid_from": "2025-07-01", "valid_to": None, "unit_code": "*"},
        {"id": "00643@2025-07-01", "code": "00643", "name": "Phường Thanh Liệt", "kind": "ward",
         "area": "urban", "valid_from": "2025-07-01", "valid_to": None, "unit_code": "*"},
    ):
        repo.insert(s, "units", row)
    yield s
    s.close()


def member(name, born, **facts):
    m = {"full_name": name, "birth_date": born, "relation": "head", "able_to_work": True,
         "employment": "contract", "has_health_insurance": True, "education_level": "upper_secondary",
         "in_school": False, "malnourished": False, "disabled": False}
    m.update(facts)
    return m


def add(store, code, per_person, unit="00640", village="Thôn 1", **facts):
    hh = {"unit_code": unit, "household_code": code, "village": village, "income_month": per_person * 2,
          "floor_area_m2": 60.0, "wall_durable": True, "frame_durable": True, "roof_durable": True,
          "water_source": "piped", "latrine": "septic", "devices": ["tv"], "uses_telecom": True,
          "uses_digital_services": True, "waste_handling": "collected"}
    hh.update(facts)
    ms = [member(f"Chủ hộ {code}", "1980-05-05"), member(f"Vợ {code}", "1982-07-07", relation="spouse")]
    return households.add_household(store, hh, ms)


def audit_count(store):
    return store.scalar("SELECT count(*) FROM audit_log")


# --- rulesets ---------------------------------------------------------------------------------
def test_shipped_rulesets_are_loaded_once_and_quietly(store):
    assert {r.code for r in rs_store.list_rulesets(store)} == {"VN-2022", "VN-2027", "HN-2022"}
    row = store.query_one("SELECT unit_code, scope, confirmed FROM rulesets WHERE code = 'HN-2022'")
    assert tuple(row) == ("*", "01", 0)
    before = audit_count(store)
    assert rs_store.load_shipped_rulesets(store) == 0
    assert audit_count(store) == before


def test_admin_edit_is_validated_audited_and_kept_across_restarts(store):
    rs_store.update_ruleset_parameter(store, "VN-2027", "average_band.rural", 3_500_000)
    assert rs_store.get_ruleset(store, "VN-2027").average_band["rural"] == 3_500_000
    history = repo.history(store, "rulesets", store.scalar("SELECT id FROM rulesets WHERE code = 'VN-2027'"))
    assert history[-1]["field"] == "definition" and history[-1]["user"] == "canbo"
    rs_store.load_shipped_rulesets(store)  # next start: the edit stays
    assert rs_store.get_ruleset(store, "VN-2027").average_band["rural"] == 3_500_000


@pytest.mark.parametrize(("path", "value", "named"), [
    ("income_lines.rural", -5, "income_lines.rural"),
    ("indicators.housing_area.params.min_per_person", 0, "min_per_person"),
    ("income_lines.mountain", 1, "mountain"),
    ("valid_to", "2027-06-30", "VN-2027"),  # would overlap VN-2027
])
def test_bad_admin_edit_is_refused_and_changes_nothing(store, path, value, named):
    before = audit_count(store)
    with pytest.raises(RulesetError) as info:
        rs_store.update_ruleset_parameter(store, "VN-2022", path, value)
    assert named in info.value.message
    assert audit_count(store) == before
    assert rs_store.get_ruleset(store, "VN-2022").income_lines["rural"] == 1_500_000


def test_overlapping_new_ruleset_is_refused(store):
    definition = dict(rs_store.get_ruleset(store, "VN-2027").definition, code="VN-2027b",
                      valid_from="2030-01-01", valid_to=None)
    with pytest.raises(RulesetError, match="valid_from"):
        rs_store.add_ruleset(store, definition)
    rs_store.add_ruleset(store, dict(definition, valid_from="2031-01-01"))
    assert rs_store.get_ruleset(store, "VN-2027b").valid_to is None


# --- one household ----------------------------------------------------------------------------
def test_assess_and_recognise_updates_current_category_and_keeps_history(store):
    hid = add(store, "H1", 1_000_000, water_source="surface", latrine="none", uses_telecom=False)
    first = assess_household(store, hid, "VN-2022", ON, assessor="rsv1")
    assert first["category"] == POOR and first["recognised"] == 0
    assert households.get_household(store, hid)["category"] is None  # not recognised yet
    second = assess_household(store, hid, "VN-2022", date(2026, 12, 1), recognise=True)
    hh = households.get_household(store, hid)
    assert (hh["category"], hh["category_since"], hh["deprivation_count"]) == (POOR, "2026-12-01", 3)
    assert [a["id"] for a in assessment_history(store, hid)] == [second["id"], first["id"]]
    latest = latest_assessment(store, hid)
    assert latest["id"] == second["id"] and latest["assessor"] == "canbo"
    assert latest_assessment(store, hid, "VN-2027") is None
    results = {r["code"]: r for r in latest["results"]}
    assert results["drinking_water"]["status"] == "deprived"
    assert latest["inputs"]["household"]["water_source"] == "surface"
    assert latest["inputs"]["members"][0]["full_name"] == "Chủ hộ H1"
    assert first["assessor"] == "rsv1"


def test_area_type_follows_the_unit_valid_on_the_date(store):
    hid = add(store, "H2", 1_800_000)
    assert evaluate_household(store, hid, "VN-2022", date(2025, 1, 1)).category == NEAR_POOR  # town: urban
    assert evaluate_household(store, hid, "VN-2022", ON).category == AVERAGE  # commune: rural
    ward = add(store, "H3", 1_800_000, unit="00643")
    assert evaluate_household(store, ward, "VN-2022", ON).area_type == "urban"
    households.update_household(store, hid, {"area_type": "urban"})
    assert evaluate_household(store, hid, "VN-2022", ON).area_type == "urban"


def test_unknown_unit_is_a_clear_error(store):
    hid = add(store, "H9", 1_000_000, unit="99999")
    with pytest.raises(ValidationError, match="99999"):
        assess_household(store, hid, "VN-2022", ON)
    assert store.scalar("SELECT count(*) FROM assessments") == 0


# --- bulk and compare -------------------------------------------------------------------------
@pytest.fixture
def fixture_households(store):
    ids = {
        # 1.8M/person in a commune: above the 2022 line (average), below 2.2M in 2027 (near-poor).
        "A": add(store, "A", 1_800_000),
        # 3 deprivations in 2022 including information devices; 2 in 2027 → poor → near-poor.
        "B": add(store, "B", 1_000_000, water_source="surface", latrine="none", devices=[]),
        # 2 deprivations in 2022; waste dumped adds a third in 2027 → near-poor → poor.
        "C": add(store, "C", 1_000_000, village="Thôn 2", water_source="surface", latrine="none",
                 waste_handling="dumped"),
        "D": add(store, "D", 5_000_000),
        "E": add(store, "E", 1_000_000, unit="00643"),  # ward: near-poor under both
    }
    return ids


def test_compare_rulesets_on_a_known_fixture(store, fixture_households):
    cmp = compare_rulesets(store, "VN-2022", "VN-2027", ON)
    assert cmp.total == 5
    assert dict(cmp.transitions) == {(AVERAGE, NEAR_POOR): 1, (POOR, NEAR_POOR): 1, (NEAR_POOR, POOR): 1,
                                     (NOT_POOR, NOT_POOR): 1, (NEAR_POOR, NEAR_POOR): 1}
    changed = {c.household_code: c for c in cmp.changed}
    assert set(changed) == {"A", "B", "C"}
    assert changed["A"].head_name == "Chủ hộ A" and changed["A"].village == "Thôn 1"
    assert any("1.500.000 đồng (VN-2022) → 2.200.000 đồng (VN-2027)" in r for r in changed["A"].reasons)
    assert any("Bỏ chỉ tiêu 'Phương tiện phục vụ tiếp cận thông tin'" in r for r in changed["B"].reasons)
    assert any("Thêm chỉ tiêu 'Xử lý rác thải sinh hoạt'" in r and "Vứt bừa bãi" in r
               for r in changed["C"].reasons)
    only_unit = compare_rulesets(store, "VN-2022", "VN-2027", ON, unit_code="00643")
    assert only_unit.total == 1 and not only_unit.changed
    assert cmp.to_dict()["transitions"][0] == {"from": "average", "to": "near_poor", "count": 1}


def test_assess_many_counts_and_saves_in_one_go(store, fixture_households):
    summary = assess_many(store, "VN-2027", ON)
    assert summary.total == 5 and summary.saved == 0
    assert summary.counts == {NEAR_POOR: 3, POOR: 1, NOT_POOR: 1}
    assert store.scalar("SELECT count(*) FROM assessments") == 0
    saved = assess_many(store, "VN-2027", ON, household_ids=[fixture_households["C"], fixture_households["D"]],
                        save=True)
    assert saved.saved == 2
    assert latest_assessment(store, fixture_households["C"])["category"] == POOR
    assert store.scalar("SELECT count(*) FROM changes WHERE table_name = 'assessments'") == 2


def test_assess_many_reads_in_chunks(store, fixture_households, monkeypatch):
    from cannngheo_desktop.storage import assessments

    monkeypatch.setattr(assessments, "CHUNK", 2)
    seen = []

    class Recorder:
        def report(self, done, total):
            seen.append((done, total))

        def cancelled(self):
            return False

    summary = assess_many(store, "VN-2022", ON, progress=Recorder())
    assert summary.total == 5
    assert seen[0] == (0, 5) and seen[-1] == (5, 5) and len(seen) == 4


def test_cancelled_bulk_save_writes_nothing(store, fixture_households, monkeypatch):
    from cannngheo_desktop.storage import assessments

    monkeypatch.setattr(assessments, "CHUNK", 2)

    class CancelAfterFirst:
        calls = 0

        def report(self, done, total):
            pass

        def cancelled(self):
            self.calls += 1
            return self.calls > 1

    with pytest.raises(Cancelled):
        assess_many(store, "VN-2022", ON, save=True, progress=CancelAfterFirst())
    assert store.scalar("SELECT count(*) FROM assessments") == 0


def test_shipped_ruleset_overlapping_a_local_one_is_skipped_not_fatal(tmp_path):
    import json
    import shutil

    from cannngheo_desktop.paths import resource_path

    folder = tmp_path / "standards"
    shutil.copytree(resource_path("standards"), folder)
    with open_db(tmp_path / "y.sqlite") as s:
        local = json.loads((folder / "VN-2027.json").read_text(encoding="utf-8"))
        rs_store.add_ruleset(s, dict(local, code="VN-LOCAL", valid_from="2028-01-01"))
        assert rs_store.load_shipped_rulesets(s, folder) == 2  # VN-2027 overlaps VN-LOCAL
        assert {r.code for r in rs_store.list_rulesets(s)} == {"VN-2022", "HN-2022", "VN-LOCAL"}
