"""Reading a household list workbook into candidate households (pure: openpyxl, no SQL).

Accepts the app's own template and typical hand-made commune lists: title rows above the
header, headers over two rows (merged group cells), names with or without diacritics, a row of
column numbers under the header, members on the rows under their head, dates as Excel dates or
dd/mm/yyyy text or a year alone, and CCCD numbers that lost their leading zeros.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import FileFormatError
from ..core.text import fold
from . import columns as col

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted xlsx and old .xls are OLE2 files
HEADER_SEARCH_ROWS = 30
NAME_FIELDS = ("full_name", "head_name")
_TOTAL_WORDS = ("tong cong", "tong so", "cong ")
EXAMPLE_CODE_PREFIX = "VD-"  # the template's example households (template.EXAMPLE) are never imported
EXAMPLE_SKIPPED = "Bỏ qua hộ ví dụ của tệp mẫu"


@dataclass
class RowIssue:
    """A problem on one source row (``row`` None: the whole file)."""

    row: int | None
    level: str  # "error" | "warning"
    field: str
    message: str

    @property
    def text(self) -> str:
        return f"Dòng {self.row}: {self.message}" if self.row else self.message


@dataclass
class CandidateHousehold:
    """A household read from the file, with the source row of each member."""

    household: dict[str, Any]
    members: list[dict[str, Any]] = field(default_factory=list)
    member_rows: list[int] = field(default_factory=list)
    key: tuple[str, str] | None = None

    @property
    def rows(self) -> list[int]:
        return sorted(self.member_rows)

    @property
    def first_row(self) -> int:
        return min(self.member_rows)


@dataclass
class ImportPlan:
    """What read_workbook found: the layout and the candidate households."""

    path: Path
    sheet: str
    header_row: int
    columns: dict[str, str]  # header text → field
    ignored_headers: list[str]
    households: list[CandidateHousehold]
    issues: list[RowIssue]
    data_rows: int = 0

    @property
    def member_count(self) -> int:
        return sum(len(c.members) for c in self.households)


def _open(path: Path) -> Any:
    import openpyxl

    name = path.name
    if not path.is_file():
        raise FileFormatError(f"Không tìm thấy tệp '{path}'. Hãy chọn lại tệp Excel.")
    with path.open("rb") as fh:
        magic = fh.read(8)
    if magic == OLE_MAGIC:
        raise FileFormatError(
            f"Tệp '{name}' có đặt mật khẩu hoặc là tệp Excel cũ (.xls). Hãy mở tệp trong Excel, bỏ mật khẩu "
            "(Tệp → Thông tin → Bảo vệ sổ làm việc) và lưu lại dạng .xlsx rồi nhập lại.")
    if not magic.startswith(ZIP_MAGIC):
        raise FileFormatError(
            f"Tệp '{name}' không phải tệp Excel .xlsx. Hãy mở tệp bằng Excel và lưu lại dạng "
            "'Excel Workbook (.xlsx)', hoặc dùng mẫu nhập của chương trình (Tải mẫu Excel).")
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise FileFormatError(
            f"Tệp '{name}' bị hỏng hoặc không đọc được ({type(exc).__name__}). Hãy mở tệp bằng Excel, "
            "lưu lại dạng .xlsx rồi nhập lại.", detail=str(exc)) from exc


def _fields_of(row: tuple) -> dict[int, str]:
    found: dict[int, str] = {}
    for i, value in enumerate(row):
        name = col.match_header(value) if isinstance(value, str) else None
        if name and name not in found.values():
            found[i] = name
    return found


def _is_subheader(row: tuple) -> bool:
    cells = [v for v in row if v not in (None, "")]
    return bool(cells) and all(isinstance(v, str) and col.match_header(v) for v in cells)


def _find_header(rows: list[tuple]) -> tuple[int, dict[int, str]] | None:
    """(index of the last header row, column index → field) or None."""
    for i, row in enumerate(rows):
        fields = _fields_of(row)
        sub = rows[i + 1] if i + 1 < len(rows) and _is_subheader(rows[i + 1]) else None
        if len(fields) < 2 and sub is None:
            continue
        last = i
        if sub is not None:
            for j, name in _fields_of(sub).items():
                replaces = j not in fields or name in ("birth_male", "birth_female")
                if replaces and name not in fields.values():
                    fields[j] = name
            last = i + 1
        if any(f in fields.values() for f in NAME_FIELDS) and len(fields) >= 2:
            return last, dict(sorted(fields.items()))
    return None


def _is_number_row(values: list[Any]) -> bool:
    cells = [v for v in values if v not in (None, "")]
    if len(cells) < 3:
        return False
    texts = [col.text(v).strip("()") for v in cells]
    return texts == [str(n) for n in range(1, len(texts) + 1)]


def _is_total_row(values: dict[str, Any], raw: tuple) -> bool:
    """'Tổng cộng' / 'Cộng' lines at the bottom of hand-made lists (no person data on them)."""
    if any(values.get(f) not in (None, "") for f in ("birth_date", "cccd", "relation")):
        return False
    for v in raw:
        key = fold(v) if isinstance(v, str) else ""
        if key == "cong" or key.startswith(_TOTAL_WORDS):
            return True
    return False


MAX_REASON_CHARS = 500


def _reason(value: str) -> str | None:
    text = " ".join(value.split())
    if len(text) > MAX_REASON_CHARS:
        raise col.CellError(f"Lý do trùng CCCD dài {len(text)} ký tự; tối đa {MAX_REASON_CHARS}")
    return text or None


CONVERTERS: dict[str, Any] = {
    "household_code": lambda v: col.text(v) or None, "village": lambda v: col.text(v) or None,
    "address": lambda v: col.text(v) or None, "unit_code": lambda v: col.text(v) or None,
    "head_name": lambda v: col.text(v) or None, "group_no": lambda v: col.text(v) or None,
    "category": col.category_from, "is_merit": lambda v: col.bool_from(v, "Hộ có công"),
    "income_month": lambda v: _int(col.number_from(v, "Thu nhập")),
    "floor_area_m2": lambda v: col.number_from(v, "Diện tích nhà ở"),
    "full_name": lambda v: col.text(v) or None, "ethnicity": lambda v: col.text(v) or None,
    "relation": lambda v: col.code_from(v, col.RELATION_WORDS, "Quan hệ với chủ hộ"),
    "sex": lambda v: col.code_from(v, col.SEX_WORDS, "Giới tính"),
    "education_level": col.education_from,
    "employment": lambda v: col.code_from(v, col.EMPLOYMENT_WORDS, "Việc làm"),
    "in_school": lambda v: col.bool_from(v, "Đang đi học"),
    "has_health_insurance": lambda v: col.bool_from(v, "Thẻ BHYT"),
    "disabled": lambda v: col.bool_from(v, "Khuyết tật"),
    "cccd_duplicate_reason": lambda v: _reason(col.text(v)),
}


class _Builder:
    """Groups data rows into households (see docs/excel-import.md for the rules)."""

    def __init__(self, fields: set[str]) -> None:
        self.fields = fields
        self.households: list[CandidateHousehold] = []
        self.by_key: dict[tuple[str, str], CandidateHousehold] = {}
        self.current: CandidateHousehold | None = None
        self.issues: list[RowIssue] = []
        self.grouped = bool(fields & {"household_code", "group_no", "relation", "head_name"})

    def _issue(self, row: int, level: str, name: str, message: str) -> None:
        self.issues.append(RowIssue(row, level, name, message))

    def _convert(self, row: int, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        hh: dict[str, Any] = {}
        m: dict[str, Any] = {}
        for name, value in values.items():
            if value is None or value == "":
                continue
            try:
                if name in CONVERTERS:
                    out = CONVERTERS[name](value)
                    (hh if name in col.HOUSEHOLD_FIELDS else m)[name] = out
                elif name == "cccd":
                    m["cccd"], warning = col.cccd_from(value)
                    if warning:
                        self._issue(row, "warning", "cccd", warning)
                elif name in ("birth_date", "birth_male", "birth_female"):
                    m["birth_date"], year_only = col.date_from(value)
                    if name != "birth_date":
                        m["sex"] = "male" if name == "birth_male" else "female"
                    m["birth_year_only"] = int(year_only)  # a year alone is kept and printed as a year
            except col.CellError as exc:
                self._issue(row, "error", name, f"{exc}.")
        return hh, m

    def add_row(self, row: int, values: dict[str, Any], *, after_blank: bool = False) -> None:
        hh, member = self._convert(row, values)
        if not member.get("full_name") and hh.get("head_name"):
            member["full_name"] = hh["head_name"]
            member.setdefault("relation", "head")
        key = (("g", hh["group_no"]) if hh.get("group_no") else
               ("c", hh["household_code"]) if hh.get("household_code") else None)
        before = self.current
        target = self._target(row, key, hh, member)
        if target is None:
            return
        if after_blank and key is None and target is before:
            self._warn_attached_after_blank(row, target)
        for name, value in hh.items():
            if name not in ("group_no", "head_name") and target.household.get(name) is None:
                target.household[name] = value
        if "relation" not in self.fields and not target.members:
            member["relation"] = "head"
        member["status"] = "present"
        target.members.append(member)
        target.member_rows.append(row)

    def _warn_attached_after_blank(self, row: int, target: CandidateHousehold) -> None:
        """A blank row usually ends a household: say which one a member row under it joined."""
        head = next((m.get("full_name") for m in target.members if m.get("relation") == "head"), None)
        whose = f"hộ của {head}" if head else "hộ ở trên"
        self._issue(row, "warning", "relation",
                    f"Dòng này nằm sau một dòng trống, không có mã hộ và không phải chủ hộ; đã ghép vào "
                    f"{whose} (bắt đầu ở dòng {target.first_row}). Nếu đây là một hộ khác, hãy ghi 'Chủ hộ' "
                    "ở cột Quan hệ với chủ hộ (hoặc ghi mã hộ); nếu đúng là thành viên của hộ đó, hãy xóa "
                    "dòng trống.")

    def _target(self, row: int, key: tuple[str, str] | None, hh: dict[str, Any],
                member: dict[str, Any]) -> CandidateHousehold | None:
        cur = self.current
        if key is not None:
            if cur is not None and cur.key == key:
                return cur
            if key in self.by_key:
                self.current = self.by_key[key]
                return self.current
            return self._new(key, hh)
        starts = (not self.grouped or member.get("relation") == "head"
                  or (hh.get("head_name") and (cur is None or hh["head_name"] != cur.household.get("_head"))))
        if starts or cur is None:
            if not starts:
                self._issue(row, "error", "relation",
                            "Dòng này không thuộc hộ nào: dòng đầu của mỗi hộ phải là chủ hộ "
                            "(quan hệ 'Chủ hộ') hoặc có mã hộ.")
                return None
            return self._new(None, hh)
        return cur

    def _new(self, key: tuple[str, str] | None, hh: dict[str, Any]) -> CandidateHousehold:
        cand = CandidateHousehold(household={"_head": hh.get("head_name")}, key=key)
        self.households.append(cand)
        if key is not None:
            self.by_key[key] = cand
        self.current = cand
        return cand


def _int(value: float | None) -> int | None:
    return None if value is None else int(round(value))


def read_workbook(path: Path | str) -> ImportPlan:
    """Parse a household list workbook into candidate households (no database involved).

    Raises FileFormatError (naming the file and what to do) when the file is not a readable
    xlsx, is password-protected, or has no recognisable header row.
    """
    path = Path(path)
    wb = _open(path)
    try:
        for ws in wb.worksheets:
            rows_iter = ws.iter_rows(values_only=True)
            head: list[tuple] = []
            for row in rows_iter:
                head.append(tuple(row))
                if len(head) >= HEADER_SEARCH_ROWS:
                    break
            found = _find_header(head)
            if found is None:
                continue
            header_index, fields = found
            return _read_rows(path, ws.title, head, rows_iter, header_index, fields)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileFormatError(f"Tệp '{path.name}' bị hỏng, không đọc hết được. Hãy mở bằng Excel, lưu lại "
                              "dạng .xlsx rồi nhập lại.", detail=str(exc)) from exc
    finally:
        wb.close()
    raise FileFormatError(
        f"Không tìm thấy dòng tiêu đề trong tệp '{path.name}'. Dòng tiêu đề cần có cột 'Họ và tên' (hoặc "
        "'Chủ hộ') và các cột như 'Ngày sinh', 'Quan hệ với chủ hộ', 'Số CCCD'. Hãy dùng mẫu của chương "
        "trình (Tải mẫu Excel) hoặc sửa tên cột rồi nhập lại.")


def _read_rows(path: Path, sheet: str, head: list[tuple], rest: Any, header_index: int,
               fields: dict[int, str]) -> ImportPlan:
    header_cells = head[header_index]
    above = head[header_index - 1] if header_index > 0 else ()
    names: dict[str, str] = {}
    for j, name in fields.items():
        label = header_cells[j] if j < len(header_cells) and header_cells[j] else (
            above[j] if j < len(above) else name)
        names[col.text(label)] = name
    ignored = [col.text(v) for j, v in enumerate(header_cells)
               if v not in (None, "") and j not in fields]
    builder = _Builder(set(fields.values()))
    count = 0
    blank_before = False  # an empty row since the last data row

    def rows() -> Any:
        for i, r in enumerate(head[header_index + 1:], start=header_index + 2):
            yield i, r
        n = len(head) + 1
        for r in rest:
            yield n, r
            n += 1

    for number, raw in rows():
        values = {name: (raw[j] if j < len(raw) else None) for j, name in fields.items()}
        present = [k for k, v in values.items() if v not in (None, "") and k not in col.IGNORED_FIELDS]
        near_header = number <= header_index + 4  # a row of column numbers sits right under it
        if not present:
            blank_before = True
            continue
        if (near_header and _is_number_row(list(raw))) or _is_total_row(values, raw):
            continue
        count += 1
        builder.add_row(number, {k: v for k, v in values.items() if k not in col.IGNORED_FIELDS},
                        after_blank=blank_before)
        blank_before = False
    kept: list[CandidateHousehold] = []
    for cand in builder.households:
        cand.household.pop("_head", None)
        if is_example(cand):
            skipped = set(cand.member_rows)  # problems on rows that are not imported do not count
            builder.issues = [i for i in builder.issues if i.row not in skipped]
            rows_text = ", ".join(str(r) for r in cand.rows)
            builder.issues.append(RowIssue(cand.first_row, "warning", "household_code",
                                           f"{EXAMPLE_SKIPPED} (mã hộ {cand.household['household_code']}, "
                                           f"dòng {rows_text}); hộ này không được nhập."))
            count -= len(cand.member_rows)
        else:
            kept.append(cand)
    return ImportPlan(path, sheet, header_index + 1, names, ignored, kept, builder.issues, count)


def is_example(cand: CandidateHousehold) -> bool:
    """True for the template's example households: a household code starting with 'VD-'."""
    code = cand.household.get("household_code")
    return isinstance(code, str) and code.strip().upper().startswith(EXAMPLE_CODE_PREFIX)
