"""The customer's appendix: "Biểu kế hoạch giảm hộ cận nghèo năm YYYY" as an Excel sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from .xlsx_base import TOTAL_FILL, Column, OfficialSheet, vn_date_line


@dataclass
class PlanTableRow:
    unit_name: str
    baseline_near_poor: int
    total_households: int | None
    target_reduction: int

    @property
    def rate(self) -> float | None:
        """Near-poor households as % of all households of the unit, 2 decimals (as printed)."""
        if not self.total_households:
            return None
        return round(self.baseline_near_poor * 100 / self.total_households, 2)


@dataclass
class PlanTable:
    year: int
    office_name: str          # e.g. "huyện Thanh Trì"
    parent_name: str          # e.g. "UBND huyện Thanh Trì"
    doc_no: str = ""
    doc_date: date | None = None
    total_label: str = "Toàn huyện"
    place: str = ""
    rows: list[PlanTableRow] = field(default_factory=list)

    @property
    def total_baseline(self) -> int:
        return sum(r.baseline_near_poor for r in self.rows)

    @property
    def total_target(self) -> int:
        return sum(r.target_reduction for r in self.rows)

    @property
    def total_rate(self) -> float | None:
        households = sum(r.total_households or 0 for r in self.rows)
        if not households or any(not r.total_households for r in self.rows):
            return None
        return round(self.total_baseline * 100 / households, 2)


COLUMNS = [
    Column("TT", 6, "int", "center"),
    Column("Đơn vị", 24),
    Column("Tổng số hộ cận nghèo đầu năm", 16, "int"),
    Column("Tỉ lệ (%)", 11, "percent"),
    Column("Kế hoạch giảm hộ cận nghèo năm {year}", 18, "int"),
]


def write_plan_table(table: PlanTable, path: Path) -> Path:
    """Write the appendix table; totals are SUM formulas, the rate is computed from the data."""
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
    wb.save(path)
    return path
