"""Export at the commune → import at the office → receipt back: the happy paths and the chain."""

from __future__ import annotations

from datetime import date

import pytest

from cannngheo_desktop.exchange import completeness, export, importer
from cannngheo_desktop.exchange.errors import BundleError
from cannngheo_desktop.storage import households, repo
from tests.exchange.bundle_helpers import COMMUNE, OFFICE, PASS, dump, rows_of


def _export(pair, period="2026-01", **kw):
    return export.export_bundle(pair.commune, period, pair.outbox, PASS, **kw)


def test_round_trip_gives_identical_rows_and_a_receipt(pair):
    ids = pair.add_households(5, members=3)
    preview = export.preview_export(pair.commune, "2026-01")
    assert preview.tables["households"] == {"new": 5, "changed": 0}
    assert preview.tables["members"]["new"] == 15
    assert preview.sequence == 1 and preview.audit_entries >= 20
    path = _export(pair)
    assert path.name == f"{COMMUNE}-2026-01-1.cnb"
    insp = importer.inspect_bundle(pair.office, path, PASS)
    assert insp.state == "next" and insp.ok
    assert insp.summary["households"] == {"new": 5, "updated": 0, "unchanged": 0, "refused": 0}
    result = importer.apply_bundle(pair.office, path, PASS)
    assert result.status == "applied", result.message
    for table in ("households", "members"):
        assert rows_of(pair.office, table) == rows_of(pair.commune, table)
    # replicas are searchable but create no change rows that would travel upward again
    assert pair.office.scalar("SELECT count(*) FROM changes WHERE row_id = ?", (ids[0],)) == 0
    assert ids[0] in households.search_ids(pair.office, "Nguyễn")
    assert pair.office.scalar("SELECT user FROM audit_log WHERE row_id = ?", (ids[0],)) == f"bundle:{path.name}"
    assert pair.office.scalar("SELECT count(*) FROM replica_audit") == preview.audit_entries
    # the receipt goes back and acknowledges the bundle
    assert len(result.receipts) == 1
    ack = importer.apply_bundle(pair.commune, result.receipts[0], PASS)
    assert ack.status == "acknowledged"
    assert pair.commune.scalar("SELECT status FROM bundles WHERE direction = 'out'") == "acknowledged"
    assert export.locked_period(pair.commune) == "2026-01"
    # the next export only carries what changed since
    repo.update(pair.commune, "households", ids[0], {"village": "Thôn 2"})
    nxt = export.preview_export(pair.commune, "2026-02")
    assert nxt.tables == {"households": {"new": 0, "changed": 1}} and nxt.sequence == 2
    second = importer.apply_bundle(pair.office, _export(pair, "2026-02"), PASS)
    assert second.inspection.summary["households"]["updated"] == 1
    assert rows_of(pair.office, "households") == rows_of(pair.commune, "households")


def test_unacknowledged_changes_travel_again(pair):
    pair.add_households(2)
    _export(pair)  # lost on the way: no receipt
    pair.add_households(1)
    again = export.preview_export(pair.commune, "2026-02")
    assert again.tables["households"]["new"] == 3


def test_replay_changes_nothing(pair):
    pair.add_households(3)
    path = _export(pair)
    importer.apply_bundle(pair.office, path, PASS)
    before = dump(pair.office)
    again = importer.apply_bundle(pair.office, path, PASS)
    assert again.status == "duplicate" and "đã nhập trước đó" in again.message
    assert dump(pair.office) == before


def test_gap_waits_then_fills(pair):
    pair.add_households(1)
    first = _export(pair, "2026-01")
    pair.add_households(1)
    second = _export(pair, "2026-02")
    pair.add_households(1)
    third = _export(pair, "2026-03")
    r3 = importer.apply_bundle(pair.office, third, PASS)
    assert r3.status == "waiting" and r3.missing == [1, 2]
    assert "1, 2" in r3.message and third.name in r3.message
    r2 = importer.apply_bundle(pair.office, second, PASS)
    assert r2.status == "waiting" and r2.missing == [1]
    assert pair.office.scalar("SELECT count(*) FROM households") == 0
    r1 = importer.apply_bundle(pair.office, first, PASS)
    assert r1.status == "applied"
    assert [r.status for r in r1.also_applied] == ["applied", "applied"]
    assert len(r1.receipts) == 3
    assert rows_of(pair.office, "households") == rows_of(pair.commune, "households")
    statuses = [r["status"] for r in pair.office.query("SELECT status FROM bundles WHERE direction='in'")]
    assert statuses == ["applied"] * 3
    assert pair.office.scalar("SELECT count(*) FROM bundles WHERE content IS NOT NULL") == 0
    grid = completeness.completeness_grid(pair.office, 2026, today=date(2026, 6, 1))
    assert grid[COMMUNE][1] in ("received", "late") and grid[COMMUNE][4] == "missing" and grid[COMMUNE][5] == ""


def test_fork_is_refused(pair, tmp_path):
    pair.add_households(1)
    path = _export(pair)
    importer.apply_bundle(pair.office, path, PASS)
    # a second copy of the commune's history (e.g. a restored backup) re-exports number 1
    pair.commune.conn.execute("DELETE FROM bundles")
    pair.commune.conn.execute("DELETE FROM settings WHERE key = 'locked_period'")
    other = tmp_path / "other"
    other.mkdir()
    fork = export.export_bundle(pair.commune, "2026-01", other, PASS)
    before = dump(pair.office)
    with pytest.raises(BundleError) as err:
        importer.apply_bundle(pair.office, fork, PASS)
    assert "rẽ nhánh" in err.value.message and fork.name in err.value.message
    assert dump(pair.office) == before


