"""The "lost PC" recovery bundle: the office gives a reinstalled commune its own data back.

Office (``export_recovery``): a bundle of kind ``recovery``, office → commune, signed and
encrypted like any bundle, holding what the office holds of that commune: its replica rows of the
commune's tables, the commune's audit entries (``replica_audit``, as ``audit_log`` lines whose
``id`` is the commune's own entry id) and the chain head in one ``_receipt`` line
``{"bundle_id", "sha256", "sequence", "period", "kind": "commune-report"}``. The manifest's
``sequence``/``prev_sha256`` repeat that head (last applied number N and its hash), so it is signed.

Commune (``apply_recovery``): two streaming passes over the payload (``restore_rows``; no pass keeps
the rows, so memory does not grow with the bundle): every check first, then, after an automatic
backup, ONE transaction:

- rows are matched by id and version: missing → inserted, older here → replaced, same version and
  content → unchanged; same version, other content → the office's copy wins and the local content
  is kept in the audit log (field ``recovery_overwritten``); newer here, or not at the office at all
  → kept and marked to be sent (a fresh ``changes`` row), since the office never got it;
- restored rows create NO ``changes`` rows (they are not sent back); each is audited
  (``sync.upsert_replicas``: user ``recovery:<file>``);
- the commune's audit entries go to ``replica_audit`` under its own code (kept, never re-sent);
  ``audit_log`` ids continue above the highest id the office has, so new entries never collide;
- the chain: local outgoing bundles above N (or N with another hash) are renamed kind
  ``commune-report-abandoned``; bundle N is recorded as sent and acknowledged with the change-set
  baseline of now, so the next export is N+1 with ``prev_sha256`` = sha(N) and carries only what
  changed after the recovery (plus the rows marked above);
- the recovery bundle is recorded (``bundles``, kind ``recovery``) and one audit entry
  (``bundles``/``recovery``) sums the procedure up.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..storage import backup, repo
from ..storage.db import Store, utc_now
from . import authority, payload, restore_rows, sync
from .envelope import Opened, open_bundle, require_installation, seal
from .errors import BundleError, refuse
from .format import DEFAULT_LIMITS, Limits, write_new_bundle
from .recovery import MAX_SEQUENCE, check_reason, check_unit, restart_chain

RECOVERY, REPORT, REFERENCE = "recovery", "commune-report", "reference"
ABANDONED_OUT = "commune-report-abandoned"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass
class Restored:
    path: Path
    status: str                       # applied | duplicate
    message: str
    head_sequence: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


def recovery_file_name(office: str, unit: str, sequence: int) -> str:
    return f"khoi-phuc-{office}-{unit}-{sequence}.cnb"


def export_recovery(store: Store, unit: str, out_dir: Path, passphrase: str, reason: str) -> Path:
    """At the office: write the recovery bundle of commune ``unit`` into ``out_dir`` (audited)."""
    check_unit(unit)
    text = check_reason(reason)
    inst = require_installation(store)
    if inst.role != "aggregator":
        raise BundleError("Chỉ cơ quan tiếp nhận mới xuất gói khôi phục cho xã/phường.")
    if not authority.receives_for(store, inst.unit_code, unit):
        raise BundleError(f"Đơn vị '{unit}' không thuộc các đơn vị mà đơn vị này tiếp nhận báo cáo.")
    head = sync.last_bundle(store, "in", unit, (REPORT,), statuses=("applied",))
    if head is None:
        raise BundleError(f"Chưa nhận gói nào của đơn vị '{unit}': không có gì để khôi phục. Xã chỉ cần "
                          "cài lại, gửi thẻ khóa mới và xuất gói như bình thường (gói số 1).")
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise BundleError(f"Thư mục '{out_dir}' không tồn tại; hãy chọn thư mục khác (ví dụ ổ USB).")
    lines: list[tuple[str, payload.Row]] = []
    counts: dict[str, int] = {}
    for table in payload.UPWARD_TABLES:
        rows = sync.owned_rows_json(store, table, unit, None, 0)
        counts[table] = len(rows)
        lines.extend((table, text_) for _, text_ in rows)
    audit = [dict(r) for r in store.query(
        "SELECT source_id AS id, at, user, table_name, row_id, action, field, before, after FROM replica_audit "
        f"WHERE unit_code = ? AND table_name IN ({','.join('?' * len(payload.UPWARD_TABLES))}) "
        "ORDER BY source_id", (unit, *payload.UPWARD_TABLES))]
    lines.extend((payload.AUDIT, e) for e in audit)
    lines.append((payload.RECEIPT, {"bundle_id": head["id"], "sha256": head["sha256"], "kind": REPORT,
                                    "sequence": head["sequence"], "period": head["period"]}))
    sent_down = sync.last_bundle(store, "out", unit, (REFERENCE,))
    if sent_down is not None:  # the office's own chain to the commune: where the commune must pick it up
        lines.append((payload.RECEIPT, {"bundle_id": sent_down["id"], "sha256": sent_down["sha256"],
                                        "kind": REFERENCE, "sequence": sent_down["sequence"],
                                        "period": sent_down["period"]}))
    sealed = seal(store, kind=RECOVERY, recipient_unit=unit, period=head["period"], sequence=head["sequence"],
                  prev_sha256=head["sha256"], lines=lines, passphrase=passphrase, full=True)
    target = out_dir / recovery_file_name(inst.unit_code, unit, head["sequence"])
    write_new_bundle(target, sealed.manifest_bytes, sealed.signature, sealed.payload)
    m = sealed.manifest
    try:
        with store.transaction():
            sync.record_bundle(store, {
                "id": m.bundle_id, "direction": "out", "kind": RECOVERY, "peer_unit": unit,
                "sequence": m.sequence, "period": m.period, "file_name": target.name, "sha256": sealed.sha256,
                "prev_sha256": m.prev_sha256, "status": "sent", "counts": json.dumps(m.rows),
                "created_at": utc_now()})
            _audit(store, m.bundle_id, {"procedure": "lost-pc: recovery bundle exported", "unit": unit,
                                        "head_sequence": m.sequence, "head_sha256": m.prev_sha256,
                                        "rows": counts, "audit_entries": len(audit), "reason": text,
                                        "file": target.name})
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def _audit(store: Store, row_id: str, after: dict[str, Any], user: str | None = None) -> None:
    store.conn.execute(
        "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
        "VALUES (?, ?, 'bundles', ?, 'insert', 'recovery', NULL, ?)",
        (utc_now(), user or store.user, row_id, json.dumps(after, ensure_ascii=False, sort_keys=True)))


def _heads(path: Path, scan: restore_rows.Scan, m: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(the commune's report chain head, the office's reference chain head or None), checked."""
    def ok(head: Any, kind: str) -> bool:
        return (isinstance(head, dict) and set(head) == {"bundle_id", "sha256", "kind", "sequence", "period"}
                and head["kind"] == kind and isinstance(head["sha256"], str) and bool(_HEX64.match(head["sha256"]))
                and type(head["sequence"]) is int and 1 <= head["sequence"] <= MAX_SEQUENCE
                and isinstance(head["period"], str) and bool(_PERIOD.match(head["period"]))
                and isinstance(head["bundle_id"], str) and 0 < len(head["bundle_id"]) <= 64)

    kinds = [h.get("kind") if isinstance(h, dict) else None for h in scan.heads]
    if sorted(map(str, kinds)) not in ([REPORT], [REPORT, REFERENCE]):
        raise refuse(path, "gói khôi phục không có (hoặc có thừa) thông tin đầu chuỗi.")
    report = scan.heads[kinds.index(REPORT)]
    down = scan.heads[kinds.index(REFERENCE)] if REFERENCE in kinds else None
    if not (ok(report, REPORT) and report["sha256"] == m.prev_sha256 and report["sequence"] == m.sequence
            and (down is None or ok(down, REFERENCE))):
        raise refuse(path, "thông tin đầu chuỗi trong gói khôi phục không hợp lệ hoặc không khớp tệp kê khai.")
    return report, down


