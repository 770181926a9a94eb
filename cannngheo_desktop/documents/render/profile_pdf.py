"""Household profiles (hồ sơ hộ) drawn straight on a reportlab canvas: one household per page.

Why a canvas and not platypus: a batch of 1,000 profiles must print at ≥ 60 pages/s, and
Paragraph layout is the slow part of reportlab. Table cells wrap (``simpleSplit``, only when the
text is wider than its cell): text is never cut. A profile longer than a page continues on the
next page under a "(tiếp)" heading with the table header repeated; each page's footer says
"Trang x/y" of that household's profile (its pages are held until the profile ends). A profile
built on a ruleset that is not confirmed is a draft: "(DỰ THẢO)" in its title and the shared
frame's watermark on each page, never a mark inside its cells.

Input is plain data (:class:`Profile`), built by ``cannngheo_desktop.documents.catalogue``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ... import APP_TITLE, __version__
from ...core.errors import AppError
from . import pdf_base
from .pdf_base import FONT, FONT_BOLD, FONT_ITALIC, nfc

PAGE_W, PAGE_H = A4
LEFT, RIGHT = 15 * mm, PAGE_W - 15 * mm
TOP, BOTTOM = PAGE_H - 12 * mm, 16 * mm
WIDTH = RIGHT - LEFT
SIZE, LEAD = 8.5, 10.5
ROW_H = 11.5
CELL_SIZE = 7.5


@dataclass
class Table:
    """A table on the profile: titles, widths in mm (sum ≤ 180), rows of text; ``wrap_col``
    may wrap to 3 lines."""

    titles: Sequence[str]
    widths_mm: Sequence[float]
    rows: Sequence[Sequence[Any]]
    wrap_col: int | None = None
    empty_text: str = "(không có)"


@dataclass
class Profile:
    """One household's profile as printed (plain strings; the service formats values)."""

    unit_lines: Sequence[str]
    date_line: str
    title: str
    subtitle: str
    household_code: str
    sections: list[tuple[str, Any]] = field(default_factory=list)  # (heading, list of (label, value) | Table)
    signature: tuple[str, str] = ("Người lập biểu", "Xác nhận của UBND xã")
    draft: bool = False


_WIDTHS: dict[tuple[str, str, float], float] = {}


def _width(text: str, font: str, size: float) -> float:
    """stringWidth, memoised: labels, headers and short values repeat on every page."""
    key = (text, font, size)
    w = _WIDTHS.get(key)
    if w is None:
        w = stringWidth(text, font, size)
        if len(_WIDTHS) < 50_000:
            _WIDTHS[key] = w
    return w


