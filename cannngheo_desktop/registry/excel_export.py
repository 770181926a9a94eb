"""Excel export of the registry list: the households of the current filter, one row per member.

The layout is the import template's (same Vietnamese headers), so an exported file can be
edited and imported again: "STT hộ" numbers the household on every row, household columns are
filled on its first row (the head), dates are dd/mm/yyyy text and CCCD numbers are text (their
leading zeros kept). Written in openpyxl's write-only mode, in batches, so 100,000 households
stream to disk without building the workbook in memory. Every str is a text cell, never a
formula (``core.sheet_cells.text_row``): a name typed as ``=HYPERLINK(…)`` reads back as typed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ..core import model
from ..core.errors import AppError, Cancelled
from ..core.personal_data import INTERNAL_MARK, check_export_password, mask_cccd, protect_xlsx
from ..core.progress import Progress, or_null
from ..core.sheet_cells import text_row
from ..core.text import format_date
from ..storage.db import Store
from . import queries as rq
from .queries import ListQuery

BATCH = 500


def _label(mapping: Mapping[str, str]) -> Callable[[Any], str | None]:
    return lambda value: mapping.get(value, value) if value not in (None, "") else None


def _yes_no(value: Any) -> str | None:
    return None if value is None else ("Có" if value else "Không")


def _date(value: Any) -> str | None:
    return format_date(value) or None


def _number(value: Any) -> Any:
    return value


# (header, field, household-level?, formatter) — the headers are also the template's.
COLUMNS: list[tuple[str, str, bool, Callable[[Any], Any]]] = [
    ("STT hộ", "group_no", True, _number),
    ("Mã hộ", "household_code", True, _number),
    ("Mã đơn vị", "unit_code", True, _number),
    ("Thôn/Tổ dân phố", "village", True, _number),
    ("Địa chỉ", "address", True, _number),
    ("Phân loại", "category", True, _label(model.CATEGORY_LABELS)),
    ("Hộ có công", "is_merit", True, lambda v: "Có" if v else None),
    ("Thu nhập hộ/tháng (đồng)", "income_month", True, _number),
    ("Diện tích nhà ở (m2)", "floor_area_m2", True, _number),
    ("Họ và tên", "full_name", False, _number),
    ("Quan hệ với chủ hộ", "relation", False, _label(model.RELATIONS)),
    ("Ngày sinh", "birth_date", False, _date),
    ("Giới tính", "sex", False, _label(model.SEXES)),
    ("Số CCCD", "cccd", False, lambda v: str(v) if v else None),
    ("Dân tộc", "ethnicity", False, _number),
    ("Trình độ học vấn", "education_level", False, _label(model.EDUCATION_LEVELS)),
    ("Đang đi học", "in_school", False, _yes_no),
    ("Việc làm", "employment", False, _label(model.EMPLOYMENT)),
    ("Thẻ BHYT", "has_health_insurance", False, _yes_no),
    ("Khuyết tật", "disabled", False, _yes_no),
]
HEADERS = [c[0] for c in COLUMNS]
WIDTHS = {"Họ và tên": 26, "Địa chỉ": 26, "Thôn/Tổ dân phố": 16, "Phân loại": 18, "Số CCCD": 15,
          "Trình độ học vấn": 22, "Việc làm": 24, "Quan hệ với chủ hộ": 14, "Ngày sinh": 12}


def member_rows(number: int, household: Mapping[str, Any], members: Sequence[Mapping[str, Any]],
                *, mask_ids: bool = False) -> list[list[Any]]:
    """The sheet rows of one household: the head first, household columns on the first row;
    CCCD numbers masked (core/personal_data.mask_cccd) when ``mask_ids``."""
    ordered = sorted(members, key=lambda m: m.get("relation") != "head")  # stable: keeps sort_order
    rows: list[list[Any]] = []
    for i, m in enumerate(ordered or [{}]):
        row: list[Any] = []
        for _header, name, on_household, fmt in COLUMNS:
            if name == "group_no":
                row.append(number)
            elif on_household:
                row.append(fmt(household.get(name)) if i == 0 else None)
            elif name == "cccd" and mask_ids:
                row.append(mask_cccd(m.get(name)) or None)
            elif name == "birth_date" and m.get("birth_year_only") and m.get(name):
                row.append(str(m[name])[:4])  # only the year is known: written (and read back) as a year
            else:
                row.append(fmt(m.get(name)))
        rows.append(row)
    return rows


def _header_cells(ws: Any) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    cells = []
    for header in HEADERS:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cells.append(cell)
    return cells


def export_households(store: Store, q: ListQuery, path: Path | str, *,
                      progress: Progress | None = None, password: str | None = None) -> int:
    """Write the households matching ``q`` (in the list's order) with their members to ``path``.

    Personal data (Decree 13/2023): without ``password`` the CCCD numbers are masked; with one
    the file is an internal export — full numbers, marked "NỘI BỘ" in its title, and the whole
    workbook encrypted with that password (core/personal_data.protect_xlsx).
    Returns the number of households written. The file appears only when complete (written
    to a temporary name first); cancelling through ``progress`` raises Cancelled and leaves
    no file behind.
    """
    import openpyxl
    from openpyxl.utils import get_column_letter

    prog = or_null(progress)
    target = Path(path)
    tmp = target.with_name(target.name + ".part")
    ids = rq.fetch_ids(store, q)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Danh sách hộ")
    for index, header in enumerate(HEADERS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = WIDTHS.get(header, 11)
    ws.freeze_panes = "A4"
    if password is not None:
        check_export_password(password)
    ws.append([f"DANH SÁCH HỘ GIA ĐÌNH ({len(ids)} hộ) — xuất ngày {datetime.now():%d/%m/%Y}"])
    ws.append([INTERNAL_MARK if password is not None else
               "Số CCCD đã che (chỉ hiện mã tỉnh và 3 số cuối); muốn đủ số, xuất bản nội bộ có đặt mật khẩu cho tệp."])
    ws.append(_header_cells(ws))
    written = 0
    try:
        for start in range(0, len(ids), BATCH):
            if prog.cancelled():
                raise Cancelled()
            for household, members in rq.households_with_members(store, ids[start:start + BATCH]):
                written += 1
                for row in member_rows(written, household, members, mask_ids=password is None):
                    ws.append(text_row(ws, row))
            prog.report(written, len(ids))
        target.parent.mkdir(parents=True, exist_ok=True)
        wb.save(tmp)
        if password is not None:
            protect_xlsx(tmp, password)
        tmp.replace(target)
    except OSError as exc:
        _discard(ws, tmp)
        raise AppError(f"Không ghi được tệp '{target}': {exc.strerror or exc}. Hãy đóng tệp nếu đang mở trong "
                       "Excel, kiểm tra quyền ghi và dung lượng ổ đĩa.", detail=str(exc)) from exc
    except BaseException:
        _discard(ws, tmp)
        raise
    return written


def _discard(ws: Any, tmp: Path) -> None:
    """Close the write-only sheet's row stream (else it complains when collected) and drop the
    partial file."""
    with contextlib.suppress(Exception):
        ws.close()
    with contextlib.suppress(OSError):
        tmp.unlink()
