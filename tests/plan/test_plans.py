"""Plans: drafts edit freely, approval checks the sums and locks, amendments are recorded."""

from __future__ import annotations

import pytest

from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.plan import appendix, plans
from cannngheo_desktop.storage import repo

ROWS = [
    {"target_unit_code": "00679", "baseline_near_poor": 62, "total_households": 3483, "target_reduction": 9},
    {"target_unit_code": "00658", "baseline_near_poor": 3, "total_households": 7300, "target_reduction": 3,
     "to_zero": True},
    {"target_unit_code": "00640", "baseline_near_poor": 2, "total_households": 5080, "target_reduction": 2,
     "to_zero": True},
]


@pytest.fixture
def draft(installed_store):
    plan = plans.create_plan(installed_store, unit_code="020", year=2023, doc_no="90/KH-UBND",
                             doc_date="23/02/2023", target_total=14)
    plans.set_plan_units(installed_store, plan["id"], ROWS)
    return installed_store, plan["id"]


def test_create_plan_normalises_dates_and_refuses_a_second_plan(draft) -> None:
    store, plan_id = draft
    plan = plans.get_plan(store, plan_id)
    assert plan["doc_date"] == "2023-02-23" and plan["baseline_date"] == "2023-01-01"
    assert [u["target_unit_code"] for u in plan["units"]] == ["00679", "00658", "00640"]
    with pytest.raises(ValidationError, match="đã có kế hoạch năm 2023"):
        plans.create_plan(store, unit_code="020", year=2023)
    assert [p["id"] for p in plans.list_plans(store, unit_code="020")] == [plan_id]


def test_plan_table_rates_and_total(draft) -> None:
    store, plan_id = draft
    table = appendix.plan_table(store, plan_id)
    assert [(r["tt"], r["unit_name"], r["rate"]) for r in table] == [
        (1, "Đại Áng", 1.78), (2, "Tứ Hiệp", 0.04), (3, "TT Văn Điển", 0.04), (None, "Toàn huyện", 0.42)]  # 67 / 15863
    total = table[-1]
    assert total["is_total"] and total["baseline_near_poor"] == 67 and total["target_reduction"] == 14
    assert total["total_households"] == 3483 + 7300 + 5080


@pytest.mark.parametrize(("row", "field"), [
    ({"target_unit_code": "00679", "baseline_near_poor": 5, "target_reduction": 6}, "target_reduction"),
    ({"target_unit_code": "00679", "baseline_near_poor": 50, "total_households": 40}, "total_households"),
    ({"target_unit_code": "00679", "baseline_near_poor": -1}, "baseline_near_poor"),
    ({"target_unit_code": "99999", "baseline_near_poor": 1}, "target_unit_code"),
])
def test_bad_unit_rows_are_refused_without_writing(draft, row, field) -> None:
    store, plan_id = draft
    before = store.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(ValidationError) as err:
        plans.set_plan_units(store, plan_id, [*ROWS[1:], row])
    assert err.value.field == field
    assert store.scalar("SELECT count(*) FROM audit_log") == before


def test_set_plan_units_replaces_rows(draft) -> None:
    store, plan_id = draft
    plans.set_plan_units(store, plan_id, ROWS[:2])
    assert [u["target_unit_code"] for u in plans.plan_units(store, plan_id)] == ["00679", "00658"]
    assert store.scalar("SELECT deleted FROM plan_units WHERE target_unit_code = '00640'") == 1


def test_approval_checks_sums_and_to_zero_units(draft) -> None:
    store, plan_id = draft
    plans.update_plan(store, plan_id, {"target_total": 15})
    with pytest.raises(ValidationError, match="khác chỉ tiêu chung"):
        plans.approve_plan(store, plan_id)
    plans.update_plan(store, plan_id, {"target_total": 13})
    plans.set_plan_units(store, plan_id, [ROWS[0], {**ROWS[1], "target_reduction": 2}, ROWS[2]])
    with pytest.raises(ValidationError, match="phấn đấu về 0"):
        plans.approve_plan(store, plan_id)
    assert plans.get_plan(store, plan_id)["status"] == "draft"


