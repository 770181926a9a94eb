"""Shared pieces of the benchmarks: the Result record, a timer and cached synthetic datasets."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from cannngheo_desktop.storage import households as hh_store
from cannngheo_desktop.storage import repo
from cannngheo_desktop.storage.db import MIGRATIONS, open_db

from .generate import iter_households, make_units

BATCH = 5000  # households per add_households call (one transaction each) when building datasets


@dataclass
class Result:
    """One benchmark: the app's way (``measured_s``) against a raw baseline from the same run."""

    name: str
    baseline_s: float
    measured_s: float
    target: str
    ok: bool
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.measured_s / self.baseline_s if self.baseline_s else float("inf")


@contextmanager
def timer() -> Iterator[list[float]]:
    """``with timer() as t: ...`` then ``t[0]`` holds the elapsed wall-clock seconds."""
    box = [0.0]
    start = time.perf_counter()
    try:
        yield box
    finally:
        box[0] = time.perf_counter() - start


def batched(iterable, size: int):
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk


def load_units(store) -> list[dict]:
    """Insert the benchmark's province and communes through the repository; returns them."""
    units = make_units()
    with store.transaction():
        repo.insert_many(store, "units", units)
    return units


def schema_tag() -> str:
    """Short hash of every migration script: a cached dataset is only reused with the same schema
    (while the app is young, migrations get renumbered and edited, not only appended)."""
    digest = hashlib.sha256()
    for number, script in MIGRATIONS:
        digest.update(f"{number}\n{script}".encode())
    return digest.hexdigest()[:10]


def make_dataset(workdir: Path, households: int, seed: int = 1) -> Path:
    """A database with ``households`` generated households (+ ~4× members) loaded through the
    storage layer (audit, change log, search index), built once and cached in ``workdir`` by
    (households, seed, schema). Benchmarks that read data start from here (copy it before
    writing to it)."""
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / f"dataset-{households}-{seed}-{schema_tag()}.sqlite"
    if target.exists():
        return target
    for stale in workdir.glob(f"dataset-{households}-{seed}*.sqlite"):
        for part in workdir.glob(f"{stale.name}*"):
            part.unlink(missing_ok=True)  # built with other migrations: tables or columns missing
    # A name of our own: two benchmark runs may build the same dataset at the same time.
    building = workdir / f"building-{households}-{seed}-{os.getpid()}.sqlite"
    with open_db(building, user="bench") as store:
        units = load_units(store)
        communes = [u for u in units if u["kind"] != "province"]
        codes = [u["code"] for u in communes]
        urban = {u["code"] for u in communes if u["area"] == "urban"}
        for chunk in batched(iter_households(households, seed, codes, urban), BATCH):
            hh_store.add_households(store, chunk)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for part in workdir.glob(f"{building.name}-*"):
        part.unlink(missing_ok=True)  # the empty -wal/-shm left beside it
    if target.exists():  # another run finished first: same rows, keep theirs
        building.unlink()
    else:
        building.replace(target)
    return target
