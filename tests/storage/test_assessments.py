"""Rulesets and assessments in a real SQLite file: shipped loading, admin edits, saving and
recognising assessments, bulk runs and the comparison of two rulesets on a known fixture."""

from __future__ import annotations

import json
from datetime import date

import pytest

from cannngheo_desktop.core.errors import Cancelled, DatabaseError, RulesetError, ValidationError
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
from cannngheo_desktop.storage.driver import sqlite3

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


# --- how saved assessments are stored and explained ---------------------------------------------
def _stored(store, hid):
    row = store.query_one("SELECT * FROM assessments WHERE household_id = ?", (hid,))
    return {**dict(row), "inputs": json.loads(row["inputs"]), "results": json.loads(row["results"])}


def test_bulk_save_keeps_the_facts_it_evaluated_and_verdicts_without_reason_texts(store):
    hid = add(store, "S1", 1_000_000, latrine=None, devices=["tv", "radio"], uses_digital_services=False)
    gone = households.add_member(store, hid, member("Người đã chuyển đi", "1990-01-01", relation="child"))
    households.remove_member(store, gone)  # deleted members are not facts of the household
    assess_many(store, "VN-2027", ON, household_ids=[hid], save=True)
    row = _stored(store, hid)
    assert row["inputs"]["household"] == {  # the latrine is unknown: left out, never null
        "area_type": "rural", "income_month": 2_000_000, "floor_area_m2": 60.0, "wall_durable": 1,
        "frame_durable": 1, "roof_durable": 1, "water_source": "piped", "devices": ["tv", "radio"],
        "uses_telecom": 1, "uses_digital_services": 0, "waste_handling": "collected"}
    people = row["inputs"]["members"]
    assert [m["full_name"] for m in people] == ["Chủ hộ S1", "Vợ S1"]
    assert set(people[1]) == {"id", "full_name", "birth_date", "relation", "able_to_work", "employment",
                              "has_health_insurance", "education_level", "in_school", "malnourished",
                              "disabled", "status"}
    assert people[1]["birth_date"] == "1982-07-07" and people[1]["has_health_insurance"] == 1
    fresh = evaluate_household(store, hid, "VN-2027", ON)
    assert row["results"] == [{"code": r.code, "status": r.status} for r in fresh.indicators]
    assert (row["category"], row["deprivation_count"]) == (fresh.category, fresh.deprivation_count)
    assert json.loads(row["missing"]) == [list(m) for m in fresh.missing] and fresh.missing
    assert row["ruleset_hash"] == rs_store.get_ruleset(store, "VN-2027").fingerprint
    # Whoever looks gets the reasons, rebuilt from the saved facts: the same as a fresh evaluation.
    shown = latest_assessment(store, hid)
    assert [r["reason"] for r in shown["results"]] == [r.reason for r in fresh.indicators]
    assert any("Không thành viên nào sử dụng dịch vụ số" in r["reason"] for r in shown["results"])


def test_one_at_a_time_save_keeps_its_reasons_as_shown(store):
    hid = add(store, "S2", 1_000_000, water_source="surface")
    saved = assess_household(store, hid, "VN-2022", ON, recognise=True)
    row = _stored(store, hid)
    assert [r["reason"] for r in row["results"]] == [r.reason for r in saved["evaluation"].indicators]
    assert row["inputs"]["household"]["water_source"] == "surface"
    assert row["inputs"]["members"][0]["full_name"] == "Chủ hộ S2"


def test_old_bulk_assessment_is_explained_under_the_rules_it_was_made_with(store):
    hid = add(store, "S3", 1_000_000, floor_area_m2=18.0)  # 9 m² a person
    assess_many(store, "VN-2022", ON, household_ids=[hid], save=True)
    rs_store.update_ruleset_parameter(store, "VN-2022", "indicators.housing_area.params.min_per_person", 10)
    now = evaluate_household(store, hid, "VN-2022", ON).indicator("housing_area")
    assert now.status == "deprived" and "dưới 10 m²/người" in now.reason
    then = {r["code"]: r for r in latest_assessment(store, hid)["results"]}["housing_area"]
    assert then["status"] == "not_deprived"
    assert then["reason"] == "Diện tích 18 m² cho 2 người = 9 m²/người, không dưới 8 m²/người"


def test_reason_that_cannot_be_rebuilt_says_so_and_keeps_the_verdict(store):
    hid = add(store, "S4", 1_000_000, latrine="none")
    assess_many(store, "VN-2022", ON, household_ids=[hid], save=True)
    aid = store.scalar("SELECT id FROM assessments WHERE household_id = ?", (hid,))
    with store.transaction():  # as if made with a definition this file never had
        repo.update(store, "assessments", aid, {"ruleset_hash": "0" * 64})
    shown = {r["code"]: r for r in latest_assessment(store, hid)["results"]}
    assert shown["latrine"]["status"] == "deprived"
    assert shown["latrine"]["reason"].startswith("Không dựng lại được lý do: bộ chuẩn VN-2022 đã được sửa")


