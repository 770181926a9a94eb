"""Search per person (issue 17.1): every word in ONE member's name, head of household first, the
matched member shown; a part of a household code or CCCD (≥ 4 characters) finds it; the list, the
pickers and `cannngheo export-excel --search` give the same households."""

from __future__ import annotations

import argparse
from pathlib import Path

import openpyxl
import pytest

from cannngheo_desktop.commands import registry as registry_cmd
from cannngheo_desktop.registry import queries as rq
from cannngheo_desktop.registry.queries import ListQuery
from cannngheo_desktop.storage import households, open_db
from tests.registry.registry_fixtures import UNIT_A, add_units, member


def _seed(store) -> dict[str, str]:
    specs = [
        # a Nguyễn Thị and a Trần Văn: "nguyen van" must NOT find this household
        ({"unit_code": UNIT_A, "household_code": "DT-T1-0007", "village": "Thôn 1"},
         [member("Nguyễn Thị Hạnh", "head", "1970-01-01", "001170000111"),
          member("Trần Văn Lực", "spouse", "1968-01-01", "001068000222")]),
        # the words are in a child's name: found, the child shown
        ({"unit_code": UNIT_A, "household_code": "DT-T2-0012", "village": "Thôn 2"},
         [member("Lê Thị Mai", "head", "1965-01-01", "001165000333"),
          member("Nguyễn Văn Bình", "child", "1990-01-01", "001090004321")]),
        # the head is a Nguyễn Văn: first
        ({"unit_code": UNIT_A, "household_code": "DT-T3-0101", "village": "Thôn 3"},
         [member("Nguyễn Văn Anh", "head", "1975-01-01", "001075000555"),
          member("Phạm Thị Đào", "spouse", "1977-01-01", None)]),
    ]
    ids = households.add_households(store, specs)
    return {"mixed": ids[0], "child": ids[1], "head": ids[2]}


def test_all_words_must_match_one_member_head_first(store) -> None:
    ids = _seed(store)
    q = ListQuery(search="nguyen van", sort=rq.RELEVANCE)
    rows = rq.fetch_page(store, q, 0, 10)
    assert [r["id"] for r in rows] == [ids["head"], ids["child"]]
    assert rq.count_households(store, q) == 2
    assert [(r["matched_name"], r["matched_relation"]) for r in rows] == [
        ("Nguyễn Văn Anh", "head"), ("Nguyễn Văn Bình", "child")]
    # the same households whatever the sort, and in the pickers
    by_name = rq.fetch_page(store, ListQuery(search="nguyen van"), 0, 10)
    assert {r["id"] for r in by_name} == {ids["head"], ids["child"]}
    assert households.search_ids(store, "Nguyễn Văn") == [ids["head"], ids["child"]]
    # words of two members of one household never add up
    assert households.search_ids(store, "hanh luc") == []
    assert households.search_ids(store, "tran van luc") == [ids["mixed"]]


def test_diacritics_folded_and_only_the_last_word_is_a_prefix(store) -> None:
    ids = _seed(store)
    assert households.search_ids(store, "NGUYEN VAN B") == [ids["child"]]
    assert households.search_ids(store, "phạm thị đ") == [ids["head"]]
    assert households.search_ids(store, "pham thi dao") == [ids["head"]]
    assert households.search_ids(store, "ngu van") == []  # an earlier word is a whole word
    assert households.search_ids(store, "van nguyen") == [ids["head"], ids["child"]]  # any order


def test_code_and_cccd_found_by_any_part_of_four_characters(store) -> None:
    ids = _seed(store)
    assert households.search_ids(store, "4321") == [ids["child"]]  # the last digits of a CCCD
    assert households.search_ids(store, "0900043") == [ids["child"]]  # the middle of it
    rows = rq.fetch_page(store, ListQuery(search="4321"), 0, 10)
    assert (rows[0]["matched_name"], rows[0]["matched_relation"]) == ("Nguyễn Văn Bình", "child")
    assert households.search_ids(store, "t3-0") == [ids["head"]]  # part of a code, any case
    row = rq.fetch_page(store, ListQuery(search="T3-01"), 0, 10)[0]
    assert (row["matched_name"], row["matched_relation"]) == ("Nguyễn Văn Anh", "head")
    assert set(households.search_ids(store, "DT-T")) == set(ids.values())
    assert households.search_ids(store, "432") == []  # three characters are too few
    # the whole code first, then codes that only contain it
    assert households.search_ids(store, "DT-T1-0007")[0] == ids["mixed"]


def test_removed_member_is_not_found_and_renamed_one_is(store) -> None:
    ids = _seed(store)
    binh = next(m for m in households.get_members(store, ids["child"]) if m["relation"] == "child")
    households.remove_member(store, binh["id"])
    assert households.search_ids(store, "nguyen van binh") == []
    assert households.search_ids(store, "4321") == []
    lac = households.add_member(store, ids["mixed"], member("Trần Văn Lạc", "child", "2000-01-01"))
    assert households.search_ids(store, "tran van la") == [ids["mixed"]]
    households.update_member(store, lac, {"full_name": "Trần Văn Lộc"})
    assert households.search_ids(store, "tran van lac") == []
    assert households.search_ids(store, "tran van loc") == [ids["mixed"]]
    assert rq.check_search_index(store)


@pytest.mark.parametrize("text", ['"', 'nguyen"*', "NEAR(a b)", "a OR b", "-", "*", "'; DROP TABLE households",
                                  "x" * 5000, "0011 7000", "\x00abc"])
def test_hostile_search_text_never_fails(store, text: str) -> None:
    _seed(store)
    q = ListQuery(search=text)
    assert rq.count_households(store, q) == len(rq.fetch_ids(store, q))
    households.search_ids(store, text)
    assert store.scalar("SELECT count(*) FROM households") == 3


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    registry_cmd.register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    return int(args.func(args))


def test_export_excel_search_is_the_window_search(tmp_path: Path) -> None:
    path = tmp_path / "xa.sqlite"
    with open_db(path) as store:
        add_units(store)
        ids = _seed(store)
        window = [r["id"] for r in rq.fetch_page(store, ListQuery(search="nguyen van"), 0, 100)]
    assert set(window) == {ids["head"], ids["child"]}
    for text, heads in (("nguyen van", {"Nguyễn Văn Anh", "Lê Thị Mai"}), ("4321", {"Lê Thị Mai"})):
        out = tmp_path / f"{text}.xlsx"
        assert _run("export-excel", "--db", str(path), "--out", str(out), "--search", text) == 0
        sheet = openpyxl.load_workbook(out).active
        header = next(r for r in sheet.iter_rows(values_only=True) if "Họ và tên" in r)
        name_col, rel_col = header.index("Họ và tên"), header.index("Quan hệ với chủ hộ")
        exported = {r[name_col] for r in sheet.iter_rows(values_only=True)
                    if r[rel_col] == "Chủ hộ"}
        assert exported == heads