def _open(store: Store, path: Path, passphrase: str,
          limits: Limits) -> tuple[Opened, restore_rows.Scan, tuple[dict[str, Any], dict[str, Any] | None]]:
    """Every check of the file and pass 1 over its rows (restore_rows.scan); nothing written."""
    opened = open_bundle(store, path, limits=limits)
    m = opened.manifest
    inst = require_installation(store)
    if m.kind != RECOVERY:
        raise refuse(path, "đây không phải gói khôi phục; hãy nhập nó bằng chức năng Nhập gói.")
    if inst.role != "commune" or m.sender_unit != inst.receiving_unit_code:
        raise refuse(path, f"gói khôi phục chỉ được nhận từ cơ quan tiếp nhận của đơn vị này "
                           f"('{inst.receiving_unit_code or '(chưa có)'}'), không từ '{m.sender_unit}'.")
    scan = restore_rows.scan(store, opened, passphrase, inst.unit_code, limits)
    if scan.errors:
        raise refuse(path, payload.describe_errors(scan.errors, scan.dropped))
    return opened, scan, _heads(opened.path, scan, m)


def apply_recovery(store: Store, path: Path, passphrase: str, *, limits: Limits = DEFAULT_LIMITS,
                   make_backup: bool = True) -> Restored:
    """At the commune: restore its data and chain from the office's recovery bundle (see the
    module docstring). BundleError, database unchanged, on any problem. Two streaming passes
    (restore_rows): every check first, then the rows chunk by chunk in the one transaction."""
    path = Path(path)
    opened, scan, (head, down) = _open(store, path, passphrase, limits)
    m, sha = opened.manifest, opened.raw.sha256
    if sync.bundle_by_sha(store, sha) is not None:
        return Restored(path, "duplicate", f"Tệp '{path.name}': gói khôi phục này đã được nhập trước đó.",
                        m.sequence)
    inst = require_installation(store)
    office, own = m.sender_unit, inst.unit_code
    newer_here = store.query_one(
        "SELECT sequence FROM bundles WHERE direction = 'out' AND peer_unit = ? AND kind = ? "
        "AND status = 'acknowledged' AND sequence > ? LIMIT 1", (office, REPORT, m.sequence))
    if newer_here is not None:
        raise refuse(path, f"cơ quan tiếp nhận đã xác nhận gói số {newer_here[0]} của đơn vị này, mới hơn đầu "
                           f"chuỗi trong gói khôi phục ({m.sequence}): gói khôi phục đã cũ. Hãy xin gói mới.")
    counts = scan.counts
    store.check_writable()
    if make_backup:
        backup.backup_database(store.conn, store.path, reason="truoc-khoi-phuc")
    user = f"recovery:{path.name}"

    def work() -> None:
        with store.transaction():
            baseline = sync.max_change_seq(store)  # restored rows make no change rows: only those kept here do
            restore_rows.write(store, opened, passphrase, own, limits, user, scan)
            _lift_audit_ids(store, scan.max_audit_id)
            abandoned = _set_chain_head(store, office, head, baseline)
            picked_up = _pick_up_reference_chain(store, office, down)
            sync.record_bundle(store, {
                "id": m.bundle_id, "direction": "in", "kind": RECOVERY, "peer_unit": office,
                "sequence": m.sequence, "period": m.period, "file_name": path.name, "sha256": sha,
                "prev_sha256": m.prev_sha256, "status": "applied", "counts": json.dumps(counts),
                "created_at": m.created_at, "received_at": utc_now()})
            _audit(store, m.bundle_id, {"procedure": "lost-pc: recovery bundle applied", "office": office,
                                        "head_sequence": m.sequence, "head_sha256": m.prev_sha256,
                                        "counts": counts, "audit_entries": scan.lines.get(payload.AUDIT, 0),
                                        "abandoned_local_bundles": abandoned, "file": path.name,
                                        "reference_chain_restart_at": picked_up})

    try:
        work()
    except BundleError:
        raise
    except Exception as exc:  # a constraint or disk error: the transaction was rolled back
        raise refuse(path, f"không ghi được vào cơ sở dữ liệu ({exc}).", detail=repr(exc)) from exc
    total = {k: sum(c[k] for c in counts.values()) for k in restore_rows.KINDS}
    msg = (f"Tệp '{path.name}': đã khôi phục dữ liệu từ cơ quan tiếp nhận '{office}' ({total['new']} dòng mới, "
           f"{total['updated']} cập nhật, {total['unchanged']} không đổi, {total['overwritten']} lấy theo bản của "
           f"cơ quan tiếp nhận, {total['kept_local']} dòng chỉ có ở máy này sẽ gửi lại). Gói tiếp theo là số "
           f"{m.sequence + 1}.")
    return Restored(path, "applied", msg, m.sequence, counts)


