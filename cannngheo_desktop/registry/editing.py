"""Writes the household editor and the event dialog make, each as ONE transaction.

``save_household`` stores a household with all its member changes at once (new, changed and
removed members, then one update of the derived columns). ``record_event`` writes an event
(exit, moved away, member died…) and the status change it implies: households and members are
never deleted for these reasons, they change status and stay findable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ..core import model
from ..core.errors import ValidationError
from ..core.text import fold, parse_vn_date
from ..storage import households as hh_repo
from ..storage import repo
from ..storage.db import Store
from . import duplicates
from .household_codes import household_code_for
from .validation import check_cccd, normalize_member, validate_household

# Household columns the editor may write (derived and sync columns are managed here).
EDITABLE_HOUSEHOLD_FIELDS = (
    "unit_code", "household_code", "village", "address", "area_type", "income_month", "floor_area_m2",
    "wall_durable", "frame_durable", "roof_durable", "water_source", "latrine", "devices", "uses_telecom",
    "uses_digital_services", "waste_handling", "land_area_m2", "is_merit", "no_labour_capacity",
    "is_ethnic_minority", "is_average_farm", "able_to_exit", "able_to_exit_reason", "causes", "needs",
    "needs_text",
)
EDITABLE_MEMBER_FIELDS = (
    "full_name", "birth_date", "birth_year_only", "sex", "cccd", "cccd_date", "relation", "ethnicity", "education_level",
    "in_school", "employment", "able_to_work", "has_health_insurance", "malnourished", "disabled",
    "social_allowance", "merit_status", "wants_job_support", "got_job_support", "got_job", "status",
)

EXIT_KINDS = {"exited_poverty", "exited_near_poverty"}
MAX_REASON_CHARS = 500
MEMBER_KINDS = {"member_died": "died", "member_left": "left"}
HOUSEHOLD_STATUS_BY_KIND = {"moved_away": "moved_away", "merged_duplicate": "merged", "moved_in": "active"}
# Events the editor's "Ghi sự kiện" offers (recognition events come from assessments).
RECORDABLE_KINDS = ("exited_near_poverty", "exited_poverty", "moved_away", "moved_in", "member_died",
                    "member_left", "member_born", "merged_duplicate", "id_corrected")


def _first_error(household: Mapping[str, Any], members: Sequence[Mapping[str, Any]], today: date) -> None:
    for issue in validate_household(household, members, today=today):
        if issue.is_error:
            raise ValidationError(issue.message, field=issue.field)


def _pick(data: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    return {k: data[k] for k in names if k in data}


def _same(stored: Any, new: Any) -> bool:
    """Values that mean the same: empty text and None, lists in another order, bools and 0/1."""
    if stored in (None, "") and new in (None, ""):
        return True
    if isinstance(stored, list) and isinstance(new, list):
        return sorted(map(str, stored)) == sorted(map(str, new))
    if isinstance(new, bool) and stored in (0, 1):
        return bool(stored) == new
    return False


def _real_changes(current: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields that really change (so the history shows no empty edits)."""
    return {k: v for k, v in data.items() if not _same(current.get(k), v)}


def _kept_conflicts(store: Store, household_id: str) -> set[tuple[str, str]]:
    """(CCCD, other household) pairs this household already kept with a recorded reason."""
    rows = store.query("SELECT related_household_id, note FROM household_events WHERE household_id = ? "
                       "AND kind = 'cccd_duplicate_kept' AND deleted = 0", (household_id,))
    return {(str(r["note"] or "").split(" ", 2)[1], r["related_household_id"]) for r in rows
            if str(r["note"] or "").startswith("CCCD ")}


def unresolved_cccd_conflicts(store: Store, members: Sequence[Mapping[str, Any]], *,
                              household_id: str | None = None) -> list[duplicates.Duplicate]:
    """Members of other households holding a CCCD typed here, less those this household already
    kept with a recorded reason. The editor asks for a reason when this is not empty."""
    kept = _kept_conflicts(store, household_id) if household_id else set()
    live = [m for m in members if not m.get("deleted")]
    return [d for d in duplicates.cccd_conflicts(store, live, exclude_id=household_id)
            if (str(live[d.member_index].get("cccd")).strip(), d.household_id) not in kept]


