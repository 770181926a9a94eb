"""The row ids already met in one incoming bundle, per table, to find a row sent twice.

A bundle may hold up to ``Limits.max_rows`` rows, so their ids are not kept in memory: they go to
a private temporary SQLite database on disk (``sqlite3.connect("")``, removed when closed) with a
small page cache. Exact (no digests), and the memory it takes does not grow with the bundle.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

BATCH = 500


class SeenIds:
    def __init__(self) -> None:
        self.db = sqlite3.connect("")   # "": a temporary database file of this connection only
        self.db.execute("PRAGMA cache_size = -2048")   # 2 MiB of pages in memory, the rest on disk
        self.db.execute("CREATE TABLE seen (t TEXT NOT NULL, id TEXT NOT NULL, call INTEGER NOT NULL, "
                        "PRIMARY KEY (t, id)) WITHOUT ROWID")
        self.calls = 0

    def repeated(self, table: str, ids: Sequence[str]) -> list[str]:
        """Record ``ids`` of ``table``; return those met before (earlier in ``ids`` or in an earlier call).

        One statement in the usual case: the ids are inserted with this call's number, an id met in
        an earlier call is kept with its earlier number (``OR IGNORE``), and only when fewer rows
        than ids went in are those earlier ones looked up."""
        self.calls += 1
        out: list[str] = []
        fresh: list[str] = []
        here: set[str] = set()
        for rid in ids:
            if rid in here:
                out.append(rid)
            else:
                here.add(rid)
                fresh.append(rid)
        before = self.db.total_changes
        self.db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?, ?)", [(table, rid, self.calls) for rid in fresh])
        if self.db.total_changes - before == len(fresh):
            return out
        for i in range(0, len(fresh), BATCH):
            part = fresh[i:i + BATCH]
            out += [r[0] for r in self.db.execute(
                f"SELECT id FROM seen WHERE t = ? AND call < ? AND id IN ({','.join('?' * len(part))})",
                (table, self.calls, *part))]
        return out

    def close(self) -> None:
        self.db.close()
