"""Import at the receiver: inspect (every check + a dry-run summary), then apply in ONE
transaction after an automatic backup, following the chain rules:

- same hash already imported → "đã nhập trước đó", nothing changes;
- next in line → apply (then any waiting successor is applied too);
- ahead of a gap → kept waiting (file stored in the database), naming the missing numbers;
- same number with another hash, or a broken link to the previous bundle → refused as a fork.

Rows apply by ownership and version: an incoming version <= the stored one is ignored; the same
(id, version) with a different content is a conflict that refuses the whole bundle.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..core.errors import AppError
from ..core.progress import Progress, or_null
from ..storage import backup, repo
from ..storage.db import Store, utc_now
from ..storage.driver import sqlite3
from . import authority, held_files, payload, receipts, recovery, rotation, sync
from .envelope import Opened, decrypt, iter_plain, open_bundle
from .errors import BundleError, refuse
from .format import DEFAULT_LIMITS, Limits, Opener, write_bundle
from .seen_ids import SeenIds

CHAINS = {"commune-report": ("commune-report",), "reference": ("reference",)}
ALLOWED = {"commune-report": payload.UPWARD_TABLES, "reference": payload.DOWNWARD_TABLES}
MAX_ERRORS_KEPT = 200        # row problems kept for the summary; the rest are only counted
RECEIPT_MAX = 1 << 20        # a receipt's decompressed payload (one line per acknowledged bundle)


@dataclass
class Inspection:
    """What a bundle is and what applying it would do (nothing written)."""

    path: Path
    kind: str
    sender_unit: str
    period: str
    sequence: int
    sha256: str
    state: str                      # next | duplicate | waiting | receipt
    missing: list[int] = field(default_factory=list)
    summary: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    errors_dropped: int = 0         # problems beyond MAX_ERRORS_KEPT, counted only
    decrypted: bool = False
    created_at: str = ""            # the manifest's: the SENDER's clock, not measured here

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportResult:
    path: Path
    status: str                     # applied | duplicate | waiting | acknowledged (| refused: a waiting successor)
    message: str
    inspection: Inspection | None = None
    receipts: list[Path] = field(default_factory=list)
    also_applied: list[ImportResult] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)


@dataclass
class _Plan:
    inspection: Inspection
    opened: Opened
    acks: list[dict[str, Any]] = field(default_factory=list)


def _chain_state(store: Store, opened: Opened) -> tuple[str, list[int]]:
    m, sha = opened.manifest, opened.raw.sha256
    if m.kind == receipts.RECEIPT:
        return ("duplicate" if sync.bundle_by_sha(store, sha) else "receipt"), []
    kinds = CHAINS[m.kind]
    restarted = recovery.chain_expectation(store, opened, kinds)  # hook: a chain restarted at N (recovery.py)
    if restarted is not None:
        return restarted
    for row in sync.bundles_at(store, "in", m.sender_unit, kinds, m.sequence):
        if row["sha256"] == sha and row["status"] == "applied":
            return "duplicate", []
        if row["sha256"] == sha:
            continue
        raise refuse(opened.path, f"đã có gói số {m.sequence} khác của đơn vị '{m.sender_unit}' "
                                  "(rẽ nhánh). Hãy liên hệ đơn vị gửi; không nhập tệp này.")
    last = sync.last_bundle(store, "in", m.sender_unit, kinds, statuses=("applied",))
    expected = (last["sequence"] + 1) if last else 1
    if m.sequence < expected:
        raise refuse(opened.path, f"gói số {m.sequence} cũ hơn gói đã nhập gần nhất ({expected - 1}) "
                                  "nhưng không khớp gói nào đã nhập (rẽ nhánh).")
    if m.sequence == expected:
        if m.prev_sha256 != (last["sha256"] if last else None):
            raise refuse(opened.path, f"gói số {m.sequence} không nối tiếp gói số {expected - 1} đã nhập "
                                      "(mã băm gói trước không khớp — rẽ nhánh).")
        return "next", []
    have = {r["sequence"] for r in sync.list_bundles(store, "in")
            if r["peer_unit"] == m.sender_unit and r["kind"] in kinds}
    return "waiting", [n for n in range(expected, m.sequence) if n not in have]


def _classify(store: Store, insp: Inspection, table: str, rows: list[dict[str, Any]], seen: SeenIds) -> list[str]:
    """Count one run of rows as new / updated / unchanged / refused (pass 1); returns the errors."""
    errors: list[str] = []
    counts = insp.summary.setdefault(table, {"new": 0, "updated": 0, "unchanged": 0, "refused": 0})
    twice = seen.repeated(table, [r["id"] for r in rows])
    if twice:
        errors.append(f"bảng {table}: một dòng xuất hiện hai lần ({twice[0]})")
    stored = sync.stored_versions(store, table, [r["id"] for r in rows])
    if not stored:   # none of these rows is here yet (a first import): all new, nothing to compare
        counts["new"] += len(rows)
        return errors
    same = [r["id"] for r in rows if stored.get(r["id"]) == r["version"]]
    newer_owner = [r["id"] for r in rows if r["id"] in stored and stored[r["id"]] < r["version"]]
    full_rows = sync.stored_rows(store, table, same + newer_owner)
    for row in rows:
        have = stored.get(row["id"])
        old = full_rows.get(row["id"])
        if old is not None and old.get("unit_code") != row["unit_code"]:
            counts["refused"] += 1
            errors.append(f"bảng {table}, dòng {row['id']}: đã thuộc đơn vị '{old.get('unit_code')}'")
        elif have is None:
            counts["new"] += 1
        elif row["version"] > have:
            counts["updated"] += 1
        elif row["version"] < have or (old is not None and all(old.get(k) == v for k, v in row.items())):
            counts["unchanged"] += 1
        else:
            counts["refused"] += 1
            errors.append(f"bảng {table}, dòng {row['id']}: xung đột (cùng phiên bản {have} nhưng nội dung khác)")
    return errors


def _chunks(store: Store, opened: Opened, passphrase: str) -> Iterator[payload.Chunk]:
    """One streaming pass over the payload: decrypt, inflate, split, parse, validate (bounded)."""
    m, limits = opened.manifest, opened.raw.limits
    allowed = ALLOWED[m.kind]
    columns = {t: repo.columns(store, t) for t in allowed}
    lines = payload.split_lines(opened.path, iter_plain(store, opened, passphrase), limits.max_line, limits.max_rows)
    return payload.iter_chunks(opened.path, lines, allowed, columns, m.sender_unit, receipts=False)


def _note(insp: Inspection, errors: list[str]) -> None:
    room = MAX_ERRORS_KEPT - len(insp.errors)
    insp.errors.extend(errors[:max(room, 0)])
    insp.errors_dropped += max(len(errors) - max(room, 0), 0)


def _scan(store: Store, insp: Inspection, opened: Opened, passphrase: str) -> None:
    """Pass 1: every line validated, rows checked for ownership (authority) and classified chunk
    by chunk; only counts, the ids (on disk: seen_ids) and the first errors are kept, never rows."""
    m = opened.manifest
    guard = authority.RowGuard(store, m.sender_unit, m.kind)  # row ownership, parents before children
    seen = SeenIds()
    try:
        invalid = _scan_chunks(store, insp, opened, passphrase, guard, seen)
    finally:
        seen.close()
    if invalid:   # as before streaming: no dry-run summary for a bundle with invalid lines
        insp.summary.clear()


def _scan_chunks(store: Store, insp: Inspection, opened: Opened, passphrase: str, guard: authority.RowGuard,
                 seen: SeenIds) -> bool:
    """Pass 1 over the chunks; True when a line or the row counts are invalid."""
    m = opened.manifest
    counts: dict[str, int] = {}
    invalid = False
    for chunk in _chunks(store, opened, passphrase):
        errors = list(chunk.errors)
        for table, rows in chunk.runs:
            counts[table] = counts.get(table, 0) + len(rows)
            errors.extend(guard.check(table, rows))
        errors.extend(guard.check_audit(chunk.audit))  # audit entries only about the sender's rows
        for name, items in ((payload.AUDIT, chunk.audit), (payload.RECEIPT, chunk.receipt)):
            if items:
                counts[name] = counts.get(name, 0) + len(items)
        invalid = invalid or bool(errors)
        if insp.state != "waiting":
            for table, rows in chunk.runs:
                errors.extend(_classify(store, insp, table, rows, seen))
        _note(insp, errors)
    if counts != m.rows:
        _note(insp, ["số dòng trong dữ liệu không khớp với tệp kê khai"])
        invalid = True
    return invalid


def _plan(store: Store, path: Path, passphrase: str | None, limits: Limits, *, data: bytes | None = None,
          opener: Opener | None = None) -> _Plan:
    opened = open_bundle(store, path, data=data, limits=limits, opener=opener)
    m = opened.manifest
    authority.check_sender(store, opened.path, m)  # kind and direction: before decrypting anything
    state, missing = _chain_state(store, opened)
    insp = Inspection(opened.path, m.kind, m.sender_unit, m.period, m.sequence, opened.raw.sha256,
                      state, missing, created_at=m.created_at)
    plan = _Plan(insp, opened)
    if passphrase is None or state == "duplicate":
        return plan
    insp.decrypted = True
    if m.kind == receipts.RECEIPT:   # one line: read whole, under a small cap
        plain = decrypt(store, opened, passphrase, replace(limits, max_plain=RECEIPT_MAX))
        plan.acks = receipts.check_receipt(store, opened, plain)
        return plan
    _scan(store, insp, opened, passphrase)
    return plan


def inspect_bundle(store: Store, path: Path, passphrase: str | None = None, *,
                   limits: Limits = DEFAULT_LIMITS) -> Inspection:
    """Run every check (decryption and the dry-run summary only with the passphrase); writes nothing.

    Refusals of the file itself raise BundleError; row problems are listed in ``errors``.
    """
    return _plan(store, Path(path), passphrase, limits).inspection


def apply_bundle(store: Store, path: Path, passphrase: str, *, receipt_dir: Path | None = None,
                 limits: Limits = DEFAULT_LIMITS, progress: Progress | None = None,
                 make_backup: bool = True, data: bytes | None = None, opener: Opener | None = None,
                 follow_waiting: bool = True) -> ImportResult:
    """Import one bundle file following the chain rules; see the module docstring.

    Two streaming passes: every check and the summary first (nothing written), then the rows
    chunk by chunk in ONE transaction. ``data``/``opener`` read the bundle from bytes or another
    source (a waiting bundle kept in the database) instead of ``path``. Receipts for applied
    bundles are written to ``receipt_dir`` (default: beside the file).
    """
    progress = or_null(progress)
    path = Path(path)
    plan = _plan(store, path, passphrase, limits, data=data, opener=opener)
    insp = plan.inspection
    if insp.errors:
        raise refuse(path, payload.describe_errors(insp.errors, insp.errors_dropped))
    if insp.state == "duplicate":
        return ImportResult(path, "duplicate", f"Tệp '{path.name}': đã nhập trước đó, không có gì thay đổi.", insp)
    if insp.state == "receipt":
        marked = _guard(path, lambda: receipts.apply_receipt(store, plan.opened, plan.acks))
        return ImportResult(path, "acknowledged",
                            f"Tệp '{path.name}': biên nhận hợp lệ, đã đánh dấu {marked} gói đã được nhận.", insp)
    if insp.state == "waiting":
        return _keep_waiting(store, plan)
    store.check_writable()  # a read-only file: refused before the backup, not after it
    if make_backup:
        backup.backup_database(store.conn, store.path, reason="truoc-nhap-goi")
    result = _apply(store, plan, passphrase, receipt_dir or path.parent, progress)
    if follow_waiting:
        _apply_waiting_successors(store, plan, passphrase, receipt_dir or path.parent, limits, result)
    return result


def _guard(path: Path, work: Any) -> Any:
    try:
        return work()
    except BundleError:
        raise
    except AppError as exc:
        raise refuse(path, f"không ghi được vào cơ sở dữ liệu: {exc.message}", detail=exc.detail) from exc
    except sqlite3.Error as exc:
        raise refuse(path, f"dữ liệu vi phạm ràng buộc của cơ sở dữ liệu ({exc}).", detail=str(exc)) from exc


def _keep_waiting(store: Store, plan: _Plan) -> ImportResult:
    """Keep the bundle in the database (``bundles.content``, copied in pieces from the checked
    source: at most ``max_file`` bytes) until the bundles before it arrive."""
    insp, m = plan.inspection, plan.opened.manifest
    missing = ", ".join(str(n) for n in insp.missing)
    msg = (f"Tệp '{insp.path.name}' (gói số {m.sequence}) đang chờ: còn thiếu gói số {missing} "
           f"của đơn vị '{m.sender_unit}'. Gói sẽ được nhập tự động khi nhận đủ.")
    if not sync.bundle_by_sha(store, insp.sha256):
        def work() -> None:
            with store.transaction():
                sync.record_bundle(store, {
                    "id": m.bundle_id, "direction": "in", "kind": m.kind, "peer_unit": m.sender_unit,
                    "sequence": m.sequence, "period": m.period, "file_name": insp.path.name,
                    "sha256": insp.sha256, "prev_sha256": m.prev_sha256, "status": "waiting",
                    "counts": json.dumps(m.rows), "created_at": m.created_at, "received_at": utc_now(),
                    "message": msg})
                held_files.store_content(store, m.bundle_id, plan.opened.raw.opener, plan.opened.raw.limits.max_file)
        _guard(insp.path, work)
    return ImportResult(insp.path, "waiting", msg, insp, missing=insp.missing)


def _write(store: Store, plan: _Plan, passphrase: str, user: str, progress: Progress) -> None:
    """Pass 2 (inside the caller's transaction): stream again and upsert chunk by chunk the rows
    that are new or newer; the replica audit entries likewise. The stream re-checks the payload
    hash and the AES-GCM tag at its end, so a file changed since pass 1 rolls everything back."""
    m, path = plan.opened.manifest, plan.opened.path
    total, done = max(sum(m.rows.values()), 1), 0
    for chunk in _chunks(store, plan.opened, passphrase):
        if chunk.errors:
            raise refuse(path, "dữ liệu đã thay đổi giữa hai lần đọc tệp; không nhập.")
        for table, rows in chunk.runs:
            stored = sync.stored_versions(store, table, [r["id"] for r in rows])
            writes = [r for r in rows if r["id"] not in stored or r["version"] > stored[r["id"]]]
            if writes:
                sync.upsert_replicas(store, table, writes, user)
        if chunk.audit:
            sync.insert_replica_audit(store, m.sender_unit, m.bundle_id, chunk.audit)
        done += chunk.lines
        progress.report(min(done, total), total + 1)


def _apply(store: Store, plan: _Plan, passphrase: str, receipt_dir: Path, progress: Progress) -> ImportResult:
    insp, m = plan.inspection, plan.opened.manifest
    sealed = receipts.build_receipt(store, m, insp.sha256, insp.summary, passphrase)
    receipt_path = Path(receipt_dir) / receipts.receipt_file_name(sealed)
    user = f"bundle:{insp.path.name}"

    def work() -> None:
        with store.transaction():
            _write(store, plan, passphrase, user, progress)
            if m.key_update:
                rotation.learn_announced_keys(store, m.sender_unit, m.sender_key_id, m.key_update)
            rotation.note_signed_by(store, m.sender_key_id)
            fields = {"status": "applied", "received_at": utc_now(), "content": None,
                      "counts": json.dumps(insp.summary), "message": None}
            if sync.bundle_by_sha(store, insp.sha256):
                sync.update_bundle(store, m.bundle_id, **fields)
            else:
                sync.record_bundle(store, {
                    "id": m.bundle_id, "direction": "in", "kind": m.kind, "peer_unit": m.sender_unit,
                    "sequence": m.sequence, "period": m.period, "file_name": insp.path.name,
                    "sha256": insp.sha256, "prev_sha256": m.prev_sha256, "created_at": m.created_at, **fields})
            receipts.record_receipt_out(store, sealed, receipt_path.name)

    _guard(insp.path, work)
    progress.report(1, 1)
    written: list[Path] = []
    try:
        write_bundle(receipt_path, sealed.manifest_bytes, sealed.signature, sealed.payload)
        written.append(receipt_path)
        note = f" Biên nhận: {receipt_path.name}."
    except OSError as exc:
        note = f" Chưa ghi được biên nhận vào '{receipt_dir}' ({exc}); dữ liệu đã nhập."
    total = {k: sum(c[k] for c in insp.summary.values()) for k in ("new", "updated", "unchanged")}
    msg = (f"Tệp '{insp.path.name}': đã nhập gói số {m.sequence} kỳ {m.period} của đơn vị '{m.sender_unit}' "
           f"({total['new']} dòng mới, {total['updated']} cập nhật, {total['unchanged']} không đổi).{note}")
    return ImportResult(insp.path, "applied", msg, insp, receipts=written)


def _apply_waiting_successors(store: Store, plan: _Plan, passphrase: str, receipt_dir: Path,
                              limits: Limits, result: ImportResult) -> None:
    m = plan.opened.manifest
    seq = m.sequence + 1
    while True:
        waiting = [r for r in sync.bundles_at(store, "in", m.sender_unit, CHAINS[m.kind], seq)
                   if r["status"] == "waiting"]
        if not waiting:
            return
        opener = held_files.waiting_opener(store, waiting[0]["id"])
        if opener is None:
            return
        name = Path(waiting[0]["file_name"] or f"goi-{seq}.cnb")
        try:
            sub = apply_bundle(store, result.path.parent / name.name, passphrase, receipt_dir=receipt_dir,
                               limits=limits, make_backup=False, opener=opener,
                               follow_waiting=False)
        except AppError as exc:
            # The file the user imported WAS applied; the one that waited for it is refused now
            # (e.g. it continues another history): say so beside the success, keep it waiting
            # with the reason, and stop the chain there.
            message = f"Gói số {seq} đang chờ không nhập được. {exc.message}"
            row_id = waiting[0]["id"]
            _guard(result.path, lambda row_id=row_id, message=message: sync.update_bundle(store, row_id, message=message))
            result.also_applied.append(ImportResult(result.path.parent / name.name, "refused", message))
            return
        result.also_applied.append(sub)
        result.receipts.extend(sub.receipts)
        seq += 1
