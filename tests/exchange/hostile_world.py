"""The world the fuzz test attacks, built once per module, and the oracle that judges each case.

Two real copies of the app (commune 00640 and its office 020) plus a second commune (00643) known
to the office. Real bundles: the commune's reports 1, 2, 3 (B1, B2, B3), the office's reference
bundle (R1) and the receipt for B1 (RC1). Base state: the office has applied B1 and 00643's
report; the commune has applied nothing. Each case restores both databases from in-memory
snapshots (SQLite's backup API: a few milliseconds, same Store objects) only when the previous
case changed something.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cannngheo_desktop.exchange import crypto, export, importer, keycard, keys, roster
from cannngheo_desktop.storage import cipher, households, repo
from cannngheo_desktop.storage.db import Store, utc_now
from cannngheo_desktop.storage.driver import sqlite3
from tests.exchange.bundle_helpers import COMMUNE, OFFICE, PASS, Pair, dump, make_pair, make_store
from tests.exchange.hostile import MANIFEST, PAYLOAD, Source, members
from tests.exchange.hostile_payloads import Facts

OTHER = "00643"

# Columns whose value is the receiver's clock or a fresh random id, set while importing: the
# only things a clean import and an accepted variant of it may differ in. Everything else —
# every data table, the chain bookkeeping, the received audit entries, the local audit entries
# (who, what, which row, before/after) — must be identical.
VOLATILE = {"audit_log": ("at",), "bundles": ("received_at", "acknowledged_at")}
# A receipt the receiver seals for what it applied has a fresh id, hash and time.
RECEIPT_OUT_VOLATILE = ("id", "sha256", "created_at", "prev_sha256")


def content(store: Store, *, resealed: bool = False) -> dict[str, list[str]]:
    """Every table as sorted JSON rows, without the VOLATILE columns (the oracle's view).

    ``resealed``: the file was re-encrypted and re-signed with the same content, so its own
    identity (the manifest hash recorded for received bundles) is new by construction."""
    out = {}
    names = [r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for name in names:
        cur = store.conn.execute(f'SELECT * FROM "{name}"')
        cols = [d[0] for d in cur.description]
        rows = []
        for values in cur.fetchall():
            row = dict(zip(cols, values, strict=True))
            for col in VOLATILE.get(name, ()):
                row.pop(col, None)
            if name == "bundles" and row.get("direction") == "out" and row.get("kind") == "receipt":
                for col in RECEIPT_OUT_VOLATILE:
                    row.pop(col, None)
            if name == "bundles" and resealed and row.get("direction") == "in":
                row.pop("sha256", None)
            rows.append(json.dumps(row, sort_keys=True, default=repr))
        out[name] = sorted(rows)
    return out


def patched(clean: dict[str, list[str]], patch: dict[tuple[str, str], dict[str, Any]]) -> dict[str, list[str]]:
    """The clean content with legitimate row edits applied (a long text the sender may write)."""
    out = dict(clean)
    for (table, row_id), changes in patch.items():
        rows = [json.loads(r) for r in out[table]]
        for row in rows:
            if row["id"] == row_id:
                row.update(changes)
        out[table] = sorted(json.dumps(r, sort_keys=True, default=repr) for r in rows)
    return out


def _open(store: Store, data: bytes) -> list[dict[str, Any]]:
    """Decrypt a real bundle with the receiver's key (primitives only: crypto, keys, zlib)."""
    parts = members(data)
    doc = json.loads(parts[MANIFEST])
    private = keys.encryption_key(store, doc["recipient"]["key_id"], PASS)
    plain = crypto.decrypt_with(private, crypto.unb64(doc["encryption"]["ephemeral_public_key"]),
                                crypto.unb64(doc["encryption"]["nonce"]), parts[PAYLOAD],
                                doc["bundle_id"].encode("ascii"))
    assert plain is not None
    return [json.loads(line) for line in zlib.decompress(plain).splitlines() if line]


@dataclass
class World:
    pair: Pair
    folder: Path
    sources: dict[str, Source] = field(default_factory=dict)
    facts: Facts | None = None
    snapshots: dict[str, sqlite3.Connection] = field(default_factory=dict)
    base_rows: dict[str, dict[str, list[Any]]] = field(default_factory=dict)  # dump() of the base state
    # name → (status, content, content of a re-sealed import), after a clean import
    clean: dict[str, tuple[str, dict[str, list[str]], dict[str, list[str]]]] = field(default_factory=dict)
    dirty: bool = True
    other_signer: Any = None           # the second commune's real signing key (trusted by the office)
    other_key_id: str = ""
    other_head: str = ""               # hash of the second commune's last bundle applied at the office
    stores: dict[str, Store] = field(default_factory=dict)

    @property
    def work(self) -> Path:
        return self.folder / "case"

    @property
    def receipts(self) -> Path:
        return self.folder / "receipts"

    def other(self, receiver: str) -> str:
        return "commune" if receiver == "office" else "office"

    def snapshot(self) -> None:
        for name, store in self.stores.items():
            mem = sqlite3.connect(":memory:")
            if store.key is not None:  # SQLCipher copies pages between files of the same key only
                cipher.apply_key(mem, store.key)
            store.conn.backup(mem)
            self.snapshots[name] = mem
            self.base_rows[name] = dump(store)

    def reset(self) -> None:
        """Both databases back to the base state (only if the last case changed something)."""
        if not self.dirty:
            return
        for name, store in self.stores.items():
            self.snapshots[name].backup(store.conn)
        shutil.rmtree(self.receipts, ignore_errors=True)
        self.receipts.mkdir()
        self.dirty = False

    def apply_clean(self, key: str) -> importer.ImportResult:
        src = self.sources[key]
        path = self.work / src.name
        path.write_bytes(src.data)
        self.dirty = True
        return importer.apply_bundle(self.stores[src.receiver], path, PASS, receipt_dir=self.receipts,
                                     make_backup=False)

    def record_clean(self, name: str, *keys: str) -> None:
        """Apply real bundles in order from the base state; keep the last status and the content."""
        self.reset()
        status = ""
        for key in keys:
            status = self.apply_clean(key).status
        receiver = self.sources[keys[-1]].receiver
        store = self.stores[receiver]
        self.clean[name] = (status, content(store), content(store, resealed=True))

    def close(self) -> None:
        for mem in self.snapshots.values():
            mem.close()
        self.pair.commune.close()
        self.pair.office.close()


def _source(world: World, key: str, path: Path, sender: Store, receiver: str) -> Source:
    data = path.read_bytes()
    recv = world.stores[receiver]
    pub = keys.require_keys(recv).encrypt_public
    signer = keys.signing_key(sender, keys.require_keys(sender).sign_id, PASS)
    return Source(key, receiver, path.name, data, _open(recv, data), signer, pub)


def _exchange_cards(a: Store, b: Store, folder: Path) -> None:
    keycard.write_card(keycard.own_card(a), folder / "a.json")
    keycard.write_card(keycard.own_card(b), folder / "b.json")
    roster.trust_card(b, folder / "a.json")
    roster.trust_card(a, folder / "b.json")


def build_world(folder: Path) -> World:
    pair = make_pair(folder)
    world = World(pair, folder, stores={"office": pair.office, "commune": pair.commune})
    for store in world.stores.values():  # durability is not under test; a thousand fsyncs would be
        store.conn.execute("PRAGMA synchronous = OFF")
    world.work.mkdir()
    world.receipts.mkdir()
    other = make_store(folder / "xa2.sqlite", "commune", OTHER, OFFICE)
    try:
        (folder / "cards2").mkdir()
        _exchange_cards(other, pair.office, folder / "cards2")
        households.add_households(other, [({"unit_code": OTHER, "village": "Thôn Khác", "household_code": "K1",
                                            "income_month": 900_000}, [{"full_name": "Trần Thị Khác",
                                                                        "relation": "head"}])])
        (folder / "other").mkdir()
        o1 = export.export_bundle(other, "2026-01", folder / "other", PASS)
        world.other_head = hashlib.sha256(members(o1.read_bytes())[MANIFEST]).hexdigest()
        world.other_key_id = keys.require_keys(other).sign_id
        world.other_signer = keys.signing_key(other, world.other_key_id, PASS)
        assert importer.apply_bundle(pair.office, o1, PASS, make_backup=False).status == "applied"
    finally:
        other.close()
    pair.office.user = "phong"
    plan = repo.insert(pair.office, "plans", {"unit_code": OFFICE, "year": 2026, "title": "Kế hoạch 2026"})
    repo.insert(pair.office, "plan_units", {"unit_code": OFFICE, "plan_id": plan["id"],
                                            "target_unit_code": COMMUNE, "target_reduction": 12})
    r1 = export.export_reference(pair.office, COMMUNE, "2026-01", pair.outbox, PASS)
    ids = pair.add_households(3, members=2)
    b1 = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    pair.add_households(2, members=1, village="Thôn 2")
    households.update_household(pair.commune, ids[0], {"village": "Thôn 3", "income_month": 2_100_000})
    b2 = export.export_bundle(pair.commune, "2026-02", pair.outbox, PASS)
    pair.add_households(1, members=3, village="Thôn 4")
    b3 = export.export_bundle(pair.commune, "2026-03", pair.outbox, PASS)
    (folder / "rc").mkdir()
    res = importer.apply_bundle(pair.office, b1, PASS, receipt_dir=folder / "rc", make_backup=False)
    assert res.status == "applied", res.message
    rc1 = res.receipts[0]
    for key, path, sender, receiver in (("B1", b1, pair.commune, "office"), ("B2", b2, pair.commune, "office"),
                                        ("B3", b3, pair.commune, "office"), ("R1", r1, pair.office, "commune"),
                                        ("RC1", rc1, pair.office, "commune")):
        world.sources[key] = _source(world, key, path, sender, receiver)
    other_hh = dict(pair.office.query("SELECT * FROM households WHERE unit_code = ?", (OTHER,))[0])
    plan_unit = dict(pair.office.query("SELECT * FROM plan_units WHERE unit_code = ?", (OFFICE,))[0])
    unit_row = next(x["r"] for x in world.sources["R1"].lines if x["t"] == "units") if any(
        x["t"] == "units" for x in world.sources["R1"].lines) else {
        "code": "020", "name": "Thanh Trì", "kind": "district", "area": "urban", "unit_code": OFFICE,
        "version": 1, "updated_at": utc_now(), "deleted": 0}
    world.facts = Facts(COMMUNE, OFFICE, OTHER, other_hh, plan_unit, unit_row, utc_now())
    world.snapshot()
    world.record_clean("B2", "B2")
    world.record_clean("B3", "B3")
    world.record_clean("B3+B2", "B3", "B2")
    world.record_clean("R1", "R1")
    world.record_clean("RC1", "RC1")
    return world


@contextmanager
def memory_ceiling(extra: int) -> Iterator[None]:
    """While importing, the address space may grow by at most ``extra`` bytes (POSIX only), so a
    runaway allocation ends in MemoryError — counted as a traceback — instead of the OOM killer."""
    try:
        import resource
        vm = next(int(line.split()[1]) * 1024 for line in Path("/proc/self/status").read_text().splitlines()
                  if line.startswith("VmSize:"))
    except (ImportError, OSError, StopIteration):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = vm + extra if hard == resource.RLIM_INFINITY else min(hard, vm + extra)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


__all__ = ["OTHER", "World", "build_world", "content", "dump", "memory_ceiling", "patched"]
