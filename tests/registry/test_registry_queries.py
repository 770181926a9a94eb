"""The registry list (search, filters, sort, paging), household detail/history and duplicates."""

from __future__ import annotations

from datetime import date

import pytest

from cannngheo_desktop.core.text import name_sort_key
from cannngheo_desktop.registry import duplicates
from cannngheo_desktop.registry import queries as rq
from cannngheo_desktop.registry.queries import ListQuery
from cannngheo_desktop.storage import households, repo
from tests.registry.registry_fixtures import UNIT_A, UNIT_B, member, seed_households

TODAY = date(2026, 6, 1)


def names(store, q: ListQuery) -> list[str]:
    return [r["head_name"] for r in rq.fetch_page(store, q, 0, 100)]


def add_assessment(store, household_id: str, assessed_on: str, results: list[dict], category: str) -> None:
    repo.insert(store, "assessments", {
        "unit_code": UNIT_A, "household_id": household_id, "ruleset_code": "vn-2022", "assessed_on": assessed_on,
        "inputs": {}, "results": results, "category": category,
        "deprivation_count": sum(r["status"] == "deprived" for r in results)})


def test_search_folds_diacritics(store) -> None:
    seed_households(store)
    q = ListQuery(search="nguyen thi")
    found = set(names(store, q))
    assert found == {"Nguyễn Thị Hằng", "Nguyễn Thị Vân", "Trần Văn Bình", "Nguyễn Thị Tuyết"}  # Bình: wife
    assert rq.count_households(store, q) == 4
    assert names(store, ListQuery(search="ĐẶNG đông")) == ["Đặng Văn Đông"]
    assert names(store, ListQuery(search="dang dong")) == ["Đặng Văn Đông"]
    assert names(store, ListQuery(search="001155")) == ["Nguyễn Thị Vân"]  # CCCD prefix


def test_filters_combine(store) -> None:
    seed_households(store)
    q = ListQuery(search="nguyen", unit_code=UNIT_A, category="near_poor", able_to_exit=True)
    assert names(store, q) == ["Nguyễn Thị Hằng"]
    assert rq.count_households(store, q) == 1
    # Default order: given name first (Bình before Hằng), as Vietnamese lists are kept.
    assert names(store, ListQuery(unit_code=UNIT_A, village="Thôn 1")) == ["Trần Văn Bình", "Nguyễn Thị Hằng"]
    assert names(store, ListQuery(is_merit=True)) == ["Nguyễn Thị Vân"]
    assert names(store, ListQuery(able_to_exit=False)) == ["Nguyễn Thị Vân"]
    assert names(store, ListQuery(category="undetermined")) == ["Đặng Văn Đông"]
    assert names(store, ListQuery(unit_code=UNIT_B, category="poor")) == []


@pytest.mark.parametrize("column", rq.LIST_COLUMNS)
def test_sort_by_each_column(store, column: str) -> None:
    ids = seed_households(store)
    repo.update(store, "households", ids["Trần Văn Bình"], {"deprivation_count": 2})
    repo.update(store, "households", ids["Nguyễn Thị Vân"], {"deprivation_count": 1})
    for descending in (False, True):
        rows = rq.fetch_page(store, ListQuery(sort=column, descending=descending), 0, 100)
        assert len(rows) == 5
        value = (lambda r: name_sort_key(r[column])) if column == "head_name" else (lambda r: r[column])
        keys = [(r[column] is not None, value(r), r["id"]) for r in rows]
        assert keys == sorted(keys, reverse=descending)


def test_names_sort_by_given_name_with_d_beside_d(store) -> None:
    households.add_households(store, [
        ({"unit_code": UNIT_A, "household_code": code}, [member(name, "head", "1970-01-01")])
        for code, name in (("S1", "Bùi Văn Việt"), ("S2", "Bùi Đình Quân"), ("S3", "Nguyễn Văn An"),
                           ("S4", "Lê Thị Đào"), ("S5", "Trần Văn Dũng"))])
    rows = rq.fetch_page(store, ListQuery(search="", sort="head_name"), 0, 10)
    assert [r["head_name"] for r in rows] == [
        "Nguyễn Văn An", "Lê Thị Đào", "Trần Văn Dũng", "Bùi Đình Quân", "Bùi Văn Việt"]


def test_unknown_sort_column_is_refused(store) -> None:
    with pytest.raises(ValueError):
        rq.fetch_page(store, ListQuery(sort="head_name; DROP TABLE households"), 0, 10)


