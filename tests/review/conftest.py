"""Fixtures of the review tests (households in review_fixture.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.review.review_fixture import add_fixture_households


@pytest.fixture
def commune(tmp_path: Path) -> Iterator:
    """(store, ids by letter): a set-up commune database with the fixture households."""
    from cannngheo_desktop.storage import installation, open_db

    store = open_db(tmp_path / "xa.sqlite", user="canbo")
    installation.initialize(store, role="commune", unit_code="00640", receiving_unit_code="020",
                            admin_name="canbo", admin_password="so-tay-can-bo-2026")
    ids = add_fixture_households(store)
    yield store, ids
    store.close()
