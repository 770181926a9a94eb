"""`cannngheo rulesets`: the values awaiting confirmation are shown, an administrator corrects one
(validated, audited, in the history), anyone else and any bad value are refused with the file as it was."""

from __future__ import annotations

import pytest

from cannngheo_desktop import cli
from cannngheo_desktop.storage import installation, open_db, rulesets, users

ADMIN, ADMIN_PASSWORD = "quantri", "so-tay-can-bo-2026"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "xa.sqlite"
    with open_db(path, user=ADMIN) as store:
        installation.initialize(store, role="commune", unit_code="00640", receiving_unit_code="020",
                                admin_name=ADMIN, admin_password=ADMIN_PASSWORD)
        users.create_user(store, "nhanvien", "mat-khau-nv", role="user")
    (tmp_path / "admin.txt").write_text(ADMIN_PASSWORD + "\n", encoding="utf-8")
    (tmp_path / "nv.txt").write_text("mat-khau-nv\n", encoding="utf-8")
    return path


def run(capsys, *argv) -> tuple[int, str]:
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out + out.err


def band(path) -> int:
    with open_db(path, create=False, readonly=True) as store:
        return rulesets.get_ruleset(store, "VN-2027").average_band["rural"]


def test_show_marks_the_values_awaiting_confirmation(db, capsys) -> None:
    code, out = run(capsys, "rulesets", "list", "--db", db)
    assert code == 0 and "VN-2027" in out and "HN-2022" in out and "chờ xác nhận" in out
    code, out = run(capsys, "rulesets", "show", "VN-2027", "--db", db)
    line = next(x for x in out.splitlines() if x.strip().startswith("average_band.rural"))
    assert "3.300.000 đồng" in line and "⚠ chờ xác nhận" in line
    line = next(x for x in out.splitlines() if x.strip().startswith("income_lines.rural"))
    # the line is taken from the government's summary, not the decree's text: awaiting confirmation
    assert "2.200.000 đồng" in line and "chờ xác nhận" in line
    lines = out.splitlines()
    at = lines.index(line)
    assert any("Nguồn: Nghị định 351/2025/NĐ-CP" in x and "tóm tắt chính thức" in x for x in lines[at - 3:at])
    # every value list is printed, not only the numbers
    water = next(x for x in lines if x.strip().startswith("indicators.drinking_water.params.values"))
    assert "piped" in water and "drilled_well" in water
    assert any(x.strip().startswith("indicators.adult_education.params.rules.1.condition.all.1.in") for x in lines)


def test_an_administrator_corrects_a_value_and_it_is_in_the_history(db, tmp_path, capsys) -> None:
    code, out = run(capsys, "rulesets", "set", "VN-2027", "average_band.rural", "3.450.000", "--admin", ADMIN,
                    "--password-file", tmp_path / "admin.txt", "--db", db)
    assert code == 0 and "3.300.000 đồng → 3.450.000 đồng" in out
    assert band(db) == 3_450_000
    code, out = run(capsys, "rulesets", "history", "VN-2027", "--db", db)
    assert f"{ADMIN}: Mức sống trung bình: Khu vực nông thôn (đồng/người/tháng): 3.300.000 đồng → 3.450.000 đồng" in out


@pytest.mark.parametrize(("who", "secret", "path", "value", "says"), [
    ("nhanvien", "nv.txt", "average_band.rural", "3.450.000", "không phải quản trị viên"),
    (ADMIN, "nv.txt", "average_band.rural", "3.450.000", "mật khẩu không đúng"),
    (ADMIN, "admin.txt", "average_band.rural", "ba triệu", "hãy nhập dạng 2.200.000"),
    (ADMIN, "admin.txt", "average_band.suburb", "3.450.000", "không có tham số sửa được 'average_band.suburb'"),
    (ADMIN, "admin.txt", "valid_to", "01/01/2020", "'valid_to' trước 'valid_from'"),
])
def test_refusals_leave_the_ruleset_as_it_was(db, tmp_path, capsys, who, secret, path, value, says) -> None:
    code, out = run(capsys, "rulesets", "set", "VN-2027", path, value, "--admin", who,
                    "--password-file", tmp_path / secret, "--db", db)
    assert code != 0 and says in out
    assert band(db) == 3_300_000
    assert "Chưa có tham số nào của VN-2027 được sửa" in run(capsys, "rulesets", "history", "VN-2027", "--db", db)[1]
