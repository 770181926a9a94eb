"""The public posting list (danh sách niêm yết công khai) of poor / near-poor households.

Personal data protection (Decree 13/2023): a list pinned on a public board shows an ID number
masked by ``core.personal_data.mask_cccd`` (province code and last 3 digits: ``001******890``),
the same rule in PDF and Excel. The masking happens HERE, in the writer, so no caller can forget
it; only ``internal=True`` (CLI ``--noi-bo``, the "Nội bộ" box of the Reports tab) prints full
numbers, and then the title says "(NỘI BỘ)" and a note says the copy is not for posting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ...core.model import CATEGORY_LABELS
from ...core.personal_data import INTERNAL_MARK, mask_cccd
from ...core.places import in_sentence
from ...review.calendar import DEFAULT_POSTING_DAYS
from .summary import Section, SummaryReport, write_pdf, write_xlsx
from .xlsx_base import Column

COLUMNS = [
    Column("TT", 6, "int", "center"),
    Column("Họ và tên chủ hộ", 24),
    Column("Số định danh cá nhân (CCCD)", 16, align="center"),
    Column("Thôn/Tổ dân phố", 11),
    Column("Địa chỉ", 46),
    Column("Số nhân khẩu", 9, "int", "center"),
    Column("Phân loại hộ", 14),
    Column("Ghi chú", 10),
]


@dataclass
class PostingList:
    """Plain data of the list: households as dicts with head_name, cccd (full: masked when
    written), village, address, member_count, category."""

    unit_lines: Sequence[str]
    unit_name: str
    year: int
    households: Sequence[Mapping[str, Any]]
    place: str = ""
    on: date | None = None
    category: str | None = None
    internal: bool = False
    posting_days: int = DEFAULT_POSTING_DAYS  # Decree 07/2021, Art. 4; a review round may set its own


def _title(posting: PostingList) -> str:
    what = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo"}.get(posting.category or "", "hộ nghèo, hộ cận nghèo")
    if posting.internal:
        return f"Danh sách {what} năm {posting.year} (NỘI BỘ)"
    return f"Danh sách niêm yết công khai {what} năm {posting.year}"


def as_summary(posting: PostingList) -> SummaryReport:
    """The list as a summary sheet with masked ID numbers and the signature block."""
    shown = (lambda v: str(v or "")) if posting.internal else mask_cccd
    rows = [[i, h.get("head_name") or "", shown(h.get("cccd")), h.get("village") or "", h.get("address") or "",
             h.get("member_count") or 0, CATEGORY_LABELS.get(h.get("category") or "", ""), ""]
            for i, h in enumerate(posting.households, start=1)]
    ubnd = f"Ủy ban nhân dân {in_sentence(posting.unit_name)}" if posting.unit_name else "Ủy ban nhân dân"
    notes = [f"Danh sách gồm {len(rows)} hộ, được niêm yết công khai tại trụ sở {ubnd} và nhà văn hóa (nhà sinh "
             f"hoạt cộng đồng) các thôn, tổ dân phố trong thời gian {posting.posting_days:02d} ngày làm việc kể từ ngày niêm "
             f"yết. Ý kiến, khiếu nại (nếu có) xin gửi {ubnd} trong thời gian niêm yết.",
             "Số định danh cá nhân chỉ hiện mã tỉnh và 3 chữ số cuối (bảo vệ dữ liệu cá nhân theo "
             "Nghị định 13/2023/NĐ-CP)."]
    if posting.internal:
        notes = [f"{INTERNAL_MARK}. Danh sách gồm {len(rows)} hộ."]
    return SummaryReport(
        title=_title(posting), columns=COLUMNS, unit_lines=posting.unit_lines,
        subtitle=posting.unit_name, place=posting.place, on=posting.on, notes=notes, landscape=True,
        sections=[Section(rows, total_label="Tổng cộng", sum_columns=(5,))],
        signature=("Người lập biểu", "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"), sheet_name="Niem yet")


def write_posting_list(posting: PostingList, path: Path, fmt: str = "xlsx") -> Path:
    """Write the posting list as Excel or PDF."""
    report = as_summary(posting)
    return write_pdf(report, path) if fmt == "pdf" else write_xlsx(report, path)
