"""The storage layer's promises: migrations, one audited write path, no hard deletes, folded
search, and bad or busy files refused with a Vietnamese message and the file unchanged."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import openpyxl
import pytest

import cannngheo_desktop
from cannngheo_desktop.core.errors import DatabaseError, DatabaseLockedError
from cannngheo_desktop.storage import db as dbmod
from cannngheo_desktop.storage import households as hh
from cannngheo_desktop.storage import repo
from cannngheo_desktop.storage.db import APPLICATION_ID, SCHEMA_VERSION, open_db
from cannngheo_desktop.storage.driver import sqlite3
from tests.conftest import CHILD_PRELUDE, child_env, raw_connect
from tests.storage.file_states import read_only

PACKAGE_DIR = Path(cannngheo_desktop.__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent


@pytest.fixture
def store(tmp_path: Path):
    s = open_db(tmp_path / "data.sqlite", user="canbo")
    yield s
    s.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _counts(store) -> dict[str, int]:
    return {t: store.scalar(f"SELECT count(*) FROM {t}")
            for t in ("households", "members", "audit_log", "changes", "household_fts")}


def _add(store, name: str = "Nguyễn Văn An", **extra) -> str:
    members = [{"full_name": name, "relation": "head", "birth_date": "1970-05-01", "cccd": "001070012345"},
               {"full_name": "Trần Thị Hoà", "relation": "spouse", "birth_date": "1972-02-03"}]
    return hh.add_household(store, {"unit_code": "10150", "village": "Thôn Đông", **extra}, members)


def _closed_current_file(path: Path) -> Path:
    open_db(path).close()
    assert not Path(f"{path}-wal").exists()
    return path


# --- migrations ---------------------------------------------------------------------------------
def test_migrates_a_new_and_an_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.sqlite").write_bytes(b"")
    for path in (tmp_path / "new.sqlite", tmp_path / "empty.sqlite"):
        with open_db(path) as s:
            assert s.schema_version() == SCHEMA_VERSION >= 1
            assert s.scalar("PRAGMA application_id") == APPLICATION_ID
            assert s.scalar("PRAGMA journal_mode") == "wal"
            assert s.scalar("PRAGMA foreign_keys") == 1
            tables = {r[0] for r in s.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
            assert {"households", "members", "audit_log", "changes", "units", "plans", "bundles",
                    "support_actions", "assessments", "users", "settings"} <= tables
    assert not (tmp_path / "backups").exists(), "a brand-new file needs no backup"


def test_reopening_a_current_file_changes_nothing(tmp_path: Path) -> None:
    path = _closed_current_file(tmp_path / "v1.sqlite")
    with raw_connect(path) as raw:
        before = raw.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        stamp = raw.execute("SELECT value FROM settings WHERE key = 'schema_migrated_at'").fetchone()
    raw.close()
    digest = _digest(path)
    open_db(path).close()
    assert _digest(path) == digest
    with raw_connect(path) as raw:
        assert raw.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall() == before
        assert raw.execute("SELECT value FROM settings WHERE key = 'schema_migrated_at'").fetchone() == stamp
    raw.close()
    assert not (tmp_path / "backups").exists()


def test_a_real_v1_file_is_upgraded_with_its_rows_kept(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    if SCHEMA_VERSION == 1:
        pytest.skip("only schema v1 exists: nothing to upgrade yet")
    path = tmp_path / "cu.sqlite"
    with monkeypatch.context() as m:  # a copy of the app that only knew schema v1
        m.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:1])
        m.setattr(dbmod, "SCHEMA_VERSION", 1)
        with open_db(path, user="canbo") as s:
            assert s.schema_version() == 1
            hid = repo.insert(s, "households", {"unit_code": "10150", "village": "Thôn Đông",
                                                "head_name": "Nguyễn Văn An"})["id"]
            audit = s.scalar("SELECT count(*) FROM audit_log")
    with open_db(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert repo.get(s, "households", hid)["head_name"] == "Nguyễn Văn An"
        assert s.scalar("SELECT count(*) FROM audit_log") == audit
    copies = list((tmp_path / "backups").glob("cu-*truoc-nang-cap-v1.sqlite"))
    assert len(copies) == 1
    with raw_connect(copies[0]) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
        assert raw.execute("SELECT head_name FROM households").fetchall() == [("Nguyễn Văn An",)]
    raw.close()


def test_column_cache_never_mixes_up_two_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A closed connection's id() is reused by the next one: the cache must not be keyed by it."""
    for i in range(5):
        with monkeypatch.context() as m:  # a file of schema v1, opened by a v1-only copy
            m.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:1])
            m.setattr(dbmod, "SCHEMA_VERSION", 1)
            old = open_db(tmp_path / "v1.sqlite")
            v1_cols = repo.columns(old, "households")
            old.close()
            del old
        with open_db(tmp_path / f"now{i}.sqlite") as new:
            actual = tuple(r[1] for r in new.query("PRAGMA table_info(households)"))
            assert repo.columns(new, "households") == actual
            assert v1_cols == actual[:len(v1_cols)]


