"""Birth year alone, CCCD structure (Circular 59/2021/TT-BCA, Article 4) and dates after a
reference date: the pure checks shared by the registry, the import, evaluate and the review."""

from __future__ import annotations

from datetime import date

import pytest

from cannngheo_desktop.core.household_checks import (
    after,
    cccd_structure_problems,
    century_sex_digit,
    format_birth,
    parse_birth,
)


@pytest.mark.parametrize(("typed", "expected"), [
    ("1950", (date(1950, 1, 1), True)),
    (1950, (date(1950, 1, 1), True)),
    (1950.0, (date(1950, 1, 1), True)),
    (" 1987 ", (date(1987, 1, 1), True)),
    ("15/03/1987", (date(1987, 3, 15), False)),
    ("1987-03-15", (date(1987, 3, 15), False)),
    (date(2001, 2, 3), (date(2001, 2, 3), False)),
])
def test_a_birth_is_a_date_or_a_year_alone(typed, expected):
    assert parse_birth(typed) == expected


@pytest.mark.parametrize("typed", ["195", "19500", "31/02/1990", "năm 1950", True, ""])
def test_what_is_neither_is_refused_in_vietnamese(typed):
    with pytest.raises(ValueError, match="không"):
        parse_birth(typed)


def test_a_year_alone_prints_as_a_year_and_a_date_as_dd_mm_yyyy():
    assert format_birth("1950-01-01", 1) == "1950"
    assert format_birth("1950-01-01", 0) == "01/01/1950"
    assert format_birth("1987-03-15", False) == "15/03/1987"
    assert format_birth(None, 1) == ""


@pytest.mark.parametrize(("year", "sex", "digit"), [
    (1950, "male", "0"), (1999, "female", "1"), (2000, "male", "2"), (2012, "female", "3"),
    (2100, "male", "4"), (2101, "female", "5"), (1899, "male", None), (1950, None, None),
])
def test_the_century_and_sex_digit(year, sex, digit):
    assert century_sex_digit(year, sex) == digit


def test_a_number_matching_its_holder_has_no_problem():
    # Hà Nội (001), 20th century male (0), born 1987 (87), six random digits.
    assert cccd_structure_problems("001087123456", 1987, "male") == []
    # TP.HCM (079), 21st century female (3), born 2005.
    assert cccd_structure_problems("079305000001", 2005, "female") == []
    # Unknown sex and birth year: only the province is checked.
    assert cccd_structure_problems("079305000001", None, None) == []


def test_each_disagreement_is_named():
    problems = cccd_structure_problems("003187123456", 1990, "male")
    text = " | ".join(problems)
    assert "'003'" in text and "mã tỉnh" in text  # 003 is no province code
    assert "(nữ)" in text and "giới tính ghi là nam" in text
    assert "'87'" in text and "1990" in text
    assert len(problems) == 3


def test_a_wrong_century_says_which_digit_is_right():
    assert cccd_structure_problems("001087123456", 2087, "male") == [
        "số thứ 4 là '0' (sinh thế kỷ 20) nhưng năm sinh là 2087; số đúng phải là '2'"]
    problems = cccd_structure_problems("001287123456", 1987, "male")
    assert any("thế kỷ 21" in p and "số đúng phải là '0'" in p for p in problems)


def test_dates_after_the_reference():
    on = date(2026, 6, 1)
    assert after("2026-06-02", on) == date(2026, 6, 2)
    assert after("01/06/2026", on) is None
    assert after("2026", on) is None  # a year alone is after only when the whole year is
    assert after("2027", on) == date(2027, 1, 1)
    assert after("not a date", on) is None and after(None, on) is None
