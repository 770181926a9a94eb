"""Review rounds (rà soát): the round, its list of households, survey, village meetings, public
posting and complaints. The decision and certificates are in outcome.py.

Every write goes through repo (audited, versioned) in one transaction; bad input raises a
ValidationError whose ``field`` names the input and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from ..core.errors import NotFoundError, ValidationError
from ..core.model import CATEGORY_LABELS, NEAR_POOR, NOT_POOR, POOR
from ..registry import validation
from ..storage import assessments, repo, rulesets
from ..storage import households as hh_repo
from ..storage.db import Store
from . import calendar, decisions, steps
from .settings import get_holidays

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def as_date(value: date | str | None, field: str, label: str) -> date:
    if isinstance(value, date):
        return value
    from ..core.text import parse_vn_date

    try:
        return parse_vn_date(value)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"{label}: {exc}.", field=field) from None


def capped(value: str | None, field: str, label: str, limit: int) -> str:
    """Free text from the user, stripped, refused over ``limit`` characters."""
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationError(f"{label} dài {len(text)} ký tự, quá giới hạn {limit}; hãy ghi ngắn gọn hơn.",
                              field=field)
    return text


# --- rounds --------------------------------------------------------------------------------
def _unit(store: Store, unit_code: str | None) -> str:
    if unit_code:
        return unit_code
    code = store.scalar("SELECT unit_code FROM installation WHERE id = 1")
    if not code:
        raise ValidationError("Cơ sở dữ liệu chưa được thiết lập đơn vị.", field="unit_code")
    return str(code)


def current_list(store: Store, unit_code: str) -> list[tuple[str, str]]:
    """(id, category) of the unit's active poor and near-poor households (an annual round's list)."""
    rows = store.query("SELECT id, category FROM households WHERE unit_code = ? AND deleted = 0 AND status = 'active' "
                       "AND category IN (?, ?) ORDER BY village, head_name", (unit_code, POOR, NEAR_POOR))
    return [(r[0], r[1]) for r in rows]


def create_round(store: Store, *, kind: str, year: int, ruleset_code: str, on: date,
                 period: str | None = None, unit_code: str | None = None,
                 posting_days: int = calendar.DEFAULT_POSTING_DAYS) -> dict[str, Any]:
    """Open a round. An annual round lists every currently poor or near-poor household of the
    unit at once; an ongoing round (``period`` YYYY-MM) starts empty and gathers requests."""
    if kind not in steps.KIND_LABELS:
        raise ValidationError(f"Loại rà soát '{kind}' không hợp lệ (annual hoặc ongoing).", field="kind")
    if not 2000 <= int(year) <= 2100:
        raise ValidationError(f"Năm rà soát {year} không hợp lệ.", field="year")
    if kind == "ongoing" and not (period and _PERIOD.match(period)):
        raise ValidationError("Rà soát thường xuyên cần kỳ dạng yyyy-mm (ví dụ 2026-11).", field="period")
    if not 1 <= posting_days <= 30:
        raise ValidationError("Số ngày làm việc niêm yết phải từ 1 đến 30.", field="posting_days")
    rulesets.get_ruleset(store, ruleset_code)  # RulesetError naming the code when unknown
    unit = _unit(store, unit_code)
    dup = store.scalar("SELECT count(*) FROM reviews WHERE deleted = 0 AND unit_code = ? AND kind = ? AND year = ? "
                       "AND coalesce(period, '') = ?", (unit, kind, year, (period or "") if kind == "ongoing" else ""))
    if dup:
        what = f"kỳ {period}" if kind == "ongoing" else f"năm {year}"
        raise ValidationError(f"Đơn vị {unit} đã có đợt {steps.KIND_LABELS[kind].lower()} {what}.", field="year")
    with store.transaction():
        row = repo.insert(store, "reviews", {
            "unit_code": unit, "kind": kind, "year": int(year), "period": period if kind == "ongoing" else None,
            "ruleset_code": ruleset_code, "posting_days": posting_days, "status": "open",
            "steps": steps.mark(None, "list", "doing", on.isoformat())})
        if kind == "annual":
            repo.insert_many(store, "review_items", [
                {"unit_code": unit, "review_id": row["id"], "household_id": hid, "reason": "current",
                 "previous_category": cat} for hid, cat in current_list(store, unit)])
    return get_round(store, row["id"])


def get_round(store: Store, review_id: str) -> dict[str, Any]:
    """One round with its steps completed (see review.steps)."""
    row = repo.get(store, "reviews", review_id)
    if row is None or row.get("deleted"):
        raise NotFoundError(f"Không tìm thấy đợt rà soát {review_id}.")
    row["steps"] = steps.normalised(row.get("steps"))
    return row


def list_rounds(store: Store, unit_code: str | None = None) -> list[dict[str, Any]]:
    """Rounds, newest first, with item counts."""
    sql = ("SELECT r.*, (SELECT count(*) FROM review_items i WHERE i.review_id = r.id AND i.deleted = 0) AS items "
           "FROM reviews r WHERE r.deleted = 0")
    params: tuple = ()
    if unit_code:
        sql += " AND r.unit_code = ?"
        params = (unit_code,)
    out = []
    for r in store.query(sql + " ORDER BY r.year DESC, coalesce(r.period, '') DESC, r.updated_at DESC", params):
        row = repo.decode_row("reviews", dict(r)) or {}
        row["steps"] = steps.normalised(row.get("steps"))
        out.append(row)
    return out


def mark_step(store: Store, review_id: str, step: str, status: str, on: date) -> dict[str, Any]:
    """Set a step's status (earlier steps become done when a later one is done)."""
    rnd = get_round(store, review_id)
    repo.update(store, "reviews", review_id, {"steps": steps.mark(rnd["steps"], step, status, on.isoformat())})
    return get_round(store, review_id)