def test_bulk_rows_are_audited_queued_for_the_bundle_and_ordered(store, fixture_households):
    before = audit_count(store)
    assess_many(store, "VN-2027", ON, save=True)
    ids = [r[0] for r in store.query("SELECT id FROM assessments ORDER BY rowid")]
    assert len(ids) == 5 and len(set(ids)) == 5
    audited = [r[0] for r in store.query(
        "SELECT row_id FROM audit_log WHERE table_name = 'assessments' AND action = 'insert' ORDER BY id")]
    queued = [r[0] for r in store.query("SELECT row_id FROM changes WHERE table_name = 'assessments' ORDER BY seq")]
    assert audited == ids and queued == ids and audit_count(store) == before + 5
    assert all(i[14] == "7" and i[19] in "89ab" for i in ids) and ids == sorted(ids)  # time-ordered UUIDs
    who = store.query_one("SELECT updated_by, version, deleted, assessor FROM assessments LIMIT 1")
    assert tuple(who) == ("canbo", 1, 0, "canbo")


def test_a_failing_write_rolls_back_the_whole_bulk_run(store, fixture_households, monkeypatch):
    from cannngheo_desktop.storage import assessments

    monkeypatch.setattr(assessments, "CHUNK", 1)  # one household a batch: the failure is in a later one
    store.conn.execute(  # the 4th household's row cannot be written (as a full disk would refuse it)
        "CREATE TRIGGER refuse_d BEFORE INSERT ON assessments WHEN NEW.household_id = "
        f"'{fixture_households['D']}' BEGIN SELECT RAISE(ABORT, 'refused'); END")
    counts = (store.scalar("SELECT count(*) FROM assessments"), audit_count(store),
              store.scalar("SELECT count(*) FROM changes"))
    with pytest.raises(sqlite3.IntegrityError, match="refused"):
        assess_many(store, "VN-2027", ON, save=True)
    assert (store.scalar("SELECT count(*) FROM assessments"), audit_count(store),
            store.scalar("SELECT count(*) FROM changes")) == counts
    store.conn.execute("DROP TRIGGER refuse_d")
    assert assess_many(store, "VN-2027", ON, save=True).saved == 5  # the file is not left locked


def test_bulk_save_inside_an_open_transaction_goes_with_it(store, fixture_households):
    class Stop(Exception):
        pass

    with pytest.raises(Stop), store.transaction():
        assert assess_many(store, "VN-2027", ON, save=True).saved == 5
        assert store.scalar("SELECT count(*) FROM assessments") == 5
        raise Stop
    assert store.scalar("SELECT count(*) FROM assessments") == 0
    with store.transaction():
        assess_many(store, "VN-2027", ON, save=True)
    assert store.scalar("SELECT count(*) FROM assessments") == 5


def test_ruleset_replaced_by_a_bundle_still_explains_older_assessments(store):
    from cannngheo_desktop.exchange import sync

    hid = add(store, "S5", 1_000_000, floor_area_m2=18.0)  # 9 m² a person
    assess_many(store, "VN-2022", ON, household_ids=[hid], save=True)
    row = dict(store.query_one("SELECT * FROM rulesets WHERE code = 'VN-2022'"))
    definition = json.loads(row["definition"])
    next(i for i in definition["indicators"] if i["code"] == "housing_area")["params"]["min_per_person"] = 10
    incoming = {**row, "definition": json.dumps(definition, ensure_ascii=False, sort_keys=True),
                "version": row["version"] + 1}
    with store.transaction():  # as the office's downward bundle overwrites the replica
        sync.upsert_replicas(store, "rulesets", [incoming], user="goi:020")
    assert evaluate_household(store, hid, "VN-2022", ON).indicator("housing_area").status == "deprived"
    then = {r["code"]: r for r in latest_assessment(store, hid)["results"]}["housing_area"]
    assert (then["status"], then["reason"]) == (
        "not_deprived", "Diện tích 18 m² cho 2 người = 9 m²/người, không dưới 8 m²/người")


def test_a_file_opened_read_only_gets_no_assessments_written(store, fixture_households):
    path = store.path
    store.close()
    with open_db(path, readonly=True) as ro:
        with pytest.raises(DatabaseError):
            assess_many(ro, "VN-2027", ON, save=True)
        assert assess_many(ro, "VN-2027", ON).total == 5  # reading is fine
    with open_db(path) as again:
        assert again.scalar("SELECT count(*) FROM assessments") == 0


def test_an_assessment_saved_before_fingerprints_keeps_its_own_reasons(store):
    hid = add(store, "S6", 1_000_000)
    with store.transaction():  # as version 0.1 saved it: reasons in the row, no ruleset_hash
        repo.insert(store, "assessments", {
            "unit_code": "00640", "household_id": hid, "ruleset_code": "VN-2022", "assessed_on": "2025-12-01",
            "inputs": {"household": {"area_type": "rural"}, "members": []},
            "results": [{"code": "latrine", "status": "deprived", "reason": "Ghi chép cũ: hố xí tạm"}],
            "category": "near_poor", "recognised": 1})
    shown = latest_assessment(store, hid)
    assert shown["ruleset_hash"] is None
    assert shown["results"] == [{"code": "latrine", "status": "deprived", "reason": "Ghi chép cũ: hố xí tạm"}]
