"""Fixtures of the plan tracker tests; the known-answer registry is in plan_fixture.py."""

from __future__ import annotations

import pytest

from cannngheo_desktop.storage import open_db
from tests.plan.plan_fixture import build_plan, build_registry


@pytest.fixture
def store(tmp_path):
    s = open_db(tmp_path / "plan.sqlite", user="tester")
    yield s
    s.close()


@pytest.fixture
def registry(store):
    """(store, plan_id) with the known-answer registry and a 2023 plan over units A and B."""
    build_registry(store)
    return store, build_plan(store)
