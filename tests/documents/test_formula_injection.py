"""Formula injection (issue 15, point 5): text from people is always written as text.

A copy of the demo database gets names, villages, addresses, ID numbers, unit names, support
policies and bodies that a spreadsheet would run as formulas; every xlsx the app writes from it
(each report of the catalogue, the posting list, the registry export through the command line,
the import error table, the template) is read back with openpyxl: no cell that came from people
is a formula or an error value, the text reads back exactly as stored, the raw sheet XML holds
no ``<f>`` but the sheet's own SUM totals, and formula-like text carries Excel's quotePrefix.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from cannngheo_desktop import cli
from cannngheo_desktop.core.personal_data import mask_cccd
from cannngheo_desktop.core.sheet_cells import FORMULA_STARTS
from cannngheo_desktop.documents.catalogue import CATALOGUE, build_report
from cannngheo_desktop.documents.context import ReportParams
from cannngheo_desktop.documents.render.summary import Section, SummaryReport, write_xlsx
from cannngheo_desktop.documents.render.xlsx_base import Column
from cannngheo_desktop.registry import excel_import
from cannngheo_desktop.registry.excel_reader import read_workbook
from cannngheo_desktop.registry.template import write_template
from cannngheo_desktop.storage import open_db
from cannngheo_desktop.storage.db import Store

PAYLOADS = ['=HYPERLINK("http://x","bấm")', "+1+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0", "#N/A",
            "=1+1", "\uff1d1+1", "=A1*10"]
CONTROL = "Lê\x07Thị\x1bHoa"         # characters xlsx cannot hold: the export failed on them
CONTROL_SHOWN = "Lê\ufffdThị\ufffdHoa"
SUM_FORMULA = re.compile(r"=SUM\([A-Z]{1,3}[0-9]+:[A-Z]{1,3}[0-9]+\)")
XML_FORMULA = re.compile(r"<f(?:\s[^>]*)?>(.*?)</f>", re.S)
UNIT = "00679"
XLSX_REPORTS = sorted(code for code, spec in CATALOGUE.items() if "xlsx" in spec.formats)
TOTALS = ("plan-table", "movements", "posting-list")  # reports whose totals are SUM formulas


def _hostile(store: Store) -> None:
    """Every text column a person (or a bundle from another unit) fills gets a payload; the
    values go in by SQL, as a replica row from a bundle would, bypassing the editor's checks."""
    conn = store.conn
    with store.transaction():
        ids = [r[0] for r in conn.execute("SELECT id FROM households ORDER BY unit_code, household_code")]
        for i, hid in enumerate(ids):
            p = PAYLOADS[i % len(PAYLOADS)]
            conn.execute("UPDATE households SET head_name = ?, village = ?, address = ? WHERE id = ?",
                         (p, PAYLOADS[(i + 1) % len(PAYLOADS)], PAYLOADS[(i + 2) % len(PAYLOADS)], hid))
            members = [r[0] for r in conn.execute(
                "SELECT id FROM members WHERE household_id = ? ORDER BY sort_order", (hid,))]
            for k, mid in enumerate(members):
                name = p if k == 0 else PAYLOADS[(i + k + 3) % len(PAYLOADS)]
                conn.execute("UPDATE members SET full_name = ?, ethnicity = ? WHERE id = ?",
                             (name, PAYLOADS[(i + k) % len(PAYLOADS)], mid))
        conn.execute("UPDATE members SET cccd = ? WHERE id IN (SELECT id FROM members ORDER BY id LIMIT 40)",
                     ("=1+2",))
        units = [r[0] for r in conn.execute("SELECT id FROM units WHERE kind != 'district' ORDER BY id")]
        for i, uid in enumerate(units):
            conn.execute("UPDATE units SET name = ? WHERE id = ?", (PAYLOADS[i % len(PAYLOADS)], uid))
        for table in ("support_measures", "bodies"):
            rows = [r[0] for r in conn.execute(f"SELECT id FROM {table} ORDER BY id")]
            for i, rid in enumerate(rows):
                conn.execute(f"UPDATE {table} SET name = ? WHERE id = ?", (PAYLOADS[i % len(PAYLOADS)], rid))
        conn.execute("UPDATE support_actions SET funding_source = ?, note = ?", (PAYLOADS[0], PAYLOADS[1]))
        conn.execute("UPDATE households SET address = ? WHERE id = (SELECT id FROM households WHERE unit_code = ? "
                     "AND category IN ('poor', 'near_poor') ORDER BY household_code LIMIT 1)", (CONTROL, UNIT))


@pytest.fixture(scope="module")
def hostile_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.sqlite"
    shutil.copy(demo_db, path)
    with open_db(path, create=False) as store:
        _hostile(store)
    return path


@pytest.fixture
def hostile(hostile_db: Path) -> Iterator[Store]:
    store = open_db(hostile_db, create=False)
    yield store
    store.close()


