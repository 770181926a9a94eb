"""Fixtures of the bundle tests (helpers live in bundle_helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.exchange.bundle_helpers import Pair, make_pair


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    """A commune and its office, keys exchanged; both databases closed after the test."""
    p = make_pair(tmp_path)
    yield p
    p.commune.close()
    p.office.close()
