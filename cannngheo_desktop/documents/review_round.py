"""The papers of a review round: the posting list, the minutes of the village meetings, the
chairman's decision (each built here from review/ data and drawn by a writer in render/), and
the round report (báo cáo kết quả rà soát): results by category before and after the round,
the movements against the previous list, and the deprivation analysis of the round's surveyed
households — one summary sheet in the same format as the reports tab's tables
(``render.summary``), as Excel or PDF. Data through review/ and storage/ (no SQL here)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from ..core.errors import ValidationError
from ..core.model import NEAR_POOR, POOR
from ..core.places import address_as_of
from ..core.text import fold
from ..review import decisions
from ..review import meetings as rm
from ..review import outcome as rd
from ..review import rounds as rv
from ..review import settings as review_settings
from ..review.calendar import DEFAULT_POSTING_DAYS
from ..storage import repo, rulesets
from ..storage.db import Store
from ..storage.reference import get_unit
from .context import place_name, ubnd
from .render import summary
from .render.posting_list import PostingList, write_posting_list
from .render.review_decision import Decision, write_decision
from .render.review_minutes import Minutes, write_minutes
from .render.summary import Section, SummaryReport
from .render.xlsx_base import Column

# row label: (event kind counted in the poor column, in the near-poor column) — as the movements report
MOVES = (("Mới công nhận", "became_poor", "became_near_poor"),
         ("Chuyển từ loại khác sang", "near_poor_to_poor", "poor_to_near_poor"),
         ("Thoát", "exited_poverty", "exited_near_poverty"),
         ("Chuyển sang loại khác", "poor_to_near_poor", "near_poor_to_poor"))


def movement(item: dict[str, Any]) -> str | None:
    """The event kind the decision writes (or wrote) for one item; None when unchanged or refused."""
    if item.get("event_kind"):
        return item["event_kind"]
    if item.get("reply_date") or decisions.is_refusal(item, item["final_category"]):
        return None
    return decisions.event_kind(item.get("previous_category") or item.get("household_category"),
                                item["final_category"])


def indicator_label(dimension: str | None, name: str) -> str:
    """'Dimension: name', or the name alone when it repeats its dimension ('Việc làm', not
    'Việc làm: Việc làm')."""
    if not dimension or fold(dimension) == fold(name):
        return name
    return f"{dimension}: {name}"


def round_report(store: Store, review_id: str, on: date) -> SummaryReport:
    """The report of one round (before its decision the figures are the proposals)."""
    rnd = rv.get_round(store, review_id)
    listed = rv.items(store, review_id)
    before = Counter(i.get("previous_category") for i in listed)
    after = Counter(i["final_category"] for i in listed if not i.get("reply_date"))
    rows_cat = [[1, "Danh sách trước rà soát", before[POOR], before[NEAR_POOR]],
                [2, "Kết quả rà soát" + ("" if rnd["status"] in ("decided", "closed") else " (đề xuất, chưa có quyết định)"),
                 after[POOR], after[NEAR_POOR]]]
    moves = Counter(k for k in map(movement, listed) if k)
    rows_move = [[n, label, moves[p], moves[c]] for n, (label, p, c) in enumerate(MOVES, start=1)]
    ruleset = rulesets.get_ruleset(store, rnd["ruleset_code"])
    deprived: Counter = Counter()
    for i in listed:
        if not i.get("assessment_id") or i["final_category"] not in decisions.LISTED:
            continue
        saved = repo.get(store, "assessments", i["assessment_id"]) or {}
        for verdict in saved.get("results") or []:
            if verdict.get("status") == "deprived":
                deprived[(i["final_category"], verdict.get("code"))] += 1
    rows_dep = [[n, indicator_label(ind.dimension, ind.name), deprived[(POOR, ind.code)],
                 deprived[(NEAR_POOR, ind.code)]]
                for n, ind in enumerate(ruleset.indicators, start=1)]
    unit = get_unit(store, rnd["unit_code"], on) or get_unit(store, rnd["unit_code"]) or {"name": rnd["unit_code"]}
    figures = rd.round_summary(store, review_id)
    what = f"thường xuyên kỳ {rnd['period'][5:]}/{rnd['period'][:4]}" if rnd.get("period") else f"định kỳ năm {rnd['year']}"
    decision = (f"; quyết định số {rnd['decision_no']} ngày {date.fromisoformat(rnd['decision_date']):%d/%m/%Y}"
                if rnd.get("decision_no") else "")
    columns = [Column("TT", 5, "int", "center"), Column("Nội dung", 52), Column("Hộ nghèo (hộ)", 13, "int"),
               Column("Hộ cận nghèo (hộ)", 13, "int")]
    return SummaryReport(
        title="Báo cáo kết quả rà soát hộ nghèo, hộ cận nghèo", columns=columns,
        sections=[Section([["I", "Kết quả theo phân loại", None, None], *rows_cat,
                           ["II", "Biến động so với danh sách trước", None, None], *rows_move,
                           ["III", f"Số hộ thiếu hụt dịch vụ xã hội cơ bản ({ruleset.code})", None, None],
                           *rows_dep])],
        unit_lines=(ubnd(unit["name"]), ""), subtitle=f"Rà soát {what} — {unit['name']}{decision}",
        place=place_name(unit["name"]), on=on, sheet_name="Ket qua ra soat",
        notes=(f"{figures['households']} hộ trong danh sách rà soát; {figures['complaints']} khiếu nại; "
               f"{figures['refused']} đề nghị không được công nhận (có văn bản trả lời); "
               f"{figures['certificates']} giấy chứng nhận đã cấp.",
               "Hộ trung bình, hộ không nghèo sau rà soát: "
               f"{after['average']} và {after['not_poor']} hộ.",
               "Thiếu hụt: theo phiếu rà soát của đợt, tính trên hộ có kết quả nghèo / cận nghèo."))


def write_round_report(store: Store, review_id: str, path: Path | str, on: date, fmt: str = "xlsx") -> Path:
    """Write the round report to ``path`` (``fmt`` xlsx or pdf)."""
    report = round_report(store, review_id, on)
    target = Path(path)
    return summary.write_pdf(report, target) if fmt == "pdf" else summary.write_xlsx(report, target)



def _unit_name(store: Store, code: str, on: date) -> str:
    unit = get_unit(store, code, on) or get_unit(store, code)
    return str(unit["name"]) if unit else code


def round_label(rnd: dict[str, Any]) -> str:
    """"rà soát định kỳ năm 2026" / "rà soát thường xuyên kỳ 11/2026"."""
    if rnd.get("period"):
        return f"rà soát thường xuyên kỳ {rnd['period'][5:]}/{rnd['period'][:4]}"
    return f"rà soát định kỳ năm {rnd['year']}"


def posting_list(store: Store, review_id: str, on: date) -> PostingList:
    """The list posted publicly: the households the round proposes as poor or near-poor."""
    rnd = rv.get_round(store, review_id)
    name = _unit_name(store, rnd["unit_code"], on)
    households = [{**h, "address": address_as_of(h.get("address") or "", name, on)}
                  for h in rv.posting_households(store, review_id)]
    return PostingList((ubnd(name), ""), name, int(rnd["year"]), households, place=place_name(name), on=on,
                       posting_days=int(rnd.get("posting_days") or DEFAULT_POSTING_DAYS))


def write_posting(store: Store, review_id: str, path: Path | str, on: date, fmt: str = "xlsx") -> Path:
    """Write the posting list (ID numbers masked by the writer) as Excel or PDF."""
    return write_posting_list(posting_list(store, review_id, on), Path(path), fmt)


def minutes(store: Store, review_id: str, village: str | None = None) -> list[Minutes]:
    """The minutes of the round's village meetings (or of one village), by date."""
    rnd = rv.get_round(store, review_id)
    out = []
    for m in rm.meetings(store, review_id):
        if village is not None and (m["village"] or "") != village:
            continue
        day = date.fromisoformat(m["meeting_date"])
        name = _unit_name(store, rnd["unit_code"], day)
        households = [{"head_name": i["head_name"],
                       "address": address_as_of(i.get("address") or "", name, day) or i.get("village") or "",
                       "proposed": i.get("proposed_category"), "result": i.get("meeting_result")}
                      for i in rv.items(store, review_id, village=m["village"] or "")]
        out.append(Minutes(name, m["village"] or "", int(rnd["year"]), day, int(m["attendees"] or 0),
                           m.get("votes_for"), m.get("votes_against"), m.get("chair") or "", m.get("secretary") or "",
                           m.get("agreed") or "", m.get("disagreements") or "", m.get("passed") != 0,
                           place_name(name), households))
    return out


