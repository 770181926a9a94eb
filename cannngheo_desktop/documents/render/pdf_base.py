"""The one page frame of every PDF the app writes: Unicode font, Vietnamese page furniture, tables.

reportlab's built-in fonts (Helvetica…) have no Vietnamese glyphs, and frozen builds lose
reportlab's own font files, so the DejaVu TTFs shipped in ``resources/fonts`` are registered
under the family name ``DejaVuSans``. Every string goes through :func:`nfc` before it is drawn:
reportlab places a decomposed (NFD) tone mark as a separate glyph beside its letter.

How a document is put together (every writer in ``documents/render`` does this)::

    story = [header_block(["UBND XÃ ĐẠI ÁNG"], place_date=vn_date_line("Đại Áng", day),
                          number="Số: 12/QĐ-UBND")]
    story += title_block("QUYẾT ĐỊNH", "Về việc …")
    story.append(simple_table(rows, widths, header_rows=1, span_rows=[5]))   # wraps, repeats header
    story.append(signature_block("Người lập biểu", "TM. ỦY BAN NHÂN DÂN", width=frame_width))
    build_pdf(path, story, title="…", page=PageSetup(landscape=False), draft=False)

* :func:`header_block` — the issuing unit top left (as valid on the document's date: the caller
  resolves the name, see ``documents.context``), the national name and motto top right, the
  document number under the unit and the place-and-date line under the motto.
* :func:`simple_table` — every cell is a wrapping paragraph (text is never cut), header rows are
  repeated on every page, ``span_rows`` are full-width sub-headings (section labels).
* :func:`signature_block` — the form's signature columns: a bold title, an italic caption, room
  to sign and an optional printed name.
* :func:`build_pdf` — A4 portrait/landscape, "Trang x/y" on every page; ``draft=True`` (a
  document built on rules not yet confirmed) prints a grey "DỰ THẢO" watermark on every page, and
  the caller puts "(DỰ THẢO)" in the title: no draft mark goes into the cells of a signed document.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ... import APP_TITLE, __version__
from ...core.errors import AppError
from ...paths import resource_path

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
_FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf", FONT_ITALIC: "DejaVuSans-Oblique.ttf"}

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
MARGIN = 15 * mm

TEST_SENTENCE = ("Cận Nghèo Desktop — kiểm tra phông chữ tiếng Việt: Nguyễn Văn Đức, Trần Thị Hoà, "
                 "Đặng Thị Ngọc Ánh, Lương Văn Hưởng")


def nfc(text: Any) -> str:
    """Any value as NFC text ('' for None); unlike core.text.nfc, inner spacing is kept."""
    if text is None:
        return ""
    return unicodedata.normalize("NFC", str(text))


def font_path(file_name: str) -> Path:
    """The shipped font file (source tree or frozen build); AppError if the install lost it."""
    path = resource_path("fonts", file_name)
    if not path.is_file():
        raise AppError(
            f"Thiếu tệp phông chữ '{path}'. Hãy cài lại Cận Nghèo Desktop để in được tiếng Việt.")
    return path


def register_fonts() -> str:
    """Register the shipped DejaVu fonts once (idempotent); returns the family name.

    Raises AppError with a Vietnamese message when a font file is missing (damaged install).
    """
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, file_name in _FONT_FILES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(font_path(file_name))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic=FONT_BOLD)
    return FONT


def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles using the Unicode font: normal, bold, italic, title, subtitle, small,
    plus centred/right-aligned variants (``center``, ``right``, ``bold_center``)."""
    register_fonts()
    normal = ParagraphStyle("normal", fontName=FONT, fontSize=10, leading=13, alignment=TA_LEFT)
    out = {
        "normal": normal,
        "bold": ParagraphStyle("bold", parent=normal, fontName=FONT_BOLD),
        "italic": ParagraphStyle("italic", parent=normal, fontName=FONT_ITALIC),
        "title": ParagraphStyle("title", parent=normal, fontName=FONT_BOLD, fontSize=14, leading=18,
                                alignment=TA_CENTER, spaceBefore=6, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=normal, fontName=FONT_ITALIC, alignment=TA_CENTER,
                                   spaceAfter=6),
        "small": ParagraphStyle("small", parent=normal, fontSize=8, leading=10),
        "center": ParagraphStyle("center", parent=normal, alignment=TA_CENTER),
        "right": ParagraphStyle("right", parent=normal, alignment=TA_RIGHT),
        "bold_center": ParagraphStyle("bold_center", parent=normal, fontName=FONT_BOLD, alignment=TA_CENTER),
    }
    out["small_center"] = ParagraphStyle("small_center", parent=out["small"], alignment=TA_CENTER)
    out["small_right"] = ParagraphStyle("small_right", parent=out["small"], alignment=TA_RIGHT)
    out["small_bold"] = ParagraphStyle("small_bold", parent=out["small"], fontName=FONT_BOLD)
    return out


