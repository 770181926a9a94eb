"""`cannngheo init` follows the setup dialog's unit rule: only units valid on --on (default today);
a commune's receiving office defaults to the unit's parent; another office needs
--confirm-receiving-unit; a refusal leaves no database behind (exit code 1)."""

from __future__ import annotations

from pathlib import Path

from cannngheo_desktop import cli
from cannngheo_desktop.storage import installation, open_db


def _secret(tmp_path: Path) -> Path:
    secret = tmp_path / "mk.txt"
    secret.write_text("bimat-xa-2023\n", encoding="utf-8")
    return secret


def _init(tmp_path: Path, name: str, *args: str) -> tuple[int, Path]:
    db = tmp_path / name
    code = cli.main(["init", "--db", str(db), *args, "--admin", "canbo", "--password-file", str(_secret(tmp_path))])
    return code, db


def _installation(db: Path):
    with open_db(db, user="canbo") as store:
        return installation.current(store)


def test_a_merged_commune_is_refused_today_with_its_successors(tmp_path, capsys):
    code, db = _init(tmp_path, "xa.sqlite", "--role", "commune", "--unit", "00664")
    assert code == 0 and _installation(db).receiving_unit_code == "01"  # Xã Đại Thanh → Hà Nội
    capsys.readouterr()
    code, old = _init(tmp_path, "cu.sqlite", "--role", "commune", "--unit", "00649", "--on", "15/12/2025")
    err = capsys.readouterr().err
    assert code == 1 and not old.exists()
    assert "Xã Tả Thanh Oai (00649) không còn hiệu lực vào ngày 15/12/2025" in err
    assert "Đơn vị kế thừa:" in err and "--on" in err


def test_before_the_merger_the_old_commune_gets_its_district(tmp_path):
    code, db = _init(tmp_path, "xa.sqlite", "--role", "commune", "--unit", "00649", "--on", "01/06/2024")
    assert code == 0
    inst = _installation(db)
    assert (inst.unit_code, inst.receiving_unit_code) == ("00649", "020")


def test_another_receiving_office_needs_the_confirmation(tmp_path, capsys):
    args = ("--role", "commune", "--unit", "00649", "--on", "01/06/2024", "--receiving-unit", "01")
    code, db = _init(tmp_path, "xa.sqlite", *args)
    err = capsys.readouterr().err
    assert code == 1 and not db.exists()
    assert "không phải cấp trên" in err and "--confirm-receiving-unit" in err and "chỉ gửi được" in err
    code, db = _init(tmp_path, "xa.sqlite", *args, "--confirm-receiving-unit")
    assert code == 0 and _installation(db).receiving_unit_code == "01"


def test_a_bad_date_is_a_usage_error(tmp_path, capsys):
    try:
        code, _db = _init(tmp_path, "xa.sqlite", "--role", "commune", "--unit", "00664", "--on", "31/02/2026")
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == 2 and "dd/mm/yyyy" in capsys.readouterr().err


def test_the_window_and_the_cli_share_one_rule(tmp_path):
    """The service the setup dialog calls refuses what the CLI refuses, on a real database: a unit
    dissolved before the start date, and an office other than the parent unless confirmed."""
    from datetime import date

    import pytest

    from cannngheo_desktop.core.errors import ValidationError

    with open_db(tmp_path / "x.sqlite", user="canbo") as store:
        rule = dict(role="commune", on=date(2025, 12, 15))
        with pytest.raises(ValidationError, match="không còn hiệu lực") as dissolved:
            installation.resolve_receiving(store, unit_code="00649", receiving_unit_code=None, **rule)
        assert dissolved.value.field == "unit_code"
        assert installation.resolve_receiving(store, unit_code="00664", receiving_unit_code=None, **rule) == "01"
        before = dict(role="commune", on=date(2024, 6, 1))  # Tả Thanh Oai's parent was then Thanh Trì
        with pytest.raises(installation.ReceivingNotParent, match="không phải cấp trên"):
            installation.resolve_receiving(store, unit_code="00649", receiving_unit_code="01", **before)
        assert installation.resolve_receiving(store, unit_code="00649", receiving_unit_code="01", confirmed=True,
                                              **before) == "01"
        assert installation.current(store) is None  # nothing was set up
