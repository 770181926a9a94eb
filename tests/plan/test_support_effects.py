"""What a done support action changes (plan/support_effects.py), on a real copy of the demo
database: the member/household fields, the audit, the reassessment, the objectives, taking it
back (also when somebody edited the field since), deleting it, the catalogue's declarations and
the command line (same service, exit codes, nothing written on bad input)."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from cannngheo_desktop import cli
from cannngheo_desktop.core.errors import FileFormatError, ValidationError
from cannngheo_desktop.demo.build import build_demo
from cannngheo_desktop.plan import support, support_effects, tracker_queries
from cannngheo_desktop.storage import open_db, reference, repo

ON = date(2023, 10, 5)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    store = open_db(path, user="admin")
    plan_id = build_demo(store)["plan_id"]
    store.close()
    return path, plan_id


@pytest.fixture
def demo(demo_file, tmp_path):
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_file[0], path)
    store = open_db(path, user="tester")
    yield store, demo_file[1], path
    store.close()


def counts(store, plan_id) -> dict[str, tuple[int, int | None]]:
    return {m.code: (m.numerator, m.denominator) for m in tracker_queries.measure_objectives(store, plan_id, ON)}


def member_where(store, where: str) -> dict:
    row = store.query_one(
        "SELECT m.* FROM members m JOIN households h ON h.id = m.household_id WHERE h.category = 'near_poor' "
        f"AND h.status = 'active' AND h.deleted = 0 AND m.deleted = 0 AND {where} ORDER BY m.id LIMIT 1")
    assert row is not None, where
    return dict(row)


def test_every_declared_effect_is_valid_and_names_a_shipped_measure():
    effects = support_effects.catalogue_effects()
    shipped = {m["code"] for m in reference.read_reference_file("support_measures.json")["measures"]}
    assert set(effects) <= shipped
    assert {"bhyt_can_ngheo", "gioi_thieu_co_viec_lam", "ket_noi_viec_lam", "hoc_phi", "nha_o_xay_sua"} <= set(effects)
    assert "có thẻ bhyt" in effects["bhyt_can_ngheo"].describe().lower()


@pytest.mark.parametrize("spec", [
    None, {"on": "village", "set": {"in_school": True}}, {"on": "member", "set": {}},
    {"on": "member", "set": {"cccd": True}}, {"on": "member", "set": {"in_school": "yes"}},
    {"on": "household", "set": {"has_health_insurance": True}},
    {"on": "member", "set": {"got_job": True}, "no_member": "everyone"},
    {"on": "member", "set_if": {"employment": {"value": "astronaut", "from": [None]}}},
])
def test_a_damaged_declaration_is_refused_by_name(spec):
    with pytest.raises(FileFormatError, match="'m1'"):
        support_effects._parse("m1", spec)


def test_job_placement_done_changes_member_audits_reassesses_and_moves_objectives(demo):
    store, plan_id, _ = demo
    m = member_where(store, "m.wants_job_support = 1 AND m.got_job_support = 0 AND m.employment = 'unemployed'")
    before = counts(store, plan_id)
    n_assess = store.scalar("SELECT count(*) FROM assessments WHERE household_id = ?", (m["household_id"],))
    row = support.add_action(store, m["household_id"], "gioi_thieu_co_viec_lam", member_id=m["id"],
                             status="done", done_date="01/10/2023")
    got = repo.get(store, "members", m["id"])
    assert (got["got_job_support"], got["got_job"], got["employment"]) == (1, 1, "no_contract")
    after = counts(store, plan_id)
    for code in ("job_support", "job_placed"):
        assert after[code] == (before[code][0] + 1, before[code][1])
    audit = store.query("SELECT field, before, after FROM audit_log WHERE table_name = 'members' AND row_id = ? "
                        "AND action = 'update'", (m["id"],))
    assert {(r["field"], r["before"], r["after"]) for r in audit} >= {("got_job", "0", "1"),
                                                                       ("employment", "unemployed", "no_contract")}
    assert store.scalar("SELECT count(*) FROM assessments WHERE household_id = ?",
                        (m["household_id"],)) == n_assess + 1
    lines = row["outcome"].lines()
    assert any("Việc làm Thất nghiệp → Làm công ăn lương không có hợp đồng" in x for x in lines)
    assert lines[-1].startswith("Đánh giá lại theo ") and "01/10/2023" in lines[-1]
    # Taking it back restores every field and the objectives.
    back = support.update_action(store, row["id"], {"status": support.IN_PROGRESS})
    got = repo.get(store, "members", m["id"])
    assert (got["got_job_support"], got["got_job"], got["employment"]) == (0, 0, "unemployed")
    assert counts(store, plan_id) == before
    assert all("→" in x for x in back["outcome"].changes)


def test_a_job_placement_never_downgrades_a_contract(demo):
    store, _, _ = demo
    m = member_where(store, "m.employment = 'contract'")
    support.add_action(store, m["household_id"], "gioi_thieu_co_viec_lam", member_id=m["id"], status="done",
                       done_date="01/10/2023")
    assert repo.get(store, "members", m["id"])["employment"] == "contract"


def test_undo_keeps_a_field_edited_since_and_says_so(demo):
    store, _, _ = demo
    m = member_where(store, "m.wants_job_support = 1 AND m.got_job_support = 0 AND m.got_job = 0")
    row = support.add_action(store, m["household_id"], "gioi_thieu_co_viec_lam", member_id=m["id"],
                             status="done", done_date="01/10/2023")
    repo.update(store, "members", m["id"], {"got_job": 0})  # the cadre corrected it by hand since
    back = support.update_action(store, row["id"], {"status": support.PLANNED})
    got = repo.get(store, "members", m["id"])
    assert got["got_job_support"] == 0 and got["got_job"] == 0
    assert any("Có việc làm sau hỗ trợ" in k for k in back["outcome"].kept)
    again = support.update_action(store, row["id"], {"status": support.IN_PROGRESS})
    assert "outcome" not in again  # nothing left to put back


def test_health_insurance_for_the_whole_household_and_deleting_the_action(demo):
    store, plan_id, _ = demo
    hid = store.scalar(
        "SELECT h.id FROM households h JOIN members m ON m.household_id = h.id WHERE h.category = 'near_poor' "
        "AND h.status = 'active' AND m.deleted = 0 AND m.status = 'present' AND m.has_health_insurance = 0 "
        "GROUP BY h.id ORDER BY count(*) DESC, h.id LIMIT 1")
    uninsured = store.scalar("SELECT count(*) FROM members WHERE household_id = ? AND deleted = 0 "
                             "AND status = 'present' AND has_health_insurance = 0", (hid,))
    before = counts(store, plan_id)["health_insurance_members"]
    row = support.add_action(store, hid, "bhyt_can_ngheo", status="done", done_date="01/10/2023")
    assert store.scalar("SELECT count(*) FROM members WHERE household_id = ? AND deleted = 0 "
                        "AND status = 'present' AND has_health_insurance = 0", (hid,)) == 0
    assert counts(store, plan_id)["health_insurance_members"][0] == before[0] + uninsured
    assert len(support_effects.applied_effects(store, row["id"])) == uninsured
    support.remove_action(store, row["id"])
    assert counts(store, plan_id)["health_insurance_members"] == before


def test_housing_support_makes_the_house_durable_and_clears_the_difficulty(demo):
    store, plan_id, _ = demo
    hid = store.scalar("SELECT id FROM households WHERE category = 'near_poor' AND status = 'active' AND deleted = 0 "
                       "AND wall_durable + roof_durable + frame_durable <= 1 "
                       "AND floor_area_m2 >= 8 * member_count ORDER BY id LIMIT 1")
    assert hid is not None
    before = counts(store, plan_id)["housing_difficulty"][0]
    support.add_action(store, hid, "nha_dai_doan_ket", status="done", done_date="01/10/2023")
    hh = repo.get(store, "households", hid)
    assert (hh["wall_durable"], hh["frame_durable"], hh["roof_durable"]) == (1, 1, 1)
    assert counts(store, plan_id)["housing_difficulty"][0] == before - 1


def test_job_support_without_member_reaches_the_members_who_asked_for_it(demo):
    store, _, _ = demo
    m = member_where(store, "m.wants_job_support = 1 AND m.got_job_support = 0")
    askers = {r[0] for r in store.query("SELECT id FROM members WHERE household_id = ? AND deleted = 0 AND "
                                        "wants_job_support = 1 AND status = 'present'", (m["household_id"],))}
    support.add_action(store, m["household_id"], "ket_noi_viec_lam", status="done", done_date="01/10/2023")
    helped = {r[0] for r in store.query("SELECT id FROM members WHERE household_id = ? AND got_job_support = 1",
                                        (m["household_id"],))}
    assert askers and askers <= helped


def test_a_measure_without_effect_changes_nothing_and_says_so(demo):
    store, _, _ = demo
    hid = store.scalar("SELECT id FROM households WHERE category = 'near_poor' ORDER BY id LIMIT 1")
    audit = store.scalar("SELECT count(*) FROM audit_log WHERE table_name IN ('members', 'households')")
    row = support.add_action(store, hid, "qua_tet", status="done", done_date="01/10/2023")
    assert row["outcome"].changes == []
    assert store.scalar("SELECT count(*) FROM audit_log WHERE table_name IN ('members', 'households')") == audit


def test_done_in_the_future_is_refused_and_nothing_written(demo):
    store, _, _ = demo
    m = member_where(store, "m.wants_job_support = 1 AND m.got_job_support = 0")
    with pytest.raises(ValidationError, match="tương lai"):
        support.add_action(store, m["household_id"], "ket_noi_viec_lam", member_id=m["id"], status="done",
                           done_date="01/01/2099")
    assert repo.get(store, "members", m["id"])["got_job_support"] == 0
    assert not [a for a in support.list_actions(store, m["household_id"]) if a["done_date"] == "2099-01-01"]


def test_command_line_records_done_and_undo_through_the_same_service(demo, capsys):
    store, plan_id, path = demo
    m = member_where(store, "m.wants_job_support = 1 AND m.got_job_support = 0 AND m.got_job = 0")
    before = counts(store, plan_id)["job_placed"][0]
    code = store.scalar("SELECT household_code FROM households WHERE id = ?", (m["household_id"],))
    actions_before = store.scalar("SELECT count(*) FROM support_actions")
    store.close()
    rc = cli.main(["plan", "action-add", "--db", str(path), "--household", code, "--measure",
                   "gioi_thieu_co_viec_lam", "--member", m["id"], "--planned", "01/09/2023", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["changes"] == []
    action_id = out["action"]["id"]
    rc = cli.main(["plan", "action-done", "--db", str(path), "--action", action_id, "--done-date", "02/10/2023"])
    text = capsys.readouterr().out
    assert rc == 0 and "Có việc làm sau hỗ trợ Không → Có" in text and "Đánh giá lại" in text
    rc = cli.main(["plan", "action-done", "--db", str(path), "--action", action_id])
    assert rc == 1 and "đã ở trạng thái 'Đã xong'" in capsys.readouterr().err
    with open_db(path, user="tester") as s:
        assert counts(s, plan_id)["job_placed"][0] == before + 1
    rc = cli.main(["plan", "action-undo", "--db", str(path), "--action", action_id])
    assert rc == 0 and "Có → Không" in capsys.readouterr().out
    rc = cli.main(["plan", "action-add", "--db", str(path), "--household", "KHÔNG-CÓ", "--measure", "qua_tet"])
    assert rc == 1 and "không tìm thấy hộ" in capsys.readouterr().err
    with open_db(path, user="tester") as s:
        assert counts(s, plan_id)["job_placed"][0] == before
        assert s.scalar("SELECT count(*) FROM support_actions") == actions_before + 1  # the refused one: none