def _clip(text: str, font: str, size: float, width: float) -> str:
    """The longest prefix of ``text`` that fits ``width`` with "…" (binary search)."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if stringWidth(text[:mid] + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


def _pair_width(label: str, value: Any) -> float:
    """Width of "label: value" as drawn (bold label, regular value)."""
    shown = value if value not in (None, "") else "—"
    return _width(nfc(label) + ": ", FONT_BOLD, SIZE) + _width(nfc(shown), FONT, SIZE)


class _Pen:
    """A cursor over the canvas with the page furniture and overflow handling."""

    def __init__(self, canvas: Canvas, profile: Profile) -> None:
        self.c = canvas
        self.p = profile
        self.y = TOP
        self.page = 1
        self.pending: list[dict[str, Any]] = []

    def text(self, x: float, y: float, value: Any, *, font: str = FONT, size: float = SIZE,
             anchor: str = "left", width: float | None = None) -> None:
        s = nfc(value)
        if width is not None and _width(s, font, size) > width:
            s = _clip(s, font, size, width)
        self.c.setFont(font, size)
        if anchor == "center":
            self.c.drawCentredString(x, y, s)
        elif anchor == "right":
            self.c.drawRightString(x, y, s)
        else:
            self.c.drawString(x, y, s)

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.pending.append(dict(self.c.__dict__))  # footer drawn once the page count is known
            self.c._startPage()
            self.page += 1
            self.y = TOP
            self.text(LEFT, self.y - 8, f"{self.p.title} — {self.p.household_code} (tiếp)", font=FONT_BOLD, size=9)
            self.y -= 20

    def footer(self, page: int, total: int) -> None:
        self.text(LEFT, 9 * mm, f"{APP_TITLE} {__version__}", size=7)
        self.text(RIGHT, 9 * mm, f"Hồ sơ hộ {self.p.household_code} — Trang {page}/{total}", size=7, anchor="right")
        if self.p.draft:
            pdf_base.draw_watermark(self.c, pdf_base.DRAFT_MARK, PAGE_W, PAGE_H)

    def finish(self) -> None:
        """Footers ("Trang x/y") on every held page of this profile, then emit the pages."""
        self.pending.append(dict(self.c.__dict__))
        total = len(self.pending)
        for number, state in enumerate(self.pending, start=1):
            self.c.__dict__.update(state)
            self.footer(number, total)
            self.c.showPage()
        self.pending = []

    def heading(self) -> None:
        left_x, right_x = LEFT + WIDTH * 0.21, LEFT + WIDTH * 0.71
        lines = [x for x in self.p.unit_lines if x]
        for i, line in enumerate(lines[:2]):
            self.text(left_x, self.y - 9 - i * 12, line.upper(), font=FONT_BOLD if i else FONT, size=9,
                      anchor="center", width=WIDTH * 0.42)
        self.text(right_x, self.y - 9, pdf_base.NATION, font=FONT_BOLD, size=9, anchor="center")
        self.text(right_x, self.y - 21, pdf_base.MOTTO, font=FONT_BOLD, size=9, anchor="center")
        self.c.line(right_x - 45, self.y - 24, right_x + 45, self.y - 24)
        if self.p.date_line:
            self.text(right_x, self.y - 36, self.p.date_line, font=FONT_ITALIC, size=8.5, anchor="center")
        self.y -= 50
        title = f"{self.p.title} (dự thảo)" if self.p.draft else self.p.title
        self.text(PAGE_W / 2, self.y, title.upper(), font=FONT_BOLD, size=13, anchor="center")
        self.y -= 14
        if self.p.subtitle:
            self.text(PAGE_W / 2, self.y, self.p.subtitle, font=FONT_ITALIC, size=9, anchor="center")
            self.y -= 8

    def section(self, title: str) -> None:
        if not title:  # a continuation of the previous section (pairs then a table)
            return
        self.need(LEAD * 3)
        self.y -= LEAD + 5
        self.text(LEFT, self.y, title, font=FONT_BOLD, size=9.5)
        self.y -= 3

    def pairs(self, items: Sequence[tuple[str, Any]]) -> None:
        """Label: value pairs in two columns; a long value takes the whole line."""
        half = WIDTH / 2
        i = 0
        while i < len(items):
            label, value = items[i]
            wide = _pair_width(label, value) > half - 6
            self.need(LEAD)
            self.y -= LEAD
            self._pair(LEFT, label, value, WIDTH if wide else half - 6)
            if not wide and i + 1 < len(items):
                nlabel, nvalue = items[i + 1]
                if _pair_width(nlabel, nvalue) <= half - 6:
                    self._pair(LEFT + half, nlabel, nvalue, half - 6)
                    i += 1
            i += 1

    def _pair(self, x: float, label: str, value: Any, width: float) -> None:
        lab = nfc(label) + ": "
        lw = _width(lab, FONT_BOLD, SIZE)
        self.text(x, self.y, lab, font=FONT_BOLD)
        self.text(x + lw, self.y, value if value not in (None, "") else "—", width=width - lw)

    def table(self, t: Table) -> None:
        widths = [w * mm for w in t.widths_mm]
        self.need(ROW_H * 2 + 4)
        self.y -= 4
        self._row(t.titles, widths, font=FONT_BOLD, shade=True, size=7)
        if not t.rows:
            self._row([t.empty_text], [sum(widths)], font=FONT_ITALIC)
        for row in t.rows:
            wrapped = _wrap_row(row, widths)
            lines = max((len(w) for w in wrapped if w is not None), default=1)
            height = ROW_H + (lines - 1) * 9
            if self.y - height < BOTTOM:  # continue on a new page under the repeated header
                self.need(height + ROW_H)
                self._row(t.titles, widths, font=FONT_BOLD, shade=True, size=7)
            self._row(row, widths, wrap=wrapped)

    def _row(self, cells: Sequence[Any], widths: Sequence[float], *, font: str = FONT, shade: bool = False,
             size: float = CELL_SIZE, wrap: Sequence[list[str] | None] = ()) -> None:
        if not wrap and font == FONT_BOLD:  # header titles wrap too (in their own size)
            wrap = _wrap_row(cells, widths, font, size)
        lines = max((len(w) for w in wrap if w is not None), default=1)
        extra = (lines - 1) * 9
        h = ROW_H + extra
        top = self.y
        if shade:
            self.c.setFillGray(0.9)
            self.c.rect(LEFT, top - h, sum(widths), h, stroke=0, fill=1)
            self.c.setFillGray(0)
        x = LEFT
        for i, (value, w) in enumerate(zip(cells, widths, strict=False)):
            if i < len(wrap) and wrap[i] is not None:
                for k, line in enumerate(wrap[i] or []):
                    self.text(x + 2, top - 8.5 - k * 9, line, font=font, size=size)
            else:
                numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
                anchor = "right" if numeric else "left"
                self.text(x + w - 2 if numeric else x + 2, top - 8.5, value, font=font,
                          size=size, anchor=anchor, width=w - 4)
            x += w
        self.c.setLineWidth(0.4)
        self.c.rect(LEFT, top - h, sum(widths), h, stroke=1, fill=0)
        x = LEFT
        for w in widths[:-1]:
            x += w
            self.c.line(x, top, x, top - h)
        self.y = top - h

    def signature(self) -> None:
        self.need(48)
        self.y -= 16
        left_x, right_x = LEFT + WIDTH * 0.25, LEFT + WIDTH * 0.75
        self.text(left_x, self.y, self.p.signature[0], font=FONT_BOLD, size=9.5, anchor="center")
        self.text(right_x, self.y, self.p.signature[1], font=FONT_BOLD, size=9.5, anchor="center")
        self.y -= 11
        self.text(left_x, self.y, "(Ký, ghi rõ họ tên)", font=FONT_ITALIC, anchor="center")
        self.text(right_x, self.y, "(Ký tên, đóng dấu)", font=FONT_ITALIC, anchor="center")
        self.y -= 30


def _wrap_row(cells: Sequence[Any], widths: Sequence[float], font: str = FONT,
              size: float = CELL_SIZE) -> list[list[str] | None]:
    """Per cell: its wrapped lines when the text is wider than the cell, else None (drawn as
    one line). Only text that does not fit is split, so short rows cost one width lookup."""
    out: list[list[str] | None] = []
    for value, w in zip(cells, widths, strict=False):
        if isinstance(value, (int, float)) or value in (None, ""):
            out.append(None)
            continue
        text = nfc(value)
        out.append(simpleSplit(text, font, size, w - 4) if _width(text, font, size) > w - 4 else None)
    return out


def draw_profile(canvas: Canvas, profile: Profile) -> int:
    """Draw one profile from a fresh page; returns the pages it took (the last page is shown)."""
    pen = _Pen(canvas, profile)
    pen.heading()
    for title, body in profile.sections:
        pen.section(title)
        if isinstance(body, Table):
            pen.table(body)
        else:
            pen.pairs(body)
    pen.signature()
    pen.finish()
    return pen.page


def new_canvas(path: Path | str, title: str) -> Canvas:
    """A canvas with the Unicode font registered and metadata set (no Helvetica is ever used)."""
    pdf_base.register_fonts()
    c = Canvas(str(path), pagesize=A4, initialFontName=FONT, pageCompression=1)
    c.setTitle(nfc(title))
    c.setAuthor(APP_TITLE)
    c.setCreator(f"{APP_TITLE} {__version__}")
    return c


def save_canvas(canvas: Canvas) -> None:
    """Save with deflate only: reportlab's default adds an ASCII85 pass over every page, run in
    pure Python when its C accelerator is missing (a third of a batch's time), for no benefit
    in a binary file. ``rl_config.useA85`` is read while saving, so it is switched off only then."""
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        canvas.save()
    finally:
        rl_config.useA85 = saved


def write_profiles(profiles: Iterable[Profile], path: Path, *, title: str = "Hồ sơ hộ",
                   on_profile: Callable[[int], None] | None = None) -> int:
    """Write profiles to one PDF (each starts on a new page); returns the page count. Written
    to a side file and moved into place, so a failure or a cancel leaves no half-written PDF."""
    target = Path(path)
    tmp = target.with_name(target.name + ".part")
    pages = done = 0
    try:
        canvas = new_canvas(tmp, title)
        for profile in profiles:
            pages += draw_profile(canvas, profile)
            done += 1
            if on_profile is not None:
                on_profile(done)
        if not done:
            raise AppError("Không có hộ nào thỏa điều kiện lọc để in hồ sơ. Hãy đổi đơn vị hoặc phân loại.")
        save_canvas(canvas)
        tmp.replace(target)
    except OSError as exc:
        raise AppError(f"Không ghi được tệp PDF '{target}': {exc.strerror or exc}. "
                       "Hãy đóng tệp nếu đang mở, kiểm tra quyền ghi và dung lượng ổ đĩa.") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return pages


def today_line(place: str, on: date) -> str:
    """'Thanh Trì, ngày 05 tháng 03 năm 2023'."""
    return f"{place}, ngày {on.day:02d} tháng {on.month:02d} năm {on.year}" if place else ""


def pairs_from(mapping: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(label, value) pairs in the mapping's order."""
    return list(mapping.items())
