"""Thẻ khóa (key card): a unit's two public keys, its unit code and role, and their fingerprint, as
a JSON file to hand over and as a printable PDF page (fingerprint in large type and a QR code).

The fingerprint (version 2, ``crypto.keycard_fingerprint``) is sha256 over the purpose, the role,
the unit code and both public keys: a card whose keys, unit code or role were changed no longer
matches the fingerprint read over the phone or printed on paper. People see its first 128 bits
as 8 groups of 4 hex digits.

A card file comes from outside: its size is checked before it is read, its JSON is strict
(no NaN/Infinity, no repeated field), and every field is type- and range-checked. Version 1 cards
(64-bit fingerprint over the keys only) are still read, but their printed fingerprint is ignored:
the person compares the version 2 fingerprint the app shows.
"""

from __future__ import annotations

import json
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.codes import check_unit_code
from ..storage.db import Store, utc_now
from . import crypto, keys
from .envelope import require_installation
from .errors import BundleError

CARD_FORMAT = "cannngheo-keycard"
CARD_VERSION = 2
MAX_CARD_BYTES = 64 * 1024
MAX_NAME_CHARS = 120
MAX_CREATED_CHARS = 40
ROLES = crypto.FINGERPRINT_ROLES
ROLE_LABELS = {"commune": "Xã/phường", "aggregator": "Cơ quan tiếp nhận"}


