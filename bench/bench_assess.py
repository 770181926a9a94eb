"""Assessing households at scale (issue 3): read every household and its members, evaluate them
under a ruleset and save one assessment per household — against just reading the same rows.

Target at 100,000 households: ≤ 4× the plain read and under 30 s (scaled linearly below 100k).
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from cannngheo_desktop.storage import rulesets
from cannngheo_desktop.storage.assessments import HH_COLUMNS, MEMBER_COLUMNS, assess_many
from cannngheo_desktop.storage.db import open_db

from .common import Result, make_dataset, timer

ON = date(2026, 11, 1)


def _read_raw(store) -> int:
    """The baseline: the same household and member columns, plain tuples, no evaluation.

    Same rows as the app reads: the active households and the members that are not deleted
    (in the generated dataset every household is active, so both read 100,000 households and
    their 400,845 members). The app pages them 2,000 households at a time into dicts grouped
    by household; the baseline fetches the two result sets whole, which is the floor."""
    households = store.conn.execute(
        f"SELECT {', '.join(HH_COLUMNS)} FROM households WHERE deleted = 0 AND status = 'active'").fetchall()
    members = store.conn.execute(
        f"SELECT {', '.join(MEMBER_COLUMNS)} FROM members WHERE deleted = 0 "
        "ORDER BY household_id, sort_order").fetchall()
    return len(households) + len(members)


def _copy(source: Path, target: Path) -> None:
    """A private copy of the cached dataset (the run writes assessments into it)."""
    src = sqlite3.connect(f"file:{source.as_posix()}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def run(scale: int, workdir: Path) -> list[Result]:
    source = make_dataset(workdir, scale)
    scratch = workdir / f"assess-{scale}.sqlite"
    for stale in workdir.glob(f"{scratch.name}*"):
        stale.unlink()
    _copy(source, scratch)
    with open_db(scratch, user="bench") as store:
        rulesets.load_shipped_rulesets(store)
        _read_raw(store)  # warm the page cache so both sides read from memory
        with timer() as t_read:
            _read_raw(store)
        with timer() as t_eval:
            evaluated = assess_many(store, "VN-2022", ON)
        with timer() as t_save:
            saved = assess_many(store, "VN-2027", ON, save=True)
        with timer() as t_compare:
            comparison = compare_rulesets_quiet(store)
        # What the save wrote (context for its ratio: the rows read are ~0.7 KB of values a household).
        written_mb = (store.scalar("SELECT sum(length(CAST(inputs AS BLOB)) + length(CAST(results AS BLOB)) "
                                   "+ coalesce(length(CAST(missing AS BLOB)), 0)) FROM assessments") or 0) / 1e6
    for stale in workdir.glob(f"{scratch.name}*"):
        stale.unlink()
    limit = 30.0 * max(scale, 1) / 100_000
    ok = t_save[0] <= 4 * t_read[0] and t_save[0] < limit
    counts = ", ".join(f"{k} {v}" for k, v in sorted(saved.counts.items()))
    return [
        Result("assess.save_all", t_read[0], t_save[0], f"≤ 4× read and < {limit:.0f} s", ok,
               f"{saved.saved:,} assessments written (VN-2027: {counts}); "
               f"{written_mb:,.0f} MB of inputs snapshots and verdicts (reasons are rebuilt when shown)"),
        Result("assess.evaluate_only", t_read[0], t_eval[0], "information", True,
               f"{evaluated.total:,} households evaluated under VN-2022, nothing written"),
        Result("assess.compare", t_read[0], t_compare[0], "information", True,
               f"VN-2022 → VN-2027: {len(comparison.changed):,} households change category"),
    ]


def compare_rulesets_quiet(store):
    from cannngheo_desktop.storage.assessments import compare_rulesets

    return compare_rulesets(store, "VN-2022", "VN-2027", ON)
