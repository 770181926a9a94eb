"""Report fixtures: the demo database (2023 plan + 565 households), built ONCE per test session,
plus a few known changes in 2023 so every report has something to count:

* 4 households of Đại Áng (00679) exit near-poverty (March–June 2023);
* 1 household of Tả Thanh Oai (00649) falls from near-poor to poor (01/06/2023);
* 1 household of TT Văn Điển (00640) that was above the line becomes near-poor (10/05/2023);
* 3 support actions on TTR-00679-0001 (one done, 1.500.000 đ; one planned; one cancelled)
  and 1 done action on TTR-00649-0002 (2.000.000 đ).

Tests open the file read-only in spirit: report builders never write to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cannngheo_desktop.demo import build as demo
from cannngheo_desktop.plan import support
from cannngheo_desktop.storage import households as hh_store
from cannngheo_desktop.storage import open_db, repo
from cannngheo_desktop.storage.db import Store

EXITS = {"TTR-00679-0002": "2023-03-15", "TTR-00679-0003": "2023-04-20", "TTR-00679-0004": "2023-05-05",
         "TTR-00679-0005": "2023-06-30"}
TO_POOR = ("TTR-00649-0001", "2023-06-01")
NEW_NEAR_POOR = ("TTR-00640-0003", "2023-05-10")
PROFILE_CODE = "TTR-00679-0001"


def _id(store: Store, code: str) -> str:
    return str(store.scalar("SELECT id FROM households WHERE household_code = ?", (code,)))


def _event(store: Store, code: str, kind: str, day: str, before: str, after: str) -> None:
    hid = _id(store, code)
    unit = store.scalar("SELECT unit_code FROM households WHERE id = ?", (hid,))
    with store.transaction():
        repo.insert(store, "household_events", {"unit_code": unit, "household_id": hid, "kind": kind,
                                                "event_date": day, "from_category": before, "to_category": after,
                                                "decision_no": "12/QĐ-UBND", "note": "Rà soát thường xuyên"})
        hh_store.update_household(store, hid, {"category": after, "category_since": day})


def add_known_changes(store: Store) -> None:
    """The 2023 changes listed in the module docstring."""
    for code, day in EXITS.items():
        _event(store, code, "exited_near_poverty", day, "near_poor", "not_poor")
    _event(store, TO_POOR[0], "near_poor_to_poor", TO_POOR[1], "near_poor", "poor")
    _event(store, NEW_NEAR_POOR[0], "became_near_poor", NEW_NEAR_POOR[1], "not_poor", "near_poor")
    hid = _id(store, PROFILE_CODE)
    support.add_action(store, hid, "dao_tao_nghe", planned_date="2023-03-01", status="done",
                       done_date="2023-04-15", amount=1_500_000, funding_source="Ngân sách huyện")
    support.add_action(store, hid, "vay_von_nhcsxh", planned_date="2023-06-01", status="planned")
    support.add_action(store, hid, "qua_tet", planned_date="2023-01-10", status="cancelled")
    support.add_action(store, _id(store, "TTR-00649-0002"), "dao_tao_nghe", planned_date="2023-05-01",
                       status="done", done_date="2023-07-01", amount=2_000_000)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of the session's demo database (do not write to it in tests)."""
    path = tmp_path_factory.mktemp("reports-demo") / "demo.sqlite"
    with open_db(path, user=demo.ADMIN_NAME) as store:
        demo.build_demo(store)
        add_known_changes(store)
    return path


@pytest.fixture
def store(demo_db: Path) -> Iterator[Store]:
    s = open_db(demo_db, create=False)
    yield s
    s.close()
