"""Shared test harness: Qt draws offscreen (set before any Qt import), each test gets its own data
folder (logs, default database) and, on request, a fresh database file in tmp_path."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before pytest-qt imports PySide6

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ADMIN = "quantri"
ADMIN_PASSWORD = "so-tay-can-bo-2026"


# The whole suite runs on encrypted databases (issue 16): every database a test creates without an
# explicit key is encrypted with this run's key (storage/cipher.set_key_for_new_files), exactly as
# the window and the command line encrypt theirs with the key of the file's own key slots.
# CANNGHEO_TEST_PLAIN=1 runs the suite on plain SQLite files instead, to compare.
ENCRYPTED = os.environ.get("CANNGHEO_TEST_PLAIN") != "1"


# scrypt at N = 2^17 costs about half a second and 128 MiB per password: creating a thousand test
# databases with it would take most of the CI budget. The suite writes new key slots and user
# password hashes at N = 2^14 (the stored parameters say so, and reading honours them); tests that
# check the real cost ask for the ``production_kdf`` fixture. Key passphrases take their cost
# explicitly (exchange.keys.KdfParams) and are not affected.
TEST_SCRYPT_N = 2**14


@pytest.fixture(autouse=True, scope="session")
def cheap_kdf_for_the_suite() -> Iterator[None]:
    from cannngheo_desktop.storage import keyslots

    real = keyslots.SCRYPT_N
    keyslots.SCRYPT_N = TEST_SCRYPT_N
    yield
    keyslots.SCRYPT_N = real


@pytest.fixture
def production_kdf() -> Iterator[int]:
    """The real cost of key slots and password hashes (N = 2^17) for one test."""
    from cannngheo_desktop.storage import keyslots

    keyslots.SCRYPT_N = 2**17
    yield keyslots.SCRYPT_N
    keyslots.SCRYPT_N = TEST_SCRYPT_N


@pytest.fixture(autouse=True, scope="session")
def encrypted_databases() -> Iterator[bytes | None]:
    from cannngheo_desktop.storage import cipher

    key = cipher.new_key() if ENCRYPTED else None
    cipher.set_key_for_new_files(key)
    yield key
    cipher.set_key_for_new_files(None)


# A child process (the command line, a second app copy) knows no key: these run it with the suite's
# key for files made without key slots, exactly as this process opens them.
CHILD_PRELUDE = ("import os, sys\n"
                 "from cannngheo_desktop.storage import cipher\n"
                 "if os.environ.get('CANNGHEO_TEST_KEY'):\n"
                 "    cipher.set_key_for_new_files(bytes.fromhex(os.environ['CANNGHEO_TEST_KEY']))\n")
CHILD_CLI = CHILD_PRELUDE + "from cannngheo_desktop.cli import main\nsys.exit(main(sys.argv[1:]))\n"


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    from cannngheo_desktop.storage import cipher

    out = dict(os.environ if env is None else env)
    key = cipher.key_for_new_file()
    if key is not None:
        out["CANNGHEO_TEST_KEY"] = key.hex()
    return out


def raw_connect(path: Path | str, **kwargs):
    """A bare connection to a database file a test made (keyed when the suite encrypts)."""
    from cannngheo_desktop.storage import cipher
    from cannngheo_desktop.storage.driver import sqlite3

    conn = sqlite3.connect(path, **kwargs)
    key = cipher.recall(path) or cipher.key_for_new_file()
    if key is not None and Path(path).exists() and Path(path).stat().st_size and not cipher.is_plain_file(Path(path)):
        cipher.apply_key(conn, key)
    elif key is not None and not (Path(path).exists() and Path(path).stat().st_size):
        cipher.apply_key(conn, key)
    return conn


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Logs and the default database go to a per-test folder, never the real user profile."""
    folder = tmp_path_factory.mktemp("appdata")
    monkeypatch.setenv("CANNGHEO_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def admin_login() -> tuple[str, str]:
    """(name, password) of the administrator in ``installed_store``."""
    return ADMIN, ADMIN_PASSWORD


@pytest.fixture
def fresh_store(tmp_path: Path) -> Iterator:
    """An empty, migrated database file (no installation yet), closed after the test."""
    from cannngheo_desktop.storage import open_db

    store = open_db(tmp_path / "fresh.sqlite", user="tester")
    yield store
    store.close()


@pytest.fixture
def installed_store(tmp_path: Path) -> Iterator:
    """A database set up as the receiving office of Thanh Trì (020), admin ADMIN/ADMIN_PASSWORD,
    holding the session lock like the window does."""
    from cannngheo_desktop.storage import installation, open_db

    store = open_db(tmp_path / "office.sqlite", lock=True, user=ADMIN)
    installation.initialize(store, role="aggregator", unit_code="020", receiving_unit_code=None,
                            admin_name=ADMIN, admin_password=ADMIN_PASSWORD)
    yield store
    store.close()
