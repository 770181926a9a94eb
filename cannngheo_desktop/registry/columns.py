"""Column names and cell values of Excel household lists (pure: no SQL, no Qt).

Hand-made commune lists name the same column in many ways ("Họ và tên", "HỌ TÊN", "Ho ten
thanh vien"…). Headers are matched by their folded text (core.text.fold: no diacritics, đ→d,
lower case) against the synonym table below; values are turned into the codes of core.model.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from ..core import model
from ..core.text import fold, nfc

# field → folded header texts. Household fields are read from the first row of a household
# that has them; member fields from every row.
HOUSEHOLD_FIELDS = ("household_code", "group_no", "head_name", "village", "address", "category",
                    "unit_code", "is_merit", "income_month", "floor_area_m2")
MEMBER_FIELDS = ("full_name", "relation", "birth_date", "birth_male", "birth_female", "sex", "cccd",
                 "ethnicity", "education_level", "in_school", "employment", "has_health_insurance",
                 "disabled", "cccd_duplicate_reason")
IGNORED_FIELDS = ("row_no", "note", "import_errors", "import_warnings")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "household_code": ("ma ho", "ma ho gia dinh", "ma so ho", "ma ho gd", "so ho"),
    "group_no": ("stt ho", "so thu tu ho", "tt ho"),
    "head_name": ("chu ho", "ho ten chu ho", "ho va ten chu ho", "ten chu ho"),
    "village": ("thon", "to dan pho", "thon to", "thon to dan pho", "thon xom", "xom", "to", "khu pho",
                "ap", "ban", "thon to dp", "tdp"),
    "address": ("dia chi", "noi o", "noi o hien nay", "dia chi thuong tru", "cho o hien nay", "noi cu tru"),
    "category": ("phan loai", "phan loai ho", "loai ho", "ho ngheo can ngheo", "dien ho"),
    "unit_code": ("ma xa", "ma don vi", "ma xa phuong", "ma dvhc"),
    "is_merit": ("ho co cong", "nguoi co cong", "ho nguoi co cong", "co cong voi cach mang"),
    "income_month": ("thu nhap ho thang", "thu nhap thang", "thu nhap", "thu nhap ho dong thang",
                     "thu nhap cua ho dong thang"),
    "floor_area_m2": ("dien tich nha o", "dien tich nha", "dien tich nha o m2", "dien tich o m2"),
    "full_name": ("ho va ten", "ho ten", "ho ten thanh vien", "ho va ten thanh vien", "ten",
                  "ho ten nhan khau", "ho va ten nhan khau", "thanh vien"),
    "relation": ("quan he voi chu ho", "quan he", "qh voi chu ho", "moi quan he voi chu ho", "moi quan he",
                 "quan he chu ho"),
    "birth_date": ("ngay sinh", "ngay thang nam sinh", "nam sinh", "sinh ngay", "ngay sinh dd mm yyyy"),
    "birth_male": ("nam",),  # sub-columns "Nam" / "Nữ" under "Năm sinh": the year, by sex
    "birth_female": ("nu",),
    "sex": ("gioi tinh", "gt", "gioi"),
    "cccd": ("so cccd", "cccd", "cccd cmnd", "so cccd cmnd", "cmnd cccd", "so cmnd cccd", "cmnd",
             "so dinh danh", "so dinh danh ca nhan", "ma dinh danh", "can cuoc cong dan", "so can cuoc"),
    "ethnicity": ("dan toc",),
    "education_level": ("trinh do hoc van", "hoc van", "trinh do van hoa", "trinh do"),
    "in_school": ("dang di hoc", "di hoc"),
    "employment": ("viec lam", "tinh trang viec lam", "nghe nghiep", "cong viec"),
    "has_health_insurance": ("the bhyt", "bhyt", "co the bhyt", "bao hiem y te"),
    "disabled": ("khuyet tat", "nguoi khuyet tat"),
    # why a CCCD already held by another household is kept (issue 17: otherwise refused)
    "cccd_duplicate_reason": ("ly do trung cccd", "ly do giu cccd trung", "ly do trung so cccd"),
    "row_no": ("stt", "tt", "so tt", "so thu tu"),
    "note": ("ghi chu",),
    # the columns write_error_workbook adds, so a corrected error workbook imports as it is
    "import_errors": ("loi",),
    "import_warnings": ("canh bao",),
}
HEADER_TO_FIELD = {syn: name for name, syns in SYNONYMS.items() for syn in syns}


def match_header(text: Any) -> str | None:
    """The field a header cell names, or None. Folded exact match first, then a known header
    followed by a unit or note in brackets ("Ngày sinh (dd/mm/yyyy)", "Diện tích nhà ở (m2)")."""
    if text is None:
        return None
    key = fold(str(text))
    if not key:
        return None
    if key in HEADER_TO_FIELD:
        return HEADER_TO_FIELD[key]
    base = fold(re.split(r"[(\[:]", str(text))[0])
    return HEADER_TO_FIELD.get(base)


# --- values -------------------------------------------------------------------------------------
def _table(mapping: dict[str, str], extra: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table = {code: code for code in mapping}
    table.update({fold(label): code for code, label in mapping.items()})
    for code, words in extra.items():
        table.update({w: code for w in words})
    return table


RELATION_WORDS = _table(model.RELATIONS, {
    "head": ("chu ho", "ch", "chu"),
    "spouse": ("vo", "chong", "vo chong"),
    "child": ("con", "con trai", "con gai", "con de", "con nuoi"),
    "parent": ("bo", "me", "cha", "bo me", "cha me", "bo de", "me de", "bo chong", "me chong", "bo vo",
               "me vo"),
    "grandchild": ("chau", "chau noi", "chau ngoai"),
    "sibling": ("anh", "chi", "em", "anh trai", "chi gai", "em trai", "em gai", "anh chi em"),
    "other": ("khac", "con dau", "con re", "ong", "ba", "ong noi", "ba noi", "ong ngoai", "ba ngoai"),
})
SEX_WORDS = _table(model.SEXES, {"male": ("nam", "m", "trai"), "female": ("nu", "f", "gai")})
EDUCATION_WORDS = _table(model.EDUCATION_LEVELS, {
    "none": ("khong", "mu chu", "chua di hoc", "khong biet chu"),
    "primary": ("tieu hoc", "cap 1", "cap i"),
    "lower_secondary": ("thcs", "cap 2", "cap ii", "trung hoc co so"),
    "upper_secondary": ("thpt", "cap 3", "cap iii", "trung hoc pho thong"),
    "vocational": ("trung cap", "so cap", "so cap nghe", "trung cap nghe", "nghe"),
    "college": ("cao dang",),
    "university": ("dai hoc", "tren dai hoc", "thac si", "tien si"),
})
EMPLOYMENT_WORDS = _table(model.EMPLOYMENT, {
    "contract": ("co hop dong", "cong nhan", "cong chuc", "vien chuc"),
    "no_contract": ("lam thue", "khong hop dong", "lao dong tu do"),
    "self_employed": ("lam ruong", "nong nghiep", "lam nong", "buon ban", "kinh doanh", "tu lam", "tu do"),
    "unemployed": ("that nghiep", "khong co viec", "khong viec lam"),
    "student": ("hoc sinh", "sinh vien", "di hoc"),
    "not_working": ("noi tro", "huu", "nghi huu", "gia yeu", "om dau", "khong lam viec"),
})
TRUE_WORDS = {"x", "co", "1", "true", "yes", "c", "co the", "v"}
FALSE_WORDS = {"khong", "0", "false", "no", "k", "ko", "chua"}
_GRADE = re.compile(r"^(\d{1,2})\s*/\s*(10|12)$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")
EXCEL_EPOCH = date(1899, 12, 30)


@lru_cache(maxsize=8192)
def _key(value: str) -> str:
    """fold() of a cell's text, cached: coded columns repeat a handful of values."""
    return fold(value)


