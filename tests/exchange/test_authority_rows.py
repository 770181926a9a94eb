"""Rows a sender may write (issue 15, point 2): its own unit code, references only to rows it owns
(earlier in the bundle or stored here under its code) or to shared reference data, and never an
id stored here under another unit. Bundles are signed with the sender's real keys."""

from __future__ import annotations

import pytest

from cannngheo_desktop.exchange import export, importer
from cannngheo_desktop.exchange.authority import IdSet, RowGuard
from cannngheo_desktop.plan import plans, support
from cannngheo_desktop.storage import households, repo
from tests.exchange.bundle_helpers import COMMUNE, OFFICE, PASS, rows_of
from tests.exchange.forge import forge, new_id, refused, row

NEIGHBOUR = "00643"  # Xã Tân Triều: another commune the office receives for


def _office_plan(pair):
    """The office's own plan: 505 near-poor households at baseline for the commune."""
    plan = plans.create_plan(pair.office, unit_code=OFFICE, year=2026, title="Kế hoạch 2026 của huyện")
    plans.set_plan_units(pair.office, plan["id"], [
        {"target_unit_code": COMMUNE, "baseline_near_poor": 505, "target_reduction": 50}])
    return plan


def _baseline(store, plan_id):
    return store.scalar("SELECT sum(baseline_near_poor) FROM plan_units WHERE plan_id = ? AND deleted = 0",
                        (plan_id,))


def _neighbour_household(pair):
    """A household of another commune, already at the office."""
    hid = households.add_households(pair.office, [(
        {"unit_code": NEIGHBOUR, "village": "Thôn 2", "household_code": "N1"},
        [{"full_name": "Trần Thị Lân", "relation": "head", "birth_date": "1970-02-02"}])])[0]
    return hid


def test_a_commune_cannot_add_plan_units_to_the_office_plan(pair):
    plan = _office_plan(pair)
    extra = row(COMMUNE, plan_id=plan["id"], target_unit_code=COMMUNE, baseline_near_poor=999,
                baseline_poor=0, baseline_typed=1, target_reduction=0, to_zero=0, sort_order=2)
    path = forge(pair.commune, pair.office, "commune-report", [("plan_units", extra)], pair.outbox)
    refused(pair, pair.office, path,
            f"bảng plan_units, dòng {extra['id']}: kế hoạch {plan['id']} thuộc đơn vị {OFFICE}, "
            f"đơn vị gửi {COMMUNE} không được sửa")
    assert _baseline(pair.office, plan["id"]) == 505  # not 1504


@pytest.mark.parametrize("table, fields", [
    ("plan_objectives", {"kind": "exit_rate", "label": "Tỷ lệ thoát", "target_value": 100.0}),
    ("plan_amendments", {"amendment_no": 1, "amended_on": "2026-01-10", "reason": "giả mạo"}),
    ("milestones", {"title": "Đã xong hết", "due_date": "2026-12-31", "status": "done"}),
])
def test_a_commune_cannot_attach_rows_to_the_office_plan(pair, table, fields):
    plan = _office_plan(pair)
    forged = row(COMMUNE, plan_id=plan["id"], **fields)
    path = forge(pair.commune, pair.office, "commune-report", [(table, forged)], pair.outbox)
    refused(pair, pair.office, path, f"bảng {table}, dòng {forged['id']}: kế hoạch {plan['id']} thuộc đơn vị {OFFICE}")


def test_a_commune_cannot_overwrite_the_office_milestone(pair):
    plan = _office_plan(pair)
    mid = plans.add_milestone(pair.office, plan["id"], title="Rà soát giữa năm", due_date="2026-06-30")["id"]
    done = row(COMMUNE, id=mid, plan_id=plan["id"], title="Rà soát giữa năm", due_date="2026-06-30",
               status="done", done_date="2026-01-02", version=9)
    path = forge(pair.commune, pair.office, "commune-report", [("milestones", done)], pair.outbox)
    refused(pair, pair.office, path, f"bảng milestones, dòng {mid}: dòng này đã có ở đây và thuộc đơn vị {OFFICE}")


def test_plan_units_of_a_commune_plan_may_only_target_the_commune(pair):
    plan = row(COMMUNE, year=2026, title="Kế hoạch của xã")
    other = row(COMMUNE, plan_id=plan["id"], target_unit_code=NEIGHBOUR, baseline_near_poor=7)
    bad_code = row(COMMUNE, plan_id=plan["id"], target_unit_code="../x")
    path = forge(pair.commune, pair.office, "commune-report",
                 [("plans", plan), ("plan_units", other), ("plan_units", bad_code)], pair.outbox)
    refused(pair, pair.office, path, f"dòng {other['id']}: chỉ tiêu cho đơn vị {NEIGHBOUR}",
            f"dòng {bad_code['id']}: mã đơn vị '../x' ở cột target_unit_code không hợp lệ")