def test_paging_walks_every_row_once(store) -> None:
    households.add_households(store, [
        ({"unit_code": UNIT_A, "household_code": f"P{i:03}"}, [member(f"Hộ {i:03}", "head", "1970-01-01")])
        for i in range(57)])
    q = ListQuery(sort="household_code")
    seen = []
    for offset in range(0, 60, 20):
        seen.extend(r["household_code"] for r in rq.fetch_page(store, q, offset, 20))
    assert seen == [f"P{i:03}" for i in range(57)]
    assert rq.count_households(store, q) == 57
    assert rq.fetch_ids(store, q)[0] == rq.fetch_page(store, q, 0, 1)[0]["id"]


def test_removed_households_are_hidden_unless_asked(store) -> None:
    ids = seed_households(store)
    households.update_household(store, ids["Nguyễn Thị Vân"], {"status": "moved_away"})
    repo.soft_delete(store, "households", ids["Đặng Văn Đông"])
    assert "Nguyễn Thị Vân" not in names(store, ListQuery())
    assert rq.count_households(store, ListQuery()) == 3
    everything = names(store, ListQuery(include_removed=True))
    assert {"Nguyễn Thị Vân", "Đặng Văn Đông"} <= set(everything)


def test_deprived_indicator_uses_the_latest_assessment(store) -> None:
    ids = seed_households(store)
    hang, van = ids["Nguyễn Thị Hằng"], ids["Nguyễn Thị Vân"]
    add_assessment(store, hang, "2025-01-10", [{"code": "health_insurance", "status": "deprived"}], "near_poor")
    add_assessment(store, hang, "2026-01-10", [{"code": "health_insurance", "status": "not_deprived"},
                                               {"code": "housing_area", "status": "deprived"}], "near_poor")
    add_assessment(store, van, "2026-02-01", [{"code": "health_insurance", "status": "deprived"}], "near_poor")
    assert names(store, ListQuery(deprived_indicator="health_insurance")) == ["Nguyễn Thị Vân"]
    assert names(store, ListQuery(deprived_indicator="housing_area")) == ["Nguyễn Thị Hằng"]
    assert rq.latest_assessment(store, hang)["assessed_on"] == "2026-01-10"


def test_needs_review_and_open_actions(store) -> None:
    ids = seed_households(store)
    add_assessment(store, ids["Nguyễn Thị Hằng"], "2026-03-01", [], "near_poor")
    add_assessment(store, ids["Nguyễn Thị Vân"], "2025-03-01", [], "near_poor")  # older than 12 months
    fresh = {"Nguyễn Thị Hằng"}
    review = set(names(store, ListQuery(needs_review=True, today=TODAY)))
    assert review == set(ids) - fresh
    assert set(names(store, ListQuery(needs_review=False, today=TODAY))) == fresh
    for status in ("done", "planned"):
        repo.insert(store, "support_actions", {"unit_code": UNIT_A, "household_id": ids["Trần Văn Bình"],
                                               "measure_code": "bhyt", "status": status})
    repo.insert(store, "support_actions", {"unit_code": UNIT_A, "household_id": ids["Nguyễn Thị Vân"],
                                           "measure_code": "bhyt", "status": "done"})
    assert names(store, ListQuery(has_open_actions=True)) == ["Trần Văn Bình"]
    assert "Trần Văn Bình" not in names(store, ListQuery(has_open_actions=False))


def test_list_row_has_the_list_columns(store) -> None:
    seed_households(store)
    row = rq.fetch_page(store, ListQuery(search="tuyet"), 0, 10)[0]
    assert set(rq.LIST_COLUMNS) <= set(row)
    assert (row["unit_name"], row["member_count"], row["village"]) == ("Phường Thanh Liệt", 1, "Tổ 5")
    assert rq.list_villages(store, UNIT_A) == ["Thôn 1", "Thôn 2"]


def test_household_detail_and_history(store) -> None:
    ids = seed_households(store)
    hid = ids["Trần Văn Bình"]
    repo.insert(store, "household_events", {"unit_code": UNIT_A, "household_id": hid, "kind": "moved_in",
                                            "event_date": "2026-01-05"})
    store.user = "canbo"
    households.update_household(store, hid, {"village": "Thôn 4"})
    detail = rq.household_detail(store, hid)
    assert detail["household"]["village"] == "Thôn 4"
    assert [m["full_name"] for m in detail["members"]] == ["Trần Văn Bình", "Nguyễn Thị Thơm", "Trần Thị Ánh"]
    assert detail["unit"]["name"] == "Xã Tân Triều"
    assert [e["kind"] for e in detail["events"]] == ["moved_in"]
    history = rq.household_history(store, hid)
    change = next(h for h in history if h["field"] == "village")
    assert (change["user"], change["before"], change["after"]) == ("canbo", "Thôn 1", "Thôn 4")
    assert any(h["member_name"] == "Trần Thị Ánh" for h in history)
    assert rq.household_detail(store, "khong-co") is None


