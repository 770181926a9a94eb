"""The chairman's decision recognising the review's results (quyết định công nhận hộ nghèo, hộ
cận nghèo, hộ thoát nghèo, hộ thoát cận nghèo), with the lists of households attached.

Plain data in (``Decision``, built by documents/review_round.py): the number and date, the
round, and the households of each group (poor, near-poor, exited poverty, exited near-poverty).
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
from .pdf_base import PageSetup, build_pdf, header_block, para, signature_block, simple_table, title_block
from .xlsx_base import vn_date_line

# group key → (title of the attached list, phrase in Article 1)
GROUPS = {
    "poor": ("Danh sách hộ nghèo", "hộ nghèo"),
    "near_poor": ("Danh sách hộ cận nghèo", "hộ cận nghèo"),
    "exited_poverty": ("Danh sách hộ thoát nghèo", "hộ thoát nghèo"),
    "exited_near_poverty": ("Danh sách hộ thoát cận nghèo", "hộ thoát cận nghèo"),
}


@dataclass
class Decision:
    """The decision's data; ``groups`` maps a GROUPS key to households (dicts with head_name,
    village, address, member_count)."""

    unit_name: str
    place: str
    decision_no: str
    decision_date: date
    year: int
    round_label: str
    ruleset_label: str
    signer_name: str = ""
    groups: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    draft: bool = False  # scored on a ruleset not yet confirmed: "(DỰ THẢO)" title and watermark


def _counts(d: Decision) -> str:
    parts = [f"{len(d.groups.get(k) or [])} {phrase}" for k, (_t, phrase) in GROUPS.items()]
    return ", ".join(parts)


def decision_story(d: Decision, width: float) -> list[Flowable]:
    """The decision's pages: the decision itself, then one attached list per group."""
    if not d.decision_no.strip():
        raise ValidationError("Quyết định chưa có số.", field="decision_no")
    story: list[Flowable] = [header_block(["ỦY BAN NHÂN DÂN", d.unit_name.upper()], number=f"Số: {d.decision_no}",
                                          place_date=vn_date_line(d.place, d.decision_date))]
    story += title_block("QUYẾT ĐỊNH (DỰ THẢO)" if d.draft else "QUYẾT ĐỊNH", f"Về việc công nhận hộ nghèo, hộ cận nghèo, hộ thoát nghèo, "
                                      f"hộ thoát cận nghèo năm {d.year}")
    story += [para(f"CHỦ TỊCH ỦY BAN NHÂN DÂN {d.unit_name.upper()}", "bold_center"), Spacer(1, 3 * mm)]
    bases = [
        "Căn cứ Luật Tổ chức chính quyền địa phương;",
        f"Căn cứ chuẩn nghèo đa chiều áp dụng cho đợt rà soát ({d.ruleset_label});",
        "Căn cứ Quyết định số 24/2021/QĐ-TTg ngày 16/7/2021 của Thủ tướng Chính phủ quy định quy trình rà soát "
        "hộ nghèo, hộ cận nghèo hằng năm;",
        f"Căn cứ kết quả {d.round_label}, biên bản họp dân và kết quả niêm yết công khai;",
        "Theo đề nghị của Ban Chỉ đạo rà soát hộ nghèo, hộ cận nghèo.",
    ]
    story += [para(t, "italic") for t in bases] + [Spacer(1, 2 * mm), para("QUYẾT ĐỊNH:", "bold_center")]
    articles = [
        f"Điều 1. Công nhận {_counts(d)} trên địa bàn {d.unit_name} (danh sách kèm theo).",
        "Điều 2. Hộ nghèo, hộ cận nghèo có tên trong danh sách được cấp giấy chứng nhận và hưởng các chính "
        "sách theo quy định; hộ thoát nghèo, thoát cận nghèo được hưởng chính sách hỗ trợ theo quy định.",
        "Điều 3. Quyết định có hiệu lực kể từ ngày ký. Ban Chỉ đạo rà soát, công chức phụ trách công tác giảm "
        "nghèo, trưởng các thôn, tổ dân phố và các hộ gia đình có tên tại Điều 1 chịu trách nhiệm thi hành.",
    ]
    for text in articles:
        story += [para(text), Spacer(1, 2 * mm)]
    story += [Spacer(1, 6 * mm), signature_block("", "CHỦ TỊCH", width=width, above_right="TM. ỦY BAN NHÂN DÂN",
                                                 right_name=d.signer_name)]
    for key, (title, _phrase) in GROUPS.items():
        households = d.groups.get(key) or []
        if not households:
            continue
        story += [PageBreak(), *title_block(title.upper(), f"(Kèm theo Quyết định số {d.decision_no} ngày "
                                                           f"{d.decision_date.strftime('%d/%m/%Y')})")]
        rows: list[list[Any]] = [["TT", "Họ và tên chủ hộ", "Thôn/Tổ", "Địa chỉ", "Số nhân khẩu"]]
        rows += [[n, h.get("head_name") or "", h.get("village") or "", h.get("address") or "",
                  h.get("member_count") or ""] for n, h in enumerate(households, start=1)]
        story.append(simple_table(rows, [width * f for f in (0.07, 0.30, 0.17, 0.34, 0.12)],
                                  align=("center", "left", "left", "left", "center"), small=True))
    return story


def write_decision(d: Decision, path: Path | str) -> Path:
    """The decision and its attached lists as one PDF."""
    page = PageSetup()
    title = f"Quyết định {d.decision_no}" + (" (dự thảo)" if d.draft else "")
    return build_pdf(path, decision_story(d, page.frame_width), title=title, page=page, draft=d.draft)
