"""Forged bundles for the authority tests: sealed and signed with the sender's REAL keys (as an
insider holding them would), with hand-made rows, and the refusal checked on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from cannngheo_desktop.exchange import envelope, importer, sync
from cannngheo_desktop.exchange.errors import BundleError
from cannngheo_desktop.exchange.format import write_bundle
from cannngheo_desktop.storage import installation
from cannngheo_desktop.storage.db import Store
from tests.exchange.bundle_helpers import PASS, Pair, dump

NOW = "2026-01-15T08:00:00Z"


def new_id() -> str:
    return str(uuid.uuid4())


def row(unit: str, **fields: Any) -> dict[str, Any]:
    """A row as a bundle carries it: id, owner, version 1, timestamps, plus ``fields``."""
    return {"id": new_id(), "unit_code": unit, "version": 1, "updated_at": NOW, "updated_by": "x",
            "deleted": 0, **fields}


def forge(sender: Store, recipient: Store, kind: str, lines: Iterable[tuple[str, Any]], out: Path, *,
          sequence: int | None = None, prev_sha256: str | None = None, name: str | None = None) -> Path:
    """Seal ``lines`` as ``sender`` would (its installation, its keys), next in its chain to the
    recipient unless ``sequence`` is given, and write the file into ``out``."""
    peer = installation.current(recipient).unit_code
    if sequence is None:
        last = sync.last_bundle(sender, "out", peer, (kind,))
        sequence = last["sequence"] + 1 if last else 1
        prev_sha256 = last["sha256"] if last else None
    sealed = envelope.seal(sender, kind=kind, recipient_unit=peer, period="2026-01", sequence=sequence,
                           prev_sha256=prev_sha256, lines=list(lines), passphrase=PASS)
    path = out / (name or f"gia-mao-{kind}-{sequence}-{uuid.uuid4().hex[:6]}.cnb")
    write_bundle(path, sealed.manifest_bytes, sealed.signature, sealed.payload)
    return path


def refused(pair: Pair, target: Store, path: Path, *needles: str,
            call: Callable[[], Any] | None = None) -> str:
    """Import ``path`` at ``target``: BundleError whose message holds every needle, and BOTH
    databases exactly as before (the sender's too: nothing is written anywhere)."""
    before = (dump(pair.commune), dump(pair.office))
    with pytest.raises(BundleError) as info:
        if call is not None:
            call()
        else:
            importer.apply_bundle(target, path, PASS)
    message = info.value.message
    for needle in needles:
        assert needle in message, message
    assert (dump(pair.commune), dump(pair.office)) == before
    return message
