"""A backup onto a full disk says so in Vietnamese — what happened, how much room it needs, what to
do — keeps SQLite's English text for the log, leaves no half copy and changes nothing.

The full disk is real: a tmpfs of 64 KiB mounted where the copy goes (root, as in CI); skipped
only where mounting is not permitted."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cannngheo_desktop.core.errors import DatabaseError
from cannngheo_desktop.registry import excel_import
from cannngheo_desktop.storage import installation, open_db
from cannngheo_desktop.storage.backup import backup_database
from tests.conftest import CHILD_CLI, child_env
from tests.registry.registry_fixtures import write_messy

ROOT = Path(__file__).resolve().parents[2]
UNIT = "00685"  # Xã Nam Phù, covered by the Thanh Trì office (020)
SQLITE_FULL = "database or disk is full"


@contextlib.contextmanager
def full_disk(folder: Path) -> Iterator[Path]:
    """``folder`` becomes a 64 KiB file system: far too small for a 0.5 MB database copy."""
    folder.mkdir(parents=True, exist_ok=True)
    geteuid = getattr(os, "geteuid", None)
    if shutil.which("mount") is None or geteuid is None or geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root on Linux")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        if any(w in done.stderr.lower() for w in ("permission denied", "not permitted", "superuser")):
            pytest.skip(f"mount is not permitted here: {done.stderr.strip()}")
        raise AssertionError(done.stderr)
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True, capture_output=True)


@pytest.fixture
def office(tmp_path: Path) -> Path:
    path = tmp_path / "office.sqlite"
    with open_db(path, user="quantri") as store:
        installation.initialize(store, role="aggregator", unit_code="020", receiving_unit_code=None,
                                admin_name="quantri", admin_password="so-tay-can-bo-2026")
    return path


def _state(path: Path) -> dict[str, int]:
    with open_db(path, create=False, readonly=True) as store:
        return {t: int(store.scalar(f"SELECT count(*) FROM {t}")) for t in ("households", "members", "audit_log")}


def _assert_told_in_vietnamese(message: str, folder: Path) -> None:
    assert message.startswith(f"Không sao lưu được: ổ đĩa chứa thư mục '{folder}' đã đầy (bản sao cần khoảng 1 MB)")
    assert "Hãy giải phóng dung lượng trên ổ đĩa đó" in message
    assert message.endswith("Cơ sở dữ liệu không bị thay đổi.")
    assert SQLITE_FULL not in message and "disk" not in message


def test_the_pre_import_backup_on_a_full_disk_stops_the_import_in_vietnamese(office: Path, tmp_path: Path) -> None:
    before = _state(office)
    with open_db(office, lock=True, user="quantri") as store:
        report = excel_import.dry_run(store, write_messy(tmp_path / "ds.xlsx", bad=False), UNIT)
        with full_disk(tmp_path / "backups") as backups, pytest.raises(DatabaseError) as info:
            excel_import.apply_import(store, report)
        _assert_told_in_vietnamese(info.value.message, backups)
        assert "chép tệp dữ liệu sang ổ đĩa còn trống" in info.value.message  # the automatic folder is fixed
        assert SQLITE_FULL in info.value.detail
        assert list(backups.iterdir()) == []  # no half-written copy left behind
    assert _state(office) == before


def test_a_backup_to_a_chosen_full_folder_says_choose_another(office: Path, tmp_path: Path) -> None:
    with open_db(office, user="quantri") as store, full_disk(tmp_path / "usb") as usb:
        with pytest.raises(DatabaseError) as info:
            backup_database(store.conn, store.path, reason="thu-cong", folder=usb, keep=None)
        _assert_told_in_vietnamese(info.value.message, usb)
        assert "chọn thư mục khác" in info.value.message
        assert list(usb.iterdir()) == []


def test_the_command_line_prints_the_vietnamese_message_and_logs_the_english(office: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = child_env({**os.environ, "CANNGHEO_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)})
    workbook = write_messy(tmp_path / "ds.xlsx", bad=False)
    with full_disk(tmp_path / "backups") as backups:
        result = subprocess.run([sys.executable, "-c", CHILD_CLI, "import-excel", "--db", str(office),
                                 str(workbook), "--unit", UNIT], capture_output=True, text=True, encoding="utf-8",
                                env=env, cwd=tmp_path, timeout=120, check=False)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("Lỗi: ")
    _assert_told_in_vietnamese(line.removeprefix("Lỗi: "), backups)
    assert SQLITE_FULL in (data / "logs" / "cannngheo.log").read_text(encoding="utf-8")
    assert _state(office)["households"] == 0
