"""Sealing a payload into a signed, encrypted bundle, and opening one under the trust roster.

Opening checks, in order: the zip limits, the manifest, the sender key in the roster (unknown or
revoked keys are refused), the signature over the exact manifest bytes, the payload's size and
sha256, the recipient (this copy, one of its keys), the schema version; decryption comes last.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .. import __version__
from ..storage import SCHEMA_VERSION, installation
from ..storage.db import Store, utc_now
from . import crypto, keys, payload, rotation, sync
from .errors import BundleError, refuse
from .format import DEFAULT_LIMITS, MAX_SEQUENCE, Limits, Opener, RawBundle, num, read_bundle
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
    sign_id = pair.sign_id  # always the current key: a retired key never signs again
    signer = keys.signing_key(store, sign_id, passphrase)
    key_update = rotation.key_update_for(store, pair.sign_public, pair.sign_id, pair.encrypt_public,
                                         pair.encrypt_id)
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
    """Check the signature against the roster (or an explicit public key). Returns the key row.

    A key not in the roster is accepted only when the manifest's ``key_update`` announces exactly
    that key with a valid endorsement by the unit's trusted signing key (``rotation``)."""
    path = raw.path
    if public_raw is None:
        assert store is not None
        row = sync.get_trusted(store, m.sender_key_id)
        if row is None:
            public_raw, why = rotation.endorsed_signer(store, m.sender_unit, m.sender_key_id, m.key_update)
            if public_raw is None:
                raise refuse(path, f"khóa ký {crypto.group_hex(m.sender_key_id)} của đơn vị '{m.sender_unit}' "
                                   "không có trong danh sách tin cậy (khóa lạ"
                                   + (f"; {why}" if why else "") + "). Nếu đơn vị đã cài lại máy hoặc đổi khóa, "
                                   "hãy gọi điện cho đơn vị, đọc dấu vân tay thẻ khóa mới và xác nhận nó "
                                   "(Khôi phục / đổi khóa… → Xác nhận khóa mới; cannngheo recovery confirm-key).")
            row = {"id": m.sender_key_id, "unit_code": m.sender_unit, "kind": "sign", "endorsed": True}
        elif row["kind"] != "sign":
            raise refuse(path, f"khóa {crypto.group_hex(m.sender_key_id)} không phải khóa ký.")
        elif row["revoked_at"]:
            raise refuse(path, f"khóa ký {crypto.group_hex(m.sender_key_id)} của đơn vị '{row['unit_code']}' "
                               "đã bị thu hồi; gói ký bằng khóa này không được nhận. Hãy yêu cầu đơn vị gửi "
                               "xuất lại gói bằng khóa hiện tại; nếu đơn vị đã đổi khóa, xác nhận thẻ khóa "
                               "mới qua điện thoại (cannngheo recovery confirm-key).")
        elif row["unit_code"] != m.sender_unit:
            raise refuse(path, f"khóa ký thuộc đơn vị '{row['unit_code']}', nhưng gói ghi đơn vị gửi "
                               f"'{m.sender_unit}'.")
        else:
            public_raw = crypto.unb64(row["public_key"])
    else:
        row = {"id": crypto.key_id(public_raw), "unit_code": m.sender_unit}
    if not crypto.verify(public_raw, raw.signature, raw.manifest_bytes):
        raise refuse(path, "chữ ký số không hợp lệ — tệp đã bị sửa đổi hoặc không do đơn vị gửi ký.")
    return row


TAG_SIZE = 16
MAX_SCHEMA = 100_000
MAX_TABLES = 64
MAX_INLINE = 64 << 20   # decrypt(): the whole payload in memory, for small bundles only


def check_numbers(path: Path, m: Manifest, limits: Limits) -> None:
    """Every number of the manifest within its range, before any of them is used (a sequence
    >= 2**63 does not fit SQLite; a row count of 10**8 must not size anything)."""
    def bad(what: str) -> None:
        raise refuse(path, f"tệp kê khai manifest.json không hợp lệ ({what}).")
    if not 1 <= m.sequence <= MAX_SEQUENCE:
        bad(f"số thứ tự gói phải từ 1 đến {num(MAX_SEQUENCE)}")
    if not 1 <= m.schema_version <= MAX_SCHEMA:
        bad("phiên bản lược đồ ngoài khoảng cho phép")
    if not 0 < m.payload_size <= limits.max_payload:
        bad(f"kích thước dữ liệu phải từ 1 đến {num(limits.max_payload)} byte")
    if len(m.rows) > MAX_TABLES or not all(isinstance(k, str) and 0 < len(k) <= 64 for k in m.rows):
        bad("danh sách bảng không hợp lệ")
    if not all(type(v) is int and 0 <= v <= limits.max_rows for v in m.rows.values()) \
            or sum(m.rows.values()) > limits.max_rows:
        bad(f"số dòng theo bảng phải từ 0 đến {num(limits.max_rows)}, tổng không quá {num(limits.max_rows)}")


