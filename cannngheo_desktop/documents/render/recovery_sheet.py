"""The recovery sheet (phiếu khôi phục) printed at setup: the recovery key of an encrypted
database, what it is for, and where to keep it. Plain reportlab on one A4 page; nothing about a
household is on it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from .pdf_base import FONT, FONT_BOLD, register_fonts

ADVICE = (
    "Mã này mở được tệp dữ liệu khi quên mật khẩu: gõ mã vào ô mật khẩu khi đăng nhập, rồi đặt mật khẩu mới.",
    "Cất phiếu nơi an toàn (tủ có khóa), KHÔNG để cùng máy tính, KHÔNG chụp ảnh, KHÔNG gửi qua mạng.",
    "Ai có mã này và tệp dữ liệu thì đọc được toàn bộ hồ sơ hộ gia đình (dữ liệu cá nhân nhạy cảm "
    "theo Nghị định 13/2023/NĐ-CP).",
    "Không có mật khẩu và không có mã này thì không ai đọc được dữ liệu, kể cả người viết phần mềm.",
    "Mã dùng cho tệp dữ liệu này và mọi bản sao lưu của nó.",
)


def render_recovery_sheet(path: Path | str, *, recovery: str, unit_name: str, db_file: str,
                          on: date | None = None) -> Path:
    register_fonts()
    out = Path(path)
    pdf = canvas.Canvas(str(out), pagesize=A4)
    pdf.setTitle("Phiếu khôi phục — Cận Nghèo Desktop")
    width, height = A4
    y = height - 25 * mm
    pdf.setFont(FONT_BOLD, 16)
    pdf.drawCentredString(width / 2, y, "PHIẾU KHÔI PHỤC DỮ LIỆU")
    y -= 8 * mm
    pdf.setFont(FONT, 11)
    pdf.drawCentredString(width / 2, y, "Cận Nghèo Desktop — tệp dữ liệu đã mã hóa")
    y -= 14 * mm
    for label, value in (("Đơn vị", unit_name), ("Tệp dữ liệu", db_file),
                         ("Ngày lập", (on or date.today()).strftime("%d/%m/%Y"))):
        pdf.setFont(FONT_BOLD, 11)
        pdf.drawString(20 * mm, y, f"{label}:")
        pdf.setFont(FONT, 11)
        pdf.drawString(50 * mm, y, value[:80])
        y -= 7 * mm
    y -= 8 * mm
    pdf.setFont(FONT_BOLD, 12)
    pdf.drawString(20 * mm, y, "Mã khôi phục:")
    y -= 14 * mm
    pdf.rect(18 * mm, y - 6 * mm, width - 36 * mm, 18 * mm)
    pdf.setFont("Courier-Bold", 18)
    pdf.drawCentredString(width / 2, y, recovery)
    y -= 20 * mm
    pdf.setFont(FONT, 10.5)
    for line in ADVICE:
        for part in simpleSplit(line, FONT, 10.5, width - 40 * mm):
            pdf.drawString(20 * mm, y, part)
            y -= 6 * mm
        y -= 2 * mm
    y -= 10 * mm
    pdf.setFont(FONT, 10.5)
    pdf.drawString(20 * mm, y, "Người giữ phiếu (ký, ghi rõ họ tên): .................................................")
    pdf.showPage()
    pdf.save()
    return out

