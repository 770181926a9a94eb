"""`cannngheo init`, `backup` and `restore` on real files."""

from __future__ import annotations

from pathlib import Path

from cannngheo_desktop import cli
from cannngheo_desktop.storage import households, installation, open_db


def _secret(tmp_path: Path) -> Path:
    path = tmp_path / "pw.txt"
    path.write_text("bimat-2026\n", encoding="utf-8")
    return path


def test_init_refuses_an_unknown_unit_and_writes_nothing(tmp_path: Path, capsys) -> None:
    db = tmp_path / "xa.sqlite"
    code = cli.main(["init", "--db", str(db), "--role", "commune", "--unit", "99999",
                     "--receiving-unit", "020", "--admin", "canbo", "--password-file", str(_secret(tmp_path))])
    assert code == 1
    assert "Không có đơn vị mã '99999'" in capsys.readouterr().err
    with open_db(db) as store:
        assert installation.current(store) is None
        assert store.scalar("SELECT count(*) FROM users") == 0
        assert store.scalar("SELECT count(*) FROM units") == 0  # reference data rolled back too


def test_init_twice_is_refused(tmp_path: Path, capsys) -> None:
    db, secret = tmp_path / "xa.sqlite", _secret(tmp_path)
    args = ["init", "--on", "01/06/2024", "--db", str(db), "--role", "commune", "--unit", "00649",
            "--receiving-unit", "020",
            "--admin", "canbo", "--password-file", str(secret)]
    assert cli.main(args) == 0
    assert cli.main(args) == 1
    assert "đã được thiết lập" in capsys.readouterr().err


def test_backup_then_restore_brings_the_old_content_back(tmp_path: Path, capsys) -> None:
    db, usb = tmp_path / "xa.sqlite", tmp_path / "usb"
    usb.mkdir()
    assert cli.main(["init", "--on", "01/06/2024", "--db", str(db), "--role", "commune", "--unit", "00649", "--receiving-unit", "020",
                     "--admin", "canbo", "--password-file", str(_secret(tmp_path))]) == 0
    with open_db(db) as store:
        households.add_household(store, {"unit_code": "00649", "household_code": "A1"},
                                 [{"full_name": "Nguyễn Văn An", "relation": "head"}])
    assert cli.main(["backup", "--db", str(db), "--out", str(usb)]) == 0
    copy = next(usb.glob("xa-*.sqlite"))
    with open_db(db) as store:
        households.add_household(store, {"unit_code": "00649", "household_code": "A2"},
                                 [{"full_name": "Trần Thị Bình", "relation": "head"}])
    assert cli.main(["restore", "--db", str(db), str(copy), "--yes"]) == 0
    with open_db(db) as store:
        codes = [r[0] for r in store.query("SELECT household_code FROM households ORDER BY 1")]
    assert codes == ["A1"]
    # the file that was replaced is kept as a safety copy
    assert any("truoc-khoi-phuc" in p.name for p in (tmp_path / "backups").glob("*.sqlite"))
