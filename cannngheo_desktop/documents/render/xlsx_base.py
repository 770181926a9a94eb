"""Excel sheets that look like what an office files: title block, headers, borders, print setup.

Pure openpyxl, no Qt. Every report writer builds on ``OfficialSheet`` and saves with
:func:`save_workbook`. Every str it writes is a text cell (``core.sheet_cells``): names, addresses
and notes typed as ``=…`` never become formulas; the only formulas are the totals the sheet itself
builds (:meth:`OfficialSheet.sum_formula`).

Totals: each total is a live ``=SUM(…)`` formula AND its cached value. openpyxl writes formulas
with an empty value, so viewers that do not recalculate (and openpyxl's ``data_only``) show a
blank; :func:`save_workbook` evaluates every ``SUM`` over the sheet's own cells and writes the
result as the cell's cached ``<v>`` in the saved file. Excel still recalculates on opening.

Number formats: the separators of a format code like ``#,##0`` are replaced by the PC's locale
(an English Windows shows 1,234). A fixed Vietnamese grouping needs the dot as a literal, so
integers use the conditional format :data:`INT_FORMAT` (``1.234.567`` under any locale; the cell
stays a number and sums); from a billion up a cell gets :data:`BIG_INT_FORMAT` (``1.050.000.000``),
chosen from its value or cached total. Negatives of 1.000 or more show no separator. The
decimal mark cannot be fixed as such, so percent values (0.59 meaning 0.59 %) use
:data:`PERCENT_VALUE_FORMAT` ``0","00%``: the ``%`` scales the shown number by 100 and the comma is
a literal before the last two digits, so 0.59 shows ``0,59%`` under any locale (rounded to two
decimals) while the cell keeps the value 0.59, as the PDF prints ``0,59``.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
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

INT_FORMAT = '[>=1000000]#"."###"."###;[>=1000]#"."###;0'  # 1.234.567 under any locale
# Excel allows two conditions: a cell holding a billion or more (money: support totals) gets a
# fourth group instead, chosen from its value (or its cached total) when the sheet is written.
BIG_INT_FORMAT = '#"."###"."###"."###'  # 1.050.000.000


def int_format(value: Any) -> str:
    """The fixed-grouping format for ``value``: :data:`BIG_INT_FORMAT` from 1.000.000.000 up."""
    big = isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 1_000_000_000
    return BIG_INT_FORMAT if big else INT_FORMAT
PERCENT_VALUE_FORMAT = '0","00%'  # a value already in percent: 0.59 shows 0,59% under any locale
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


def wrapped_lines(text: str, width: float, char_width: float) -> int:
    """Lines ``text`` wraps to in ``width`` column units, a character taking ``char_width``
    units (bold/large fonts are wider); words are not split, so count word by word."""
    room = max(1.0, width - 1)
    lines, used = 1, 0.0
    for word in str(text).split():
        w = (len(word) + 1) * char_width
        if used and used + w > room:
            lines += 1
            used = 0.0
        used += w
    return lines


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
        total = sum(c.width for c in self.columns)
        self._merged(row, 1, n, title.upper(), bold=True, size=14)
        self.ws.row_dimensions[row].height = 21 * wrapped_lines(title.upper(), total, 1.7)
        row += 1
        if subtitle:  # its own row, tall enough for its wrapped lines: never over the title
            self._merged(row, 1, n, subtitle, italic=True, size=12)
            self.ws.row_dimensions[row].height = 17 * wrapped_lines(subtitle, total, 1.15)
            row += 1
        self.row = row + 1

    def header(self, titles: Sequence[str] | None = None, *, height: float = 0) -> None:
        """The column titles (bold, wrapped, repeated on every printed page); the row is as
        tall as its longest wrapped title unless ``height`` is given."""
        ws = self.ws
        titles = titles or [c.title for c in self.columns]
        if not height:
            lines = max((wrapped_lines(t, c.width, 1.2) for t, c in zip(titles, self.columns, strict=False)),
                        default=1)
            height = max(30.0, 15.0 * lines + 6)
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
                cell.number_format = int_format(value)
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
        """A note under the table across the sheet, its row as tall as its wrapped lines (a merged
        cell is never sized by Excel or LibreOffice, so a long note would run over the next rows)."""
        self._merged(self.row, 1, self.ncols, text, italic=italic, size=10, align=LEFT)
        lines = wrapped_lines(text, sum(c.width for c in self.columns), 1.0)
        if lines > 1:
            self.ws.row_dimensions[self.row].height = 14 * lines
        self.row += 1

    def signature_block(self, left_title: str, right_title: str) -> None:
        self.row += 1
        n = self.ncols
        split = max(1, n // 2)
        lefts, rights = left_title.split("\n"), right_title.split("\n")  # a title may have two lines
        for k in range(max(len(lefts), len(rights))):
            if k < len(lefts) and lefts[k]:
                self._merged(self.row, 1, split, lefts[k], bold=True, size=11)
            if k < len(rights) and rights[k]:
                self._merged(self.row, split + 1, n, rights[k], bold=True, size=11)
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


_SUM = re.compile(r"=SUM\(([A-Z]{1,3})([0-9]+):([A-Z]{1,3})([0-9]+)\)")
_FORMULA_CELL = re.compile(r'<c r="([A-Z]{1,3}[0-9]+)"([^>]*)><f>([^<]*)</f><v\s*/>')


def cached_sums(ws: Worksheet) -> dict[str, float | int]:
    """The value of every ``=SUM(range)`` cell of ``ws``, from the numbers in its range (text and
    empty cells count 0, as in Excel; a SUM over other SUMs is evaluated first)."""
    out: dict[str, float | int] = {}

    def value(cell: Any, depth: int = 0) -> float | int:
        v = cell.value
        if isinstance(v, bool):
            return 0
        if isinstance(v, (int, float)):
            return v
        if isinstance(v, str) and depth < 5 and (m := _SUM.fullmatch(v)):
            return evaluate(m, depth + 1)
        return 0

    def evaluate(m: re.Match[str], depth: int) -> float | int:
        first, last = m.group(1) + m.group(2), m.group(3) + m.group(4)
        return sum(value(c, depth) for row in ws[first:last] for c in (row if isinstance(row, tuple) else (row,)))

    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.data_type == "f" and (m := _SUM.fullmatch(cell.value)):
                out[cell.coordinate] = evaluate(m, 0)
    return out


def save_workbook(wb: Workbook, path: Path | str) -> Path:
    """Save ``wb`` with the cached value of every SUM total written into the file (see module
    docstring). The sheets are matched by order (openpyxl names them sheet1.xml, sheet2.xml…)."""
    target = Path(path)
    caches = [cached_sums(ws) for ws in wb.worksheets]
    for ws, cache in zip(wb.worksheets, caches, strict=True):
        for ref, total in cache.items():
            if ws[ref].number_format == INT_FORMAT:
                ws[ref].number_format = int_format(total)
    wb.save(target)
    if not any(caches):
        return target
    tmp = target.with_name(target.name + ".sum")
    try:
        with zipfile.ZipFile(target) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                m = re.fullmatch(r"xl/worksheets/sheet([0-9]+)\.xml", item.filename)
                if m and int(m.group(1)) <= len(caches) and caches[int(m.group(1)) - 1]:
                    cache = caches[int(m.group(1)) - 1]

                    def fill(hit: re.Match[str], cache: dict[str, float | int] = cache) -> str:
                        ref = hit.group(1)
                        if ref not in cache:
                            return hit.group(0)
                        return f'<c r="{ref}"{hit.group(2)}><f>{hit.group(3)}</f><v>{cache[ref]}</v>'
                    data = _FORMULA_CELL.sub(fill, data.decode("utf-8")).encode("utf-8")
                dst.writestr(item, data)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
