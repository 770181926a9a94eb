"""Plans: yearly targets per unit, objectives, milestones, approval and amendments.

Every function is one transaction through :mod:`storage.repo` (audited, change-logged).
A draft plan is edited freely. ``approve_plan`` checks that the per-unit targets agree with the
overall target and locks the plan: its header, per-unit rows and objectives then change only
through ``amend_plan(reason, changes)``, which records a ``plan_amendments`` row (before/after)
and bumps ``amendment_no``. Milestones are the plan's to-do list and stay editable (status,
done date) after approval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ..core.errors import NotFoundError, ValidationError
from ..core.text import nfc, parse_vn_date
from ..storage import repo
from ..storage.db import Store, utc_now
from .objectives import require_fact

PLAN_FIELDS = ("year", "title", "doc_no", "doc_date", "baseline_date", "target_total", "target_percent",
               "keep_zero_poor")
UNIT_FIELDS = ("target_unit_code", "sort_order", "baseline_near_poor", "baseline_poor", "baseline_typed",
               "total_households", "target_reduction", "to_zero")
OBJECTIVE_FIELDS = ("kind", "label", "target_value", "comparison", "measure_unit", "params", "sort_order")
MILESTONE_FIELDS = ("title", "due_date", "body_code", "status", "done_date", "note")
MILESTONE_STATUSES = {"open": "Chưa xong", "done": "Đã xong", "cancelled": "Hủy"}
COMPARISONS = (">=", "<=", "=")
_DATE_FIELDS = ("doc_date", "baseline_date", "due_date", "done_date")
_COUNT_FIELDS = ("baseline_near_poor", "baseline_poor", "total_households", "target_reduction")
LOCKED_MESSAGE = ("Kế hoạch đã được phê duyệt nên không sửa trực tiếp được. "
                  "Hãy lập điều chỉnh kế hoạch (ghi rõ lý do) để thay đổi.")


# --- helpers ----------------------------------------------------------------------------------
def _date(value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    try:
        return parse_vn_date(value).isoformat()
    except ValueError as exc:
        raise ValidationError(str(exc), field=field) from None


def _count(value: Any, field: str, row: int | None = None) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        where = f" (dòng {row})" if row else ""
        raise ValidationError(f"'{field}'{where} phải là số nguyên không âm, không phải '{value}'.",
                              field=field, row=row)
    return value


def require_plan(store: Store, plan_id: str) -> dict[str, Any]:
    plan = repo.get(store, "plans", plan_id)
    if plan is None or plan["deleted"]:
        raise NotFoundError(f"Không tìm thấy kế hoạch {plan_id}.")
    return plan


def _require_draft(plan: Mapping[str, Any]) -> None:
    if plan["status"] == "approved":
        raise ValidationError(LOCKED_MESSAGE, field="status")


def _clean_plan_fields(changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(f"Trường kế hoạch không hợp lệ: {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    out = dict(changes)
    for f in ("doc_date", "baseline_date"):
        if f in out:
            out[f] = _date(out[f], f)
    if "year" in out and (not isinstance(out["year"], int) or not 2000 <= out["year"] <= 2100):
        raise ValidationError(f"Năm kế hoạch '{out['year']}' không hợp lệ.", field="year")
    if "target_total" in out:
        out["target_total"] = _count(out["target_total"], "target_total")
    if out.get("target_percent") is not None:
        pct = out["target_percent"]
        if isinstance(pct, bool) or not isinstance(pct, (int, float)) or not 0 <= pct <= 100:
            raise ValidationError("Tỉ lệ giảm phải từ 0 đến 100%.", field="target_percent")
    for f in ("title", "doc_no"):
        if f in out:
            out[f] = nfc(out[f]) or None
    return out


def _clean_unit_row(store: Store, row: Mapping[str, Any], line: int) -> dict[str, Any]:
    unknown = set(row) - set(UNIT_FIELDS) - {"id"}
    if unknown:
        raise ValidationError(f"Dòng {line}: trường không hợp lệ {', '.join(sorted(unknown))}.",
                              field=sorted(unknown)[0], row=line)
    out = dict(row)
    code = out.get("target_unit_code")
    if not code or not store.scalar("SELECT count(*) FROM units WHERE code = ? AND deleted = 0", (code,)):
        raise ValidationError(f"Dòng {line}: không có đơn vị mã '{code}' trong danh mục.",
                              field="target_unit_code", row=line)
    for f in _COUNT_FIELDS:
        if f in out:
            out[f] = _count(out[f], f, line)
    for f in ("baseline_typed", "to_zero"):
        if f in out:
            out[f] = bool(out[f])
    return out


def _check_unit_row(row: Mapping[str, Any], line: int) -> None:
    """Rules every per-unit row keeps (draft or approved)."""
    base, total, target = row.get("baseline_near_poor"), row.get("total_households"), row.get("target_reduction")
    code = row.get("target_unit_code")
    if base is not None and total is not None and total < base:
        raise ValidationError(
            f"Dòng {line} ({code}): tổng số hộ ({total}) nhỏ hơn số hộ cận nghèo đầu năm ({base}).",
            field="total_households", row=line)
    if base is not None and target is not None and target > base:
        raise ValidationError(
            f"Dòng {line} ({code}): kế hoạch giảm ({target}) lớn hơn số hộ cận nghèo đầu năm ({base}).",
            field="target_reduction", row=line)


def plan_problems(plan: Mapping[str, Any], units: Sequence[Mapping[str, Any]]) -> list[str]:
    """What stops a plan from being approved (empty list: it can be approved)."""
    problems = []
    if not units:
        problems.append("Kế hoạch chưa có đơn vị nào.")
    missing = [u["target_unit_code"] for u in units if u.get("target_reduction") is None]
    if missing:
        problems.append(f"Chưa nhập kế hoạch giảm cho: {', '.join(missing)}.")
    for u in units:
        if u.get("to_zero") and u.get("target_reduction") != u.get("baseline_near_poor"):
            problems.append(f"Đơn vị {u['target_unit_code']} phấn đấu về 0 nhưng kế hoạch giảm "
                            f"({u.get('target_reduction')}) khác số hộ đầu năm ({u.get('baseline_near_poor')}).")
    total = sum(u.get("target_reduction") or 0 for u in units)
    if plan.get("target_total") is not None and total != plan["target_total"]:
        problems.append(f"Tổng kế hoạch giảm của các đơn vị ({total} hộ) khác chỉ tiêu chung "
                        f"({plan['target_total']} hộ).")
    return problems


# --- plans ------------------------------------------------------------------------------------
def create_plan(store: Store, *, unit_code: str, year: int, title: str | None = None,
                doc_no: str | None = None, doc_date: Any = None, baseline_date: Any = None,
                target_total: int | None = None, target_percent: float | None = None,
                keep_zero_poor: bool = True, id: str | None = None) -> dict[str, Any]:
    """A new draft plan of ``unit_code`` for ``year`` (one live plan per unit and year)."""
    fields = _clean_plan_fields({
        "year": year, "title": title, "doc_no": doc_no, "doc_date": doc_date,
        "baseline_date": baseline_date if baseline_date is not None else f"{year}-01-01",
        "target_total": target_total, "target_percent": target_percent, "keep_zero_poor": keep_zero_poor})
    with store.transaction():
        if store.query_one("SELECT 1 FROM plans WHERE unit_code = ? AND year = ? AND deleted = 0",
                           (unit_code, year)):
            raise ValidationError(f"Đơn vị {unit_code} đã có kế hoạch năm {year}; hãy mở kế hoạch đó.",
                                  field="year")
        row = {**fields, "unit_code": unit_code}
        if id:
            row["id"] = id
        return repo.insert(store, "plans", row)


def get_plan(store: Store, plan_id: str) -> dict[str, Any]:
    """The plan row with its ``units``, ``objectives``, ``milestones`` and ``amendments``."""
    plan = require_plan(store, plan_id)
    plan["units"] = plan_units(store, plan_id)
    plan["objectives"] = [repo.decode_row("plan_objectives", r) for r in store.query(
        "SELECT * FROM plan_objectives WHERE plan_id = ? AND deleted = 0 ORDER BY sort_order, rowid", (plan_id,))]
    plan["milestones"] = list_milestones(store, plan_id)
    plan["amendments"] = [repo.decode_row("plan_amendments", r) for r in store.query(
        "SELECT * FROM plan_amendments WHERE plan_id = ? AND deleted = 0 ORDER BY amendment_no", (plan_id,))]
    return plan


def list_plans(store: Store, *, unit_code: str | None = None, year: int | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM plans WHERE deleted = 0"
    params: list[str | int] = []
    if unit_code is not None:
        sql += " AND unit_code = ?"
        params.append(unit_code)
    if year is not None:
        sql += " AND year = ?"
        params.append(year)
    return [dict(r) for r in store.query(sql + " ORDER BY year DESC, unit_code", tuple(params))]


def update_plan(store: Store, plan_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Edit a draft plan's header (document number, dates, overall target…)."""
    with store.transaction():
        _require_draft(require_plan(store, plan_id))
        return repo.update(store, "plans", plan_id, _clean_plan_fields(changes))