def _lift_audit_ids(store: Store, above: int) -> None:
    """New audit_log ids continue above ``above`` (ids the office already holds for this unit)."""
    conn = store.conn
    current = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    if current is None:
        conn.execute("INSERT INTO sqlite_sequence(name, seq) VALUES ('audit_log', ?)", (above,))
    elif int(current[0]) < above:
        conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_log'", (above,))


def _set_chain_head(store: Store, office: str, head: dict[str, Any], baseline: int) -> int:
    """Make bundle N (``head``) the last sent and acknowledged one; local bundles after it (or N
    with another hash) leave the chain. Returns how many local bundles were set aside."""
    conn, now = store.conn, utc_now()
    stale = conn.execute(
        "SELECT id FROM bundles WHERE direction = 'out' AND peer_unit = ? AND kind = ? AND "
        "(sequence > ? OR (sequence = ? AND sha256 != ?))",
        (office, REPORT, head["sequence"], head["sequence"], head["sha256"])).fetchall()
    for (bid,) in stale:
        conn.execute("UPDATE bundles SET kind = ?, message = ? WHERE id = ?",
                     (ABANDONED_OUT, f"Bỏ khi khôi phục: cơ quan tiếp nhận giữ gói số {head['sequence']}.", bid))
    fields = {"status": "acknowledged", "acknowledged_at": now, "last_change_seq": baseline, "last_audit_id": 0}
    if sync.bundle_by_sha(store, head["sha256"]) is not None:
        conn.execute("UPDATE bundles SET status = ?, acknowledged_at = ?, last_change_seq = ?, last_audit_id = ? "
                     "WHERE sha256 = ?", (*fields.values(), head["sha256"]))
    else:
        sync.record_bundle(store, {
            "id": head["bundle_id"], "direction": "out", "kind": REPORT, "peer_unit": office,
            "sequence": head["sequence"], "period": head["period"], "file_name": None, "sha256": head["sha256"],
            "prev_sha256": None, "counts": None, "created_at": now,
            "message": "Ghi lại khi khôi phục (gói do máy cũ gửi).", **fields})
    conn.execute("UPDATE bundles SET status = 'acknowledged', acknowledged_at = coalesce(acknowledged_at, ?) "
                 "WHERE direction = 'out' AND peer_unit = ? AND kind = ? AND sequence < ?",
                 (now, office, REPORT, head["sequence"]))
    locked = store.get_setting("locked_period")
    if not locked or head["period"] > locked:
        repo.set_setting(store, "locked_period", head["period"])
    return len(stale)


def _pick_up_reference_chain(store: Store, office: str, down: dict[str, Any] | None) -> int | None:
    """If this copy lacks reference bundles the office already sent (up to ``down``), restart that
    chain after them: the office's next FULL reference bundle is accepted. Returns N or None."""
    if down is None:
        return None
    have = sync.last_bundle(store, "in", office, (REFERENCE,), statuses=("applied",))
    if have is not None and (have["sequence"] > down["sequence"]
                             or (have["sequence"] == down["sequence"] and have["sha256"] == down["sha256"])):
        return None
    at = int(down["sequence"]) + 1
    restart_chain(store, office, at, f"khôi phục: cơ quan tiếp nhận đã gửi đến gói danh mục số {down['sequence']}",
                  kind=REFERENCE, full=True)
    return at
