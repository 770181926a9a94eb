"""Issue 16: personal data protected at rest. The demo database made by the real command, a copy
of its file and of its backups read as raw bytes, wrong passwords, the wait after repeated
failures, the recovery key, and the first-start encryption of a plain database."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cannngheo_desktop import cli
from cannngheo_desktop.core.errors import AuthError, DatabaseError, EncryptedDatabaseError
from cannngheo_desktop.demo import build as demo
from cannngheo_desktop.storage import cipher, encryption, keyslots, open_db

PASSWORD = demo.ADMIN_PASSWORD


def _secret(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text + "\n", encoding="utf-8")
    return path


@pytest.fixture
def demo_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    """The demo database made by `cannngheo demo` (a new file: encrypted), and its recovery key."""
    path = tmp_path / "xa" / "demo.sqlite"
    path.parent.mkdir()
    assert cli.main(["demo", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    recovery = next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("Mã khôi phục: "))
    cipher.forget(path)  # a later step of the test is another process: it knows no key
    return path, recovery


def _known_person(path: Path) -> tuple[str, str]:
    """A member's name and CCCD, read through the password (what the raw bytes must not show)."""
    unlocked = keyslots.unlock(path, PASSWORD, name=demo.ADMIN_NAME)
    with open_db(path, create=False, readonly=True, key=unlocked.key) as store:
        row = store.query_one("SELECT full_name, cccd FROM members WHERE cccd IS NOT NULL AND length(cccd) = 12 "
                              "ORDER BY full_name LIMIT 1")
    cipher.forget(path)
    assert row is not None
    return row["full_name"], row["cccd"]


def _files_under(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.rglob("*")) if p.is_file()]


def _shows(data: bytes, name: str, cccd: str) -> bool:
    return name.encode("utf-8") in data or cccd.encode("ascii") in data


def test_no_file_the_app_writes_shows_a_name_or_cccd(production_kdf, demo_db, tmp_path: Path) -> None:
    path, _recovery = demo_db
    slot = keyslots.read_key_file(path).find("user", demo.ADMIN_NAME)
    assert (slot.n, slot.r, slot.p) == (2**17, 8, 1) == (production_kdf, 8, 1)  # the real cost, as shipped
    name, cccd = _known_person(path)
    secret = _secret(tmp_path, "pw.txt", PASSWORD)
    usb = tmp_path / "usb"
    usb.mkdir()
    assert cli.main(["backup", "--db", str(path), "--passphrase-file", str(secret), "--out", str(usb)]) == 0
    assert cli.main(["backup", "--db", str(path), "--passphrase-file", str(secret)]) == 0  # the automatic folder
    written = _files_under(path.parent) + _files_under(usb)
    assert any(p.suffix == ".sqlite" for p in _files_under(usb))
    assert any("backups" in p.parts for p in written)
    for file in written:
        data = file.read_bytes()
        assert not _shows(data, name, cccd), file
        if file.suffix == ".sqlite":
            assert not data.startswith(cipher.SQLITE_HEADER), file
    # the same look at a plain copy finds them: the check above can fail
    plain = tmp_path / "plain.sqlite"
    unlocked = keyslots.unlock(path, PASSWORD, name=demo.ADMIN_NAME)
    with open_db(path, create=False, readonly=True, key=unlocked.key) as store:
        encryption.export_copy(store.conn, plain, None)
    assert _shows(plain.read_bytes(), name, cccd)


