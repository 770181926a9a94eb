"""`cannngheo evaluate` on JSON files and `cannngheo assess` on a real database, through cli.main."""

from __future__ import annotations

import importlib
import json

import pytest

from cannngheo_desktop import cli
from cannngheo_desktop.storage import households, open_db, repo, rulesets

HOUSEHOLD = {
    "household_code": "TT-001", "unit_kind": "commune", "income_month": 4_000_000, "floor_area_m2": 30,
    "wall_durable": True, "frame_durable": True, "roof_durable": True, "water_source": "piped",
    "latrine": "septic", "devices": ["tv"], "uses_telecom": True, "uses_digital_services": False,
    "waste_handling": "dumped",
    "members": [
        {"full_name": "Trần Văn Bình", "birth_date": "1992-03-01", "able_to_work": True,
         "employment": "self_employed", "has_health_insurance": False, "education_level": "upper_secondary",
         "in_school": False, "disabled": False, "malnourished": False},
        {"full_name": "Nguyễn Thị Lan", "birth_date": "1994-03-01", "able_to_work": True,
         "employment": "self_employed", "has_health_insurance": True, "education_level": "upper_secondary",
         "in_school": False, "disabled": False, "malnourished": False},
    ],
}


@pytest.fixture(autouse=True)
def only_importable_commands(monkeypatch):
    """Other helpers' command modules may not exist yet; ours must be registered."""
    assert "standards" in cli.COMMAND_MODULES
    present = []
    for name in cli.COMMAND_MODULES:
        try:
            importlib.import_module(f"cannngheo_desktop.commands.{name}")
        except ModuleNotFoundError:
            continue
        present.append(name)
    monkeypatch.setattr(cli, "COMMAND_MODULES", tuple(present))


