"""The payload inside payload.bin (before encryption): zlib-compressed JSON lines.

Each line is ``{"t": <table>, "r": <row>}`` with the row exactly as stored (JSON columns stay
JSON text). Audit entries travel as table ``audit_log``; a receipt's acknowledgements as table
``_receipt``. Lines are grouped by table, parents before children.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import refuse
from .format import RESEND, loads_strict, num

# What a commune owns and sends up, parents before children: every row a row points to comes
# earlier (assessments.review_id → reviews, review_items.assessment_id → assessments, plan rows →
# plans); exchange/authority.py refuses a reference to a row neither earlier in the bundle nor
# already stored here under the sender's code.
UPWARD_TABLES = ("households", "members", "household_events", "reviews", "assessments", "support_actions",
                 "duplicate_decisions", "review_items", "review_meetings", "plans", "plan_units",
                 "plan_amendments", "plan_objectives", "milestones")
# What an office owns and sends down (shared reference data first, then its plans).
DOWNWARD_TABLES = ("units", "unit_successors", "bodies", "rulesets", "support_measures", "plans",
                   "plan_units", "plan_amendments", "plan_objectives", "milestones")
AUDIT = "audit_log"
RECEIPT = "_receipt"
AUDIT_ACTIONS = frozenset({"insert", "update", "delete", "restore"})
AUDIT_FIELDS = ("id", "at", "user", "table_name", "row_id", "action", "field", "before", "after")
MAX_ERRORS_SHOWN = 5
CHUNK_CHARS = 1 << 20
INFLATE_CHUNK = 256 << 10
CHUNK_LINES = 5000
CHUNK_BYTES = 4 << 20


Row = Mapping[str, Any] | str  # a row, or its JSON object text already encoded (by SQLite)


def encode(lines: Iterable[tuple[str, Row]], level: int = 3) -> bytes:
    """(table, row) pairs → compressed JSON lines (a ``str`` row is taken as its JSON text).

    zlib releases the GIL, so 1 MiB chunks are compressed on one worker thread (in order) while
    the next chunk is JSON-encoded: on two cores the export costs about max(JSON, zlib), not the sum.
    Level 3 is half the time of level 6 for a ~15 % larger file.
    """
    enc = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    comp = zlib.compressobj(level)
    with ThreadPoolExecutor(max_workers=1) as pool:
        parts: list[Future[bytes]] = []
        buf: list[str] = []
        size = 0
        heads: dict[str, str] = {}
        for table, row in lines:
            head = heads.get(table) or heads.setdefault(table, f'{{"t":{enc(table)},"r":')
            text = f"{head}{row if isinstance(row, str) else enc(row)}}}\n"
            buf.append(text)
            size += len(text)
            if size >= CHUNK_CHARS:
                parts.append(pool.submit(comp.compress, "".join(buf).encode("utf-8")))
                buf, size = [], 0
        parts.append(pool.submit(comp.compress, "".join(buf).encode("utf-8")))
        parts.append(pool.submit(comp.flush))
        return b"".join(f.result() for f in parts)


def inflate(path: Path, pieces: Iterable[bytes], cap: int) -> Iterator[bytes]:
    """Stream zlib decompression: pieces of at most 256 KiB out, refused beyond ``cap`` bytes in
    total (a small payload must not expand to gigabytes) or when the stream is cut short."""
    d = zlib.decompressobj()
    total = 0
    try:
        for piece in pieces:
            data = piece
            while not d.eof:
                out = d.decompress(data, INFLATE_CHUNK)
                data = d.unconsumed_tail
                total += len(out)
                if total > cap:
                    raise refuse(path, f"dữ liệu giải nén vượt giới hạn ({num(cap)} byte; nghi là bom nén)." + RESEND)
                if out:
                    yield out
                if not data and len(out) < INFLATE_CHUNK:
                    break
    except zlib.error as exc:
        raise refuse(path, "dữ liệu sau giải mã bị hỏng (không giải nén được).", detail=str(exc)) from exc
    if not d.eof:
        raise refuse(path, "dữ liệu sau giải mã bị cắt cụt.")


def decompress(path: Path, data: bytes, max_plain: int) -> bytes:
    """Inflate a small payload in memory with a hard cap (receipts, tests)."""
    return b"".join(inflate(path, [data], max_plain))


def split_lines(path: Path, pieces: Iterable[bytes], max_line: int, max_rows: int) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for every non-empty line, never holding more than one line plus one
    piece; refused on a line longer than ``max_line`` or more than ``max_rows`` lines."""
    rest = b""
    number = 0
    for piece in pieces:
        parts = (rest + piece).split(b"\n")
        rest = parts.pop()
        for line in parts:
            number += 1
            _check_line(path, number, len(line), max_line, max_rows)
            if line:
                yield number, line
        if len(rest) > max_line:
            _check_line(path, number + 1, len(rest), max_line, max_rows)
    if rest:
        number += 1
        _check_line(path, number, len(rest), max_line, max_rows)
        yield number, rest


