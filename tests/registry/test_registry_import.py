"""Excel import: messy workbook → dry run lists exactly the bad rows, nothing written; fixed →
applied in one go; error workbook; duplicates; unreadable files."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from cannngheo_desktop.core.errors import FileFormatError, ValidationError
from cannngheo_desktop.registry import excel_import
from cannngheo_desktop.registry.excel_reader import read_workbook
from cannngheo_desktop.storage import households
from tests.registry.registry_fixtures import FIRST_DATA_ROW, GOOD_ROWS, UNIT_A, bad_rows, member

TODAY = date(2026, 6, 1)


def snapshot(store) -> dict[str, list]:
    """Everything an import could touch, to prove that nothing was written."""
    return {t: [tuple(r) for r in store.query(f"SELECT * FROM {t} ORDER BY 1")]
            for t in ("households", "members", "audit_log", "changes", "household_fts")}


def test_reader_understands_the_messy_layout(messy) -> None:
    plan = read_workbook(messy(bad=False))
    assert plan.header_row == 5
    assert plan.columns["Thon"] == "village" and plan.columns["So CCCD/CMND"] == "cccd"
    assert [len(c.members) for c in plan.households] == [3, 2, 2, 4]
    first = plan.households[0]
    assert first.household == {"household_code": "HN001", "village": "Thôn 1", "address": "Số 3 ngõ 5",
                               "category": "near_poor"}
    lan, hung, mai = first.members
    assert (lan["birth_date"], lan["cccd"], lan["sex"], lan["relation"]) == (
        "1975-03-05", "001075012345", "female", "head")
    assert hung["birth_date"] == "1972-08-01" and hung["relation"] == "spouse"
    assert mai["birth_date"] == "2010-01-01"  # year only
    assert first.member_rows == [FIRST_DATA_ROW, FIRST_DATA_ROW + 1, FIRST_DATA_ROW + 2]
    assert plan.households[2].household["category"] == "poor"
    warnings = {(i.row, i.field) for i in plan.issues if i.level == "warning"}
    assert (FIRST_DATA_ROW, "cccd") in warnings  # padded CCCD is announced


def test_dry_run_lists_exactly_the_bad_rows_and_writes_nothing(store, messy) -> None:
    households.add_household(store, {"unit_code": UNIT_A, "household_code": "X1"},
                             [member("Ai Đó", "head", "1970-01-01")])
    before = snapshot(store)
    report = excel_import.dry_run(store, messy(), UNIT_A, today=TODAY)
    assert report.error_rows() == bad_rows()
    fields = {i.row: i.field for i in report.errors}
    assert fields == {FIRST_DATA_ROW + 2: "birth_date", FIRST_DATA_ROW + 4: "cccd",
                      FIRST_DATA_ROW + 8: "relation"}
    with pytest.raises(ValidationError):
        excel_import.apply_import(store, report, UNIT_A)
    assert snapshot(store) == before
    assert not (store.path.parent / "backups").exists()  # refused before any backup or write


def test_fixed_file_applies_everything_after_a_backup(store, messy) -> None:
    summary = excel_import.apply_import(store, messy(bad=False), UNIT_A, today=TODAY)
    assert (summary.households, summary.members) == (4, 11)
    assert summary.backup_path is not None and summary.backup_path.exists()
    names = {r[0] for r in store.query("SELECT full_name FROM members")}
    assert names == {r[2] for r in GOOD_ROWS}
    rows = store.query("SELECT household_code, head_name, member_count, unit_code, village, category "
                       "FROM households ORDER BY household_code")
    assert [tuple(r) for r in rows] == [
        ("HN001", "Nguyễn Thị Lan", 3, UNIT_A, "Thôn 1", "near_poor"),
        ("HN002", "Lê Văn Đức", 2, UNIT_A, "Thôn 2", "near_poor"),
        ("HN003", "Nguyễn Thị Bình", 2, UNIT_A, "Thôn 1", "poor"),
        ("HN004", "Hoàng Văn Tú", 4, UNIT_A, "Thôn 3", "near_poor")]
    assert store.scalar("SELECT cccd FROM members WHERE full_name = 'Nguyễn Thị Lan'") == "001075012345"
    assert households.search_ids(store, "hoang van tu")


def test_error_workbook_marks_the_rows_and_imports_once_fixed(store, messy, tmp_path: Path) -> None:
    report = excel_import.dry_run(store, messy(), UNIT_A, today=TODAY)
    out = excel_import.write_error_workbook(report, tmp_path / "loi.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    header = [c.value for c in ws[5]]
    err_col = header.index("Lỗi") + 1
    flagged = [r for r in range(FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, err_col).value]
    assert flagged == bad_rows()
    assert "2090" in ws.cell(FIRST_DATA_ROW + 2, err_col).value
    assert ws.cell(FIRST_DATA_ROW, err_col + 1).value  # the padded-CCCD warning
    # the user fixes the three cells in the error workbook itself and imports it again
    ws.cell(FIRST_DATA_ROW + 2, 5).value = "01/01/2010"
    ws.cell(FIRST_DATA_ROW + 4, 7).value = "001163000333"
    ws.cell(FIRST_DATA_ROW + 8, 4).value = "Vợ"
    wb.save(out)
    again = excel_import.dry_run(store, out, UNIT_A, today=TODAY)
    assert again.errors == []
    assert excel_import.apply_import(store, again, UNIT_A).members == 11


def test_error_workbook_never_overwrites_the_original(store, messy) -> None:
    path = messy()
    report = excel_import.dry_run(store, path, UNIT_A, today=TODAY)
    with pytest.raises(ValidationError):
        excel_import.write_error_workbook(report, path)


def test_a_cccd_of_another_household_is_refused_within_the_file_and_against_the_database(store, messy) -> None:
    """Issue 17: one CCCD is one person; without a reason in 'Lý do trùng CCCD' the row is an error."""
    households.add_household(store, {"unit_code": UNIT_A, "household_code": "OLD", "village": "Thôn 9"},
                             [member("Người Cũ", "head", "1960-01-01", "001080000555")])
    extra = [(5, "HN005", "Phan Văn Lợi", "Chủ hộ", "01/01/1985", "Nam", "001072000111", "Thôn 4", None,
              "Cận nghèo")]
    report = excel_import.dry_run(store, messy(bad=False, extra_rows=extra), UNIT_A, today=TODAY)
    cccd_errors = {i.row: i.message for i in report.errors if i.field == "cccd"}
    in_file_row = FIRST_DATA_ROW + len(GOOD_ROWS)
    assert set(cccd_errors) == {in_file_row, FIRST_DATA_ROW + 7}
    assert f"dòng {FIRST_DATA_ROW + 1}" in cccd_errors[in_file_row]
    assert "OLD" in cccd_errors[FIRST_DATA_ROW + 7]  # Hoàng Văn Tú's CCCD is already registered
    assert "Lý do trùng CCCD" in cccd_errors[in_file_row]


def test_same_name_birth_and_village_warns(store, messy) -> None:
    households.add_household(store, {"unit_code": UNIT_A, "household_code": "OLD", "village": "thôn 2"},
                             [member("LÊ VĂN ĐỨC", "head", "1960-11-12")])
    report = excel_import.dry_run(store, messy(bad=False), UNIT_A, today=TODAY)
    rows = {i.row for i in report.warnings if i.field == "full_name"}
    assert rows == {FIRST_DATA_ROW + 3}


def test_unknown_unit_is_refused(store, messy) -> None:
    with pytest.raises(ValidationError):
        excel_import.dry_run(store, messy(bad=False), "99999", today=TODAY)


def test_template_style_list_without_codes_groups_by_head(store, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Họ và tên", "Quan hệ với chủ hộ", "Năm sinh", "Tổ dân phố"])
    ws.append(["Nguyễn Văn A", "Chủ hộ", 1970, "Tổ 1"])
    ws.append(["Nguyễn Văn B", "Con", 2000, None])
    ws.append(["Trần Thị C", "Chủ hộ", 1980, "Tổ 2"])
    ws.append(["Lê Văn D", "Con", 2005, None])
    path = tmp_path / "list.xlsx"
    wb.save(path)
    report = excel_import.dry_run(store, path, UNIT_A, today=TODAY)
    assert report.errors == []
    assert [[m["full_name"] for m in c.members] for c in report.households] == [
        ["Nguyễn Văn A", "Nguyễn Văn B"], ["Trần Thị C", "Lê Văn D"]]
    assert report.households[1].household["village"] == "Tổ 2"


def test_member_row_without_a_head_above_is_an_error(store, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Họ và tên", "Quan hệ với chủ hộ", "Ngày sinh"])
    ws.append(["Nguyễn Văn B", "Con", "01/01/2000"])
    ws.append(["Trần Thị C", "Chủ hộ", "01/01/1980"])
    path = tmp_path / "orphan.xlsx"
    wb.save(path)
    report = excel_import.dry_run(store, path, UNIT_A, today=TODAY)
    assert report.error_rows() == [2]


def test_nine_digit_number_is_not_padded(store, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Họ và tên", "Quan hệ với chủ hộ", "Số CCCD"])
    ws.append(["Nguyễn Văn A", "Chủ hộ", 123456789])
    path = tmp_path / "cmnd.xlsx"
    wb.save(path)
    report = excel_import.dry_run(store, path, UNIT_A, today=TODAY)
    assert [(i.row, i.field) for i in report.errors] == [(2, "cccd")]
    assert "CMND" in report.errors[0].message


def _warnings_in_error_workbook(path: Path) -> dict[int, str]:
    """Row → text of the 'Cảnh báo' column, read back from the saved error workbook."""
    ws = openpyxl.load_workbook(path).active
    column = next(c.column for c in ws[1] if c.value == "Cảnh báo")
    return {r: ws.cell(r, column).value for r in range(2, ws.max_row + 1) if ws.cell(r, column).value}


def test_restored_cccd_and_member_after_a_blank_row_are_warned_row_by_row(store, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["STT", "Họ và tên", "Quan hệ với chủ hộ", "Ngày sinh", "Số CCCD", "Thôn"])
    ws.append([1, "Nguyễn Văn An", "Chủ hộ", "01/01/1970", 79070000111, "Thôn 1"])  # row 2: 079… lost its 0
    ws.append([None, "Trần Thị Bích", "Vợ", "01/01/1972", "001172000222", None])
    ws.append([])  # row 4: blank
    ws.append([None, "Nguyễn Văn Cường", "Con", "01/01/2000", None, None])  # row 5: no head, no code
    ws.append([2, "Lê Văn Dũng", "Chủ hộ", "01/01/1960", "001060000333", "Thôn 2"])
    ws.append([])
    ws.append([3, "Phạm Thị Hà", "Chủ hộ", "01/01/1965", None, "Thôn 3"])  # a head after a blank row: fine
    path = tmp_path / "tay.xlsx"
    wb.save(path)

    report = excel_import.dry_run(store, path, UNIT_A, today=TODAY)
    assert report.errors == []
    assert [(i.row, i.field) for i in report.warnings] == [(2, "cccd"), (5, "relation")]
    out = excel_import.write_error_workbook(report, tmp_path / "tay-loi.xlsx")
    warned = _warnings_in_error_workbook(out)
    assert set(warned) == {2, 5}
    assert "79070000111" in warned[2] and "đã đọc thành 079070000111" in warned[2]
    assert "sau một dòng trống" in warned[5] and "đã ghép vào hộ của Nguyễn Văn An (bắt đầu ở dòng 2)" in warned[5]

    summary = excel_import.apply_import(store, report)  # warnings do not stop the import
    assert (summary.households, summary.members) == (3, 5)
    assert store.scalar("SELECT member_count FROM households WHERE head_name = 'Nguyễn Văn An'") == 3
    assert store.scalar("SELECT cccd FROM members WHERE full_name = 'Nguyễn Văn An'") == "079070000111"


def test_not_an_xlsx_names_the_file(store, tmp_path: Path) -> None:
    path = tmp_path / "danh-sach.xlsx"
    path.write_text("Họ và tên;Ngày sinh\nA;01/01/2000\n", encoding="utf-8")
    with pytest.raises(FileFormatError) as info:
        excel_import.dry_run(store, path, UNIT_A)
    assert "danh-sach.xlsx" in info.value.message


def test_password_protected_file_is_explained(tmp_path: Path) -> None:
    # an encrypted xlsx is an OLE2 compound file, not a zip
    path = tmp_path / "co-mat-khau.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048)
    with pytest.raises(FileFormatError) as info:
        read_workbook(path)
    assert "co-mat-khau.xlsx" in info.value.message and "mật khẩu" in info.value.message


def test_corrupt_zip_is_refused(messy, tmp_path: Path) -> None:
    good = messy(bad=False)
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(FileFormatError) as info:
        read_workbook(broken)
    assert "hong.xlsx" in info.value.message
    odd = tmp_path / "khong-phai-excel.xlsx"
    with zipfile.ZipFile(odd, "w") as zf:
        zf.writestr("hello.txt", "xin chào")
    with pytest.raises(FileFormatError):
        read_workbook(odd)


def test_workbook_without_a_header_row(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["Báo cáo", "quý", "3"])
    wb.active.append([1, 2, 3])
    path = tmp_path / "bao-cao.xlsx"
    wb.save(path)
    with pytest.raises(FileFormatError) as info:
        read_workbook(path)
    assert "bao-cao.xlsx" in info.value.message and "tiêu đề" in info.value.message


def test_cancel_rolls_everything_back(store, messy) -> None:
    from cannngheo_desktop.core.errors import Cancelled

    class StopNow:
        def report(self, done: int, total: int) -> None:
            pass

        def cancelled(self) -> bool:
            return True

    with pytest.raises(Cancelled):
        excel_import.apply_import(store, messy(bad=False), UNIT_A, progress=StopNow(), today=TODAY)
    assert store.scalar("SELECT count(*) FROM households") == 0


def test_write_error_workbook_keeps_sheet_order(store, messy) -> None:
    path = messy()
    report = excel_import.dry_run(store, path, UNIT_A, today=TODAY)
    assert report.plan.sheet == "Danh sach"
    assert "3 dòng có lỗi" in report.summary_text()