@pytest.mark.parametrize("table, fields", [
    ("members", {"full_name": "Kẻ Lạ", "relation": "child", "status": "present", "sort_order": 9}),
    ("assessments", {"ruleset_code": "HN-2022", "assessed_on": "2026-01-10", "inputs": "{}", "results": "{}",
                     "category": "poor"}),
    ("support_actions", {"measure_code": "bhyt_can_ngheo", "status": "planned"}),
    ("household_events", {"kind": "exited_near_poverty", "event_date": "2026-01-10"}),
    ("review_items", None),
])
def test_rows_cannot_hang_on_a_household_of_another_unit(pair, table, fields):
    victim = _neighbour_household(pair)
    lines = []
    if fields is None:  # a review item of the commune's own review, about the neighbour's household
        review = row(COMMUNE, kind="ongoing", year=2026, ruleset_code="HN-2022", status="open")
        lines.append(("reviews", review))
        fields = {"review_id": review["id"]}
    forged = row(COMMUNE, household_id=victim, **fields)
    lines.append((table, forged))
    path = forge(pair.commune, pair.office, "commune-report", lines, pair.outbox)
    refused(pair, pair.office, path, f"bảng {table}, dòng {forged['id']}: hộ {victim} thuộc đơn vị {NEIGHBOUR}, "
                                     f"đơn vị gửi {COMMUNE} không được sửa")


def test_a_duplicate_decision_cannot_name_a_household_of_another_unit(pair):
    victim = _neighbour_household(pair)
    own = pair.add_households(1)[0]
    export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    importer.apply_bundle(pair.office, pair.outbox / f"{COMMUNE}-2026-01-1.cnb", PASS)
    decision = row(COMMUNE, household_a=own, household_b=victim, decision="not_duplicate")
    path = forge(pair.commune, pair.office, "commune-report", [("duplicate_decisions", decision)], pair.outbox)
    msg = refused(pair, pair.office, path, f"dòng {decision['id']}: hộ {victim} thuộc đơn vị {NEIGHBOUR}")
    assert own not in msg  # its own household, stored at the office from bundle 1, is fine


def test_a_reference_to_a_row_that_exists_nowhere_is_refused(pair):
    ghost = new_id()
    member = row(COMMUNE, household_id=ghost, full_name="Không Nhà", status="present", sort_order=0)
    path = forge(pair.commune, pair.office, "commune-report", [("members", member)], pair.outbox)
    refused(pair, pair.office, path, f"hộ {ghost} không có trong gói và chưa có ở đây")


def test_children_before_their_parent_are_refused(pair):
    hh = row(COMMUNE, household_code="H1", member_count=1)
    member = row(COMMUNE, household_id=hh["id"], full_name="Con Trước", status="present", sort_order=0)
    path = forge(pair.commune, pair.office, "commune-report", [("members", member), ("households", hh)],
                 pair.outbox)
    refused(pair, pair.office, path, f"bảng members, dòng {member['id']}: hộ {hh['id']} không có trong gói")


@pytest.mark.parametrize("newer", [True, False])
def test_an_id_of_another_unit_is_never_overwritten(pair, newer):
    victim = _neighbour_household(pair)
    stored = repo.get(pair.office, "households", victim)
    taken = row(COMMUNE, id=victim, household_code="CƯỚP", member_count=0,
                version=stored["version"] + 5 if newer else 1)
    path = forge(pair.commune, pair.office, "commune-report", [("households", taken)], pair.outbox)
    refused(pair, pair.office, path, f"bảng households, dòng {victim}: dòng này đã có ở đây và thuộc đơn vị "
                                     f"{NEIGHBOUR}; đơn vị gửi {COMMUNE} không được ghi đè")


def test_an_office_cannot_overwrite_shipped_reference_rows_or_send_bad_unit_codes(pair):
    shipped = dict(pair.commune.query_one("SELECT * FROM units WHERE code = ? ORDER BY valid_from", (COMMUNE,)))
    shipped.update(unit_code=OFFICE, name="Đổi tên", version=shipped["version"] + 1)
    bad = row(OFFICE, id="../x@", code="../x", name="Lạ", kind="commune", parent_code="٣٣", area="rural")
    path = forge(pair.office, pair.commune, "reference", [("units", shipped), ("units", bad)], pair.outbox)
    refused(pair, pair.commune, path, f"dòng {shipped['id']}: dòng này đã có ở đây và thuộc đơn vị *",
            "mã đơn vị '../x' ở cột code không hợp lệ", "ở cột parent_code không hợp lệ")


