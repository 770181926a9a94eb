"""Plan results, deprivation, movements, groups and support reports: exact values read back."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from conftest import EXITS
from openpyxl import load_workbook
from pypdf import PdfReader

from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.documents.catalogue import build_report, get_report, list_reports
from cannngheo_desktop.documents.context import ReportParams
from cannngheo_desktop.documents.render.xlsx_base import INT_FORMAT


def _sheet(store, tmp_path: Path, code: str, **params):
    out = build_report(store, code, ReportParams(**params), tmp_path / f"{code}.xlsx")
    return load_workbook(out).active


def _rows(ws) -> list[list]:
    """Rows after the header row ("TT" in column A), up to the last bordered row."""
    rows, started = [], False
    for row in ws.iter_rows():
        if row[0].value == "TT":
            started = True
            continue
        if started:
            if row[0].border.left.style != "thin" and row[1].border.left.style != "thin":
                if rows:
                    break
            rows.append([c.value for c in row])
    return rows


def _by_label(rows: list[list], label: str, col: int = 1) -> list:
    return next(r for r in rows if r[col] == label)


def _check_sum(ws, row: list, col: int) -> int:
    """The SUM formula of a totals cell, evaluated over the cells it names."""
    formula = row[col]
    m = re.fullmatch(r"=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)", formula)
    assert m, formula
    return sum(ws[f"{m[1]}{r}"].value or 0 for r in range(int(m[2]), int(m[4]) + 1))


def test_catalogue_describes_every_report() -> None:
    codes = [r.code for r in list_reports()]
    assert codes == ["plan-table", "plan-results", "deprivation", "movements", "groups", "support",
                     "ruleset-change", "household-list", "posting-list", "household-profile", "household-profiles"]
    for spec in list_reports():
        assert spec.title and spec.description and spec.formats
        assert set(spec.formats) <= {"xlsx", "pdf"}
    with pytest.raises(ValidationError, match="Không có báo cáo 'nope'"):
        get_report("nope")


def test_plan_results_per_unit_and_totals(store, tmp_path: Path) -> None:
    ws = _sheet(store, tmp_path, "plan-results", year=2023, on=date(2023, 12, 31))
    rows = _rows(ws)
    # on 31/12 the year is over: a unit short of its target "did not reach" it, it is not "late"
    assert _by_label(rows, "Xã Đại Áng")[2:10] == [62, 9, len(EXITS), 0, 0, -4, 44.44, "không đạt"]
    assert _by_label(rows, "Xã Tả Thanh Oai")[2:8] == [89, 12, 0, 0, 1, -1]
    assert _by_label(rows, "Thị trấn Văn Điển")[2:8] == [2, 2, 0, 1, 0, 1]
    total = _by_label(rows, "Tổng cộng")
    assert [_check_sum(ws, total, c) for c in range(2, 8)] == [505, 75, 4, 1, 1, -4]
    assert total[8] == 5.33 and total[9] == "không đạt"
    assert not any(r[9] == "chậm" for r in rows)


def test_plan_results_during_the_year_say_late(store, tmp_path: Path) -> None:
    ws = _sheet(store, tmp_path, "plan-results", year=2023, on=date(2023, 6, 30))
    assert _by_label(_rows(ws), "Tổng cộng")[9] == "chậm"


def test_plan_results_pdf_has_table_and_chart(store, tmp_path: Path) -> None:
    out = build_report(store, "plan-results", ReportParams(year=2023, on=date(2023, 12, 31)), tmp_path / "kq.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
    assert "KẾT QUẢ THỰC HIỆN KẾ HOẠCH GIẢM HỘ CẬN NGHÈO NĂM 2023" in text
    assert "Xã Đại Áng 62 9 4 0 0 -4 44,44 không đạt" in text
    assert "Chỉ tiêu giảm và số hộ đã thoát theo đơn vị" in text  # the chart's title
    assert "Tả Thanh Oai" in text and "Đã thoát" in text  # chart labels and legend


def test_deprivation_counts_match_the_stored_assessments(store, tmp_path: Path) -> None:
    expected: Counter = Counter()
    totals: Counter = Counter()
    latest = store.query(  # the report counts each household's latest assessment on the date
        "SELECT a.category, a.results FROM assessments a WHERE a.ruleset_code = 'HN-2022' "
        "AND a.assessed_on = (SELECT MAX(b.assessed_on) FROM assessments b WHERE b.household_id = a.household_id "
        "AND b.ruleset_code = 'HN-2022' AND b.assessed_on <= '2023-12-31')")
    for category, results in latest:
        totals[category] += 1
        for r in json.loads(results):
            expected[(category, r["code"])] += r["status"] == "deprived"
    ws = _sheet(store, tmp_path, "deprivation", ruleset="HN-2022", on=date(2023, 12, 31))
    rows = _rows(ws)
    assert len(rows) == 12 + 1
    names = {r[2]: r for r in rows}
    dependants = names["Người phụ thuộc trong hộ gia đình"]
    near = expected[("near_poor", "dependants")]
    assert near > 0
    assert dependants[3:7] == [0, None, near, round(near * 100 / totals["near_poor"], 2)]
    assert sum(r[5] for r in rows[:-1]) == sum(v for (c, _), v in expected.items() if c == "near_poor")
    assert rows[-1][2] == "Tổng số hộ" and rows[-1][3] == 0 and rows[-1][5] == totals["near_poor"] == 505


def test_deprivation_evaluates_on_the_fly_without_assessments(store, tmp_path: Path) -> None:
    ws = _sheet(store, tmp_path, "deprivation", ruleset="VN-2027", on=date(2027, 6, 30))
    subtitle = next(c.value for row in ws.iter_rows(max_row=8) for c in row if c.value and "VN-2027" in str(c.value))
    assert "chưa lưu" in subtitle
    assert _rows(ws)[-1][2] == "Tổng số hộ"


def test_movements_start_changes_end(store, tmp_path: Path) -> None:
    ws = _sheet(store, tmp_path, "movements", year=2023)
    rows = _rows(ws)
    near = rows[1:rows.index(next(r for r in rows if r[0] == "Hộ nghèo"))]
    assert rows[0][0] == "Hộ cận nghèo"
    assert [r[1] for r in near[:3]] == ["Xã Đại Áng", "Xã Đông Mỹ", "Xã Duyên Hà"]  # as in the appendix
    assert _by_label(near, "Xã Đại Áng")[2:8] == [62, 0, 0, 4, 0, 58]
    assert _by_label(near, "Xã Tả Thanh Oai")[2:8] == [89, 0, 0, 0, 1, 88]
    assert _by_label(near, "Thị trấn Văn Điển")[2:8] == [2, 1, 0, 0, 0, 3]
    total = _by_label(near, "Tổng cộng")
    assert [_check_sum(ws, total, c) for c in (2, 3, 4, 5, 6, 7)] == [505, 1, 0, 4, 1, 501]
    poor = rows[rows.index(next(r for r in rows if r[0] == "Hộ nghèo")) + 1:]
    assert _by_label(poor, "Xã Tả Thanh Oai")[2:8] == [0, 0, 1, 0, 0, 1]
    only_poor = _rows(_sheet(store, tmp_path, "movements", year=2023, category="poor"))
    assert only_poor[0][0] == "Hộ nghèo" and all(r[0] != "Hộ cận nghèo" for r in only_poor)


def test_movements_period_must_be_ordered(store, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="trước ngày đầu"):
        _sheet(store, tmp_path, "movements", start=date(2023, 6, 1), on=date(2023, 1, 1))


def test_groups_by_cause_group_and_children(store, tmp_path: Path) -> None:
    rows = _rows(_sheet(store, tmp_path, "groups", on=date(2023, 12, 31)))
    merit = store.scalar("SELECT COUNT(*) FROM households WHERE is_merit = 1 AND category = 'near_poor' "
                         "AND status = 'active' AND deleted = 0")
    assert _by_label(rows, "Hộ người có công với cách mạng")[2:6] == ["hộ", 0, merit, merit]
    illness = sum("illness" in json.loads(c or "[]") for (c,) in store.query(
        "SELECT causes FROM households WHERE category = 'near_poor' AND deleted = 0"))
    assert _by_label(rows, "Có người ốm đau, bệnh nặng, tai nạn")[4] == illness > 0
    children = store.query(
        "SELECT m.malnourished, m.has_health_insurance FROM members m JOIN households h ON h.id = m.household_id "
        "WHERE h.category = 'near_poor' AND m.status = 'present' AND m.deleted = 0 AND m.birth_date > '2007-12-31'")
    assert _by_label(rows, "Trẻ em dưới 16 tuổi suy dinh dưỡng")[4] == sum(r[0] == 1 for r in children)
    assert _by_label(rows, "Trẻ em dưới 16 tuổi chưa có thẻ BHYT")[4] == sum(r[1] == 0 for r in children)


def test_support_by_measure_and_body(store, tmp_path: Path) -> None:
    ws = _sheet(store, tmp_path, "support", year=2023)
    rows = _rows(ws)
    training = _by_label(rows, "Đào tạo nghề")
    assert training[2:5] == [2, 2, 3_500_000]
    assert ws.cell(row=next(c.row for c in ws["B"] if c.value == training[1]), column=5).number_format == INT_FORMAT
    total_i = _by_label(rows, "Cộng I")
    assert [_check_sum(ws, total_i, c) for c in (2, 3, 4)] == [3, 2, 3_500_000]  # cancelled one left out
    body = _by_label(rows, "Phòng Lao động – Thương binh và Xã hội")
    assert body[2:5] == [2, 2, 3_500_000]
    assert [_check_sum(ws, _by_label(rows, "Cộng II"), c) for c in (2, 3, 4)] == [3, 2, 3_500_000]


@pytest.mark.parametrize("code", ["deprivation", "movements", "groups", "support"])
def test_summary_reports_as_pdf(store, tmp_path: Path, code: str) -> None:
    spec = get_report(code)
    out = spec.build(store, ReportParams(year=2023, on=date(2023, 12, 31)), tmp_path / f"{code}.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
    assert spec.title.split(",")[0].upper()[:20] in text.upper()
    assert "Người lập biểu" in text


def test_wrong_format_is_refused_in_vietnamese(store, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="không xuất được dạng 'pdf'"):
        build_report(store, "household-list", ReportParams(), tmp_path / "ds.pdf")
    with pytest.raises(ValidationError, match="Không có đơn vị mã '99999'"):
        build_report(store, "groups", ReportParams(unit_code="99999"), tmp_path / "g.xlsx")