def test_approved_plan_is_locked_and_amendments_are_recorded(draft) -> None:
    store, plan_id = draft
    plans.add_objective(store, plan_id, kind="health_insurance_members", label="Thành viên có thẻ BHYT",
                        target_value=100)
    approved = plans.approve_plan(store, plan_id)
    assert approved["status"] == "approved" and approved["approved_by"] == store.user
    for attempt in (lambda: plans.update_plan(store, plan_id, {"doc_no": "91/KH-UBND"}),
                    lambda: plans.set_plan_units(store, plan_id, ROWS[:1]),
                    lambda: plans.add_objective(store, plan_id, kind="safe_water", label="Nước sạch")):
        with pytest.raises(ValidationError, match="đã được phê duyệt"):
            attempt()
    with pytest.raises(ValidationError, match="lý do"):
        plans.amend_plan(store, plan_id, "  ", {"plan": {"target_total": 15}})
    with pytest.raises(ValidationError, match="không còn khớp"):  # 15 ≠ 9 + 3 + 2
        plans.amend_plan(store, plan_id, "Tăng chỉ tiêu", {"plan": {"target_total": 15}})
    assert plans.get_plan(store, plan_id)["target_total"] == 14  # the refused amendment left nothing

    amendment = plans.amend_plan(
        store, plan_id, "UBND huyện giao thêm 1 hộ cho Đại Áng",
        {"plan": {"target_total": 15}, "units": [{"target_unit_code": "00679", "target_reduction": 10}],
         "objectives": [{"kind": "safe_water", "label": "Hộ dùng nước sạch", "target_value": 100}]},
        amended_on="01/06/2023")
    plan = plans.get_plan(store, plan_id)
    assert plan["amendment_no"] == 1 and plan["target_total"] == 15 and plan["status"] == "approved"
    assert plan["units"][0]["target_reduction"] == 10
    assert [o["kind"] for o in plan["objectives"]] == ["health_insurance_members", "safe_water"]
    assert amendment["amended_on"] == "2023-06-01"
    assert amendment["changes"]["plan"] == {"target_total": [14, 15]}
    assert amendment["changes"]["units"] == {"00679": {"target_reduction": [9, 10]}}
    assert [a["reason"] for a in plan["amendments"]] == ["UBND huyện giao thêm 1 hộ cho Đại Áng"]
    assert [h["field"] for h in repo.history(store, "plans", plan_id) if h["field"]][-2:] == [
        "target_total", "amendment_no"]


def test_milestones_stay_editable_after_approval(draft) -> None:
    store, plan_id = draft
    m = plans.add_milestone(store, plan_id, title="Phân loại hộ", due_date="28/02/2023", body_code="ubnd_xa")
    plans.approve_plan(store, plan_id)
    done = plans.update_milestone(store, m["id"], {"status": "done", "done_date": "2023-02-27"})
    assert done["status"] == "done" and done["done_date"] == "2023-02-27"
    plans.add_milestone(store, plan_id, title="Báo cáo 6 tháng", due_date="2023-06-30")
    assert [x["title"] for x in plans.list_milestones(store, plan_id)] == ["Phân loại hộ", "Báo cáo 6 tháng"]
    with pytest.raises(ValidationError):
        plans.update_milestone(store, m["id"], {"status": "finished"})
    with pytest.raises(ValidationError):
        plans.add_milestone(store, plan_id, title="", due_date="2023-06-30")


def test_objectives_take_direction_and_unit_from_the_fact(draft) -> None:
    store, plan_id = draft
    zero_poor = plans.add_objective(store, plan_id, kind="poor_households", label="Không còn hộ nghèo",
                                    target_value=0)
    insured = plans.add_objective(store, plan_id, kind="health_insurance_members", label="BHYT",
                                  target_value=100)
    assert (zero_poor["comparison"], zero_poor["measure_unit"]) == ("<=", "hộ")
    assert (insured["comparison"], insured["measure_unit"]) == (">=", "%")
    with pytest.raises(ValidationError, match="không phải chỉ tiêu đo được"):
        plans.add_objective(store, plan_id, kind="made_up", label="?")