def check_payload_hash(raw: RawBundle, m: Manifest) -> None:
    """Stream payload.bin once, hashing it, and compare size and sha256 with the signed manifest
    (before anything is decrypted)."""
    if raw.payload_size != m.payload_size:
        raise refuse(raw.path, "kích thước dữ liệu không khớp với tệp kê khai — dữ liệu đã bị sửa đổi hoặc hỏng.")
    digest = hashlib.sha256()
    size = 0
    for piece in raw.payload_chunks():
        digest.update(piece)
        size += len(piece)
    if size != m.payload_size or digest.hexdigest() != m.payload_sha256:
        raise refuse(raw.path, "mã băm dữ liệu không khớp với tệp kê khai — dữ liệu đã bị sửa đổi hoặc hỏng.")


def open_bundle(store: Store, path: Path, *, data: bytes | None = None,
                limits: Limits = DEFAULT_LIMITS, opener: Opener | None = None) -> Opened:
    """Every check except decryption; BundleError (naming the file) on the first failure."""
    raw = read_bundle(path, limits, data=data, opener=opener)
    m = parse_manifest(raw.path, raw.manifest_bytes)
    check_numbers(raw.path, m, limits)
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


def iter_plain(store: Store, opened: Opened, passphrase: str) -> Iterator[bytes]:
    """The decrypted, inflated payload in pieces, streamed from the file (never all in memory).

    The payload's sha256 was checked against the signed manifest by :func:`open_bundle`; this
    pass hashes it again and checks the AES-GCM tag at the end, so a file changed in between is
    refused when the iteration ends: consume it to the end before trusting what it gave."""
    m, path, limits = opened.manifest, opened.path, opened.raw.limits
    try:
        private = keys.encryption_key(store, m.recipient_key_id, passphrase)
    except BundleError as exc:
        raise refuse(path, exc.message[:1].lower() + exc.message[1:]) from exc
    try:
        eph, nonce = crypto.unb64(m.ephemeral_public_key, length=32), crypto.unb64(m.nonce, length=12)
        shared = private.exchange(X25519PublicKey.from_public_bytes(eph))
    except ValueError as exc:
        raise refuse(path, "thông tin mã hóa trong tệp kê khai không hợp lệ.") from exc
    # The same key as crypto.decrypt_with (one HKDF for both); AES-GCM here in a stream.
    key = crypto._derive(shared, eph, crypto.public_raw(private))
    decryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).decryptor()
    decryptor.authenticate_additional_data(m.bundle_id.encode("ascii"))
    yield from payload.inflate(path, _decrypted(opened, decryptor), limits.plain_cap(m.payload_size))


def _decrypted(opened: Opened, decryptor: Any) -> Iterator[bytes]:
    m, path = opened.manifest, opened.path
    digest = hashlib.sha256()
    held = b""                      # the last 16 bytes seen: the tag, once the stream ends
    for piece in opened.raw.payload_chunks():
        digest.update(piece)
        data = held + piece
        held = data[-TAG_SIZE:]
        out = decryptor.update(data[:-TAG_SIZE])
        if out:
            yield out
    if digest.hexdigest() != m.payload_sha256 or len(held) < TAG_SIZE:
        raise refuse(path, "mã băm dữ liệu không khớp với tệp kê khai — tệp đã thay đổi trong khi nhập.")
    try:
        tail = decryptor.finalize_with_tag(held)
    except (InvalidTag, ValueError) as exc:
        raise refuse(path, "không giải mã được dữ liệu (sai khóa hoặc dữ liệu hỏng).") from exc
    if tail:
        yield tail


def decrypt(store: Store, opened: Opened, passphrase: str, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The whole decrypted, inflated payload in memory — for small bundles (receipts, tests):
    refused beyond 64 MiB. Imports stream with :func:`iter_plain`."""
    buf = io.BytesIO()   # getvalue() hands over its buffer: no second copy of the payload
    for piece in iter_plain(store, opened, passphrase):
        if buf.tell() + len(piece) > min(MAX_INLINE, limits.max_plain):
            raise refuse(opened.path, "dữ liệu quá lớn để đọc một lần.")
        buf.write(piece)
    return buf.getvalue()


def verify_bundle(path: Path, *, store: Store | None = None, sign_public: bytes | None = None,
                  limits: Limits = DEFAULT_LIMITS) -> tuple[Manifest, bool]:
    """Check a bundle without decrypting: limits, manifest, payload hash and — when a roster
    (``store``) or a public key is given — the signature. Returns (manifest, signature checked)."""
    raw = read_bundle(path, limits)
    m = parse_manifest(raw.path, raw.manifest_bytes)
    check_numbers(raw.path, m, limits)
    checked = store is not None or sign_public is not None
    if checked:
        verify_signature(store, raw, m, sign_public)
    check_payload_hash(raw, m)
    return m, checked
