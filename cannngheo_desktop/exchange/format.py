"""The .cnb file: a zip of manifest.json, manifest.sig and payload.bin, read with hard limits.

Nothing from the file is believed before it is bounded (docs/bundle-format.md, "Limits"):

1. the path: a regular file (not a FIFO, device such as /dev/zero, or folder), at most
   ``max_file`` bytes — checked with ``stat`` before opening and again on the open handle;
2. the zip's end record (read from the last 64 KiB): at most ``max_entries`` entries and a
   central directory of at most ``max_central_dir`` bytes, before zipfile parses it;
3. the entries: exactly the three names, stored or deflated, not encrypted, each's declared
   size under its cap (manifest ``max_manifest``, signature exactly 64 bytes, payload
   ``max_payload``) and compression ratio; manifest and signature are then read through a
   bounded stream (a header that lies about a size cannot make a read grow past its cap);
4. the payload is never read here: :meth:`RawBundle.payload_chunks` streams it in 64 KiB pieces.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import stat
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .errors import BundleError, refuse

MANIFEST, SIGNATURE, PAYLOAD = "manifest.json", "manifest.sig", "payload.bin"
ENTRY_NAMES = (MANIFEST, SIGNATURE, PAYLOAD)
SUFFIX = ".cnb"
SIGNATURE_SIZE = 64
READ_CHUNK = 64 << 10
MAX_SEQUENCE = 2**31 - 1
INT64 = 2**63 - 1
RESEND = " Hãy liên hệ đơn vị gửi để kiểm tra và xuất lại gói."


@dataclass(frozen=True)
class Limits:
    """Caps applied before anything else in a bundle is believed (tests shrink them).

    A full bundle of a commune with 10,000 households (~40,000 members and 50,000 audit
    entries) is a 6.5 MB file, 52 MB of JSON, 100,000 lines of at most 1.5 KB, ratio ~8; the
    defaults leave room for 20,000 households with every other table several times over.
    """

    max_file: int = 64 << 20         # bytes on disk (and of a waiting bundle kept in the database)
    max_entries: int = 3             # zip entries, from the end record before the directory is parsed
    max_central_dir: int = 4 << 10   # bytes of zip central directory (three short names)
    max_manifest: int = 64 << 10     # manifest.json
    max_payload: int = 64 << 20      # payload.bin (encrypted, stored in the zip)
    max_plain: int = 1 << 30         # decompressed JSON lines
    max_ratio: int = 100             # decompressed / compressed (payload and zip entries)
    max_line: int = 1 << 20          # one JSON line
    max_rows: int = 500_000          # lines in the payload (rows + audit entries + acknowledgements)

    def plain_cap(self, payload_size: int) -> int:
        """Decompressed bytes allowed for a payload of ``payload_size`` encrypted bytes."""
        return min(self.max_plain, max(self.max_ratio * payload_size, 1 << 20))


DEFAULT_LIMITS = Limits()

Opener = Callable[[], IO[bytes]]


@dataclass(frozen=True)
class RawBundle:
    """A bundle whose small parts are read and bounded; the payload stays in the file."""

    path: Path
    manifest_bytes: bytes
    signature: bytes
    sha256: str          # of the manifest bytes: the bundle's identity in the chain
    payload_size: int    # as declared by the zip (already under max_payload)
    opener: Opener       # reopens the source for each streaming pass
    limits: Limits

    def payload_chunks(self) -> Iterator[bytes]:
        """The payload entry in pieces of at most 64 KiB; never more than ``payload_size`` bytes."""
        with _zip(self.path, self.opener, self.limits) as (zf, infos):
            info = infos[PAYLOAD]
            yield from _stream(self.path, zf, info, info.file_size)


def num(n: int) -> str:
    """A count as Vietnamese write it: 67.108.864."""
    return f"{n:,}".replace(",", ".")


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


def file_opener(path: Path, limits: Limits) -> Opener:
    """An opener for a file on disk that refuses anything but a regular file under the cap."""
    def opener() -> IO[bytes]:
        return open_regular(path, limits.max_file)
    return opener


def open_regular(path: Path, max_size: int) -> IO[bytes]:
    """Open ``path`` for reading only if it is a regular file of at most ``max_size`` bytes.

    ``stat`` first (a FIFO or device is refused without opening it); then open without blocking
    (a path swapped for a FIFO meanwhile cannot hang) and check the open handle again."""
    try:
        st = os.stat(path)
    except (OSError, ValueError) as exc:
        raise refuse(path, "không mở được tệp (không tồn tại hoặc không có quyền đọc).", detail=str(exc)) from exc
    _check_stat(path, st, max_size)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise refuse(path, "không mở được tệp.", detail=str(exc)) from exc
    try:
        _check_stat(path, os.fstat(fd), max_size)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _check_stat(path: Path, st: os.stat_result, max_size: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise refuse(path, "đây là một thư mục, không phải tệp gói.")
    if not stat.S_ISREG(st.st_mode):
        raise refuse(path, "không phải tệp thông thường (thiết bị, ống dẫn…); chỉ nhập tệp gói .cnb.")
    if st.st_size > max_size:
        raise refuse(path, f"tệp quá lớn ({num(st.st_size)} byte, tối đa {num(max_size)} byte)." + RESEND)



def write_new_bundle(target: Path, manifest_bytes: bytes, signature: bytes, payload: bytes) -> Path:
    """``write_bundle`` for a file the person asked for: never over an existing file, and a full
    stick or a read-only folder is a Vietnamese BundleError naming the file."""
    if target.exists():
        raise BundleError(f"Tệp '{target}' đã có; hãy chọn thư mục khác hoặc đổi tên tệp cũ.", file=str(target))
    try:
        return write_bundle(target, manifest_bytes, signature, payload)
    except OSError as exc:
        raise BundleError(f"Không ghi được tệp '{target}': {exc}. Hãy kiểm tra ổ đĩa/USB còn chỗ và cho ghi.",
                          detail=str(exc), file=str(target)) from exc

def read_bundle(path: Path, limits: Limits = DEFAULT_LIMITS, *, data: bytes | None = None,
                opener: Opener | None = None) -> RawBundle:
    """Open a bundle (a file, its bytes, or an ``opener``) under ``limits``: manifest and signature
    are read (bounded), the payload is not. BundleError names the file and the reason."""
    path = Path(path)
    if data is not None:
        if len(data) > limits.max_file:
            raise refuse(path, f"tệp quá lớn ({num(len(data))} byte, tối đa {num(limits.max_file)} byte)." + RESEND)
        blob = data

        def opener_from_bytes() -> IO[bytes]:
            return io.BytesIO(blob)
        opener = opener_from_bytes
    elif opener is None:
        opener = file_opener(path, limits)
    with _zip(path, opener, limits) as (zf, infos):
        manifest = b"".join(_stream(path, zf, infos[MANIFEST], limits.max_manifest))
        signature = b"".join(_stream(path, zf, infos[SIGNATURE], SIGNATURE_SIZE))
        payload_size = infos[PAYLOAD].file_size
    if len(signature) != SIGNATURE_SIZE:
        raise refuse(path, f"chữ ký số không đúng độ dài (phải là {SIGNATURE_SIZE} byte).")
    check_json_numbers(path, manifest)
    return RawBundle(path, manifest, signature, bundle_sha(manifest), payload_size, opener, limits)


@contextmanager
def _zip(path: Path, opener: Opener, limits: Limits) -> Iterator[tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]]:
    fh = opener()
    try:
        _check_end_record(path, fh, limits)
        try:
            zf = zipfile.ZipFile(fh)
            infos = zf.infolist()
        except Exception as exc:  # zipfile raises many kinds on damaged input (NotImplementedError, struct.error…)
            raise refuse(path, "không phải gói dữ liệu hợp lệ (tệp zip hỏng hoặc bị cắt cụt).",
                         detail=repr(exc)) from exc
        yield zf, _check_entries(path, infos, limits)
    finally:
        fh.close()


def _check_end_record(path: Path, fh: IO[bytes], limits: Limits) -> None:
    """Bound the central directory from the very end record zipfile will use, before it reads it
    (zipfile reads the whole directory into memory and makes an object per entry)."""
    try:
        endrec: Any = zipfile._EndRecData(fh)  # type: ignore[attr-defined]  # the record ZipFile itself uses
    except Exception as exc:  # OSError, struct.error… on a damaged tail
        raise refuse(path, "không phải gói dữ liệu hợp lệ (tệp zip hỏng).", detail=repr(exc)) from exc
    if not endrec:
        raise refuse(path, "không phải gói dữ liệu hợp lệ (không phải tệp zip hoặc bị cắt cụt).")
    count, size = endrec[zipfile._ECD_ENTRIES_TOTAL], endrec[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    if count > limits.max_entries:
        raise refuse(path, f"có {num(count)} mục trong gói, tối đa {limits.max_entries}." + RESEND)
    if size > limits.max_central_dir:
        raise refuse(path, f"danh mục của tệp zip quá lớn ({num(size)} byte, tối đa {num(limits.max_central_dir)})." + RESEND)


def _check_entries(path: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> dict[str, zipfile.ZipInfo]:
    if len(infos) > limits.max_entries:
        raise refuse(path, f"có {len(infos)} mục trong gói, tối đa {limits.max_entries}.")
    names = [i.filename for i in infos]
    for name in names:
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/") or ":" in name:
            raise refuse(path, f"chứa đường dẫn không an toàn '{name[:80]}'.")
        if name not in ENTRY_NAMES:
            raise refuse(path, f"chứa mục lạ '{name[:80]}' (chỉ chấp nhận {', '.join(ENTRY_NAMES)}).")
    if sorted(names) != sorted(ENTRY_NAMES):
        missing = [n for n in ENTRY_NAMES if n not in names]
        detail = f"thiếu {', '.join(missing)}" if missing else "có mục trùng tên"
        raise refuse(path, f"gói không đầy đủ ({detail}).")
    caps = {MANIFEST: limits.max_manifest, SIGNATURE: SIGNATURE_SIZE, PAYLOAD: limits.max_payload}
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
            raise refuse(path, f"mục '{info.filename}' dùng cách nén hoặc mã hóa zip không được hỗ trợ.")
        if info.file_size > caps[info.filename]:
            raise refuse(path, f"mục '{info.filename}' quá lớn ({num(info.file_size)} byte, tối đa "
                               f"{num(caps[info.filename])})." + RESEND)
        if info.file_size > max(limits.max_ratio * info.compress_size, 1 << 16):
            raise refuse(path, f"mục '{info.filename}' có tỉ lệ nén bất thường (nghi là bom nén)." + RESEND)
    return {i.filename: i for i in infos}


def _stream(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> Iterator[bytes]:
    """The entry's bytes in bounded pieces; refused beyond ``cap`` whatever the headers say."""
    total = 0
    try:
        with zf.open(info) as fh:
            while True:
                piece = fh.read(min(READ_CHUNK, cap + 1 - total))
                if not piece:
                    return
                total += len(piece)
                if total > cap:
                    raise refuse(path, f"mục '{info.filename}' vượt giới hạn kích thước ({num(cap)} byte) khi "
                                       "giải nén (nghi là bom nén hoặc tệp bị sửa)." + RESEND)
                yield piece
    except BundleError:
        raise
    except Exception as exc:  # BadZipFile (CRC, header names), zlib.error, EOFError… from a damaged entry
        raise refuse(path, f"mục '{info.filename}' bị hỏng." + RESEND, detail=repr(exc)) from exc


