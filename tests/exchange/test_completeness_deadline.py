"""'Late' is about when the commune SENT a month's bundle (signed created_at), not when the office
imported it: sent on the 5th of the next month (Vietnam time) is on time, on the 6th is late."""

from __future__ import annotations

import hashlib
from datetime import date

from cannngheo_desktop.exchange import completeness, export, importer
from tests.exchange.bundle_helpers import COMMUNE, PASS, entries, reseal


def _sent_at(pair, period: str, created_at: str, prev: str | None, name: str):
    pair.add_households(1, village=f"Thôn {period}")
    good = export.export_bundle(pair.commune, period, pair.outbox, PASS)
    bad = reseal(pair, good, pair.tmp / name, manifest=lambda d: d.update(created_at=created_at, prev_sha256=prev))
    return bad, hashlib.sha256(entries(bad)["manifest.json"]).hexdigest()


def test_late_is_decided_by_the_sending_date(pair):
    # 23:59 on 05/02 in Việt Nam (UTC+7) = 16:59 UTC; 00:00 on 06/03 in Việt Nam = 17:00 UTC on 05/03
    jan, jan_sha = _sent_at(pair, "2026-01", "2026-02-05T16:59:59.000000Z", None, "jan.cnb")
    feb, _ = _sent_at(pair, "2026-02", "2026-03-05T17:00:00.000000Z", jan_sha, "feb.cnb")
    for path in (jan, feb):  # both imported today, months after the deadlines
        assert importer.apply_bundle(pair.office, path, PASS).status == "applied"
    grid = completeness.completeness_grid(pair.office, 2026, today=date(2026, 6, 1))
    assert grid[COMMUNE][1] == "received"
    assert grid[COMMUNE][2] == "late"
    assert grid[COMMUNE][3] == "missing"


def test_sent_date_is_the_vietnam_calendar_day():
    assert completeness.sent_date("2026-02-05T16:59:59.000000Z") == date(2026, 2, 5)
    assert completeness.sent_date("2026-02-05T17:00:00Z") == date(2026, 2, 6)
    assert completeness.sent_date("không phải ngày") is None


def test_months_before_the_unit_reports_are_not_applicable(pair):
    today = date(2026, 8, 1)
    # installed on 01/04 in Việt Nam (18:00 UTC on 31/03): March and earlier were never due
    pair.commune.conn.execute("UPDATE installation SET created_at = '2026-03-31T18:00:00.000000Z'")
    at_commune = completeness.completeness_grid(pair.commune, 2026, today=today)[COMMUNE]
    assert [at_commune[m] for m in range(1, 13)] == ["na"] * 3 + ["missing"] * 3 + [""] * 6
    assert set(completeness.completeness_grid(pair.commune, 2025, today=today)[COMMUNE].values()) == {"na"}
    assert completeness.STATUS_LABELS["na"] == "Chưa áp dụng"
    # the office has run since January but trusted this commune's key on 20/05
    pair.office.conn.execute("UPDATE installation SET created_at = '2026-01-02T01:00:00.000000Z'")
    pair.office.conn.execute("UPDATE trusted_keys SET added_at = '2026-05-20T02:00:00.000000Z' "
                             "WHERE unit_code = ?", (COMMUNE,))
    at_office = completeness.completeness_grid(pair.office, 2026, today=today)[COMMUNE]
    assert [at_office[m] for m in range(1, 13)] == ["na"] * 4 + ["missing"] * 2 + [""] * 6
    # a month that did arrive shows its status, and from then on months are expected
    pair.add_households(1)
    march = export.export_bundle(pair.commune, "2026-03", pair.outbox, PASS)
    assert importer.apply_bundle(pair.office, march, PASS).status == "applied"
    at_office = completeness.completeness_grid(pair.office, 2026, today=today)[COMMUNE]
    assert at_office[3] in ("received", "late") and at_office[2] == "na" and at_office[4] == "missing"
