"""`cannngheo import-excel / export-excel / template` through the real argument parser."""

from __future__ import annotations

import argparse
from pathlib import Path

import openpyxl
import pytest

from cannngheo_desktop.commands import registry as registry_cmd
from cannngheo_desktop.core.errors import AppError
from cannngheo_desktop.storage import open_db
from tests.registry.registry_fixtures import UNIT_A, add_units, bad_rows


def run(*argv: str) -> int:
    """Parse with only this module's subcommands (other modules may be mid-way) and run,
    mapping AppError to its exit code as cli.main does."""
    parser = argparse.ArgumentParser()
    registry_cmd.register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    try:
        return int(args.func(args))
    except AppError as exc:
        return getattr(exc, "exit_code", 1)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "xa.sqlite"
    store = open_db(path)
    add_units(store)
    store.close()
    return path


def count(db: Path) -> int:
    with open_db(db) as store:
        return int(store.scalar("SELECT count(*) FROM households"))


def test_import_with_errors_exits_2_and_writes_the_error_workbook(db: Path, messy, tmp_path: Path, capsys) -> None:
    errors = tmp_path / "loi.xlsx"
    code = run("import-excel", "--db", str(db), str(messy()), "--unit", UNIT_A, "--errors", str(errors))
    assert code == 2
    assert count(db) == 0
    out = capsys.readouterr().out
    for row in bad_rows():
        assert f"LỖI Dòng {row}:" in out
    assert errors.exists()


def test_dry_run_then_import(db: Path, messy, capsys) -> None:
    path = messy(bad=False)
    assert run("import-excel", "--db", str(db), str(path), "--unit", UNIT_A, "--dry-run") == 0
    assert count(db) == 0
    assert run("import-excel", "--db", str(db), str(path), "--unit", UNIT_A) == 0
    assert count(db) == 4
    assert "Đã nhập 4 hộ, 11 nhân khẩu" in capsys.readouterr().out


def test_bad_file_exits_1(db: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_text("không phải excel", encoding="utf-8")
    assert run("import-excel", "--db", str(db), str(junk), "--unit", UNIT_A) == 1


def test_export_and_template(db: Path, messy, tmp_path: Path) -> None:
    assert run("import-excel", "--db", str(db), str(messy(bad=False)), "--unit", UNIT_A) == 0
    out = tmp_path / "xuat.xlsx"
    assert run("export-excel", "--db", str(db), "--out", str(out), "--search", "hoang", "--category",
               "near_poor") == 0
    names = [r[9] for r in openpyxl.load_workbook(out).active.iter_rows(min_row=4, values_only=True)]
    assert names == ["Hoàng Văn Tú", "Vũ Thị Thu", "Hoàng Minh Khôi", "Hoàng Thu Trang"]
    template = tmp_path / "mau.xlsx"
    assert run("template", "--out", str(template)) == 0
    assert openpyxl.load_workbook(template).sheetnames == ["Danh sách hộ", "Hướng dẫn"]


def _installed(path: Path, role: str, unit: str) -> Path:
    from cannngheo_desktop.storage import installation

    with open_db(path, user="quantri") as store:
        installation.initialize(store, role=role, unit_code=unit,
                                receiving_unit_code="020" if role == "commune" else None,
                                admin_name="quantri", admin_password="so-tay-can-bo-2026")
    return path


def test_a_commune_imports_into_its_own_unit_without_unit_option(tmp_path: Path, messy, capsys) -> None:
    db = _installed(tmp_path / "xa.sqlite", "commune", "00640")
    assert run("import-excel", "--db", str(db), str(messy(bad=False))) == 0
    assert "Đã nhập 4 hộ, 11 nhân khẩu" in capsys.readouterr().out
    with open_db(db) as store:
        units = [r[0] for r in store.query("SELECT unit_code FROM households ORDER BY household_code")]
    assert units == ["00640"] * 4


def test_a_receiving_office_still_has_to_name_the_unit(tmp_path: Path, messy, capsys) -> None:
    db = _installed(tmp_path / "huyen.sqlite", "aggregator", "020")
    assert run("import-excel", "--db", str(db), str(messy(bad=False))) == 2
    assert capsys.readouterr().out.count("Chưa biết hộ thuộc đơn vị nào") == 4
    assert count(db) == 0
