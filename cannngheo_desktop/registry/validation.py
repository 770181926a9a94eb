"""Rules a household record must satisfy before it is saved or imported (pure: no SQL, no Qt).

``validate_household`` returns every problem at once, each with the field it concerns, so the
editor can show the messages beside the fields and the importer beside the rows. Errors block a
save; warnings are shown and the user may go on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..core import model
from ..core.household_checks import MIN_BIRTH_YEAR, cccd_structure_problems, format_birth, parse_birth
from ..core.text import format_date, parse_vn_date

ERROR = "error"
WARNING = "warning"

CCCD_LENGTH = 12
MAX_FLOOR_AREA_M2 = 10_000
MAX_INCOME = 10_000_000_000  # exclusive upper bound (VND)

_DIGITS = re.compile(r"^\d+$")

# Code fields of a member and the vocabulary each must come from.
MEMBER_CODE_FIELDS: dict[str, tuple[str, Mapping[str, str]]] = {
    "relation": ("Quan hệ với chủ hộ", model.RELATIONS),
    "sex": ("Giới tính", model.SEXES),
    "education_level": ("Trình độ học vấn", model.EDUCATION_LEVELS),
    "employment": ("Việc làm", model.EMPLOYMENT),
    "status": ("Tình trạng cư trú", model.MEMBER_STATUSES),
}


@dataclass(frozen=True)
class Issue:
    """One problem: ``member_index`` is the position in the members list (None: the household)."""

    level: str  # ERROR or WARNING
    field: str
    message: str
    member_index: int | None = None

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


def _present(member: Mapping[str, Any]) -> bool:
    return not member.get("deleted") and (member.get("status") or "present") == "present"


def _who(member: Mapping[str, Any], index: int) -> str:
    name = str(member.get("full_name") or "").strip()
    return f"Thành viên {index + 1} ({name})" if name else f"Thành viên {index + 1}"


def check_cccd(value: Any) -> str | None:
    """Vietnamese message when ``value`` is not a 12-digit citizen ID; None when it is fine."""
    text = str(value).strip()
    if not _DIGITS.match(text):
        return f"Số CCCD '{text}' chỉ được gồm chữ số (12 chữ số)."
    if len(text) != CCCD_LENGTH:
        return f"Số CCCD '{text}' có {len(text)} chữ số; CCCD phải có đúng {CCCD_LENGTH} chữ số."
    return None


def birth_of(member: Mapping[str, Any]) -> tuple[date, bool] | None:
    """The member's birth as (date, year_only), or None when empty or unreadable. A stored
    member carries ``birth_year_only``; a typed one may give just the year ("1950")."""
    raw = member.get("birth_date")
    if raw in (None, ""):
        return None
    try:
        day, year_only = parse_birth(raw)
    except ValueError:
        return None
    return day, year_only or bool(member.get("birth_year_only"))


def normalize_member(member: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``member`` with ``birth_date`` as an ISO date and ``birth_year_only`` set
    (a year alone is kept as 1 January of that year with the flag). Unreadable values are left
    as they are for :func:`validate_household` to report."""
    out = dict(member)
    raw = out.get("birth_date")
    if raw in (None, ""):
        out["birth_date"] = None
        out["birth_year_only"] = 0
        return out
    try:
        day, year_only = parse_birth(raw)
    except ValueError:
        return out
    out["birth_date"] = day.isoformat()
    out["birth_year_only"] = int(year_only or (bool(member.get("birth_year_only")) and day.month == 1
                                                 and day.day == 1))
    return out


def _later(day: date, year_only: bool, reference: date) -> bool:
    return day.year > reference.year if year_only else day > reference


def _when(reference: date, as_of: bool) -> str:
    return (f"sau ngày đánh giá {format_date(reference)}" if as_of
            else f"ở tương lai (hôm nay là {format_date(reference)})")


