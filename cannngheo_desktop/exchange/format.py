"""The .cnb file: a zip of manifest.json, manifest.sig and payload.bin, read with hard limits.

Reading never trusts the zip's own size fields alone: every entry is read through a bounded
stream, so a small file that claims or inflates to gigabytes is refused early (zip bomb).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import refuse

MANIFEST, SIGNATURE, PAYLOAD = "manifest.json", "manifest.sig", "payload.bin"
ENTRY_NAMES = (MANIFEST, SIGNATURE, PAYLOAD)
SUFFIX = ".cnb"


@dataclass(frozen=True)
class Limits:
    """Caps applied before anything else is believed (tests shrink them)."""

    max_file: int = 1 << 30          # 1 GiB on disk
    max_entries: int = 3
    max_manifest: int = 1 << 20      # 1 MiB
    max_payload: int = 1 << 30       # encrypted payload, uncompressed in the zip
    max_plain: int = 4 << 30         # decompressed JSON lines
    max_ratio: int = 200             # uncompressed / compressed for any entry above 1 MiB


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class RawBundle:
    path: Path
    manifest_bytes: bytes
    signature: bytes
    payload: bytes
    sha256: str          # of the manifest bytes: the bundle's identity in the chain


def bundle_sha(manifest_bytes: bytes) -> str:
    return hashlib.sha256(manifest_bytes).hexdigest()


def write_bundle(path: Path, manifest_bytes: bytes, signature: bytes, payload: bytes) -> Path:
    """Write the zip atomically (temporary file, then rename) and return its path."""
    tmp = path.with_name(path.name + ".part")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            for name, data in ((MANIFEST, manifest_bytes), (SIGNATURE, signature), (PAYLOAD, payload)):
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED if name == MANIFEST else zipfile.ZIP_STORED
                zf.writestr(info, data)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    return path


def read_bundle(path: Path, limits: Limits = DEFAULT_LIMITS, *, data: bytes | None = None) -> RawBundle:
    """Open a bundle file (or its bytes) under ``limits``; BundleError names the file and reason."""
    path = Path(path)
    if data is None:
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise refuse(path, "không mở được tệp.", detail=str(exc)) from exc
        if size > limits.max_file:
            raise refuse(path, f"tệp quá lớn ({size:,} byte, tối đa {limits.max_file:,}).")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise refuse(path, "không đọc được tệp.", detail=str(exc)) from exc
    elif len(data) > limits.max_file:
        raise refuse(path, "tệp quá lớn.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception as exc:  # zipfile raises many kinds on damaged input (NotImplementedError, struct.error…)
        raise refuse(path, "không phải gói dữ liệu hợp lệ (tệp zip hỏng hoặc bị cắt cụt).", detail=str(exc)) from exc
    _check_entries(path, infos, limits)
    caps = {MANIFEST: limits.max_manifest, SIGNATURE: 64, PAYLOAD: limits.max_payload}
    parts = {info.filename: _read_entry(path, zf, info, caps[info.filename]) for info in infos}
    if len(parts[SIGNATURE]) != 64:
        raise refuse(path, "chữ ký số không đúng độ dài (phải là 64 byte).")
    return RawBundle(path, parts[MANIFEST], parts[SIGNATURE], parts[PAYLOAD], bundle_sha(parts[MANIFEST]))


def _check_entries(path: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_entries:
        raise refuse(path, f"có {len(infos)} mục trong gói, tối đa {limits.max_entries}.")
    names = [i.filename for i in infos]
    for name in names:
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/") or ":" in name:
            raise refuse(path, f"chứa đường dẫn không an toàn '{name}'.")
        if name not in ENTRY_NAMES:
            raise refuse(path, f"chứa mục lạ '{name}' (chỉ chấp nhận {', '.join(ENTRY_NAMES)}).")
    if sorted(names) != sorted(ENTRY_NAMES):
        missing = [n for n in ENTRY_NAMES if n not in names]
        detail = f"thiếu {', '.join(missing)}" if missing else "có mục trùng tên"
        raise refuse(path, f"gói không đầy đủ ({detail}).")
    for info in infos:
        cap = limits.max_manifest if info.filename == MANIFEST else limits.max_payload
        if info.file_size > cap:
            raise refuse(path, f"mục '{info.filename}' quá lớn khi giải nén ({info.file_size:,} byte).")
        if info.file_size > (1 << 20) and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise refuse(path, f"mục '{info.filename}' có tỉ lệ nén bất thường (nghi là bom nén).")


def _read_entry(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    try:
        with zf.open(info) as fh:
            data = fh.read(cap + 1)
    except Exception as exc:  # zlib.error, CRC errors, NotImplementedError… from a damaged entry
        raise refuse(path, f"mục '{info.filename}' bị hỏng.", detail=repr(exc)) from exc
    if len(data) > cap:
        raise refuse(path, f"mục '{info.filename}' vượt giới hạn kích thước khi giải nén (nghi là bom nén).")
    return data
