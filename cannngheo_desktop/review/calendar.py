"""Working days and deadlines of a review.

- Public posting lasts N working days (3 by default): the end date is the start date plus N
  working days, Saturdays, Sundays and the configured holidays skipped (a posting that starts
  on Friday 04/12 ends on Wednesday 09/12).
- An ongoing-review request must get its certificate or a reasoned refusal within 15 days of
  the request (calendar days, Decision 24/2021/QĐ-TTg); later than that it is overdue.
Holidays are data (settings key ``review.holidays``), since the Tết dates move every year.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

DEFAULT_POSTING_DAYS = 3
REQUEST_DEADLINE_DAYS = 15


def is_working_day(day: date, holidays: Iterable[date] = ()) -> bool:
    """Monday to Friday and not a holiday."""
    return day.weekday() < 5 and day not in set(holidays)


def add_working_days(start: date, days: int, holidays: Iterable[date] = ()) -> date:
    """``start`` plus ``days`` working days (``days`` ≥ 0; 0 gives ``start``)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    off = set(holidays)
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            left -= 1
    return day


def posting_end(start: date, days: int = DEFAULT_POSTING_DAYS, holidays: Iterable[date] = ()) -> date:
    """Last day of the public posting that starts on ``start``."""
    return add_working_days(start, days, holidays)


def parse_holidays(text: str | None) -> list[date]:
    """Holidays from the settings text: ISO dates separated by commas, spaces or new lines.
    Raises ValueError naming the first bad entry."""
    out = []
    for part in (text or "").replace(",", " ").split():
        try:
            out.append(date.fromisoformat(part))
        except ValueError:
            raise ValueError(f"ngày nghỉ '{part}' không đúng dạng yyyy-mm-dd") from None
    return sorted(set(out))


def format_holidays(days: Iterable[date]) -> str:
    """The settings text for a list of holidays (sorted, ISO, comma separated)."""
    return ",".join(d.isoformat() for d in sorted(set(days)))


def request_deadline(request_date: date, days: int = REQUEST_DEADLINE_DAYS) -> date:
    """Last day on which the certificate or the written refusal is due."""
    return request_date + timedelta(days=days)


def is_overdue(request_date: date, today: date, *, answered: bool, days: int = REQUEST_DEADLINE_DAYS) -> bool:
    """True when a request is still unanswered after its deadline."""
    return not answered and today > request_deadline(request_date, days)