class CellError(ValueError):
    """A cell that cannot be read (the message is Vietnamese and names the value)."""


def text(value: Any) -> str:
    """Cell → stripped NFC text ('' for empty); whole floats lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(nfc(str(value)))


def code_from(value: Any, words: dict[str, str], label: str) -> str | None:
    """A code from a cell, by code, Vietnamese label or common word; CellError when unknown."""
    key = _key(text(value))
    if not key:
        return None
    if key in words:
        return words[key]
    raise CellError(f"{label} '{text(value)}' không nhận ra")


def education_from(value: Any) -> str | None:
    """Education level, also from the grade notation '9/12' common in commune lists."""
    m = _GRADE.match(text(value))
    if m:
        grade, system = int(m.group(1)), int(m.group(2))
        # completed grade → level; the old 10-year system ended its stages at grades 4, 7 and 10
        primary, lower, upper = (4, 7, 10) if system == 10 else (5, 9, 12)
        return ("none" if grade < primary else "primary" if grade < lower else
                "lower_secondary" if grade < upper else "upper_secondary")
    return code_from(value, EDUCATION_WORDS, "Trình độ học vấn")


def bool_from(value: Any, label: str) -> bool | None:
    """Yes/no cell: 'x', 'có', '1' → True; 'không', '0' → False; empty → None (unknown)."""
    if isinstance(value, bool):
        return value
    key = _key(text(value))
    if not key:
        return None
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise CellError(f"{label} '{text(value)}' phải là 'có'/'x' hoặc 'không'")


def category_from(value: Any) -> str | None:
    """'Hộ cận nghèo', 'CN', 'can ngheo' → near_poor; 'nghèo' → poor; a code as such."""
    key = _key(text(value))
    if not key:
        return None
    if key in model.CATEGORY_LABELS:
        return key
    labels = {fold(label): code for code, label in model.CATEGORY_LABELS.items()}
    if key in labels:
        return labels[key]
    if "can ngheo" in key or key in ("cn", "hcn"):
        return model.NEAR_POOR
    if "ngheo" in key or key in ("hn",):
        return model.POOR
    if "trung binh" in key:
        return model.AVERAGE
    if "khong thuoc" in key:
        return model.NOT_POOR
    raise CellError(f"Phân loại '{text(value)}' không nhận ra (ghi 'Hộ nghèo' hoặc 'Hộ cận nghèo')")


def date_from(value: Any) -> tuple[str | None, bool]:
    """Birth date cell → (ISO date, year_only). Accepts Excel dates, dd/mm/yyyy text, a year
    alone (stored as 01/01 of that year) and Excel serial numbers; CellError otherwise."""
    if value is None or value == "":
        return None, False
    if isinstance(value, datetime):
        return value.date().isoformat(), False
    if isinstance(value, date):
        return value.isoformat(), False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = int(value)
        if 1000 <= number <= 2200:
            return date(number, 1, 1).isoformat(), True
        if 2200 < number < 80000:  # a date cell that lost its format shows the serial number
            return (EXCEL_EPOCH + timedelta(days=number)).isoformat(), False
        raise CellError(f"Ngày sinh '{value}' không phải ngày hợp lệ")
    raw = text(value)
    m = _YEAR.match(raw)
    if m:
        return date(int(m.group(1)), 1, 1).isoformat(), True
    from ..core.text import parse_vn_date

    try:
        return parse_vn_date(raw).isoformat(), False
    except ValueError as exc:
        raise CellError(str(exc)) from None


def cccd_from(value: Any) -> tuple[str | None, str | None]:
    """CCCD cell → (digits, warning). A number that lost its leading zeros in Excel (10 or 11
    digits: province codes start with 0) is padded to 12 with a warning; text is kept as typed
    (spaces and dots removed) for validation to judge."""
    if value is None or value == "":
        return None, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise CellError(f"Số CCCD '{value}' không phải dãy chữ số")
        digits = str(int(value))
        if len(digits) in (10, 11):
            padded = digits.zfill(12)
            return padded, (f"Số CCCD {digits} được lưu dạng số nên mất số 0 ở đầu; đã đọc thành {padded}. "
                            "Hãy kiểm tra lại.")
        if len(digits) < 10:
            raise CellError(f"Số CCCD '{digits}' chỉ có {len(digits)} chữ số (có thể là CMND cũ); "
                            "CCCD phải có 12 chữ số")
        return digits, None
    cleaned = re.sub(r"[\s.\-']", "", text(value))
    return cleaned or None, None


def number_from(value: Any, label: str) -> float | None:
    """A number cell; text with Vietnamese thousands dots ('1.500.000') is accepted."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raw = text(value).replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", raw):
        raw = raw.replace(".", "")
    raw = raw.replace(",", ".")
    try:
        return float(raw)
    except ValueError:
        raise CellError(f"{label} '{text(value)}' không phải số") from None
