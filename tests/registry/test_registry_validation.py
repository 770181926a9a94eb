"""validate_household: one head, CCCD, birth dates, ranges, names and codes — with field names."""

from __future__ import annotations

from datetime import date

import pytest

from cannngheo_desktop.registry import columns as col
from cannngheo_desktop.registry.validation import has_errors, validate_household

TODAY = date(2026, 6, 1)


def m(name: str = "Nguyễn Văn A", relation: str | None = "head", **extra) -> dict:
    return {"full_name": name, "relation": relation, **extra}


def fields(issues) -> list[tuple]:
    return [(i.level, i.field, i.member_index) for i in issues]


def test_a_good_household_has_no_issues() -> None:
    members = [m(cccd="001080012345", birth_date="1980-01-01", sex="male", education_level="primary",
                 employment="self_employed"),
               m("Trần Thị B", "spouse", birth_date="29/02/1984", sex="female"),
               m("Nguyễn Văn C", "child", status="died")]
    assert validate_household({"floor_area_m2": 40, "income_month": 3_000_000}, members, today=TODAY) == []


@pytest.mark.parametrize("members, expected", [
    ([m(relation="spouse")], [("error", "relation", None)]),
    ([m(), m("B")], [("error", "relation", 1)]),
    ([], [("error", "members", None)]),
    ([m(status="died"), m("B", "child")], [("error", "relation", None)]),  # the head died: no head present
])
def test_exactly_one_head_among_present_members(members, expected) -> None:
    assert fields(validate_household({}, members, today=TODAY)) == expected


@pytest.mark.parametrize("cccd, ok", [("001080012345", True), ("00108001234", False), ("0010800123456", False),
                                      ("00108001234A", False), ("", True), (None, True)])
def test_cccd_is_twelve_digits(cccd, ok) -> None:
    issues = validate_household({}, [m(cccd=cccd)], today=TODAY)
    assert (issues == []) is ok
    if not ok:
        assert fields(issues) == [("error", "cccd", 0)]


def test_same_cccd_twice_in_one_household() -> None:
    issues = validate_household({}, [m(cccd="001080012345"), m("B", "child", cccd="001080012345")], today=TODAY)
    assert fields(issues) == [("error", "cccd", 1)]


@pytest.mark.parametrize("birth, ok", [("2026-06-01", True), ("2026-06-02", False), ("1900-01-01", True),
                                       ("1899-12-31", False), ("31/02/1990", False), ("01/06/2026", True)])
def test_birth_date_bounds(birth, ok) -> None:
    issues = validate_household({}, [m(birth_date=birth)], today=TODAY)
    assert (not has_errors(issues)) is ok
    if not ok:
        assert issues[0].field == "birth_date" and "Nguyễn Văn A" in issues[0].message


@pytest.mark.parametrize("household, field", [
    ({"floor_area_m2": -1}, "floor_area_m2"), ({"floor_area_m2": 10_000.5}, "floor_area_m2"),
    ({"income_month": -5}, "income_month"), ({"income_month": 10_000_000_000}, "income_month"),
    ({"income_month": "nhiều"}, "income_month"), ({"category": "giau"}, "category")])
def test_numbers_and_category_in_range(household, field) -> None:
    assert fields(validate_household(household, [m()], today=TODAY)) == [("error", field, None)]


def test_limits_are_inclusive_where_the_rule_says() -> None:
    ok = {"floor_area_m2": 10_000, "income_month": 9_999_999_999}
    assert validate_household(ok, [m()], today=TODAY) == []
    assert validate_household({"floor_area_m2": 0, "income_month": 0}, [m()], today=TODAY) == []


def test_empty_name_and_unknown_codes() -> None:
    issues = validate_household({}, [m("  "), m("B", "cousin", sex="x", education_level="phd",
                                                 employment="pirate")], today=TODAY)
    assert fields(issues) == [("error", "full_name", 0), ("error", "relation", 1), ("error", "sex", 1),
                              ("error", "education_level", 1), ("error", "employment", 1)]
    assert all(i.message for i in issues)


# --- cell readers used by the importer ----------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    (1075012345, ("001075012345", True)), (10750123456, ("010750123456", True)),
    (1.075012345e9, ("001075012345", True)), ("001075012345", ("001075012345", False)),
    ("001 075 012 345", ("001075012345", False)), (101075012345, ("101075012345", False))])
def test_cccd_cells(value, expected) -> None:
    digits, warning = col.cccd_from(value)
    assert (digits, warning is not None) == expected


@pytest.mark.parametrize("value, expected", [
    ("05/03/1975", ("1975-03-05", False)), ("5-3-1975", ("1975-03-05", False)), (1975, ("1975-01-01", True)),
    ("1975", ("1975-01-01", True)), (27453, ("1975-02-28", False)), (None, (None, False))])
def test_date_cells(value, expected) -> None:
    assert col.date_from(value) == expected


@pytest.mark.parametrize("header, field", [
    ("HỌ VÀ TÊN", "full_name"), ("Ho ten", "full_name"), ("Chủ hộ", "head_name"), ("Ngày sinh (dd/mm/yyyy)",
     "birth_date"), ("Năm sinh", "birth_date"), ("Số CCCD", "cccd"), ("CCCD/CMND", "cccd"),
    ("Quan hệ với chủ hộ", "relation"), ("Giới tính", "sex"), ("Dân tộc", "ethnicity"), ("Thôn", "village"),
    ("Tổ dân phố", "village"), ("Địa chỉ", "address"), ("Mã hộ", "household_code"), ("Phân loại", "category"),
    ("Diện tích nhà ở (m2)", "floor_area_m2"), ("Không có", None)])
def test_header_synonyms(header, field) -> None:
    assert col.match_header(header) == field


@pytest.mark.parametrize("value, code", [("Hộ cận nghèo", "near_poor"), ("CAN NGHEO", "near_poor"),
                                          ("hộ nghèo", "poor"), ("Chưa đủ thông tin", "undetermined")])
def test_category_cells(value, code) -> None:
    assert col.category_from(value) == code


def test_grade_notation() -> None:
    assert [col.education_from(v) for v in ("9/12", "12/12", "3/12", "7/10")] == [
        "lower_secondary", "upper_secondary", "none", "lower_secondary"]
