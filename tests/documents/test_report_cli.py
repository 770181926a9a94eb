"""`cannngheo report`: the catalogue and one report per format through cli.main."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
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
    text = PdfReader(out).pages[0].extract_text()
    assert "Đại Áng, ngày 31 tháng 12 năm 2023" in text  # dated at the household's commune
    assert "Thanh Trì, ngày" not in text


def test_user_errors_exit_1_in_vietnamese(demo_db: Path, tmp_path: Path, capsys) -> None:
    assert cli.main(["report", "khong-co", "--db", str(demo_db), "--out", str(tmp_path / "a.xlsx")]) == 1
    assert "Không có báo cáo 'khong-co'" in capsys.readouterr().err
    assert cli.main(["report", "groups", "--db", str(demo_db), "--out", str(tmp_path / "a.xlsx"),
                     "--date", "31/13/2023"]) == 1
    assert "--date: '31/13/2023' không phải ngày hợp lệ" in capsys.readouterr().err
    assert cli.main(["report", "groups", "--db", str(demo_db)]) == 1
    assert "--out" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_a_target_that_cannot_be_written_over_is_refused_before_the_report_is_built(demo_db: Path, tmp_path: Path,
                                                                                    capsys) -> None:
    taken = tmp_path / "Biểu kế hoạch.xlsx"
    taken.mkdir()  # exists and cannot be opened for writing (like a file Excel holds on Windows)
    code = cli.main(["report", "plan-table", "--db", str(demo_db), "--out", str(taken), "--year", "2023"])
    assert code == 1
    err = capsys.readouterr().err
    assert f"Không ghi đè được tệp '{taken}'" in err and "Hãy đóng tệp đó" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Biểu kế hoạch.xlsx"]


@pytest.mark.skipif(sys.platform != "win32", reason="Windows' exclusive file sharing, what Excel does")
def test_a_report_open_in_excel_is_refused_in_words(demo_db: Path, tmp_path: Path, capsys) -> None:
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.CreateFileW.restype = wintypes.HANDLE
    kernel32.CreateFileW.argtypes = [wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, wintypes.LPVOID,
                                     wintypes.DWORD, wintypes.DWORD, wintypes.HANDLE]
    out = tmp_path / "bieu.xlsx"
    assert cli.main(["report", "plan-table", "--db", str(demo_db), "--out", str(out), "--year", "2023"]) == 0
    before = out.read_bytes()
    capsys.readouterr()
    generic_read, open_existing, no_sharing = 0x80000000, 3, 0
    handle = kernel32.CreateFileW(str(out), generic_read, no_sharing, None, open_existing, 0, None)
    assert handle != wintypes.HANDLE(-1).value, ctypes.get_last_error()
    try:
        code = cli.main(["report", "plan-table", "--db", str(demo_db), "--out", str(out), "--year", "2023"])
    finally:
        kernel32.CloseHandle(handle)
    assert code == 1
    assert "tệp đang mở trong chương trình khác (Excel" in capsys.readouterr().err
    assert out.read_bytes() == before


def test_noi_bo_flag_prints_full_ids_and_says_internal(demo_db: Path, tmp_path: Path, capsys) -> None:
    public, internal = tmp_path / "ny.pdf", tmp_path / "noi-bo.pdf"
    args = ["report", "posting-list", "--db", str(demo_db), "--unit", "00679", "--year", "2023",
            "--category", "near_poor"]
    assert cli.main([*args, "--out", str(public)]) == 0
    assert cli.main([*args, "--out", str(internal), "--noi-bo"]) == 0
    shown = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(public).pages)
    full = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(internal).pages)
    assert not re.search(r"\b\d{12}\b", shown) and "NỘI BỘ" not in shown
    assert len(re.findall(r"\b\d{12}\b", full)) == 58 and "(NỘI BỘ)" in full
    help_text = _help(capsys)
    assert "--noi-bo" in help_text and "Mã thoát" in help_text


def _help(capsys) -> str:
    with pytest.raises(SystemExit):
        cli.main(["report", "--help"])
    return " ".join(capsys.readouterr().out.split())