def _check_birth(member: Mapping[str, Any], index: int, reference: date, as_of: bool) -> list[Issue]:
    raw = member.get("birth_date")
    if raw in (None, ""):
        return []
    who = _who(member, index)
    try:
        parse_birth(raw)
    except ValueError as exc:
        return [Issue(ERROR, "birth_date", f"{who}: {exc}.", index)]
    born, year_only = birth_of(member) or (date.min, False)
    shown = format_birth(born.isoformat(), year_only)
    label = "năm sinh" if year_only else "ngày sinh"
    if _later(born, year_only, reference):
        return [Issue(ERROR, "birth_date", f"{who}: {label} {shown} {_when(reference, as_of)}.", index)]
    if born.year < MIN_BIRTH_YEAR:
        return [Issue(ERROR, "birth_date",
                      f"{who}: {label} {shown} trước năm {MIN_BIRTH_YEAR}; hãy kiểm tra lại.", index)]
    return []


def _check_cccd_date(member: Mapping[str, Any], index: int, reference: date, as_of: bool) -> list[Issue]:
    raw = member.get("cccd_date")
    if raw in (None, ""):
        return []
    who = _who(member, index)
    try:
        issued = parse_vn_date(raw)
    except ValueError as exc:
        return [Issue(ERROR, "cccd_date", f"{who}: ngày cấp CCCD {exc}.", index)]
    if issued > reference:
        return [Issue(ERROR, "cccd_date",
                      f"{who}: ngày cấp CCCD {format_date(issued)} {_when(reference, as_of)}.", index)]
    born = birth_of(member)
    if born and issued.year < born[0].year:
        return [Issue(ERROR, "cccd_date",
                      f"{who}: ngày cấp CCCD {format_date(issued)} trước khi sinh.", index)]
    return []


def _check_cccd_structure(member: Mapping[str, Any], index: int) -> list[Issue]:
    born = birth_of(member)
    problems = cccd_structure_problems(str(member["cccd"]).strip(), born[0].year if born else None,
                                       member.get("sex"))
    if not problems:
        return []
    return [Issue(WARNING, "cccd", f"{_who(member, index)}: số CCCD {str(member['cccd']).strip()} không khớp "
                  f"cấu trúc CCCD ({'; '.join(problems)}). Hãy đối chiếu với thẻ CCCD.", index)]


def _check_member(member: Mapping[str, Any], index: int, reference: date, as_of: bool) -> list[Issue]:
    issues: list[Issue] = []
    who = _who(member, index)
    if not str(member.get("full_name") or "").strip():
        issues.append(Issue(ERROR, "full_name", f"Thành viên {index + 1}: chưa nhập họ và tên.", index))
    cccd = member.get("cccd")
    if cccd not in (None, ""):
        problem = check_cccd(cccd)
        if problem:
            issues.append(Issue(ERROR, "cccd", f"{who}: {problem}", index))
        else:
            issues.extend(_check_cccd_structure(member, index))
    issues.extend(_check_birth(member, index, reference, as_of))
    issues.extend(_check_cccd_date(member, index, reference, as_of))
    for name, (label, vocabulary) in MEMBER_CODE_FIELDS.items():
        value = member.get(name)
        if value not in (None, "") and value not in vocabulary:
            allowed = ", ".join(vocabulary.values())
            issues.append(Issue(ERROR, name, f"{who}: {label} '{value}' không hợp lệ (chọn một trong: {allowed}).",
                                index))
    return issues


def _number(value: Any) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _check_household_fields(household: Mapping[str, Any]) -> list[Issue]:
    issues: list[Issue] = []
    area = _number(household.get("floor_area_m2"))
    if area is not None and not (0 <= area <= MAX_FLOOR_AREA_M2):
        issues.append(Issue(ERROR, "floor_area_m2",
                            f"Diện tích nhà ở '{household.get('floor_area_m2')}' phải là số từ 0 đến "
                            f"{MAX_FLOOR_AREA_M2:,} m².".replace(",", ".")))
    income = _number(household.get("income_month"))
    if income is not None and not (0 <= income < MAX_INCOME):
        issues.append(Issue(ERROR, "income_month",
                            f"Thu nhập '{household.get('income_month')}' phải là số không âm và nhỏ hơn "
                            "10 tỷ đồng."))
    category = household.get("category")
    if category not in (None, "") and category not in model.CATEGORY_LABELS:
        issues.append(Issue(ERROR, "category", f"Phân loại hộ '{category}' không hợp lệ."))
    return issues


