"""Random damage to a valid bundle: every damaged file is refused cleanly (BundleError, database
unchanged) — unless the damage only touched zip bookkeeping that carries none of the signed
content, in which case the genuine bundle is what gets imported."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cannngheo_desktop.exchange import export, importer
from cannngheo_desktop.exchange.errors import BundleError
from tests.exchange.bundle_helpers import PASS, Pair, dump, make_pair


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Pair, bytes, Path]]:
    """One commune/office pair and one genuine bundle, shared by every example (building them
    per example would take minutes); in pytest's own temporary folder, databases closed after."""
    folder = tmp_path_factory.mktemp("cnb-damage")
    pair = make_pair(folder)
    try:
        pair.add_households(3, members=2)
        path = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
        yield pair, path.read_bytes(), folder
    finally:
        pair.commune.close()
        pair.office.close()


def _contents(data: bytes) -> dict[str, bytes] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return {n: zf.read(n) for n in zf.namelist()}
    except Exception:
        return None


# The health check: the autouse per-test data folder (conftest) is not reset between examples; nothing here uses it.
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=1, max_value=255)),
                       min_size=1, max_size=4))
def test_random_damage_is_refused_cleanly(genuine, damage):
    pair, original, folder = genuine
    data = bytearray(original)
    for pos, xor in damage:
        data[pos % len(data)] ^= xor
    target = folder / "hong.cnb"
    target.write_bytes(bytes(data))
    before = dump(pair.office)
    try:
        result = importer.apply_bundle(pair.office, target, PASS, make_backup=False)
    except BundleError as err:
        assert "hong.cnb" in err.message
        assert dump(pair.office) == before
        return
    # accepted: the signed content must be exactly the genuine bundle's
    assert _contents(bytes(data)) == _contents(original)
    assert result.status in ("applied", "duplicate")
