"""`cannngheo report`: the catalogue and one report per format through cli.main."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from cannngheo_desktop import cli


def test_list_names_every_report(capsys) -> None:
    assert cli.main(["report", "--list"]) == 0
    out = capsys.readouterr().out
    for code in ("plan-table", "plan-results", "deprivation", "movements", "groups", "support",
                 "household-list", "posting-list", "household-profile", "household-profiles"):
        assert code in out
    assert "Danh sách niêm yết công khai [xlsx, pdf]" in out


def test_xlsx_by_extension(demo_db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "bieu.xlsx"
    assert cli.main(["report", "plan-table", "--db", str(demo_db), "--out", str(out), "--year", "2023"]) == 0
    assert "Đã xuất 'Biểu kế hoạch giảm hộ cận nghèo'" in capsys.readouterr().out
    values = [c.value for row in load_workbook(out).active.iter_rows() for c in row]
    assert "Toàn huyện" in values and "Tả Thanh Oai" in values


def test_pdf_by_format_flag(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "ho-so.bin"
    code = cli.main(["report", "household-profile", "--db", str(demo_db), "--out", str(out),
                     "--household", "TTR-00679-0001", "--date", "31/12/2023", "--format", "pdf"])
    assert code == 0
    assert "Thanh Trì, ngày 31 tháng 12 năm 2023" in PdfReader(out).pages[0].extract_text()


def test_user_errors_exit_1_in_vietnamese(demo_db: Path, tmp_path: Path, capsys) -> None:
    assert cli.main(["report", "khong-co", "--db", str(demo_db), "--out", str(tmp_path / "a.xlsx")]) == 1
    assert "Không có báo cáo 'khong-co'" in capsys.readouterr().err
    assert cli.main(["report", "groups", "--db", str(demo_db), "--out", str(tmp_path / "a.xlsx"),
                     "--date", "31/13/2023"]) == 1
    assert "--date: '31/13/2023' không phải ngày hợp lệ" in capsys.readouterr().err
    assert cli.main(["report", "groups", "--db", str(demo_db)]) == 1
    assert "--out" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
