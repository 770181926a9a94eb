"""Household support plans: support actions per household, validated, one audited transaction each.

An action names a measure of the support catalogue (``support_measures``), optionally a member,
the responsible body, a planned date, its status (planned → in progress → done, or cancelled),
the done date (required when done), the amount in VND (≥ 0) and the funding source.

Flags for the plan tracker: households marked able to exit with no planned/in-progress/done
action in the plan year, and actions past their planned date that are neither done nor cancelled
(``today`` is passed in so tests fix the clock).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ..core.errors import ValidationError
from ..core.model import NEAR_POOR, POOR
from ..core.text import format_date, format_vnd, parse_vn_date
from ..storage import repo
from ..storage.db import Store
from . import support_effects

PLANNED, IN_PROGRESS, DONE, CANCELLED = "planned", "in_progress", "done", "cancelled"
STATUS_LABELS = {PLANNED: "Đã lên kế hoạch", IN_PROGRESS: "Đang thực hiện", DONE: "Đã xong",
                 CANCELLED: "Đã hủy"}
# Statuses that count as "support is planned" for the able-to-exit flag.
LIVE_STATUSES = (PLANNED, IN_PROGRESS, DONE)
OPEN_STATUSES = (PLANNED, IN_PROGRESS)

# Suggestions for the funding source field (free text is accepted too).
FUNDING_SOURCES = (
    "Ngân sách thành phố",
    "Ngân sách huyện",
    "Ngân sách xã",
    "Quỹ Vì người nghèo",
    "Vay vốn Ngân hàng Chính sách xã hội",
    "Xã hội hóa",
    "Khác",
)

EDITABLE = ("member_id", "measure_code", "body_code", "planned_date", "status", "done_date", "amount",
            "funding_source", "note")
FIELD_LABELS = {"household_id": "Hộ", "member_id": "Thành viên", "measure_code": "Biện pháp hỗ trợ",
                "body_code": "Cơ quan thực hiện", "planned_date": "Ngày dự kiến", "status": "Trạng thái",
                "done_date": "Ngày hoàn thành", "amount": "Số tiền", "funding_source": "Nguồn kinh phí",
                "note": "Ghi chú"}


def _date(value: Any, field: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_vn_date(value).isoformat()
    except ValueError as exc:
        raise ValidationError(f"{FIELD_LABELS[field]}: {exc}.", field=field) from None


def _amount(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError("Số tiền phải là số đồng (VND).", field="amount")
    if isinstance(value, str):
        text = value.strip().replace(".", "").replace(" ", "").removesuffix("đ")
        try:
            value = int(text)
        except ValueError:
            raise ValidationError(f"Số tiền '{value}' không phải số (nhập dạng 1.500.000).",
                                  field="amount") from None
    if not isinstance(value, (int, float)) or value != value:
        raise ValidationError("Số tiền phải là số đồng (VND).", field="amount")
    if value < 0:
        raise ValidationError(f"Số tiền không được âm (đã nhập {format_vnd(value)}).", field="amount")
    return int(round(value))


def _measure(store: Store, code: str) -> dict[str, Any] | None:
    row = store.query_one("SELECT * FROM support_measures WHERE code = ? AND deleted = 0", (code,))
    return None if row is None else dict(row)


def _check_measure(store: Store, code: Any, *, is_new: bool) -> dict[str, Any] | None:
    if not isinstance(code, str) or not code.strip():
        raise ValidationError("Hãy chọn biện pháp hỗ trợ.", field="measure_code")
    measure = _measure(store, code)
    catalogue = store.scalar("SELECT count(*) FROM support_measures WHERE deleted = 0")
    if measure is None and catalogue:
        raise ValidationError(
            f"Biện pháp hỗ trợ '{code}' không có trong danh mục. Hãy chọn biện pháp có sẵn "
            "hoặc nhờ quản trị viên thêm vào danh mục.", field="measure_code")
    if measure is not None and is_new and not measure["active"]:
        raise ValidationError(f"Biện pháp '{measure['name']}' đã ngừng áp dụng.", field="measure_code")
    return measure


def _validate(store: Store, household: Mapping[str, Any], data: dict[str, Any], *, is_new: bool) -> None:
    """Check and normalise ``data`` (the complete action) in place."""
    status = data.get("status") or PLANNED
    if status not in STATUS_LABELS:
        raise ValidationError(
            f"Trạng thái '{status}' không hợp lệ (chọn: {', '.join(STATUS_LABELS.values())}).", field="status")
    data["status"] = status
    measure = _check_measure(store, data.get("measure_code"), is_new=is_new)
    if measure is not None and not data.get("body_code"):
        data["body_code"] = measure.get("body_code")
    member_id = data.get("member_id") or None
    if member_id is not None:
        ok = store.scalar("SELECT count(*) FROM members WHERE id = ? AND household_id = ? AND deleted = 0",
                          (member_id, household["id"]))
        if not ok:
            raise ValidationError("Thành viên đã chọn không thuộc hộ này.", field="member_id")
    data["member_id"] = member_id
    data["planned_date"] = _date(data.get("planned_date"), "planned_date")
    data["done_date"] = _date(data.get("done_date"), "done_date")
    if status == DONE and data["done_date"] is None:
        raise ValidationError("Hoạt động đã xong cần có ngày hoàn thành (dd/mm/yyyy).", field="done_date")
    if data["done_date"] is not None and data["done_date"] > date.today().isoformat():
        raise ValidationError(f"Ngày hoàn thành {format_date(data['done_date'])} ở tương lai: chỉ ghi 'Đã xong' "
                              "khi hoạt động đã thực hiện.", field="done_date")
    if status != DONE and data["done_date"] is not None:
        raise ValidationError(
            f"Chỉ ghi ngày hoàn thành khi trạng thái là '{STATUS_LABELS[DONE]}' "
            f"(đang là '{STATUS_LABELS[status]}').", field="done_date")
    data["amount"] = _amount(data.get("amount"))


def _household(store: Store, household_id: str) -> dict[str, Any]:
    row = store.query_one("SELECT * FROM households WHERE id = ? AND deleted = 0", (household_id,))
    if row is None:
        raise ValidationError(f"Không tìm thấy hộ mã '{household_id}'.", field="household_id")
    return dict(row)


def add_action(store: Store, household_id: str, measure_code: str, **fields: Any) -> dict[str, Any]:
    """Add a support action to a household (validated; one audited transaction). ``fields`` are
    any of member_id, body_code, planned_date, status, done_date, amount, funding_source, note;
    dates as dd/mm/yyyy, ISO or date. Returns the stored row; an action stored as done applies its
    measure's change (``plan/support_effects.py``) and carries it as ``row["outcome"]``."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"unknown support action fields {sorted(unknown)}")
    with store.transaction():
        household = _household(store, household_id)
        data = {**fields, "measure_code": measure_code}
        _validate(store, household, data, is_new=True)
        data["household_id"] = household_id
        data["unit_code"] = household["unit_code"]
        row = repo.insert(store, "support_actions", data)
        if row["status"] == DONE:
            row["outcome"] = support_effects.apply_effect(store, row)
        return row


