"""What the review tab's step pages read: villages and their meetings, the posting end date
before it is saved, the households a step works on, and the print records (certificates,
written replies). Read-only; the writes are in rounds.py and outcome.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..storage.db import Store
from . import calendar
from .meetings import meetings
from .outcome import certificate_record
from .rounds import get_round, items
from .settings import get_holidays


def village_overview(store: Store, review_id: str) -> list[dict[str, Any]]:
    """One row per village of the round: ``village``, ``households``, ``surveyed`` and the
    latest ``meeting`` (minutes dict or None)."""
    rows: dict[str, dict[str, Any]] = {}
    for i in items(store, review_id):
        v = rows.setdefault(i.get("village") or "", {"village": i.get("village") or "", "households": 0,
                                                     "surveyed": 0, "meeting": None})
        v["households"] += 1
        v["surveyed"] += 1 if i.get("surveyed_on") else 0
    for m in meetings(store, review_id):
        if m["village"] in rows:
            rows[m["village"]]["meeting"] = m  # ordered by date: the latest wins
    return list(rows.values())


def posting_end_preview(store: Store, review_id: str | None, start: date,
                        holidays: list[date] | None = None) -> date:
    """The end of a posting starting on ``start`` under the round's number of working days and
    the configured (or the given, not yet saved) holidays."""
    days = calendar.DEFAULT_POSTING_DAYS
    if review_id:
        days = get_round(store, review_id).get("posting_days") or days
    return calendar.posting_end(start, days, get_holidays(store) if holidays is None else holidays)


def with_complaints(store: Store, review_id: str) -> list[dict[str, Any]]:
    """The round's households that received a complaint, open ones first."""
    found = [i for i in items(store, review_id) if i.get("complaint")]
    return sorted(found, key=lambda i: (bool(i.get("complaint_resolved_on")), i.get("complaint_date") or ""))


def refusal_records(store: Store, review_id: str) -> list[dict[str, Any]]:
    """Print records of the written replies to the round's refused requests."""
    return [certificate_record(store, i["id"]) for i in items(store, review_id) if i.get("reply_date")]


def certificate_records(store: Store, review_id: str, item_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Print records of the certificates issued in the round (or only ``item_ids``), by number."""
    wanted = set(item_ids) if item_ids is not None else None
    chosen = [i for i in items(store, review_id) if i.get("certificate_no") and (wanted is None or i["id"] in wanted)]
    chosen.sort(key=lambda i: (i.get("certificate_year") or 0, i.get("certificate_seq") or 0))
    return [certificate_record(store, i["id"]) for i in chosen]


def find_household(store: Store, code: str, unit_code: str) -> dict[str, Any]:
    """The unit's household whose household code (or id) is ``code``; a ValidationError naming
    the code otherwise."""
    from ..core.errors import ValidationError

    wanted = (code or "").strip()
    row = store.query_one("SELECT id, head_name, village FROM households WHERE deleted = 0 AND unit_code = ? "
                          "AND (household_code = ? OR id = ?) LIMIT 1", (unit_code, wanted, wanted))
    if row is None:
        raise ValidationError(f"Không có hộ mã '{wanted}' ở đơn vị {unit_code}. Hãy kiểm tra mã hộ "
                              "(cột Mã hộ trong danh sách hộ).", field="household")
    return dict(row)


def item_of(store: Store, review_id: str, code: str) -> dict[str, Any]:
    """The round's item of the household with code (or id) ``code``."""
    from ..core.errors import ValidationError

    rnd = get_round(store, review_id)
    hh = find_household(store, code, rnd["unit_code"])
    for i in items(store, review_id):
        if i["household_id"] == hh["id"]:
            return i
    raise ValidationError(f"Hộ '{code}' ({hh['head_name']}) chưa có trong danh sách của đợt rà soát.",
                          field="household")


def posting_calendar(store: Store, review_id: str) -> list[tuple[date, str]]:
    """Each day of the round's posting with what it is: "ngày làm việc k/N", or why it is not
    counted (thứ Bảy, Chủ nhật, ngày nghỉ lễ)."""
    rnd = get_round(store, review_id)
    if not rnd.get("posting_start"):
        return []
    holidays = set(get_holidays(store))
    start, end = date.fromisoformat(rnd["posting_start"]), date.fromisoformat(rnd["posting_end"])
    total = rnd.get("posting_days") or calendar.DEFAULT_POSTING_DAYS
    out, n, day = [(start, "ngày bắt đầu niêm yết")], 0, start
    while day < end:
        day = date.fromordinal(day.toordinal() + 1)
        if day.weekday() == 5:
            out.append((day, "thứ Bảy, không tính"))
        elif day.weekday() == 6:
            out.append((day, "Chủ nhật, không tính"))
        elif day in holidays:
            out.append((day, "ngày nghỉ lễ, không tính"))
        else:
            n += 1
            out.append((day, f"ngày làm việc {n}/{total}"))
    return out