def write(tmp_path, data, name="ho.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_evaluate_prints_json_without_a_database(tmp_path, capsys):
    path = write(tmp_path, HOUSEHOLD)
    assert cli.main(["evaluate", "--ruleset", "VN-2027", "--date", "2027-01-01", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["category"] == "poor" and out["income_per_person"] == 2_000_000
    assert out["deprivation_count"] == 3
    by_code = {i["code"]: i for i in out["indicators"]}
    assert by_code["health_insurance"] == {
        "code": "health_insurance", "name": "Bảo hiểm y tế", "deprived": True, "status": "deprived",
        "reason": "Trần Văn Bình, 34 tuổi, chưa có thẻ BHYT"}
    assert by_code["waste_treatment"]["deprived"] is True and "information_devices" not in by_code
    assert out["missing"] == []
    assert not list(tmp_path.glob("*.sqlite"))


def test_evaluate_same_file_under_2022_and_in_a_ward(tmp_path, capsys):
    path = write(tmp_path, {**HOUSEHOLD, "unit_kind": "ward"})
    assert cli.main(["evaluate", "--ruleset", "VN-2022", "--date", "01/06/2026", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["area_type"] == "urban" and out["income_line"] == 2_000_000
    assert out["category"] == "near_poor" and out["deprivation_count"] == 1


def test_evaluate_reports_missing_facts(tmp_path, capsys):
    data = {"area_type": "rural", "income_month": 1_000_000, "members": [{"full_name": "Lê Văn Cường"}]}
    assert cli.main(["evaluate", "--ruleset", "VN-2022", str(write(tmp_path, data))]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["category"] == "undetermined" and out["category_label"] == "Chưa đủ thông tin"
    assert {"field": "members[0].birth_date", "label": "Ngày sinh của Lê Văn Cường"} in out["missing"]


@pytest.mark.parametrize(("content", "expected"), [
    ('{"members": [', "không phải JSON hợp lệ"),
    ('[1, 2]', "cần một đối tượng JSON"),
    ('{"members": [], "unit_kind": "province"}', "unit_kind"),
    ('{"members": []}', "area_type"),
    ('{"members": 3, "area_type": "rural"}', "members"),
])
def test_evaluate_bad_file_names_the_file(tmp_path, capsys, content, expected):
    path = tmp_path / "hỏng.json"
    path.write_text(content, encoding="utf-8")
    assert cli.main(["evaluate", "--ruleset", "VN-2022", str(path)]) == 1
    err = capsys.readouterr().err
    assert "hỏng.json" in err and expected in err


def test_evaluate_unknown_ruleset(tmp_path, capsys):
    assert cli.main(["evaluate", "--ruleset", "VN-1999", str(write(tmp_path, HOUSEHOLD))]) == 1
    assert "VN-1999" in capsys.readouterr().err


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "x.sqlite"
    with open_db(path) as store:
        rulesets.load_shipped_rulesets(store)
        repo.insert(store, "units", {"id": "00664@2025-07-01", "code": "00664", "name": "Xã Đại Thanh",
                                     "kind": "commune", "area": "rural", "valid_from": "2025-07-01",
                                     "unit_code": "*"})
        base = {k: v for k, v in HOUSEHOLD.items() if k not in ("members", "unit_kind")}
        ms = [dict(m, relation="head" if i == 0 else "spouse") for i, m in enumerate(HOUSEHOLD["members"])]
        # 1.8M/person: average under VN-2022; poor under VN-2027 (3 deprivations with the new indicators).
        households.add_household(store, {**base, "unit_code": "00664", "household_code": "DT-1",
                                         "village": "Thôn Văn Uyên", "income_month": 3_600_000}, ms)
        households.add_household(store, {**base, "unit_code": "00664", "household_code": "DT-2",
                                         "income_month": 20_000_000}, ms)
    return path


def test_assess_compare_human_text(db, capsys):
    argv = ["assess", "--db", str(db), "--ruleset", "VN-2027", "--compare", "VN-2022", "--date", "2026-11-01"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "So sánh bộ chuẩn VN-2022 → VN-2027 ngày 01/11/2026: 2 hộ" in out
    assert "Hộ có mức sống trung bình → Hộ nghèo: 1  (thay đổi)" in out
    assert "Không thuộc diện → Không thuộc diện: 1" in out
    assert "- DT-1 Trần Văn Bình (Thôn Văn Uyên): Hộ có mức sống trung bình → Hộ nghèo" in out


def test_assess_json_and_save(db, capsys):
    argv = ["assess", "--db", str(db), "--ruleset", "VN-2027", "--unit", "00664", "--date", "2027-01-02",
            "--save", "--json"]
    assert cli.main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["assessment"]["counts"] == {"poor": 1, "not_poor": 1}
    assert out["assessment"]["saved"] == 2
    with open_db(db) as store:
        assert store.scalar("SELECT count(*) FROM assessments WHERE ruleset_code = 'VN-2027'") == 2


def test_assess_counts_text(db, capsys):
    assert cli.main(["assess", "--db", str(db), "--ruleset", "VN-2022", "--date", "2026-11-01"]) == 0
    out = capsys.readouterr().out
    assert "Đánh giá theo bộ chuẩn VN-2022 ngày 01/11/2026: 2 hộ" in out
    assert "Hộ có mức sống trung bình: 1" in out


def test_assess_missing_database_is_a_clear_error(tmp_path, capsys):
    assert cli.main(["assess", "--db", str(tmp_path / "none.sqlite"), "--ruleset", "VN-2027"]) == 1
    assert "none.sqlite" in capsys.readouterr().err


def test_evaluate_refuses_a_member_born_after_the_assessment_date_with_exit_2(tmp_path, capsys):
    data = json.loads(json.dumps(HOUSEHOLD))
    data["members"].append({"full_name": "Trần Bé Na", "birth_date": "2027-03-01"})
    data["members"][0]["cccd"] = "12ab"
    path = write(tmp_path, data)
    assert cli.main(["evaluate", "--ruleset", "VN-2027", "--date", "2027-01-01", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "ho.json" in captured.err and "01/01/2027" in captured.err
    assert "- Ngày sinh: Thành viên 3 (Trần Bé Na): ngày sinh 01/03/2027 sau ngày đánh giá 01/01/2027." \
        in captured.err
    assert "- Số CCCD: Thành viên 1 (Trần Văn Bình)" in captured.err
    # The same child assessed after her birth is fine, and a birth year alone is read as a year.
    data["members"][0]["cccd"] = None
    data["members"][1]["birth_date"] = "1994"
    path = write(tmp_path, data)
    assert cli.main(["evaluate", "--ruleset", "VN-2027", "--date", "2027-06-01", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["income_per_person"] == 4_000_000 // 3


def test_evaluate_help_documents_exit_2(capsys):
    with pytest.raises(SystemExit):
        cli.main(["evaluate", "--help"])
    assert "2 hộ không hợp lệ" in capsys.readouterr().out