def _check_line(path: Path, number: int, size: int, max_line: int, max_rows: int) -> None:
    if size > max_line:
        raise refuse(path, f"dòng {number} của dữ liệu dài quá giới hạn ({num(max_line)} byte)." + RESEND)
    if number > max_rows:
        raise refuse(path, f"dữ liệu có quá nhiều dòng (tối đa {num(max_rows)})." + RESEND)


@dataclass
class Decoded:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)
    receipt: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def count(self) -> dict[str, int]:
        counts = {t: len(r) for t, r in self.rows.items()}
        if self.audit:
            counts[AUDIT] = len(self.audit)
        if self.receipt:
            counts[RECEIPT] = len(self.receipt)
        return counts


_SCALARS = frozenset({str, int, float, type(None)})  # bool is not int here: type() is exact
_AUDIT_SCALARS = frozenset({str, int, type(None)})


def _scalar(value: Any) -> bool:
    return type(value) in _SCALARS


def _check_row(table: str, row: Any, columns: frozenset[str], owner: str) -> str | None:
    if not isinstance(row, dict):
        return "dòng không phải một đối tượng"
    unknown = row.keys() - columns
    if unknown:
        return f"bảng {table} không có cột {', '.join(sorted(unknown))}"
    rid = row.get("id")
    if not isinstance(rid, str) or not rid or len(rid) > 100:
        return f"bảng {table}: mã dòng (id) thiếu hoặc không hợp lệ"
    if row.get("unit_code") != owner:
        return (f"bảng {table}, dòng {rid}: thuộc đơn vị '{str(row.get('unit_code'))[:40]}', "
                f"không phải của đơn vị gửi '{owner}'")
    version = row.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return f"bảng {table}, dòng {rid}: phiên bản không hợp lệ"
    if row.get("deleted", 0) not in (0, 1):
        return f"bảng {table}, dòng {rid}: cờ xóa không hợp lệ"
    if not set(map(type, row.values())) <= _SCALARS:
        bad = [k for k, v in row.items() if not _scalar(v)]
        return f"bảng {table}, dòng {rid}: giá trị sai kiểu ở cột {', '.join(sorted(bad))}"
    return None


def _check_audit(row: Any) -> str | None:
    if not isinstance(row, dict) or set(row) - set(AUDIT_FIELDS):
        return "mục nhật ký không hợp lệ"
    if not isinstance(row.get("id"), int) or not all(isinstance(row.get(k), str)
                                                     for k in ("at", "table_name", "row_id", "action")):
        return "mục nhật ký thiếu trường bắt buộc"
    if not set(map(type, row.values())) <= _AUDIT_SCALARS:
        return "mục nhật ký có giá trị sai kiểu"
    if row["action"] not in AUDIT_ACTIONS:
        return f"mục nhật ký có thao tác không hợp lệ '{row['action'][:40]}'"
    return None


@dataclass
class Chunk:
    """A bounded slice of the payload, in file order: runs of rows of one table, audit entries,
    acknowledgements, and the problems of its lines (never raised)."""

    runs: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    receipt: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    size: int = 0     # bytes of JSON text in this chunk
    lines: int = 0

    def add_row(self, table: str, row: dict[str, Any]) -> None:
        if self.runs and self.runs[-1][0] == table:
            self.runs[-1][1].append(row)
        else:
            self.runs.append((table, [row]))


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # JSON may spell a lone UTF-16 surrogate