# --- strict JSON ----------------------------------------------------------------------------------
def _no_constant(name: str) -> Any:
    raise ValueError(f"giá trị {name} không được phép trong JSON")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 19:
        raise ValueError("số nguyên quá lớn")
    value = int(text)
    if not -INT64 - 1 <= value <= INT64:
        raise ValueError("số nguyên quá lớn")
    return value


def _finite_float(text: str) -> float:
    if len(text) > 64:
        raise ValueError("số thực quá dài")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("số thực vô hạn")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"trường '{key[:40]}' xuất hiện hai lần")
            seen.add(key)
    return obj


STRICT_JSON = json.JSONDecoder(parse_constant=_no_constant, parse_int=_bounded_int,
                               parse_float=_finite_float, object_pairs_hook=_unique_keys)


def loads_strict(text: str) -> Any:
    """json.loads without NaN/Infinity, integers outside 64 bits, floats that overflow to inf or a
    key repeated in an object (ValueError; json.JSONDecodeError is a ValueError too; which of two
    values would win is not left to the parser). RecursionError passes through."""
    return STRICT_JSON.decode(text)


def check_json_numbers(path: Path, manifest: bytes) -> None:
    """Refuse a manifest that is not strict JSON (NaN, Infinity, huge numbers) or has no valid
    format version, before it is parsed."""
    try:
        doc = loads_strict(manifest.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise refuse(path, f"tệp kê khai manifest.json không hợp lệ ({str(exc)[:120]}).") from exc
    version = doc.get("format_version") if isinstance(doc, dict) else None
    if type(version) is not int or version < 1:   # above the known version: parse_manifest says "update"
        raise refuse(path, "tệp kê khai manifest.json không hợp lệ (phiên bản định dạng phải là số từ 1).")
