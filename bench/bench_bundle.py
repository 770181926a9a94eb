"""Monthly bundles at scale: a commune with 10,000 households / ~40,000 members exports a full
bundle (target ≤ 3 s) and its office imports it (target ≤ 4× raw ``executemany`` of the same
household and member rows into the same schema in one transaction)."""

from __future__ import annotations

import gc
from pathlib import Path

from cannngheo_desktop.exchange import envelope, export, importer, keycard, keys, roster
from cannngheo_desktop.exchange import payload as payload_mod
from cannngheo_desktop.storage import households as hh_store
from cannngheo_desktop.storage import installation, repo
from cannngheo_desktop.storage.backup import backup_database
from cannngheo_desktop.storage.db import Store, open_db

from .common import Result, timer
from .generate import iter_households

COMMUNE, OFFICE = "00640", "020"
PASS = "cum-khoa-thu-nghiem-2026"  # not containing the user name (password policy)
EXPORT_TARGET_S = 3.0
IMPORT_RATIO = 4.0
MAX_HOUSEHOLDS = 10_000


def _store(path: Path, role: str, unit: str, receiving: str | None) -> Store:
    for old in path.parent.glob(f"{path.name}*"):
        old.unlink()
    store = open_db(path, user="bench")
    installation.initialize(store, role=role, unit_code=unit, receiving_unit_code=receiving,
                            admin_name="bench", admin_password="so-do-thu-nghiem-2026")
    keys.init_keys(store, PASS)
    return store


def _pair(workdir: Path) -> tuple[Store, Store]:
    commune = _store(workdir / "bundle-commune.sqlite", "commune", COMMUNE, OFFICE)
    office = _store(workdir / "bundle-office.sqlite", "aggregator", OFFICE, None)
    roster.trust_card(office, keycard.own_card(commune))
    roster.trust_card(commune, keycard.own_card(office))
    return commune, office


def _raw_import(workdir: Path, rows: dict[str, list[dict]]) -> float:
    """Baseline: the same household and member rows, executemany into a fresh office database."""
    raw = _store(workdir / "bundle-raw.sqlite", "aggregator", OFFICE, None)
    conn = raw.conn
    gc.collect()
    with timer() as t:
        conn.execute("BEGIN IMMEDIATE")
        for table in ("households", "members"):
            names = list(rows[table][0])
            conn.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                             [tuple(r[n] for n in names) for r in rows[table]])
        conn.execute("COMMIT")
    raw.close()
    return t[0]


def run(scale: int, workdir: Path) -> list[Result]:
    """Export and import one commune of min(scale, 10,000) households."""
    workdir.mkdir(parents=True, exist_ok=True)
    n = min(scale, MAX_HOUSEHOLDS)
    commune, office = _pair(workdir)
    hh_store.add_households(commune, iter_households(n, 1, [COMMUNE], set()))
    members = commune.scalar("SELECT count(*) FROM members")
    outbox = workdir / "bundle-usb"
    outbox.mkdir(exist_ok=True)
    for old in outbox.glob("*.cnb"):
        old.unlink()
    gc.collect()
    with timer() as t_export:
        path = export.export_bundle(commune, "2026-01", outbox, PASS)
    size = path.stat().st_size
    opened = envelope.open_bundle(office, path)
    plain = envelope.decrypt(office, opened, PASS)
    decoded = payload_mod.decode(path, plain, payload_mod.UPWARD_TABLES, _columns(office), COMMUNE)
    raw_s = _raw_import(workdir, decoded.rows)
    gc.collect()
    with timer() as t_import:
        result = importer.apply_bundle(office, path, PASS, make_backup=False, receipt_dir=outbox)
    assert result.status == "applied", result.message
    assert office.scalar("SELECT count(*) FROM members") == members
    with timer() as t_backup:
        backup_database(office.conn, office.path, reason="bench", folder=workdir / "bundle-backups", keep=1)
    commune.close()
    office.close()
    rows = n + members
    return [
        Result(name="bundle.export", baseline_s=EXPORT_TARGET_S, measured_s=t_export[0],
               target=f"≤ {EXPORT_TARGET_S:g} s", ok=t_export[0] <= EXPORT_TARGET_S,
               note=(f"{n:,} households + {members:,} members + audit entries, full change set, "
                     f"compressed, encrypted, signed: {size / 1e6:.1f} MB file (baseline column = the target)")),
        Result(name="bundle.import", baseline_s=raw_s, measured_s=t_import[0],
               target=f"≤ {IMPORT_RATIO:g}× raw", ok=t_import[0] <= IMPORT_RATIO * raw_s,
               note=(f"verify + decrypt + validate + version check + upsert + local audit + replica audit + "
                     f"FTS for {rows:,} rows vs raw executemany of the same rows; the automatic backup "
                     f"before apply is not included (it took {t_backup[0]:.2f} s here)")),
    ]


def _columns(store: Store) -> dict[str, tuple[str, ...]]:
    return {t: repo.columns(store, t) for t in payload_mod.UPWARD_TABLES}
