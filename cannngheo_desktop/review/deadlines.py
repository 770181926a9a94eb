"""The legal deadline of each step of a review round, with the text it comes from.

Source read (through secondary publications quoting the articles, not the Official Gazette):
Decision 24/2021/QĐ-TTg, the review procedure under Decree 07/2021/NĐ-CP (standards 2022–2025):
- Art. 3.1.a: the annual review runs from 01/09 to 14/12 of the year;
- Art. 3.1.b and Art. 5: the ongoing review is done once a month from the 15th; the decision and
  the certificate (or a written refusal with the reason) within 15 days of that start;
- Art. 4: the village meeting agrees with at least 50% of those present (else survey and meet
  again); the results are posted publicly for 03 working days;
- Art. 7.1: on the 5th of each month (February to September) the commune reports the ongoing
  review's results.
No deadline was found in those texts for settling a complaint, nor for the annual certificates
and report: those steps show "chưa có thời hạn trong văn bản" instead of a date.

Decree 351/2025/NĐ-CP (standards from 2026/2027): its text and its review procedure could not be
found; rounds under it (year ≥ 2027 or the VN-2027 ruleset) show the deadlines above marked
"chưa xác nhận" until the new procedure is read. See docs/reviews.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from . import calendar, steps

PROCEDURE_07 = "QĐ 24/2021/QĐ-TTg (quy trình theo NĐ 07/2021/NĐ-CP)"
PROCEDURE_351 = "NĐ 351/2025/NĐ-CP"
NOT_FOUND_351 = ("chưa tìm được văn bản quy trình rà soát theo Nghị định 351/2025/NĐ-CP; tạm dùng thời hạn "
                 "của Quyết định 24/2021/QĐ-TTg — chưa xác nhận")
NO_DEADLINE = "chưa có thời hạn trong văn bản"
# Steps whose deadline is a period, before its dates are known.
UNDATED = {"posting": "03 ngày làm việc từ ngày niêm yết", "complaints": "trong thời gian niêm yết"}
SOON_DAYS = 3
WINDOWS = frozenset({"posting", "complaints"})  # their date ends a period; passing it is not lateness


@dataclass(frozen=True)
class Deadline:
    """When a step is due (None: the texts read give no date), the rule in words, where it
    comes from, and whether that source governs this round (False: carried over, unconfirmed)."""

    step: str
    due: date | None
    rule: str
    source: str
    confirmed: bool

    def label(self) -> str:
        """"hạn 14/12/2026" or the reason there is none, for the step bar and the CLI."""
        when = f"hạn {self.due.strftime('%d/%m/%Y')}" if self.due else UNDATED.get(self.step, NO_DEADLINE)
        return when if self.confirmed else f"{when} (chưa xác nhận)"


def under_new_decree(rnd: Mapping[str, Any]) -> bool:
    """Rounds from 2027 (or any round scoring with the 2027–2030 ruleset) fall under Decree 351/2025."""
    return int(rnd.get("year") or 0) >= 2027 or str(rnd.get("ruleset_code") or "").startswith("VN-2027")


def ongoing_start(rnd: Mapping[str, Any]) -> date | None:
    """The 15th of an ongoing round's month (Art. 3.1.b), None for an annual round."""
    period = rnd.get("period")
    if rnd.get("kind") != "ongoing" or not period:
        return None
    year, month = (int(x) for x in str(period).split("-"))
    return date(year, month, 15)


def _report_day(start: date) -> date:
    """The 5th of the month after the ongoing round's start (Art. 7.1)."""
    first_next = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_next.replace(day=5)


def step_deadlines(rnd: Mapping[str, Any], holidays: Iterable[date] = ()) -> dict[str, Deadline]:
    """Every step's deadline for one round (``reviews`` row)."""
    confirmed = not under_new_decree(rnd)
    src = PROCEDURE_07 if confirmed else f"{PROCEDURE_351}: {NOT_FOUND_351}"
    posting_end = date.fromisoformat(rnd["posting_end"]) if rnd.get("posting_end") else None
    days = int(rnd.get("posting_days") or calendar.DEFAULT_POSTING_DAYS)
    start = ongoing_start(rnd)
    if start is None:
        end = date(int(rnd["year"]), 12, 14)
        window = f"rà soát định kỳ từ 01/09 đến hết 14/12/{rnd['year']} (Điều 3 khoản 1 điểm a)"
        rows = {
            "list": (end, window), "survey": (end, window), "meeting": (end, window + "; nhất trí ≥ 50% người dự"),
            "decision": (end, window), "certificates": (None, "cấp cùng quyết định công nhận"),
            "report": (None, "báo cáo Chủ tịch UBND cấp trên"),
        }
    else:
        end = start + timedelta(days=calendar.REQUEST_DEADLINE_DAYS)
        window = (f"rà soát thường xuyên từ {start.strftime('%d/%m/%Y')}; quyết định và giấy chứng nhận trong "
                  "15 ngày (Điều 3 khoản 1 điểm b, Điều 5)")
        rows = {
            "list": (end, window), "survey": (end, window), "meeting": (end, window + "; nhất trí ≥ 50% người dự"),
            "decision": (end, window), "certificates": (end, window),
            "report": (_report_day(start), "ngày 05 tháng sau, từ tháng 02 đến tháng 9 (Điều 7 khoản 1)"),
        }
    rows["posting"] = (posting_end, f"niêm yết {days:02d} ngày làm việc (Điều 4), trừ thứ Bảy, Chủ nhật, ngày nghỉ")
    rows["complaints"] = (posting_end, "nhận khiếu nại trong thời gian niêm yết; thời hạn giải quyết: " + NO_DEADLINE)
    return {step: Deadline(step, due, rule, src, confirmed) for step, (due, rule) in rows.items()}


def state(deadline: Deadline, step_status: str, today: date) -> str:
    """"done", "late" (past due, not done), "ended" (the posting period is over), "soon" (due
    within 3 days), "open" or "none"."""
    if step_status == "done":
        return "done"
    if deadline.due is None:
        return "none"
    if today > deadline.due:
        return "ended" if deadline.step in WINDOWS else "late"
    return "soon" if (deadline.due - today).days <= SOON_DAYS else "open"


def overview(rnd: Mapping[str, Any], today: date, holidays: Iterable[date] = ()) -> list[dict[str, Any]]:
    """One row per step in order: label, status, its deadline and the deadline's state."""
    norm = steps.normalised(rnd.get("steps"))
    found = step_deadlines(rnd, holidays)
    return [{"step": s, "label": steps.STEP_LABELS[s], "status": norm[s]["status"], "date": norm[s]["date"],
             "deadline": found[s], "state": state(found[s], norm[s]["status"], today)} for s in steps.STEPS]
