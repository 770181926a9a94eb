"""The minutes of a village meeting (biên bản họp dân) that agrees the review's results.

Plain data in (``Minutes``, built by documents/review_round.py), one meeting per page: who
met, the households and the result agreed for each, the vote (at least 50% of those present
must agree, Decision 24/2021/QĐ-TTg), the disagreements, and the signatures of the chair, the
secretary and a representative of the households.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from ...core.errors import ValidationError
from ...core.model import CATEGORY_LABELS
from .pdf_base import PageSetup, build_pdf, header_block, para, signature_block, simple_table, title_block
from .xlsx_base import vn_date_line


@dataclass
class Minutes:
    """One meeting: ``households`` are dicts with head_name, address, proposed and result
    (category codes) and note."""

    unit_name: str
    village: str
    year: int
    meeting_date: date
    attendees: int
    votes_for: int | None = None
    votes_against: int | None = None
    chair: str = ""
    secretary: str = ""
    agreed: str = ""
    disagreements: str = ""
    passed: bool = True
    place: str = ""
    households: Sequence[Mapping[str, Any]] = field(default_factory=list)


def _label(code: Any) -> str:
    return CATEGORY_LABELS.get(str(code or ""), "")


def vote_line(m: Minutes) -> str:
    """"Nhất trí 28/35 người (80,0%); không nhất trí 7" or the reason there is no count."""
    if m.votes_for is None:
        return "Biểu quyết: không ghi số phiếu (hội nghị thống nhất chung)."
    share = f"{100 * m.votes_for / m.attendees:.1f}".replace(".", ",") if m.attendees else "0"
    against = f"; không nhất trí: {m.votes_against} người" if m.votes_against is not None else ""
    return f"Biểu quyết: nhất trí {m.votes_for}/{m.attendees} người dự họp ({share}%){against}."


def minutes_story(m: Minutes, width: float) -> list[Flowable]:
    """The flowables of one meeting's minutes."""
    if m.attendees < 1:
        raise ValidationError(f"Biên bản họp {m.village}: số người dự họp phải lớn hơn 0.", field="attendees")
    story: list[Flowable] = [header_block([m.unit_name.upper(), m.village.upper()],
                                          place_date=vn_date_line(m.place or m.village, m.meeting_date))]
    story += title_block("BIÊN BẢN HỌP DÂN",
                         f"Thống nhất kết quả rà soát hộ nghèo, hộ cận nghèo năm {m.year} — {m.village}")
    lines = [
        f"Hôm nay, ngày {m.meeting_date.strftime('%d/%m/%Y')}, tại {m.village}, {m.unit_name}, tổ chức họp dân "
        "để thống nhất kết quả rà soát hộ nghèo, hộ cận nghèo.",
        f"Chủ trì: {m.chair or '..............................'}; thư ký: "
        f"{m.secretary or '..............................'}.",
        f"Số người dự họp: {m.attendees} người (Ban Chỉ đạo rà soát cấp xã, trưởng thôn, rà soát viên, "
        "đại diện các hộ gia đình).",
        f"Nội dung: thông qua kết quả rà soát của {len(m.households)} hộ gia đình như sau:",
    ]
    story += [para(t) for t in lines] + [Spacer(1, 2 * mm)]
    rows: list[list[Any]] = [["TT", "Họ và tên chủ hộ", "Địa chỉ", "Kết quả rà soát", "Kết quả họp dân"]]
    for n, h in enumerate(m.households, start=1):
        rows.append([n, h.get("head_name") or "", h.get("address") or "", _label(h.get("proposed")),
                     _label(h.get("result")) if m.passed else "Chưa thống nhất"])
    story.append(simple_table(rows, [width * f for f in (0.06, 0.28, 0.30, 0.18, 0.18)],
                              align=("center", "left", "left", "left", "left"), small=True))
    story += [Spacer(1, 3 * mm), para(vote_line(m), "bold")]
    if m.passed:
        story.append(para("Kết luận: hội nghị thống nhất kết quả rà soát trên (đạt từ 50% số người dự họp trở lên)."))
    else:
        story.append(para("Kết luận: ý kiến thống nhất dưới 50% số người dự họp; Ban Chỉ đạo rà soát tổ chức rà soát "
                          "lại các hộ và họp dân lại."))
    if m.agreed.strip():
        story.append(para(f"Ý kiến thống nhất: {m.agreed.strip()}"))
    story.append(para("Ý kiến khác: " + (m.disagreements.strip() or "không có.")))
    story += [para("Biên bản lập thành 02 bản: 01 bản lưu ở thôn, 01 bản gửi Ban Chỉ đạo rà soát cấp xã.", "italic"),
              Spacer(1, 6 * mm),
              signature_block("THƯ KÝ", "CHỦ TRÌ CUỘC HỌP", width=width, right_caption="(Ký, ghi rõ họ tên)",
                              left_name=m.secretary, right_name=m.chair),
              Spacer(1, 4 * mm),
              signature_block("", "ĐẠI DIỆN CÁC HỘ DÂN", width=width, right_caption="(Ký, ghi rõ họ tên)")]
    return story


def write_minutes(minutes: Sequence[Minutes], path: Path | str) -> Path:
    """One PDF with the minutes of each meeting on its own page(s)."""
    if not minutes:
        raise ValidationError("Đợt rà soát chưa có biên bản họp dân nào để in.", field="meetings")
    page = PageSetup()
    story: list[Flowable] = []
    for n, m in enumerate(minutes):
        if n:
            story.append(PageBreak())
        story += minutes_story(m, page.frame_width)
    return build_pdf(path, story, title="Biên bản họp dân", page=page)
