"""The customer's appendix: "Biểu kế hoạch giảm hộ cận nghèo năm YYYY" as an Excel sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from .summary import Section, SummaryReport, write_pdf
from .xlsx_base import TOTAL_FILL, Column, OfficialSheet, save_workbook, vn_date_line


@dataclass
class PlanTableRow:
    """One unit of the appendix; ``rate`` comes from ``storage.plans.plan_table`` (the plan
    tracker's half-up rounding), never recomputed here."""

    unit_name: str
    baseline_near_poor: int | None
    rate: float | None
    target_reduction: int | None


@dataclass
class PlanTable:
    year: int
    parent_name: str          # e.g. "UBND huyện Thanh Trì"
    doc_no: str = ""
    doc_date: date | None = None
    total_label: str = "Toàn huyện"
    total_rate: float | None = None
    place: str = ""
    rows: list[PlanTableRow] = field(default_factory=list)

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]], *, year: int, parent_name: str, doc_no: str = "",
                  doc_date: date | None = None, place: str = "") -> PlanTable:
        """From the rows of ``storage.plans.plan_table`` (the last one is the total row)."""
        body = [r for r in rows if not r.get("is_total")]
        total = next((r for r in rows if r.get("is_total")), None)
        return cls(year=year, parent_name=parent_name, doc_no=doc_no, doc_date=doc_date, place=place,
                   total_label=total["unit_name"] if total else "Tổng cộng",
                   total_rate=total["rate"] if total else None,
                   rows=[PlanTableRow(r["unit_name"], r["baseline_near_poor"], r["rate"], r["target_reduction"])
                         for r in body])


COLUMNS = [
    Column("TT", 6, "int", "center"),
    Column("Đơn vị", 24),
    Column("Tổng số hộ cận nghèo đầu năm", 16, "int"),
    Column("Tỉ lệ", 11, "percent"),
    Column("Kế hoạch giảm hộ cận nghèo năm {year}", 18, "int"),
]


def write_plan_table(table: PlanTable, path: Path) -> Path:
    """Write the appendix table as the customer's: baseline and target totals are SUM formulas,
    rates (per unit and overall) are the stored plan's own values (2 decimals, half-up)."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"KH giam CN {table.year}"
    columns = [Column(c.title.format(year=table.year), c.width, c.kind, c.align) for c in COLUMNS]
    sheet = OfficialSheet(ws, columns)
    attach = ""
    if table.doc_no:
        attach = f"(Kèm theo Kế hoạch số {table.doc_no}"
        if table.doc_date:
            attach += f" ngày {table.doc_date.strftime('%d/%m/%Y')}"
        attach += f" của {table.parent_name})"
    sheet.title_block(
        unit_lines=[table.parent_name, ""],
        title=f"Biểu kế hoạch giảm hộ cận nghèo năm {table.year}",
        subtitle=attach,
        date_line=vn_date_line(table.place, table.doc_date) if table.place and table.doc_date else "")
    sheet.header()
    for i, row in enumerate(table.rows, start=1):
        sheet.add_row([i, row.unit_name, row.baseline_near_poor, row.rate, row.target_reduction])
    sheet.add_row([None, table.total_label, sheet.sum_formula(3), table.total_rate, sheet.sum_formula(5)],
                  bold=True, fill=TOTAL_FILL)
    sheet.finish_print_setup()
    save_workbook(wb, path)
    return path


def as_summary(table: PlanTable) -> SummaryReport:
    """The same table for the PDF writer (values, not formulas)."""
    columns = [Column(c.title.format(year=table.year), c.width, c.kind, c.align) for c in COLUMNS]
    rows = [[i, r.unit_name, r.baseline_near_poor, r.rate, r.target_reduction] for i, r in enumerate(table.rows, 1)]
    attach = f"(Kèm theo Kế hoạch số {table.doc_no})" if table.doc_no else ""
    return SummaryReport(
        title=f"Biểu kế hoạch giảm hộ cận nghèo năm {table.year}", columns=columns, subtitle=attach,
        sections=[Section(rows, total_label=table.total_label, sum_columns=(2, 4),
                          total_values={3: table.total_rate})],
        unit_lines=(table.parent_name.upper(), ""), place=table.place, on=table.doc_date, signature=None)


def write_plan_table_pdf(table: PlanTable, path: Path) -> Path:
    """The appendix table as an A4 PDF."""
    return write_pdf(as_summary(table), path)
