"""What a support action changes when it is done, applied and undone through the audited write path.

Each measure of the shipped catalogue (``resources/reference/support_measures.json``) may declare
an ``effect``: the member fields (``on: member``) or household fields (``on: household``) it sets
when the action is marked done, e.g. a health-insurance card → the member has a card; a job
placement → the member got job support and a job. ``no_member`` says who is changed when the
action names no member: ``all_present`` (every member living in the household), ``wanting_job``
(the members who asked for job support) or ``none``. ``set_if`` changes a field only while its
value is one of ``from`` (a job placement makes an unemployed member a worker, never downgrades a
contract).

Every field changed is written with :func:`storage.repo.update` (audited, shown in the household
history) and kept in ``support_effects`` with its value before, so taking the action back from
"done" puts back exactly what it changed, unless somebody changed that field since. After a
change the household is reassessed (an assessment is saved, not recognised: the category changes
only through a review).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from ..core.errors import AppError, FileFormatError
from ..core.model import EMPLOYMENT
from ..core.text import format_date
from ..storage import assessments, reference, repo, rulesets
from ..storage import households as hh_repo
from ..storage.db import Store

# Fields an effect may set, with their Vietnamese label (the history dialog uses the same words).
MEMBER_FIELDS = {"has_health_insurance": "Có thẻ BHYT", "in_school": "Đang đi học",
                 "wants_job_support": "Có nhu cầu hỗ trợ việc làm", "got_job_support": "Được hỗ trợ việc làm",
                 "got_job": "Có việc làm sau hỗ trợ", "employment": "Việc làm"}
HOUSEHOLD_FIELDS = {"wall_durable": "Tường nhà bền chắc", "frame_durable": "Khung nhà bền chắc",
                    "roof_durable": "Mái nhà bền chắc"}
NO_MEMBER_RULES = {"all_present": "mọi thành viên đang ở", "wanting_job": "thành viên có nhu cầu hỗ trợ việc làm",
                   "none": ""}


@dataclass(frozen=True)
class Effect:
    """A measure's declared change."""

    on: str  # "member" | "household"
    sets: tuple[tuple[str, Any], ...]
    set_if: tuple[tuple[str, Any, tuple[Any, ...]], ...] = ()
    no_member: str = "none"

    def describe(self) -> str:
        """'Khi xong: thành viên — Có thẻ BHYT (chưa chọn thành viên: mọi thành viên đang ở)'."""
        labels = MEMBER_FIELDS if self.on == "member" else HOUSEHOLD_FIELDS
        parts = [labels[f] if v is True else f"{labels[f]}: {value_text(f, v)}" for f, v in self.sets]
        parts += [f"{labels[f]}: {value_text(f, v)} (nếu đang là {' hoặc '.join(value_text(f, o) for o in origins)})"
                  for f, v, origins in self.set_if]
        who = "thành viên" if self.on == "member" else "hộ"
        text = f"Khi đánh dấu Đã xong, ghi cho {who}: {', '.join(parts)}"
        if self.on == "member":
            rule = NO_MEMBER_RULES.get(self.no_member)
            text += f" (chưa chọn thành viên: {rule})" if rule else " (hãy chọn thành viên)"
        return text + "."


@dataclass
class Outcome:
    """What marking done (or taking back) changed, in Vietnamese lines for the dialog and status bar."""

    changes: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # not undone: changed since
    reassessment: str | None = None

    def lines(self) -> list[str]:
        out = list(self.changes) + [f"Không hoàn tác: {k}" for k in self.kept]
        if self.reassessment:
            out.append(self.reassessment)
        return out


def value_text(name: str, value: Any) -> str:
    if name == "employment":
        return EMPLOYMENT.get(str(value), "(trống)") if value is not None else "(trống)"
    if value is None:
        return "(trống)"
    return "Có" if value in (True, 1) else "Không"


def _parse(code: str, spec: Any) -> Effect:
    """Validate one declaration of the shipped file (a damaged file names the measure)."""
    bad = FileFormatError(f"Danh mục biện pháp hỗ trợ: mục 'effect' của '{code}' không hợp lệ. "
                          "Hãy cài lại chương trình.")
    if not isinstance(spec, Mapping) or spec.get("on") not in ("member", "household"):
        raise bad
    allowed = MEMBER_FIELDS if spec["on"] == "member" else HOUSEHOLD_FIELDS
    sets, conditional = spec.get("set") or {}, spec.get("set_if") or {}
    if not isinstance(sets, Mapping) or not isinstance(conditional, Mapping) or not (sets or conditional):
        raise bad
    for name, value in sets.items():
        if name not in allowed or not isinstance(value, bool):
            raise bad
    set_if = []
    for name, rule in conditional.items():
        if name != "employment" or not isinstance(rule, Mapping) or rule.get("value") not in EMPLOYMENT:
            raise bad
        origins = rule.get("from")
        if not isinstance(origins, list) or any(o is not None and o not in EMPLOYMENT for o in origins):
            raise bad
        set_if.append((name, rule["value"], tuple(origins)))
    no_member = spec.get("no_member", "none")
    if no_member not in NO_MEMBER_RULES:
        raise bad
    return Effect(spec["on"], tuple(sets.items()), tuple(set_if), no_member)


