"""Downward bundles: the office sends the plan rows it owns; the commune keeps read-only replicas
and its receipt acknowledges them at the office."""

from __future__ import annotations

import pytest

from cannngheo_desktop.exchange import export, importer
from cannngheo_desktop.exchange.errors import BundleError
from cannngheo_desktop.storage import repo
from tests.exchange.bundle_helpers import COMMUNE, OFFICE, PASS, dump, rows_of


def test_reference_bundle_round_trip(pair):
    pair.office.user = "phong"
    plan = repo.insert(pair.office, "plans", {"unit_code": OFFICE, "year": 2026, "title": "Kế hoạch giảm nghèo 2026"})
    repo.insert(pair.office, "plan_units", {"unit_code": OFFICE, "plan_id": plan["id"],
                                            "target_unit_code": COMMUNE, "target_reduction": 12})
    preview = export.preview_reference(pair.office, COMMUNE, "2026-01")
    assert preview.tables["plans"] == {"new": 1, "changed": 0}
    path = export.export_reference(pair.office, COMMUNE, "2026-01", pair.outbox, PASS)
    assert path.name == f"{OFFICE}-{COMMUNE}-2026-01-1.cnb"
    res = importer.apply_bundle(pair.commune, path, PASS)
    assert res.status == "applied", res.message
    for table in ("plans", "plan_units"):
        assert rows_of(pair.commune, table, OFFICE) == rows_of(pair.office, table, OFFICE)
    # replicas at the commune never travel back up
    assert "plans" not in export.preview_export(pair.commune, "2026-01").tables
    ack = importer.apply_bundle(pair.office, res.receipts[0], PASS)
    assert ack.status == "acknowledged"
    assert export.preview_reference(pair.office, COMMUNE, "2026-02").tables == {}


def test_a_commune_cannot_send_reference_rows_upward(pair):
    repo.insert(pair.commune, "plans", {"unit_code": OFFICE, "year": 2026, "title": "giả mạo"})
    path = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)  # not owned: not exported
    assert importer.inspect_bundle(pair.office, path, PASS).summary == {}
    before = dump(pair.office)
    with pytest.raises(BundleError):
        export.export_reference(pair.commune, OFFICE, "2026-01", pair.outbox, PASS)
    assert dump(pair.office) == before
