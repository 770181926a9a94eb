"""Helpers for the bundle tests: two real copies of the app, a commune (00640) and its office (020)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cannngheo_desktop.exchange import keycard, keys, roster
from cannngheo_desktop.storage import households, installation, open_db
from cannngheo_desktop.storage.db import Store

PASS = "cum-mat-khau-1"
CHEAP = keys.KdfParams(n=2**8, r=8, p=1)  # scrypt cost for tests only
COMMUNE, OFFICE = "00640", "020"


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: compare before/after to prove nothing changed."""
    names = [r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    out = {}
    for name in names:
        rows = store.conn.execute(f'SELECT * FROM "{name}"').fetchall()
        out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out



def data_dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """:func:`dump` without the wrong-key-passphrase bookkeeping (exchange/passphrase_tries.py):
    a wrong passphrase changes no data but is counted and audited on purpose."""
    out = dump(store)
    out["settings"] = [r for r in out.get("settings", []) if not str(r[0]).startswith("key_passphrase_")]
    out["audit_log"] = [r for r in out.get("audit_log", []) if r[3] != "key_passphrase"]
    out["sqlite_sequence"] = [r for r in out.get("sqlite_sequence", []) if r[0] != "audit_log"]
    return out

def make_store(path: Path, role: str, unit: str, receiving: str | None) -> Store:
    store = open_db(path, user="canbo")
    installation.initialize(store, role=role, unit_code=unit, receiving_unit_code=receiving,
                            admin_name="canbo", admin_password="so-tay-can-bo-2026")
    keys.init_keys(store, PASS, kdf=CHEAP)
    return store


@dataclass
class Pair:
    commune: Store
    office: Store
    outbox: Path     # the USB stick
    tmp: Path

    def add_households(self, n: int, *, members: int = 2, village: str = "Thôn 1") -> list[str]:
        items = []
        for i in range(n):
            hh = {"unit_code": COMMUNE, "village": village, "household_code": f"H{i:05d}",
                  "income_month": 1_500_000 + i, "devices": ["tv"], "floor_area_m2": 30.5}
            mm = [{"full_name": f"Nguyễn Văn {i} {j}", "relation": "head" if j == 0 else "child",
                   "birth_date": "1980-01-01", "has_health_insurance": True} for j in range(members)]
            items.append((hh, mm))
        return households.add_households(self.commune, items)


def make_pair(tmp_path: Path) -> Pair:
    """Both copies set up, keys created and key cards exchanged (trusted both ways)."""
    commune = make_store(tmp_path / "xa.sqlite", "commune", COMMUNE, OFFICE)
    office = make_store(tmp_path / "phong.sqlite", "aggregator", OFFICE, None)
    cards = tmp_path / "cards"
    cards.mkdir()
    keycard.write_card(keycard.own_card(commune), cards / "xa.json")
    keycard.write_card(keycard.own_card(office), cards / "phong.json")
    roster.trust_card(office, cards / "xa.json")
    roster.trust_card(commune, cards / "phong.json")
    outbox = tmp_path / "usb"
    outbox.mkdir()
    return Pair(commune, office, outbox, tmp_path)


def rows_of(store: Store, table: str, unit: str = COMMUNE) -> list[dict[str, Any]]:
    return [dict(r) for r in store.query(f"SELECT * FROM {table} WHERE unit_code = ? ORDER BY id", (unit,))]




def rezip(src: Path, dst: Path, entries: dict[str, bytes] | None = None, *,
          extra: dict[str, bytes] | None = None, drop: tuple[str, ...] = ()) -> Path:
    """Copy a bundle zip, replacing/adding/dropping entries (for forged and broken files)."""
    import zipfile

    with zipfile.ZipFile(src) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts.update(entries or {})
    parts.update(extra or {})
    with zipfile.ZipFile(dst, "w") as zf:
        for name, data in parts.items():
            if name not in drop:
                zf.writestr(name, data)
    return dst


def entries(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def reseal(pair: Pair, src: Path, dst: Path, *, plain=None, manifest=None) -> Path:
    """Re-build a bundle as someone holding the commune's private key would: decrypt it (office
    key), let ``plain(bytes) -> bytes`` change the JSON lines and ``manifest(dict)`` the manifest,
    re-encrypt for the office, re-hash and re-sign. Tests row validation behind a good signature."""
    import hashlib
    import json
    import zlib

    from cannngheo_desktop.exchange import crypto
    from cannngheo_desktop.exchange.envelope import decrypt, open_bundle

    opened = open_bundle(pair.office, src)
    text = decrypt(pair.office, opened, PASS)
    if plain is not None:
        text = plain(text)
    doc = json.loads(opened.raw.manifest_bytes)
    office_pub = keys.current_keys(pair.office).encrypt_public
    eph, nonce, ct = crypto.encrypt_for(office_pub, zlib.compress(text), doc["bundle_id"].encode())
    doc["encryption"].update(ephemeral_public_key=crypto.b64(eph), nonce=crypto.b64(nonce))
    doc["payload"][0].update(size=len(ct), sha256=hashlib.sha256(ct).hexdigest())
    if manifest is not None:
        manifest(doc)
    mbytes = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()
    signer = keys.signing_key(pair.commune, keys.current_keys(pair.commune).sign_id, PASS)
    return rezip(src, dst, {"manifest.json": mbytes, "manifest.sig": crypto.sign(signer, mbytes),
                            "payload.bin": ct})