def test_duplicates_by_cccd_and_by_name_birth_village(store) -> None:
    ids = seed_households(store)
    new = {"unit_code": UNIT_A, "village": "thon 1"}
    found = duplicates.find_duplicates(store, new, [
        member("Ai Khác", "head", "1999-01-01", "001170000001"),
        member("TRẦN VĂN BÌNH", "spouse", "1980-02-02")])
    assert {(d.kind, d.member_index, d.household_id) for d in found} == {
        ("cccd", 0, ids["Nguyễn Thị Hằng"]), ("name_birth_village", 1, ids["Trần Văn Bình"])}
    assert {d.kind: d.message for d in found} == {
        "cccd": "Số CCCD 001170000001 đã có ở mã hộ A01 (thành viên Nguyễn Thị Hằng).",
        "name_birth_village": "Trần Văn Bình, cùng ngày sinh và thôn/tổ, đã có ở mã hộ A03 (thành viên Trần Văn Bình)."}
    # another village: the name match no longer counts
    assert [d.kind for d in duplicates.find_duplicates(store, {"village": "Thôn 9"},
                                               [member("Trần Văn Bình", "head", "1980-02-02")])] == []
    # a household is not its own duplicate
    own = duplicates.find_duplicates(store, {"village": "Thôn 1"}, [member("Trần Văn Bình", "head", "1980-02-02")],
                             exclude_id=ids["Trần Văn Bình"])
    assert own == []


def test_not_a_duplicate_decision_is_remembered(store) -> None:
    ids = seed_households(store)
    a = households.add_household(store, {"unit_code": UNIT_A, "village": "Thôn 1"},
                                 [member("Người Mới", "head", "1990-01-01", "001170000001")])
    hh = repo.get(store, "households", a)
    members = households.get_members(store, a)
    assert [d.household_id for d in duplicates.find_duplicates(store, hh, members)] == [ids["Nguyễn Thị Hằng"]]
    decision = duplicates.mark_not_duplicate(store, ids["Nguyễn Thị Hằng"], a)
    assert duplicates.mark_not_duplicate(store, a, ids["Nguyễn Thị Hằng"]) == decision  # idempotent, order-free
    assert duplicates.is_not_duplicate(store, a, ids["Nguyễn Thị Hằng"])
    assert duplicates.find_duplicates(store, hh, members) == []
    assert store.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'duplicate_decisions'") == 1


def test_search_follows_every_write_path(store) -> None:
    ids = seed_households(store)
    hid = ids["Đặng Văn Đông"]
    member_id = households.get_members(store, hid)[0]["id"]
    households.update_member(store, member_id, {"full_name": "Đặng Văn Tây"})
    assert names(store, ListQuery(search="dang van dong")) == []
    assert names(store, ListQuery(search="dang tay")) == ["Đặng Văn Tây"]
    households.add_member(store, hid, member("Lò Thị Sáu", "spouse", "1991-01-01"))
    assert names(store, ListQuery(search="lo thi sau")) == ["Đặng Văn Tây"]
    households.update_household(store, hid, {"household_code": "QX-7731"})
    assert rq.count_households(store, ListQuery(search="x-77")) == 1  # a part of the new code
    sau = next(m for m in households.get_members(store, hid) if m["full_name"] == "Lò Thị Sáu")
    households.update_member(store, sau["id"], {"cccd": "011191004321"})
    assert names(store, ListQuery(search="1004321")) == ["Đặng Văn Tây"]
    assert rq.check_search_index(store)
    rq.rebuild_search_index(store)
    assert rq.check_search_index(store)
    assert names(store, ListQuery(search="qx-7731")) == ["Đặng Văn Tây"]


def test_search_index_damage_is_detected(store) -> None:
    seed_households(store)
    # what a VACUUM renumbering rowids would leave behind: the index points at other rows
    store.conn.execute("INSERT INTO household_fts(household_fts, rowid, search_key) "
                       "VALUES ('delete', 1, (SELECT search_key FROM households WHERE rowid = 1))")
    store.conn.execute("INSERT INTO household_fts(rowid, search_key) VALUES (1, 'sai lech')")
    assert not rq.check_search_index(store)
    rq.rebuild_search_index(store)
    assert rq.check_search_index(store)


