"""`cannngheo plan …` prints Vietnamese tables and JSON from the same services."""

from __future__ import annotations

import argparse
import json

from cannngheo_desktop.commands import plan as plan_cmd
from cannngheo_desktop.plan import support


def _run(argv, capsys):
    parser = argparse.ArgumentParser()
    plan_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["plan", *argv])
    code = args.func(args)
    return code, capsys.readouterr().out


def test_progress_table_and_json(registry, capsys):
    store, plan_id = registry
    db = str(store.path)
    code, out = _run(["progress", "--db", db, "--year", "2023", "--as-of", "30/06/2023"], capsys)
    assert code == 0
    assert "Tiến độ kế hoạch năm 2023 tính đến 30/06/2023" in out
    lines = {ln.split("  ")[0]: ln for ln in out.splitlines()}
    assert "đúng tiến độ" in lines["Xã An Bình"] and "66,67%" in lines["Xã An Bình"]
    assert lines["Thị trấn Bắc Sơn"].rstrip().endswith("đạt")
    code, out = _run(["progress", "--db", db, "--plan", plan_id, "--as-of", "2023-06-30", "--json"], capsys)
    data = json.loads(out)
    assert data["total"]["exited"] == 4 and data["units"][0]["status"] == "đúng tiến độ"
    assert [m["cumulative_exits"] for m in data["monthly"]][:7] == [1, 1, 2, 2, 3, 4, None]


def test_objectives_table_and_json(registry, capsys):
    store, _ = registry
    db = str(store.path)
    code, out = _run(["objectives", "--db", db, "--year", "2023", "--as-of", "30/06/2023"], capsys)
    assert code == 0 and "Thành viên hộ cận nghèo có thẻ BHYT" in out and "88,89%" in out
    code, out = _run(["objectives", "--db", db, "--year", "2023", "--as-of", "30/06/2023", "--json"], capsys)
    by_code = {m["code"]: m for m in json.loads(out)}
    assert by_code["job_placed"]["status"] == "đạt" and by_code["safe_water"]["unknown"] == 1


def test_actions_listing_overdue_and_flags(registry, capsys):
    store, _ = registry
    support.add_action(store, "h1", "vay_von", planned_date="2023-03-15", amount=30000000,
                       funding_source="Vay vốn Ngân hàng Chính sách xã hội")
    db = str(store.path)
    code, out = _run(["actions", "--db", db, "--overdue", "--today", "31/03/2023"], capsys)
    assert code == 0 and out.startswith("1 hoạt động quá hạn") and "30.000.000" in out and "15/03/2023" in out
    code, out = _run(["actions", "--db", db, "--overdue", "--today", "15/03/2023", "--json"], capsys)
    assert json.loads(out) == []
    code, out = _run(["actions", "--db", db, "--able-without-action", "--year", "2023", "--json"], capsys)
    assert [h["id"] for h in json.loads(out)] == ["h2"]
