"""Detailed household list (write-only Excel) and the public posting list (masked IDs)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cannngheo_desktop.core.errors import Cancelled, ValidationError
from cannngheo_desktop.core.personal_data import open_protected_xlsx
from cannngheo_desktop.documents.catalogue import build_report
from cannngheo_desktop.documents.context import ReportParams
from cannngheo_desktop.documents.render.household_list import COLUMNS, TITLE_ROWS

TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")


def _members(store, unit: str) -> list:
    return store.query(
        "SELECT h.household_code, m.full_name, m.birth_date, m.cccd FROM members m "
        "JOIN households h ON h.id = m.household_id WHERE h.unit_code = ? AND h.deleted = 0 "
        "AND h.status = 'active' AND m.deleted = 0 AND m.status = 'present' ORDER BY h.village, h.household_code, m.sort_order, m.full_name",
        (unit,))


def test_household_list_has_every_member_with_real_dates(store, tmp_path: Path) -> None:
    out = build_report(store, "household-list", ReportParams(unit_code="00679", year=2023), tmp_path / "ds.xlsx")
    ws = load_workbook(out).active
    header = TITLE_ROWS + 1
    assert [ws.cell(header, c).value for c in range(1, len(COLUMNS) + 1)] == [c.title for c in COLUMNS]
    assert ws.freeze_panes == f"A{header + 1}"
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=header + 1)]
    expected = _members(store, "00679")
    assert len(body) == len(expected)
    assert [r[6] for r in body] == [m["full_name"] for m in expected]
    households = [r for r in body if r[0] is not None]
    assert [r[0] for r in households] == list(range(1, len(households) + 1))
    assert households[0][1] == expected[0]["household_code"] and households[0][2] == "Xã Đại Áng"
    assert households[0][3] == "Thôn 1"
    first = ws.cell(header + 1, 10)
    assert isinstance(first.value, datetime)
    assert first.value.date().isoformat() == expected[0]["birth_date"]
    assert first.number_format == "dd/mm/yyyy"
    assert ws.cell(header + 1, 11).value == expected[0]["cccd"]  # the internal list keeps full IDs
    assert ws.cell(1, 1).value == "UBND XÃ ĐẠI ÁNG"
    assert ws.cell(4, 1).value.startswith("DANH SÁCH HỘ GIA ĐÌNH VÀ THÀNH VIÊN")
    assert str(ws.page_setup.paperSize) == "9" and ws.page_setup.orientation == "landscape"
    assert ws.cell(header + 1, 7).border.left.style == "thin"
    blank_borders = [str(r.sqref) for r in ws.conditional_formatting]  # borders of unwritten blank cells
    assert blank_borders == [f"A{header + 1}:O{header + len(expected)}"]


def test_household_list_reports_progress_and_cancels_cleanly(store, tmp_path: Path) -> None:
    class Stop:
        def __init__(self) -> None:
            self.calls: list[tuple[int, int]] = []

        def report(self, done: int, total: int) -> None:
            self.calls.append((done, total))

        def cancelled(self) -> bool:
            return True

    stop = Stop()
    out = tmp_path / "huy.xlsx"
    with pytest.raises(Cancelled):
        build_report(store, "household-list", ReportParams(), out, progress=stop)
    assert stop.calls and stop.calls[0][1] == 565
    assert not out.exists() and not list(tmp_path.glob("*.part"))


def _posting_texts(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def test_posting_list_masks_ids(store, tmp_path: Path) -> None:
    out = build_report(store, "posting-list", ReportParams(unit_code="00679", year=2023, category="near_poor"),
                       tmp_path / "niem-yet.xlsx")
    assert not TWELVE_DIGITS.search(_posting_texts(out)), "a full ID number leaked into the posting list"
    ws = load_workbook(out).active
    rows = [[c.value for c in r] for r in ws.iter_rows() if isinstance(r[0].value, int)]
    heads = store.query(
        "SELECT h.head_name, m.cccd, h.member_count FROM households h JOIN members m ON m.household_id = h.id "
        "AND m.relation = 'head' AND m.deleted = 0 WHERE h.unit_code = '00679' AND h.category = 'near_poor' "
        "AND h.deleted = 0 ORDER BY h.village, h.household_code")
    assert len(rows) == len(heads) == 62 - 4
    for row, head in zip(rows, heads, strict=True):
        assert row[1] == head["head_name"]
        # the rule of docs/documents.md: province code (3 digits), 6 stars, last 3 digits
        assert row[2] == head["cccd"][:3] + "******" + head["cccd"][-3:]
        assert row[5] == head["member_count"] and row[6] == "Hộ cận nghèo"
    texts = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert "DANH SÁCH NIÊM YẾT CÔNG KHAI HỘ CẬN NGHÈO NĂM 2023" in texts
    assert "Người lập biểu" in texts and "TM. ỦY BAN NHÂN DÂN" in texts
    assert not any("NỘI BỘ" in t for t in texts)


def test_posting_list_internal_copy_has_full_ids(store, tmp_path: Path) -> None:
    """--noi-bo / the "Nội bộ" box: full numbers, the title says it is internal, and the workbook is
    locked with its password (issue 16); without a password nothing is written."""
    params = ReportParams(unit_code="00679", year=2023, category="near_poor", internal=True)
    with pytest.raises(ValidationError, match="phải đặt mật khẩu"):
        build_report(store, "posting-list", params, tmp_path / "noi-bo.xlsx")
    assert not (tmp_path / "noi-bo.xlsx").exists()
    out = build_report(store, "posting-list", replace(params, password="mat-khau-tep-noi-bo"), tmp_path / "noi-bo.xlsx")
    assert not zipfile.is_zipfile(out)  # encrypted: the raw file shows nothing of its content
    ws = load_workbook(open_protected_xlsx(out, "mat-khau-tep-noi-bo")).active
    texts = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert any(t.startswith("DANH SÁCH HỘ CẬN NGHÈO NĂM 2023 (NỘI BỘ)") for t in texts)
    assert not any("NIÊM YẾT CÔNG KHAI" in t for t in texts)
    full = {r[0] for r in store.conn.execute(
        "SELECT m.cccd FROM households h JOIN members m ON m.household_id = h.id AND m.relation = 'head' "
        "AND m.deleted = 0 WHERE h.unit_code = '00679' AND h.category = 'near_poor' AND h.deleted = 0")}
    shown = {r[2].value for r in ws.iter_rows() if isinstance(r[0].value, int)}
    assert shown == full and len(full) == 58


def test_posting_list_pdf_masks_ids(store, tmp_path: Path) -> None:
    out = build_report(store, "posting-list", ReportParams(unit_code="00640", year=2023), tmp_path / "ny.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
    assert not TWELVE_DIGITS.search(text)
    assert re.search(r"\b\d{3}\*{6}\d{3}\b", text) and "DANH SÁCH NIÊM YẾT CÔNG KHAI" in text
    head = store.scalar("SELECT head_name FROM households WHERE household_code = 'TTR-00640-0003'")
    assert head in text  # the household that became near-poor in 2023 is listed