def update_action(store: Store, action_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Change an action (e.g. mark it done with its done date); the whole row is re-validated.

    Becoming done applies the measure's change to the member/household and reassesses it; leaving
    done (or changing the measure or member of a done action) first puts back what it changed.
    What changed is in ``row["outcome"]`` (a ``support_effects.Outcome``)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"Không sửa được các trường {sorted(unknown)} của hoạt động hỗ trợ.",
                              field=sorted(unknown)[0])
    with store.transaction():
        current = repo.require(store, "support_actions", action_id)
        if current["deleted"]:
            raise ValidationError("Hoạt động hỗ trợ này đã bị xóa.", field="id")
        household = _household(store, current["household_id"])
        data = {k: current[k] for k in EDITABLE}
        data.update(changes)
        if changes.get("status") not in (None, DONE) and "done_date" not in changes:
            data["done_date"] = None  # moving away from "done" drops the done date
        _validate(store, household, data, is_new=changes.get("measure_code") not in (None, current["measure_code"]))
        was_done = current["status"] == DONE
        undone = support_effects.undo_effect(store, current) if was_done and (
            data["status"] != DONE or any(data[k] != current[k] for k in ("member_id", "measure_code"))) else None
        row = repo.update(store, "support_actions", action_id, data)
        if row["status"] == DONE and (undone is not None or not was_done):
            row["outcome"] = support_effects.apply_effect(store, row)
        elif undone is not None:
            row["outcome"] = undone
        return row


def remove_action(store: Store, action_id: str) -> dict[str, Any]:
    """Soft-delete an action entered by mistake (a cancelled action keeps its row and status);
    a done action's change is put back first."""
    with store.transaction():
        current = repo.require(store, "support_actions", action_id)
        undone = support_effects.undo_effect(store, current) if current["status"] == DONE else None
        row = repo.soft_delete(store, "support_actions", action_id)
        if undone is not None:
            row["outcome"] = undone
        return row


def _year_params(year: int) -> dict[str, str]:
    return {"ys": f"{year:04d}-01-01", "ye": f"{year:04d}-12-31"}


def able_without_action_sql(year: int) -> tuple[str, dict[str, Any]]:
    """WHERE fragment (over alias ``h``) for households able to exit with no planned,
    in-progress or done action dated in ``year`` (an undated action counts for any year)."""
    where = (
        "h.able_to_exit = 1 AND h.category IN (:sx_poor, :sx_near) AND NOT EXISTS ("
        "SELECT 1 FROM support_actions a WHERE a.household_id = h.id AND a.deleted = 0 "
        "AND a.status IN (:sx_s0, :sx_s1, :sx_s2) AND ((a.planned_date BETWEEN :ys AND :ye) "
        "OR (a.done_date BETWEEN :ys AND :ye) OR (a.planned_date IS NULL AND a.done_date IS NULL)))")
    params = {"sx_poor": POOR, "sx_near": NEAR_POOR, **_year_params(year),
              **{f"sx_s{i}": s for i, s in enumerate(LIVE_STATUSES)}}
    return where, params


