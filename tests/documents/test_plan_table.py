"""The plan table reproduces the customer's appendix cell by cell (values, formulas, layout)."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cannngheo_desktop.documents.catalogue import build_report
from cannngheo_desktop.documents.context import ReportParams
from cannngheo_desktop.documents.render.xlsx_base import PERCENT_VALUE_FORMAT

SEEDS = Path("/work/shared/seeds")
# The appendix of Kế hoạch 90/KH-UBND, typed from the document (checked against the seed below).
APPENDIX = [
    ("Đại Áng", 62, 1.78, 9), ("Đông Mỹ", 5, 0.17, 1), ("Duyên Hà", 11, 0.61, 2), ("Hữu Hòa", 59, 1.60, 8),
    ("Liên Ninh", 34, 0.71, 5), ("Ngọc Hồi", 56, 1.36, 8), ("Ngũ Hiệp", 35, 0.67, 5), ("Tam Hiệp", 25, 0.53, 3),
    ("Thanh Liệt", 5, 0.09, 1), ("Tân Triều", 6, 0.05, 1), ("Tả Thanh Oai", 89, 0.76, 12),
    ("Tứ Hiệp", 3, 0.04, 3), ("TT Văn Điển", 2, 0.04, 2), ("Vạn Phúc", 57, 1.39, 8),
    ("Vĩnh Quỳnh", 39, 0.52, 5), ("Yên Mỹ", 17, 0.84, 2),
]
HEADERS = ["TT", "Đơn vị", "Tổng số hộ cận nghèo đầu năm", "Tỉ lệ", "Kế hoạch giảm hộ cận nghèo năm 2023"]


def _seed_rows() -> list[tuple[str, int, float, int]]:
    rows = []
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^(\d+)\t(.+?)\t(\d+)\t([\d.]+)\t(\d+)\s*$", line)
            if m:
                rows.append((unicodedata.normalize("NFC", m[2]), int(m[3]), float(m[4]), int(m[5])))
    return rows


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the customer's seed document is not on this machine")
def test_typed_appendix_matches_the_seed_document() -> None:
    assert _seed_rows() == APPENDIX


@pytest.fixture(scope="module")
def plan_sheet(demo_db: Path, tmp_path_factory: pytest.TempPathFactory):
    from cannngheo_desktop.storage import open_db

    out = tmp_path_factory.mktemp("plan-table") / "bieu-ke-hoach.xlsx"
    with open_db(demo_db, create=False) as store:
        build_report(store, "plan-table", ReportParams(year=2023), out)
    return load_workbook(out).active


def _header_row(ws) -> int:
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == "TT":
            return row[0].row
    raise AssertionError("no header row")


def test_every_cell_equals_the_appendix(plan_sheet) -> None:
    ws = plan_sheet
    head = _header_row(ws)
    assert [ws.cell(head, c).value for c in range(1, 6)] == HEADERS
    for i, (name, baseline, rate, target) in enumerate(APPENDIX, start=1):
        row = [ws.cell(head + i, c).value for c in range(1, 6)]
        assert row == [i, name, baseline, rate, target], f"row {i}"
        assert ws.cell(head + i, 4).number_format == PERCENT_VALUE_FORMAT
    total = head + len(APPENDIX) + 1
    assert ws.cell(total, 2).value == "Toàn huyện"
    assert ws.cell(total, 4).value == 0.59
    assert ws.cell(total + 1, 2).value is None  # nothing after the total row


def test_libreoffice_shows_vietnamese_separators(demo_db: Path, tmp_path: Path) -> None:
    """Rendered by LibreOffice under its own (English) locale, the rate reads 0,59% and counts
    keep the dot grouping: the formats fix the Vietnamese separators whatever the PC's locale."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed here; the number formats are checked above")
    from cannngheo_desktop.storage import open_db

    src = tmp_path / "kh.xlsx"
    with open_db(demo_db, create=False) as store:
        build_report(store, "plan-table", ReportParams(year=2023), src)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=180)
    rows = list(csv.reader((tmp_path / "kh.csv").open(encoding="utf-8", newline="")))
    shown = {r[1]: r[3] for r in rows if len(r) > 4 and r[1]}
    assert shown["Toàn huyện"] == "0,59%"
    assert shown[APPENDIX[0][0]] == f"{APPENDIX[0][2]:.2f}%".replace(".", ",")


def test_totals_are_sum_formulas_over_the_unit_rows(plan_sheet) -> None:
    ws = plan_sheet
    head = _header_row(ws)
    first, last, total = head + 1, head + len(APPENDIX), head + len(APPENDIX) + 1
    for col, letter, expected in ((3, "C", 505), (5, "E", 75)):
        formula = ws.cell(total, col).value
        assert formula == f"=SUM({letter}{first}:{letter}{last})"
        lo, hi = (int(x) for x in re.findall(r"\d+", formula))
        assert sum(ws.cell(r, col).value for r in range(lo, hi + 1)) == expected


def test_title_block_and_print_setup(plan_sheet) -> None:
    ws = plan_sheet
    texts = [c.value for row in ws.iter_rows(max_row=_header_row(ws) - 1) for c in row if c.value]
    assert "BIỂU KẾ HOẠCH GIẢM HỘ CẬN NGHÈO NĂM 2023" in texts
    assert "UBND HUYỆN THANH TRÌ" in texts
    assert any("Kèm theo Kế hoạch số 90/KH-UBND ngày 23/02/2023" in t for t in texts)
    assert "Thanh Trì, ngày 23 tháng 02 năm 2023" in texts
    head = _header_row(ws)
    assert ws.freeze_panes == f"A{head + 1}"
    assert ws.print_title_rows == f"${head}:${head}"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 == "9"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.cell(head, 3).font.b and ws.cell(head, 3).alignment.wrap_text
    assert ws.cell(head + 1, 3).border.left.style == "thin"


def test_plan_table_pdf_has_the_rows(store, tmp_path: Path) -> None:
    out = build_report(store, "plan-table", ReportParams(year=2023), tmp_path / "bieu.pdf")
    text = " ".join(PdfReader(out).pages[0].extract_text().split())
    assert "BIỂU KẾ HOẠCH GIẢM HỘ CẬN NGHÈO NĂM 2023" in text
    for name, baseline, rate, target in APPENDIX:
        assert f"{name} {baseline} {rate:.2f} {target}".replace(".", ",") in text
    assert "Toàn huyện 505 0,59 75" in text
