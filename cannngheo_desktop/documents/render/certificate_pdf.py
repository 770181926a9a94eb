"""Giấy chứng nhận hộ nghèo / hộ cận nghèo (certificate), one household per A4 page.

The data is a plain mapping (review.outcome.certificate_record): number, category,
head (name, ethnicity, ID number and date), address, members, validity year, unit, decision,
signer. The certificate is handed to the household itself, so ID numbers are printed in full
(unlike the public posting list).

Names as of the certificate's date: the issuing unit is written in lower case inside sentences
("Ủy ban nhân dân xã Ngọc Hồi chứng nhận"), and from 1/7/2025 (district level abolished, communes
merged) the address drops its district part and names the issuing commune, the former commune in
brackets: "Số 92, Thôn 1, xã Ngọc Hồi (xã Đại Áng cũ), Hà Nội" (:func:`core.places.address_as_of`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle

from ...core.errors import ValidationError
from ...core.model import NEAR_POOR, POOR, RELATIONS
from ...core.places import address_as_of, in_sentence
from ...core.text import format_date
from .pdf_base import FONT, PageSetup, build_pdf, header_block, para, simple_table, styles

TITLES = {POOR: "GIẤY CHỨNG NHẬN HỘ NGHÈO", NEAR_POOR: "GIẤY CHỨNG NHẬN HỘ CẬN NGHÈO"}
CATEGORY_WORDS = {POOR: "hộ nghèo", NEAR_POOR: "hộ cận nghèo"}


def place_date_line(place: str, on: date | str | None) -> str:
    """"Thanh Trì, ngày 05 tháng 12 năm 2026" ('' parts left blank for hand-writing)."""
    if on is None or on == "":
        return f"{place}, ngày ..... tháng ..... năm ......."
    day = on if isinstance(on, date) else date.fromisoformat(str(on)[:10])
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def _day(value: Any) -> date | None:
    if not value:
        return None
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def unit_heading(unit_name: str) -> list[str]:
    """The issuing authority lines: "ỦY BAN NHÂN DÂN" over the commune's name."""
    return ["ỦY BAN NHÂN DÂN", unit_name.upper()]


def signer_block(signer_name: str, *, title: str = "CHỦ TỊCH") -> Table:
    """Right-hand signature block: "TM. ỦY BAN NHÂN DÂN", the title, room to sign, the name."""
    cells = [para("TM. ỦY BAN NHÂN DÂN", "bold_center"), para(title, "bold_center"),
             para("(Ký, ghi rõ họ tên, đóng dấu)", "small_center"), Spacer(1, 18 * mm),
             para(signer_name or "", "bold_center")]
    table = Table([["", cells]], colWidths=["45%", "55%"])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _birth_year(value: str | None) -> str:
    return (value or "")[:4]


def certificate_story(cert: Mapping[str, Any]) -> list[Flowable]:
    """The flowables of one certificate (one page)."""
    category = cert.get("category")
    if category not in TITLES:
        raise ValidationError(
            f"Hộ {cert.get('head_name') or ''} không thuộc diện nghèo/cận nghèo: không cấp giấy chứng nhận.",
            field="category")
    unit = str(cert.get("unit_name") or "")
    place = unit.removeprefix("Xã ").removeprefix("Phường ").removeprefix("Thị trấn ")
    st = styles()
    story: list[Flowable] = [header_block(unit_heading(unit),
                                          place_date=place_date_line(place, cert.get("date")))]
    story += [Spacer(1, 8 * mm), para(TITLES[category], "title"),
              para(f"Số: {cert.get('number') or '........'}", "bold_center"), Spacer(1, 6 * mm)]
    decision = ""
    if cert.get("decision_no"):
        decision = f" theo Quyết định số {cert['decision_no']}"
        if cert.get("decision_date"):
            decision += f" ngày {format_date(cert['decision_date'])}"
        decision += f" của Ủy ban nhân dân {in_sentence(unit)}"
    id_line = f"Số định danh cá nhân (CCCD): {cert.get('cccd') or '....................'}"
    if cert.get("cccd_date"):
        id_line += f"   ngày cấp: {format_date(cert['cccd_date'])}"
    lines = [
        f"Ủy ban nhân dân {in_sentence(unit)} chứng nhận:",
        f"Họ và tên chủ hộ: {cert.get('head_name') or ''}",
        f"Dân tộc: {cert.get('ethnicity') or ''}",
        id_line,
        f"Nơi cư trú: {address_as_of(str(cert.get('address') or ''), unit, _day(cert.get('date')))}",
        f"Là {CATEGORY_WORDS[category]}{decision}.",
        "Các thành viên trong hộ gia đình:",
    ]
    for text in lines:
        story += [para(text, st["normal"]), Spacer(1, 2 * mm)]
    rows: list[Sequence[Any]] = [["TT", "Họ và tên", "Năm sinh", "Quan hệ với chủ hộ", "Số định danh cá nhân"]]
    for n, m in enumerate(cert.get("members") or [], start=1):
        rows.append([n, m.get("full_name") or "", _birth_year(m.get("birth_date")),
                     RELATIONS.get(m.get("relation") or "", m.get("relation") or ""), m.get("cccd") or ""])
    story.append(simple_table(rows, col_widths=[12 * mm, 58 * mm, 22 * mm, 42 * mm, 46 * mm],
                              align=["center", "left", "center", "left", "center"]))
    story += [Spacer(1, 5 * mm),
              para(f"Giấy chứng nhận này có giá trị trong năm {cert.get('validity_year') or ''}.", "bold"),
              Spacer(1, 8 * mm), signer_block(str(cert.get("signer_name") or ""))]
    return story


def write_certificates(certs: Sequence[Mapping[str, Any]], path: Path | str) -> Path:
    """One PDF with one certificate per page (a single certificate is a batch of one)."""
    if not certs:
        raise ValidationError("Không có hộ nào để in giấy chứng nhận.", field="certificates")
    story: list[Flowable] = []
    for n, cert in enumerate(certs):
        if n:
            story.append(PageBreak())
        story += certificate_story(cert)
    title = "Giấy chứng nhận hộ nghèo, hộ cận nghèo" if len(certs) > 1 else TITLES[certs[0]["category"]].capitalize()
    return build_pdf(path, story, title=title, page=PageSetup(footer_left=""))