def _advance(store: Store, rnd: Mapping[str, Any], on: date, *, done: str | None = None,
             doing: str | None = None) -> None:
    """Move the round's steps along as work is recorded (never backwards)."""
    current = steps.normalised(rnd.get("steps"))
    if done and current[done]["status"] != "done":
        current = steps.mark(current, done, "done", on.isoformat())
    if doing and current[doing]["status"] == "todo":
        current = steps.mark(current, doing, "doing", on.isoformat())
    repo.update(store, "reviews", rnd["id"], {"steps": current})


def _open_round(store: Store, review_id: str) -> dict[str, Any]:
    rnd = get_round(store, review_id)
    if rnd["status"] != "open":
        raise ValidationError("Đợt rà soát này đã có quyết định; không sửa được nữa.", field="review")
    return rnd


# --- items ---------------------------------------------------------------------------------
_ITEM_SQL = ("SELECT i.*, h.head_name, h.village, h.household_code, h.address, h.category AS household_category, "
             "h.member_count FROM review_items i JOIN households h ON h.id = i.household_id "
             "WHERE i.deleted = 0 AND i.review_id = ?")


def _with_final(row: repo.RowLike) -> dict[str, Any]:
    out = dict(row)
    out["final_category"] = out.get("final_category") or decisions.final_category(out)
    return out


def items(store: Store, review_id: str, *, village: str | None = None) -> list[dict[str, Any]]:
    """The round's households with their progress; ``final_category`` is the decided category
    or, before the decision, what the round currently proposes."""
    sql, params = _ITEM_SQL, [review_id]
    if village is not None:
        sql += " AND coalesce(h.village, '') = ?"
        params.append(village)
    rows = store.query(sql + " ORDER BY h.village, h.head_sort", tuple(params))
    return [_with_final(r) for r in rows]


def get_item(store: Store, item_id: str) -> dict[str, Any]:
    """One item with its household's list fields."""
    row = store.query_one(_ITEM_SQL.replace("i.review_id = ?", "i.id = ?"), (item_id,))
    if row is None:
        raise NotFoundError(f"Không tìm thấy hộ {item_id} trong đợt rà soát.")
    return _with_final(row)


def unsurveyed(store: Store, review_id: str) -> list[dict[str, Any]]:
    """The work list: households of the round not surveyed yet."""
    return [i for i in items(store, review_id) if not i.get("surveyed_on")]


def add_item(store: Store, review_id: str, household_id: str, *, reason: str = "manual",
             note: str | None = None) -> dict[str, Any]:
    """Add a household to the round; by hand (``manual``) it needs a reason."""
    rnd = _open_round(store, review_id)
    if reason not in decisions.REASON_LABELS:
        raise ValidationError(f"Lý do đưa vào danh sách '{reason}' không hợp lệ.", field="reason")
    if reason == "manual" and not capped(note, "note", "Lý do bổ sung", 1000):
        raise ValidationError("Hãy ghi lý do bổ sung hộ vào danh sách rà soát.", field="note")
    hh = hh_repo.get_household(store, household_id)
    if hh is None or hh.get("deleted"):
        raise NotFoundError(f"Không tìm thấy hộ {household_id}.")
    existing = store.scalar("SELECT id FROM review_items WHERE review_id = ? AND household_id = ? AND deleted = 0",
                            (review_id, household_id))
    if existing:
        raise ValidationError(f"Hộ {hh.get('head_name') or household_id} đã có trong danh sách rà soát.",
                              field="household")
    row = repo.insert(store, "review_items", {
        "unit_code": rnd["unit_code"], "review_id": review_id, "household_id": household_id, "reason": reason,
        "added_note": (note or "").strip() or None, "previous_category": hh.get("category")})
    return get_item(store, row["id"])


