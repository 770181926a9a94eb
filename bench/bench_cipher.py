"""The cost of encryption at rest (issue 16): the same app work on an encrypted file (SQLCipher,
storage/driver.py, a raw 256-bit key) against a plain SQLite file, same driver, same rows. The
floor is the plain file: what the work costs without encryption. Target: at most 1.3×.

* load: the storage layer's bulk load of households and members (one transaction, audit, change
  log, search index), into a fresh file;
* read: the registry list the window and the Excel export walk (every household in list order,
  a page of rows, and the members of 2,000 households), on a fresh connection (cold page cache of
  the connection, the OS cache warm for both);
* backup: the online backup of the whole file (an encrypted database gives an encrypted copy).
"""

from __future__ import annotations

import gc
import shutil
from collections.abc import Callable
from pathlib import Path

from cannngheo_desktop.registry import queries as rq
from cannngheo_desktop.storage import cipher, encryption
from cannngheo_desktop.storage import households as hh_store
from cannngheo_desktop.storage.backup import backup_database
from cannngheo_desktop.storage.db import open_db

from .common import Result, load_units, make_dataset, timer
from .generate import iter_households

TARGET_RATIO = 1.3
REPEAT = 3
KEY = bytes(range(32))


def _fresh(workdir: Path, name: str, key: bytes | None):
    path = workdir / name
    for old in workdir.glob(f"{name}*"):
        old.unlink()
    store = open_db(path, user="bench", key=key)
    load_units(store)
    return store


def _best(work: Callable[[], float], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        times.append(work())
    return min(times)


def _load(workdir: Path, items: list, key: bytes | None) -> float:
    store = _fresh(workdir, "cipher-load.sqlite", key)
    try:
        with timer() as t:
            hh_store.add_households(store, items)
        assert store.scalar("SELECT count(*) FROM households") == len(items)
    finally:
        store.close()
    return t[0]


def _read(path: Path, key: bytes | None) -> float:
    store = open_db(path, create=False, readonly=True, key=key)
    try:
        with timer() as t:
            q = rq.ListQuery(sort="household_code")
            ids = rq.fetch_ids(store, q)
            rq.fetch_page(store, q, 0, 200)
            members = sum(len(m) for _, m in rq.households_with_members(store, ids[:2000]))
        assert ids and members
    finally:
        store.close()
    return t[0]


def _backup(path: Path, key: bytes | None, out: Path) -> float:
    store = open_db(path, create=False, readonly=True, key=key)
    try:
        with timer() as t:
            copy = backup_database(store.conn, store.path, reason="bench", folder=out, keep=None, key=key)
    finally:
        store.close()
    copy.unlink()
    Path(f"{copy}.keys").unlink(missing_ok=True)
    return t[0]


def _result(name: str, plain: float, encrypted: float, note: str) -> Result:
    ratio = encrypted / plain if plain else float("inf")
    return Result(name=name, baseline_s=plain, measured_s=encrypted, target=f"≤ {TARGET_RATIO:g}× plain",
                  ok=ratio <= TARGET_RATIO, note=note)


def run(scale: int, workdir: Path, repeat: int = REPEAT) -> list[Result]:
    workdir.mkdir(parents=True, exist_ok=True)
    load_n = min(scale, 20_000)
    items = list(iter_households(load_n, seed=3))
    results = [_result("cipher.load_households", _best(lambda: _load(workdir, items, None), repeat),
                       _best(lambda: _load(workdir, items, KEY), repeat),
                       f"{load_n:,} households through storage.add_households, one transaction; best of {repeat}")]
    plain = make_dataset(workdir, scale)
    enc = workdir / f"cipher-{plain.name}"
    if not enc.exists():
        source = encryption.open_file(plain, None)
        try:
            encryption.export_copy(source, enc, KEY)
        finally:
            source.close()
    cipher.forget(enc)
    results.append(_result("cipher.read_registry", _best(lambda: _read(plain, None), repeat),
                           _best(lambda: _read(enc, KEY), repeat),
                           f"{scale:,} households: ids in list order, a page, 2,000 households with members; "
                           f"fresh connection each; best of {repeat}"))
    out = workdir / "cipher-backups"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    results.append(_result("cipher.backup", _best(lambda: _backup(plain, None, out), repeat),
                           _best(lambda: _backup(enc, KEY, out), repeat),
                           f"online backup of the {plain.stat().st_size / 1e6:,.0f} MB file; best of {repeat}"))
    shutil.rmtree(out, ignore_errors=True)
    return results
