"""The detailed list of households with their members, in openpyxl's write-only mode.

One row per member; the household's columns are filled on its first row only (as printed
lists do), its number "TT" counts households. Write-only keeps memory flat at 100,000
households: each row goes to disk as it is appended. Styles are built once per column and
shared by reference, so a styled cell costs about as much as a bare one. Every str is written
as a text cell, never a formula (``core.sheet_cells``); text that looks like a formula goes
through a second set of cells whose style carries Excel's quotePrefix ("this is text") flag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Font
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ...core.model import CATEGORY_LABELS, EDUCATION_LEVELS, EMPLOYMENT, RELATIONS, SEXES
from ...core.sheet_cells import FORMULA_STARTS, ILLEGAL, as_text, sheet_text
from ...core.text import nfc
from .xlsx_base import BORDER, CENTER, DATE_FORMAT, FONT_NAME, HEADER_FILL, Column, wrapped_lines

# Widths (≈ 190 characters in all) print on A4 landscape at about 75 % with narrow margins; the
# body stays one line per cell (write-only rows cannot be sized row by row at 100,000 households).
COLUMNS = [
    Column("TT", 5, "int", "center"),
    Column("Mã hộ", 14),
    Column("Đơn vị", 13),
    Column("Thôn/Tổ dân phố", 10),
    Column("Địa chỉ", 40),
    Column("Phân loại", 11),
    Column("Họ và tên", 19),
    Column("Quan hệ với chủ hộ", 8, align="center"),
    Column("Giới tính", 5, align="center"),
    Column("Ngày sinh", 10, "date"),
    Column("Số định danh cá nhân (CCCD)", 13, align="center"),
    Column("Dân tộc", 6, align="center"),
    Column("Trình độ học vấn", 16),
    Column("Việc làm", 20),
    Column("Thẻ BHYT", 5, align="center"),
]
CENTER_ONE_LINE = Alignment(horizontal="center", vertical="center")
LEFT_WRAP = Alignment(horizontal="left", vertical="center", wrap_text=True)
# Left-aligned text columns wrap; a row whose text needs more lines gets its height when it is
# appended (neither Excel nor LibreOffice sizes a row that has no height of its own).
WRAPPED = tuple(i for i, c in enumerate(COLUMNS) if c.kind == "text" and c.align != "center")
LINE_HEIGHT = 13
CHAR_WIDTH = 0.72  # a 10 pt Times New Roman character, in column-width units (seen in LibreOffice)
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
            SEXES.get(m.get("sex") or "", ""),
            str(m.get("birth_date"))[:4] if m.get("birth_year_only") else _iso_date(m.get("birth_date")),
            m.get("cccd") or "",
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


class _StyledCell(Cell):
    """A re-used cell whose style id is looked up once (openpyxl hashes the style per cell)."""

    __slots__ = ("_sid",)

    @property
    def style_id(self) -> int:
        return self._sid


class _Styler:
    """One styled cell per column, re-used for every row: a write-only sheet serialises a row
    as soon as it is appended, so only the values change. This avoids building (and style-
    looking-up) a new cell object for each of the ~6 million cells of a 100,000-household list."""

    def __init__(self, ws: Any) -> None:
        self.cells = [self._cell(ws, i, col, quoted=False) for i, col in enumerate(COLUMNS, start=1)]
        # The same cells with quotePrefix, for text that starts like a formula (see core.sheet_cells).
        self.quoted = [self._cell(ws, i, col, quoted=True) for i, col in enumerate(COLUMNS, start=1)]

    @staticmethod
    def _cell(ws: Any, column: int, col: Column, *, quoted: bool) -> _StyledCell:
        cell = _StyledCell(ws)
        cell.font, cell.border = Font(name=FONT_NAME, size=10), BORDER
        cell.alignment = CENTER_ONE_LINE if col.align == "center" or col.kind in ("date", "int") else LEFT_WRAP
        if col.kind == "date":
            cell.number_format = DATE_FORMAT
        cell.quotePrefix = quoted
        cell.column = column
        cell._sid = Cell.style_id.fget(cell)  # registers the style with the workbook
        return cell

    def _fill(self, index: int, value: Any) -> _StyledCell:
        """The cell of column ``index`` holding ``value``; a str is always a text cell."""
        if isinstance(value, str):
            value = sheet_text(value)
        if isinstance(value, str) and value[:1] in FORMULA_STARTS:
            cell = self.quoted[index]
            cell.value = value
            cell.data_type = "s"  # openpyxl made "=…" a formula and "#N/A" an error value
            return cell
        cell = self.cells[index]
        cell.value = value
        return cell

    def row(self, values: Sequence[Any]) -> list[WriteOnlyCell]:
        """The styled cells holding ``values`` (valid until the next call)."""
        return [self._fill(i, value) for i, value in enumerate(values)]

    def values_to_row(self, values: Sequence[Any], row_idx: int) -> Iterator[WriteOnlyCell]:
        """Stand-in for WriteOnlyWorksheet._values_to_row: openpyxl's own version first tries
        to bind each given cell as a value and catches the ValueError (with a repr of the cell),
        which doubles the cost of a styled row. The writer consumes the cells one by one, so the
        re-used cell is serialised before its next value is set. Blank values are not written
        (their borders come from a conditional format over the table)."""
        if len(values) != len(self.cells):
            raise ValueError(f"a row of {len(values)} values for {len(self.cells)} columns")
        cells, quoted = self.cells, self.quoted
        for index, value in enumerate(values):  # _fill, inlined: this loop runs for every cell
            if value is None or value == "":
                continue
            if isinstance(value, str) and ILLEGAL.search(value):
                value = sheet_text(value)
            if isinstance(value, str) and value[0] in FORMULA_STARTS:
                cell = quoted[index]
                cell.value = value
                cell.data_type = "s"
            else:
                cell = cells[index]
                cell.value = value
            cell.row = row_idx
            yield cell


def row_lines(values: Sequence[Any]) -> int:
    """Lines the row's longest wrapped text takes (1 for the usual short values, measured fast)."""
    lines = 1
    for i in WRAPPED:
        text = values[i]
        if isinstance(text, str) and len(text) * CHAR_WIDTH > COLUMNS[i].width - 1:
            lines = max(lines, wrapped_lines(text, COLUMNS[i].width + 0.5, CHAR_WIDTH))
    return lines


