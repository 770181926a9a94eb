"""Progress of a plan per unit: the linear expectation across the year and the status words.

Pure: ``plan/tracker_queries.py`` gathers the counts with aggregate SQL and calls
``build_progress``. Status rules (named constants, tested at their boundaries):

* ``đạt`` when the households that exited reach the unit's target;
* ``đúng tiến độ`` when they reach the linear expectation, target × elapsed share of the year
  at the as-of date (× ``ON_TRACK_SHARE``);
* ``chậm`` otherwise.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

DONE = "đạt"
ON_TRACK = "đúng tiến độ"
BEHIND = "chậm"
STATUS_LABELS = (DONE, ON_TRACK, BEHIND)

# Share of the linear expectation a unit must reach to be "on track" (1.0: the straight line).
ON_TRACK_SHARE = 1.0

# Event kinds counted in the plan year (household_events.kind).
EXIT_KINDS = ("exited_near_poverty",)
NEW_KINDS = ("became_near_poor", "poor_to_near_poor")
TO_POOR_KINDS = ("near_poor_to_poor",)

# Metrics a dashboard number can be clicked through to (households_behind).
METRICS = {
    "exited": "Hộ thoát cận nghèo trong năm",
    "new": "Hộ cận nghèo mới trong năm",
    "to_poor": "Hộ cận nghèo chuyển thành hộ nghèo",
    "current": "Hộ cận nghèo hiện có",
    "able_without_action": "Hộ có khả năng thoát nhưng chưa có kế hoạch hỗ trợ",
}


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def elapsed_share(year: int, as_of: date) -> float:
    """Share of ``year`` elapsed at the END of ``as_of``: 0 before 1/1, 1 from 31/12 on."""
    start, end = year_bounds(year)
    if as_of < start:
        return 0.0
    if as_of >= end:
        return 1.0
    days = (end - start).days + 1
    return ((as_of - start).days + 1) / days


def expected_exits(target: int, year: int, as_of: date) -> float:
    """Households that should have exited by ``as_of`` on a straight line from 0 to target."""
    return target * elapsed_share(year, as_of)


def unit_status(exited: int, target: int, expected: float) -> str:
    """'đạt' / 'đúng tiến độ' / 'chậm' (see the module docstring)."""
    if exited >= target:
        return DONE
    if exited >= expected * ON_TRACK_SHARE:
        return ON_TRACK
    return BEHIND


@dataclass
class UnitProgress:
    """One dashboard row (a unit of the plan, or the totals row with unit_code '')."""

    unit_code: str
    unit_name: str
    baseline: int
    target: int
    exited: int
    new: int
    to_poor: int
    expected: float
    status: str
    baseline_typed: bool = False
    to_zero: bool = False
    current: int = 0  # near-poor households in the registry now

    @property
    def net_change(self) -> int:
        """Change of the near-poor count this year (negative = fewer near-poor households)."""
        return self.new - self.exited - self.to_poor

    @property
    def percent_of_target(self) -> float | None:
        """Exited / target in percent (2 decimals); None for a unit without a target."""
        return round(100.0 * self.exited / self.target, 2) if self.target else None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["net_change"] = self.net_change
        out["percent_of_target"] = self.percent_of_target
        out["expected"] = round(self.expected, 2)
        return out


@dataclass
class MonthPoint:
    """Chart point: cumulative exits at the end of ``month`` (None after the as-of month)."""

    month: int
    cumulative_exits: int | None
    target_line: float


@dataclass
class Progress:
    plan_id: str
    year: int
    as_of: date
    units: list[UnitProgress]
    total: UnitProgress
    monthly: list[MonthPoint] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"plan_id": self.plan_id, "year": self.year, "as_of": self.as_of.isoformat(),
                "elapsed_share": round(elapsed_share(self.year, self.as_of), 4),
                "units": [u.as_dict() for u in self.units], "total": self.total.as_dict(),
                "monthly": [asdict(m) for m in self.monthly]}


def _int(value: Any) -> int:
    return int(value or 0)


def build_progress(plan_id: str, year: int, as_of: date, plan_units: Iterable[Mapping[str, Any]],
                   counts: Mapping[str, Mapping[str, int]],
                   exits_by_month: Mapping[int, int]) -> Progress:
    """Assemble the dashboard from the plan's unit rows (target_unit_code, unit_name,
    baseline_near_poor, target_reduction, baseline_typed, to_zero), per-unit counts
    (exited, new, to_poor, current) and the plan's exits per month (1–12)."""
    units = []
    for pu in plan_units:
        code = pu["target_unit_code"]
        c = counts.get(code, {})
        target = _int(pu.get("target_reduction"))
        expected = expected_exits(target, year, as_of)
        exited = _int(c.get("exited"))
        units.append(UnitProgress(
            code, pu.get("unit_name") or code, _int(pu.get("baseline_near_poor")), target, exited,
            _int(c.get("new")), _int(c.get("to_poor")), expected, unit_status(exited, target, expected),
            bool(pu.get("baseline_typed")), bool(pu.get("to_zero")), _int(c.get("current"))))
    target = sum(u.target for u in units)
    exited = sum(u.exited for u in units)
    expected = expected_exits(target, year, as_of)
    total = UnitProgress("", "Tổng cộng", sum(u.baseline for u in units), target, exited,
                         sum(u.new for u in units), sum(u.to_poor for u in units), expected,
                         unit_status(exited, target, expected),
                         any(u.baseline_typed for u in units), False, sum(u.current for u in units))
    return Progress(plan_id, year, as_of, units, total, monthly_curve(year, as_of, target, exits_by_month))


def monthly_curve(year: int, as_of: date, target: int, exits_by_month: Mapping[int, int]) -> list[MonthPoint]:
    """Cumulative exits at each month's end against the straight target line."""
    points, running = [], 0
    for month in range(1, 13):
        running += _int(exits_by_month.get(month))
        month_end = date(year, month, calendar.monthrange(year, month)[1])
        started = as_of >= date(year, month, 1)
        points.append(MonthPoint(month, running if started else None,
                                 round(expected_exits(target, year, month_end), 2)))
    return points