def _check_heads(members: Sequence[Mapping[str, Any]]) -> list[Issue]:
    present = [(i, m) for i, m in enumerate(members) if _present(m)]
    heads = [i for i, m in present if m.get("relation") == "head"]
    if not present:
        return [Issue(ERROR, "members", "Hộ chưa có thành viên nào đang ở; hãy nhập ít nhất chủ hộ.")]
    if not heads:
        return [Issue(ERROR, "relation", "Hộ chưa có chủ hộ: đúng một thành viên phải có quan hệ 'Chủ hộ'.")]
    if len(heads) > 1:
        names = ", ".join(_who(members[i], i) for i in heads)
        return [Issue(ERROR, "relation", f"Hộ có {len(heads)} chủ hộ ({names}); chỉ được có một chủ hộ.", i)
                for i in heads[1:]]
    return []


def _check_repeated_cccd(members: Sequence[Mapping[str, Any]]) -> list[Issue]:
    seen: dict[str, int] = {}
    issues = []
    for i, m in enumerate(members):
        cccd = str(m.get("cccd") or "").strip()
        if not cccd or m.get("deleted"):
            continue
        if cccd in seen:
            issues.append(Issue(ERROR, "cccd",
                                f"{_who(m, i)}: số CCCD {cccd} trùng với {_who(members[seen[cccd]], seen[cccd])} "
                                "trong cùng hộ.", i))
        else:
            seen[cccd] = i
    return issues


def validate_household(household: Mapping[str, Any], members: Sequence[Mapping[str, Any]], *,
                       today: date, as_of: date | None = None, structure: bool = True) -> list[Issue]:
    """Every rule a household and its members break, errors and warnings, in a stable order.

    ``members`` are dicts with the member field names of core.model (deleted members and those
    who died or left are kept for history and are not counted as present). A birth date may be a
    year alone ("1950", or ``birth_year_only`` set). Nothing about a member (birth, CCCD issue
    date) may fall after ``as_of`` when given (the assessment or survey date), else after
    ``today``; the message names the date it was checked against. ``structure`` False leaves
    out the registry's structure rules (exactly one head, at least one member present).
    """
    reference = as_of or today
    issues = _check_household_fields(household)
    if structure:
        issues.extend(_check_heads(members))
    for index, member in enumerate(members):
        if member.get("deleted"):
            continue
        issues.extend(_check_member(member, index, reference, as_of is not None))
    issues.extend(_check_repeated_cccd(members))
    return issues


def has_errors(issues: Sequence[Issue]) -> bool:
    """True when any issue blocks saving."""
    return any(i.is_error for i in issues)


def assessment_problems(household: Mapping[str, Any], members: Sequence[Mapping[str, Any]],
                        on: date) -> list[Issue]:
    """The errors that forbid assessing this household on ``on`` (the one check shared by the
    registry, the Excel import, ``cannngheo evaluate`` and the review's scoring): every rule of
    :func:`validate_household` on the values (``as_of=on``), so a member born after the
    assessment date is an error, not a member counted in income per person. The registry's
    structure rules (one head) are not assessment rules and are left out, as are warnings
    (e.g. a CCCD that does not match its structure). Empty list: the household may be assessed."""
    return [i for i in validate_household(household, members, today=on, as_of=on, structure=False)
            if i.is_error]


def describe_problems(issues: Sequence[Issue]) -> str:
    """One Vietnamese text listing the fields of ``issues``, one per line ("- field: message")."""
    labels = {"birth_date": "Ngày sinh", "cccd": "Số CCCD", "cccd_date": "Ngày cấp CCCD",
              "full_name": "Họ và tên", "relation": "Quan hệ với chủ hộ", "members": "Thành viên",
              "floor_area_m2": "Diện tích nhà ở", "income_month": "Thu nhập", "category": "Phân loại hộ",
              **{k: v[0] for k, v in MEMBER_CODE_FIELDS.items()}}
    return "\n".join(f"- {labels.get(i.field, i.field)}: {i.message}" for i in issues)