def _title_rows(ws: Any, heading: ListHeading) -> None:
    n = len(COLUMNS)
    lines = list(heading.unit_lines) + ["", ""]
    bold = Font(name=FONT_NAME, bold=True, size=11)

    def text(value: str, font: Font) -> WriteOnlyCell:
        cell = as_text(WriteOnlyCell(ws, sheet_text(nfc(value))))
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
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    # Rows must be sized before they are appended: the title (size 14) and the header, as tall as
    # its longest wrapped title, so no header is clipped.
    ws.row_dimensions[4].height = 21
    lines = max(wrapped_lines(c.title, c.width, 1.1) for c in COLUMNS)
    ws.row_dimensions[header_row].height = 13.5 * lines + 6
    _title_rows(ws, heading)
    head_font = Font(name=FONT_NAME, bold=True, size=10)
    header = []
    for col in COLUMNS:
        cell = WriteOnlyCell(ws, col.title)
        cell.font, cell.alignment, cell.border, cell.fill = head_font, CENTER, BORDER, HEADER_FILL
        header.append(cell)
    ws.append(header)
    styler = _Styler(ws)
    fast = hasattr(ws, "_values_to_row")  # openpyxl 3.1 (pinned); else the public path
    if fast:
        ws._values_to_row = styler.values_to_row
    number = rows = 0
    try:
        for chunk in chunks:
            for household, members in chunk:
                number += 1
                for values in household_rows(number, household, members, unit_names):
                    lines = row_lines(values)
                    if lines > 1:  # read when the row is written, then dropped (memory stays flat)
                        ws.row_dimensions[header_row + rows + 1].height = LINE_HEIGHT * lines
                    ws.append(values if fast else styler.row(values))
                    if lines > 1:
                        del ws.row_dimensions[header_row + rows + 1]
                    rows += 1
            if on_chunk is not None:
                on_chunk(number)
    except BaseException:
        _discard(ws)
        raise
    if number:
        # Blank cells are not written (speed); this rule draws their borders in Excel/LibreOffice.
        last = header_row + rows
        rule = Rule(type="expression", formula=["TRUE"], dxf=DifferentialStyle(border=BORDER))
        ws.conditional_formatting.add(f"A{header_row + 1}:{get_column_letter(len(COLUMNS))}{last}", rule)
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
