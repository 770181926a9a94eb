"""Pure checks on what is typed about a person: a birth date or a birth year alone, the
structure of a CCCD number, and dates that must not fall after a reference date (today, or the
assessment date). No SQL, no Qt: the registry's validation, the Excel import, the ``evaluate``
command and the review all use these.

Birth year alone. Old paper lists often give only the year. Such a member is stored with
``birth_date`` = 1 January of that year (so every age, sort and duplicate query keeps working on
an ISO date) and ``birth_year_only`` = 1; it is shown and printed as ``yyyy``
(:func:`format_birth`), a full date as ``dd/mm/yyyy``.

CCCD structure (Circular 59/2021/TT-BCA, Article 4; cited from mylaw.vn's summary of that
article): 12 digits = 3-digit code of the province where the birth was registered (Hà Nội 001,
TP.HCM 079, …), 1 digit for century and sex (20th century: male 0, female 1; 21st: male 2,
female 3; 22nd: 4/5; 23rd: 6/7; 19th: 8/9 is not used for the living), 2 digits = the last two
digits of the birth year, 6 random digits. Province codes are the 63 pre-2025 province codes:
numbers issued before the 2025 merger keep them, so they stay valid.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from .text import format_date, parse_vn_date

MIN_BIRTH_YEAR = 1900

# Province-of-birth codes used in CCCD numbers (Circular 59/2021/TT-BCA; the 63 provinces).
PROVINCE_BIRTH_CODES = frozenset({
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022",
    "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042",
    "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060", "062", "064", "066",
    "067", "068", "070", "072", "074", "075", "077", "079", "080", "082", "083", "084", "086", "087",
    "089", "091", "092", "093", "094", "095", "096",
})

_YEAR = re.compile(r"^\s*(\d{4})(?:\.0)?\s*$")


def parse_birth(value: Any) -> tuple[date, bool]:
    """A birth date or a birth year alone → (date, year_only).

    Accepts ``dd/mm/yyyy``, an ISO date, a date object, or a year (``1950``, ``"1950"``); a year
    gives 1 January of that year with ``year_only`` True. Raises ValueError with a Vietnamese
    message otherwise.
    """
    if isinstance(value, bool):
        raise ValueError(f"'{value}' không phải ngày sinh hợp lệ (nhập dd/mm/yyyy hoặc chỉ năm sinh yyyy)")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    if isinstance(value, (date, datetime)):
        return parse_vn_date(value), False
    text = str(value if value is not None else "").strip()
    m = _YEAR.match(text)
    if m:
        year = int(m.group(1))
        if not 1 <= year <= 9999:
            raise ValueError(f"Năm sinh '{text}' không hợp lệ")
        return date(year, 1, 1), True
    try:
        return parse_vn_date(text), False
    except ValueError:
        raise ValueError(f"'{text}' không phải ngày sinh hợp lệ (nhập dd/mm/yyyy, "
                         "hoặc chỉ năm sinh yyyy nếu không biết ngày)") from None


def format_birth(birth_date: Any, year_only: Any = False) -> str:
    """``yyyy`` when only the year is known, ``dd/mm/yyyy`` otherwise; '' when unknown."""
    if birth_date in (None, ""):
        return ""
    if year_only:
        return str(birth_date)[:4]
    return format_date(birth_date)


def century_sex_digit(birth_year: int, sex: str) -> str | None:
    """The CCCD's 4th digit for a birth year and sex ('male'/'female'); None outside 1900–2299."""
    if not 1900 <= birth_year <= 2299 or sex not in ("male", "female"):
        return None
    return str((birth_year // 100 - 19) * 2 + (1 if sex == "female" else 0))


def cccd_structure_problems(cccd: str, birth_year: int | None, sex: str | None) -> list[str]:
    """What in a 12-digit CCCD disagrees with its structure or with the person's birth year and
    sex, in Vietnamese (empty: consistent). Unknown birth year or sex skips those checks.
    The caller has already checked that ``cccd`` is 12 digits."""
    problems: list[str] = []
    province, digit, yy = cccd[:3], cccd[3], cccd[4:6]
    if province not in PROVINCE_BIRTH_CODES:
        problems.append(f"3 số đầu '{province}' không phải mã tỉnh nơi đăng ký khai sinh")
    if digit in "89":
        problems.append(f"số thứ 4 là '{digit}' (không dùng cho người đang sống)")
    elif sex in ("male", "female"):
        digit_sex = "female" if int(digit) % 2 else "male"
        if digit_sex != sex:
            problems.append(f"số thứ 4 là '{digit}' ({'nữ' if digit_sex == 'female' else 'nam'}) "
                            f"nhưng giới tính ghi là {'nữ' if sex == 'female' else 'nam'}")
    if birth_year is not None:
        if yy != f"{birth_year % 100:02d}":
            problems.append(f"số thứ 5–6 là '{yy}' nhưng năm sinh là {birth_year}")
        expected = century_sex_digit(birth_year, sex) if sex else None
        if digit not in "89" and (birth_year // 100 - 19) != int(digit) // 2 and 1900 <= birth_year <= 2299:
            century = 20 + int(digit) // 2
            problems.append(f"số thứ 4 là '{digit}' (sinh thế kỷ {century}) nhưng năm sinh là {birth_year}"
                            + (f"; số đúng phải là '{expected}'" if expected else ""))
    return problems


def after(value: Any, reference: date) -> date | None:
    """The date ``value`` (birth date or year, ISO or dd/mm/yyyy) when it falls after
    ``reference``; None when it does not or cannot be read (reading errors are reported
    elsewhere). A year alone falls after only when the whole year does."""
    if value in (None, ""):
        return None
    try:
        day, year_only = parse_birth(value)
    except ValueError:
        return None
    if year_only:
        return day if day.year > reference.year else None
    return day if day > reference else None