def test_the_office_plan_rows_must_reference_its_own_plan(pair):
    commune_plan = plans.create_plan(pair.commune, unit_code=COMMUNE, year=2026, title="Kế hoạch của xã")
    objective = row(OFFICE, plan_id=commune_plan["id"], kind="exit_rate", label="Chỉ tiêu áp đặt")
    path = forge(pair.office, pair.commune, "reference", [("plan_objectives", objective)], pair.outbox)
    refused(pair, pair.commune, path, f"kế hoạch {commune_plan['id']} thuộc đơn vị {COMMUNE}, đơn vị gửi {OFFICE}")


def test_legit_flows_pass_both_ways(pair):
    ids = pair.add_households(3)
    support.add_action(pair.commune, ids[0], "bhyt_can_ngheo", planned_date="2026-02-01")
    own_plan = plans.create_plan(pair.commune, unit_code=COMMUNE, year=2026, title="Kế hoạch của xã")
    plans.set_plan_units(pair.commune, own_plan["id"], [{"target_unit_code": COMMUNE, "target_reduction": 3}])
    plans.add_milestone(pair.commune, own_plan["id"], title="Họp thôn", due_date="2026-03-01")
    first = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    assert importer.apply_bundle(pair.office, first, PASS).status == "applied"
    # bundle 2: children of households stored at the office from bundle 1 (owned: fine)
    support.add_action(pair.commune, ids[1], "bhyt_can_ngheo", planned_date="2026-03-01")
    second = export.export_bundle(pair.commune, "2026-02", pair.outbox, PASS)
    res = importer.apply_bundle(pair.office, second, PASS)
    assert res.status == "applied", res.message
    for table in ("households", "members", "support_actions", "plans", "plan_units", "milestones"):
        assert rows_of(pair.office, table) == rows_of(pair.commune, table), table
    # down: the office's plan, targets for the commune, and a unit it adds
    plan = _office_plan(pair)
    plans.add_milestone(pair.office, plan["id"], title="Báo cáo quý", due_date="2026-03-31")
    repo.insert(pair.office, "units", {"id": "99001@2026-01-01", "code": "99001", "name": "Xã Mới", "kind": "commune",
                                       "parent_code": OFFICE, "area": "rural", "valid_from": "2026-01-01",
                                       "unit_code": OFFICE})
    down = export.export_reference(pair.office, COMMUNE, "2026-01", pair.outbox, PASS)
    res = importer.apply_bundle(pair.commune, down, PASS)
    assert res.status == "applied", res.message
    for table in ("plans", "plan_units", "milestones", "units"):
        assert rows_of(pair.commune, table, OFFICE) == rows_of(pair.office, table, OFFICE), table


def test_the_guard_remembers_ids_only_across_chunks(pair):
    hh = row(COMMUNE, household_code="H1")
    guard = RowGuard(pair.office, COMMUNE, "commune-report")
    assert guard.check("households", [hh]) == []
    member = row(COMMUNE, household_id=hh["id"], full_name="A")
    assert guard.check("members", [member]) == []
    assert hh["id"] in guard.seen["households"] and member["id"] in guard.seen["members"]
    assert new_id() not in guard.seen["households"]
    stranger = row(COMMUNE, household_id=new_id(), full_name="B")
    assert len(guard.check("members", [member, stranger])) == 1


def test_a_review_round_travels_in_one_bundle(pair):
    """Assessments point to their review round and review items to assessments: the tables go up
    parents first (payload.UPWARD_TABLES), so a whole round in one bundle passes the guard."""
    from datetime import date

    from cannngheo_desktop.storage import assessments

    hid = pair.add_households(1)[0]
    review = repo.insert(pair.commune, "reviews", {"unit_code": COMMUNE, "kind": "ongoing", "year": 2026,
                                                   "ruleset_code": "HN-2022"})
    saved = assessments.assess_household(pair.commune, hid, "HN-2022", date(2026, 1, 10))
    aid = saved["id"] if isinstance(saved, dict) else saved.id
    repo.update(pair.commune, "assessments", aid, {"review_id": review["id"]})
    repo.insert(pair.commune, "review_items", {"unit_code": COMMUNE, "review_id": review["id"], "household_id": hid,
                                               "assessment_id": aid})
    path = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    res = importer.apply_bundle(pair.office, path, PASS)
    assert res.status == "applied", res.message
    for table in ("reviews", "assessments", "review_items"):
        assert rows_of(pair.office, table) == rows_of(pair.commune, table), table


