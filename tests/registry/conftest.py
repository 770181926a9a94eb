"""Fixtures for the registry services (helpers in registry_fixtures.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cannngheo_desktop.storage import open_db
from tests.registry.registry_fixtures import add_units, write_messy


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    """A fresh database file with two units (a commune and a ward)."""
    s = open_db(tmp_path / "x.sqlite", user="tester")
    add_units(s)
    yield s
    s.close()


@pytest.fixture
def messy(tmp_path: Path) -> Callable[..., Path]:
    """Builds the messy workbook (see registry_fixtures.write_messy) in tmp_path."""
    def make(name: str = "danh_sach.xlsx", **kwargs: Any) -> Path:
        return write_messy(tmp_path / name, **kwargs)
    return make
