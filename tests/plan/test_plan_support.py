"""Support actions: validation, audit, flags (able to exit without action, overdue)."""

from __future__ import annotations

from datetime import date

import pytest

from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.plan import support, tracker_queries
from cannngheo_desktop.storage import repo
from tests.plan.plan_fixture import UNIT_A


def _catalogue(store):
    repo.insert_many(store, "support_measures", [
        {"code": "bhyt", "name": "Hỗ trợ mua thẻ BHYT", "body_code": "yte", "unit_code": "01"},
        {"code": "vay_von", "name": "Vay vốn NHCSXH", "body_code": "nhcsxh", "unit_code": "01"},
        {"code": "cu", "name": "Biện pháp cũ", "active": 0, "unit_code": "01"},
    ])


def _count(store, table):
    return store.scalar(f"SELECT count(*) FROM {table}")


def test_add_action_normalises_and_audits(registry):
    store, _ = registry
    _catalogue(store)
    row = support.add_action(store, "h1", "bhyt", planned_date="15/03/2023", amount="1.500.000",
                             funding_source="Quỹ Vì người nghèo")
    assert (row["planned_date"], row["amount"], row["status"], row["body_code"], row["unit_code"]) == (
        "2023-03-15", 1500000, "planned", "yte", UNIT_A)
    assert [h["action"] for h in repo.history(store, "support_actions", row["id"])] == ["insert"]
    listed = support.list_actions(store, "h1")
    assert [(a["measure_name"], a["head_name"]) for a in listed] == [("Hỗ trợ mua thẻ BHYT", "Nguyễn Văn Một")]


@pytest.mark.parametrize(("fields", "field"), [
    ({"status": "done"}, "done_date"),
    ({"status": "planned", "done_date": "2023-03-01"}, "done_date"),
    ({"amount": -1}, "amount"),
    ({"amount": "một triệu"}, "amount"),
    ({"planned_date": "31/02/2023"}, "planned_date"),
    ({"status": "finished"}, "status"),
    ({"member_id": "not-a-member"}, "member_id"),
])
def test_bad_actions_are_refused_and_nothing_is_written(registry, fields, field):
    store, _ = registry
    _catalogue(store)
    before = (_count(store, "support_actions"), _count(store, "audit_log"))
    with pytest.raises(ValidationError) as err:
        support.add_action(store, "h1", "bhyt", **fields)
    assert err.value.field == field and err.value.message
    assert (_count(store, "support_actions"), _count(store, "audit_log")) == before


def test_member_of_another_household_is_refused(registry):
    store, _ = registry
    other = store.scalar("SELECT id FROM members WHERE household_id = 'h2' LIMIT 1")
    own = store.scalar("SELECT id FROM members WHERE household_id = 'h1' LIMIT 1")
    with pytest.raises(ValidationError):
        support.add_action(store, "h1", "any", member_id=other)
    assert support.add_action(store, "h1", "any", member_id=own)["member_id"] == own


def test_unknown_measure_refused_once_the_catalogue_exists(registry):
    store, _ = registry
    assert support.add_action(store, "h1", "tu_nhap")["measure_code"] == "tu_nhap"  # no catalogue yet
    _catalogue(store)
    with pytest.raises(ValidationError) as err:
        support.add_action(store, "h1", "tu_nhap")
    assert "danh mục" in err.value.message
    with pytest.raises(ValidationError):
        support.add_action(store, "h1", "cu")  # retired measure
    with pytest.raises(ValidationError):
        support.add_action(store, "no-such-household", "bhyt")


def test_update_to_done_needs_a_date_and_back_drops_it(registry):
    store, _ = registry
    _catalogue(store)
    a = support.add_action(store, "h1", "bhyt", planned_date="2023-03-15")
    with pytest.raises(ValidationError):
        support.update_action(store, a["id"], {"status": "done"})
    with pytest.raises(ValidationError):
        support.update_action(store, a["id"], {"amount": -5})
    assert repo.get(store, "support_actions", a["id"])["version"] == 1
    done = support.update_action(store, a["id"], {"status": "done", "done_date": "20/03/2023", "amount": 700000})
    assert (done["status"], done["done_date"], done["amount"], done["version"]) == ("done", "2023-03-20", 700000, 2)
    again = support.update_action(store, a["id"], {"status": "in_progress"})
    assert (again["status"], again["done_date"]) == ("in_progress", None)
    fields = {h["field"] for h in repo.history(store, "support_actions", a["id"]) if h["action"] == "update"}
    assert {"status", "done_date", "amount"} <= fields