def test_the_id_set_keeps_8_bytes_an_id_and_finds_every_one():
    ids = [new_id() for _ in range(20_000)]
    found = IdSet()
    for i in range(0, len(ids), 500):  # chunk by chunk, as the import streams
        found.update(ids[i:i + 500])
    assert all(i in found for i in ids)
    assert not any(new_id() in found for _ in range(2_000))
    assert sum(len(run) for run in found._runs) == len(ids)
    assert len(found._runs) <= 2 * len(ids).bit_length()
    assert sum(run.itemsize * len(run) for run in found._runs) == 8 * len(ids)
    assert "\ud800" not in found and 5 not in found


def test_ids_that_are_not_text_are_refused_not_crashed_on(pair):
    guard = RowGuard(pair.office, COMMUNE, "commune-report")
    member = row(COMMUNE, id="\ud800x", household_id="\udfffy", full_name="A")
    errors = guard.check("members", [member])
    assert any("mã dòng không phải văn bản hợp lệ" in e for e in errors), errors
    assert any("cột household_id sai kiểu" in e for e in errors), errors


def test_audit_entries_only_about_rows_the_sender_owns(pair):
    plan = _office_plan(pair)
    unit_row = pair.office.scalar("SELECT id FROM plan_units WHERE plan_id = ?", (plan["id"],))
    own = row(COMMUNE, household_code="H1")
    entries = [
        {"id": 1, "at": "2026-01-10T08:00:00Z", "user": "canbo", "table_name": "households", "row_id": own["id"],
         "action": "insert", "field": None, "before": None, "after": "{}"},
        {"id": 2, "at": "2026-01-10T08:00:00Z", "user": "phong", "table_name": "plan_units", "row_id": unit_row,
         "action": "update", "field": "baseline_near_poor", "before": "505", "after": "1504"},
    ]
    path = forge(pair.commune, pair.office, "commune-report",
                 [("households", own), *(("audit_log", e) for e in entries)], pair.outbox)
    msg = refused(pair, pair.office, path, f"nhật ký mục 2: ghi về bảng plan_units, dòng {unit_row} — dòng "
                                           f"thuộc đơn vị {OFFICE}")
    assert "nhật ký mục 1" not in msg  # the entry about its own household is fine


@pytest.mark.parametrize("where", ["id", "household_code"])
def test_a_lone_surrogate_in_a_row_is_refused_without_a_traceback(pair, where):
    import json

    hh = row(COMMUNE, household_code="H1")
    hh[where] = "\ud800" + hh[where]
    path = forge(pair.commune, pair.office, "commune-report", [("households", json.dumps(hh))], pair.outbox)
    refused(pair, pair.office, path, "có ký tự Unicode không hợp lệ")


def test_the_demo_office_plan_stays_at_505(pair):
    """The issue's reproduction on the demo office: 999 more near-poor households slipped into the
    plan of Thanh Trì by one signed report made its baseline 1504."""
    from cannngheo_desktop.demo.build import build_demo

    plan_id = build_demo(pair.office)["plan_id"]
    assert _baseline(pair.office, plan_id) == 505
    extra = row(COMMUNE, plan_id=plan_id, target_unit_code=COMMUNE, baseline_near_poor=999, baseline_typed=1)
    path = forge(pair.commune, pair.office, "commune-report", [("plan_units", extra)], pair.outbox)
    refused(pair, pair.office, path, f"kế hoạch {plan_id} thuộc đơn vị {OFFICE}, đơn vị gửi {COMMUNE} không được sửa")
    assert _baseline(pair.office, plan_id) == 505


def test_a_bundle_ahead_of_a_gap_carries_its_parents_and_waits(pair):
    """Bundle 2 adds a support action to a household first sent in bundle 1. Exports carry every
    change since the last receipt, so bundle 2 carries that household again: imported first it
    passes the ownership checks and waits, then applies after bundle 1."""
    hid = pair.add_households(1)[0]
    first = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    support.add_action(pair.commune, hid, "bhyt_can_ngheo", planned_date="2026-02-01")
    second = export.export_bundle(pair.commune, "2026-02", pair.outbox, PASS)
    assert export.preview_export(pair.commune, "2026-03").tables["households"] == {"new": 1, "changed": 0}
    waiting = importer.apply_bundle(pair.office, second, PASS)
    assert waiting.status == "waiting", waiting.message
    done = importer.apply_bundle(pair.office, first, PASS)
    assert done.status == "applied" and [r.status for r in done.also_applied] == ["applied"], done.message
    assert rows_of(pair.office, "support_actions") == rows_of(pair.commune, "support_actions")