@lru_cache(maxsize=1)
def catalogue_effects() -> dict[str, Effect]:
    """Effects of the shipped catalogue by measure code (read once)."""
    doc = reference.read_reference_file("support_measures.json")
    return {m["code"]: _parse(m["code"], m["effect"]) for m in doc.get("measures", [])
            if isinstance(m, Mapping) and "effect" in m}


def effect_for(measure_code: str | None) -> Effect | None:
    return catalogue_effects().get(measure_code or "")


def _members(store: Store, action: Mapping[str, Any], effect: Effect) -> list[dict[str, Any]]:
    if action.get("member_id"):
        return [repo.require(store, "members", action["member_id"])]
    sql = "SELECT * FROM members WHERE household_id = ? AND deleted = 0 AND coalesce(status, 'present') = 'present'"
    if effect.no_member == "wanting_job":
        sql += " AND wants_job_support = 1"
    elif effect.no_member != "all_present":
        return []
    return [dict(r) for r in store.query(sql + " ORDER BY sort_order", (action["household_id"],))]


def _wanted(effect: Effect, row: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``row`` the effect changes, with their new stored value."""
    out = {name: int(value) for name, value in effect.sets if row.get(name) != int(value)}
    for name, value, origins in effect.set_if:
        if row.get(name) in origins and row.get(name) != value:
            out[name] = value
    return out


def _record(store: Store, action: Mapping[str, Any], table: str, row: Mapping[str, Any],
            changes: Mapping[str, Any]) -> None:
    for name, after in changes.items():
        repo.insert(store, "support_effects", {
            "unit_code": action["unit_code"], "action_id": action["id"], "table_name": table,
            "row_id": row["id"], "field": name, "before": json.dumps(row.get(name)), "after": json.dumps(after)})


def _line(who: str, name: str, before: Any, after: Any, labels: Mapping[str, str]) -> str:
    return f"{who}: {labels[name]} {value_text(name, before)} → {value_text(name, after)}"


def apply_effect(store: Store, action: Mapping[str, Any], *, reassess: bool = True) -> Outcome:
    """Write the measure's change for a done action (call inside the action's transaction)."""
    outcome = Outcome()
    effect = effect_for(action.get("measure_code"))
    if effect is None:
        return outcome
    if effect.on == "household":
        hh = repo.require(store, "households", action["household_id"])
        changes = _wanted(effect, hh)
        if changes:
            _record(store, action, "households", hh, changes)
            hh_repo.update_household(store, hh["id"], changes)
            outcome.changes += [_line("Hộ", n, hh.get(n), v, HOUSEHOLD_FIELDS) for n, v in changes.items()]
    else:
        members = _members(store, action, effect)
        if not members and not action.get("member_id") and effect.no_member == "none":
            outcome.changes.append("Chưa chọn thành viên nên thông tin thành viên không thay đổi.")
        for m in members:
            changes = _wanted(effect, m)
            if changes:
                _record(store, action, "members", m, changes)
                repo.update(store, "members", m["id"], changes)
                name = m.get("full_name") or "(chưa có tên)"
                outcome.changes += [_line(name, n, m.get(n), v, MEMBER_FIELDS) for n, v in changes.items()]
    changed = any("→" in line for line in outcome.changes)
    if not outcome.changes:
        outcome.changes.append("Thông tin của hộ đã đúng như kết quả hỗ trợ, không cần thay đổi.")
    elif changed and reassess:
        hh_repo.refresh_derived(store, action["household_id"])
        outcome.reassessment = reassess_household(store, action["household_id"], _day(action))
    return outcome


def undo_effect(store: Store, action: Mapping[str, Any], *, reassess: bool = True) -> Outcome:
    """Put back what a done action changed (call inside the transaction that takes it back).
    A field somebody changed since is left as it is and reported."""
    outcome = Outcome()
    rows = store.query("SELECT * FROM support_effects WHERE action_id = ? AND undone = 0 AND deleted = 0 "
                       "ORDER BY rowid", (action["id"],))
    for r in rows:
        target, who, labels = _recorded(store, dict(r))
        before, after = json.loads(r["before"]), json.loads(r["after"])
        label = labels.get(r["field"], r["field"])
        if target is None or target.get(r["field"]) != after:
            outcome.kept.append(f"{who}: {label} (đã được sửa sau khi ghi hỗ trợ)")
        elif r["table_name"] == "households":
            hh_repo.update_household(store, r["row_id"], {r["field"]: before})
            outcome.changes.append(_line(who, r["field"], after, before, labels))
        else:
            repo.update(store, "members", r["row_id"], {r["field"]: before})
            outcome.changes.append(_line(who, r["field"], after, before, labels))
        repo.update(store, "support_effects", r["id"], {"undone": 1})
    if outcome.changes and reassess:
        hh_repo.refresh_derived(store, action["household_id"])
        outcome.reassessment = reassess_household(store, action["household_id"], _day(action))
    return outcome


def _recorded(store: Store, effect: Mapping[str, Any]) -> tuple[dict[str, Any] | None, str, Mapping[str, str]]:
    """(the changed row as it is now, who it is — "Hộ" or the member's name —, the field labels)
    of one recorded change."""
    target = repo.get(store, effect["table_name"], effect["row_id"])
    if effect["table_name"] == "households":
        return target, "Hộ", HOUSEHOLD_FIELDS
    return target, (target or {}).get("full_name") or "(thành viên)", MEMBER_FIELDS


def applied_effects(store: Store, action_id: str) -> list[dict[str, Any]]:
    """The recorded changes of an action (undone ones included), oldest first."""
    return [dict(r) for r in store.query(
        "SELECT * FROM support_effects WHERE action_id = ? AND deleted = 0 ORDER BY rowid", (action_id,))]


def undoable_actions(store: Store, household_id: str) -> list[dict[str, Any]]:
    """The household's done actions whose changes are still in place (not taken back), newest
    first, each with ``changes``: Vietnamese lines saying what it set, for the history dialog."""
    rows = store.query(
        "SELECT a.id, a.done_date, a.measure_code, sm.name AS measure_name, m.full_name AS member_name "
        "FROM support_actions a LEFT JOIN support_measures sm ON sm.code = a.measure_code "
        "LEFT JOIN members m ON m.id = a.member_id WHERE a.household_id = ? AND a.deleted = 0 "
        "AND a.status = 'done' AND EXISTS (SELECT 1 FROM support_effects e WHERE e.action_id = a.id "
        "AND e.undone = 0 AND e.deleted = 0) ORDER BY a.done_date DESC, a.id", (household_id,))
    out = []
    for r in rows:
        action = dict(r)
        changes = []
        for e in applied_effects(store, action["id"]):
            if not e["undone"]:
                _target, who, labels = _recorded(store, e)
                changes.append(_line(who, e["field"], json.loads(e["before"]), json.loads(e["after"]), labels))
        action["changes"] = changes
        out.append(action)
    return out


def _day(action: Mapping[str, Any]) -> date:
    done = action.get("done_date")
    return date.fromisoformat(done) if isinstance(done, str) and done else date.today()


def _ruleset_code(store: Store, household_id: str, on: date) -> str | None:
    """The standard the household was last assessed under, if still valid on ``on``; otherwise a
    local (province) standard valid then, otherwise a national one."""
    last = store.query_one("SELECT ruleset_code FROM assessments WHERE household_id = ? AND deleted = 0 "
                           "ORDER BY assessed_on DESC, updated_at DESC LIMIT 1", (household_id,))
    valid = [r for r in rulesets.list_rulesets(store) if r.valid_on(on)]
    codes = [r.code for r in valid]
    if last is not None and last[0] in codes:
        return str(last[0])
    local = [r.code for r in valid if r.scope != "national"]  # the province's own standard first
    choice = local or codes
    return choice[0] if choice else None


def reassess_household(store: Store, household_id: str, on: date) -> str:
    """Save a (not recognised) assessment on ``on`` and say how the deprivations moved."""
    before = store.query_one("SELECT deprivation_count, ruleset_code FROM assessments WHERE household_id = ? "
                             "AND deleted = 0 ORDER BY assessed_on DESC, updated_at DESC LIMIT 1", (household_id,))
    code = _ruleset_code(store, household_id, on)
    if code is None:
        return "Chưa đánh giá lại: không có bộ chuẩn nghèo áp dụng cho ngày hoàn thành."
    try:
        row = assessments.assess_household(store, household_id, code, on, recognise=False)
    except AppError as exc:
        return f"Chưa đánh giá lại được hộ: {exc.message}"
    ev = row["evaluation"]
    was = f"{before[0]} → " if before is not None and before[0] is not None and before[1] == code else ""
    label = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo"}.get(ev.category, "không thuộc hộ nghèo, cận nghèo")
    return (f"Đánh giá lại theo {code} ngày {format_date(on)}: thiếu hụt {was}{ev.deprivation_count} chỉ số, "
            f"kết quả {label} (phân loại của hộ chỉ đổi qua rà soát).")


def summary(outcome: Outcome, limit: int = 3) -> str:
    """One line for the status bar."""
    lines = outcome.lines()
    shown = "; ".join(lines[:limit])
    return shown + (f"; và {len(lines) - limit} thay đổi khác" if len(lines) > limit else "")


def effect_texts(codes: Sequence[str]) -> dict[str, str]:
    """Measure code → description, for the dialog's hint."""
    return {c: e.describe() for c in codes if (e := effect_for(c)) is not None}
