"""Completeness grid: unit × month → sent / received / late / waiting / missing ('' = not due yet).

At the office a month is *received* when that commune's bundle for the period was applied and had
been SENT (the signed manifest's ``created_at``, as a Vietnam date, UTC+7) by the 5th of the next
month, *late* when sent after it — when the office got round to importing it does not count
against the commune —, *waiting* while it waits for a gap, *missing* once the deadline passed
with nothing. At a commune the grid shows its own months: *sent*, or
*received* once the office's receipt came back.

Months before the unit was expected to report are *not applicable* ('na'), never *missing*: before
the month this installation was created, and at the office also before the month the commune's
key was first trusted (a month for which a bundle did arrive always shows that bundle's status).

Whose clock: a manifest's ``created_at`` is written by the SENDER's PC and signed, but nothing
proves the PC's clock was right; ``received_at`` and ``acknowledged_at`` are this copy's own.
:func:`cell_dates` names each date with its source (:data:`SENDER_DATE` vs :data:`RECEIVED_DATE`)
so the screens never show the sender's date as if it had been measured here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from ..core.text import format_date
from ..storage.db import Store
from . import sync
from .envelope import require_installation

STATUS_LABELS = {"sent": "Đã gửi", "received": "Đã nhận", "late": "Nhận muộn", "waiting": "Chờ gói thiếu",
                 "missing": "Thiếu", "na": "Chưa áp dụng", "": ""}
DEADLINE_DAY = 5
VIETNAM = timezone(timedelta(hours=7))
_RANK = {"": 0, "na": 0, "missing": 1, "sent": 2, "waiting": 3, "late": 4, "received": 5}
SENDER_DATE = "Ngày lập (theo máy đơn vị gửi)"   # the manifest's created_at: the sender's clock
RECEIVED_DATE = "Ngày nhận"                       # when this copy imported the bundle
EXPORTED_DATE = "Ngày xuất"                       # a commune's own bundle, its own clock
ACKNOWLEDGED_DATE = "Ngày nhận biên nhận"         # when this copy imported the office's receipt


def deadline(year: int, month: int) -> date:
    """The 5th of the month after ``year-month``."""
    return date(year + (month == 12), month % 12 + 1, DEADLINE_DAY)


def _status_in(row: dict, year: int, month: int) -> str:
    if row["status"] == "waiting":
        return "waiting"
    if row["status"] != "applied":
        return ""
    sent = sent_date(row["created_at"] or row["received_at"] or "")
    return "late" if sent is None or sent > deadline(year, month) else "received"


def sent_date(created_at: str) -> date | None:
    """The Vietnam calendar date of a UTC timestamp such as '2026-02-05T17:30:00.000000Z'."""
    if not isinstance(created_at, str):
        return None
    try:
        moment = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(VIETNAM).date()
    except (ValueError, OverflowError):  # a sender's '9999-12-31T23:00Z' overflows at UTC+7
        return None


def vn_day(timestamp: str | None) -> str:
    """dd/mm/yyyy of a stored UTC timestamp as a Vietnam date; '' when absent or unreadable."""
    day = sent_date(timestamp or "")
    return format_date(day) if day else ""


def _month_of(timestamp: str | None) -> tuple[int, int] | None:
    day = sent_date(timestamp or "")
    return (day.year, day.month) if day else None


def _first_months(store: Store, units: set[str], rows: list[dict], aggregator: bool) -> dict[str, tuple[int, int]]:
    """The first month each unit is expected to report (see the module docstring)."""
    created = store.scalar("SELECT created_at FROM installation WHERE id = 1")
    start = _month_of(created) or (1, 1)
    trusted: dict[str, tuple[int, int]] = {}
    if aggregator:
        for r in sync.list_trusted(store):
            month = _month_of(r["added_at"])
            if month and (r["unit_code"] not in trusted or month < trusted[r["unit_code"]]):
                trusted[r["unit_code"]] = month
    first: dict[str, tuple[int, int]] = {}
    for unit in units:
        month = max(start, trusted.get(unit, start))
        for row in rows:  # a month that was sent proves the unit was reporting by then
            period = row["period"] or ""
            if row["peer_unit"] == unit and len(period) >= 7 and period[:4].isdigit() and period[5:7].isdigit():
                month = min(month, (int(period[:4]), int(period[5:7])))
        first[unit] = month
    return first


def completeness_grid(store: Store, year: int, *, today: date | None = None) -> dict[str, dict[int, str]]:
    """{unit_code: {1..12: status}} for ``year``; see the module docstring for the statuses."""
    today = today or datetime.now(VIETNAM).date()  # deadlines are Vietnam dates, whatever the PC's zone
    inst = require_installation(store)
    grid: dict[str, dict[int, str]] = {}
    if inst.role == "aggregator":
        units = {r["unit_code"] for r in sync.list_trusted(store) if r["unit_code"] != inst.unit_code}
        rows = [r for r in sync.list_bundles(store, "in") if r["kind"] == "commune-report"]
        units |= {r["peer_unit"] for r in rows}
        direction_status = _status_in
    else:
        units = {inst.unit_code}
        rows = [dict(r, peer_unit=inst.unit_code) for r in sync.list_bundles(store, "out")
                if r["kind"] == "commune-report"]

        def direction_status(row: dict, year: int, month: int) -> str:
            return "received" if row["acknowledged_at"] else "sent"
    first = _first_months(store, units, rows, inst.role == "aggregator")
    for unit in sorted(units):
        grid[unit] = {m: ("na" if (year, m) < first[unit] else "missing" if today > deadline(year, m) else "")
                      for m in range(1, 13)}
    for row in rows:
        period = row["period"] or ""
        if not period.startswith(f"{year}-"):
            continue
        month = int(period[5:7])
        status = direction_status(row, year, month)
        current = grid[row["peer_unit"]][month]
        if current in ("", "na", "missing") or _RANK[status] > _RANK[current]:
            grid[row["peer_unit"]][month] = status
    return grid


def cell_dates(store: Store, year: int) -> dict[str, dict[int, list[tuple[str, str]]]]:
    """{unit: {month: [(label, dd/mm/yyyy), …]}} for the grid's cells of ``year``: at the office
    the sender's date (:data:`SENDER_DATE`) and this copy's :data:`RECEIVED_DATE`; at a commune
    its own :data:`EXPORTED_DATE` and :data:`ACKNOWLEDGED_DATE`. The latest bundle of a month wins."""
    inst = require_installation(store)
    office = inst.role == "aggregator"
    rows = [r for r in sync.list_bundles(store, "in" if office else "out") if r["kind"] == "commune-report"]
    out: dict[str, dict[int, list[tuple[str, str]]]] = {}
    for row in sorted(rows, key=lambda r: r["sequence"]):
        period = row["period"] or ""
        if not (period.startswith(f"{year}-") and period[5:7].isdigit() and 1 <= int(period[5:7]) <= 12):
            continue
        if office:
            dates = [(SENDER_DATE, vn_day(row["created_at"])), (RECEIVED_DATE, vn_day(row["received_at"]))]
            unit = row["peer_unit"]
        else:
            dates = [(EXPORTED_DATE, vn_day(row["created_at"])), (ACKNOWLEDGED_DATE, vn_day(row["acknowledged_at"]))]
            unit = inst.unit_code
        out.setdefault(unit, {})[int(period[5:7])] = [(label, day) for label, day in dates if day]
    return out
