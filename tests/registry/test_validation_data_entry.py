"""Issue 17.5 and 19.2 on a real database: a birth year alone, the assessment-date rule, the CCCD
structure warning, a CCCD held by another household (refused unless a reason is recorded, and
the reason audited), and generated household codes."""

from __future__ import annotations

from datetime import date

import pytest

from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.registry import household_codes
from cannngheo_desktop.registry.editing import save_household, unresolved_cccd_conflicts
from cannngheo_desktop.registry.validation import (
    assessment_problems,
    describe_problems,
    has_errors,
    validate_household,
)
from cannngheo_desktop.storage import households
from tests.registry.registry_fixtures import UNIT_A, UNIT_B, member

TODAY = date(2026, 11, 1)


def _save(store, members, **kw):
    return save_household(store, {"unit_code": UNIT_A, "village": kw.pop("village", "Thôn 3")}, members,
                          today=TODAY, **kw)


def test_a_birth_year_alone_is_stored_as_a_year(store):
    hid = _save(store, [member("Nguyễn Văn Cả", "head", "1950"), member("Lê Thị Hai", "spouse", "02/03/1952")])
    rows = {m["full_name"]: m for m in households.get_members(store, hid)}
    assert (rows["Nguyễn Văn Cả"]["birth_date"], rows["Nguyễn Văn Cả"]["birth_year_only"]) == ("1950-01-01", 1)
    assert (rows["Lê Thị Hai"]["birth_date"], rows["Lê Thị Hai"]["birth_year_only"]) == ("1952-03-02", 0)
    # Saved again unchanged, the year stays a year; typed as a full date it becomes one.
    ms = households.get_members(store, hid)
    save_household(store, {"unit_code": UNIT_A}, ms, household_id=hid, today=TODAY)
    assert households.get_members(store, hid)[0]["birth_year_only"] == 1
    save_household(store, {"unit_code": UNIT_A}, [{**ms[0], "birth_date": "1950-01-01", "birth_year_only": 0}, ms[1]],
                   household_id=hid, today=TODAY)
    assert households.get_members(store, hid)[0]["birth_year_only"] == 0


def test_nothing_about_a_member_may_fall_after_the_assessment_date():
    members = [member("Trần Văn Bố", "head", "1980-05-01", cccd_date="2026-09-01"),
               member("Trần Bé Con", "child", "2026-08-15"), member("Trần Văn Ông", "parent", "1940")]
    assert not has_errors(validate_household({}, members, today=TODAY))
    problems = assessment_problems({}, members, date(2026, 7, 1))
    assert [(p.member_index, p.field) for p in problems] == [(0, "cccd_date"), (1, "birth_date")]
    assert "sau ngày đánh giá 01/07/2026" in problems[1].message
    text = describe_problems(problems)
    assert text.splitlines()[0].startswith("- Ngày cấp CCCD: Thành viên 1 (Trần Văn Bố)")
    # A year alone is after the date only when the whole year is.
    assert assessment_problems({}, [member("Bé", "child", "2026")], date(2026, 1, 1)) == []
    assert len(assessment_problems({}, [member("Bé", "child", "2027")], date(2026, 12, 31))) == 1


def test_a_cccd_that_disagrees_with_its_holder_is_a_warning_not_an_error():
    issues = validate_household({}, [member("Lê Văn Tư", "head", "1987", "001187000123", sex="male")], today=TODAY)
    assert not has_errors(issues)
    (warning,) = [i for i in issues if i.field == "cccd"]
    assert warning.level == "warning" and "001187000123" in warning.message and "(nữ)" in warning.message


def test_a_cccd_of_another_household_needs_a_reason_which_is_audited(store):
    first = _save(store, [member("Nguyễn Văn Một", "head", "1970-01-02", "001070000001", sex="male")])
    before = store.scalar("SELECT count(*) FROM audit_log")
    again = [member("Nguyễn Văn Một", "head", "1970-01-02", "001070000001", sex="male")]
    with pytest.raises(ValidationError, match="001070000001.*lý do") as err:
        _save(store, again)
    assert err.value.field == "cccd"
    assert store.scalar("SELECT count(*) FROM households") == 1
    assert store.scalar("SELECT count(*) FROM audit_log") == before
    second = _save(store, again, duplicate_reason="  Đang chờ   xóa đăng ký ở hộ cũ ")
    (event,) = store.query("SELECT * FROM household_events WHERE household_id = ?", (second,))
    assert event["kind"] == "cccd_duplicate_kept" and event["related_household_id"] == first
    assert event["note"].startswith("CCCD 001070000001 trùng với") and event["note"].endswith(
        "Lý do: Đang chờ xóa đăng ký ở hộ cũ")
    assert store.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'household_events' AND row_id = ?",
                        (event["id"],)) >= 1
    # Saved again, the kept number is not asked about a second time.
    ms = households.get_members(store, second)
    assert unresolved_cccd_conflicts(store, ms, household_id=second) == []
    save_household(store, {"unit_code": UNIT_A}, ms, household_id=second, today=TODAY)


