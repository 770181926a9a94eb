"""A waiting bundle's file kept in the database: written and read in 1 MiB pieces
(``bundle_pieces``, migration 0009), never the whole file in memory. ``bundles.content`` marks
the file as held (X'') or released (NULL; a trigger then drops the pieces)."""

from __future__ import annotations

import bisect
import io
from collections.abc import Callable
from typing import IO, Any

from ..storage.db import Store
from .errors import BundleError

PIECE = 1 << 20  # a held bundle is stored in pieces of 1 MiB (bundle_pieces, migration 0009)


def store_content(store: Store, bundle_id: str, opener: Callable[[], IO[bytes]], max_size: int) -> None:
    """Copy a bundle file into ``bundle_pieces`` in 1 MiB pieces (at most ``max_size`` bytes;
    never the whole file in memory) and mark ``bundles.content`` as held. Call inside a
    transaction."""
    with opener() as fh:
        size = fh.seek(0, io.SEEK_END)
        if size > max_size:
            raise BundleError(f"Tệp gói quá lớn để giữ chờ ({size:,} byte, tối đa {max_size:,}).")
        fh.seek(0)
        store.conn.execute("UPDATE bundles SET content = NULL WHERE id = ?", (bundle_id,))  # drops old pieces
        store.conn.execute("UPDATE bundles SET content = X'' WHERE id = ?", (bundle_id,))
        left, seq = size, 0
        while left > 0:
            piece = fh.read(min(left, PIECE))
            if not piece:
                raise BundleError("Tệp gói bị cắt ngắn trong khi sao chép.")
            store.conn.execute("INSERT INTO bundle_pieces (bundle_id, seq, data) VALUES (?, ?, ?)",
                               (bundle_id, seq, piece))
            left -= len(piece)
            seq += 1


class _PiecesReader(io.RawIOBase):
    """A read-only, seekable file over a held bundle's pieces (what zipfile needs); holds one
    piece in memory at a time."""

    def __init__(self, store: Store, bundle_id: str) -> None:
        self.store, self.bundle_id = store, bundle_id
        self.starts: list[tuple[int, int, int]] = []  # (seq, start offset, length)
        offset = 0
        for seq, length in store.conn.execute(
                "SELECT seq, length(data) FROM bundle_pieces WHERE bundle_id = ? ORDER BY seq", (bundle_id,)):
            self.starts.append((seq, offset, length))
            offset += length
        self.size, self.pos = offset, 0
        self._cached: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def _piece(self, index: int) -> bytes:
        if self._cached is None or self._cached[0] != index:
            seq = self.starts[index][0]
            row = self.store.conn.execute("SELECT data FROM bundle_pieces WHERE bundle_id = ? AND seq = ?",
                                          (self.bundle_id, seq)).fetchone()
            self._cached = (index, bytes(row[0]))
        return self._cached[1]

    def readinto(self, buffer: Any) -> int:
        if self.pos >= self.size or len(buffer) == 0:
            return 0
        index = bisect.bisect_right([s[1] for s in self.starts], self.pos) - 1
        _seq, start, length = self.starts[index]
        data = self._piece(index)[self.pos - start:self.pos - start + len(buffer)]
        buffer[:len(data)] = data
        self.pos += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self.pos = base + offset
        return self.pos

    def tell(self) -> int:
        return self.pos


def waiting_opener(store: Store, bundle_id: str) -> Callable[[], IO[bytes]] | None:
    """An opener streaming a waiting bundle's stored file from the database, or None."""
    if store.scalar("SELECT 1 FROM bundles WHERE id = ? AND content IS NOT NULL", (bundle_id,)) is None:
        return None

    def opener() -> IO[bytes]:
        return io.BufferedReader(_PiecesReader(store, bundle_id), buffer_size=1 << 16)
    return opener