def record_cccd_reasons(store: Store, household_id: str, unit_code: str, conflicts: Sequence[duplicates.Duplicate],
                      members: Sequence[Mapping[str, Any]], reason: str | None, today: date) -> None:
    """Refuse a CCCD held by another household unless a reason is given; the reason is kept as
    an audited event on this household (one per number and other household)."""
    if not conflicts:
        return
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationError(
            "Số CCCD đã có ở hộ khác: " + " ".join(d.message for d in conflicts)
            + " Mỗi số CCCD là một người; nếu vẫn lưu, hãy ghi lý do (ví dụ: đang chờ xóa đăng ký ở hộ cũ).",
            field="cccd")
    if len(text) > MAX_REASON_CHARS:
        raise ValidationError(f"Lý do giữ số CCCD trùng dài {len(text)} ký tự; tối đa {MAX_REASON_CHARS}.",
                              field="duplicate_reason")
    for d in conflicts:
        cccd = str(members[d.member_index].get("cccd")).strip()
        repo.insert(store, "household_events", {
            "household_id": household_id, "unit_code": unit_code, "kind": "cccd_duplicate_kept",
            "event_date": today.isoformat(), "related_household_id": d.household_id,
            "note": f"CCCD {cccd} trùng với {d.household_code or 'hộ khác'} ({d.full_name}). Lý do: {text}"})


def save_household(store: Store, household: Mapping[str, Any], members: Sequence[Mapping[str, Any]], *,
                   household_id: str | None = None, today: date | None = None,
                   duplicate_reason: str | None = None) -> str:
    """Create (``household_id`` None) or update a household with its members in ONE transaction.

    ``members`` is the editor's full list in display order: a member with an ``id`` is updated,
    one without is added, and one with ``deleted`` set is removed (soft delete: entered by
    mistake). A birth year alone ("1950") is stored as 1 January with ``birth_year_only``. A
    CCCD held by a member of another household is refused unless ``duplicate_reason`` (or
    ``household['duplicate_reason']``, as the editor passes it) is given; it is kept as an
    audited 'cccd_duplicate_kept' event. A new household without a code gets one
    (registry.codes). Validation errors raise ValidationError and nothing is written. Returns the id.
    """
    day = today or date.today()
    duplicate_reason = duplicate_reason or household.get("duplicate_reason")
    members = [normalize_member(m) if "birth_date" in m else dict(m) for m in members]
    live = [m for m in members if not m.get("deleted")]
    _first_error(household, live, day)
    data = _pick(household, EDITABLE_HOUSEHOLD_FIELDS)
    conflicts = unresolved_cccd_conflicts(store, live, household_id=household_id)
    if household_id is None:
        new_members = [{**_pick(m, EDITABLE_MEMBER_FIELDS), "sort_order": i} for i, m in enumerate(live)]
        with store.transaction():
            if not str(data.get("household_code") or "").strip() and data.get("unit_code"):
                data["household_code"] = household_code_for(store, data["unit_code"], data.get("village"))
            new_id = hh_repo.add_household(store, {**data, "status": "active"}, new_members)
            record_cccd_reasons(store, new_id, data["unit_code"], conflicts, live, duplicate_reason, day)
        return new_id
    with store.transaction():
        record_cccd_reasons(store, household_id, data.get("unit_code") or repo.require(
            store, "households", household_id)["unit_code"], conflicts, live, duplicate_reason, day)
        current = repo.require(store, "households", household_id)
        order = 0
        for m in members:
            fields = _pick(m, EDITABLE_MEMBER_FIELDS)
            if m.get("id") and m.get("deleted"):
                repo.soft_delete(store, "members", m["id"])
                continue
            if m.get("deleted"):
                continue
            fields["sort_order"] = order
            order += 1
            if "full_name" in fields:
                fields["search_key"] = fold(fields["full_name"])
            if m.get("id"):
                stored = repo.require(store, "members", m["id"])
                repo.update(store, "members", m["id"], _real_changes(stored, fields))
            else:
                repo.insert(store, "members", {**fields, "household_id": household_id,
                                               "unit_code": data.get("unit_code") or current["unit_code"]})
        hh_repo.refresh_derived(store, household_id, _real_changes(current, data))
    return household_id