def test_upgrade_takes_a_backup_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _closed_current_file(tmp_path / "v1.sqlite")
    with open_db(path) as s:
        _add(s)
    nxt = SCHEMA_VERSION + 1
    monkeypatch.setattr(dbmod, "MIGRATIONS", [*dbmod.MIGRATIONS, (nxt, "CREATE TABLE extra (x TEXT);")])
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", nxt)
    with open_db(path) as s:
        assert s.schema_version() == nxt
        assert s.scalar("SELECT count(*) FROM extra") == 0
    copies = list((tmp_path / "backups").glob("v1-*.sqlite"))
    assert len(copies) == 1 and f"truoc-nang-cap-v{SCHEMA_VERSION}" in copies[0].name
    with raw_connect(copies[0]) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("SELECT count(*) FROM households").fetchone()[0] == 1
    raw.close()


def test_failed_migration_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _closed_current_file(tmp_path / "v1.sqlite")
    nxt = SCHEMA_VERSION + 1
    broken = "CREATE TABLE extra (x TEXT);\nINSERT INTO no_such_table VALUES (1);"
    monkeypatch.setattr(dbmod, "MIGRATIONS", [*dbmod.MIGRATIONS, (nxt, broken)])
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", nxt)
    with pytest.raises(DatabaseError):
        open_db(path)
    monkeypatch.undo()
    with open_db(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert s.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'extra'") == 0


# --- the audited write path ---------------------------------------------------------------------
def test_insert_writes_one_audit_entry_and_one_change_per_row(store) -> None:
    hid = _add(store)
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'insert'") == 3
    assert store.scalar("SELECT count(*) FROM changes") == 3
    row = hh.get_household(store, hid)
    assert (row["version"], row["updated_by"], row["deleted"], row["member_count"]) == (1, "canbo", 0, 2)
    assert row["head_name"] == "Nguyễn Văn An"
    assert store.query("SELECT version FROM changes WHERE row_id = ?", (hid,))[0][0] == 1


def test_update_audits_each_changed_field_once(store) -> None:
    hid = _add(store)
    audit0, changes0 = _counts(store)["audit_log"], _counts(store)["changes"]
    hh.update_household(store, hid, {"village": "Thôn Nam", "income_month": 2_500_000,
                                     "devices": ["tv", "phone"], "address": None})
    entries = store.query("SELECT action, field, before, after FROM audit_log WHERE id > ? ORDER BY id",
                          (audit0,))
    assert sorted(e["field"] for e in entries) == ["devices", "income_month", "village"]
    assert {e["action"] for e in entries} == {"update"}
    village = next(e for e in entries if e["field"] == "village")
    assert (village["before"], village["after"]) == ("Thôn Đông", "Thôn Nam")
    assert _counts(store)["changes"] == changes0 + 1
    last = store.query_one("SELECT table_name, row_id, version FROM changes ORDER BY seq DESC LIMIT 1")
    assert tuple(last) == ("households", hid, 2)
    assert hh.get_household(store, hid)["version"] == 2


def test_update_without_real_change_writes_nothing(store) -> None:
    hid = _add(store, income_month=1_000_000, is_merit=True)
    member = hh.get_members(store, hid)[0]
    before = _counts(store)
    nfd_village = unicodedata.normalize("NFD", "Thôn Đông")
    hh.update_household(store, hid, {"village": f"  {nfd_village} ", "income_month": 1_000_000,
                                     "is_merit": True})
    hh.update_member(store, member["id"], {"full_name": member["full_name"]})
    repo.update(store, "households", hid, {})
    assert _counts(store) == before
    assert hh.get_household(store, hid)["version"] == 1


def test_soft_delete_and_restore_are_audited_writes(store) -> None:
    hid = _add(store)
    member = hh.get_members(store, hid)[1]
    hh.remove_member(store, member["id"])
    row = repo.get(store, "members", member["id"])
    assert (row["deleted"], row["version"]) == (1, 2)
    assert store.scalar("SELECT count(*) FROM members") == 2, "soft delete keeps the row"
    assert hh.get_household(store, hid)["member_count"] == 1
    entries = store.query("SELECT action, field FROM audit_log WHERE row_id = ? AND action != 'insert'",
                          (member["id"],))
    assert [tuple(e) for e in entries] == [("delete", "deleted")]
    repo.restore(store, "members", member["id"])
    assert repo.get(store, "members", member["id"])["version"] == 3
    assert store.scalar("SELECT count(*) FROM changes WHERE row_id = ?", (member["id"],)) == 3


def test_failed_batch_writes_nothing(store) -> None:
    before = _counts(store)
    good = ({"unit_code": "10150"}, [{"full_name": "Lê Văn Bình", "relation": "head"}])
    bad = ({"unit_code": "10150"}, [{"relation": "head"}])  # full_name is required
    with pytest.raises(sqlite3.IntegrityError):
        hh.add_households(store, [good, bad])
    assert _counts(store) == before
    with pytest.raises(ValueError):
        repo.insert(store, "households", {"unit_code": "1", "no_such_column": 1})
    assert _counts(store) == before


# --- no hard deletes ----------------------------------------------------------------------------
def _synced_tables(store) -> list[str]:
    names = [r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [n for n in names if "deleted" in repo.columns(store, n)]


def test_triggers_refuse_delete_on_every_synced_table(store) -> None:
    hid = _add(store)
    synced = _synced_tables(store)
    assert {"households", "members", "plans", "units", "users"} <= set(synced)
    triggers = {r[0] for r in store.query("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                                          "AND sql LIKE '%BEFORE DELETE%'")}
    assert set(synced) | {"audit_log"} <= triggers
    for table in ("households", "members"):
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            store.conn.execute(f"DELETE FROM {table}")
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute("DELETE FROM audit_log")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE audit_log SET after = 'x'")
    assert hh.get_household(store, hid) is not None


_DELETE = re.compile(r"\bDELETE\s+FROM\s+([\w{}\"\[\]]+)", re.IGNORECASE)
# Tables that are not data rows (none today: the search index follows rows by triggers).
# bundle_pieces hold a waiting bundle's file (migration 0009); they are released with it, and the
# bundle's own row, status and audit stay.
# member_fts, member_cccd_fts, household_code_fts: contentless search indexes (migration 0010) whose
# entries triggers delete and re-insert when a member or code changes; no data row is ever deleted.
_MAY_DELETE: set[str] = {"bundle_pieces", "member_fts", "member_cccd_fts", "household_code_fts"}


def test_no_hard_delete_path_in_the_code() -> None:
    offenders = []
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.suffix not in {".py", ".sql"} or "forms" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for match in _DELETE.finditer(text):
            if match.group(1).strip('"[]').lower() not in _MAY_DELETE:
                offenders.append(f"{path.relative_to(REPO_ROOT)}: {match.group(0)}")
        for needle in (".delete_where(", ".delete("):
            if needle in text:
                offenders.append(f"{path.relative_to(REPO_ROOT)}: {needle}")
    assert offenders == []


# --- search -------------------------------------------------------------------------------------
def test_search_folds_tone_marks_d_and_case(store) -> None:
    an = _add(store, "Nguyễn Văn An")
    dang = _add(store, "Đặng Thị Ngọc Ánh")
    tran = _add(store, "Trần Văn Đức")
    assert hh.search_ids(store, "nguyen van an") == [an]
    assert hh.search_ids(store, "NGUYỄN VĂN AN") == [an]
    assert set(hh.search_ids(store, "dang")) == {dang}
    assert set(hh.search_ids(store, "Đặng")) == {dang}
    assert set(hh.search_ids(store, "duc")) == {tran}
    assert set(hh.search_ids(store, "hoa")) == {an, dang, tran}  # the spouse Trần Thị Hoà
    assert hh.search_ids(store, "001070012345")  # the head's CCCD
    assert hh.search_ids(store, "pham") == []
    assert hh.search_ids(store, "le van") == []
    assert hh.search_ids(store, "   ") == []


def test_decomposed_input_is_stored_as_nfc_and_found(store) -> None:
    nfd = unicodedata.normalize("NFD", "Lương Văn Hưởng")
    assert nfd != "Lương Văn Hưởng"
    hid = _add(store, nfd, village=unicodedata.normalize("NFD", "Thôn Đoài"))
    member = hh.get_members(store, hid)[0]
    assert member["full_name"] == "Lương Văn Hưởng"
    assert hh.get_household(store, hid)["village"] == "Thôn Đoài"
    assert hh.get_household(store, hid)["head_name"] == "Lương Văn Hưởng"
    assert hh.search_ids(store, "huong") == [hid]
    hh.update_member(store, member["id"], {"full_name": "Phạm Văn Hưng"})
    assert hh.search_ids(store, "huong") == []
    assert hh.search_ids(store, "pham hung") == [hid]


def test_bulk_search_key_matches_the_single_row_rule(store) -> None:
    """add_households folds piece by piece for speed; it must store what refresh_derived would."""
    members = [{"full_name": unicodedata.normalize("NFD", "  Đỗ   Thị Hồng "), "relation": "head",
                "cccd": "001180000001"},
               {"full_name": "Bùi Văn Tiến-Dũng", "relation": "child"}, {"full_name": "", "relation": "other"}]
    household = {"unit_code": "10150", "household_code": "HN/2023-07", "village": "",
                 "address": "Số 5, ngõ 12 đường Ngọc Hồi"}
    hid = hh.add_household(store, household, members)
    stored = hh.get_household(store, hid)["search_key"]
    assert stored == hh.household_search_text(hh.get_household(store, hid), hh.get_members(store, hid))
    assert stored == hh.household_search_text({**household, "head_name": "Đỗ Thị Hồng"}, members)
    before = _counts(store)["changes"]
    hh.refresh_derived(store, hid)
    assert _counts(store)["changes"] == before, "recomputing the same search key is no change"


# --- bad, foreign, newer, read-only, locked and full files ---------------------------------------
def _refused(path: Path, words: str) -> None:
    before = _digest(path)
    siblings = set(path.parent.iterdir())
    with pytest.raises(DatabaseError) as info:
        open_db(path, lock=True)
    assert words in info.value.message and str(path) in info.value.message
    assert _digest(path) == before
    # Only the (empty) session-lock file may stay: no -wal/-shm, no holder note, no backup.
    left = {p.name for p in set(path.parent.iterdir()) - siblings}
    assert left <= {path.name + ".lock"}, left


def test_text_file_renamed_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ghichu.sqlite"
    path.write_text("Danh sách hộ cận nghèo\n", encoding="utf-8")
    _refused(path, "không phải cơ sở dữ liệu")


def test_random_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "hong.sqlite"
    path.write_bytes(os.urandom(8192))
    _refused(path, "không phải cơ sở dữ liệu")


def test_database_of_another_app_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "khac.sqlite"
    raw = raw_connect(path)
    raw.execute("CREATE TABLE contacts (name TEXT)")
    raw.execute("INSERT INTO contacts VALUES ('x')")
    raw.commit()
    raw.close()
    _refused(path, "chương trình khác")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = _closed_current_file(tmp_path / "moi.sqlite")
    raw = raw_connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    raw.close()
    _refused(path, "phiên bản Cận Nghèo Desktop mới hơn")


def _reads_exports_and_refuses_writes(path: Path, tmp_path: Path) -> None:
    from cannngheo_desktop import cli
    from cannngheo_desktop.registry.excel_export import export_households
    from cannngheo_desktop.registry.queries import ListQuery

    with open_db(path, lock=True, user="canbo") as store:
        assert store.readonly
        assert _counts(store)["households"] == 1 and hh.search_ids(store, "nguyen van an")
        out = tmp_path / "xuat.xlsx"
        assert export_households(store, ListQuery(), out) == 1
        names = {r[9] for r in openpyxl.load_workbook(out).active.iter_rows(min_row=4, values_only=True)}
        assert "Nguyễn Văn An" in names
        with pytest.raises(DatabaseError) as info:
            _add(store, "Lê Văn Bình")
        assert "đang mở ở chế độ chỉ đọc" in info.value.message and str(path) in info.value.message
        assert "không lưu được thay đổi" in info.value.message
        assert _counts(store)["households"] == 1
    # The command line opens it the same way: export works, a write is one Vietnamese line.
    assert cli.main(["export-excel", "--db", str(path), "--out", str(tmp_path / "dong-lenh.xlsx")]) == 0
    assert cli.main(["assess", "--db", str(path), "--ruleset", "VN-2022", "--save"]) == 1


def test_read_only_file_opens_for_reading_and_export_and_refuses_writes(tmp_path: Path, capsys) -> None:
    path = _closed_current_file(tmp_path / "chidoc.sqlite")
    with open_db(path) as store:
        _add(store)
    before = _digest(path)
    with read_only(path):
        assert not os.access(path, os.W_OK)  # as the app sees it, whoever runs the test
        _reads_exports_and_refuses_writes(path, tmp_path)
        assert "chế độ chỉ đọc" in capsys.readouterr().err
    assert _digest(path) == before


def test_read_only_medium_opens_without_side_files_and_refuses_writes(tmp_path: Path, capsys) -> None:
    """A read-only mount (a locked USB stick, a CD) stops root too: SQLite cannot make the -shm file
    WAL reading needs, so the file is opened immutable. Needs permission to mount, else skipped."""
    mnt = tmp_path / "usb"
    mnt.mkdir()
    if shutil.which("mount") is None or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)],
                                                       capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)")
    try:
        path = _closed_current_file(mnt / "usb.sqlite")
        with open_db(path) as store:
            _add(store)
        before = _digest(path)
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True, capture_output=True)
        _reads_exports_and_refuses_writes(path, tmp_path)
        assert "chế độ chỉ đọc" in capsys.readouterr().err
        assert _digest(path) == before
        assert [p.name for p in mnt.iterdir()] == ["usb.sqlite"]  # no -wal, -shm or lock file
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


