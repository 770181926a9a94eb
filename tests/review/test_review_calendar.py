"""Posting end dates in working days (weekends and configured holidays skipped), the steps'
bookkeeping, the event mapping, and the 15-day deadline of ongoing requests."""

from __future__ import annotations

from datetime import date

import pytest

from cannngheo_desktop.review import calendar, decisions, steps
from cannngheo_desktop.review import outcome as rd
from cannngheo_desktop.review import rounds as rv
from cannngheo_desktop.review import settings as review_settings


@pytest.mark.parametrize(("start", "days", "holidays", "end"), [
    (date(2026, 11, 23), 3, [], date(2026, 11, 26)),                    # Mon → Thu
    (date(2026, 11, 27), 3, [], date(2026, 12, 2)),                     # Fri → Wed, weekend skipped
    (date(2026, 11, 28), 3, [], date(2026, 12, 2)),                     # Sat start → Wed
    (date(2026, 12, 31), 3, [date(2027, 1, 1)], date(2027, 1, 6)),      # Thu 31/12, New Year, weekend
    (date(2027, 2, 5), 3, [date(2027, d, 1) for d in (2,)] + [date(2027, 2, 8), date(2027, 2, 9)],
     date(2027, 2, 12)),                                                 # Tết days skipped
    (date(2026, 11, 23), 0, [], date(2026, 11, 23)),
])
def test_posting_end_skips_weekends_and_holidays(start, days, holidays, end):
    assert calendar.posting_end(start, days, holidays) == end


def test_holidays_round_trip_and_bad_entry_named():
    days = [date(2027, 1, 1), date(2026, 9, 2), date(2027, 1, 1)]
    assert calendar.parse_holidays(calendar.format_holidays(days)) == [date(2026, 9, 2), date(2027, 1, 1)]
    with pytest.raises(ValueError, match="02/09/2026"):
        calendar.parse_holidays("2027-01-01, 02/09/2026")


def test_posting_dates_use_the_stored_holidays(commune):
    store, _ids = commune
    review_settings.set_holidays(store, [date(2026, 12, 1)])
    rnd = rv.create_round(store, kind="annual", year=2026, ruleset_code="VN-2027", on=date(2026, 11, 2))
    rnd = rv.set_posting(store, rnd["id"], "27/11/2026")  # Fri; Mon 30, (Tue 1 holiday), Wed 2, Thu 3
    assert rnd["posting_end"] == "2026-12-03"
    assert rnd["steps"]["posting"]["status"] == "doing"


def test_fifteen_day_deadline_flag(commune):
    store, ids = commune
    rnd = rv.create_round(store, kind="ongoing", year=2026, period="2026-11", ruleset_code="VN-2027",
                          on=date(2026, 11, 15))
    assert rv.items(store, rnd["id"]) == []  # an ongoing round lists only requests
    d = rv.record_request(store, rnd["id"], ids["D"], request_date="16/11/2026", request_by="Đặng Thị Ngọc Ánh",
                          request_kind="recognise")
    rv.record_request(store, rnd["id"], ids["E"], request_date="20/11/2026", request_by="Phạm Văn Lương",
                      request_kind="recognise")
    assert rd.overdue_requests(store, date(2026, 12, 1)) == []          # day 15 of D: still in time
    late = rd.overdue_requests(store, date(2026, 12, 2))
    assert [(r["head_name"], r["deadline"]) for r in late] == [("Đặng Thị Ngọc Ánh", "2026-12-01")]
    assert [r["head_name"] for r in rd.overdue_requests(store, date(2026, 12, 6))] == ["Đặng Thị Ngọc Ánh",
                                                                                     "Phạm Văn Lương"]
    # The answer (decision, certificate or written refusal) clears the flag.
    for item in rv.items(store, rnd["id"]):
        rv.record_survey(store, item["id"], phieu_a_result="continue", on=date(2026, 11, 25))
    rd.confirm_decision(store, rnd["id"], decision_no="7/QĐ-UBND", decision_date="27/11/2026")
    assert [r["head_name"] for r in rd.overdue_requests(store, date(2026, 12, 6))] == ["Đặng Thị Ngọc Ánh"]
    rd.issue_certificates(store, rnd["id"], on="28/11/2026", item_ids=[d["id"]])
    assert rd.overdue_requests(store, date(2026, 12, 6)) == []
    cert = rd.certificate_record(store, d["id"])
    assert cert["validity_year"] == 2026 and cert["number"] == "001/GCN-HN.HCN"


def test_calendar_helpers_for_the_deadline():
    asked = date(2026, 11, 16)
    assert calendar.request_deadline(asked) == date(2026, 12, 1)
    assert not calendar.is_overdue(asked, date(2026, 12, 1), answered=False)
    assert calendar.is_overdue(asked, date(2026, 12, 2), answered=False)
    assert not calendar.is_overdue(asked, date(2027, 1, 1), answered=True)


@pytest.mark.parametrize(("before", "after", "kind"), [
    (None, "poor", "became_poor"), ("not_poor", "near_poor", "became_near_poor"),
    ("poor", "near_poor", "poor_to_near_poor"), ("near_poor", "poor", "near_poor_to_poor"),
    ("poor", "average", "exited_poverty"), ("near_poor", "not_poor", "exited_near_poverty"),
    ("poor", "poor", None), (None, "not_poor", None), ("near_poor", "undetermined", None),
])
def test_event_kind_of_each_movement(before, after, kind):
    assert decisions.event_kind(before, after) == kind


def test_steps_marking_done_closes_earlier_steps():
    s = steps.mark(None, "posting", "done", "2026-12-02")
    assert [s[k]["status"] for k in steps.STEPS] == ["done"] * 4 + ["todo"] * 4
    assert steps.current_step(s) == "complaints"
    with pytest.raises(ValueError):
        steps.mark(s, "vote", "done", None)