def test_generated_household_codes_follow_the_scheme(store):
    a = _save(store, [member("Một", "head", "1970")], village="Thôn 3")
    b = _save(store, [member("Hai", "head", "1971")], village="thôn 3")
    c = _save(store, [member("Ba", "head", "1972")], village="Đồng Tâm")
    d = save_household(store, {"unit_code": UNIT_B, "village": ""}, [member("Bốn", "head", "1973")], today=TODAY)
    e = save_household(store, {"unit_code": UNIT_A, "village": "Thôn 3", "household_code": "HN-7"},
                       [member("Năm", "head", "1974")], today=TODAY)
    codes = [households.get_household(store, h)["household_code"] for h in (a, b, c, d, e)]
    assert codes == [f"{UNIT_A}-03-0001", f"{UNIT_A}-03-0002", f"{UNIT_A}-DT-0001", f"{UNIT_B}-00-0001", "HN-7"]


def test_the_sequence_continues_after_the_highest_code():
    assert household_codes.next_code("00643-03-", ["00643-03-0009", "00643-03-0002", "00643-03-x", None]) \
        == "00643-03-0010"
    assert household_codes.village_part("Tổ dân phố 12") == "12"
    assert household_codes.village_part("Xóm Bãi Giữa Sông Lớn") == "XBGS"


def _workbook(path, rows):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["STT", "Họ và tên", "Quan hệ với chủ hộ", "Năm sinh", "Giới tính", "Số CCCD", "Thôn",
               "Lý do trùng CCCD"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_the_excel_import_keeps_years_generates_codes_and_records_reasons(store, tmp_path):
    from cannngheo_desktop.registry import excel_import

    old = _save(store, [member("Người Cũ", "head", "1960-01-01", "001060000333", sex="male")], village="Thôn 2")
    path = _workbook(tmp_path / "ds.xlsx", [
        [1, "Nguyễn Văn An", "Chủ hộ", 1948, "Nam", None, "Thôn 2", None],
        [2, "Lê Văn Dũng", "Chủ hộ", "12/05/1960", "Nam", "001060000333", "Thôn 2", None],
    ])
    report = excel_import.dry_run(store, path, UNIT_A, today=TODAY)
    assert [(e.row, e.field) for e in report.errors] == [(3, "cccd")]
    assert "Lý do trùng CCCD" in report.errors[0].message
    before = store.scalar("SELECT count(*) FROM households")
    with pytest.raises(excel_import.ImportHasErrors):
        excel_import.apply_import(store, report, backup=False)
    assert store.scalar("SELECT count(*) FROM households") == before

    path = _workbook(tmp_path / "ds2.xlsx", [
        [1, "Nguyễn Văn An", "Chủ hộ", 1948, "Nam", None, "Thôn 2", None],
        [2, "Lê Văn Dũng", "Chủ hộ", "12/05/1960", "Nam", "001060000333", "Thôn 2", "Đã chuyển hộ, chờ cắt khẩu"],
    ])
    report = excel_import.dry_run(store, path, UNIT_A, today=TODAY)
    assert report.errors == []
    assert any(w.row == 3 and "Giữ vì: Đã chuyển hộ, chờ cắt khẩu" in w.message for w in report.warnings)
    summary = excel_import.apply_import(store, report, backup=False, today=TODAY)
    an, dung = (households.get_household(store, h) for h in summary.household_ids)
    assert (an["household_code"], dung["household_code"]) == (f"{UNIT_A}-02-0002", f"{UNIT_A}-02-0003")
    (a_member,) = households.get_members(store, an["id"])
    assert (a_member["birth_date"], a_member["birth_year_only"]) == ("1948-01-01", 1)
    (event,) = store.query("SELECT * FROM household_events WHERE household_id = ?", (dung["id"],))
    assert event["kind"] == "cccd_duplicate_kept" and event["related_household_id"] == old
    assert event["note"].endswith("Lý do: Đã chuyển hộ, chờ cắt khẩu")


def test_a_year_alone_is_exported_as_a_year_and_read_back_as_one(store, tmp_path):
    import openpyxl

    from cannngheo_desktop.registry import excel_export, excel_import

    hid = _save(store, [member("Nguyễn Văn Cả", "head", "1948", sex="male"),
                        member("Lê Thị Hai", "spouse", "02/03/1952", sex="female")])
    rows = excel_export.member_rows(1, households.get_household(store, hid), households.get_members(store, hid))
    birth = excel_export.HEADERS.index("Ngày sinh")
    assert [r[birth] for r in rows] == ["1948", "02/03/1952"]
    wb = openpyxl.Workbook()
    wb.active.append(excel_export.HEADERS)
    for r in rows:
        wb.active.append(r)
    wb.save(tmp_path / "back.xlsx")
    plan = excel_import.read_workbook(tmp_path / "back.xlsx")
    (back,) = plan.households
    assert [(m["birth_date"], m["birth_year_only"]) for m in back.members] == [("1948-01-01", 1),
                                                                               ("1952-03-02", 0)]
