"""Issue 16, one secret per person: on an encrypted database the unit's key passphrase also
unlocks the database (its "signing" key slot), so `--passphrase-file` with the key passphrase
opens both, and changing the passphrase changes both."""

from __future__ import annotations

from pathlib import Path

import pytest

from cannngheo_desktop import cli
from cannngheo_desktop.core.errors import AuthError
from cannngheo_desktop.storage import cipher, keyslots


def _file(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_the_key_passphrase_opens_the_database_and_follows_its_change(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "xa.sqlite"
    login = _file(tmp_path, "login.txt", "mat khau dang nhap 2026")
    key_old = _file(tmp_path, "khoa-cu.txt", "cum mat khau khoa cua xa")
    key_new = _file(tmp_path, "khoa-moi.txt", "cum mat khau khoa moi hon")
    assert cli.main(["init", "--db", str(db), "--role", "commune", "--unit", "00640", "--receiving-unit", "020",
                     "--admin", "canbo", "--password-file", str(login), "--on", "2025-01-01"]) == 0
    cipher.forget(db)
    # keys init: --passphrase-file is the NEW key passphrase; the database opens with the login
    assert cli.main(["keys", "init", "--db", str(db), "--passphrase-file", str(key_old),
                     "--db-passphrase-file", str(login)]) == 0
    cipher.forget(db)
    kf = keyslots.read_key_file(db)
    assert kf is not None and kf.find("signing", "00640") is not None
    assert keyslots.unlock(db, "cum mat khau khoa cua xa").kind == "signing"
    cipher.forget(db)
    capsys.readouterr()
    assert cli.main(["keys", "passphrase", "--db", str(db), "--passphrase-file", str(key_old),
                     "--new-passphrase-file", str(key_new)]) == 0, capsys.readouterr().err
    cipher.forget(db)
    assert keyslots.unlock(db, "cum mat khau khoa moi hon").kind == "signing"
    with pytest.raises(AuthError):
        keyslots.unlock(db, "cum mat khau khoa cua xa")
    assert keyslots.unlock(db, "mat khau dang nhap 2026", name="canbo").kind == "user"  # the login is untouched
