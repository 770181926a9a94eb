"""Random damage to a valid bundle: every damaged file is refused cleanly (BundleError, database
unchanged) — unless the damage only touched zip bookkeeping that carries none of the signed
content, in which case the genuine bundle is what gets imported."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cannngheo_desktop.exchange import export, importer
from cannngheo_desktop.exchange.errors import BundleError
from tests.exchange.bundle_helpers import PASS, dump, make_pair

_STATE: dict = {}


def _setup():
    if not _STATE:
        tmp = Path(tempfile.mkdtemp(prefix="cnb-damage-"))
        pair = make_pair(tmp)
        pair.add_households(3, members=2)
        path = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
        _STATE.update(pair=pair, path=path, data=path.read_bytes(), tmp=tmp)
    return _STATE


def _contents(data: bytes) -> dict[str, bytes] | None:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return {n: zf.read(n) for n in zf.namelist()}
    except Exception:
        return None


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=1, max_value=255)),
                min_size=1, max_size=4))
def test_random_damage_is_refused_cleanly(damage):
    state = _setup()
    pair, original = state["pair"], state["data"]
    data = bytearray(original)
    for pos, xor in damage:
        data[pos % len(data)] ^= xor
    target = state["tmp"] / "hong.cnb"
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


def teardown_module(module):
    if _STATE:
        _STATE["pair"].commune.close()
        _STATE["pair"].office.close()
        shutil.rmtree(_STATE["tmp"], ignore_errors=True)