_HOLDER = CHILD_PRELUDE + """
import sys
from cannngheo_desktop.storage.db import open_db
s = open_db(sys.argv[1], lock=True, user="Nguyễn Thị Mai")
print("ready", flush=True)
sys.stdin.read()
s.close()
"""


def test_second_copy_is_told_who_holds_the_file(tmp_path: Path) -> None:
    path = _closed_current_file(tmp_path / "chung.sqlite")
    env = child_env({**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONIOENCODING": "utf-8"})
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseLockedError) as info:
            open_db(path, lock=True, user="canbo")
        assert "Nguyễn Thị Mai" in info.value.message and str(path) in info.value.message
        assert info.value.holder["pid"] == proc.pid
    finally:
        proc.stdin.close()
        proc.wait(timeout=20)
    open_db(path, lock=True).close()  # released when the holder closes (or dies)


def test_write_while_another_connection_writes_is_a_clear_error(store) -> None:
    other = raw_connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        store.conn.execute("PRAGMA busy_timeout = 50")
        with pytest.raises(DatabaseError, match="đang bị một chương trình khác khóa"):
            _add(store)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _counts(store)["households"] == 0


def test_disk_full_leaves_the_database_unchanged(store) -> None:
    _add(store)
    before = _counts(store)
    pages = store.scalar("PRAGMA page_count")
    store.conn.execute(f"PRAGMA max_page_count = {pages}")  # the "disk" has no room left
    batch = [({"unit_code": "10150", "address": f"Số {i} đường Ngọc Hồi " * 20},
              [{"full_name": f"Hoàng Văn Toàn {i}", "relation": "head"}]) for i in range(300)]
    with pytest.raises(DatabaseError) as info:
        hh.add_households(store, batch)
    assert "đã đầy" in info.value.message and str(store.path) in info.value.message
    assert _counts(store) == before
    store.conn.execute("PRAGMA max_page_count = 1073741823")
    hh.add_households(store, batch[:2])  # the store stays usable once there is room
    assert _counts(store)["households"] == before["households"] + 2


def _count(store) -> int:
    return store.scalar("SELECT count(*) FROM households")


def test_a_caught_failure_after_a_nested_write_rolls_everything_back(tmp_path: Path) -> None:
    """Nested writes join the outer transaction (no SAVEPOINT). A nested block that changed rows
    and then failed dooms the transaction even when its caller catches the error: nothing of it
    reaches the file, and the user gets a Vietnamese message."""
    path = tmp_path / "data.sqlite"
    store = open_db(path, user="canbo")
    hh.add_household(store, {"unit_code": "020"}, [{"full_name": "Trước Đó", "relation": "head"}])
    before = _count(store)
    with pytest.raises(DatabaseError, match="mọi thay đổi của lần này đã được hủy"):
        with store.transaction():
            hh.add_household(store, {"unit_code": "020"}, [{"full_name": "Nguyễn Văn Một", "relation": "head"}])
            try:
                with store.transaction():
                    hh.add_household(store, {"unit_code": "020"}, [{"full_name": "Lê Văn Hai", "relation": "head"}])
                    raise ValueError("a check after the write")
            except ValueError:
                pass  # caught and ignored: the commit must still be refused
    assert _count(store) == before and not store.in_transaction
    store.close()
    with open_db(path, user="canbo") as again:  # as it is on disk
        assert _count(again) == before


def test_a_caught_failure_before_any_nested_write_keeps_the_transaction(store) -> None:
    """A nested block that fails before writing (a validation) leaves the outer work usable."""
    with store.transaction():
        hh.add_household(store, {"unit_code": "020"}, [{"full_name": "Nguyễn Văn Một", "relation": "head"}])
        try:
            with store.transaction():
                raise ValueError("refused before writing")
        except ValueError:
            pass
        hh.add_household(store, {"unit_code": "020"}, [{"full_name": "Lê Văn Hai", "relation": "head"}])
    assert _count(store) == 2


def test_a_bulk_load_inside_a_transaction_opens_no_savepoint(store) -> None:
    """Under SQLCipher's in-memory statement journal an open SAVEPOINT made every statement walk
    the journal (a bulk load grew quadratic); the write path must not open one (timings are
    measured in bench/, this checks the statements sent)."""
    sent: list[str] = []
    store.conn.set_trace_callback(sent.append)
    try:
        with store.transaction():
            hh.add_households(store, [({"unit_code": "020"}, [{"full_name": f"Hộ {i}", "relation": "head"}])
                                      for i in range(20)])
    finally:
        store.conn.set_trace_callback(None)
    assert any(s.startswith("BEGIN") for s in sent) and any(s.startswith("INSERT") for s in sent)
    assert not [s for s in sent if "SAVEPOINT" in s.upper()]
    assert _count(store) == 20
