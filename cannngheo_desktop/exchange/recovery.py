"""Recovery procedures at the receiver: confirming a unit's new key (read over the phone) and
restarting a unit's chain at sequence N. The "lost PC" recovery bundle is in ``restore``.

Restart the chain (``restart_chain``): the receiver lost its own data (restored an old backup) or
accepts a sender's new chain (reinstalled without recovery). In ONE audited transaction the
bundles of that chain numbered N or more that were applied or waiting here are marked
``abandoned`` (kept, never deleted) and the setting ``chain_restart:<kind>:<unit>`` records
``{"at": N, "full": …, "reason": …, "by": …, "on": …}``. From then on ``chain_expectation``
(called first by the importer's chain check) decides that chain over the bundles not abandoned:

- a file already abandoned here is refused (it belongs to the old history);
- until a bundle numbered N or more is applied: with ``full`` (the receiver is missing data) the
  first full snapshot numbered N or more (``bundle export --full``; a bundle numbered 1 is always
  complete) is accepted WITHOUT the link to the previous bundle, anything else is refused with
  what to do; without ``full`` bundle N is accepted without the link and a higher number waits
  for N; a number below N is refused;
- afterwards the usual chain rules apply (same hash → already imported, next in line with the
  matching ``prev_sha256`` → apply, a gap → wait, another hash → fork).

Rows of the accepted bundles are matched by id and version as always: nothing is counted twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..core.codes import check_unit_code
from ..core.errors import ValidationError
from ..storage import repo
from ..storage.db import Store, utc_now
from . import roster, sync
from .envelope import Opened
from .errors import refuse

REPORT, REFERENCE = "commune-report", "reference"
CHAIN_KINDS = (REPORT, REFERENCE)
ABANDONED = "abandoned"
MAX_REASON = 500
MAX_SEQUENCE = 2**31 - 1  # as manifest.py accepts


@dataclass(frozen=True)
class Restart:
    unit: str
    kind: str
    at: int
    full: bool
    reason: str
    by: str
    on: str


def _key(kind: str, unit: str) -> str:
    return f"chain_restart:{kind}:{unit}"


def check_unit(code: object) -> str:
    """A unit code typed by a person or read from a file: ValidationError (Vietnamese) if invalid."""
    try:
        return check_unit_code(code, "mã đơn vị")
    except ValueError as exc:
        raise ValidationError(str(exc), field="unit") from exc


def check_reason(reason: str) -> str:
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationError("Hãy ghi lý do (ví dụ: 'phục hồi bản sao lưu ngày 01/03').", field="reason")
    if len(text) > MAX_REASON:
        raise ValidationError(f"Lý do dài quá {MAX_REASON} ký tự.", field="reason")
    return text


def _audit(store: Store, table: str, row_id: str, action: str, fld: str, after: dict[str, Any]) -> None:
    store.conn.execute(
        "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
        (utc_now(), store.user, table, row_id, action, fld, json.dumps(after, ensure_ascii=False, sort_keys=True)))


def get_restart(store: Store, unit: str, kind: str) -> Restart | None:
    raw = store.get_setting(_key(kind, unit))
    if not raw:
        return None
    doc = json.loads(raw)
    return Restart(unit, kind, int(doc["at"]), bool(doc["full"]), str(doc["reason"]), str(doc["by"]),
                   str(doc["on"]))


def restart_chain(store: Store, unit: str, at: int, reason: str, *, kind: str = REPORT,
                  full: bool = True) -> int:
    """Accept the next bundle of ``unit``'s ``kind`` chain numbered ``at`` without the link to the
    previous one (a full snapshot when ``full``). Returns how many bundles were set aside as
    abandoned. One transaction, audited (the setting, each abandoned bundle, the reason)."""
    check_unit(unit)
    if kind not in CHAIN_KINDS:
        raise ValidationError(f"Loại chuỗi '{kind}' không hợp lệ (commune-report hoặc reference).", field="kind")
    if isinstance(at, bool) or not isinstance(at, int) or not 1 <= at <= MAX_SEQUENCE:
        raise ValidationError(f"Số thứ tự bắt đầu lại phải là số nguyên từ 1 đến {MAX_SEQUENCE}.", field="at")
    text = check_reason(reason)
    if sync.active_trusted(store, unit, "sign") is None:
        raise ValidationError(f"Chưa có khóa tin cậy nào của đơn vị '{unit}'. Hãy xác nhận thẻ khóa của đơn vị "
                              "trước (Xác nhận khóa mới / cannngheo recovery confirm-key).", field="unit")
    store.check_writable()
    doc = {"at": at, "full": full, "reason": text, "by": store.user, "on": utc_now()}
    with store.transaction() as conn:
        rows = conn.execute(
            "SELECT id, sequence, status FROM bundles WHERE direction = 'in' AND peer_unit = ? AND kind = ? "
            "AND sequence >= ? AND status IN ('applied', 'waiting')", (unit, kind, at)).fetchall()
        for row in rows:
            conn.execute("UPDATE bundles SET status = ?, content = NULL, message = ? WHERE id = ?",
                         (ABANDONED, f"Chuỗi bắt đầu lại từ số {at}: {text}", row[0]))
            _audit(store, "bundles", row[0], "update", "status",
                   {"status": ABANDONED, "was": row[2], "sequence": row[1], "restart_at": at})
        repo.set_setting(store, _key(kind, unit), json.dumps(doc, ensure_ascii=False, sort_keys=True))
        _audit(store, "bundles", f"{kind}:{unit}", "update", "chain_restart",
               {"procedure": "restart-chain", "unit": unit, "kind": kind, **doc, "abandoned": len(rows)})
    return len(rows)


def chain_expectation(store: Store, opened: Opened, kinds: tuple[str, ...]) -> tuple[str, list[int]] | None:
    """The importer's chain decision for a chain that was restarted here (see the module
    docstring), or None when no restart applies (the importer's usual rules decide)."""
    m, sha = opened.manifest, opened.raw.sha256
    restart = get_restart(store, m.sender_unit, kinds[0])
    if restart is None:
        return None
    known = sync.bundle_by_sha(store, sha)
    if known is not None and known["status"] == ABANDONED:
        raise refuse(opened.path, f"gói số {m.sequence} của đơn vị '{m.sender_unit}' đã được bỏ khi bắt đầu lại "
                                  f"chuỗi từ số {restart.at}; không nhập lại tệp này"
                                  + (" — hãy yêu cầu đơn vị xuất gói đầy đủ (cannngheo bundle export --full)."
                                     if restart.full else "."))
    live = [r for r in _chain_rows(store, m.sender_unit, kinds) if r["status"] != ABANDONED]
    if any(r["status"] == "applied" and r["sequence"] >= restart.at for r in live):
        return _usual(opened, live)
    if known is not None and known["status"] == "applied":
        return "duplicate", []
    if m.sequence < restart.at:
        raise refuse(opened.path, f"chuỗi gói của đơn vị '{m.sender_unit}' đã được bắt đầu lại từ số {restart.at}; "
                                  f"gói số {m.sequence} cũ hơn, không nhập.")
    complete = m.full or m.sequence == 1  # bundle 1 carries everything the sender owns
    if restart.full and complete:
        return "next", []  # a full snapshot numbered N or more stands on its own
    if m.sequence > restart.at and not restart.full:
        have = {r["sequence"] for r in live}
        return "waiting", [n for n in range(restart.at, m.sequence) if n not in have]
    if restart.full:
        raise refuse(opened.path, f"chuỗi gói của đơn vị '{m.sender_unit}' bắt đầu lại từ số {restart.at} và cần "
                                  "một gói ĐẦY ĐỦ. Hãy yêu cầu đơn vị xuất gói đầy đủ "
                                  "(Xuất gói → Gửi toàn bộ dữ liệu; cannngheo bundle export --full).")
    return "next", []


def _chain_rows(store: Store, unit: str, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    return [dict(r) for r in store.query(
        f"SELECT id, sequence, sha256, status FROM bundles WHERE direction = 'in' AND peer_unit = ? "
        f"AND kind IN ({','.join('?' * len(kinds))})", (unit, *kinds))]


def _usual(opened: Opened, live: list[dict[str, Any]]) -> tuple[str, list[int]]:
    """The importer's chain rules over the bundles not abandoned."""
    m, sha = opened.manifest, opened.raw.sha256
    for row in (r for r in live if r["sequence"] == m.sequence):
        if row["sha256"] == sha and row["status"] == "applied":
            return "duplicate", []
        if row["sha256"] != sha:
            raise refuse(opened.path, f"đã có gói số {m.sequence} khác của đơn vị '{m.sender_unit}' "
                                      "(rẽ nhánh). Hãy liên hệ đơn vị gửi; không nhập tệp này.")
    applied = [r for r in live if r["status"] == "applied"]
    last = max(applied, key=lambda r: r["sequence"]) if applied else None
    expected = (last["sequence"] + 1) if last else 1
    if m.sequence < expected:
        raise refuse(opened.path, f"gói số {m.sequence} cũ hơn gói đã nhập gần nhất ({expected - 1}) "
                                  "nhưng không khớp gói nào đã nhập (rẽ nhánh).")
    if m.sequence == expected:
        if last is None or m.prev_sha256 != last["sha256"]:
            raise refuse(opened.path, f"gói số {m.sequence} không nối tiếp gói số {expected - 1} đã nhập "
                                      "(mã băm gói trước không khớp — rẽ nhánh).")
        return "next", []
    have = {r["sequence"] for r in live}
    return "waiting", [n for n in range(expected, m.sequence) if n not in have]


def confirm_new_key(store: Store, card: Any, typed_fingerprint: str, reason: str) -> Any:
    """"New key" step: the office confirms a unit's new key card by the fingerprint read over the
    phone (``roster.replace_unit_key``: audited; the unit's previous keys are replaced)."""
    return roster.replace_unit_key(store, card, typed_fingerprint=typed_fingerprint, reason=check_reason(reason))


def chain_heads(store: Store) -> list[dict[str, Any]]:
    """Per peer and chain: the last applied incoming number, the last sent number, any restart."""
    out: list[dict[str, Any]] = []
    for row in store.query(
            "SELECT direction, peer_unit, kind, max(sequence) AS sequence FROM bundles "
            "WHERE kind IN ('commune-report', 'reference') AND status != 'abandoned' "
            "AND (direction = 'out' OR status = 'applied') GROUP BY direction, peer_unit, kind "
            "ORDER BY peer_unit, kind, direction"):
        head = dict(row)
        restart = get_restart(store, head["peer_unit"], head["kind"]) if head["direction"] == "in" else None
        head["restart_at"] = restart.at if restart else None
        out.append(head)
    return out


__all__ = ["ABANDONED", "Restart", "chain_expectation", "chain_heads", "confirm_new_key", "get_restart",
           "restart_chain"]
