"""The payload inside payload.bin (before encryption): zlib-compressed JSON lines.

Each line is ``{"t": <table>, "r": <row>}`` with the row exactly as stored (JSON columns stay
JSON text). Audit entries travel as table ``audit_log``; a receipt's acknowledgements as table
``_receipt``. Lines are grouped by table, parents before children.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import refuse

# What a commune owns and sends up, parents before children (foreign keys).
UPWARD_TABLES = ("households", "members", "household_events", "assessments", "support_actions",
                 "duplicate_decisions", "reviews", "review_items", "review_meetings", "plans", "plan_units",
                 "plan_amendments", "plan_objectives", "milestones")
# What an office owns and sends down.
DOWNWARD_TABLES = ("units", "unit_successors", "bodies", "rulesets", "support_measures", "plans",
                   "plan_units", "plan_amendments", "plan_objectives", "milestones")
AUDIT = "audit_log"
RECEIPT = "_receipt"
AUDIT_FIELDS = ("id", "at", "user", "table_name", "row_id", "action", "field", "before", "after")
MAX_ERRORS_SHOWN = 5
CHUNK_CHARS = 1 << 20


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


def decompress(path: Path, data: bytes, max_plain: int) -> bytes:
    """Inflate with a hard cap (a tiny payload must not expand to gigabytes)."""
    d = zlib.decompressobj()
    try:
        plain = d.decompress(data, max_plain + 1)
    except zlib.error as exc:
        raise refuse(path, "dữ liệu sau giải mã bị hỏng (không giải nén được).", detail=str(exc)) from exc
    if len(plain) > max_plain or d.unconsumed_tail:
        raise refuse(path, "dữ liệu giải nén vượt giới hạn (nghi là bom nén).")
    if not d.eof:
        raise refuse(path, "dữ liệu sau giải mã bị cắt cụt.")
    return plain


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
        return (f"bảng {table}, dòng {rid}: thuộc đơn vị '{row.get('unit_code')}', "
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
    return None


def _items(plain: bytes) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, parsed item, problem). Fast path: the whole payload parsed as one JSON array
    (a quarter faster than line by line); on any error, line by line to name the bad lines."""
    body = plain.rstrip(b"\n")
    try:
        items = json.loads(b"[" + body.replace(b"\n", b",") + b"]") if body else []
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        items = None
    if items is not None:
        yield from ((n, item, None) for n, item in enumerate(items, start=1))
        return
    for number, line in enumerate(plain.split(b"\n"), start=1):
        if not line:
            continue
        try:
            yield number, json.loads(line.decode("utf-8")), None
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            yield number, None, "không phải JSON hợp lệ"


def decode(path: Path, plain: bytes, allowed: Sequence[str], columns: Mapping[str, Sequence[str]],
           owner: str) -> Decoded:
    """Parse and validate every line; problems are collected in ``errors`` (never raised)."""
    out = Decoded()
    colsets = {t: frozenset(c) for t, c in columns.items()}
    for number, item, problem in _items(plain):
        if problem is None and (not isinstance(item, dict) or set(item) != {"t", "r"}):
            problem = "thiếu bảng hoặc dòng dữ liệu"
        if problem is None:
            table, row = item["t"], item["r"]
            if table == AUDIT:
                problem = _check_audit(row)
                if problem is None and row["table_name"] not in allowed:
                    problem = f"nhật ký cho bảng không được phép '{row['table_name']}'"
                target = out.audit
            elif table == RECEIPT:
                problem = None if isinstance(row, dict) else "xác nhận không hợp lệ"
                target = out.receipt
            elif table in allowed:
                problem = _check_row(table, row, colsets[table], owner)
                target = out.rows.setdefault(table, [])
            else:
                problem = f"bảng '{table}' không được phép trong gói này"
            if problem is None:
                target.append(row)
        if problem:
            out.errors.append(f"dòng {number}: {problem}")
    return out


def describe_errors(errors: Sequence[str]) -> str:
    shown = "; ".join(errors[:MAX_ERRORS_SHOWN])
    more = len(errors) - MAX_ERRORS_SHOWN
    return shown + (f" (và {more} lỗi khác)" if more > 0 else "")
