"""The written reply to a refused request (văn bản trả lời, nêu rõ lý do), one per page.

Data: the same plain mapping as the certificate (review.outcome.certificate_record),
with ``refusal_reason``, ``reply_date``, ``request_kind``, ``request_date`` and ``request_by``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from ...core.errors import ValidationError
from ...core.text import format_date
from .certificate_pdf import place_date_line, signer_block, unit_heading
from .pdf_base import PageSetup, build_pdf, header_block, para

ASKED = {"recognise": "công nhận hộ nghèo, hộ cận nghèo", "exit": "công nhận thoát nghèo, thoát cận nghèo"}


def reply_story(reply: Mapping[str, Any]) -> list[Flowable]:
    """The flowables of one written reply."""
    if not reply.get("refusal_reason"):
        raise ValidationError(f"Hộ {reply.get('head_name') or ''} không có lý do từ chối để trả lời.",
                              field="refusal_reason")
    unit = str(reply.get("unit_name") or "")
    place = unit.removeprefix("Xã ").removeprefix("Phường ").removeprefix("Thị trấn ")
    asked = ASKED.get(str(reply.get("request_kind") or ""), "công nhận hộ nghèo, hộ cận nghèo")
    when = f" ngày {format_date(reply['request_date'])}" if reply.get("request_date") else ""
    by = reply.get("request_by") or reply.get("head_name") or ""
    story: list[Flowable] = [header_block(unit_heading(unit), place_date=place_date_line(place, reply.get("reply_date")))]
    story += [Spacer(1, 8 * mm), para("VĂN BẢN TRẢ LỜI", "title"),
              para(f"V/v đề nghị {asked}", "subtitle"), Spacer(1, 6 * mm)]
    body = [
        f"Kính gửi: Ông/Bà {by}",
        f"Nơi cư trú: {reply.get('address') or ''}",
        f"Ủy ban nhân dân {unit} đã nhận giấy đề nghị{when} của hộ gia đình ông/bà {reply.get('head_name') or ''} "
        f"về việc {asked}.",
        "Căn cứ kết quả rà soát, họp dân và niêm yết công khai"
        + (f", Quyết định số {reply['decision_no']}" if reply.get("decision_no") else "")
        + f", Ủy ban nhân dân {unit} trả lời như sau: không công nhận theo đề nghị.",
        f"Lý do: {reply['refusal_reason']}",
        "Nếu không đồng ý, hộ gia đình có quyền khiếu nại theo quy định của pháp luật.",
    ]
    for text in body:
        story += [para(text), Spacer(1, 3 * mm)]
    story += [Spacer(1, 8 * mm), signer_block(str(reply.get("signer_name") or ""))]
    return story


def write_replies(replies: Sequence[Mapping[str, Any]], path: Path | str) -> Path:
    """One PDF with one written reply per page."""
    if not replies:
        raise ValidationError("Không có hộ nào bị từ chối để in văn bản trả lời.", field="replies")
    story: list[Flowable] = []
    for n, reply in enumerate(replies):
        if n:
            story.append(PageBreak())
        story += reply_story(reply)
    return build_pdf(path, story, title="Văn bản trả lời đề nghị", page=PageSetup(footer_left=""))