def plan_units(store: Store, plan_id: str) -> list[dict[str, Any]]:
    return [dict(r) for r in store.query(
        "SELECT * FROM plan_units WHERE plan_id = ? AND deleted = 0 ORDER BY sort_order, target_unit_code",
        (plan_id,))]


def _apply_unit_rows(store: Store, plan: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], *,
                     replace: bool) -> dict[str, dict[str, list[Any]]]:
    """Write per-unit rows; returns {unit code: {field: [before, after]}} of what changed."""
    cleaned = [_clean_unit_row(store, r, i) for i, r in enumerate(rows, start=1)]
    codes = [r["target_unit_code"] for r in cleaned]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise ValidationError(f"Đơn vị {', '.join(dupes)} xuất hiện nhiều lần trong kế hoạch.",
                              field="target_unit_code")
    existing = {u["target_unit_code"]: u for u in plan_units(store, plan["id"])}
    diff: dict[str, dict[str, list[Any]]] = {}
    for line, row in enumerate(cleaned, start=1):
        code = row["target_unit_code"]
        old = existing.get(code)
        merged = {**(old or {}), **row}
        _check_unit_row(merged, line)
        if old is None:
            data = {**row, "plan_id": plan["id"], "unit_code": plan["unit_code"]}
            data.setdefault("sort_order", line)
            repo.insert(store, "plan_units", data)
            diff[code] = {k: [None, v] for k, v in row.items() if k != "id"}
        else:
            changes = {k: v for k, v in row.items() if k not in ("id", "target_unit_code")}
            stored = repo.update(store, "plan_units", old["id"], changes)
            changed = {k: [old[k], stored[k]] for k in changes if old[k] != stored[k]}
            if changed:
                diff[code] = changed
    if replace:
        for code, old in existing.items():
            if code not in codes:
                repo.soft_delete(store, "plan_units", old["id"])
                diff[code] = {"deleted": [0, 1]}
    return diff