def record_request(store: Store, review_id: str, household_id: str, *, request_date: date | str,
                   request_by: str, request_kind: str) -> dict[str, Any]:
    """Record a household's request form (Mẫu số 01): date, who filed it, what it asks
    (``recognise`` or ``exit``). The household joins the round if it was not listed yet."""
    if request_kind not in decisions.REQUEST_KINDS:
        raise ValidationError("Nội dung đề nghị phải là 'recognise' (công nhận) hoặc 'exit' (thoát).",
                              field="request_kind")
    if not capped(request_by, "request_by", "Tên người nộp giấy đề nghị", 200):
        raise ValidationError("Hãy ghi tên người nộp giấy đề nghị.", field="request_by")
    day = as_date(request_date, "request_date", "Ngày đề nghị")
    with store.transaction():
        item_id = store.scalar("SELECT id FROM review_items WHERE review_id = ? AND household_id = ? "
                               "AND deleted = 0", (review_id, household_id))
        if item_id is None:
            item_id = add_item(store, review_id, household_id, reason="request")["id"]
        else:
            _open_round(store, review_id)
        repo.update(store, "review_items", item_id, {"request_date": day.isoformat(),
                                                     "request_by": request_by.strip(), "request_kind": request_kind})
    return get_item(store, item_id)


def check_for_assessment(store: Store, item: Mapping[str, Any], on: date) -> None:
    """Refuse to score a household whose record breaks the shared assessment rules as of the
    survey date (``registry.validation.assessment_problems``, the check shared with the registry,
    the Excel import and ``evaluate``; e.g. a member born after it): a ValidationError naming
    the household and listing every field to correct, so nothing is written."""
    hh = hh_repo.get_household(store, item["household_id"]) or {}
    members = hh_repo.get_members(store, item["household_id"])
    problems = validation.assessment_problems(hh, members, on)
    if problems:
        raise ValidationError(f"Hộ {item.get('head_name') or item['household_id']} chưa chấm điểm được vì thông tin "
                              f"chưa hợp lệ tại ngày rà soát {on.strftime('%d/%m/%Y')}:\n"
                              f"{validation.describe_problems(problems)}\nHãy sửa thông tin của hộ rồi ghi lại kết "
                              "quả rà soát.", field=problems[0].field)


def record_survey(store: Store, item_id: str, *, phieu_a_result: str, on: date,
                  assessor: str | None = None) -> dict[str, Any]:
    """Record the survey of one household. Screened out by Phiếu A → proposed "not poor";
    otherwise the household's facts (edited in the registry) are evaluated under the round's
    ruleset and saved as an assessment (not yet recognised), whose category is the proposal.
    Returns the item plus ``evaluation`` (None when screened out)."""
    if phieu_a_result not in decisions.PHIEU_A:
        raise ValidationError("Kết quả Phiếu A phải là 'continue' hoặc 'screened_out'.", field="phieu_a_result")
    item = get_item(store, item_id)
    rnd = _open_round(store, item["review_id"])
    evaluation = None
    with store.transaction():
        changes: dict[str, Any] = {"phieu_a_result": phieu_a_result, "surveyed_on": on.isoformat(),
                                   "meeting_result": None}
        if phieu_a_result == "screened_out":
            changes.update(assessment_id=None, proposed_category=NOT_POOR)
        else:
            check_for_assessment(store, item, on)
            saved = assessments.assess_household(store, item["household_id"], rnd["ruleset_code"], on,
                                                 recognise=False, assessor=assessor)
            repo.update(store, "assessments", saved["id"], {"review_id": rnd["id"]})
            evaluation = saved["evaluation"]
            changes.update(assessment_id=saved["id"], proposed_category=evaluation.category)
        repo.update(store, "review_items", item_id, changes)
        hh_repo.update_household(store, item["household_id"], {"phieu_a_result": phieu_a_result})
        left = store.scalar("SELECT count(*) FROM review_items WHERE review_id = ? AND deleted = 0 "
                            "AND surveyed_on IS NULL", (rnd["id"],))
        _advance(store, rnd, on, done="list", doing=None if left else "meeting")
        _advance(store, get_round(store, rnd["id"]), on, done=None if left else "survey",
                 doing="survey" if left else None)
    out = get_item(store, item_id)
    out["evaluation"] = evaluation
    return out