def test_a_wrong_password_says_so_and_changes_nothing(demo_db, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = demo_db
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    wrong = _secret(tmp_path, "sai.txt", "khong-phai-mat-khau")
    code = cli.main(["export-excel", "--db", str(path), "--passphrase-file", str(wrong),
                     "--out", str(tmp_path / "ds.xlsx")])
    err = capsys.readouterr().err
    assert code == 1
    assert "không mở được tệp dữ liệu" in err and "Traceback" not in err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not (tmp_path / "ds.xlsx").exists()
    # without any password: a clear refusal naming the flag
    code = cli.main(["export-excel", "--db", str(path), "--out", str(tmp_path / "ds.xlsx")])
    assert code == 1 and "--passphrase-file" in capsys.readouterr().err
    with pytest.raises(EncryptedDatabaseError):  # a file with its own key slots needs its key
        open_db(path, create=False)
    with pytest.raises(DatabaseError, match="khóa mở tệp không đúng"):  # any other key is refused
        open_db(path, create=False, key=cipher.new_key())
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_repeated_failures_make_the_next_try_wait_and_are_audited(demo_db) -> None:
    path, _ = demo_db
    for attempt in range(keyslots.FREE_TRIES):
        with pytest.raises(AuthError) as info:
            keyslots.unlock(path, f"sai-mat-khau-{attempt}", name=demo.ADMIN_NAME)
    assert "Lần thử tiếp theo sau 30 giây" in info.value.message
    with pytest.raises(AuthError, match="Hãy chờ"):   # even the right password waits
        keyslots.unlock(path, PASSWORD, name=demo.ADMIN_NAME)
    kf = keyslots.read_key_file(path)
    assert kf is not None and kf.failures == keyslots.FREE_TRIES and 0 < keyslots.wait_seconds(kf) <= 30
    kf.wait_until = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")  # time passes
    keyslots.write_key_file(path, kf)
    unlocked = keyslots.unlock(path, PASSWORD, name=demo.ADMIN_NAME)
    with open_db(path, create=False, key=unlocked.key) as store:
        rows = store.query("SELECT row_id, after FROM audit_log WHERE table_name = 'key_slots' ORDER BY id")
    assert [r["row_id"] for r in rows].count("failed") == keyslots.FREE_TRIES
    assert rows[-1]["row_id"] == "unlocked" and json.loads(rows[-1]["after"])["failures"] == "5"
    assert keyslots.read_key_file(path).events == []  # moved into the audit log


def test_the_recovery_key_opens_without_the_slot_file_and_resets_the_password(demo_db, tmp_path: Path) -> None:
    path, recovery = demo_db
    keyslots.keys_path(path).rename(tmp_path / "lost.keys")
    with pytest.raises(Exception, match="Thiếu tệp khóa"):
        keyslots.unlock(path, PASSWORD, name=demo.ADMIN_NAME)
    typed = recovery.lower().replace("-", " ")  # as read from paper
    unlocked = keyslots.unlock(path, typed)
    assert unlocked.kind == "recovery"
    with open_db(path, create=False, readonly=True, key=unlocked.key) as store:
        assert store.scalar("SELECT count(*) FROM households") > 500
    cipher.forget(path)
    (tmp_path / "lost.keys").rename(keyslots.keys_path(path))
    rec = _secret(tmp_path, "rec.txt", recovery)
    new = _secret(tmp_path, "moi.txt", "mot cau rat de nho 2026")
    assert cli.main(["account", "reset-password", "--db", str(path), "--passphrase-file", str(rec),
                     "--name", demo.ADMIN_NAME, "--new-password-file", str(new)]) == 0
    cipher.forget(path)
    with pytest.raises(AuthError):
        keyslots.unlock(path, PASSWORD, name=demo.ADMIN_NAME)
    assert keyslots.unlock(path, "mot cau rat de nho 2026", name=demo.ADMIN_NAME).kind == "user"


def test_a_plain_demo_database_is_encrypted_with_every_row_kept(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cu" / "demo.sqlite"
    path.parent.mkdir()
    suite_key = cipher.key_for_new_file()
    cipher.set_key_for_new_files(None)  # as an earlier version made it: plain
    try:
        with open_db(path, lock=True, user=demo.ADMIN_NAME) as store:
            demo.build_demo(store)
            from cannngheo_desktop.storage.backup import backup_database

            backup_database(store.conn, store.path, reason="tu-dong")  # an old plain automatic backup
            before = encryption.fingerprint(store.conn)
            name, cccd = (store.query_one("SELECT full_name, cccd FROM members WHERE length(cccd) = 12 LIMIT 1"))
    finally:
        cipher.set_key_for_new_files(suite_key)
    assert cipher.is_plain_file(path) and _shows(path.read_bytes(), name, cccd)
    secret = _secret(tmp_path, "pw.txt", PASSWORD)
    assert cli.main(["account", "encrypt", "--db", str(path), "--name", demo.ADMIN_NAME,
                     "--password-file", str(secret), "--recovery-out", str(tmp_path / "phieu.pdf")]) == 0
    out = capsys.readouterr().out
    assert "Mã khôi phục: " in out and (tmp_path / "phieu.pdf").read_bytes().startswith(b"%PDF")
    cipher.forget(path)
    for file in _files_under(path.parent):
        assert not _shows(file.read_bytes(), name, cccd), file
    unlocked = keyslots.unlock(path, PASSWORD, name=demo.ADMIN_NAME)
    with open_db(path, create=False, readonly=True, key=unlocked.key) as store:
        after = encryption.fingerprint(store.conn)
        audit = store.query("SELECT row_id FROM audit_log WHERE table_name = 'database'")
    changed = {t for t in before if before[t] != after.get(t)}
    assert changed <= {"audit_log", "users"}      # the encryption is audited; the admin's password moved to a slot
    assert after["audit_log"][0] == before["audit_log"][0] + 1 and [r["row_id"] for r in audit] == ["encryption"]
    assert after["users"][0] == before["users"][0]
    assert set(after) == set(before)


def test_a_backup_under_another_key_is_restored_only_with_its_secret(demo_db, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    source, _ = demo_db
    usb = tmp_path / "usb"
    usb.mkdir()
    demo_pw = _secret(tmp_path, "demo.txt", PASSWORD)
    assert cli.main(["backup", "--db", str(source), "--passphrase-file", str(demo_pw), "--out", str(usb)]) == 0
    (copy,) = [p for p in usb.iterdir() if p.suffix == ".sqlite"]
    target = tmp_path / "may-moi" / "xa.sqlite"
    target.parent.mkdir()
    own_pw = _secret(tmp_path, "own.txt", "mat khau may moi 2026")
    assert cli.main(["init", "--on", "01/06/2024", "--db", str(target), "--role", "commune", "--unit", "00640", "--receiving-unit", "020",
                     "--admin", "canbo", "--password-file", str(own_pw)]) == 0
    cipher.forget(target)
    capsys.readouterr()
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    code = cli.main(["restore", "--db", str(target), "--passphrase-file", str(own_pw), "--yes", str(copy)])
    assert code == 1 and "khóa khác" in capsys.readouterr().err
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    code = cli.main(["restore", "--db", str(target), "--passphrase-file", str(own_pw), "--yes", str(copy),
                     "--backup-passphrase-file", str(demo_pw)])
    assert code == 0, capsys.readouterr().err
    cipher.forget(target)
    unlocked = keyslots.unlock(target, "mat khau may moi 2026", name="canbo")  # still this PC's password
    with open_db(target, create=False, readonly=True, key=unlocked.key) as store:
        assert store.scalar("SELECT count(*) FROM households") > 500
