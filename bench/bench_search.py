"""Search per person at scale (issue 17.1): one keystroke in the registry tab's search box is a count
and the first page (200 rows, with whom each row's search found), against an honest floor measured in
the same run: the raw FTS5 MATCH counting the same index entries, with no household, filter, order or
page (the least any search over this index must do).

Target: a keystroke < 100 ms at 100,000 households (issue 17); the ratio says how far the app is from
the floor. Texts: a broad one ("nguyen van", thousands of households), a full name, the last digits
of a CCCD (trigram index) and a part of a household code.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cannngheo_desktop.registry import queries as rq
from cannngheo_desktop.registry.queries import ListQuery
from cannngheo_desktop.storage import household_search as search
from cannngheo_desktop.storage.db import open_db

from .common import Result, make_dataset

REPEATS = 7
PAGE = 200  # the table model's PAGE_SIZE


def _median(fn: Callable[[], Any]) -> float:
    fn()  # warm: the GUI asks on a warm connection
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _floor(store: Any, text: str) -> Callable[[], Any]:
    t = search.terms(text)
    index, expr = ("member_fts", t.names) if t.names and not t.ident else ("member_cccd_fts", t.ident)

    def raw() -> None:
        store.conn.execute(f"SELECT count(*) FROM {index} WHERE {index} MATCH ?", (expr,)).fetchall()
    return raw


def _keystroke(store: Any, name: str, text: str) -> Result:
    q = ListQuery(search=text, sort=rq.RELEVANCE)  # the tab's order while a search is typed

    def app() -> None:
        rq.count_households(store, q)
        rq.fetch_page(store, q, 0, PAGE)

    t_raw, t_app = _median(_floor(store, text)), _median(app)
    hits = rq.count_households(store, q)
    return Result(f"search.{name}", t_raw, t_app, "< 0.1 s", t_app < 0.1,
                  f"'{text}': {hits:,} households; count + first {PAGE} rows with the matched member "
                  "(raw: FTS5 MATCH count on the same index)")


def _sample_cccd(store: Any) -> str:
    value = store.scalar("SELECT cccd FROM members WHERE cccd IS NOT NULL AND deleted = 0 ORDER BY rowid LIMIT 1")
    return str(value)[-6:] if value else "4321"


def run(scale: int, workdir: Path) -> list[Result]:
    dataset = make_dataset(workdir, scale)
    store = open_db(dataset, user="bench")
    try:
        return [_keystroke(store, "broad_name", "nguyen van"),
                _keystroke(store, "full_name", "nguyen van an"),
                _keystroke(store, "cccd_part", _sample_cccd(store))]
    finally:
        store.close()
