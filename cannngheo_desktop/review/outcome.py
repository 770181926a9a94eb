"""The end of a review round: the chairman's decision (categories, events, replies to refused
requests) in ONE transaction, certificates numbered per year, overdue ongoing requests, and
the figures of the round report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import Any

from ..core.errors import ValidationError
from ..core.model import CATEGORY_LABELS, UNDETERMINED
from ..storage import households as hh_repo
from ..storage import repo
from ..storage.db import Store
from . import calendar, decisions, steps
from .rounds import _open_round, as_date, get_item, get_round, items

CERTIFICATE_SUFFIX = "GCN-HN.HCN"


def _blockers(listed: list[dict[str, Any]]) -> list[str]:
    problems = []
    unsurveyed = [i for i in listed if not i.get("surveyed_on")]
    if unsurveyed:
        problems.append(f"{len(unsurveyed)} hộ chưa rà soát (ví dụ: {unsurveyed[0]['head_name']})")
    open_complaints = [i for i in listed if i.get("complaint") and not i.get("complaint_resolved_on")]
    if open_complaints:
        problems.append(f"{len(open_complaints)} khiếu nại chưa giải quyết (ví dụ: hộ {open_complaints[0]['head_name']})")
    unknown = [i for i in listed if i.get("surveyed_on") and i["final_category"] in (None, UNDETERMINED)]
    if unknown:
        problems.append(f"{len(unknown)} hộ chưa đủ thông tin để phân loại (ví dụ: {unknown[0]['head_name']}); "
                        "hãy bổ sung thông tin của hộ rồi rà soát lại hoặc ghi kết quả họp dân")
    return problems


def default_refusal_reason(item: Mapping[str, Any], final: str | None) -> str:
    """A plain reason for a refused request, from the round's result."""
    label = CATEGORY_LABELS.get(final or "", "chưa xác định").lower()
    if item.get("request_kind") == "exit":
        return f"Kết quả rà soát, họp dân và niêm yết: hộ vẫn thuộc diện {label}, chưa đủ điều kiện thoát."
    return f"Kết quả rà soát, họp dân và niêm yết: hộ được xác định là {label}, không thuộc diện đề nghị."