def write_round_minutes(store: Store, review_id: str, path: Path | str, village: str | None = None) -> Path:
    """Write the minutes of the round's meetings (or one village's) as one PDF."""
    return write_minutes(minutes(store, review_id, village), path)


def decision(store: Store, review_id: str) -> Decision:
    """The decided round's decision with its attached lists (refused requests are left out:
    they get a written reply instead)."""
    rnd = rv.get_round(store, review_id)
    if not rnd.get("decision_no"):
        raise ValidationError("Đợt rà soát chưa có quyết định công nhận để in.", field="review")
    day = date.fromisoformat(rnd["decision_date"])
    name = _unit_name(store, rnd["unit_code"], day)
    groups: dict[str, list[dict[str, Any]]] = {k: [] for k in ("poor", "near_poor", "exited_poverty",
                                                              "exited_near_poverty")}
    for i in rv.items(store, review_id):
        if i.get("reply_date"):
            continue
        key = i.get("event_kind") if i.get("event_kind") in groups else i["final_category"]
        if key in groups:
            groups[key].append({"head_name": i["head_name"], "village": i.get("village") or "",
                                "address": address_as_of(i.get("address") or "", name, day),
                                "member_count": i.get("member_count")})
    ruleset = rulesets.get_ruleset(store, rnd["ruleset_code"])
    return Decision(name, place_name(name), rnd["decision_no"], day, int(rnd["year"]), round_label(rnd),
                    rnd["ruleset_code"], review_settings.signer_name(store), groups, draft=not ruleset.confirmed)


def write_round_decision(store: Store, review_id: str, path: Path | str) -> Path:
    """Write the decision and its lists as one PDF."""
    return write_decision(decision(store, review_id), path)