def para(text: Any, style: str | ParagraphStyle = "normal") -> Paragraph:
    """A paragraph of plain text (NFC, markup characters escaped, line breaks kept)."""
    st = styles()[style] if isinstance(style, str) else style
    body = escape(nfc(text)).replace("\n", "<br/>")
    return Paragraph(body, st)


def header_block(unit_lines: Sequence[str], *, place_date: str = "", number: str = "") -> Table:
    """The administrative heading: the issuing unit on the left ("UBND …" above the office),
    the national name and motto on the right, optionally the document number ("Số: …") under
    the unit and the place-and-date line ("Đại Áng, ngày … ") under the motto."""
    st = styles()
    left: list[Flowable] = [para(line, "bold_center") for line in unit_lines if line] or [para("", "center")]
    if number:
        left.append(Spacer(1, 3 * mm))
        left.append(para(number, "center"))
    right = [para(NATION, "bold_center"), para(MOTTO, "bold_center")]
    if place_date:
        right.append(Spacer(1, 3 * mm))
        right.append(para(place_date, ParagraphStyle("pd", parent=st["italic"], alignment=TA_CENTER)))
    table = Table([[left, right]], colWidths=["42%", "58%"])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # tables default to Helvetica (no Vietnamese)
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def title_block(title: str, subtitle: str = "") -> list[Flowable]:
    """The report's title (bold, centred, upper case kept as given) and an optional subtitle."""
    out: list[Flowable] = [Spacer(1, 5 * mm), para(title, "title")]
    if subtitle:
        out.append(para(subtitle, "subtitle"))
    out.append(Spacer(1, 3 * mm))
    return out


def _cell(value: Any, style: ParagraphStyle) -> Any:
    if isinstance(value, Flowable):
        return value
    return para(value, style)


def simple_table(data: Sequence[Sequence[Any]], col_widths: Sequence[float] | None = None,
                 header_rows: int = 1, *, align: Sequence[str] | None = None,
                 small: bool = False, span_rows: Sequence[int] = ()) -> Table:
    """A bordered table whose first ``header_rows`` rows are bold, shaded and repeated on every
    page. Cells may be plain values (wrapped as NFC paragraphs: long text wraps, never cut) or
    flowables. ``align`` gives a per-column alignment for body cells: 'left', 'center' or
    'right' (numbers). ``span_rows`` (indexes into ``data``) are section labels: their first
    cell is bold and spans the whole width, so a label never breaks inside a narrow column."""
    st = styles()
    base = "small" if small else "normal"
    head_style = ParagraphStyle("th", parent=st[base], fontName=FONT_BOLD, alignment=TA_CENTER)
    body_styles = {
        "left": st[base],
        "center": ParagraphStyle("tdc", parent=st[base], alignment=TA_CENTER),
        "right": ParagraphStyle("tdr", parent=st[base], alignment=TA_RIGHT),
    }
    rows = []
    for r, row in enumerate(data):
        cells = []
        for c, value in enumerate(row):
            if r < header_rows:
                style = head_style
            elif r in span_rows:
                style = ParagraphStyle("tds", parent=st[base], fontName=FONT_BOLD)
            else:
                style = body_styles[(align[c] if align and c < len(align) else "left")]
            cells.append(_cell(value, style))
        rows.append(cells)
    table = Table(rows, colWidths=list(col_widths) if col_widths else None, repeatRows=header_rows)
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # tables default to Helvetica (no Vietnamese)
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#E8E8E8")))
    for r in span_rows:
        commands.append(("SPAN", (0, r), (-1, r)))
        commands.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#F4F4F4")))
    table.setStyle(TableStyle(commands))
    return table


def signature_block(left: str, right: str, *, width: float, left_caption: str = "(Ký, ghi rõ họ tên)",
                    right_caption: str = "(Ký, ghi rõ họ tên, đóng dấu)", left_name: str = "",
                    right_name: str = "", above_right: str = "") -> Table:
    """The form's two signature columns: bold title ("TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH" in
    ``above_right`` + ``right``), italic caption, 25 mm to sign, then the printed names. An
    empty ``left`` leaves the left column blank (forms with one signer)."""
    st = styles()
    italic = ParagraphStyle("sig_i", parent=st["italic"], alignment=TA_CENTER)
    right_title = [para(above_right, "bold_center")] if above_right else []
    cells = [[[para(left, "bold_center")] if left else "", right_title + [para(right, "bold_center")]],
             [para(left_caption, italic) if left else "", para(right_caption, italic)],
             [para(left_name, "bold_center") if left else "", para(right_name, "bold_center")]]
    table = Table(cells, colWidths=[width / 2, width / 2], rowHeights=[None, 25 * mm, None])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    table.keepWithNext = False
    return table