def _encodable(item: Any) -> bool:
    """No lone surrogate anywhere in a parsed line (a valid escaped pair parses to one character)."""
    try:
        json.dumps(item, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def iter_chunks(path: Path, lines: Iterable[tuple[int, bytes]], allowed: Sequence[str],
                columns: Mapping[str, Sequence[str]], owner: str, *, receipts: bool = True,
                chunk_lines: int | None = None, chunk_bytes: int | None = None) -> Iterator[Chunk]:
    """Parse (strict JSON: no NaN/Infinity, integers within 64 bits) and validate every line;
    yields chunks of at most ``chunk_lines`` lines or about ``chunk_bytes`` of text.
    ``receipts=False``: acknowledgement lines are refused (a data bundle never carries them)."""
    colsets = {t: frozenset(c) for t, c in columns.items()}
    chunk_lines = chunk_lines or CHUNK_LINES
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    chunk = Chunk()
    for number, line in lines:
        problem = None
        try:
            item = loads_strict(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            item, problem = None, "không phải JSON hợp lệ"
        if problem is None and _SURROGATE_ESCAPE.search(line) and not _encodable(item):
            problem = "có ký tự Unicode không hợp lệ (mã \\uD800–\\uDFFF đứng lẻ)"  # SQLite and hashing would raise
        if problem is None and (not isinstance(item, dict) or set(item) != {"t", "r"}):
            problem = "thiếu bảng hoặc dòng dữ liệu"
        if problem is None:
            problem = _place(chunk, item["t"], item["r"], allowed, colsets, owner, receipts)
        if problem:
            chunk.errors.append(f"dòng {number}: {problem}")
        chunk.size += len(line)
        chunk.lines += 1
        if chunk.lines >= chunk_lines or chunk.size >= chunk_bytes:
            yield chunk
            chunk = Chunk()
    if chunk.lines:
        yield chunk


def _place(chunk: Chunk, table: Any, row: Any, allowed: Sequence[str], colsets: Mapping[str, frozenset[str]],
           owner: str, receipts: bool) -> str | None:
    if table == AUDIT:
        problem = _check_audit(row)
        if problem is None and row["table_name"] not in allowed:
            problem = f"nhật ký cho bảng không được phép '{str(row['table_name'])[:60]}'"
        if problem is None:
            chunk.audit.append(row)
        return problem
    if table == RECEIPT:
        if not receipts:
            return "dòng xác nhận (biên nhận) không được phép trong gói dữ liệu"
        if not isinstance(row, dict):
            return "xác nhận không hợp lệ"
        chunk.receipt.append(row)
        return None
    if isinstance(table, str) and table in allowed:
        problem = _check_row(table, row, colsets[table], owner)
        if problem is None:
            chunk.add_row(table, row)
        return problem
    return f"bảng '{str(table)[:60]}' không được phép trong gói này"


def decode(path: Path, plain: bytes, allowed: Sequence[str], columns: Mapping[str, Sequence[str]],
           owner: str, *, max_line: int = 1 << 20, max_rows: int = 500_000) -> Decoded:
    """Parse and validate a small payload held in memory (receipts, tests, the bench); problems
    are collected in ``errors``. Imports stream with :func:`iter_chunks` instead."""
    out = Decoded()
    pieces = (plain[i:i + INFLATE_CHUNK] for i in range(0, len(plain), INFLATE_CHUNK))
    lines = split_lines(path, pieces, max_line, max_rows)
    for chunk in iter_chunks(path, lines, allowed, columns, owner):
        for table, rows in chunk.runs:
            out.rows.setdefault(table, []).extend(rows)
        out.audit.extend(chunk.audit)
        out.receipt.extend(chunk.receipt)
        out.errors.extend(chunk.errors)
    return out


def describe_errors(errors: Sequence[str], dropped: int = 0) -> str:
    shown = "; ".join(errors[:MAX_ERRORS_SHOWN])
    more = len(errors) - MAX_ERRORS_SHOWN + dropped
    return shown + (f" (và {more} lỗi khác)" if more > 0 else "")