def set_plan_units(store: Store, plan_id: str, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Replace the per-unit rows of a draft plan (rows matched by ``target_unit_code``; units no
    longer listed are soft-deleted). Each row: target_unit_code, baseline_near_poor,
    baseline_poor, baseline_typed, total_households, target_reduction, to_zero, sort_order."""
    with store.transaction():
        plan = require_plan(store, plan_id)
        _require_draft(plan)
        _apply_unit_rows(store, plan, rows, replace=True)
        return plan_units(store, plan_id)


def approve_plan(store: Store, plan_id: str, *, approved_at: str | None = None) -> dict[str, Any]:
    """Lock a plan whose per-unit targets agree with its overall target."""
    with store.transaction():
        plan = require_plan(store, plan_id)
        _require_draft(plan)
        problems = plan_problems(plan, plan_units(store, plan_id))
        if problems:
            raise ValidationError("Chưa phê duyệt được kế hoạch: " + " ".join(problems), field="target_total")
        return repo.update(store, "plans", plan_id, {
            "status": "approved", "approved_at": approved_at or utc_now(), "approved_by": store.user})


def amend_plan(store: Store, plan_id: str, reason: str, changes: Mapping[str, Any], *,
               amended_on: Any = None) -> dict[str, Any]:
    """Change an approved plan with a recorded reason. ``changes`` may hold ``plan`` (header
    fields), ``units`` (per-unit rows, matched by target_unit_code, only given fields change)
    and ``objectives`` (new objective rows). The result must still pass approval checks."""
    reason = nfc(reason or "")
    if not reason:
        raise ValidationError("Điều chỉnh kế hoạch phải ghi lý do.", field="reason")
    unknown = set(changes) - {"plan", "units", "objectives"}
    if unknown:
        raise ValidationError(f"Nội dung điều chỉnh không hợp lệ: {', '.join(sorted(unknown))}.", field="changes")
    with store.transaction():
        plan = require_plan(store, plan_id)
        if plan["status"] != "approved":
            raise ValidationError("Kế hoạch chưa phê duyệt: hãy sửa trực tiếp, không cần điều chỉnh.",
                                  field="status")
        record: dict[str, Any] = {}
        number = int(plan["amendment_no"]) + 1
        header = _clean_plan_fields(changes.get("plan") or {})
        if header:
            record["plan"] = {k: [plan[k], repo.to_db("plans", k, v)] for k, v in header.items()
                              if plan[k] != repo.to_db("plans", k, v)}
        if changes.get("units"):
            record["units"] = _apply_unit_rows(store, plan, changes["units"], replace=False)
        if changes.get("objectives"):
            record["objectives_added"] = [
                _insert_objective(store, plan, o)["kind"] for o in changes["objectives"]]
        updated = repo.update(store, "plans", plan_id, {**header, "amendment_no": number})
        problems = plan_problems(updated, plan_units(store, plan_id))
        if problems:
            raise ValidationError("Điều chỉnh làm kế hoạch không còn khớp: " + " ".join(problems),
                                  field="target_total")
        row = repo.insert(store, "plan_amendments", {
            "plan_id": plan_id, "unit_code": plan["unit_code"], "amendment_no": number,
            "amended_on": _date(amended_on, "amended_on") or date.today().isoformat(),
            "reason": reason, "changes": record})
        return repo.decode_row("plan_amendments", row) or row


# --- objectives and milestones ----------------------------------------------------------------
def _insert_objective(store: Store, plan: Mapping[str, Any], objective: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(objective) - set(OBJECTIVE_FIELDS) - {"id"}
    if unknown:
        raise ValidationError(f"Trường mục tiêu không hợp lệ: {', '.join(sorted(unknown))}.", field="kind")
    data = dict(objective)
    if not data.get("kind") or not nfc(data.get("label") or ""):
        raise ValidationError("Mục tiêu cần mã chỉ tiêu và tên.", field="label")
    # An objective measures a catalogue fact: its direction and unit come from the fact unless
    # given ("0 poor households" is "at most 0", never "at least 0").
    fact = require_fact(data["kind"])
    if data.get("comparison") is None:
        data["comparison"] = fact.comparison
    if data.get("measure_unit") is None:
        data["measure_unit"] = fact.measure_unit
    if data["comparison"] not in COMPARISONS:
        raise ValidationError(f"Phép so sánh '{data['comparison']}' không hợp lệ.", field="comparison")
    target = data.get("target_value")
    if target is not None and (isinstance(target, bool) or not isinstance(target, (int, float))):
        raise ValidationError(f"Giá trị mục tiêu '{target}' phải là số.", field="target_value")
    if data.get("sort_order") is None:
        data["sort_order"] = 1 + (store.scalar(
            "SELECT max(sort_order) FROM plan_objectives WHERE plan_id = ?", (plan["id"],)) or 0)
    return repo.insert(store, "plan_objectives", {**data, "plan_id": plan["id"], "unit_code": plan["unit_code"]})


def add_objective(store: Store, plan_id: str, *, kind: str, label: str, target_value: float | None = None,
                  comparison: str | None = None, measure_unit: str | None = None, params: Mapping[str, Any] | None = None,
                  sort_order: int | None = None, id: str | None = None) -> dict[str, Any]:
    """Add a measurable objective to a draft plan (approved plans: through ``amend_plan``)."""
    with store.transaction():
        plan = require_plan(store, plan_id)
        _require_draft(plan)
        row: dict[str, Any] = {"kind": kind, "label": label, "target_value": target_value,
                               "comparison": comparison, "measure_unit": measure_unit,
                               "params": dict(params) if params else None, "sort_order": sort_order}
        if id:
            row["id"] = id
        return _insert_objective(store, plan, row)


def _clean_milestone(changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(MILESTONE_FIELDS)
    if unknown:
        raise ValidationError(f"Trường mốc tiến độ không hợp lệ: {', '.join(sorted(unknown))}.", field="title")
    out = dict(changes)
    for f in ("due_date", "done_date"):
        if f in out:
            out[f] = _date(out[f], f)
    if "title" in out and not nfc(out["title"] or ""):
        raise ValidationError("Mốc tiến độ cần có nội dung công việc.", field="title")
    if "due_date" in out and not out["due_date"]:
        raise ValidationError("Mốc tiến độ cần có hạn hoàn thành.", field="due_date")
    if "status" in out and out["status"] not in MILESTONE_STATUSES:
        raise ValidationError(f"Trạng thái '{out['status']}' không hợp lệ.", field="status")
    return out


def add_milestone(store: Store, plan_id: str, *, title: str, due_date: Any, body_code: str | None = None,
                  note: str | None = None, status: str = "open", done_date: Any = None,
                  id: str | None = None) -> dict[str, Any]:
    """Add a deadline to a plan (allowed after approval: milestones are the plan's to-do list)."""
    data = _clean_milestone({"title": title, "due_date": due_date, "body_code": body_code, "note": note,
                             "status": status, "done_date": done_date})
    if data["status"] == "done" and not data["done_date"]:
        data["done_date"] = date.today().isoformat()
    with store.transaction():
        plan = require_plan(store, plan_id)
        row = {**data, "plan_id": plan_id, "unit_code": plan["unit_code"]}
        if id:
            row["id"] = id
        return repo.insert(store, "milestones", row)


def update_milestone(store: Store, milestone_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Change a milestone (status open/done/cancelled, done date, title, due date, body, note).
    Marking it done without a date stamps today."""
    data = _clean_milestone(changes)
    with store.transaction():
        current = repo.get(store, "milestones", milestone_id)
        if current is None or current["deleted"]:
            raise NotFoundError(f"Không tìm thấy mốc tiến độ {milestone_id}.")
        if data.get("status") == "done" and not data.get("done_date") and not current["done_date"]:
            data["done_date"] = date.today().isoformat()
        if data.get("status") == "open":
            data.setdefault("done_date", None)
        return repo.update(store, "milestones", milestone_id, data)


def list_milestones(store: Store, plan_id: str) -> list[dict[str, Any]]:
    return [dict(r) for r in store.query(
        "SELECT * FROM milestones WHERE plan_id = ? AND deleted = 0 ORDER BY due_date, rowid", (plan_id,))]
