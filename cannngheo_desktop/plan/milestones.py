"""Milestones of a plan: which are overdue, and the start-up text ("3 việc quá hạn").

Pure: takes milestone rows (mappings with ``status`` and ``due_date`` as ISO text or a date)
and a ``today`` given by the caller, so tests fix the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

OPEN = "open"
DONE = "done"
CANCELLED = "cancelled"
STATUS_LABELS = {OPEN: "Chưa xong", DONE: "Đã xong", CANCELLED: "Đã hủy"}


def _as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def is_overdue(milestone: Mapping[str, Any], today: date) -> bool:
    """Open and due strictly before ``today`` (due today is not yet overdue)."""
    due = _as_date(milestone.get("due_date"))
    return milestone.get("status", OPEN) == OPEN and due is not None and due < today


def overdue(milestones: Iterable[Mapping[str, Any]], today: date) -> list[Mapping[str, Any]]:
    """The overdue milestones, earliest due date first."""
    late = [m for m in milestones if is_overdue(m, today)]
    return sorted(late, key=lambda m: str(m.get("due_date")))


def days_late(milestone: Mapping[str, Any], today: date) -> int:
    """How many days past its due date an open milestone is (0 when not overdue)."""
    due = _as_date(milestone.get("due_date"))
    if not is_overdue(milestone, today) or due is None:
        return 0
    return (today - due).days


def overdue_text(count: int) -> str:
    """'3 việc quá hạn'; empty text when nothing is overdue (nothing to show at start-up)."""
    return f"{count} việc quá hạn" if count > 0 else ""


def summary(milestones: Iterable[Mapping[str, Any]], today: date) -> str:
    """The start-up text for a list of milestones."""
    return overdue_text(len(overdue(milestones, today)))