def test_overdue_actions_with_a_fixed_clock(registry):
    store, _ = registry
    _catalogue(store)
    late = support.add_action(store, "h1", "bhyt", planned_date="2023-03-15")
    support.add_action(store, "h2", "bhyt", planned_date="2023-03-31")  # due today: not late
    support.add_action(store, "h2", "vay_von", planned_date="2023-03-01", status="cancelled")
    support.add_action(store, "h4", "vay_von", planned_date="2023-03-01", status="done", done_date="2023-03-02")
    going = support.add_action(store, "h4", "bhyt", planned_date="2023-02-01", status="in_progress")
    today = date(2023, 3, 31)
    assert sorted(a["id"] for a in support.overdue_actions(store, today)) == sorted([late["id"], going["id"]])
    assert support.overdue_actions(store, today, unit_codes=["nowhere"]) == []
    assert len(support.overdue_actions(store, date(2023, 4, 1))) == 3
    summary = support.action_summary(store, 2023)
    assert summary["counts"] == {"planned": 2, "in_progress": 1, "done": 1, "cancelled": 1}


def test_able_to_exit_flag_clears_with_a_live_action_in_the_year(registry):
    store, _ = registry
    _catalogue(store)
    flagged = lambda: sorted(h["id"] for h in support.households_able_to_exit_without_action(store, 2023))  # noqa: E731
    assert flagged() == ["h1", "h2"]
    support.add_action(store, "h1", "bhyt", planned_date="2022-12-01")  # other year: still flagged
    c = support.add_action(store, "h2", "bhyt", planned_date="2023-04-01", status="cancelled")
    assert flagged() == ["h1", "h2"]
    support.update_action(store, c["id"], {"status": "planned"})
    assert flagged() == ["h1"]
    support.add_action(store, "h1", "vay_von")  # undated: counts for any year
    assert flagged() == []


def test_flow_plan_action_done_progress_changes(registry):
    """Create plan → add action → mark done → flags and progress change."""
    store, plan_id = registry
    _catalogue(store)
    on = date(2023, 6, 30)
    assert sorted(h["id"] for h in tracker_queries.households_behind(
        store, plan_id, UNIT_A, "able_without_action", on)) == ["h1", "h2"]
    a = support.add_action(store, "h1", "vay_von", planned_date="2023-04-01", amount=30000000)
    assert [h["id"] for h in tracker_queries.households_behind(store, plan_id, UNIT_A, "able_without_action", on)
            ] == ["h2"]
    assert [x["id"] for x in support.overdue_actions(store, on)] == [a["id"]]
    support.update_action(store, a["id"], {"status": "done", "done_date": "2023-06-15"})
    assert support.overdue_actions(store, on) == []
    before = tracker_queries.progress(store, plan_id, on).units[0]
    # The household exits near-poverty after the support: the dashboard counts it.
    repo.insert(store, "household_events", {"household_id": "h1", "unit_code": UNIT_A,
                                            "kind": "exited_near_poverty", "event_date": "2023-06-20"})
    repo.update(store, "households", "h1", {"category": "not_poor"})
    after = tracker_queries.progress(store, plan_id, on).units[0]
    assert (before.exited, after.exited) == (2, 3)
    assert (before.status, after.status) == ("đúng tiến độ", "đạt")
    assert (before.current, after.current) == (4, 3)


def test_flow_with_a_plan_made_through_the_plans_service(store):
    """The same flow on a plan created and approved with storage.plans (the tab's path)."""
    from cannngheo_desktop.plan import plans
    from tests.plan.plan_fixture import UNIT_B, build_registry

    build_registry(store)
    plan = plans.create_plan(store, unit_code="01", year=2023, doc_no="90/KH-UBND", doc_date="23/02/2023",
                             target_total=5)
    plans.set_plan_units(store, plan["id"], [
        {"target_unit_code": UNIT_A, "baseline_near_poor": 10, "target_reduction": 3, "total_households": 1000},
        {"target_unit_code": UNIT_B, "baseline_near_poor": 2, "target_reduction": 2, "to_zero": 1,
         "total_households": 500}])
    plans.approve_plan(store, plan["id"])
    on = date(2023, 6, 30)
    assert tracker_queries.resolve_plan(store, year=2023) == plan["id"]
    before = tracker_queries.progress(store, plan["id"], on)
    assert (before.total.target, before.total.exited, before.units[0].status) == (5, 4, "đúng tiến độ")
    a = support.add_action(store, "h2", "tu_nhap", planned_date="01/05/2023")
    support.update_action(store, a["id"], {"status": "done", "done_date": "10/06/2023", "amount": 5000000})
    assert support.households_able_to_exit_without_action(store, 2023, unit_codes=[UNIT_A])[0]["id"] == "h1"
    repo.insert(store, "household_events", {"household_id": "h2", "unit_code": UNIT_A,
                                            "kind": "exited_near_poverty", "event_date": "2023-06-25"})
    after = tracker_queries.progress(store, plan["id"], on)
    assert (after.units[0].exited, after.units[0].status, after.total.status) == (3, "đạt", "đạt")
