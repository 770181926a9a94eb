"""Deadlines of each step (Decision 24/2021/QĐ-TTg, worked by hand from its articles) and the
village meeting's vote (at least 50% of those present)."""

from __future__ import annotations

from datetime import date

import pytest

from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.review import deadlines
from cannngheo_desktop.review import meetings as rm
from cannngheo_desktop.review import rounds as rv


def _round(**kw) -> dict:
    base = {"kind": "annual", "year": 2025, "period": None, "ruleset_code": "VN-2022", "posting_days": 3,
            "posting_start": None, "posting_end": None, "steps": None}
    return {**base, **kw}


def test_annual_round_under_decree_07_ends_on_14_december():
    found = deadlines.step_deadlines(_round())
    assert found["decision"].due == date(2025, 12, 14) and found["decision"].confirmed
    assert found["survey"].due == date(2025, 12, 14)
    assert found["posting"].due is None  # not set yet: the period is said instead of a date
    assert found["posting"].label() == "03 ngày làm việc từ ngày niêm yết"
    assert found["certificates"].due is None and "chưa có thời hạn" in found["certificates"].label()
    assert "Điều 3 khoản 1 điểm a" in found["decision"].rule


def test_ongoing_round_fifteen_days_from_the_fifteenth_and_report_on_the_fifth():
    found = deadlines.step_deadlines(_round(kind="ongoing", period="2025-11"))
    assert found["decision"].due == date(2025, 11, 30)  # 15/11 + 15 days
    assert found["certificates"].due == date(2025, 11, 30)
    assert found["report"].due == date(2025, 12, 5)
    december = deadlines.step_deadlines(_round(kind="ongoing", period="2025-12"))
    assert december["report"].due == date(2026, 1, 5)


def test_rounds_under_decree_351_are_marked_unconfirmed():
    for rnd in (_round(year=2027), _round(year=2026, ruleset_code="VN-2027")):
        found = deadlines.step_deadlines(rnd)
        assert not found["decision"].confirmed and "351/2025" in found["decision"].source
        assert found["decision"].label().endswith("(chưa xác nhận)")


def test_posting_deadline_and_states():
    found = deadlines.step_deadlines(_round(posting_start="2025-11-28", posting_end="2025-12-03"))
    posting = found["posting"]
    assert posting.due == date(2025, 12, 3) and found["complaints"].due == date(2025, 12, 3)
    assert deadlines.state(posting, "doing", date(2025, 11, 28)) == "open"
    assert deadlines.state(posting, "doing", date(2025, 12, 1)) == "soon"
    assert deadlines.state(posting, "doing", date(2025, 12, 4)) == "ended"  # a period that ran out, not lateness
    assert deadlines.state(found["decision"], "todo", date(2025, 12, 15)) == "late"
    assert deadlines.state(posting, "done", date(2025, 12, 4)) == "done"


def test_vote_rule_and_bad_counts(commune):
    store, _ids = commune
    assert rm.vote_passes(30, 15) and not rm.vote_passes(30, 14) and rm.vote_passes(31, 16)
    assert not rm.vote_passes(31, 15) and rm.vote_passes(30, None)
    rnd = rv.create_round(store, kind="annual", year=2026, ruleset_code="VN-2027", on=date(2026, 11, 2))
    for item in rv.items(store, rnd["id"], village="Thôn Một"):
        rv.record_survey(store, item["id"], phieu_a_result="continue", on=date(2026, 11, 5))
    for kw, field in (({"votes_for": 31}, "votes_for"), ({"votes_for": 20, "votes_against": 11}, "votes_against"),
                      ({"votes_for": "nhiều"}, "votes_for"), ({"chair": "x" * 101}, "chair")):
        with pytest.raises(ValidationError) as info:
            rm.record_meeting(store, rnd["id"], village="Thôn Một", meeting_date="16/11/2026", attendees=30, **kw)
        assert info.value.field == field
    assert rm.meetings(store, rnd["id"]) == []
    failed = rm.record_meeting(store, rnd["id"], village="Thôn Một", meeting_date="16/11/2026", attendees=30,
                               votes_for=10, votes_against=20)
    assert failed["passed"] == 0
    assert all(i["surveyed_on"] is None and i["meeting_result"] is None
               for i in rv.items(store, rnd["id"], village="Thôn Một"))