@dataclass(frozen=True)
class KeyCard:
    unit_code: str
    unit_name: str
    role: str
    sign_public: bytes
    encrypt_public: bytes
    created: str
    version: int = CARD_VERSION  # the version of the file it was read from (1: an old card)

    @property
    def fingerprint(self) -> str:
        """The full version 2 fingerprint, 64 hex digits (what the roster stores)."""
        return crypto.keycard_fingerprint(self.role, self.unit_code, self.sign_public, self.encrypt_public)

    @property
    def display_fingerprint(self) -> str:
        """What people compare: 'A1B2 C3D4 E5F6 0718 …' (8 groups, 128 bits)."""
        return crypto.display_fingerprint(self.fingerprint)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def sign_key_id(self) -> str:
        return crypto.key_id(self.sign_public)

    @property
    def encrypt_key_id(self) -> str:
        return crypto.key_id(self.encrypt_public)

    def to_json(self) -> dict[str, Any]:
        return {"format": CARD_FORMAT, "version": CARD_VERSION, "unit_code": self.unit_code,
                "unit_name": self.unit_name, "role": self.role, "sign_public": crypto.b64(self.sign_public),
                "encrypt_public": crypto.b64(self.encrypt_public), "sign_key_id": self.sign_key_id,
                "encrypt_key_id": self.encrypt_key_id, "fingerprint": self.display_fingerprint,
                "fingerprint_full": self.fingerprint,
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


class CardProblem(ValueError):
    """Why a card file is refused (Vietnamese), turned into a BundleError naming the file."""


def read_card(path: Path) -> KeyCard:
    """Read and check a key card file; BundleError (Vietnamese, naming the file) when it is not one."""
    path = Path(path)
    try:
        data = _read_capped(path)
        card = parse_card(data)
    except CardProblem as exc:
        raise BundleError(f"Tệp '{path.name}' không phải thẻ khóa hợp lệ: {exc}. Hãy xin đơn vị kia "
                          "xuất lại thẻ khóa (Xuất thẻ khóa…) và gửi lại tệp .json.", file=str(path)) from exc
    except OSError as exc:
        why = ("không tìm thấy tệp" if isinstance(exc, FileNotFoundError) else
               "không có quyền đọc tệp" if isinstance(exc, PermissionError) else "lỗi khi đọc tệp")
        raise BundleError(f"Không đọc được tệp thẻ khóa '{path.name}': {why}. Hãy kiểm tra USB/thư mục rồi "
                          "chọn lại tệp.", detail=str(exc), file=str(path)) from exc
    return card


def _read_capped(path: Path) -> bytes:
    """At most MAX_CARD_BYTES of a regular file; the size is checked before anything is read."""
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        raise CardProblem("không phải một tệp thông thường")
    if st.st_size > MAX_CARD_BYTES:
        raise CardProblem(f"tệp quá lớn ({st.st_size:,} byte, thẻ khóa không quá {MAX_CARD_BYTES:,} byte)")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise CardProblem("không phải một tệp thông thường")
        data = fh.read(MAX_CARD_BYTES + 1)
    if len(data) > MAX_CARD_BYTES:
        raise CardProblem(f"tệp quá lớn (thẻ khóa không quá {MAX_CARD_BYTES:,} byte)")
    return data


def _no_constant(name: str) -> Any:
    raise CardProblem(f"có giá trị số không hợp lệ ({name})")


def _number(text: str) -> Any:
    """JSON numbers: short integers only (a card has no other numbers)."""
    if len(text) > 12 or not text.lstrip("-").isdigit() or not text.isascii():
        raise CardProblem(f"có giá trị số không hợp lệ ({text[:20]})")
    return int(text)


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise CardProblem(f"trường '{key[:40]}' xuất hiện hai lần")
        out[key] = value
    return out


def plain_text(value: object, field: str, *, limit: int, required: bool = False) -> str:
    """A short single-line text from outside: a str, at most ``limit`` characters, no control or
    formatting characters (no line breaks, no bidi overrides); NFC."""
    if not isinstance(value, str):
        raise CardProblem(f"trường '{field}' phải là chuỗi ký tự")
    text = unicodedata.normalize("NFC", value)
    if len(text) > limit:
        raise CardProblem(f"trường '{field}' dài quá {limit} ký tự")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn") for ch in text):
        raise CardProblem(f"trường '{field}' có ký tự điều khiển hoặc ký tự không in được")
    if required and not text.strip():
        raise CardProblem(f"thiếu trường '{field}'")
    return text


def _public_key(doc: dict[str, Any], field: str) -> bytes:
    value = doc.get(field)
    if not isinstance(value, str) or len(value) > 64:
        raise CardProblem(f"trường '{field}' phải là khóa công khai dạng base64")
    try:
        return crypto.unb64(value, length=32)
    except (ValueError, UnicodeEncodeError) as exc:
        raise CardProblem(f"trường '{field}' không phải khóa công khai 32 byte dạng base64") from exc


def parse_card(data: bytes) -> KeyCard:
    """A key card from the bytes of its file (CardProblem saying why it is not one)."""
    try:
        doc = json.loads(data.decode("utf-8"), parse_constant=_no_constant, parse_int=_number,
                         parse_float=_number, object_pairs_hook=_no_repeats)
    except UnicodeDecodeError as exc:
        raise CardProblem("tệp không phải văn bản UTF-8") from exc
    except (json.JSONDecodeError, RecursionError) as exc:
        raise CardProblem("nội dung không phải JSON hợp lệ") from exc
    if not isinstance(doc, dict) or doc.get("format") != CARD_FORMAT:
        raise CardProblem("không phải thẻ khóa của Cận Nghèo Desktop")
    version = doc.get("version", 1)
    if type(version) is not int or version not in (1, CARD_VERSION):
        raise CardProblem(f"phiên bản thẻ khóa {str(version)[:20]!r} không được hỗ trợ")
    try:
        unit = check_unit_code(doc.get("unit_code"), "mã đơn vị")
    except ValueError as exc:
        raise CardProblem(str(exc)) from exc
    role = doc.get("role")
    if role not in ROLES:
        raise CardProblem(f"vai trò {str(role)[:30]!r} không hợp lệ (commune hoặc aggregator)")
    name = plain_text(doc.get("unit_name", ""), "unit_name", limit=MAX_NAME_CHARS)
    created = plain_text(doc.get("created", ""), "created", limit=MAX_CREATED_CHARS)
    card = KeyCard(unit, name, str(role), _public_key(doc, "sign_public"), _public_key(doc, "encrypt_public"),
                   created, version)
    if version == CARD_VERSION:
        for field in ("fingerprint", "fingerprint_full"):
            shown = doc.get(field)
            if shown is None:
                continue
            if not isinstance(shown, str) or not crypto.fingerprint_matches(shown[:200], card.fingerprint):
                raise CardProblem("dấu vân tay ghi trên thẻ không khớp với các khóa, mã đơn vị và vai trò")
    # version 1: its 64-bit fingerprint covers neither unit nor role; it is ignored (not trusted,
    # not shown) and the person compares the version 2 fingerprint instead.
    return card


def _font() -> tuple[str, str]:
    from ..documents.render.pdf_base import FONT, FONT_BOLD, register_fonts

    register_fonts()
    return FONT, FONT_BOLD


def qr_text(card: KeyCard) -> str:
    """What the printed QR code holds: the card itself (a version 2 card file: unit, name, role,
    both keys, the fingerprint and the date; ``parse_card`` reads it back)."""
    doc = card.to_json()
    for derived in ("sign_public_pem", "sign_key_id", "encrypt_key_id", "fingerprint_full"):
        doc.pop(derived)  # recomputed from the keys: kept out so that the code stays easy to scan
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def card_date(created: str) -> str:
    """'2026-12-04T20:00:00Z' → '05/12/2026': the card's creation time as a Vietnam date (UTC+7)."""
    from datetime import UTC, datetime, timedelta, timezone

    try:
        moment = datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(timezone(timedelta(hours=7))).strftime("%d/%m/%Y")


def write_card_pdf(card: KeyCard, path: Path) -> Path:
    """One A4 page: unit and role, the fingerprint in large monospace type (two lines of four
    groups), a QR code of the card, the key ids and how to compare."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    font, bold = _font()
    width, height = A4
    groups = card.display_fingerprint.split(" ")
    name = unicodedata.normalize("NFC", card.unit_name or "")
    try:
        c = canvas.Canvas(str(path), pagesize=A4)
        c.setTitle(f"Thẻ khóa {card.unit_code}")
        c.setFont(bold, 20)
        c.drawCentredString(width / 2, height - 28 * mm, "THẺ KHÓA — CẬN NGHÈO DESKTOP")
        c.setFont(font, 13)
        c.drawCentredString(width / 2, height - 40 * mm, f"Đơn vị: {name} (mã {card.unit_code})")
        date = card_date(card.created)
        c.drawCentredString(width / 2, height - 48 * mm,
                            f"Vai trò: {card.role_label}" + (f" — ngày tạo {date}" if date else ""))
        c.setFont(font, 12)
        c.drawCentredString(width / 2, height - 62 * mm,
                            "Dấu vân tay (phiên bản 2, 32 ký tự — đọc và so khớp khi nhận thẻ):")
        c.setFont("Courier-Bold", 30)
        c.drawCentredString(width / 2, height - 78 * mm, " ".join(groups[:4]))
        c.drawCentredString(width / 2, height - 92 * mm, " ".join(groups[4:]))
        widget = QrCodeWidget(qr_text(card), barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        size = 80 * mm
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(widget)
        renderPDF.draw(drawing, c, (width - size) / 2, height - 182 * mm)
        c.setFont(font, 10)
        c.drawCentredString(width / 2, height - 190 * mm, f"Khóa ký: {crypto.group_hex(card.sign_key_id)}   "
                                                          f"Khóa mã hóa: {crypto.group_hex(card.encrypt_key_id)}")
        lines = ("Dấu vân tay bao gồm mã đơn vị, vai trò và hai khóa công khai: đổi bất kỳ phần nào, dấu vân tay",
                 "sẽ khác. Khi nhận thẻ, hãy gọi điện cho đơn vị này và đọc từng nhóm 4 ký tự để so khớp.",
                 "Chỉ tin cậy thẻ khóa khi cả 8 nhóm trùng với bản in này.")
        for i, line in enumerate(lines):
            c.drawCentredString(width / 2, height - (200 + 6 * i) * mm, line)
        c.showPage()
        c.save()
    except OSError as exc:
        raise BundleError(f"Không ghi được tệp PDF '{path}': {exc}.", file=str(path)) from exc
    return path