def check_sheets(path: Path, contained: set[str] | None = None) -> set[str]:
    """Assert ``path`` runs nothing; return the payloads found in it as exact text cells (and add
    those found inside longer texts, e.g. "UBND =1+1", to ``contained``)."""
    found: set[str] = set()
    wb = load_workbook(path)  # not read-only: data_type and style as written
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f":
                    assert isinstance(value, str) and SUM_FORMULA.fullmatch(value), \
                        f"{path.name} {ws.title}!{cell.coordinate} is a formula: {value!r}"
                    continue
                assert cell.data_type != "e", f"{path.name} {ws.title}!{cell.coordinate} is an error value {value!r}"
                if isinstance(value, str):
                    assert cell.data_type == "s"
                    if value[:1] in FORMULA_STARTS:
                        assert cell.quotePrefix, f"{path.name} {ws.title}!{cell.coordinate}: no quotePrefix"
                    if value in PAYLOADS:
                        found.add(value)
                    if contained is not None:
                        contained.update(p for p in PAYLOADS if p in value)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.startswith("xl/worksheets/"):
                continue
            for formula in XML_FORMULA.findall(z.read(name).decode("utf-8")):
                assert SUM_FORMULA.fullmatch("=" + formula), f"{path.name} {name}: <f>{formula}</f>"
    return found


def test_check_sheets_fails_on_a_live_formula(tmp_path: Path) -> None:
    """The checker is not blind: openpyxl's default turns '=…' into a formula, and it is caught."""
    wb = Workbook()
    wb.active.append(["Nguyễn Văn A", PAYLOADS[0]])
    wb.save(tmp_path / "naive.xlsx")
    with pytest.raises(AssertionError, match="is a formula"):
        check_sheets(tmp_path / "naive.xlsx")
    wb = Workbook()
    wb.active.append(["#N/A"])
    wb.save(tmp_path / "error.xlsx")
    with pytest.raises(AssertionError, match="error value"):
        check_sheets(tmp_path / "error.xlsx")


def _params(code: str) -> ReportParams:
    if code == "ruleset-change":
        return ReportParams(unit_code=UNIT, on=date(2023, 12, 31))
    if code == "plan-table":
        return ReportParams(year=2023)
    return ReportParams(unit_code=UNIT, year=2023, on=date(2023, 12, 31))


@pytest.mark.parametrize("code", XLSX_REPORTS)
def test_every_xlsx_report_writes_people_text_as_text(hostile: Store, tmp_path: Path, code: str) -> None:
    out = build_report(hostile, code, _params(code), tmp_path / f"{code}.xlsx")
    contained: set[str] = set()
    check_sheets(out, contained)
    assert contained, f"{code}: no hostile text reached the sheet, so the test proves nothing"
    if code in TOTALS:  # the sheet's own SUM totals are still live formulas
        wb = load_workbook(out)
        assert any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize("code", ["household-list", "posting-list"])
def test_lists_carry_every_payload_exactly(hostile: Store, tmp_path: Path, code: str) -> None:
    out = build_report(hostile, code, ReportParams(unit_code=UNIT, year=2023), tmp_path / f"{code}.xlsx")
    assert check_sheets(out) == set(PAYLOADS)
    values = [c.value for row in load_workbook(out).active.iter_rows() for c in row]
    assert CONTROL_SHOWN in values
    if code == "household-list":  # the internal list keeps the full ID number, as text
        assert "=1+2" in values


def test_posting_list_at_every_unit(hostile: Store, tmp_path: Path) -> None:
    out = build_report(hostile, "posting-list", ReportParams(year=2023), tmp_path / "niem-yet.xlsx")
    assert check_sheets(out) == set(PAYLOADS)


