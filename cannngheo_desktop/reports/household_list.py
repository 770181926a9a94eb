"""The detailed list of households with their members, in openpyxl's write-only mode.

One row per member; the household's columns are filled on its first row only (as printed
lists do), its number "TT" counts households. Write-only keeps memory flat at 100,000
households: each row goes to disk as it is appended. Styles are built once per column and
shared by reference, so a styled cell costs about as much as a bare one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..core.model import CATEGORY_LABELS, EDUCATION_LEVELS, EMPLOYMENT, RELATIONS, SEXES
from ..core.text import nfc
from .xlsx_base import BORDER, CENTER, DATE_FORMAT, FONT_NAME, HEADER_FILL, LEFT, Column

COLUMNS = [
    Column("TT", 6, "int", "center"),
    Column("Mã hộ", 16),
    Column("Đơn vị", 16),
    Column("Thôn/Tổ dân phố", 12),
    Column("Địa chỉ", 30),
    Column("Phân loại", 13),
    Column("Họ và tên", 22),
    Column("Quan hệ với chủ hộ", 10, align="center"),
    Column("Giới tính", 7, align="center"),
    Column("Ngày sinh", 11, "date"),
    Column("Số định danh cá nhân (CCCD)", 15, align="center"),
    Column("Dân tộc", 8, align="center"),
    Column("Trình độ học vấn", 16),
    Column("Việc làm", 18),
    Column("Thẻ BHYT", 7, align="center"),
]
HOUSEHOLD_COLUMNS = 6  # the first six columns describe the household
TITLE_ROWS = 5


@dataclass
class ListHeading:
    """The title block of the list (write-only sheets cannot merge cells after the fact)."""

    unit_lines: Sequence[str]
    title: str
    subtitle: str = ""
    date_line: str = ""


def _iso_date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _yes_no(value: Any) -> str:
    return "" if value is None else ("Có" if value else "Không")


def member_cells(m: Mapping[str, Any]) -> list[Any]:
    """The member half of a row (plain values: text, a date, or None)."""
    return [nfc(m.get("full_name")), RELATIONS.get(m.get("relation") or "", m.get("relation") or ""),
            SEXES.get(m.get("sex") or "", ""), _iso_date(m.get("birth_date")), m.get("cccd") or "",
            nfc(m.get("ethnicity") or ""), EDUCATION_LEVELS.get(m.get("education_level") or "", ""),
            EMPLOYMENT.get(m.get("employment") or "", ""), _yes_no(m.get("has_health_insurance"))]


def household_rows(number: int, household: Mapping[str, Any], members: Sequence[Mapping[str, Any]],
                   unit_names: Mapping[str, str]) -> list[list[Any]]:
    """Rows of one household: its columns on the first row, one row per member."""
    head = [number, household.get("household_code") or "", unit_names.get(household["unit_code"], household["unit_code"]),
            nfc(household.get("village") or ""), nfc(household.get("address") or ""),
            CATEGORY_LABELS.get(household.get("category") or "", "")]
    blank = [None] * HOUSEHOLD_COLUMNS
    if not members:
        return [head + [None] * (len(COLUMNS) - HOUSEHOLD_COLUMNS)]
    return [(head if i == 0 else blank) + member_cells(m) for i, m in enumerate(members)]


class _Styler:
    """Per-column style templates, copied onto cells by reference (no per-cell lookups)."""

    def __init__(self, ws: Any) -> None:
        font = Font(name=FONT_NAME, size=10)
        self.ws = ws
        self.templates = []
        for col in COLUMNS:
            cell = WriteOnlyCell(ws)
            cell.font, cell.border = font, BORDER
            cell.alignment = CENTER if col.align == "center" or col.kind in ("date", "int") else LEFT
            if col.kind == "date":
                cell.number_format = DATE_FORMAT
            self.templates.append(cell._style)

    def row(self, values: Sequence[Any]) -> list[WriteOnlyCell]:
        out = []
        for value, style in zip(values, self.templates, strict=True):
            cell = WriteOnlyCell(self.ws, value)
            cell._style = style
            out.append(cell)
        return out


def _title_rows(ws: Any, heading: ListHeading) -> None:
    n = len(COLUMNS)
    lines = list(heading.unit_lines) + ["", ""]
    bold = Font(name=FONT_NAME, bold=True, size=11)

    def text(value: str, font: Font) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, nfc(value))
        cell.font, cell.alignment = font, Alignment(horizontal="center", vertical="center")
        return cell

    split = 5
    ws.append([text(lines[0].upper(), Font(name=FONT_NAME, size=11))] + [None] * (split - 1) +
              [text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)])
    ws.append([text(lines[1].upper(), bold)] + [None] * (split - 1) + [text("Độc lập - Tự do - Hạnh phúc", bold)])
    ws.append([None] * split + [text(heading.date_line, Font(name=FONT_NAME, italic=True, size=11))])
    ws.append([text(heading.title.upper(), Font(name=FONT_NAME, bold=True, size=14))])
    ws.append([text(heading.subtitle, Font(name=FONT_NAME, italic=True, size=11))])
    for row in (1, 2, 3):
        ws.merged_cells.add(f"A{row}:{get_column_letter(split)}{row}")
        ws.merged_cells.add(f"{get_column_letter(split + 1)}{row}:{get_column_letter(n)}{row}")
    for row in (4, 5):
        ws.merged_cells.add(f"A{row}:{get_column_letter(n)}{row}")


def write_household_list(chunks: Iterable[Sequence[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]]],
                         path: Path, *, heading: ListHeading, unit_names: Mapping[str, str],
                         on_chunk: Callable[[int], None] | None = None) -> int:
    """Stream (household, members) chunks to ``path``; returns the number of households.
    ``on_chunk(done)`` is called after each chunk (progress and cancel checks)."""
    wb = Workbook(write_only=True)
    ws: Worksheet = wb.create_sheet("Danh sach ho")
    for i, col in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    header_row = TITLE_ROWS + 1
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "Trang &P/&N"
    _title_rows(ws, heading)
    head_font = Font(name=FONT_NAME, bold=True, size=10)
    header = []
    for col in COLUMNS:
        cell = WriteOnlyCell(ws, col.title)
        cell.font, cell.alignment, cell.border, cell.fill = head_font, CENTER, BORDER, HEADER_FILL
        header.append(cell)
    ws.append(header)
    styler = _Styler(ws)
    number = 0
    try:
        for chunk in chunks:
            for household, members in chunk:
                number += 1
                for values in household_rows(number, household, members, unit_names):
                    ws.append(styler.row(values))
            if on_chunk is not None:
                on_chunk(number)
    except BaseException:
        _discard(ws)
        raise
    wb.save(path)
    return number


def _discard(ws: Any) -> None:
    """Close a write-only sheet abandoned half-way (cancel, error) and drop its temp file."""
    writer = getattr(ws, "_writer", None)
    try:
        ws.close()
    except Exception:  # noqa: BLE001 - best effort clean-up; the original error is re-raised
        pass
    out = getattr(writer, "out", None)
    if out:
        Path(out).unlink(missing_ok=True)
