"""core.sheet_cells: str values become text cells exactly as typed; the app's own formulas stay."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from cannngheo_desktop.core.sheet_cells import (
    Formula,
    as_text,
    looks_like_formula,
    set_text,
    sheet_text,
    text_row,
)

RISKY = ["=1+1", "+1", "-1", "@A1", "\t=1", "\n=1", "#N/A", "#REF!", "\uff1d1+1", "\uff0b1", "=", "-"]
PLAIN = ["Nguyễn Văn An", "1+1", " =1", "a=b", "Thôn 1 - Xóm 2", "", "001078012345"]


def test_looks_like_formula() -> None:
    assert all(looks_like_formula(v) for v in [*RISKY, "\r=1"])  # (XML reads a CR back as LF)
    assert not any(looks_like_formula(v) for v in PLAIN)
    assert not looks_like_formula(Formula("=SUM(A1:A2)")) and not looks_like_formula(3)


def test_cells_read_back_as_typed(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    for r, value in enumerate(RISKY + PLAIN, start=1):
        set_text(ws, r, 1, value)
    set_text(ws, 1, 2, 7)
    set_text(ws, 2, 2, date(2026, 1, 31))
    set_text(ws, 3, 2, Formula("=SUM(B1:B1)"))
    wb.save(tmp_path / "a.xlsx")
    back = load_workbook(tmp_path / "a.xlsx").active
    for r, value in enumerate(RISKY + PLAIN, start=1):
        cell = back.cell(r, 1)
        if value == "":
            assert cell.value is None
            continue
        assert (cell.value, cell.data_type) == (value, "s")
        assert cell.quotePrefix == looks_like_formula(value)
    assert back.cell(1, 2).value == 7 and back.cell(1, 2).data_type == "n"
    assert back.cell(2, 2).value.date() == date(2026, 1, 31)
    assert (back.cell(3, 2).value, back.cell(3, 2).data_type) == ("=SUM(B1:B1)", "f")


def test_write_only_rows(tmp_path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("a")
    ws.append(text_row(ws, ["=HYPERLINK(\"http://x\",\"bấm\")", 5, None, "Lê Thị Hoa", "#DIV/0!"]))
    wb.save(tmp_path / "w.xlsx")
    with zipfile.ZipFile(tmp_path / "w.xlsx") as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")
    row = list(load_workbook(tmp_path / "w.xlsx").active.iter_rows())[0]
    assert [c.value for c in row] == ["=HYPERLINK(\"http://x\",\"bấm\")", 5, None, "Lê Thị Hoa", "#DIV/0!"]
    assert [c.data_type for c in row] == ["s", "n", "n", "s", "s"]


def test_without_the_helper_openpyxl_writes_a_formula() -> None:
    """Why the helper exists (fails if openpyxl ever stops inferring formulas from text)."""
    ws = Workbook().active
    cell = ws.cell(1, 1, "=1+1")
    assert cell.data_type == "f"
    assert as_text(cell).data_type == "s"


@pytest.mark.parametrize("value", [None, 1.5, date(2026, 1, 1)])
def test_other_values_untouched(value) -> None:
    cell = Workbook().active.cell(1, 1, value)
    kind = cell.data_type
    assert as_text(cell).data_type == kind and not cell.quotePrefix


def test_characters_xlsx_cannot_hold_are_shown_not_fatal(tmp_path: Path) -> None:
    """openpyxl raised IllegalCharacterError on a control character and the export failed."""
    bad = "Lê\x00Văn\x07An\x1b"
    assert sheet_text(bad) == "Lê\ufffdVăn\ufffdAn\ufffd" and sheet_text("a\tb\nc") == "a\tb\nc"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("a")
    ws.append(text_row(ws, [bad, "=" + bad]))
    wb.save(tmp_path / "w.xlsx")
    normal = Workbook()
    set_text(normal.active, 1, 1, bad)
    normal.save(tmp_path / "n.xlsx")
    assert [c.value for c in next(load_workbook(tmp_path / "w.xlsx").active.iter_rows())] == \
        [sheet_text(bad), "=" + sheet_text(bad)]
    assert load_workbook(tmp_path / "n.xlsx").active.cell(1, 1).value == sheet_text(bad)