def _member(store: Store, household_id: str, member_id: str | None) -> dict[str, Any]:
    if not member_id:
        raise ValidationError("Hãy chọn thành viên mà sự kiện này nói đến.", field="member_id")
    row = repo.require(store, "members", member_id)
    if row["household_id"] != household_id:
        raise ValidationError("Thành viên đã chọn không thuộc hộ này.", field="member_id")
    return row


def _apply_member_event(store: Store, household_id: str, kind: str, event: dict[str, Any],
                        new_member: Mapping[str, Any] | None, new_cccd: str | None) -> list[str]:
    """Member side of an event; returns notes to add to the event."""
    if kind in MEMBER_KINDS:
        _member(store, household_id, event.get("member_id"))
        repo.update(store, "members", event["member_id"], {"status": MEMBER_KINDS[kind]})
        return []
    if kind == "member_born":
        if not new_member or not str(new_member.get("full_name") or "").strip():
            raise ValidationError("Hãy nhập họ và tên của thành viên mới sinh.", field="full_name")
        hh = repo.require(store, "households", household_id)
        fields = {"relation": "child", **_pick(new_member, EDITABLE_MEMBER_FIELDS)}
        fields.setdefault("birth_date", event["event_date"])
        row = repo.insert(store, "members", {**fields, "household_id": household_id, "unit_code": hh["unit_code"],
                                             "search_key": fold(fields["full_name"]), "sort_order": 99})
        event["member_id"] = row["id"]
        return []
    if kind == "id_corrected":
        member = _member(store, household_id, event.get("member_id"))
        problem = check_cccd(new_cccd or "")
        if problem:
            raise ValidationError(problem, field="cccd")
        repo.update(store, "members", member["id"], {"cccd": new_cccd})
        return [f"CCCD {member.get('cccd') or '(trống)'} → {new_cccd}"]
    return []


def record_event(store: Store, household_id: str, kind: str, event_date: Any, *,
                 decision_no: str | None = None, member_id: str | None = None,
                 related_household_id: str | None = None, to_category: str | None = None,
                 note: str | None = None, new_member: Mapping[str, Any] | None = None,
                 new_cccd: str | None = None, today: date | None = None) -> dict[str, Any]:
    """Record an event and its effect in ONE transaction; returns the stored event row.

    exit → category becomes ``to_category`` (default not_poor) with the exit date and decision;
    moved away / merged as duplicate → household status (it stays findable with "show
    removed"); moved in → active again; member died/left → the member's status; member born →
    a new member (``new_member``); ID corrected → the member's CCCD becomes ``new_cccd``.
    """
    if kind not in model.EVENT_KINDS:
        raise ValidationError(f"Loại sự kiện '{kind}' không hợp lệ.", field="kind")
    try:
        day = parse_vn_date(event_date)
    except ValueError as exc:
        raise ValidationError(f"Ngày của sự kiện: {exc}.", field="event_date") from None
    if day > (today or date.today()):
        raise ValidationError("Ngày của sự kiện không được ở tương lai.", field="event_date")
    if kind == "merged_duplicate" and not related_household_id:
        raise ValidationError("Hãy chọn hộ được giữ lại (hồ sơ trùng gộp vào hộ đó).", field="related_household_id")
    with store.transaction():
        hh = repo.require(store, "households", household_id)
        event: dict[str, Any] = {"household_id": household_id, "unit_code": hh["unit_code"], "kind": kind,
                                 "event_date": day.isoformat(), "decision_no": decision_no or None,
                                 "member_id": member_id, "related_household_id": related_household_id,
                                 "from_category": hh.get("category")}
        notes = _apply_member_event(store, household_id, kind, event, new_member, new_cccd)
        changes: dict[str, Any] = {}
        if kind in EXIT_KINDS:
            event["to_category"] = to_category or model.NOT_POOR
            changes = {"category": event["to_category"], "category_since": day.isoformat(),
                       "exit_date": day.isoformat()}
            if decision_no:
                changes["certificate_no"] = decision_no
        if kind in HOUSEHOLD_STATUS_BY_KIND:
            changes["status"] = HOUSEHOLD_STATUS_BY_KIND[kind]
        event["note"] = "; ".join([*notes, note] if note else notes) or None
        row = repo.insert(store, "household_events", event)
        hh_repo.refresh_derived(store, household_id, changes)
    return row