def _minh_households(store) -> dict[str, str]:
    """The head 'Hoàng Văn Minh' added LAST (FTS alone returns rowid order) and in a big household
    (bm25 alone prefers short households where the words repeat)."""
    specs = [
        ({"unit_code": UNIT_A, "village": "Thôn 1"},
         [member("Hoàng Thị Lan", "head", "1960-01-01"), member("Hoàng Văn Minh", "child", "1985-01-01"),
          member("Hoàng Văn Tâm", "child", "1987-01-01")]),
        ({"unit_code": UNIT_A, "village": "Thôn 2"},
         [member("Lê Văn Minh", "head", "1970-01-01"), member("Hoàng Thị Hoa", "spouse", "1972-01-01")]),
        ({"unit_code": UNIT_A, "village": "Thôn 2"},
         [member("Hoàng Văn Minh Khoa", "head", "1979-01-01")]),
        ({"unit_code": UNIT_A, "village": "Thôn 3", "address": "Số 8, ngõ 12, đường Trần Hưng Đạo"},
         [member("Hoàng Văn Minh", "head", "1975-01-01"), member("Phạm Thị Thu Trang", "spouse", "1976-01-01"),
          member("Hoàng Phạm Gia Bảo", "child", "2005-01-01"), member("Hoàng Phạm Bảo Ngọc", "child", "2008-01-01")]),
    ]
    ids = households.add_households(store, specs)
    return {spec[1][0]["full_name"]: hid for spec, hid in zip(specs, ids, strict=True)}


def test_search_ids_puts_the_matching_head_first(store) -> None:
    ids = _minh_households(store)
    found = households.search_ids(store, "hoang van minh")
    assert found[:2] == [ids["Hoàng Văn Minh"], ids["Hoàng Văn Minh Khoa"]]
    # then the household where a child is Hoàng Văn Minh; Lê Văn Minh's wife is a Hoàng, but no ONE
    # member has all three words
    assert found == [ids["Hoàng Văn Minh"], ids["Hoàng Văn Minh Khoa"], ids["Hoàng Thị Lan"]]
    assert households.search_ids(store, "Hoàng Văn Minh", limit=1) == [ids["Hoàng Văn Minh"]]
    # both heads start with "hoang van": they lead, in bm25 order among themselves
    assert set(households.search_ids(store, "hoang van")[:2]) == {ids["Hoàng Văn Minh"], ids["Hoàng Văn Minh Khoa"]}


def test_picker_order_is_relevance_but_the_list_keeps_its_sort(store) -> None:
    _minh_households(store)
    picker = ListQuery(search="hoang van minh", sort=rq.RELEVANCE)
    assert names(store, picker)[:2] == ["Hoàng Văn Minh", "Hoàng Văn Minh Khoa"]
    assert rq.fetch_ids(store, picker) == [r["id"] for r in rq.fetch_page(store, picker, 0, 100)]
    assert rq.count_households(store, picker) == 3
    # the registry list's chosen sort is left alone (given name first: Khoa < Lan < Minh)
    assert names(store, ListQuery(search="hoang van minh")) == [
        "Hoàng Văn Minh Khoa", "Hoàng Thị Lan", "Hoàng Văn Minh"]
    assert names(store, ListQuery(search="hoang van minh", sort="village", descending=True))[0] == "Hoàng Văn Minh"
    # nothing typed: the picker lists by name; filters still apply with relevance
    assert names(store, ListQuery(sort=rq.RELEVANCE))[0] == "Hoàng Văn Minh Khoa"
    assert names(store, ListQuery(search="minh", village="Thôn 2", sort=rq.RELEVANCE)) == [
        "Hoàng Văn Minh Khoa", "Lê Văn Minh"]


@pytest.mark.parametrize("sort", [s for s in rq.SORT_EXPRESSIONS if s != "unit_name"])
def test_walking_the_list_reads_an_index_not_the_households(store, sort: str) -> None:
    """The whole list's ids in list order come from a covering index (migration 0014): on an
    encrypted file a walk that visits each household's row decrypts the whole table on every sort
    change. (With a filter the planner may rather search by it and sort what it found.)"""
    seed_households(store)
    for q in (ListQuery(sort=sort), ListQuery(sort=sort, descending=True)):
        from_where, params = rq._from_where(store, q)
        plan = " | ".join(r[3] for r in store.query(
            f"EXPLAIN QUERY PLAN SELECT h.id{from_where}{rq._order_by(q, store)}", params))
        assert "COVERING INDEX" in plan and "TEMP B-TREE" not in plan, (sort, plan)
        assert rq.fetch_ids(store, q) == [r["id"] for r in rq.fetch_page(store, q, 0, 1000)]
