"""Folders as offices have them on Windows: the user's profile (C:\\Users\\Nguyễn Văn A\\…) and a
USB stick (E:\\Dữ liệu xã\\…), with Vietnamese letters and spaces in every part. The database, its
lock, automatic and chosen backups, a bundle written there and read back, and a restore all work
there. (tools/windows/build.sh also runs the whole suite on Windows with such a temp folder.)"""

from __future__ import annotations

from pathlib import Path

from cannngheo_desktop import paths
from cannngheo_desktop.exchange import export, importer
from cannngheo_desktop.storage import backup, open_db
from cannngheo_desktop.storage.lock import lock_path
from tests.exchange.bundle_helpers import OFFICE, PASS, make_pair, make_store, rows_of


def test_database_bundle_backup_and_restore_under_vietnamese_folders(tmp_path: Path, monkeypatch):
    profile = tmp_path / "Nguyễn Văn A" / "AppData" / "Cận Nghèo Desktop"
    profile.mkdir(parents=True)
    monkeypatch.setenv("CANNGHEO_DATA_DIR", str(profile))
    assert paths.data_dir() == profile and paths.log_dir() == profile / "logs"
    usb = tmp_path / "Ổ USB" / "Dữ liệu xã" / "Gói tháng 1"
    usb.mkdir(parents=True)

    pair = make_pair(profile)
    try:
        pair.add_households(3)
        bundle = export.export_bundle(pair.commune, "2026-01", usb, PASS)
        assert bundle.parent == usb and bundle.is_file()
        result = importer.apply_bundle(pair.office, bundle, PASS)
        assert result.status == "applied", result.message
        assert rows_of(pair.office, "households") == rows_of(pair.commune, "households")
        # the import's automatic safety copy went beside the database, in the Vietnamese folder
        assert [p.parent for p in backup.list_backups(pair.office.path)] == [profile / "backups"]
        chosen = backup.backup_database(pair.office.conn, pair.office.path, reason="thu-cong",
                                        folder=usb / "Sao lưu của xã", keep=None)
        assert chosen.parent == usb / "Sao lưu của xã" and chosen.stat().st_size > 0
        expected = rows_of(pair.office, "households")
    finally:
        pair.commune.close()
        pair.office.close()

    # A database whose own name has Vietnamese letters and spaces, held with its lock file.
    named = profile / "Dữ liệu phòng Lao động.sqlite"
    store = make_store(named, "aggregator", OFFICE, None)
    assert lock_path(named).name == "Dữ liệu phòng Lao động.sqlite.lock"
    store.close()
    safety = backup.restore_database(chosen, named)
    assert safety.parent == profile / "backups" and safety.name.startswith("Dữ liệu phòng Lao động-")
    with open_db(named, create=False, lock=True) as restored:
        assert rows_of(restored, "households") == expected