class _NumberedCanvas(rl_canvas.Canvas):
    """Defers each page until the end so the footer can say "Trang x/y"."""

    footer_left = ""
    watermark = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Without this the canvas starts (and registers) Helvetica, which has no Vietnamese.
        kwargs["initialFontName"] = kwargs.get("initialFontName") or FONT
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab API
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        width, height = self._pagesize
        if self.watermark:
            draw_watermark(self, self.watermark, width, height)
        self.saveState()
        self.setFont(FONT, 8)
        self.setFillColor(colors.HexColor("#444444"))
        self.drawRightString(width - MARGIN, 8 * mm, nfc(f"Trang {self._pageNumber}/{total}"))
        if self.footer_left:
            self.drawString(MARGIN, 8 * mm, nfc(self.footer_left))
        self.restoreState()


DRAFT_MARK = "DỰ THẢO"


def draw_watermark(canvas: rl_canvas.Canvas, text: str, width: float, height: float) -> None:
    """A large light-grey diagonal ``text`` across the page (drawn over the content, translucent
    enough to read through)."""
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.6, 0.6, 0.6, alpha=0.25))
    canvas.setFont(FONT_BOLD, 72)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(35)
    canvas.drawCentredString(0, -24, nfc(text))
    canvas.restoreState()


@dataclass(frozen=True)
class PageSetup:
    """Page size and orientation; ``footer_left`` is printed left of the page number."""

    landscape: bool = False
    footer_left: str = f"{APP_TITLE} {__version__}"

    @property
    def size(self) -> tuple[float, float]:
        return landscape(A4) if self.landscape else A4

    @property
    def frame_width(self) -> float:
        return self.size[0] - 2 * MARGIN


def build_pdf(path: Path | str, story: Sequence[Flowable], *, title: str,
              page: PageSetup | None = None, author: str = "", draft: bool = False) -> Path:
    """Write ``story`` to ``path`` (A4, portrait or landscape) with "Trang x/y" footers; a
    ``draft`` gets the "DỰ THẢO" watermark on every page.

    The file is written next to the target and moved into place, so a failure never leaves a
    half-written PDF. Raises AppError (Vietnamese) when the target cannot be written.
    """
    register_fonts()
    page = page or PageSetup()
    target = Path(path)
    tmp = target.with_name(target.name + ".part")
    footer = page.footer_left
    canvas_cls = type("FooterCanvas", (_NumberedCanvas,),
                      {"footer_left": footer, "watermark": DRAFT_MARK if draft else ""})
    doc = SimpleDocTemplate(
        str(tmp), pagesize=page.size, leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN, bottomMargin=MARGIN + 5 * mm,
        title=nfc(title), author=nfc(author or APP_TITLE), creator=f"{APP_TITLE} {__version__}")
    try:
        doc.build(list(story), canvasmaker=canvas_cls)
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise AppError(f"Không ghi được tệp PDF '{target}': {exc.strerror or exc}. "
                       "Hãy đóng tệp nếu đang mở, kiểm tra quyền ghi và dung lượng ổ đĩa.") from exc
    return target


def render_test_page(path: Path | str) -> Path:
    """A one-page PDF with a Vietnamese sentence, header, a small table and footer (self-test)."""
    story: list[Flowable] = [header_block(["UBND HUYỆN THANH TRÌ", "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"],
                                          place_date="Thanh Trì, ngày 01 tháng 01 năm 2026")]
    story += title_block("TRANG KIỂM TRA PHÔNG CHỮ", "Kiểm tra dấu thanh tiếng Việt")
    story.append(para(TEST_SENTENCE))
    story.append(Spacer(1, 4 * mm))
    story.append(simple_table(
        [["STT", "Họ và tên", "Xã/Thị trấn"],
         [1, "Nguyễn Văn Đức", "Thị trấn Văn Điển"],
         [2, "Đặng Thị Ngọc Ánh", "Xã Tả Thanh Oai"]],
        col_widths=[15 * mm, 80 * mm, 70 * mm], align=["center", "left", "left"]))
    return build_pdf(path, story, title="Kiểm tra phông chữ tiếng Việt")