def test_waiting_bundle_refused_when_its_gap_fills_is_reported_beside_the_success(pair, tmp_path):
    pair.add_households(1)
    _export(pair, "2026-01")  # number 1: never reaches the office
    pair.add_households(1)
    second = _export(pair, "2026-02")
    assert importer.apply_bundle(pair.office, second, PASS).status == "waiting"
    # the commune restores an older backup and sends a different number 1 (another history)
    pair.commune.conn.execute("DELETE FROM bundles")
    pair.commune.conn.execute("DELETE FROM settings WHERE key = 'locked_period'")
    other = tmp_path / "other"
    other.mkdir()
    first_again = export.export_bundle(pair.commune, "2026-01", other, PASS)
    result = importer.apply_bundle(pair.office, first_again, PASS)
    assert result.status == "applied"  # the file the user imported went in…
    assert pair.office.scalar("SELECT status FROM bundles WHERE sequence = 1") == "applied"
    [refused] = result.also_applied  # …and the one that waited for it is refused, with why
    assert refused.status == "refused" and "Gói số 2 đang chờ không nhập được" in refused.message
    assert "rẽ nhánh" in refused.message and second.name in refused.message
    row = pair.office.query_one("SELECT status, message FROM bundles WHERE sequence = 2")
    assert row["status"] == "waiting" and row["message"] == refused.message
    assert rows_of(pair.office, "households") == rows_of(pair.commune, "households")  # as the new number 1 says


def test_completeness_at_commune_and_office(pair):
    pair.add_households(1)
    path = _export(pair, "2026-01")
    grid = completeness.completeness_grid(pair.commune, 2026, today=date(2026, 1, 20))
    assert grid == {COMMUNE: {**{m: "" for m in range(1, 13)}, 1: "sent"}}
    res = importer.apply_bundle(pair.office, path, PASS)
    importer.apply_bundle(pair.commune, res.receipts[0], PASS)
    assert completeness.completeness_grid(pair.commune, 2026, today=date(2026, 1, 20))[COMMUNE][1] == "received"
    office = completeness.completeness_grid(pair.office, 2026, today=date(2026, 3, 10))
    assert office[COMMUNE][1] in ("received", "late") and office[COMMUNE][2] == "missing"
    assert OFFICE not in office


class _Recorder:
    def __init__(self, cancel_after: int | None = None) -> None:
        self.calls: list[tuple[int, int]] = []
        self.cancel_after = cancel_after

    def report(self, done: int, total: int, message: str = "") -> None:
        self.calls.append((done, total))

    def cancelled(self) -> bool:
        return self.cancel_after is not None and len(self.calls) >= self.cancel_after


def test_progress_is_reported_and_cancel_writes_nothing(pair):
    from cannngheo_desktop.core.errors import Cancelled

    pair.add_households(2)
    before = dump(pair.commune)
    with pytest.raises(Cancelled):
        export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS, progress=_Recorder(cancel_after=2))
    assert dump(pair.commune) == before and not list(pair.outbox.iterdir())
    rec = _Recorder()
    path = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS, progress=rec)
    assert rec.calls[-1] == (1, 1) and len(rec.calls) > 3
    rec = _Recorder()
    importer.apply_bundle(pair.office, path, PASS, progress=rec)
    assert rec.calls and rec.calls[-1] == (1, 1)


def test_three_months_one_twice_one_out_of_order(pair):
    """Issue 7's "done when": identical data at the office, receipts at the commune, a true grid."""
    ids = pair.add_households(3)
    jan = _export(pair, "2026-01")
    repo.update(pair.commune, "households", ids[0], {"village": "Thôn 5"})
    pair.add_households(2)
    feb = _export(pair, "2026-02")
    repo.soft_delete(pair.commune, "households", ids[1])
    mar = _export(pair, "2026-03")
    results = [importer.apply_bundle(pair.office, f, PASS) for f in (jan, mar, jan, feb)]
    assert [r.status for r in results] == ["applied", "waiting", "duplicate", "applied"]
    assert [r.status for r in results[3].also_applied] == ["applied"]
    for table in ("households", "members"):
        assert rows_of(pair.office, table) == rows_of(pair.commune, table)
    receipts = results[0].receipts + results[3].receipts
    assert len(receipts) == 3
    for receipt in receipts:
        assert importer.apply_bundle(pair.commune, receipt, PASS).status == "acknowledged"
    assert {r["status"] for r in pair.commune.query("SELECT status FROM bundles WHERE direction='out'")} == {
        "acknowledged"}
    assert export.preview_export(pair.commune, "2026-04").tables == {}
    grid = completeness.completeness_grid(pair.office, 2026, today=date(2026, 4, 3))
    assert [grid[COMMUNE][m] for m in (1, 2, 3, 4)] != ["missing"] * 4
    assert grid[COMMUNE][4] == "" and all(grid[COMMUNE][m] in ("received", "late") for m in (1, 2, 3))


def test_bulk_assessments_travel_and_the_office_reads_their_reasons(pair):
    from cannngheo_desktop.storage import assessments

    ids = pair.add_households(3)
    day = date(2026, 11, 1)
    assessments.assess_many(pair.commune, "VN-2027", day, save=True)
    at_commune = assessments.latest_assessment(pair.commune, ids[0])
    result = importer.apply_bundle(pair.office, _export(pair), PASS)
    assert result.status == "applied", result.message
    assert rows_of(pair.office, "assessments") == rows_of(pair.commune, "assessments")
    at_office = assessments.latest_assessment(pair.office, ids[0])
    assert at_office["results"] == at_commune["results"]  # the same reasons, rebuilt at the office
    assert all(r["reason"] and not r["reason"].startswith("Không dựng lại") for r in at_office["results"])
