"""Thẻ khóa (key card): a unit's two public keys and their fingerprint, as a JSON file to hand over
and as a printable PDF page (fingerprint in large type and a QR code) to compare by eye.

The fingerprint is 16 hex digits of sha256 over both raw public keys, so a card whose keys were
swapped no longer matches the printed page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..storage.db import Store, utc_now
from . import crypto, keys
from .envelope import require_installation
from .errors import BundleError

CARD_FORMAT = "cannngheo-keycard"
MAX_CARD_BYTES = 64 * 1024


@dataclass(frozen=True)
class KeyCard:
    unit_code: str
    unit_name: str
    role: str
    sign_public: bytes
    encrypt_public: bytes
    created: str

    @property
    def fingerprint(self) -> str:
        return crypto.card_fingerprint(self.sign_public, self.encrypt_public)

    @property
    def display_fingerprint(self) -> str:
        return crypto.group_hex(self.fingerprint)

    @property
    def sign_key_id(self) -> str:
        return crypto.key_id(self.sign_public)

    @property
    def encrypt_key_id(self) -> str:
        return crypto.key_id(self.encrypt_public)

    def to_json(self) -> dict[str, Any]:
        return {"format": CARD_FORMAT, "version": 1, "unit_code": self.unit_code, "unit_name": self.unit_name,
                "role": self.role, "sign_public": crypto.b64(self.sign_public),
                "encrypt_public": crypto.b64(self.encrypt_public), "sign_key_id": self.sign_key_id,
                "encrypt_key_id": self.encrypt_key_id, "fingerprint": self.display_fingerprint,
                "sign_public_pem": crypto.signing_pem(self.sign_public), "created": self.created}


def own_card(store: Store) -> KeyCard:
    """This copy's current key card."""
    inst = require_installation(store)
    pair = keys.require_keys(store)
    return KeyCard(inst.unit_code, inst.unit_name, inst.role, pair.sign_public, pair.encrypt_public, utc_now())


def write_card(card: KeyCard, out: Path, *, pdf: Path | None = None, pem: Path | None = None) -> list[Path]:
    """Write the card JSON (and optionally the PDF page and the signing key PEM)."""
    written = []
    try:
        Path(out).write_text(json.dumps(card.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
        written.append(Path(out))
        if pem is not None:
            Path(pem).write_text(crypto.signing_pem(card.sign_public), encoding="ascii")
            written.append(Path(pem))
    except OSError as exc:
        raise BundleError(f"Không ghi được thẻ khóa vào '{out}': {exc}.", file=str(out)) from exc
    if pdf is not None:
        written.append(write_card_pdf(card, Path(pdf)))
    return written


def read_card(path: Path) -> KeyCard:
    """Read and check a key card file (BundleError naming the file when it is not one)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_CARD_BYTES:
            raise ValueError("tệp quá lớn")
        doc = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or doc.get("format") != CARD_FORMAT:
            raise ValueError("không phải thẻ khóa của Cận Nghèo Desktop")
        card = KeyCard(str(doc["unit_code"]), str(doc.get("unit_name", "")), str(doc.get("role", "")),
                       crypto.unb64(doc["sign_public"], length=32), crypto.unb64(doc["encrypt_public"], length=32),
                       str(doc.get("created", "")))
        shown = str(doc.get("fingerprint", "")).replace(" ", "").lower()
        if shown and shown != card.fingerprint:
            raise ValueError("dấu vân tay ghi trên thẻ không khớp với các khóa")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise BundleError(f"Tệp '{path.name}' không phải thẻ khóa hợp lệ: {exc}.", file=str(path)) from exc
    return card


def _font() -> tuple[str, str]:
    from ..documents.render.pdf_base import FONT, FONT_BOLD, register_fonts

    register_fonts()
    return FONT, FONT_BOLD


def write_card_pdf(card: KeyCard, path: Path) -> Path:
    """One A4 page: unit, fingerprint in large type, a QR code of the card, the key ids."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    font, bold = _font()
    width, height = A4
    qr_text = json.dumps({"u": card.unit_code, "s": crypto.b64(card.sign_public),
                          "e": crypto.b64(card.encrypt_public), "f": card.fingerprint}, separators=(",", ":"))
    try:
        c = canvas.Canvas(str(path), pagesize=A4)
        c.setTitle(f"Thẻ khóa {card.unit_code}")
        c.setFont(bold, 20)
        c.drawCentredString(width / 2, height - 30 * mm, "THẺ KHÓA — CẬN NGHÈO DESKTOP")
        c.setFont(font, 13)
        c.drawCentredString(width / 2, height - 42 * mm, f"Đơn vị: {card.unit_name} (mã {card.unit_code})")
        role = {"commune": "Xã/phường", "aggregator": "Cơ quan tiếp nhận"}.get(card.role, card.role)
        c.drawCentredString(width / 2, height - 50 * mm, f"Vai trò: {role} — tạo lúc {card.created[:10]}")
        c.setFont(font, 12)
        c.drawCentredString(width / 2, height - 66 * mm, "Dấu vân tay (đọc và so khớp khi nhận thẻ):")
        c.setFont(bold, 30)
        c.drawCentredString(width / 2, height - 82 * mm, card.display_fingerprint)
        widget = QrCodeWidget(qr_text)
        x0, y0, x1, y1 = widget.getBounds()
        size = 80 * mm
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(widget)
        renderPDF.draw(drawing, c, (width - size) / 2, height - 175 * mm)
        c.setFont(font, 10)
        c.drawCentredString(width / 2, height - 185 * mm, f"Khóa ký: {crypto.group_hex(card.sign_key_id)}   "
                                                          f"Khóa mã hóa: {crypto.group_hex(card.encrypt_key_id)}")
        c.drawCentredString(width / 2, height - 193 * mm,
                            "Chỉ tin cậy thẻ khóa khi dấu vân tay trên tệp trùng với bản in này.")
        c.showPage()
        c.save()
    except OSError as exc:
        raise BundleError(f"Không ghi được tệp PDF '{path}': {exc}.", file=str(path)) from exc
    return path
