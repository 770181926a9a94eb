"""SQL of the trust roster (table ``trusted_keys``): which units' public keys this copy accepts.

At most one active (not revoked) signing key and one active encryption key per unit: a card for a
unit without keys adds them (``add_trusted``); a changed key goes through ``replace_unit_trusted``,
which revokes the unit's keys and adds the new ones in one audited transaction. The rules (who may
call which) are in ``roster``; ``sync`` re-exports those its older callers use.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..storage.db import Store, utc_now
from .errors import BundleError


def _audit(store: Store, row_id: str, action: str, after: Any) -> None:
    store.conn.execute(
        "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
        "VALUES (?, ?, 'trusted_keys', ?, ?, NULL, NULL, ?)",
        (utc_now(), store.user, row_id, action, json.dumps(after, ensure_ascii=False)))


def get_trusted(store: Store, key_id: str) -> dict[str, Any] | None:
    row = store.query_one("SELECT * FROM trusted_keys WHERE id = ?", (key_id,))
    return dict(row) if row else None


def add_trusted(store: Store, key_id: str, unit_code: str, kind: str, public_b64: str,
                fingerprint: str, role: str | None = None) -> None:
    with store.transaction() as conn:
        conn.execute("INSERT INTO trusted_keys(id, unit_code, kind, public_key, fingerprint, added_at, role) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (key_id, unit_code, kind, public_b64, fingerprint, utc_now(), role))
        _audit(store, key_id, "insert",
               {"unit_code": unit_code, "kind": kind, "fingerprint": fingerprint, "role": role})


def revoke_trusted(store: Store, key_ids: Sequence[str], reason: str | None = None) -> None:
    with store.transaction() as conn:
        for key_id in key_ids:
            conn.execute("UPDATE trusted_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                         (utc_now(), key_id))
            _audit(store, key_id, "delete",
                   {"revoked": True} if reason is None else {"revoked": True, "reason": reason})


def replace_unit_trusted(store: Store, unit_code: str, role: str, fingerprint: str,
                         new_keys: Sequence[tuple[str, str, str]], audit: Mapping[str, Any], *,
                         revoke_kinds: Sequence[str] = ("sign", "encrypt")) -> list[str]:
    """In ONE transaction: revoke every active key of ``unit_code`` (of ``revoke_kinds``) that is
    not one of ``new_keys`` ((key id, kind, public key base64)), add the new keys that are not in
    the roster, and write one audit entry (table ``trusted_keys``, row ``unit:<code>``, field
    ``replace_key``) holding the old and new fingerprints and ``audit`` (who: the store's user;
    when: now). Returns the revoked key ids.

    ``revoke_kinds=("encrypt",)`` is for an endorsed rotation (``rotation``), where the old signing
    key is kept unrevoked but superseded so that bundles already in the chain still re-import."""
    new_ids = {kid for kid, _kind, _pub in new_keys}
    with store.transaction() as conn:
        old = [dict(r) for r in conn.execute(
            "SELECT * FROM trusted_keys WHERE unit_code = ? AND revoked_at IS NULL ORDER BY kind, id", (unit_code,))]
        revoked = [r["id"] for r in old if r["id"] not in new_ids and r["kind"] in revoke_kinds]
        revoke_trusted(store, revoked, reason=str(audit.get("reason") or "replace_key"))
        for kid, kind, pub in new_keys:
            if get_trusted(store, kid) is None:
                add_trusted(store, kid, unit_code, kind, pub, fingerprint, role)
        before = {"keys": [r["id"] for r in old], "fingerprints": sorted({r["fingerprint"] for r in old})}
        after = {"keys": sorted(new_ids), "fingerprint": fingerprint, "role": role, **audit}
        conn.execute(
            "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
            "VALUES (?, ?, 'trusted_keys', ?, 'update', 'replace_key', ?, ?)",
            (utc_now(), store.user, f"unit:{unit_code}", json.dumps(before, ensure_ascii=False),
             json.dumps(after, ensure_ascii=False)))
    return revoked


def set_trusted_fingerprint(store: Store, key_id: str, fingerprint: str, role: str) -> None:
    """Upgrade a roster row to a version 2 fingerprint (same key, unit; role recorded). Audited."""
    with store.transaction() as conn:
        row = get_trusted(store, key_id)
        conn.execute("UPDATE trusted_keys SET fingerprint = ?, role = ? WHERE id = ?", (fingerprint, role, key_id))
        store.conn.execute(
            "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
            "VALUES (?, ?, 'trusted_keys', ?, 'update', 'fingerprint', ?, ?)",
            (utc_now(), store.user, key_id, row["fingerprint"] if row else None, fingerprint))


def trusted_by_fingerprint(store: Store, fingerprint: str) -> list[dict[str, Any]]:
    """Roster rows whose card fingerprint is ``fingerprint`` (lowercase hex): the full 64 digits,
    the 32 people see, or a version 1 row's 16."""
    return [dict(r) for r in store.query(
        "SELECT * FROM trusted_keys WHERE fingerprint = ? OR (length(?) = 32 AND substr(fingerprint, 1, 32) = ?) "
        "ORDER BY kind, id", (fingerprint, fingerprint, fingerprint))]


def list_trusted(store: Store) -> list[dict[str, Any]]:
    return [dict(r) for r in store.query("SELECT * FROM trusted_keys ORDER BY unit_code, added_at, kind")]


def unit_trusted(store: Store, unit_code: str, *, active_only: bool = True) -> list[dict[str, Any]]:
    """The roster rows of one unit (by default only those not revoked)."""
    sql = "SELECT * FROM trusted_keys WHERE unit_code = ?" + (" AND revoked_at IS NULL" if active_only else "")
    return [dict(r) for r in store.query(sql + " ORDER BY added_at, kind", (unit_code,))]


def active_trusted(store: Store, unit_code: str, kind: str) -> dict[str, Any] | None:
    """The unit's one active key of ``kind`` (None if it has none). There is never more than one
    (``replace_unit_trusted``); should an old roster still hold several, none is chosen silently."""
    rows = store.query("SELECT * FROM trusted_keys WHERE unit_code = ? AND kind = ? AND revoked_at IS NULL "
                       "LIMIT 2", (unit_code, kind))
    if len(rows) > 1:
        raise BundleError(f"Đơn vị '{unit_code}' có nhiều hơn một khóa đang được tin cậy; không tự chọn khóa nào. "
                          "Hãy thay khóa của đơn vị (cannngheo keys trust THẺ_KHÓA --replace) sau khi đọc "
                          "dấu vân tay qua điện thoại, hoặc thu hồi khóa thừa (cannngheo keys revoke).")
    return dict(rows[0]) if rows else None
