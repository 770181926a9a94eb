"""The demo database reproduces the customer's appendix and is reproducible from its seed."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.core.model import RELATIONS
from cannngheo_desktop.demo import build as demo
from cannngheo_desktop.plan import appendix, plans
from cannngheo_desktop.storage import installation, open_db, users

# Biểu kế hoạch giảm hộ cận nghèo năm 2023 (appendix of 90/KH-UBND), typed from the document.
APPENDIX = [
    ("Đại Áng", 62, 1.78, 9), ("Đông Mỹ", 5, 0.17, 1), ("Duyên Hà", 11, 0.61, 2), ("Hữu Hòa", 59, 1.60, 8),
    ("Liên Ninh", 34, 0.71, 5), ("Ngọc Hồi", 56, 1.36, 8), ("Ngũ Hiệp", 35, 0.67, 5), ("Tam Hiệp", 25, 0.53, 3),
    ("Thanh Liệt", 5, 0.09, 1), ("Tân Triều", 6, 0.05, 1), ("Tả Thanh Oai", 89, 0.76, 12),
    ("Tứ Hiệp", 3, 0.04, 3), ("TT Văn Điển", 2, 0.04, 2), ("Vạn Phúc", 57, 1.39, 8),
    ("Vĩnh Quỳnh", 39, 0.52, 5), ("Yên Mỹ", 17, 0.84, 2),
]
CONTENT_TABLES = ("households", "members", "household_events", "plans", "plan_units", "plan_objectives",
                  "milestones")


def _build(path: Path, seed: int = 2023):
    store = open_db(path, user="admin")
    summary = demo.build_demo(store, seed=seed)
    return store, summary


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    store, summary = _build(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    yield store, summary
    store.close()


def test_installation_and_admin(demo_db) -> None:
    store, _ = demo_db
    inst = installation.current(store)
    assert (inst.role, inst.unit_code, inst.unit_name) == ("aggregator", "020", "Huyện Thanh Trì")
    assert users.authenticate(store, "admin", demo.ADMIN_PASSWORD)["role"] == "admin"


def test_plan_reproduces_the_appendix(demo_db) -> None:
    store, summary = demo_db
    plan = plans.get_plan(store, summary["plan_id"])
    assert (plan["doc_no"], plan["doc_date"], plan["baseline_date"]) == ("90/KH-UBND", "2023-02-23", "2023-01-01")
    assert (plan["target_total"], plan["target_percent"], plan["status"]) == (75, 15, "approved")
    table = appendix.plan_table(store, summary["plan_id"])
    rows = [(r["unit_name"], r["baseline_near_poor"], r["rate"], r["target_reduction"]) for r in table[:-1]]
    assert rows == APPENDIX
    assert [r["tt"] for r in table[:-1]] == list(range(1, 17))
    total = table[-1]
    assert (total["unit_name"], total["baseline_near_poor"], total["rate"], total["target_reduction"]) == (
        "Toàn huyện", 505, 0.59, 75)
    assert {r["unit_name"] for r in table if r["to_zero"]} == {"Tứ Hiệp", "TT Văn Điển"}


def test_households_match_the_appendix_per_commune(demo_db) -> None:
    store, summary = demo_db
    table = {r["unit_code"]: r for r in appendix.plan_table(store, summary["plan_id"])[:-1]}
    near_poor = dict(store.query("SELECT unit_code, count(*) FROM households WHERE category = 'near_poor' "
                                 "GROUP BY unit_code"))
    assert near_poor == {code: r["baseline_near_poor"] for code, r in table.items()}
    able = dict(store.query("SELECT unit_code, count(*) FROM households WHERE category = 'near_poor' "
                            "AND able_to_exit = 1 GROUP BY unit_code"))
    assert able == {code: r["target_reduction"] for code, r in table.items()}
    events = store.query("SELECT kind, event_date, count(*) AS n FROM household_events GROUP BY kind, event_date")
    assert [tuple(e) for e in events] == [("became_near_poor", "2022-12-15", 505)]
    assert store.scalar("SELECT count(*) FROM households WHERE category = 'near_poor' "
                        "AND category_since = '2023-01-01'") == 505
    assert summary["near_poor"] == 505 and summary["movers"] == demo.MOVERS


def test_household_facts_are_plausible(demo_db) -> None:
    store, _ = demo_db
    hh = [dict(r) for r in store.query("SELECT * FROM households")]
    members = [dict(r) for r in store.query("SELECT * FROM members")]
    assert all(h["household_code"].startswith(f"TTR-{h['unit_code']}-") for h in hh)
    assert all(h["village"].startswith(("Thôn ", "Tổ dân phố ")) for h in hh)
    assert {m["relation"] for m in members} <= set(RELATIONS)
    heads = Counter(m["household_id"] for m in members if m["relation"] == "head")
    assert set(heads.values()) == {1} and len(heads) == len(hh)
    ids = [m["cccd"] for m in members if m["cccd"]]
    assert len(ids) == len(set(ids)) and all(len(i) == 12 and i.isdigit() for i in ids)
    assert any(i.startswith("0") for i in ids)
    adults = [m for m in members if demo._age(m["birth_date"]) >= 18]
    assert all(m["cccd"] for m in adults)
    assert any(ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉĩọỏốồổỗộớờởỡợụủũứừửữựỳỷỹý" for m in members
               for ch in m["full_name"].lower())
    kinh = sum(m["ethnicity"] == "Kinh" for m in members) / len(members)
    insured = sum(bool(m["has_health_insurance"]) for m in members) / len(members)
    assert kinh > 0.95 and insured > 0.8
    size = {h["id"]: h["member_count"] for h in hh}
    for h in hh:
        per_person = h["income_month"] / size[h["id"]]
        if h["category"] == "near_poor":
            assert per_person <= demo.LINE_2022
        else:
            assert demo.LINE_2022 < per_person <= 2_800_000
    assert sum(h["is_merit"] for h in hh) == demo.MERIT_HOUSEHOLDS
    assert all(json.loads(h["causes"]) for h in hh if h["category"] == "near_poor")


def test_near_poor_under_the_hanoi_2022_ruleset(demo_db) -> None:
    store, summary = demo_db
    assert summary["assessed"] == {"near_poor": 505, "average": demo.MOVERS}
    assert store.scalar("SELECT count(*) FROM assessments WHERE ruleset_code = 'HN-2022' "
                        "AND assessed_on = '2023-01-01'") == 505 + demo.MOVERS


def test_generator_keeps_deprivations_below_three(demo_db) -> None:
    store, _ = demo_db
    members: dict[str, list] = {}
    for m in store.query("SELECT * FROM members"):
        members.setdefault(m["household_id"], []).append(dict(m))
    for h in store.query("SELECT * FROM households"):
        hh = {**dict(h), "devices": json.loads(h["devices"])}
        assert len(demo.deprivations(hh, members[h["id"]], date(2023, 1, 1))) <= 2


def test_same_seed_same_content_other_seed_other_content(tmp_path: Path, demo_db) -> None:
    first, _ = demo_db
    second, _ = _build(tmp_path / "again.sqlite")
    third, _ = _build(tmp_path / "other.sqlite", seed=7)
    try:
        for table in CONTENT_TABLES:
            def rows(store, table=table):
                cols = [c[1] for c in store.query(f"PRAGMA table_info({table})")
                        if c[1] not in ("updated_at", "approved_at")]
                return store.query(f"SELECT {', '.join(cols)} FROM {table} ORDER BY id")
            assert [tuple(r) for r in rows(first)] == [tuple(r) for r in rows(second)], table
        ids = lambda s: {r[0] for r in s.query("SELECT id FROM households")}  # noqa: E731
        assert ids(first) != ids(third)
        assert third.scalar("SELECT count(*) FROM households WHERE category = 'near_poor'") == 505
    finally:
        second.close()
        third.close()


def test_demo_refuses_a_database_with_data(demo_db) -> None:
    store, _ = demo_db
    with pytest.raises(ValidationError, match="đã có dữ liệu"):
        demo.build_demo(store)


def test_demo_names_a_missing_unit_and_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    # Before: the missing unit reached the household generator as None (a TypeError traceback).
    from cannngheo_desktop.core.errors import NotFoundError
    from cannngheo_desktop.storage import repo
    from cannngheo_desktop.storage.reference import get_unit

    code = demo.read_demo_file("plan_2023.json")["units"][0]["code"]
    with open_db(tmp_path / "demo.sqlite", user="admin") as store:
        installation.load_reference_data(store)  # the shipped catalogue never revives a deleted unit
        with store.transaction():
            repo.soft_delete(store, "units", get_unit(store, code, demo.BASELINE)["id"])
        audit = store.scalar("SELECT count(*) FROM audit_log")
        with pytest.raises(NotFoundError, match=f"không có đơn vị mã {code} \\(hiệu lực ngày 01/01/2023\\)"):
            demo.build_demo(store)
        assert installation.current(store) is None
        assert [store.scalar(f"SELECT count(*) FROM {t}") for t in CONTENT_TABLES] == [0] * len(CONTENT_TABLES)
        assert store.scalar("SELECT count(*) FROM audit_log") == audit


def test_cli_demo_command(tmp_path: Path, capsys) -> None:
    from cannngheo_desktop.commands import demo as demo_command

    parser = argparse.ArgumentParser()
    demo_command.register(parser.add_subparsers())
    args = parser.parse_args(["demo", "--db", str(tmp_path / "cli.sqlite"), "--seed", "5"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "505 hộ cận nghèo" in out and demo.ADMIN_PASSWORD in out
    with open_db(tmp_path / "cli.sqlite") as store:
        assert store.scalar("SELECT count(*) FROM plans WHERE doc_no = '90/KH-UBND'") == 1


def test_year_in_progress_shows_exits_and_support_in_the_tracker(tmp_path: Path) -> None:
    from cannngheo_desktop.plan import support, tracker_queries

    store = open_db(tmp_path / "year.sqlite", user="admin")
    summary = demo.build_demo(store, seed=2023, year_in_progress=True)
    exits = summary["activity"]["exits"]
    assert 0 < exits <= 75
    events = store.query("SELECT household_id, event_date FROM household_events "
                         "WHERE kind = 'exited_near_poverty'")
    assert len(events) == exits and all(e["event_date"].startswith("2023-") for e in events)
    exited = {e["household_id"] for e in events}
    categories = {r["category"] for r in store.query(
        f"SELECT category FROM households WHERE id IN ({','.join('?' * len(exited))})", tuple(exited))}
    assert categories == {"not_poor"}
    progress = tracker_queries.progress(store, summary["plan_id"], date(2023, 12, 31))
    assert progress.total.exited == exits
    done = [a for a in support.list_actions(store) if a["status"] == "done"]
    assert done and all(a["done_date"] for a in done)
    # The starting point stays the customer's appendix.
    table = appendix.plan_table(store, summary["plan_id"])
    assert table[-1]["baseline_near_poor"] == 505 and table[-1]["target_reduction"] == 75
    store.close()