def test_registry_export_on_the_command_line(hostile_db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "xuat.xlsx"
    assert cli.main(["export-excel", "--db", str(hostile_db), "--out", str(out), "--unit", UNIT]) == 0
    assert check_sheets(out) == set(PAYLOADS)
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    header = list(rows[2])
    ids = [r[header.index("Số CCCD")] for r in rows[3:]]
    # Without a password the export masks ID numbers (issue 16): the hostile "=1+2" keeps only its
    # last 3 characters, still as text, never a formula.
    assert mask_cccd("=1+2") in ids and "=1+2" not in ids
    assert CONTROL_SHOWN in [r[header.index("Địa chỉ")] for r in rows[3:]]
    with open_db(hostile_db, create=False) as store:
        heads = {r[0] for r in store.conn.execute("SELECT head_name FROM households WHERE unit_code = ?", (UNIT,))}
    assert heads <= {r[header.index("Họ và tên")] for r in rows[3:]}


def test_registry_export_reads_back_as_the_typed_text(hostile_db: Path, tmp_path: Path) -> None:
    """The exported file read by the app's own importer gives back the typed text, not a result."""
    out = tmp_path / "xuat.xlsx"
    assert cli.main(["export-excel", "--db", str(hostile_db), "--out", str(out), "--unit", UNIT]) == 0
    plan = read_workbook(out)
    heads = {c.members[0].get("full_name") for c in plan.households if c.members}
    assert heads == set(PAYLOADS)
    villages = {c.household.get("village") for c in plan.households}
    assert villages == set(PAYLOADS)


def test_import_error_table_writes_messages_as_text(tmp_path: Path) -> None:
    """The error table copies the person's sheet and adds messages; what it adds is text."""
    src = tmp_path / "nhap.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["STT hộ", "Mã hộ", "Họ và tên", "Quan hệ với chủ hộ", "Ngày sinh"])
    ws.append([1, "X1", "Nguyễn Văn A", "Chủ hộ", "=1+1"])
    ws.append([2, "X2", "Trần Văn B", "Chủ hộ", "31/02/1980"])
    wb.save(src)
    with open_db(tmp_path / "x.sqlite", user="tester") as store:
        from tests.registry.registry_fixtures import UNIT_A, add_units

        add_units(store)
        report = excel_import.dry_run(store, src, UNIT_A)
        assert report.issues_by_row()
        out = excel_import.write_error_workbook(report, tmp_path / "loi.xlsx")
    sheet = load_workbook(out).active
    added = [c for row in sheet.iter_rows(min_col=sheet.max_column - 1) for c in row if c.value]
    assert added and all(c.data_type == "s" for c in added)


def test_template_has_no_formula_cells(tmp_path: Path) -> None:
    out = write_template(tmp_path / "mau.xlsx")
    check_sheets(out)
    wb = load_workbook(out)
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_summary_writer_keeps_its_own_totals_as_formulas(tmp_path: Path) -> None:
    """The app's SUM totals stay live formulas beside hostile labels; numbers stay numbers."""
    report = SummaryReport(
        title="Thử", columns=[Column("TT", 6, "int"), Column("Nội dung", 30), Column("Số hộ", 10, "int")],
        sections=[Section([[1, p, 2] for p in PAYLOADS], title=PAYLOADS[0], total_label="Tổng cộng",
                          sum_columns=(2,))],
        unit_lines=(PAYLOADS[3], PAYLOADS[4]), subtitle=PAYLOADS[1], notes=(PAYLOADS[2],))
    out = write_xlsx(report, tmp_path / "bc.xlsx")
    assert check_sheets(out) == set(PAYLOADS)
    ws = load_workbook(out).active
    formulas = [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert len(formulas) == 1 and SUM_FORMULA.fullmatch(formulas[0].value)
    numbers = [c.value for row in ws.iter_rows() for c in row if c.column == 3 and isinstance(c.value, int)]
    assert numbers == [2] * len(PAYLOADS)


def test_libreoffice_reads_the_text_literally(hostile: Store, tmp_path: Path) -> None:
    """The posting list converted by LibreOffice (headless) to CSV shows the text as typed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed here; openpyxl and the raw XML checks cover it")
    out = build_report(hostile, "posting-list", ReportParams(unit_code=UNIT, year=2023), tmp_path / "ny.xlsx")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76",  # comma, quote, UTF-8 (76); else a legacy charset
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=180)
    with (tmp_path / "ny.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    households = [r for r in rows if r and r[0].isdigit()]
    text_cells = {c for r in households for c in (r[1], r[3], r[4])}  # name, village, address
    assert households and set(PAYLOADS) <= text_cells
    # Each shows exactly what was typed: no HYPERLINK result ("bấm"), no 1+1 = 2, no -2+3 = 1.
    assert text_cells <= set(PAYLOADS) | {CONTROL_SHOWN}


def test_review_round_report(tmp_path: Path) -> None:
    """The round report (Rà soát tab) goes through the same writer: a hostile unit name and
    decision number stay text."""
    from cannngheo_desktop.documents.review_round import write_round_report
    from cannngheo_desktop.review import rounds as rv
    from cannngheo_desktop.storage import installation
    from tests.review.review_fixture import add_fixture_households

    with open_db(tmp_path / "xa.sqlite", user="canbo") as store:
        installation.initialize(store, role="commune", unit_code="00640", receiving_unit_code="020",
                                admin_name="canbo", admin_password="so-tay-can-bo-2026")
        add_fixture_households(store)
        with store.transaction():
            store.conn.execute("UPDATE units SET name = ? WHERE code = '00640'", (PAYLOADS[0],))
            store.conn.execute("UPDATE households SET village = ?", (PAYLOADS[4],))
        rnd = rv.create_round(store, kind="annual", year=2026, ruleset_code="VN-2027", on=date(2026, 11, 2))
        out = write_round_report(store, rnd["id"], tmp_path / "bc.xlsx", on=date(2026, 12, 20))
    contained: set[str] = set()
    check_sheets(out, contained)
    assert PAYLOADS[0] in contained
    # the date line starts with the place, i.e. the unit's name: it was a formula before
    values = [c.value for row in load_workbook(out).active.iter_rows() for c in row]
    assert f"{PAYLOADS[0]}, ngày 20 tháng 12 năm 2026" in values
