"""The "who changes category under the new standard" report on the demo database: every listed
household checked against a fresh evaluation of that household under both rulesets."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cannngheo_desktop.cli import main as cli_main
from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.core.model import CATEGORY_LABELS
from cannngheo_desktop.documents.catalogue import build_report
from cannngheo_desktop.documents.context import ReportParams
from cannngheo_desktop.storage.assessments import evaluate_household

ON = date(2026, 11, 20)


def _listed(path: Path) -> tuple[list[list], list[str]]:
    """(rows of the table, the texts after it) of the report's sheet."""
    ws = load_workbook(path).active
    head = next(r[0].row for r in ws.iter_rows(min_col=1, max_col=1) if r[0].value == "TT")
    rows, notes = [], []
    for r in range(head + 1, ws.max_row + 1):
        values = [ws.cell(r, c).value for c in range(1, 9)]
        if isinstance(values[0], int):
            rows.append(values)
        elif values[0]:
            notes.append(values[0])
    return rows, notes


def _fresh_changes(store, unit: str | None, old: str, new: str) -> dict[str, tuple[str, str]]:
    """household code → (old, new) category, one household at a time (not the bulk path)."""
    out = {}
    for hid, code, unit_code in store.query(
            "SELECT id, household_code, unit_code FROM households WHERE deleted = 0 AND status = 'active'"):
        if unit and unit_code != unit:
            continue
        a = evaluate_household(store, hid, old, ON).category
        b = evaluate_household(store, hid, new, ON).category
        if a != b:
            out[code] = (a, b)
    return out


def test_defaults_compare_the_local_line_in_force_with_the_2027_standard(store, tmp_path: Path) -> None:
    out = build_report(store, "ruleset-change", ReportParams(on=ON), tmp_path / "rc.xlsx")
    rows, notes = _listed(out)
    expected = _fresh_changes(store, None, "HN-2022", "VN-2027")
    assert len(expected) > 10  # the demo has households on both sides of the new lines
    assert {r[1]: (r[5], r[6]) for r in rows} == {
        code: (CATEGORY_LABELS[a], CATEGORY_LABELS[b]) for code, (a, b) in expected.items()}
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    total = store.scalar("SELECT count(*) FROM households WHERE deleted = 0 AND status = 'active'")
    assert any(f"Đánh giá {total} hộ" in n and f"{len(rows)} hộ thay đổi phân loại" in n and "(HN-2022)" in n
               and "(VN-2027)" in n for n in notes)
    poorer = sum(1 for a, b in expected.values() if (a, b) == ("near_poor", "poor"))
    assert f"Hộ cận nghèo → Hộ nghèo: {poorer} hộ" in notes
    # Each row says what made the difference, e.g. the higher 2027 line.
    moved_up = next(r for r in rows if r[5] == "Hộ có mức sống trung bình")
    assert re.search(r"chuẩn nghèo [\d.]+ đồng \(HN-2022\) → [\d.]+ đồng \(VN-2027\)", moved_up[7])


def test_chosen_rulesets_and_unit_from_the_command_line_and_as_pdf(store, tmp_path: Path, capsys) -> None:
    xlsx, pdf = tmp_path / "rc.xlsx", tmp_path / "rc.pdf"
    for out in (xlsx, pdf):
        assert cli_main(["report", "ruleset-change", "--db", str(store.path), "--out", str(out), "--unit", "00679",
                         "--compare", "VN-2022", "--ruleset", "VN-2027", "--date", "20/11/2026"]) == 0
    rows, _notes = _listed(xlsx)
    expected = _fresh_changes(store, "00679", "VN-2022", "VN-2027")
    assert {r[1] for r in rows} == set(expected) and all(r[1].startswith("TTR-00679-") for r in rows)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    assert "DANH SÁCH HỘ THAY ĐỔI PHÂN LOẠI KHI ÁP DỤNG CHUẨN NGHÈO MỚI" in text
    assert f"VN-2022 → VN-2027 — Xã Ngọc Hồi: {len(rows)}/" in text
    for code in expected:
        assert code in text


def test_one_ruleset_twice_is_refused_on_the_field(store, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="hai bộ chuẩn khác nhau") as info:
        build_report(store, "ruleset-change", ReportParams(on=ON, ruleset="VN-2027", compare_to="VN-2027"),
                     tmp_path / "x.xlsx")
    assert info.value.field == "ruleset"
    assert not (tmp_path / "x.xlsx").exists()


def test_only_the_households_of_one_current_category(store, tmp_path: Path) -> None:
    out = build_report(store, "ruleset-change", ReportParams(on=ON, category="near_poor", compare_to="VN-2022",
                                                             ruleset="VN-2027"), tmp_path / "cn.xlsx")
    rows, _notes = _listed(out)
    near_poor = {r[0] for r in store.query(
        "SELECT household_code FROM households WHERE deleted = 0 AND status = 'active' AND category = 'near_poor'")}
    expected = {code for code in _fresh_changes(store, None, "VN-2022", "VN-2027") if code in near_poor}
    assert {r[1] for r in rows} == expected and expected
    ws = load_workbook(out).active
    assert any(isinstance(c.value, str) and "chỉ hộ cận nghèo hiện nay" in c.value for c in ws["A"])
