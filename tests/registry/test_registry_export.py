"""Excel export (round trip through the importer) and the import template."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from cannngheo_desktop.core.personal_data import open_protected_xlsx
from cannngheo_desktop.registry import excel_import
from cannngheo_desktop.registry.excel_export import export_households
from cannngheo_desktop.registry.queries import ListQuery
from cannngheo_desktop.registry.template import write_template
from cannngheo_desktop.storage import households, open_db
from tests.registry.registry_fixtures import UNIT_A, UNIT_B, member, seed_households

TODAY = date(2026, 6, 1)
COMPARED = ("full_name", "relation", "birth_date", "sex", "cccd", "education_level", "has_health_insurance")


def rows_of(path: Path) -> list[tuple]:
    return list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))


def registry_content(store) -> list[tuple]:
    out = []
    for h in store.query("SELECT * FROM households WHERE deleted = 0 ORDER BY household_code"):
        ms = store.query(f"SELECT {', '.join(COMPARED)} FROM members WHERE household_id = ? ORDER BY full_name",
                         (h["id"],))
        out.append((h["household_code"], h["unit_code"], h["village"], h["category"], h["is_merit"],
                    h["head_name"], [tuple(m) for m in ms]))
    return out


def test_export_then_import_gives_the_same_registry(store, tmp_path: Path) -> None:
    seed_households(store)
    households.add_household(store, {"unit_code": UNIT_A, "household_code": "A09", "village": "Thôn 3",
                                     "category": "near_poor", "is_merit": 1, "income_month": 3_000_000},
                             [member("Lý Thị Mười", "head", "1977-10-10", "000177000009", sex="female",
                                     education_level="primary", has_health_insurance=1),
                              member("Lý Văn Út", "child", "2011-01-31", sex="male", has_health_insurance=0)])
    masked = tmp_path / "che.xlsx"  # the default export hides the ID numbers (issue 16)
    assert export_households(store, ListQuery(sort="household_code"), masked) == 6
    masked_rows = rows_of(masked)
    column = masked_rows[2].index("Số CCCD")
    assert [r for r in masked_rows if len(r) > 1 and r[1] == "A09"][0][column] == "000******009"
    # the internal export keeps them, locked with a password; opened (as Excel does) and saved plain
    locked = tmp_path / "noi-bo.xlsx"
    assert export_households(store, ListQuery(sort="household_code"), locked, password="mat-khau-noi-bo") == 6
    out = tmp_path / "xuat.xlsx"
    out.write_bytes(open_protected_xlsx(locked, "mat-khau-noi-bo").getvalue())
    rows = rows_of(out)
    header = rows[2]
    assert header[:3] == ("STT hộ", "Mã hộ", "Mã đơn vị")
    lys = [r for r in rows if len(r) > 1 and r[1] == "A09"][0]
    assert lys[header.index("Số CCCD")] == "000177000009"  # text, zeros kept
    assert lys[header.index("Ngày sinh")] == "10/10/1977"
    assert lys[header.index("Phân loại")] == "Hộ cận nghèo"

    copy = open_db(tmp_path / "copy.sqlite", user="tester")
    try:
        from tests.registry.registry_fixtures import add_units as add

        add(copy)
        report = excel_import.dry_run(copy, out, None, today=TODAY)
        assert report.errors == []
        excel_import.apply_import(copy, report)
        assert registry_content(copy) == registry_content(store)
    finally:
        copy.close()


def test_export_follows_the_filter(store, tmp_path: Path) -> None:
    seed_households(store)
    out = tmp_path / "loc.xlsx"
    assert export_households(store, ListQuery(unit_code=UNIT_B), out) == 2
    names = {r[9] for r in rows_of(out)[3:]}
    assert names == {"Nguyễn Thị Tuyết", "Đặng Văn Đông"}
    assert not list(tmp_path.glob("*.part"))


def test_cancelled_export_leaves_no_file(store, tmp_path: Path) -> None:
    import pytest

    from cannngheo_desktop.core.errors import Cancelled

    class Stop:
        def report(self, done: int, total: int) -> None:
            pass

        def cancelled(self) -> bool:
            return True

    seed_households(store)
    with pytest.raises(Cancelled):
        export_households(store, ListQuery(), tmp_path / "huy.xlsx", progress=Stop())
    assert list(tmp_path.glob("huy*")) == []


def test_template_has_drop_downs_and_its_example_is_never_imported(store, tmp_path: Path) -> None:
    path = write_template(tmp_path / "mau.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Danh sách hộ"]
    assert ws["J1"].value == "Họ và tên" and ws["K2"].value == "Chủ hộ"
    assert ws["B2"].value == "VD-001" and ws["J2"].font.italic and ws["B2"].comment is not None
    ranges = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert any(r.startswith("K2") for r in ranges) and any(r.startswith("M2") for r in ranges)
    notes = wb["Hướng dẫn"]
    texts = [c.value for c in notes["A"] if c.value]
    assert "Vợ/Chồng" in texts and "Hộ cận nghèo" in texts
    report = excel_import.dry_run(store, path, UNIT_A, today=TODAY)
    assert report.households == []
    (warning,) = report.warnings
    assert warning.row == 2 and "Bỏ qua hộ ví dụ của tệp mẫu" in warning.text and "2, 3, 4" in warning.text
    (error,) = report.errors  # nothing real to import: say so instead of importing the example
    assert error.row is None and "chỉ có hộ ví dụ" in error.message
    with pytest.raises(excel_import.ImportHasErrors):
        excel_import.apply_import(store, report, backup=False)
    assert store.scalar("SELECT count(*) FROM households") == 0


def test_template_rows_typed_under_the_example_are_imported(store, tmp_path: Path) -> None:
    path = write_template(tmp_path / "mau.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Danh sách hộ"]
    ws.append([2, None, None, "Thôn 2", "Số 5", "Hộ nghèo", None, 1200000, 30,
               "Lê Văn Bình", "Chủ hộ", "01/02/1970", "Nam", "001070012345", "Kinh", "Tiểu học", "Không",
               "Tự làm (nông nghiệp, kinh doanh)", "Có", "Không"])
    ws.append([2, None, None, None, None, None, None, None, None,
               "Lê Thị Hoa", "Con", "03/04/2010", "Nữ", None, "Kinh", "Trung học cơ sở", "Có", "Đi học",
               "Có", "Không"])
    wb.save(path)
    report = excel_import.dry_run(store, path, UNIT_A, today=TODAY)
    assert report.errors == []
    (cand,) = report.households
    assert cand.household["category"] == "poor" and cand.household.get("household_code") is None
    assert [m["full_name"] for m in cand.members] == ["Lê Văn Bình", "Lê Thị Hoa"]
    assert [m["relation"] for m in cand.members] == ["head", "child"]
    assert cand.members[1]["in_school"] is True
    assert report.plan.data_rows == 2
