"""The PDF base: Vietnamese text survives (NFC, embedded DejaVu), page furniture, tables."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from cannngheo_desktop.core.errors import AppError
from cannngheo_desktop.documents.render import pdf_base
from cannngheo_desktop.documents.render.pdf_base import (
    MOTTO,
    NATION,
    TEST_SENTENCE,
    PageSetup,
    build_pdf,
    header_block,
    para,
    render_test_page,
    simple_table,
    title_block,
)

NAMES = ["Nguyễn Văn Đức", "Trần Thị Hoà", "Đặng Thị Ngọc Ánh", "Lương Văn Hưởng"]


def _text(page) -> str:
    """Extracted text with line wrapping undone (a paragraph may wrap anywhere)."""
    return " ".join(page.extract_text().split())


def _fonts(reader: PdfReader) -> dict[str, dict]:
    out = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            out[str(font["/BaseFont"])] = font
    return out


def test_test_page_has_exact_nfc_text(tmp_path: Path) -> None:
    path = render_test_page(tmp_path / "kiem-tra.pdf")
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    text = _text(reader.pages[0])
    assert TEST_SENTENCE in text
    for name in NAMES:
        assert unicodedata.normalize("NFC", name) in text
    assert NATION in text and MOTTO in text
    assert "Trang 1/1" in text
    assert reader.metadata.title == "Kiểm tra phông chữ tiếng Việt"
    assert not (tmp_path / "kiem-tra.pdf.part").exists()


def test_only_embedded_dejavu_fonts(tmp_path: Path) -> None:
    reader = PdfReader(render_test_page(tmp_path / "f.pdf"))
    fonts = _fonts(reader)
    assert fonts, "no font resources"
    for base_name, font in fonts.items():
        # reportlab embeds a subset: "AAAAAA+DejaVuSans"; Helvetica would have no Vietnamese.
        assert base_name.split("+")[-1].startswith("DejaVuSans"), base_name
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, f"{base_name} not embedded"
    assert any(b.endswith("+DejaVuSans") for b in fonts)


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdffonts_reports_embedded_unicode_fonts(tmp_path: Path) -> None:
    path = render_test_page(tmp_path / "f.pdf")
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows
    for row in rows:
        # name type encoding emb sub uni object ID
        assert row[0].split("+")[-1].startswith("DejaVuSans")
        assert row[-5:-2] == ["yes", "yes", "yes"], row


def test_decomposed_input_is_drawn_as_nfc(tmp_path: Path) -> None:
    decomposed = [unicodedata.normalize("NFD", n) for n in NAMES]
    assert decomposed[0] != NAMES[0]
    story = [para(n) for n in decomposed]
    story.append(simple_table([["Họ và tên"], *[[n] for n in decomposed]]))
    reader = PdfReader(build_pdf(tmp_path / "nfd.pdf", story, title=decomposed[0]))
    text = reader.pages[0].extract_text()
    for name in NAMES:
        assert text.count(name) == 2, name
    assert unicodedata.normalize("NFD", "ễ") not in text
    assert reader.metadata.title == NAMES[0]


def test_markup_characters_are_text(tmp_path: Path) -> None:
    reader = PdfReader(build_pdf(tmp_path / "m.pdf", [para("Thu nhập < 1.500.000 & <b>đồng</b>")],
                                 title="x"))
    assert "Thu nhập < 1.500.000 & <b>đồng</b>" in _text(reader.pages[0])


def test_long_table_repeats_header_and_numbers_pages(tmp_path: Path) -> None:
    rows = [["STT", "Họ và tên chủ hộ", "Thôn"]]
    rows += [[i, f"Nguyễn Văn Hưởng {i}", "Thôn Đông"] for i in range(1, 151)]
    story = [header_block(["UBND XÃ TẢ THANH OAI"]), *title_block("DANH SÁCH HỘ CẬN NGHÈO", "Năm 2023"),
             simple_table(rows, col_widths=[15 * 2.83, 250, 150], align=["right", "left", "left"])]
    reader = PdfReader(build_pdf(tmp_path / "dai.pdf", story, title="Danh sách"))
    total = len(reader.pages)
    assert total >= 3
    for number, page in enumerate(reader.pages, start=1):
        text = _text(page)
        assert "Họ và tên chủ hộ" in text, f"header row missing on page {number}"
        assert f"Trang {number}/{total}" in text
    whole = " ".join(_text(p) for p in reader.pages)
    assert "Nguyễn Văn Hưởng 150" in whole and "Nguyễn Văn Hưởng 1 " in whole
    assert "UBND XÃ TẢ THANH OAI" in _text(reader.pages[0])
    assert "UBND XÃ TẢ THANH OAI" not in _text(reader.pages[1])


def test_landscape_page(tmp_path: Path) -> None:
    reader = PdfReader(build_pdf(tmp_path / "ngang.pdf", [para("Báo cáo ngang")], title="x",
                                 page=PageSetup(landscape=True)))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    assert PageSetup(landscape=True).frame_width > PageSetup().frame_width


def test_unwritable_target_gives_vietnamese_error(tmp_path: Path) -> None:
    target = tmp_path / "khong-co" / "bao-cao.pdf"
    with pytest.raises(AppError) as info:
        build_pdf(target, [para("x")], title="x")
    assert "Không ghi được tệp PDF" in info.value.message and str(target) in info.value.message
    assert not target.exists()


def test_missing_font_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANNGHEO_RESOURCES", str(tmp_path))
    with pytest.raises(AppError) as info:
        pdf_base.font_path("DejaVuSans.ttf")
    assert "Thiếu tệp phông chữ" in info.value.message and "DejaVuSans.ttf" in info.value.message


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_renders_to_png(tmp_path: Path) -> None:
    """The page rasterises (poppler accepts the file) and is not blank."""
    path = render_test_page(tmp_path / "p.pdf")
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-singlefile", str(path), str(tmp_path / "p")],
                   check=True, capture_output=True)
    data = (tmp_path / "p.pgm").read_bytes()
    pixels = data[data.index(b"255\n") + 4:]
    dark = sum(1 for b in pixels if b < 128)
    assert dark > 500
