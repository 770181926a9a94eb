"""The command line never prints a traceback: the real `cannngheo` and `cannngheo-desktop LỆNH`
in a subprocess, with their output pipe closed early and with a hostile input file that makes
the code fail in a way no command handles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cannngheo_desktop import cli
from cannngheo_desktop.storage import cipher, encryption, installation, open_db

ENTRIES = {"cannngheo": "cannngheo_desktop.cli", "cannngheo-desktop": "cannngheo_desktop"}


PASSWORD = "so-tay-can-bo-2026"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database as `cannngheo init` makes it: encrypted, unlocked by the admin's password."""
    path = tmp_path / "xa.sqlite"
    new = encryption.prepare_new_database(path)
    with open_db(path, user="quantri", key=new.key) as store:
        installation.initialize(store, role="commune", unit_code="00640", receiving_unit_code="020",
                                admin_name="quantri", admin_password=PASSWORD)
    cipher.forget(path)
    (tmp_path / "pw.txt").write_text(PASSWORD + "\n", encoding="utf-8")
    return path


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["CANNGHEO_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    return env


@pytest.mark.skipif(os.name == "nt", reason="Windows reports a write to a closed pipe as EINVAL, not EPIPE")
@pytest.mark.parametrize("entry", sorted(ENTRIES))
def test_output_into_a_closed_pipe_exits_quietly(entry, db, tmp_path):
    """`cannngheo rulesets show VN-2027 | head` where head has already gone: exit 141, stderr empty."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte is written
    try:
        result = subprocess.run(
            [sys.executable, "-m", ENTRIES[entry], "rulesets", "show", "VN-2027", "--db", str(db),
             "--passphrase-file", str(tmp_path / "pw.txt")],
            stdout=write_end, stderr=subprocess.PIPE, env=_env(tmp_path / "data"), cwd=tmp_path,
            timeout=120, check=False)
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr.decode("utf-8")) == (cli.EXIT_BROKEN_PIPE, "")


@pytest.mark.parametrize("entry", sorted(ENTRIES))
def test_an_unexpected_error_is_one_line_and_the_traceback_goes_to_the_log(entry, tmp_path):
    """A household file nested 100,000 deep makes the JSON reader give up (RecursionError): no
    command expects that, so it reaches the last line of defence."""
    hostile = tmp_path / "ho.json"
    hostile.write_text("[" * 100_000, encoding="utf-8")
    data = tmp_path / "data"
    result = subprocess.run([sys.executable, "-m", ENTRIES[entry], "evaluate", "--ruleset", "VN-2022", str(hostile)],
                            capture_output=True, text=True, encoding="utf-8", env=_env(data), cwd=tmp_path,
                            timeout=120, check=False)
    log_file = data / "logs" / "cannngheo.log"
    assert result.returncode == cli.EXIT_UNEXPECTED
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Lỗi ngoài dự kiến, lệnh chưa hoàn tất. Chi tiết đã ghi vào nhật ký {log_file}; "
        "hãy gửi tệp này khi báo lỗi."]
    logged = log_file.read_text(encoding="utf-8")
    assert "Lỗi ngoài dự kiến ở dòng lệnh" in logged
    assert "Traceback (most recent call last)" in logged and "RecursionError" in logged
