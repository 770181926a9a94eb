"""manifest.json: what a bundle is, who sent it to whom, and the hashes that bind its payload.

The manifest bytes are signed exactly as written (UTF-8 JSON, sorted keys), so the signature can
be checked with standard tools without re-serialising anything.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..core.codes import check_unit_code
from . import crypto
from .errors import refuse

FORMAT_NAME = "cannngheo-bundle"
FORMAT_VERSION = 1
KINDS = ("commune-report", "receipt", "reference", "recovery")
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_KEYID = re.compile(r"^[0-9a-f]{16}$")
_BUNDLE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # uuid4 text
_CREATED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?")
_PRINTABLE = re.compile(r"[\x21-\x7e]{1,200}")  # versions, base64 keys, key ids: stored and shown as is
MAX_SEQUENCE = 2**31 - 1  # one bundle a month for 178 million years; SQLite INTEGER never overflows


@dataclass
class Manifest:
    bundle_id: str
    kind: str
    sender_unit: str
    sender_key_id: str
    recipient_unit: str
    recipient_key_id: str
    period: str
    sequence: int
    prev_sha256: str | None
    created_at: str
    app_version: str
    schema_version: int
    ephemeral_public_key: str
    nonce: str
    payload_size: int
    payload_sha256: str
    rows: dict[str, int]
    full: bool = False
    key_update: dict[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "format": FORMAT_NAME, "format_version": FORMAT_VERSION, "bundle_id": self.bundle_id,
            "kind": self.kind,
            "sender": {"unit": self.sender_unit, "key_id": self.sender_key_id},
            "recipient": {"unit": self.recipient_unit, "key_id": self.recipient_key_id},
            "period": self.period, "sequence": self.sequence, "prev_sha256": self.prev_sha256,
            "created_at": self.created_at, "app_version": self.app_version,
            "schema_version": self.schema_version, "full": self.full,
            "encryption": {"scheme": "X25519-HKDF-SHA256-AES-256-GCM", "compression": "zlib",
                           "ephemeral_public_key": self.ephemeral_public_key, "nonce": self.nonce,
                           "aad": "bundle_id"},
            "payload": [{"name": "payload.bin", "size": self.payload_size, "sha256": self.payload_sha256,
                         "rows": dict(sorted(self.rows.items()))}],
        }
        if self.key_update:
            doc["key_update"] = self.key_update
        return doc

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def _get(doc: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = doc.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"trường '{key}' thiếu hoặc sai kiểu")
    return value


def parse_manifest(path: Path, data: bytes) -> Manifest:
    """Strictly parse manifest bytes; BundleError naming the file and the bad field otherwise."""
    try:
        doc = json.loads(data.decode("utf-8"))
        if not isinstance(doc, dict):
            raise ValueError("không phải một đối tượng JSON")
        if doc.get("format") != FORMAT_NAME:
            raise ValueError("không phải gói của Cận Nghèo Desktop")
        version = _get(doc, "format_version", int)
        if version > FORMAT_VERSION:
            raise refuse(path, f"định dạng gói phiên bản {version} mới hơn bản này hiểu ({FORMAT_VERSION}). "
                               "Hãy cập nhật chương trình.")
        sender, recipient = _get(doc, "sender", dict), _get(doc, "recipient", dict)
        enc = _get(doc, "encryption", dict)
        payload = _get(doc, "payload", list)
        if len(payload) != 1 or not isinstance(payload[0], dict) or payload[0].get("name") != "payload.bin":
            raise ValueError("danh sách tệp dữ liệu không hợp lệ")
        rows = _get(payload[0], "rows", dict)
        if not all(isinstance(k, str) and isinstance(v, int) and v >= 0 for k, v in rows.items()):
            raise ValueError("số dòng theo bảng không hợp lệ")
        m = Manifest(
            bundle_id=_get(doc, "bundle_id", str), kind=_get(doc, "kind", str),
            sender_unit=_get(sender, "unit", str), sender_key_id=_get(sender, "key_id", str),
            recipient_unit=_get(recipient, "unit", str), recipient_key_id=_get(recipient, "key_id", str),
            period=_get(doc, "period", str), sequence=_get(doc, "sequence", int),
            prev_sha256=doc.get("prev_sha256"), created_at=_get(doc, "created_at", str),
            app_version=_get(doc, "app_version", str), schema_version=_get(doc, "schema_version", int),
            ephemeral_public_key=_get(enc, "ephemeral_public_key", str), nonce=_get(enc, "nonce", str),
            payload_size=_get(payload[0], "size", int), payload_sha256=_get(payload[0], "sha256", str),
            rows=rows, full=bool(doc.get("full", False)), key_update=doc.get("key_update"))
        _check(m)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise refuse(path, f"tệp kê khai manifest.json không hợp lệ ({exc}).") from exc
    return m


def _check(m: Manifest) -> None:
    # Unit codes reach queries, screens and receipt file names: digits only (core.codes).
    check_unit_code(m.sender_unit, "mã đơn vị gửi")
    check_unit_code(m.recipient_unit, "mã đơn vị nhận")
    if not _BUNDLE_ID.fullmatch(m.bundle_id):
        raise ValueError("mã gói (bundle_id) không hợp lệ")
    if not _CREATED_AT.fullmatch(m.created_at):
        raise ValueError("thời điểm lập gói (created_at) không đúng dạng ngày giờ ISO")
    if not (_PRINTABLE.fullmatch(m.app_version) and len(m.app_version) <= 40):
        raise ValueError("phiên bản chương trình (app_version) không hợp lệ")
    if m.kind not in KINDS:
        raise ValueError(f"loại gói {m.kind!r:.40} không được hỗ trợ")
    if not _PERIOD.match(m.period):
        raise ValueError(f"kỳ '{m.period}' không đúng dạng YYYY-MM")
    if not 1 <= m.sequence <= MAX_SEQUENCE:
        raise ValueError(f"số thứ tự phải từ 1 đến {MAX_SEQUENCE}")
    if m.prev_sha256 is not None and not (isinstance(m.prev_sha256, str) and _HEX64.match(m.prev_sha256)):
        raise ValueError("mã băm gói trước không hợp lệ")
    if not _HEX64.match(m.payload_sha256):
        raise ValueError("mã băm dữ liệu không hợp lệ")
    if not (_KEYID.match(m.sender_key_id) and _KEYID.match(m.recipient_key_id)):
        raise ValueError("mã khóa không hợp lệ")
    if m.key_update is not None and not (
            isinstance(m.key_update, dict)
            and all(isinstance(v, str) and _PRINTABLE.fullmatch(v) for v in m.key_update.values())
            and {"sign_public", "encrypt_public"} <= set(m.key_update)):
        raise ValueError("thông báo đổi khóa không hợp lệ")
    if m.key_update is not None:
        for name in ("sign_public", "encrypt_public"):
            crypto.unb64(m.key_update[name], length=32)  # ValueError → refused like any bad field


__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "KINDS", "Manifest", "asdict", "parse_manifest"]