def confirm_decision(store: Store, review_id: str, *, decision_no: str, decision_date: date | str,
                     refusal_reasons: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Apply the decision in ONE transaction: each item's final category becomes the
    household's category with its event (became poor / near-poor, poor → near-poor, exits…);
    refused requests get a reply record with the reason. Refuses (and writes nothing) while
    households are unsurveyed, complaints are open or a category is undetermined.
    Returns counts: ``events`` by kind, ``refused``, ``unchanged``."""
    rnd = _open_round(store, review_id)
    if not (decision_no or "").strip():
        raise ValidationError("Hãy nhập số quyết định công nhận.", field="decision_no")
    day = as_date(decision_date, "decision_date", "Ngày quyết định")
    if rnd.get("posting_end") and day <= date.fromisoformat(rnd["posting_end"]):
        raise ValidationError(f"Ngày quyết định {day:%d/%m/%Y} chưa sau ngày hết niêm yết công khai "
                              f"({date.fromisoformat(rnd['posting_end']):%d/%m/%Y}); người dân còn được khiếu nại "
                              "trong thời gian niêm yết. Hãy chọn ngày sau khi hết niêm yết.", field="decision_date")
    listed = items(store, review_id)
    if not listed:
        raise ValidationError("Đợt rà soát chưa có hộ nào.", field="review")
    problems = _blockers(listed)
    if problems:
        raise ValidationError("Chưa ban hành được quyết định: " + "; ".join(problems) + ".", field="review")
    reasons = dict(refusal_reasons or {})
    counts: Counter[str] = Counter()
    iso = day.isoformat()
    with store.transaction():
        for item in listed:
            final = item["final_category"]
            hh = hh_repo.get_household(store, item["household_id"]) or {}
            before = hh.get("category")
            changes: dict[str, Any] = {"final_category": final, "previous_category": before}
            refused = decisions.is_refusal(item, final)
            kind = None if refused else decisions.event_kind(before, final)
            if refused:
                changes.update(refusal_reason=reasons.get(item["id"]) or default_refusal_reason(item, final),
                               reply_date=iso)
                counts["refused"] += 1
            household: dict[str, Any] = {"review_year": rnd["year"], "phieu_a_result": item.get("phieu_a_result")}
            if kind is not None:
                changes["event_kind"] = kind
                repo.insert(store, "household_events", {
                    "unit_code": hh["unit_code"], "household_id": hh["id"], "kind": kind, "event_date": iso,
                    "decision_no": decision_no.strip(), "from_category": before, "to_category": final,
                    "note": f"Rà soát {rnd['year']}" + (f" kỳ {rnd['period']}" if rnd.get("period") else "")})
                household.update(category=final, category_since=iso)
                if final not in decisions.LISTED:
                    household["exit_date"] = iso
                counts[kind] += 1
            elif not refused:
                counts["unchanged"] += 1
            if not refused and item.get("assessment_id"):
                assessment = repo.get(store, "assessments", item["assessment_id"]) or {}
                repo.update(store, "assessments", item["assessment_id"], {"recognised": 1})
                if assessment.get("deprivation_count") is not None:
                    household["deprivation_count"] = assessment["deprivation_count"]
            repo.update(store, "review_items", item["id"], changes)
            hh_repo.update_household(store, item["household_id"], household)
        repo.update(store, "reviews", review_id, {
            "decision_no": decision_no.strip(), "decision_date": iso, "status": "decided",
            "steps": steps.mark(rnd["steps"], "decision", "done", iso)})
    return {"events": {k: v for k, v in counts.items() if k not in ("refused", "unchanged")},
            "refused": counts["refused"], "unchanged": counts["unchanged"]}


def next_certificate_seq(store: Store, year: int) -> int:
    """The next certificate number of ``year`` (numbers restart at 1 each year)."""
    top = store.scalar("SELECT max(certificate_seq) FROM review_items WHERE certificate_year = ? AND deleted = 0",
                       (year,))
    return int(top or 0) + 1


def certificate_number(seq: int) -> str:
    """The printed number: sequence, then the suffix (e.g. ``007/GCN-HN.HCN``)."""
    return f"{seq:03d}/{CERTIFICATE_SUFFIX}"


def validity_year(rnd: Mapping[str, Any]) -> int:
    """The year a certificate is valid for: the year after an annual review (the end-2026
    review sets the 2027 lists), the round's own year for an ongoing review."""
    return int(rnd["year"]) + 1 if rnd["kind"] == "annual" else int(rnd["year"])


def issue_certificates(store: Store, review_id: str, *, on: date | str,
                       item_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Number and record certificates for the decided poor and near-poor households that have
    none yet (or only ``item_ids``); the household keeps the number and date. Returns the
    items given a number, in order."""
    rnd = get_round(store, review_id)
    if rnd["status"] not in ("decided", "closed"):  # closed: every certificate issued, reprints only
        raise ValidationError("Cần ban hành quyết định công nhận trước khi cấp giấy chứng nhận.", field="review")
    day = as_date(on, "certificate_date", "Ngày cấp")
    wanted = set(item_ids) if item_ids is not None else None
    chosen = [i for i in items(store, review_id)
              if i["final_category"] in decisions.LISTED and not i.get("certificate_no") and not i.get("reply_date")
              and (wanted is None or i["id"] in wanted)]
    year = day.year
    issued = []
    with store.transaction():
        seq = next_certificate_seq(store, year)
        for item in chosen:
            number = certificate_number(seq)
            repo.update(store, "review_items", item["id"], {
                "certificate_no": number, "certificate_year": year, "certificate_seq": seq,
                "certificate_date": day.isoformat()})
            hh_repo.update_household(store, item["household_id"], {"certificate_no": number,
                                                                   "certificate_date": day.isoformat()})
            issued.append(item["id"])
            seq += 1
        if chosen:
            repo.update(store, "reviews", review_id,
                        {"steps": steps.mark(rnd["steps"], "certificates", "doing", day.isoformat())})
    return [get_item(store, i) for i in issued]


def _address(hh: Mapping[str, Any]) -> str:
    address, village = (hh.get("address") or "").strip(), (hh.get("village") or "").strip()
    if village and village.casefold() not in address.casefold():
        return f"{address}, {village}" if address else village
    return address


def certificate_record(store: Store, item_id: str) -> dict[str, Any]:
    """Everything a certificate prints, as plain data: number, category, head (name, ethnicity,
    ID number and date), address, members, validity year, unit, decision."""
    item = get_item(store, item_id)
    rnd = get_round(store, item["review_id"])
    hh = hh_repo.get_household(store, item["household_id"]) or {}
    members = [m for m in hh_repo.get_members(store, item["household_id"]) if (m.get("status") or "present") == "present"]
    head = next((m for m in members if m.get("relation") == "head"), members[0] if members else {})
    unit = store.query_one("SELECT name FROM units WHERE code = ? AND deleted = 0 ORDER BY valid_from DESC LIMIT 1",
                           (hh.get("unit_code"),))
    return {
        "number": item.get("certificate_no") or "", "date": item.get("certificate_date"),
        "category": item["final_category"], "head_name": head.get("full_name") or hh.get("head_name") or "",
        "ethnicity": head.get("ethnicity") or "", "cccd": head.get("cccd") or "", "cccd_date": head.get("cccd_date"),
        "address": _address(hh),
        "household_code": hh.get("household_code") or "",
        "members": [{"full_name": m["full_name"], "birth_date": m.get("birth_date"), "relation": m.get("relation"),
                     "cccd": m.get("cccd")} for m in members],
        "validity_year": validity_year(rnd), "unit_name": unit[0] if unit else hh.get("unit_code") or "",
        "decision_no": rnd.get("decision_no") or "", "decision_date": rnd.get("decision_date"),
        "signer_name": store.get_setting("review.signer_name") or "",
        "refusal_reason": item.get("refusal_reason"), "reply_date": item.get("reply_date"),
        "request_kind": item.get("request_kind"), "request_date": item.get("request_date"),
        "request_by": item.get("request_by"),
    }


def overdue_requests(store: Store, today: date, *, unit_code: str | None = None) -> list[dict[str, Any]]:
    """Requests of ongoing rounds still without a certificate or a written reply more than
    15 days after they were filed, oldest first, each with its ``deadline``."""
    sql = ("SELECT i.*, h.head_name, h.village, r.period FROM review_items i JOIN reviews r ON r.id = i.review_id "
           "JOIN households h ON h.id = i.household_id WHERE i.deleted = 0 AND r.deleted = 0 AND r.kind = 'ongoing' "
           "AND i.request_date IS NOT NULL AND i.certificate_no IS NULL AND i.reply_date IS NULL")
    params: tuple = ()
    if unit_code:
        sql += " AND r.unit_code = ?"
        params = (unit_code,)
    out = []
    for r in store.query(sql + " ORDER BY i.request_date", params):
        row = dict(r)
        # An exit granted by the decision is answered by the decision itself (no certificate).
        answered = bool(row.get("final_category")) and row["final_category"] not in decisions.LISTED
        asked = date.fromisoformat(row["request_date"])
        if calendar.is_overdue(asked, today, answered=answered):
            row["deadline"] = calendar.request_deadline(asked).isoformat()
            out.append(row)
    return out


def round_summary(store: Store, review_id: str) -> dict[str, Any]:
    """Figures of the round report: households by final category, movements by event kind,
    refusals, certificates issued and complaints."""
    listed = items(store, review_id)
    return {
        "households": len(listed),
        "by_category": dict(Counter(i["final_category"] or UNDETERMINED for i in listed)),
        "movements": dict(Counter(i["event_kind"] for i in listed if i.get("event_kind"))),
        "refused": sum(1 for i in listed if i.get("reply_date")),
        "certificates": sum(1 for i in listed if i.get("certificate_no")),
        "complaints": sum(1 for i in listed if i.get("complaint")),
        "unsurveyed": sum(1 for i in listed if not i.get("surveyed_on")),
    }


def close_round(store: Store, review_id: str, *, on: date | str) -> dict[str, Any]:
    """Close a decided round (the report is done): every step done, status ``closed``. Refused
    before the decision, or while a decided poor / near-poor household still has neither a
    certificate nor a written reply."""
    rnd = get_round(store, review_id)
    if rnd["status"] == "closed":
        raise ValidationError("Đợt rà soát này đã kết thúc.", field="review")
    if rnd["status"] != "decided":
        raise ValidationError("Chỉ kết thúc được đợt đã có quyết định công nhận.", field="review")
    day = as_date(on, "closed_date", "Ngày kết thúc")
    missing = [i for i in items(store, review_id) if i["final_category"] in decisions.LISTED
               and not i.get("certificate_no") and not i.get("reply_date")]
    if missing:
        raise ValidationError(f"Còn {len(missing)} hộ nghèo, cận nghèo chưa được cấp giấy chứng nhận (ví dụ: "
                              f"{missing[0]['head_name']}); hãy cấp giấy trước khi kết thúc đợt.", field="review")
    iso = day.isoformat()
    repo.update(store, "reviews", review_id, {"status": "closed", "closed_date": iso, "report_date": iso,
                                              "steps": steps.mark(rnd["steps"], "report", "done", iso)})
    return get_round(store, review_id)