def _units_clause(unit_codes: Sequence[str] | None, params: dict[str, Any]) -> str:
    if unit_codes is None:
        return "1"
    names = {f"u{i}": c for i, c in enumerate(unit_codes)}
    params.update(names)
    return f"h.unit_code IN ({', '.join(':' + n for n in names)})" if names else "0"


def households_able_to_exit_without_action(store: Store, year: int, *,
                                           unit_codes: Sequence[str] | None = None,
                                           limit: int = 5000) -> list[dict[str, Any]]:
    """Active households marked able to exit this year that have no support planned in ``year``."""
    where, params = able_without_action_sql(year)
    params["limit"] = limit
    units = _units_clause(unit_codes, params)
    rows = store.query(
        "SELECT h.id, h.unit_code, h.household_code, h.head_name, h.village, h.category, "
        "h.able_to_exit_reason FROM households h "
        f"WHERE h.deleted = 0 AND h.status = 'active' AND {units} AND {where} "
        "ORDER BY h.unit_code, h.village, h.head_sort LIMIT :limit", params)
    return [dict(r) for r in rows]


def list_actions(store: Store, household_id: str | None = None, *, unit_codes: Sequence[str] | None = None,
                 year: int | None = None, status: str | Sequence[str] | None = None,
                 measure_code: str | None = None, body_code: str | None = None,
                 overdue_on: date | None = None, limit: int = 5000, offset: int = 0) -> list[dict[str, Any]]:
    """Support actions, newest plan first, with household head, member and measure names.

    Filters: one household, units, year (planned or done that year), status(es), measure, body,
    and ``overdue_on`` (not done/cancelled, planned before that date)."""
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    where = ["a.deleted = 0", _units_clause(unit_codes, params)]
    if household_id is not None:
        where.append("a.household_id = :hh")
        params["hh"] = household_id
    if year is not None:
        where.append("((a.planned_date BETWEEN :ys AND :ye) OR (a.done_date BETWEEN :ys AND :ye))")
        params.update(_year_params(year))
    statuses = [status] if isinstance(status, str) else list(status or [])
    if overdue_on is not None:
        statuses = [s for s in (statuses or OPEN_STATUSES) if s in OPEN_STATUSES]
        where.append("a.planned_date < :today")
        params["today"] = overdue_on.isoformat()
    if statuses or overdue_on is not None:
        names = {f"st{i}": s for i, s in enumerate(statuses)}
        params.update(names)
        where.append(f"a.status IN ({', '.join(':' + n for n in names)})" if names else "0")
    for col, value in (("measure_code", measure_code), ("body_code", body_code)):
        if value is not None:
            where.append(f"a.{col} = :{col}")
            params[col] = value
    rows = store.query(
        "SELECT a.*, h.head_name, h.household_code, h.village, m.full_name AS member_name, "
        "sm.name AS measure_name FROM support_actions a JOIN households h ON h.id = a.household_id "
        "LEFT JOIN members m ON m.id = a.member_id LEFT JOIN support_measures sm ON sm.code = a.measure_code "
        f"WHERE {' AND '.join(where)} "
        "ORDER BY a.planned_date IS NULL, a.planned_date, h.head_name, a.id LIMIT :limit OFFSET :offset", params)
    return [dict(r) for r in rows]


def overdue_actions(store: Store, today: date, *, unit_codes: Sequence[str] | None = None,
                    limit: int = 5000) -> list[dict[str, Any]]:
    """Actions past their planned date that are neither done nor cancelled."""
    return list_actions(store, unit_codes=unit_codes, overdue_on=today, limit=limit)


def action_summary(store: Store, year: int, *, unit_codes: Sequence[str] | None = None) -> dict[str, Any]:
    """Counts per status and the total amount of done actions in ``year`` (one aggregate query)."""
    params: dict[str, Any] = _year_params(year)
    units = _units_clause(unit_codes, params)
    rows = store.query(
        "SELECT a.status, COUNT(*), SUM(CASE WHEN a.status = 'done' THEN a.amount END) "
        "FROM support_actions a JOIN households h ON h.id = a.household_id "
        f"WHERE a.deleted = 0 AND {units} AND ((a.planned_date BETWEEN :ys AND :ye) "
        "OR (a.done_date BETWEEN :ys AND :ye)) GROUP BY a.status", params)
    counts = {s: 0 for s in STATUS_LABELS}
    amount = 0
    for r in rows:
        counts[r[0]] = int(r[1])
        amount += int(r[2] or 0)
    return {"counts": counts, "done_amount": amount}
