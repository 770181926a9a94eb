"""Village meetings of a review round (họp dân): the minutes and the vote.

Decision 24/2021/QĐ-TTg (the procedure under Decree 07/2021/NĐ-CP) has the village meeting
agree the survey's results by at least 50% of those present; below that the households are
surveyed again and the village meets again. A meeting whose vote fails is kept (its minutes
say so) and puts the village's households back on the survey work list.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..core.errors import ValidationError
from ..storage import repo
from ..storage.db import Store
from . import decisions
from .rounds import _advance, _open_round, as_date, capped, category_label, items

MAX_ATTENDEES = 100_000
PASS_SHARE = 0.5  # "ít nhất 50% tổng số người tham dự"


def vote_passes(attendees: int, votes_for: int | None) -> bool:
    """True when the meeting agreed: no vote recorded (older minutes) or at least half of
    those present voted for the results."""
    return votes_for is None or votes_for >= attendees * PASS_SHARE


def _count(value: Any, field: str, label: str, upper: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{label} phải là số nguyên, không phải '{value}'.", field=field) from None
    if not 0 <= number <= upper:
        raise ValidationError(f"{label} phải từ 0 đến {upper}, không phải {number}.", field=field)
    return number


def _clean(text: str | None, field: str, label: str, limit: int = 100) -> str | None:
    value = " ".join((text or "").split())
    if len(value) > limit:
        raise ValidationError(f"{label} dài quá {limit} ký tự.", field=field)
    return value or None


def record_meeting(store: Store, review_id: str, *, village: str | None, meeting_date: date | str,
                   attendees: int, agreed: str = "", disagreements: str = "",
                   results: Mapping[str, str] | None = None, notes: Mapping[str, str] | None = None,
                   votes_for: int | None = None, votes_against: int | None = None,
                   chair: str | None = None, secretary: str | None = None) -> dict[str, Any]:
    """Minutes of one village meeting, in one transaction. Every household of the village must
    be surveyed; the meeting agrees the proposal unless ``results`` (item id → category) says
    otherwise; a changed category needs a note (``notes``: item id → text), written into the
    minutes' disagreements as "Hộ …: đề xuất … → họp dân … (note)". With a vote whose
    ``votes_for`` is under half of ``attendees`` the minutes are kept with ``passed`` 0 and
    the village's households go back to the survey (nothing is agreed)."""
    rnd = _open_round(store, review_id)
    day = as_date(meeting_date, "meeting_date", "Ngày họp")
    present = _count(attendees, "attendees", "Số người dự họp", MAX_ATTENDEES)
    if not present:
        raise ValidationError("Số người dự họp phải lớn hơn 0.", field="attendees")
    yes = _count(votes_for, "votes_for", "Số người nhất trí", present)
    no = _count(votes_against, "votes_against", "Số người không nhất trí", present)
    if yes is not None and no is not None and yes + no > present:
        raise ValidationError(f"Số người nhất trí ({yes}) cộng không nhất trí ({no}) vượt số người dự họp "
                              f"({present}).", field="votes_against")
    listed = items(store, review_id, village=village or "")
    if not listed:
        raise ValidationError(f"Thôn/tổ '{village or ''}' không có hộ nào trong đợt rà soát.", field="village")
    pending = [i["head_name"] or i["household_code"] or i["id"] for i in listed if not i.get("surveyed_on")]
    if pending:
        raise ValidationError(f"Còn {len(pending)} hộ của thôn/tổ chưa rà soát (ví dụ: {pending[0]}); "
                              "hãy ghi kết quả rà soát trước khi họp dân.", field="village")
    agreed = capped(agreed, "agreed", "Ý kiến thống nhất", 4000)
    disagreements = capped(disagreements, "disagreements", "Ý kiến khác", 4000)
    results = dict(results or {})
    known = {i["id"] for i in listed}
    for item_id, cat in results.items():
        if item_id not in known:
            raise ValidationError(f"Hộ {item_id} không thuộc thôn/tổ '{village or ''}' của đợt rà soát.",
                                  field="results")
        if cat not in decisions.FINAL_CHOICES:
            raise ValidationError(f"Kết quả họp '{cat}' không hợp lệ.", field="results")
    lines = [disagreements.strip()] if (disagreements or "").strip() else []
    for i in listed:
        changed = results.get(i["id"])
        if changed and changed != i["proposed_category"]:
            note = ((notes or {}).get(i["id"]) or "").strip()
            if not note:
                raise ValidationError(f"Hộ {i['head_name']}: họp dân đổi phân loại thì phải ghi lý do.",
                                      field="notes")
            lines.append(f"Hộ {i['head_name']}: đề xuất {category_label(i['proposed_category']).lower()} → "
                         f"họp dân {category_label(changed).lower()} ({note})")
    passed = vote_passes(present, yes)
    with store.transaction():
        meeting = repo.insert(store, "review_meetings", {
            "unit_code": rnd["unit_code"], "review_id": review_id, "village": village or "",
            "meeting_date": day.isoformat(), "attendees": present, "agreed": agreed or None,
            "disagreements": "\n".join(lines) or None, "votes_for": yes, "votes_against": no,
            "chair": _clean(chair, "chair", "Người chủ trì"),
            "secretary": _clean(secretary, "secretary", "Thư ký"), "passed": 1 if passed else 0})
        for i in listed:
            if passed:
                repo.update(store, "review_items", i["id"],
                            {"meeting_result": results.get(i["id"], i["proposed_category"])})
            else:  # re-survey, then meet again
                repo.update(store, "review_items", i["id"], {"meeting_result": None, "surveyed_on": None})
        if passed:
            _advance(store, rnd, day, done="survey", doing="meeting")
    return meeting


def meetings(store: Store, review_id: str) -> list[dict[str, Any]]:
    """Village meeting minutes of a round, by date."""
    return [dict(r) for r in store.query("SELECT * FROM review_meetings WHERE review_id = ? AND deleted = 0 "
                                         "ORDER BY meeting_date, village", (review_id,))]


def latest_by_village(store: Store, review_id: str) -> dict[str, dict[str, Any]]:
    """The latest minutes of each village (a failed vote is followed by a second meeting)."""
    out: dict[str, dict[str, Any]] = {}
    for m in meetings(store, review_id):
        out[m["village"] or ""] = m
    return out