# --- posting, complaints (village meetings: meetings.py) ------------------------------------
def set_posting(store: Store, review_id: str, start: date | str) -> dict[str, Any]:
    """Set the public posting start; the end is computed in working days (holidays skipped)."""
    rnd = _open_round(store, review_id)
    day = as_date(start, "posting_start", "Ngày bắt đầu niêm yết")
    end = calendar.posting_end(day, rnd.get("posting_days") or calendar.DEFAULT_POSTING_DAYS, get_holidays(store))
    repo.update(store, "reviews", review_id, {
        "posting_start": day.isoformat(), "posting_end": end.isoformat(),
        "steps": steps.mark(steps.mark(rnd["steps"], "meeting", "done", day.isoformat()), "posting", "doing",
                            day.isoformat())})
    return get_round(store, review_id)


def posting_households(store: Store, review_id: str) -> list[dict[str, Any]]:
    """The households the posting lists (proposed poor or near-poor), with the head's ID
    number (the posting writer masks it)."""
    out = []
    for i in items(store, review_id):
        if i["final_category"] in decisions.LISTED:
            cccd = store.scalar("SELECT cccd FROM members WHERE household_id = ? AND relation = 'head' "
                                "AND deleted = 0 LIMIT 1", (i["household_id"],))
            out.append({**i, "cccd": cccd, "category": i["final_category"]})
    return out


def record_complaint(store: Store, item_id: str, *, complaint_date: date | str, by: str, text: str) -> dict[str, Any]:
    """A complaint about one household's result, received during or after the posting."""
    item = get_item(store, item_id)
    _open_round(store, item["review_id"])
    if not capped(text, "complaint", "Nội dung khiếu nại", 4000):
        raise ValidationError("Hãy ghi nội dung khiếu nại.", field="complaint")
    capped(by, "complaint_by", "Tên người khiếu nại", 200)
    day = as_date(complaint_date, "complaint_date", "Ngày nhận khiếu nại")
    _advance(store, get_round(store, item["review_id"]), day, done="posting", doing="complaints")
    repo.update(store, "review_items", item_id, {
        "complaint": text.strip(), "complaint_by": (by or "").strip() or None, "complaint_date": day.isoformat(),
        "complaint_outcome": None, "complaint_resolved_on": None, "complaint_category": None})
    return get_item(store, item_id)


def resolve_complaint(store: Store, item_id: str, *, on: date | str, outcome: str,
                      category: str | None = None) -> dict[str, Any]:
    """Close a complaint after re-checking: the outcome text and, when the re-check changed
    it, the household's category (which the decision then uses)."""
    item = get_item(store, item_id)
    _open_round(store, item["review_id"])
    if not item.get("complaint"):
        raise ValidationError("Hộ này chưa có khiếu nại để giải quyết.", field="complaint")
    if not capped(outcome, "complaint_outcome", "Kết quả giải quyết khiếu nại", 4000):
        raise ValidationError("Hãy ghi kết quả giải quyết khiếu nại.", field="complaint_outcome")
    if category is not None and category not in decisions.FINAL_CHOICES:
        raise ValidationError(f"Phân loại sau kiểm tra lại '{category}' không hợp lệ.", field="complaint_category")
    day = as_date(on, "complaint_resolved_on", "Ngày giải quyết")
    repo.update(store, "review_items", item_id, {"complaint_outcome": outcome.strip(),
                                                 "complaint_resolved_on": day.isoformat(),
                                                 "complaint_category": category})
    return get_item(store, item_id)


def category_label(code: str | None) -> str:
    """Vietnamese label of a category code ('' for None)."""
    return CATEGORY_LABELS.get(code or "", "")


def review_units(store: Store) -> list[tuple[str, str]]:
    """(code, name) of the units whose households a round may review: the installation's own
    unit for a commune; every unit holding households for a receiving office (demo data)."""
    inst = store.query_one("SELECT unit_code, role FROM installation WHERE id = 1")
    if inst is not None and inst["role"] == "commune":
        codes = [inst["unit_code"]]
    else:
        codes = [r[0] for r in store.query("SELECT DISTINCT unit_code FROM households WHERE deleted = 0 "
                                           "ORDER BY unit_code")]
    out = []
    for code in codes:
        name = store.scalar("SELECT name FROM units WHERE code = ? AND deleted = 0 ORDER BY valid_from DESC LIMIT 1",
                            (code,))
        out.append((code, name or code))
    return out
