"""save_household (one transaction for a household and all its member changes) and record_event."""

from __future__ import annotations

from datetime import date

import pytest

from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.registry import queries as rq
from cannngheo_desktop.registry.editing import record_event, save_household
from cannngheo_desktop.storage import households
from tests.registry.registry_fixtures import UNIT_A, member

TODAY = date(2026, 11, 1)


def _new(store) -> str:
    return save_household(store, {"unit_code": UNIT_A, "village": "Thôn 1", "income_month": 4_000_000},
                          [member("Nguyễn Thị Lan", "head", "1975-03-05", "001175000011"),
                           member("Trần Văn Hùng", "spouse", "1972-08-01")], today=TODAY)


def test_create_then_edit_members_in_one_save(store):
    hid = _new(store)
    ms = households.get_members(store, hid)
    assert [m["full_name"] for m in ms] == ["Nguyễn Thị Lan", "Trần Văn Hùng"]
    edited = [{**ms[0], "full_name": "Nguyễn Thị Lan Anh"}, {**ms[1], "deleted": 1},
              member("Trần Thị Mai", "child", "2010-01-01")]
    save_household(store, {"unit_code": UNIT_A, "village": "Thôn 2"}, edited, household_id=hid, today=TODAY)
    hh = households.get_household(store, hid)
    assert hh["village"] == "Thôn 2" and hh["head_name"] == "Nguyễn Thị Lan Anh" and hh["member_count"] == 2
    assert [m["full_name"] for m in households.get_members(store, hid)] == ["Nguyễn Thị Lan Anh", "Trần Thị Mai"]
    fields = {e["field"] for e in rq.household_history(store, hid)}
    assert {"village", "full_name", "deleted"} <= fields


def test_invalid_household_writes_nothing(store):
    before = store.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(ValidationError) as err:
        save_household(store, {"unit_code": UNIT_A}, [member("A", "spouse", "1990-01-01", "123")], today=TODAY)
    assert err.value.field in {"relation", "cccd"}
    assert store.scalar("SELECT count(*) FROM audit_log") == before


def test_events_change_status_instead_of_deleting(store):
    hid = _new(store)
    ms = households.get_members(store, hid)
    record_event(store, hid, "member_died", "02/02/2026", member_id=ms[1]["id"], today=TODAY)
    assert households.get_household(store, hid)["member_count"] == 1
    record_event(store, hid, "member_born", "03/03/2026", new_member={"full_name": "Trần Bé", "sex": "female"},
                 today=TODAY)
    assert households.get_household(store, hid)["member_count"] == 2
    record_event(store, hid, "id_corrected", "04/03/2026", member_id=ms[0]["id"], new_cccd="001175000099",
                 today=TODAY)
    assert households.get_members(store, hid)[0]["cccd"] == "001175000099"
    record_event(store, hid, "exited_near_poverty", "05/03/2026", decision_no="12/QĐ-UBND", today=TODAY)
    assert households.get_household(store, hid)["category"] == "not_poor"
    record_event(store, hid, "moved_away", "06/03/2026", today=TODAY)
    assert rq.count_households(store, rq.ListQuery()) == 0
    assert rq.count_households(store, rq.ListQuery(include_removed=True, search="nguyen thi lan")) == 1
    kinds = [e["kind"] for e in rq.list_events(store, hid)]
    assert kinds[0] == "moved_away" and len(kinds) == 5


def test_event_refuses_bad_input(store):
    hid = _new(store)
    with pytest.raises(ValidationError):
        record_event(store, hid, "moved_away", "01/01/2099", today=TODAY)
    with pytest.raises(ValidationError):
        record_event(store, hid, "member_died", "01/01/2026", today=TODAY)
    with pytest.raises(ValidationError):
        record_event(store, hid, "merged_duplicate", "01/01/2026", today=TODAY)
    assert rq.list_events(store, hid) == []


def test_saving_unchanged_values_writes_no_history(store):
    hid = save_household(store, {"unit_code": UNIT_A, "devices": ["tv", "computer"], "needs_text": None},
                         [member("Nguyễn Thị Lan", "head", "1975-03-05")], today=TODAY)
    before = len(rq.household_history(store, hid))
    ms = households.get_members(store, hid)
    save_household(store, {"unit_code": UNIT_A, "devices": ["computer", "tv"], "needs_text": "",
                           "is_merit": False}, [{**ms[0], "cccd": ""}], household_id=hid, today=TODAY)
    assert len(rq.household_history(store, hid)) == before
