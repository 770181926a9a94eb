"""Summary tables (plan results, deprivation, movements, groups, support) as Excel and PDF.

A :class:`SummaryReport` is plain data: the heading, the columns and one or more sections of
rows. Section totals are SUM formulas in Excel (over the section's own rows) and computed sums
in the PDF. No SQL here: ``cannngheo_desktop.documents.catalogue`` gathers the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from ...core.sheet_cells import set_text
from ...core.text import format_date, format_percent, format_vnd
from . import pdf_base
from .xlsx_base import BORDER, FONT_NAME, LEFT, TOTAL_FILL, Column, OfficialSheet, save_workbook, vn_date_line


@dataclass
class Section:
    """A block of rows; ``title`` is a merged sub-heading row, ``total_label`` adds a totals row
    whose ``sum_columns`` (0-based) are SUM formulas; ``total_values`` fixes other total cells."""

    rows: list[list[Any]]
    title: str = ""
    total_label: str = ""
    sum_columns: Sequence[int] = ()
    total_values: dict[int, Any] = field(default_factory=dict)
    label_column: int = 1


@dataclass
class SummaryReport:
    """Everything a summary sheet shows (plain data)."""

    title: str
    columns: list[Column]
    sections: list[Section]
    unit_lines: Sequence[str] = ("", "")
    subtitle: str = ""
    place: str = ""
    on: date | None = None
    notes: Sequence[str] = ()
    signature: tuple[str, str] | None = ("Người lập biểu", "Thủ trưởng đơn vị")
    landscape: bool = False
    sheet_name: str = "Bao cao"
    draft: bool = False          # built on rules not yet confirmed: "(DỰ THẢO)" title + watermark
    number: str = ""             # "Số: …/BC-UBND" under the unit (blank number for the office to fill)

    @property
    def shown_title(self) -> str:
        return f"{self.title} (dự thảo)" if self.draft else self.title

    @property
    def date_line(self) -> str:
        return vn_date_line(self.place, self.on) if self.place and self.on else ""


def total_row(section: Section, ncols: int) -> list[Any]:
    """The computed totals row of a section (what the Excel formulas evaluate to)."""
    row: list[Any] = [None] * ncols
    row[section.label_column] = section.total_label
    for c in section.sum_columns:
        row[c] = sum(r[c] or 0 for r in section.rows)
    for c, v in section.total_values.items():
        row[c] = v
    return row


def write_xlsx(report: SummaryReport, path: Path) -> Path:
    """The report as one Excel sheet: title block, header, sections, SUM totals, print setup."""
    wb = Workbook()
    ws = wb.active
    ws.title = report.sheet_name[:31]
    sheet = OfficialSheet(ws, report.columns, landscape=report.landscape)
    sheet.title_block(unit_lines=report.unit_lines, title=report.shown_title, subtitle=report.subtitle,
                      date_line=report.date_line)
    sheet.header()
    n = len(report.columns)
    for section in report.sections:
        if section.title:
            ws.merge_cells(start_row=sheet.row, start_column=1, end_row=sheet.row, end_column=n)
            for c in range(1, n + 1):
                ws.cell(row=sheet.row, column=c).border = BORDER
            cell = set_text(ws, sheet.row, 1, section.title)
            cell.font = Font(name=FONT_NAME, bold=True, size=11)
            cell.alignment = LEFT
            sheet.row += 1
        first = sheet.row
        for row in section.rows:
            sheet.add_row(row)
        if section.total_label:
            last = sheet.row - 1
            values: list[Any] = [None] * n
            values[section.label_column] = section.total_label
            for c in section.sum_columns:
                values[c] = sheet.sum_formula(c + 1, first, last) if last >= first else 0
            for c, v in section.total_values.items():
                values[c] = v
            sheet.add_row(values, bold=True, fill=TOTAL_FILL)
    for text in report.notes:
        sheet.note(text)
    if report.signature:
        sheet.signature_block(*report.signature)
    sheet.finish_print_setup()
    save_workbook(wb, path)
    return path


def pdf_value(value: Any, kind: str) -> str:
    """A cell as printed text: thousands with '.', percent with ',', dates dd/mm/yyyy."""
    if value is None or value == "":
        return ""
    if kind in ("int", "money") and isinstance(value, (int, float)):
        return format_vnd(value)
    if kind == "percent" and isinstance(value, (int, float)):
        return format_percent(value).rstrip("%")
    if kind == "date":
        return format_date(value)
    return str(value)


def _align(col: Column) -> str:
    if col.kind in ("int", "money", "percent"):
        return "right"
    return "center" if col.align == "center" or col.kind == "date" else "left"


def pdf_story(report: SummaryReport, page: pdf_base.PageSetup) -> list[Flowable]:
    """Flowables of the report: header block, title, the table, notes and the signature block."""
    story: list[Flowable] = [pdf_base.header_block([x.upper() for x in report.unit_lines if x],
                                                      place_date=report.date_line, number=report.number)]
    story += pdf_base.title_block(report.shown_title.upper(), report.subtitle)
    n = len(report.columns)
    data: list[list[Any]] = [[c.title for c in report.columns]]
    spans: list[int] = []
    for section in report.sections:
        if section.title:
            spans.append(len(data))
            data.append([section.title] + [""] * (n - 1))
        data += [[pdf_value(v, c.kind) for v, c in zip(row, report.columns, strict=False)] for row in section.rows]
        if section.total_label:
            totals = total_row(section, n)
            data.append([pdf_value(v, c.kind) for v, c in zip(totals, report.columns, strict=False)])
    scale = page.frame_width / sum(c.width for c in report.columns)
    story.append(pdf_base.simple_table(data, [c.width * scale for c in report.columns],
                                       align=[_align(c) for c in report.columns], small=True,
                                       span_rows=spans))
    if report.notes:
        story.append(Spacer(1, 2 * mm))
    for text in report.notes:
        story.append(pdf_base.para(text, "small"))
    if report.signature:
        story.append(Spacer(1, 6 * mm))
        story.append(signature_table(*report.signature, width=page.frame_width))
    return story


def signature_table(left: str, right: str, *, width: float) -> Flowable:
    """Two signature columns (the shared frame's :func:`pdf_base.signature_block`); a title of
    two lines ("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH") is printed as the form has it, one per line."""
    above, _, title = right.rpartition("\n")
    return pdf_base.signature_block(left, title, width=width, above_right=above)


def write_pdf(report: SummaryReport, path: Path, *, extra: Sequence[Flowable] = ()) -> Path:
    """The report as an A4 PDF (landscape when the report says so); ``extra`` flowables (a chart)
    go after the table."""
    page = pdf_base.PageSetup(landscape=report.landscape)
    story = pdf_story(report, page)
    if extra:
        signature = story.pop() if report.signature else None
        story += [Spacer(1, 4 * mm), *extra]
        if signature is not None:
            story.append(signature)
    return pdf_base.build_pdf(path, story, title=report.shown_title, page=page, draft=report.draft)
