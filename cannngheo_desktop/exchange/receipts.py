"""Receipts close the loop: the office signs what it applied; the commune marks those bundles
acknowledged, so its next export carries only newer changes.

A receipt is not part of the data chain: its ``sequence`` is the acknowledged bundle's number
and its ``prev_sha256`` that bundle's hash. Importing receipts in any order is harmless.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..storage import repo
from ..storage.db import Store, utc_now
from . import file_names, payload, rotation, sync
from .envelope import Opened, Sealed, seal
from .errors import refuse
from .manifest import Manifest

RECEIPT = "receipt"
ACKED_KINDS = ("commune-report", "reference")


def build_receipt(store: Store, acked: Manifest, acked_sha: str, counts: dict[str, Any],
                  passphrase: str) -> Sealed:
    """Seal a receipt for one applied bundle (in memory; the caller records and writes it)."""
    line = {"bundle_id": acked.bundle_id, "sha256": acked_sha, "sequence": acked.sequence,
            "period": acked.period, "kind": acked.kind, "applied_at": utc_now(), "counts": counts}
    return seal(store, kind=RECEIPT, recipient_unit=acked.sender_unit, period=acked.period,
                sequence=acked.sequence, prev_sha256=acked_sha, lines=[(payload.RECEIPT, line)],
                passphrase=passphrase)


def record_receipt_out(store: Store, sealed: Sealed, file_name: str) -> None:
    m = sealed.manifest
    sync.record_bundle(store, {
        "id": m.bundle_id, "direction": "out", "kind": RECEIPT, "peer_unit": m.recipient_unit,
        "sequence": m.sequence, "period": m.period, "file_name": file_name, "sha256": sealed.sha256,
        "prev_sha256": m.prev_sha256, "status": "sent", "counts": json.dumps(m.rows),
        "created_at": utc_now()})


def receipt_file_name(sealed: Sealed) -> str:
    """``bien-nhan-<unit>-<YYYY-MM>-<seq>.cnb``: the unit, period and number come from the
    acknowledged bundle's manifest, so each part is checked here (``file_names``), whatever the
    manifest parser checked: a crafted unit code cannot name a file outside the receipt folder."""
    m = sealed.manifest
    return file_names.receipt_name(m.recipient_unit, m.period, m.sequence)


def check_receipt(store: Store, opened: Opened, plain: bytes) -> list[dict[str, Any]]:
    """Validate a decrypted receipt; returns the acknowledgements (BundleError if any is unknown)."""
    decoded = payload.decode(opened.path, plain, (), {}, opened.manifest.sender_unit)
    if decoded.errors or decoded.rows or decoded.audit or not decoded.receipt:
        raise refuse(opened.path, "biên nhận không hợp lệ: " + payload.describe_errors(decoded.errors or ["trống"]))
    m = opened.manifest
    if decoded.count() != m.rows or len(decoded.receipt) != 1:  # build_receipt: one acknowledgement
        raise refuse(opened.path, "biên nhận không hợp lệ: số dòng không khớp với tệp kê khai "
                                  "(một biên nhận xác nhận đúng một gói).")
    for ack in decoded.receipt:
        sha = ack.get("sha256")
        sent = sync.bundle_by_sha(store, sha) if isinstance(sha, str) else None
        if (sent is None or sent["direction"] != "out" or sent["peer_unit"] != m.sender_unit
                or sent["kind"] not in ACKED_KINDS):
            raise refuse(opened.path, f"biên nhận xác nhận gói số {str(ack.get('sequence'))[:20]} mà đơn vị này "
                                      "không gửi cho đơn vị đó.")
        # the signed manifest names the acknowledged bundle too (its number and hash): both must agree
        if m.prev_sha256 != sha or m.sequence != sent["sequence"] or ack.get("sequence") != sent["sequence"]:
            raise refuse(opened.path, "biên nhận không hợp lệ: số thứ tự hoặc mã băm trong tệp kê khai không "
                                      f"khớp gói số {sent['sequence']} được xác nhận.")
    return decoded.receipt


def apply_receipt(store: Store, opened: Opened, acks: list[dict[str, Any]]) -> int:
    """Mark acknowledged bundles (and every earlier one in the chain) in ONE transaction."""
    m = opened.manifest
    now = utc_now()
    marked = 0
    with store.transaction():
        for ack in acks:
            sent = sync.bundle_by_sha(store, ack["sha256"])
            assert sent is not None
            marked += sync.acknowledge_out(store, m.sender_unit, (sent["kind"],), int(sent["sequence"]), now)
            announced = store.get_setting("key_rotation_announced_seq")
            if announced and int(sent["sequence"]) >= int(announced):
                repo.set_setting(store, "key_rotation_pending", None)
                repo.set_setting(store, "key_rotation_announced_seq", None)
        if m.key_update:
            rotation.learn_announced_keys(store, m.sender_unit, m.sender_key_id, m.key_update)
        rotation.note_signed_by(store, m.sender_key_id)
        sync.record_bundle(store, {
            "id": m.bundle_id, "direction": "in", "kind": RECEIPT, "peer_unit": m.sender_unit,
            "sequence": m.sequence, "period": m.period, "file_name": Path(opened.path).name,
            "sha256": opened.raw.sha256, "prev_sha256": m.prev_sha256, "status": "applied",
            "counts": json.dumps(m.rows), "created_at": m.created_at, "received_at": now})
    return marked
