"""Export at a commune: everything not yet acknowledged by a receipt (or a full snapshot) of the
rows this commune owns, plus their audit entries, sealed for the receiving office.

After a successful export the period is locked for reporting (setting ``locked_period``);
later edits travel in the next bundle.

What each side may export (the importer's ``authority`` checks refuse anything else): a commune
(role commune, with a receiving office) a ``commune-report`` to that office only, of the rows it
owns in ``payload.UPWARD_TABLES``; an office (role aggregator) a ``reference`` bundle of the rows
it owns in ``payload.DOWNWARD_TABLES``, only to a unit it receives for
(``authority.receives_for``). Receipts are sealed by the importer, only for bundles it applied.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.codes import is_unit_code
from ..core.errors import Cancelled, ValidationError
from ..core.progress import Progress, or_null
from ..storage import repo
from ..storage.db import Store, utc_now
from . import authority, file_names, payload, sync
from .envelope import Sealed, require_installation, seal
from .errors import BundleError
from .format import write_new_bundle

REPORT = "commune-report"
REFERENCE = "reference"
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass
class ExportPreview:
    """What the next bundle will carry: per table (new, changed) and the audit entries."""

    period: str
    sequence: int
    recipient_unit: str
    full: bool
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    audit_entries: int = 0

    @property
    def total_rows(self) -> int:
        return sum(c["new"] + c["changed"] for c in self.tables.values())


@dataclass
class _Collected:
    preview: ExportPreview
    lines: list[tuple[str, payload.Row]]
    up_to_seq: int
    up_to_audit: int
    prev_sha256: str | None


def check_period(period: str) -> str:
    if not _PERIOD.match(period or ""):
        raise ValidationError(f"Kỳ '{period}' không hợp lệ; hãy nhập dạng YYYY-MM (ví dụ 2026-03).",
                              field="period")
    return period


def locked_period(store: Store) -> str | None:
    """The latest period already exported (its report figures are locked)."""
    return store.get_setting("locked_period")


def _collect(store: Store, period: str, full: bool, progress: Progress, *, kind: str = REPORT,
             peer: str | None = None) -> _Collected:
    check_period(period)
    inst = require_installation(store)
    tables: tuple[str, ...]
    if kind == REPORT:
        if inst.role != "commune" or not inst.receiving_unit_code:
            raise BundleError("Chỉ bản cài đặt của xã/phường (có cơ quan tiếp nhận) mới xuất gói báo cáo.")
        locked = locked_period(store)
        if locked and period < locked:
            raise BundleError(f"Kỳ {period} cũ hơn kỳ đã gửi gần nhất ({locked}); hãy chọn kỳ {locked} trở đi.")
        peer, tables = inst.receiving_unit_code, payload.UPWARD_TABLES
    else:
        if inst.role != "aggregator" or not peer:
            raise BundleError("Chỉ cơ quan tiếp nhận mới gửi gói danh mục/kế hoạch xuống xã/phường.")
        if not is_unit_code(peer):
            raise BundleError(f"Mã đơn vị nhận {peer!r:.40} không hợp lệ (phải gồm 1–5 chữ số).")
        if not authority.receives_for(store, inst.unit_code, peer):
            # the same rule the importer applies to reports: the plan and targets go only to units
            # this office receives reports from (they would refuse them from anyone else anyway)
            raise BundleError(f"Đơn vị '{peer}' không thuộc các đơn vị mà đơn vị '{inst.unit_code}' tiếp nhận "
                              "(theo danh mục đơn vị); không gửi gói danh mục/kế hoạch cho đơn vị đó.")
        tables = payload.DOWNWARD_TABLES
    chain = (kind,)
    last = sync.last_bundle(store, "out", peer, chain)
    acked = sync.last_bundle(store, "out", peer, chain, statuses=("acknowledged",))
    acked_seq = int(acked["last_change_seq"] or 0) if acked else 0
    acked_audit = int(acked["last_audit_id"] or 0) if acked else 0
    up_to_seq, up_to_audit = sync.max_change_seq(store), sync.max_audit_id(store)
    preview = ExportPreview(period, (last["sequence"] + 1) if last else 1, peer, full)
    lines: list[tuple[str, payload.Row]] = []
    audit: list[tuple[int, payload.Row]] = []
    since = None if full else acked_seq
    for done, table in enumerate(tables):
        if progress.cancelled():
            raise Cancelled()
        rows = sync.owned_rows_json(store, table, inst.unit_code, since, up_to_seq)
        if rows:
            new = (len(sync.new_row_ids(store, table, [rid for rid, _ in rows], acked_seq))
                   if acked_seq else len(rows))
            preview.tables[table] = {"new": new, "changed": len(rows) - new}
        lines.extend((table, text) for _, text in rows)
        audit.extend(sync.audit_entries_json(store, table, inst.unit_code, since, up_to_seq,
                                             0 if full else acked_audit, up_to_audit))
        progress.report(done + 1, len(tables) + 1)
    audit.sort(key=lambda e: e[0])
    lines.extend((payload.AUDIT, text) for _, text in audit)
    preview.audit_entries = len(audit)
    return _Collected(preview, lines, up_to_seq, up_to_audit, last["sha256"] if last else None)


def preview_export(store: Store, period: str, *, full: bool = False,
                   progress: Progress | None = None) -> ExportPreview:
    """Counts of what ``export_bundle`` would write now (nothing is written)."""
    return _collect(store, period, full, or_null(progress)).preview


def preview_reference(store: Store, peer_unit: str, period: str, *, full: bool = False,
                      progress: Progress | None = None) -> ExportPreview:
    """Counts of what ``export_reference`` would write now (nothing is written)."""
    return _collect(store, period, full, or_null(progress), kind=REFERENCE, peer=peer_unit).preview


def bundle_file_name(unit: str, period: str, sequence: int) -> str:
    """``<unit>-<YYYY-MM>-<seq>.cnb`` with every part checked (``file_names``: the recipient's
    code comes from a key card)."""
    return file_names.bundle_name(unit, period, sequence)


def export_bundle(store: Store, period: str, out_dir: Path, passphrase: str, *, full: bool = False,
                  progress: Progress | None = None) -> Path:
    """Write ``<unit>-<YYYY-MM>-<seq>.cnb`` into ``out_dir``, record it as sent and lock the period."""
    return _export(store, period, out_dir, passphrase, full, or_null(progress), REPORT, None)


def export_reference(store: Store, peer_unit: str, period: str, out_dir: Path, passphrase: str, *,
                     full: bool = False, progress: Progress | None = None) -> Path:
    """At the office: write ``<office>-<commune>-<YYYY-MM>-<seq>.cnb`` carrying the plans, targets,
    catalogues and unit rows the office owns (changed since the commune's last receipt, or all)."""
    return _export(store, period, out_dir, passphrase, full, or_null(progress), REFERENCE, peer_unit)


def _export(store: Store, period: str, out_dir: Path, passphrase: str, full: bool, progress: Progress,
            kind: str, peer: str | None) -> Path:
    got = _collect(store, period, full, progress, kind=kind, peer=peer)
    inst = require_installation(store)
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise BundleError(f"Thư mục '{out_dir}' không tồn tại; hãy chọn thư mục khác (ví dụ ổ USB).")
    sealed = seal(store, kind=kind, recipient_unit=got.preview.recipient_unit, period=period,
                  sequence=got.preview.sequence, prev_sha256=got.prev_sha256, lines=got.lines,
                  passphrase=passphrase, full=full)
    name = bundle_file_name(inst.unit_code, period, got.preview.sequence)
    if kind == REFERENCE:
        name = bundle_file_name(f"{inst.unit_code}-{got.preview.recipient_unit}", period, got.preview.sequence)
    target = out_dir / name
    write_new_bundle(target, sealed.manifest_bytes, sealed.signature, sealed.payload)
    try:
        _record(store, sealed, target, got, period)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    progress.report(1, 1)
    return target


def _record(store: Store, sealed: Sealed, target: Path, got: _Collected, period: str) -> None:
    m = sealed.manifest
    with store.transaction():
        sync.record_bundle(store, {
            "id": m.bundle_id, "direction": "out", "kind": m.kind, "peer_unit": m.recipient_unit,
            "sequence": m.sequence, "period": period, "file_name": target.name, "sha256": sealed.sha256,
            "prev_sha256": m.prev_sha256, "status": "sent", "counts": json.dumps(m.rows),
            "last_change_seq": got.up_to_seq, "last_audit_id": got.up_to_audit, "created_at": utc_now()})
        locked = locked_period(store)
        if m.kind == REPORT and (not locked or period > locked):
            repo.set_setting(store, "locked_period", period)
        if m.key_update and not store.get_setting("key_rotation_announced_seq"):
            repo.set_setting(store, "key_rotation_announced_seq", str(m.sequence))
