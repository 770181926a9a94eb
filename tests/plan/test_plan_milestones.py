"""Overdue milestones with a fixed clock, and the start-up text."""

from __future__ import annotations

from datetime import date

from cannngheo_desktop.plan import milestones as ms
from cannngheo_desktop.plan import tracker_queries
from cannngheo_desktop.storage import repo

TODAY = date(2023, 3, 31)
TIMELINE = [
    {"title": "Phân loại hộ", "due_date": "2023-02-28", "status": "open"},
    {"title": "Kế hoạch hỗ trợ chi tiết", "due_date": "2023-03-15", "status": "open"},
    {"title": "Báo cáo nhu cầu nhà ở", "due_date": "2023-03-30", "status": "open"},
    {"title": "Họp giao ban", "due_date": "2023-03-31", "status": "open"},  # due today: not late
    {"title": "Rà soát sớm", "due_date": "2023-01-10", "status": "done"},
    {"title": "Việc bỏ", "due_date": "2023-01-10", "status": "cancelled"},
    {"title": "Hoàn thành hỗ trợ", "due_date": "2023-08-31", "status": "open"},
]


def test_overdue_is_open_and_due_before_today():
    late = ms.overdue(TIMELINE, TODAY)
    assert [m["title"] for m in late] == ["Phân loại hộ", "Kế hoạch hỗ trợ chi tiết", "Báo cáo nhu cầu nhà ở"]
    assert ms.summary(TIMELINE, TODAY) == "3 việc quá hạn"
    assert ms.days_late(TIMELINE[0], TODAY) == 31 and ms.days_late(TIMELINE[3], TODAY) == 0


def test_one_day_later_the_due_today_item_is_late_too():
    assert ms.summary(TIMELINE, date(2023, 4, 1)) == "4 việc quá hạn"
    assert ms.summary(TIMELINE, date(2023, 2, 28)) == ""
    assert ms.is_overdue({"due_date": date(2023, 1, 1), "status": "open"}, TODAY)


def test_startup_text_from_the_database(registry):
    store, plan_id = registry
    repo.insert_many(store, "milestones", [{**m, "unit_code": "01", "plan_id": plan_id} for m in TIMELINE])
    assert tracker_queries.startup_overdue_text(store, TODAY) == "3 việc quá hạn"
    late = tracker_queries.overdue_milestones(store, TODAY)
    repo.update(store, "milestones", late[0]["id"], {"status": "done", "done_date": "2023-03-31"})
    assert tracker_queries.startup_overdue_text(store, TODAY) == "2 việc quá hạn"
