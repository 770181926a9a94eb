"""Excel sheets that look like what an office files: title block, headers, borders, print setup.

Pure openpyxl, no Qt. Every report writer builds on ``OfficialSheet``. Every str it writes is a
text cell (``core.sheet_cells``): names, addresses and notes typed as ``=…`` never become formulas;
the only formulas are the totals the sheet itself builds (:meth:`OfficialSheet.sum_formula`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ...core.sheet_cells import Formula, set_text
from ...core.text import nfc

FONT_NAME = "Times New Roman"  # what Vietnamese offices print with; Excel ships it on Windows
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")

INT_FORMAT = "#,##0"
PERCENT_VALUE_FORMAT = "0.00"  # a value already in percent (0.59 means 0.59%)
DATE_FORMAT = "dd/mm/yyyy"


@dataclass
class Column:
    title: str
    width: float = 14
    kind: str = "text"  # text | int | percent | date | money
    align: str = ""


def _lines(value: Any, width: float) -> int:
    """Printed lines a wrapped text cell needs in a column of ``width`` characters (estimate)."""
    if not isinstance(value, str) or isinstance(value, Formula):
        return 1
    return max(1, -(-len(value) // max(1, int(width * 1.15))))


def vn_date_line(place: str, on: date) -> str:
    """'Thanh Trì, ngày 23 tháng 02 năm 2023' — the date line of an official document."""
    return f"{place}, ngày {on.day:02d} tháng {on.month:02d} năm {on.year}"


class OfficialSheet:
    """Builds one sheet: unit block, national motto, title, subtitle, header, rows, totals."""

    def __init__(self, ws: Worksheet, columns: Sequence[Column], *, landscape: bool = False) -> None:
        self.ws = ws
        self.columns = list(columns)
        self.row = 1
        self.header_row = 0
        self.first_data_row = 0
        self.landscape = landscape
        for i, col in enumerate(self.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = col.width

    @property
    def ncols(self) -> int:
        return len(self.columns)

    def _merged(self, row: int, first: int, last: int, value: str, *, bold: bool = False,
                size: int = 12, italic: bool = False, align: Alignment = CENTER) -> None:
        ws = self.ws
        if last > first:
            ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        cell = set_text(ws, row, first, nfc(value))
        cell.font = Font(name=FONT_NAME, bold=bold, size=size, italic=italic)
        cell.alignment = align

    def _split(self) -> int:
        """Columns of the unit block (top left): the first ~40% of the sheet's width."""
        widths = [c.width for c in self.columns]
        total, run = sum(widths), 0.0
        for k, w in enumerate(widths[:-1], start=1):
            run += w
            if run >= 0.4 * total:
                return k
        return max(1, len(widths) - 1)

    def title_block(self, *, unit_lines: Sequence[str], title: str, subtitle: str = "",
                    date_line: str = "") -> None:
        """Unit name top left, the national motto top right, then the centred title."""
        n = self.ncols
        split = self._split()
        lines = list(unit_lines) + [""] * max(0, 2 - len(unit_lines))
        self._merged(1, 1, split, lines[0].upper(), size=11)
        self._merged(2, 1, split, lines[1].upper(), bold=True, size=11)
        self._merged(1, split + 1, n, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=11)
        self._merged(2, split + 1, n, "Độc lập - Tự do - Hạnh phúc", bold=True, size=11)
        row = 3
        if date_line:
            self._merged(row, split + 1, n, date_line, italic=True, size=11)
            row += 1
        row += 1
        self._merged(row, 1, n, title.upper(), bold=True, size=14)
        self.ws.row_dimensions[row].height = 22
        row += 1
        if subtitle:
            self._merged(row, 1, n, subtitle, italic=True, size=12)
            row += 1
        self.row = row + 1

    def header(self, titles: Sequence[str] | None = None, *, height: float = 48) -> None:
        ws = self.ws
        titles = titles or [c.title for c in self.columns]
        for i, text in enumerate(titles, start=1):
            cell = set_text(ws, self.row, i, nfc(text))
            cell.font = Font(name=FONT_NAME, bold=True, size=11)
            cell.alignment = CENTER
            cell.border = BORDER
            cell.fill = HEADER_FILL
        ws.row_dimensions[self.row].height = height
        self.header_row = self.row
        self.row += 1
        self.first_data_row = self.row
        ws.freeze_panes = ws.cell(row=self.row, column=1)

    def add_row(self, values: Sequence[Any], *, bold: bool = False, fill: PatternFill | None = None) -> int:
        ws = self.ws
        for i, (value, col) in enumerate(zip(values, self.columns, strict=False), start=1):
            cell = set_text(ws, self.row, i, value if isinstance(value, Formula) else nfc(value))
            cell.font = Font(name=FONT_NAME, bold=bold, size=11)
            cell.border = BORDER
            if fill is not None:
                cell.fill = fill
            if col.kind in ("int", "money"):
                cell.number_format = INT_FORMAT
                cell.alignment = CENTER if col.align == "center" else RIGHT
            elif col.kind == "percent":
                cell.number_format = PERCENT_VALUE_FORMAT
                cell.alignment = RIGHT
            elif col.kind == "date":
                cell.number_format = DATE_FORMAT
                cell.alignment = CENTER
            else:
                cell.alignment = CENTER if col.align == "center" else LEFT
        lines = max((_lines(v, c.width) for v, c in zip(values, self.columns, strict=False)), default=1)
        if lines > 1:  # neither openpyxl nor LibreOffice sizes wrapped rows on opening
            ws.row_dimensions[self.row].height = 15 * lines
        self.row += 1
        return self.row - 1

    def sum_formula(self, column_index: int, first_row: int | None = None, last_row: int | None = None) -> Formula:
        """A total the sheet computes over its own rows: the one kind of formula it writes."""
        letter = get_column_letter(column_index)
        first = first_row or self.first_data_row
        last = last_row or self.row - 1
        return Formula(f"=SUM({letter}{first}:{letter}{last})")

    def note(self, text: str, *, italic: bool = True) -> None:
        self._merged(self.row, 1, self.ncols, text, italic=italic, size=10, align=LEFT)
        self.row += 1

    def signature_block(self, left_title: str, right_title: str) -> None:
        self.row += 1
        n = self.ncols
        split = max(1, n // 2)
        self._merged(self.row, 1, split, left_title, bold=True, size=11)
        self._merged(self.row, split + 1, n, right_title, bold=True, size=11)
        self.row += 1
        self._merged(self.row, 1, split, "(Ký, ghi rõ họ tên)", italic=True, size=10)
        self._merged(self.row, split + 1, n, "(Ký, ghi rõ họ tên, đóng dấu)", italic=True, size=10)
        self.row += 4

    def finish_print_setup(self) -> None:
        ws = self.ws
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if self.landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        if self.header_row:
            ws.print_title_rows = f"{self.header_row}:{self.header_row}"
        ws.oddFooter.center.text = "Trang &P/&N"
