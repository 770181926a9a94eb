"""Progress dashboard: counts from household events, linear expectation, status thresholds."""

from __future__ import annotations

from datetime import date

import pytest

from cannngheo_desktop.core.errors import NotFoundError, ValidationError
from cannngheo_desktop.plan import progress as prog
from cannngheo_desktop.plan import tracker_queries
from cannngheo_desktop.storage import repo
from tests.plan.plan_fixture import UNIT_A, UNIT_B

AS_OF = date(2023, 6, 30)


def test_elapsed_share_boundaries():
    assert prog.elapsed_share(2023, date(2022, 12, 31)) == 0.0
    assert prog.elapsed_share(2023, date(2023, 1, 1)) == 1 / 365
    assert prog.elapsed_share(2023, date(2023, 12, 30)) == 364 / 365
    assert prog.elapsed_share(2023, date(2023, 12, 31)) == 1.0
    assert prog.elapsed_share(2024, date(2024, 12, 30)) == 365 / 366  # leap year
    assert prog.elapsed_share(2023, date(2024, 3, 1)) == 1.0


@pytest.mark.parametrize(("exited", "status"), [
    (365, prog.DONE), (366, prog.DONE), (364, prog.ON_TRACK),
    (10, prog.ON_TRACK), (9, prog.BEHIND), (0, prog.BEHIND)])
def test_status_thresholds(exited, status):
    # target 365 in 2023: the straight line is exactly 10 households at the end of 10 January.
    expected = prog.expected_exits(365, 2023, date(2023, 1, 10))
    assert expected == 10
    assert prog.unit_status(exited, 365, expected) == status


def test_zero_target_is_met_and_has_no_percent():
    assert prog.unit_status(0, 0, 0.0) == prog.DONE
    row = prog.UnitProgress("x", "X", 0, 0, 0, 0, 0, 0.0, prog.DONE)
    assert row.percent_of_target is None


def test_progress_from_events(registry):
    store, plan_id = registry
    # The code was re-used by another commune after 1/7/2025: the 2023 plan keeps the old name.
    repo.insert(store, "units", {"id": f"{UNIT_A}@2025-07-01", "code": UNIT_A, "name": "Xã Hợp Nhất",
                                 "kind": "commune", "area": "rural", "valid_from": "2025-07-01",
                                 "unit_code": "01"})
    p = tracker_queries.progress(store, plan_id, AS_OF)
    a, b = p.units
    assert (a.unit_code, a.unit_name, a.baseline, a.target) == (UNIT_A, "Xã An Bình", 10, 3)
    # x3's exits fall in 2022 and after the as-of date; h1 is new, h2 fell to poor.
    assert (a.exited, a.new, a.to_poor, a.net_change, a.current) == (2, 1, 1, -2, 4)
    assert a.percent_of_target == 66.67
    assert a.expected == pytest.approx(3 * 181 / 365)
    assert a.status == prog.ON_TRACK
    assert (b.exited, b.status, b.to_zero, b.percent_of_target, b.current) == (2, prog.DONE, True, 100.0, 0)
    t = p.total
    assert (t.baseline, t.target, t.exited, t.new, t.to_poor, t.current) == (12, 5, 4, 1, 1, 4)
    assert t.status == prog.ON_TRACK
    assert [m.cumulative_exits for m in p.monthly] == [1, 1, 2, 2, 3, 4] + [None] * 6
    assert p.monthly[-1].target_line == 5.0
    assert p.as_dict()["total"]["net_change"] == 1 - 4 - 1


def test_progress_at_year_end_counts_the_late_exit(registry):
    store, plan_id = registry
    p = tracker_queries.progress(store, plan_id, date(2023, 12, 31))
    assert p.units[0].exited == 3 and p.units[0].status == prog.DONE
    assert p.total.status == prog.DONE and p.monthly[-1].cumulative_exits == 5


def test_early_in_the_year_a_unit_without_exits_is_behind(registry):
    store, plan_id = registry
    p = tracker_queries.progress(store, plan_id, date(2023, 3, 1))
    assert p.units[0].exited == 0 and p.units[0].status == prog.BEHIND


def test_households_behind_each_number(registry):
    store, plan_id = registry
    ids = lambda unit, metric: sorted(  # noqa: E731
        r["id"] for r in tracker_queries.households_behind(store, plan_id, unit, metric, AS_OF))
    assert ids(UNIT_A, "exited") == ["x1", "x2"]
    assert ids(None, "exited") == ["h7", "h8", "x1", "x2"]
    assert ids(UNIT_A, "new") == ["h1"]
    assert ids(UNIT_A, "to_poor") == ["h2"]
    assert ids(UNIT_A, "current") == ["h1", "h2", "h3", "h4"]
    assert ids(UNIT_B, "current") == []
    assert ids(UNIT_A, "able_without_action") == ["h1", "h2"]
    with pytest.raises(ValidationError):
        tracker_queries.households_behind(store, plan_id, UNIT_A, "everything", AS_OF)


def test_resolve_plan_by_year(registry):
    store, plan_id = registry
    assert tracker_queries.resolve_plan(store, year=2023) == plan_id
    assert tracker_queries.resolve_plan(store, plan_id=plan_id) == plan_id
    with pytest.raises(NotFoundError) as err:
        tracker_queries.resolve_plan(store, year=2030)
    assert err.value.message == "Chưa có kế hoạch nào cho năm 2030. Hãy tạo kế hoạch trước."
