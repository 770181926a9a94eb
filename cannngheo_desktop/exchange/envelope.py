"""Sealing a payload into a signed, encrypted bundle, and opening one under the trust roster.

Opening checks, in order: the zip limits, the manifest, the sender key in the roster (unknown or
revoked keys are refused), the signature over the exact manifest bytes, the payload's size and
sha256, the recipient (this copy, one of its keys), the schema version; decryption comes last.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..storage import SCHEMA_VERSION, installation
from ..storage.db import Store, utc_now
from . import crypto, keys, payload, rotation, sync
from .errors import BundleError, refuse
from .format import DEFAULT_LIMITS, Limits, RawBundle, read_bundle
from .manifest import Manifest, parse_manifest


@dataclass(frozen=True)
class Sealed:
    manifest: Manifest
    manifest_bytes: bytes
    signature: bytes
    payload: bytes
    sha256: str


@dataclass(frozen=True)
class Opened:
    raw: RawBundle
    manifest: Manifest
    sender_key: dict[str, Any]

    @property
    def path(self) -> Path:
        return self.raw.path


def require_installation(store: Store) -> installation.Installation:
    inst = installation.current(store)
    if inst is None:
        raise BundleError("Cơ sở dữ liệu chưa được thiết lập (vai trò, đơn vị). Hãy chạy thiết lập trước.")
    return inst


def recipient_key(store: Store, unit: str) -> dict[str, Any]:
    row = sync.active_trusted(store, unit, "encrypt")
    if row is None:
        raise BundleError(f"Chưa có khóa của đơn vị nhận '{unit}' trong danh sách tin cậy. "
                          "Hãy nhận thẻ khóa của đơn vị đó (cannngheo keys trust THẺ_KHÓA).")
    return row


def seal(store: Store, *, kind: str, recipient_unit: str, period: str, sequence: int,
         prev_sha256: str | None, lines: list[tuple[str, payload.Row]], passphrase: str,
         full: bool = False) -> Sealed:
    """Build, encrypt and sign a bundle in memory (nothing is written)."""
    inst = require_installation(store)
    pair = keys.require_keys(store)
    pending = store.get_setting("key_rotation_pending")
    sign_id = pending or pair.sign_id
    signer = keys.signing_key(store, sign_id, passphrase)
    key_update = None
    if pending:
        key_update = {"sign_public": crypto.b64(pair.sign_public), "sign_key_id": pair.sign_id,
                      "encrypt_public": crypto.b64(pair.encrypt_public), "encrypt_key_id": pair.encrypt_id}
    rkey = recipient_key(store, recipient_unit)
    bundle_id = str(uuid.uuid4())
    plain = payload.encode(lines)
    eph, nonce, ct = crypto.encrypt_for(crypto.unb64(rkey["public_key"]), plain, bundle_id.encode("ascii"))
    counts: dict[str, int] = {}
    for table, _ in lines:
        counts[table] = counts.get(table, 0) + 1
    m = Manifest(bundle_id=bundle_id, kind=kind, sender_unit=inst.unit_code, sender_key_id=sign_id,
                 recipient_unit=recipient_unit, recipient_key_id=rkey["id"], period=period,
                 sequence=sequence, prev_sha256=prev_sha256, created_at=utc_now(), app_version=__version__,
                 schema_version=SCHEMA_VERSION, ephemeral_public_key=crypto.b64(eph),
                 nonce=crypto.b64(nonce), payload_size=len(ct), payload_sha256=hashlib.sha256(ct).hexdigest(),
                 rows=counts, full=full, key_update=key_update)
    mbytes = m.to_bytes()
    return Sealed(m, mbytes, crypto.sign(signer, mbytes), ct, hashlib.sha256(mbytes).hexdigest())


def verify_signature(store: Store | None, raw: RawBundle, m: Manifest,
                     public_raw: bytes | None = None) -> dict[str, Any]:
    """Check the signature against the roster (or an explicit public key). Returns the key row."""
    path = raw.path
    if public_raw is None:
        assert store is not None
        row = sync.get_trusted(store, m.sender_key_id)
        if row is None or row["kind"] != "sign":
            raise refuse(path, f"khóa ký {crypto.group_hex(m.sender_key_id)} của đơn vị '{m.sender_unit}' "
                               "không có trong danh sách tin cậy (khóa lạ). Hãy nhận thẻ khóa của đơn vị gửi.")
        if row["revoked_at"]:
            raise refuse(path, f"khóa ký {crypto.group_hex(m.sender_key_id)} đã bị thu hồi.")
        if row["unit_code"] != m.sender_unit:
            raise refuse(path, f"khóa ký thuộc đơn vị '{row['unit_code']}', nhưng gói ghi đơn vị gửi "
                               f"'{m.sender_unit}'.")
        public_raw = crypto.unb64(row["public_key"])
    else:
        row = {"id": crypto.key_id(public_raw), "unit_code": m.sender_unit}
    if not crypto.verify(public_raw, raw.signature, raw.manifest_bytes):
        raise refuse(path, "chữ ký số không hợp lệ — tệp đã bị sửa đổi hoặc không do đơn vị gửi ký.")
    return row


def check_payload_hash(raw: RawBundle, m: Manifest) -> None:
    if len(raw.payload) != m.payload_size or hashlib.sha256(raw.payload).hexdigest() != m.payload_sha256:
        raise refuse(raw.path, "mã băm dữ liệu không khớp với tệp kê khai — dữ liệu đã bị sửa đổi hoặc hỏng.")


def open_bundle(store: Store, path: Path, *, data: bytes | None = None,
                limits: Limits = DEFAULT_LIMITS) -> Opened:
    """Every check except decryption; BundleError (naming the file) on the first failure."""
    raw = read_bundle(path, limits, data=data)
    m = parse_manifest(raw.path, raw.manifest_bytes)
    key_row = verify_signature(store, raw, m)
    stale = rotation.check_not_superseded(store, m.sender_key_id, raw.sha256)
    if stale:
        raise refuse(path, stale)
    check_payload_hash(raw, m)
    inst = require_installation(store)
    if m.recipient_unit != inst.unit_code:
        raise refuse(path, f"gói gửi cho đơn vị '{m.recipient_unit}', không phải đơn vị này ('{inst.unit_code}').")
    own = sync.get_key(store, m.recipient_key_id)
    if own is None or own["kind"] != "encrypt":
        raise refuse(path, f"gói được mã hóa cho khóa {crypto.group_hex(m.recipient_key_id)}, "
                           "không phải khóa của bản cài đặt này.")
    if m.schema_version > SCHEMA_VERSION:
        raise refuse(path, f"gói tạo bởi phiên bản mới hơn (lược đồ {m.schema_version}, bản này hiểu đến "
                           f"{SCHEMA_VERSION}). Hãy cập nhật chương trình rồi nhập lại.")
    return Opened(raw, m, key_row)


def decrypt(store: Store, opened: Opened, passphrase: str, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Decrypt and inflate the payload with this copy's private key (BundleError if impossible)."""
    m = opened.manifest
    try:
        private = keys.encryption_key(store, m.recipient_key_id, passphrase)
    except BundleError as exc:
        raise refuse(opened.path, exc.message[:1].lower() + exc.message[1:]) from exc
    try:
        eph, nonce = crypto.unb64(m.ephemeral_public_key, length=32), crypto.unb64(m.nonce, length=12)
    except ValueError as exc:
        raise refuse(opened.path, "thông tin mã hóa trong tệp kê khai không hợp lệ.") from exc
    plain = crypto.decrypt_with(private, eph, nonce, opened.raw.payload, m.bundle_id.encode("ascii"))
    if plain is None:
        raise refuse(opened.path, "không giải mã được dữ liệu (sai khóa hoặc dữ liệu hỏng).")
    return payload.decompress(opened.path, plain, limits.max_plain)


def verify_bundle(path: Path, *, store: Store | None = None, sign_public: bytes | None = None,
                  limits: Limits = DEFAULT_LIMITS) -> tuple[Manifest, bool]:
    """Check a bundle without decrypting: limits, manifest, payload hash and — when a roster
    (``store``) or a public key is given — the signature. Returns (manifest, signature checked)."""
    raw = read_bundle(path, limits)
    m = parse_manifest(raw.path, raw.manifest_bytes)
    checked = store is not None or sign_public is not None
    if checked:
        verify_signature(store, raw, m, sign_public)
    check_payload_hash(raw, m)
    return m, checked
