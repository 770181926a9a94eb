"""Every document of the catalogue, written from the demo database and read back as a reader
would (issue 18): PDF text through pypdf — place-and-date line of the issuing unit, "Trang x/y"
on every page, section labels whole on one line, no "chờ xác nhận", the draft mark only where the
rules are unconfirmed — and xlsx through openpyxl — cached totals equal to the sum of the rows
(read with data_only), the SUM formula kept, A4 / fit to width / print titles, fixed number format.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cannngheo_desktop.documents.catalogue import build_report, list_reports
from cannngheo_desktop.documents.context import ReportParams
from cannngheo_desktop.documents.render.xlsx_base import INT_FORMAT, PERCENT_VALUE_FORMAT, int_format

COMMUNE = "00679"
SUMMARIES = ("plan-results", "deprivation", "movements", "groups", "support", "posting-list")
DRAFTS = {"deprivation", "ruleset-change"}  # built on HN-2022 / VN-2027, which are not confirmed
SECTION_LABELS = {"movements": ("Hộ cận nghèo", "Hộ nghèo"),
                  "groups": ("I. Theo nguyên nhân nghèo", "II. Theo nhóm đối tượng", "III. Trẻ em")}


def _params(code: str, unit: str | None, year: int = 2023) -> ReportParams:
    start = date(year, 1, 1) if code == "movements" else None
    return ReportParams(unit_code=unit, year=year, on=date(year, 12, 31) if year == 2023 else date(year, 3, 31),
                        start=start)


def _pdf_lines(path: Path) -> tuple[list[str], list[str]]:
    """(lines of all pages, text of each page) with whitespace runs collapsed."""
    pages = [page.extract_text() for page in PdfReader(path).pages]
    lines = [" ".join(line.split()) for text in pages for line in text.splitlines()]
    return lines, [" ".join(t.split()) for t in pages]


@pytest.mark.parametrize("code", SUMMARIES + ("plan-table", "ruleset-change"))
@pytest.mark.parametrize("unit", [None, COMMUNE])
def test_pdf_reads_as_a_document(store, tmp_path: Path, code: str, unit: str | None) -> None:
    if code == "plan-table" and unit:
        pytest.skip("the plan appendix is the district's")
    out = build_report(store, code, _params(code, unit), tmp_path / f"{code}.pdf")
    lines, pages = _pdf_lines(out)
    text = " ".join(pages)
    place = "Đại Áng" if unit else "Thanh Trì"
    assert f"{place}, ngày" in text and ("Thanh Trì, ngày" not in text or not unit)
    for number, page in enumerate(pages, start=1):
        assert f"Trang {number}/{len(pages)}" in page
    assert "chờ xác nhận" not in text
    assert ("DỰ THẢO" in text) == (code in DRAFTS), code
    for label in SECTION_LABELS.get(code, ()):
        assert label in lines, f"section label '{label}' broken across lines"


def test_names_as_of_2026(store, tmp_path: Path) -> None:
    """After the 1/7/2025 merger: re-used codes print the new name with the former in brackets,
    dissolved communes are marked (cũ), the dissolved district issuer too; a commune's own
    report is dated at its new name."""
    out = build_report(store, "movements", _params("movements", None, 2026), tmp_path / "bd.pdf")
    lines, pages = _pdf_lines(out)
    text = " ".join(pages)
    assert "Xã Ngọc Hồi (xã Đại Áng cũ)" in text
    assert "Xã Liên Ninh (cũ)" in text and "UBND HUYỆN THANH TRÌ (CŨ)" in text
    assert not re.search(r"Xã Đại Áng(?! cũ)", text.replace("xã Đại Áng cũ", ""))
    out = build_report(store, "groups", _params("groups", COMMUNE, 2026), tmp_path / "nhom.pdf")
    text = " ".join(_pdf_lines(out)[1])
    assert "UBND XÃ NGỌC HỒI" in text and "Ngọc Hồi, ngày 31 tháng 03 năm 2026" in text


def test_posting_list_2026_addresses_and_signature(store, tmp_path: Path) -> None:
    """A commune's posting list after the merger: every address drops the abolished district and
    names the commune of the date, the former one in brackets, in PDF and Excel alike; signed
    "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH" and saying where and how long it is posted."""
    params = ReportParams(unit_code=COMMUNE, year=2026, on=date(2026, 3, 31), category="poor_or_near_poor")
    out = build_report(store, "posting-list", params, tmp_path / "ny.pdf")
    text = " ".join(_pdf_lines(out)[1])
    assert "xã Ngọc Hồi (xã Đại Áng cũ), Hà Nội" in text and "Thanh Trì" not in text
    assert "Xã Đại Áng" not in text
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in text
    assert "trụ sở Ủy ban nhân dân xã Ngọc Hồi" in text and "03 ngày làm việc" in text
    book = load_workbook(build_report(store, "posting-list", params, tmp_path / "ny.xlsx"), read_only=True)
    cells = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    addresses = [c for c in cells if re.match(r"Số \d", c)]
    assert addresses and all("xã Ngọc Hồi (xã Đại Áng cũ)" in a and "huyện" not in a.lower() for a in addresses)
    assert "CHỦ TỊCH" in cells and "TM. ỦY BAN NHÂN DÂN" in cells
    sheet = load_workbook(tmp_path / "ny.xlsx").worksheets[0]  # the note's row is as tall as its lines
    note = next(c for row in sheet.iter_rows() for c in row if str(c.value or "").startswith("Danh sách gồm"))
    assert (sheet.row_dimensions[note.row].height or 15) >= 28
    # Before the merger the address is as registered, only "xã"/"huyện" in lower case.
    old = build_report(store, "posting-list", ReportParams(unit_code=COMMUNE, year=2023, on=date(2023, 12, 31)),
                       tmp_path / "ny23.pdf")
    assert "xã Đại Áng, huyện Thanh Trì, Hà Nội" in " ".join(_pdf_lines(old)[1])


def _bordered_rows(ws) -> tuple[int, list[list]]:
    """(header row number, rows of the bordered table after it)."""
    header = next(r[0].row for r in ws.iter_rows() if r[0].value == "TT")
    rows = []
    for row in ws.iter_rows(min_row=header + 1):
        if row[0].border.left.style != "thin" and row[1].border.left.style != "thin":
            break
        rows.append(list(row))
    return header, rows


@pytest.mark.parametrize("code", SUMMARIES + ("plan-table",))
def test_xlsx_totals_are_cached_and_print_setup_is_a4(store, tmp_path: Path, code: str) -> None:
    out = build_report(store, code, _params(code, None), tmp_path / f"{code}.xlsx")
    ws = load_workbook(out).active
    values = load_workbook(out, data_only=True).active
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    header, rows = _bordered_rows(ws)
    assert ws.print_title_rows.replace("$", "") == f"{header}:{header}"
    assert ws.row_dimensions[header].height and ws.row_dimensions[header].height >= 30
    checked = 0
    block: list[list] = []
    for row in rows:
        formulas = [c for c in row if isinstance(c.value, str) and c.value.startswith("=SUM(")]
        if not formulas:
            block.append(row)
            continue
        for cell in formulas:
            col = cell.column - 1
            expected = sum(r[col].value for r in block if isinstance(r[col].value, (int, float)))
            assert values.cell(cell.row, cell.column).value == expected, f"{code} {cell.coordinate}"
            assert cell.number_format == int_format(expected)  # a billion or more: four groups
            checked += 1
        block = []
    assert checked > 0 or code in ("deprivation", "groups")
    ints = [c for r in rows for c in r if isinstance(c.value, int) and c.column > 1]
    # counts and money in the fixed grouping; a whole percent (0) keeps the percent format
    assert ints and all(c.number_format in (int_format(c.value), PERCENT_VALUE_FORMAT) for c in ints)
    assert any(c.number_format == INT_FORMAT for c in ints)


def test_xlsx_title_and_subtitle_rows_fit_their_text(store, tmp_path: Path) -> None:
    """The deprivation sheet's long subtitle used to overlap its title: each has its own row,
    tall enough for its wrapped lines (Excel does not size merged rows)."""
    out = build_report(store, "deprivation", ReportParams(ruleset="HN-2022", on=date(2023, 12, 31)),
                       tmp_path / "th.xlsx")
    ws = load_workbook(out).active
    width = sum(ws.column_dimensions[chr(ord("A") + i)].width for i in range(7))
    title = next(c for r in ws.iter_rows(max_row=8) for c in r if str(c.value or "").startswith("PHÂN TÍCH"))
    subtitle = ws.cell(title.row + 1, 1)
    assert "HN-2022" in subtitle.value and len(subtitle.value) > width  # long enough to wrap
    assert ws.row_dimensions[title.row].height >= 20
    assert ws.row_dimensions[subtitle.row].height >= 2 * 15
    assert subtitle.alignment.wrap_text


def test_every_catalogue_report_is_covered() -> None:
    covered = set(SUMMARIES) | {"plan-table", "ruleset-change", "household-list", "household-profile",
                                "household-profiles"}
    assert {spec.code for spec in list_reports()} <= covered


def test_household_list_prints_landscape_fit_to_width(store, tmp_path: Path) -> None:
    out = build_report(store, "household-list", ReportParams(unit_code=COMMUNE, year=2023), tmp_path / "ds.xlsx")
    ws = load_workbook(out).active
    header = next(r[0].row for r in ws.iter_rows() if r[0].value == "TT")
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.print_title_rows.replace("$", "") == f"{header}:{header}"
    # the tallest header title ("Số định danh cá nhân (CCCD)" in 13 characters) needs 3 lines
    assert ws.row_dimensions[header].height >= 3 * 13
    widths = sum(ws.column_dimensions[chr(ord("A") + i)].width for i in range(15))
    assert widths <= 200  # ≈ 75 % on A4 landscape (it was 235: about 60 %)
    # Long text wraps, never cut: its row is as tall as its lines; a row of short text keeps the default.
    long_rows = [r for r in ws.iter_rows(min_row=header + 1) if r[12].value == "Chưa đi học / chưa tốt nghiệp tiểu học"]
    assert long_rows and all(r[12].alignment.wrap_text for r in long_rows)
    assert all((ws.row_dimensions[r[0].row].height or 0) >= 2 * 13 for r in long_rows)
    short = next(r for r in ws.iter_rows(min_row=header + 1)
                 if r[0].value is None and (r[12].value, r[13].value) == ("Tiểu học", "Đi học"))
    assert ws.row_dimensions[short[0].row].height is None


def test_libreoffice_shows_money_over_a_billion_grouped(tmp_path: Path) -> None:
    """Support money passes a billion: rendered by LibreOffice (English locale) every amount and
    the total read with dots (1.050.000.000, not 1050.000.000; Excel allows two conditions per
    format, so a cell of a billion or more gets its own)."""
    import csv
    import shutil
    import subprocess

    from cannngheo_desktop.documents.render.summary import Section, SummaryReport, write_xlsx
    from cannngheo_desktop.documents.render.xlsx_base import Column

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed here; the formats are checked above")
    amounts = [0, 5, 95_000_000, 1_050_000_000, 1_680_000_000]
    columns = [Column("TT", 6, "int", "center"), Column("Nội dung", 30), Column("Số tiền", 18, "money")]
    report = SummaryReport(title="Kết quả hỗ trợ", columns=columns,
                           unit_lines=("UBND XÃ ĐẠI ÁNG", ""), place="Đại Áng", on=date(2026, 1, 5),
                           sections=[Section([[i, f"Dòng {i}", a] for i, a in enumerate(amounts)], total_label="Cộng",
                                             sum_columns=(2,))])
    src = write_xlsx(report, tmp_path / "ht.xlsx")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=180)
    rows = {r[1]: r[2] for r in csv.reader((tmp_path / "ht.csv").open(encoding="utf-8", newline="")) if len(r) > 2}
    assert [rows[f"Dòng {i}"] for i in range(len(amounts))] == ["0", "5", "95.000.000", "1.050.000.000",
                                                                  "1.680.000.000"]
    assert rows["Cộng"] == "2.825.000.005"
