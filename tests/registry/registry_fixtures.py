"""Helpers for the registry tests: a database with two units and a few households, and a
generator of messy hand-made commune workbooks (title rows, two-row merged header, headers
without diacritics, column numbers, dates as text and as Excel dates, numeric CCCD)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl

from cannngheo_desktop.storage import households, repo

UNIT_A = "00643"
UNIT_B = "00646"


def add_units(store: Any) -> None:
    for code, name, kind, area in ((UNIT_A, "Xã Tân Triều", "commune", "rural"),
                                   (UNIT_B, "Phường Thanh Liệt", "ward", "urban")):
        repo.insert(store, "units", {"id": f"{code}@2020-01-01", "code": code, "name": name, "kind": kind,
                                     "area": area, "valid_from": "2020-01-01", "unit_code": "020"})


def member(name: str, relation: str, birth: str, cccd: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"full_name": name, "relation": relation, "birth_date": birth, "cccd": cccd, **extra}


# --- the messy workbook ---------------------------------------------------------------------------
HEADER_TOP = ["STT", "Ma ho", "HO VA TEN", "Quan he voi chu ho", "Ngay sinh", "Gioi tinh",
              "So CCCD/CMND", "Thông tin nơi ở", None, "Phan loai", "Ghi chú"]
HEADER_SUB = [None, None, None, None, None, None, None, "Thon", "Dia chi", None, None]

# (stt, code, name, relation, birth, sex, cccd, village, address, category); None = empty cell.
GOOD_ROWS: list[tuple] = [
    (1, "HN001", "Nguyễn Thị Lan", "Chủ hộ", "05/03/1975", "Nữ", 1075012345, "Thôn 1", "Số 3 ngõ 5",
     "Hộ cận nghèo"),
    (None, None, "Trần Văn Hùng", "chong", datetime(1972, 8, 1), "Nam", "001072000111", None, None, None),
    (None, None, "Trần Thị Mai", "Con", 2010, "Nu", None, None, None, None),
    (2, "HN002", "Lê Văn Đức", "CHU HO", "12/11/1960", "nam", "001060000222", "Thôn 2", None, "can ngheo"),
    (None, None, "Phạm Thị Hoa", "Vợ", "1963", "nữ", "001163000333", None, None, None),
    (3, "HN003", "Nguyễn Thị Bình", "Chủ hộ", datetime(1950, 1, 20), "Nữ", "001150000444", "Thôn 1", None,
     "Hộ nghèo"),
    (None, None, "Đỗ Văn An", "Cháu", "03/09/2012", "Nam", None, None, None, None),
    (4, "HN004", "Hoàng Văn Tú", "Chủ hộ", "30/04/1980", "Nam", "001080000555", "Thôn 3", None, "Cận nghèo"),
    (None, None, "Vũ Thị Thu", "Vợ", "15/06/1982", "Nữ", "001182000666", None, None, None),
    (None, None, "Hoàng Minh Khôi", "Con", "01/02/2008", "Nam", None, None, None, None),
    (None, None, "Hoàng Thu Trang", "Con", "21/12/2015", "Nữ", None, None, None, None),
]
# data row index (0-based in GOOD_ROWS) → (column index, bad value, field)
BAD_CELLS = {2: (4, "01/01/2090", "birth_date"), 4: (6, "12345", "cccd"), 8: (3, "Hàng xóm", "relation")}
FIRST_DATA_ROW = 7  # rows 1-2 titles, 3 empty, 4-5 header, 6 column numbers


def write_messy(path: Path, *, bad: bool = True, extra_rows: list[tuple] | None = None) -> Path:
    """Write the messy fixture; with ``bad`` the three cells of BAD_CELLS are broken."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sach"
    ws["A1"] = "UBND XÃ TÂN TRIỀU"
    ws.merge_cells("A1:K1")
    ws["A2"] = "DANH SÁCH HỘ CẬN NGHÈO NĂM 2023"
    ws.merge_cells("A2:K2")
    ws.append([])
    ws.append(HEADER_TOP)
    ws.append(HEADER_SUB)
    for col in "ABCDEFGJK":
        ws.merge_cells(f"{col}4:{col}5")
    ws.merge_cells("H4:I4")
    ws.append([f"({n})" for n in range(1, 12)])
    rows = [list(r) for r in GOOD_ROWS + (extra_rows or [])]
    if bad:
        for index, (column, value, _field) in BAD_CELLS.items():
            rows[index][column] = value
    for r in rows:
        ws.append(r + [None])
        cell = ws.cell(ws.max_row, 5)
        if isinstance(cell.value, datetime):
            cell.number_format = "dd/mm/yyyy"
    ws.append([None, None, "Tổng cộng", None, None, None, None, None, None, "4 hộ"])
    ws.merge_cells(start_row=FIRST_DATA_ROW, end_row=FIRST_DATA_ROW + 2, start_column=2, end_column=2)
    wb.save(path)
    return path


def bad_rows() -> list[int]:
    return sorted(FIRST_DATA_ROW + i for i in BAD_CELLS)


def seed_households(store: Any) -> dict[str, str]:
    """A handful of households across both units; returns name → household id."""
    specs = [
        ({"unit_code": UNIT_A, "household_code": "A01", "village": "Thôn 1", "category": "near_poor",
          "able_to_exit": 1, "is_merit": 0},
         [member("Nguyễn Thị Hằng", "head", "1970-01-01", "001170000001"),
          member("Lê Văn Nam", "spouse", "1968-05-05")]),
        ({"unit_code": UNIT_A, "household_code": "A02", "village": "Thôn 2", "category": "near_poor",
          "able_to_exit": 0, "is_merit": 1},
         [member("Nguyễn Thị Vân", "head", "1955-03-03", "001155000002")]),
        ({"unit_code": UNIT_A, "household_code": "A03", "village": "Thôn 1", "category": "poor",
          "able_to_exit": 1, "is_merit": 0},
         [member("Trần Văn Bình", "head", "1980-02-02", "001080000003"),
          member("Nguyễn Thị Thơm", "spouse", "1982-02-02"), member("Trần Thị Ánh", "child", "2010-02-02")]),
        ({"unit_code": UNIT_B, "household_code": "B01", "village": "Tổ 5", "category": "near_poor",
          "able_to_exit": 1, "is_merit": 0},
         [member("Nguyễn Thị Tuyết", "head", "1975-07-07", "001175000004")]),
        ({"unit_code": UNIT_B, "household_code": "B02", "village": "Tổ 6", "category": None,
          "able_to_exit": None, "is_merit": 0},
         [member("Đặng Văn Đông", "head", "1990-09-09", "001090000005")]),
    ]
    ids = households.add_households(store, specs)
    return {spec[1][0]["full_name"]: hid for spec, hid in zip(specs, ids, strict=True)}
