"""The command line, as a cadre would type it: init, keys, cards, export, import, verify."""

from __future__ import annotations

from pathlib import Path

import pytest

from cannngheo_desktop import cli
from tests.exchange.bundle_helpers import entries, rezip


@pytest.fixture
def run(monkeypatch, capsys):
    # only the commands this test needs (others are registered by their own modules)
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("init", "keys", "bundle"))

    def call(*argv: str) -> tuple[int, str]:
        code = cli.main([str(a) for a in argv])
        out = capsys.readouterr()
        return code, out.out + out.err
    return call


def _read_out(result: tuple[int, str]) -> str:
    """The fingerprint `keys card` prints: what a unit reads to the other over the phone."""
    code, out = result
    assert code == 0, out
    return out.split("Dấu vân tay: ")[1].splitlines()[0]


def test_two_copies_exchange_bundles_from_the_command_line(run, tmp_path: Path):
    secret = tmp_path / "pass.txt"
    secret.write_text("cum-mat-khau-1\n", encoding="utf-8")
    xa, phong, usb = tmp_path / "xa.sqlite", tmp_path / "phong.sqlite", tmp_path / "usb"
    usb.mkdir()
    assert run("init", "--on", "01/06/2024", "--db", xa, "--role", "commune", "--unit", "00640", "--receiving-unit", "020",
               "--admin", "canbo", "--password-file", secret)[0] == 0
    assert run("init", "--on", "01/06/2024", "--db", phong, "--role", "aggregator", "--unit", "020", "--admin", "canbo",
               "--password-file", secret)[0] == 0
    for db in (xa, phong):
        code, out = run("keys", "init", "--db", db, "--passphrase-file", secret)
        assert code == 0 and "Dấu vân tay" in out
    xa_fp = _read_out(run("keys", "card", "--db", xa, "--out", tmp_path / "xa.json", "--pdf", tmp_path / "xa.pdf"))
    phong_fp = _read_out(run("keys", "card", "--db", phong, "--out", tmp_path / "phong.json"))
    assert (tmp_path / "xa.pdf").stat().st_size > 1000
    code, out = run("keys", "trust", "--db", phong, tmp_path / "xa.json", "--yes")  # no fingerprint: refused
    assert code == 1 and "--fingerprint" in out and xa_fp in out
    code, out = run("keys", "trust", "--db", phong, tmp_path / "xa.json", "--fingerprint", xa_fp)
    assert code == 0 and "00640" in out
    assert run("keys", "trust", "--db", xa, tmp_path / "phong.json", "--fingerprint", phong_fp)[0] == 0
    code, out = run("keys", "list", "--db", phong)
    assert "00640" in out and "tin cậy" in out
    code, out = run("bundle", "export", "--db", xa, "--period", "2026-01", "--out", usb,
                    "--passphrase-file", secret)
    assert code == 0, out
    first = usb / "00640-2026-01-1.cnb"
    assert run("bundle", "export", "--db", xa, "--period", "2026-02", "--out", usb,
               "--passphrase-file", secret)[0] == 0
    second = usb / "00640-2026-02-2.cnb"
    code, out = run("bundle", "verify", first, "--card", tmp_path / "xa.json")
    assert code == 0 and "Chữ ký hợp lệ" in out
    assert run("bundle", "verify", first, "--db", phong)[0] == 0
    code, out = run("bundle", "import", "--db", phong, second, "--passphrase-file", secret)
    assert code == 3 and "thiếu gói số 1" in out
    code, out = run("bundle", "import", "--db", phong, first, "--dry-run", "--passphrase-file", secret)
    assert code == 0 and "next" in out
    code, out = run("bundle", "import", "--db", phong, first, "--passphrase-file", secret)
    assert code == 0 and "đã nhập gói số 1" in out and "đã nhập gói số 2" in out
    code, out = run("bundle", "import", "--db", phong, usb, "--passphrase-file", secret)
    assert code == 0 and "đã nhập trước đó" in out and "bỏ qua" in out  # receipts are not for the office
    receipts = sorted(usb.glob("bien-nhan-*.cnb"))
    assert len(receipts) == 2
    code, out = run("bundle", "import", "--db", xa, *receipts, "--passphrase-file", secret)
    assert code == 0 and "biên nhận hợp lệ" in out
    parts = entries(first)
    broken = rezip(first, tmp_path / "hong.cnb", {"manifest.sig": bytes(64)})
    code, out = run("bundle", "import", "--db", phong, broken, "--passphrase-file", secret)
    assert code == 4 and "hong.cnb" in out and "chữ ký" in out
    assert run("bundle", "verify", broken, "--db", phong)[0] == 4
    assert len(parts) == 3


def test_a_refused_waiting_bundle_makes_the_import_exit_4_after_applying_the_file(run, tmp_path: Path):
    from tests.conftest import raw_connect

    secret = tmp_path / "pass.txt"
    secret.write_text("cum-mat-khau-1\n", encoding="utf-8")
    xa, phong, usb, again = tmp_path / "xa.sqlite", tmp_path / "phong.sqlite", tmp_path / "usb", tmp_path / "lai"
    usb.mkdir()
    again.mkdir()
    run("init", "--on", "01/06/2024", "--db", xa, "--role", "commune", "--unit", "00640", "--receiving-unit", "020",
        "--admin", "canbo", "--password-file", secret)
    run("init", "--on", "01/06/2024", "--db", phong, "--role", "aggregator", "--unit", "020", "--admin", "canbo", "--password-file", secret)
    fps = {}
    for db, card in ((xa, "xa.json"), (phong, "phong.json")):
        run("keys", "init", "--db", db, "--passphrase-file", secret)
        fps[card] = _read_out(run("keys", "card", "--db", db, "--out", tmp_path / card))
    run("keys", "trust", "--db", phong, tmp_path / "xa.json", "--fingerprint", fps["xa.json"])
    run("keys", "trust", "--db", xa, tmp_path / "phong.json", "--fingerprint", fps["phong.json"])
    for period in ("2026-01", "2026-02"):
        assert run("bundle", "export", "--db", xa, "--period", period, "--out", usb, "--passphrase-file", secret)[0] == 0
    assert run("bundle", "import", "--db", phong, usb / "00640-2026-02-2.cnb", "--passphrase-file", secret)[0] == 3
    raw = raw_connect(xa)  # the commune goes back to an older copy: its number 1 is another one
    raw.execute("DELETE FROM bundles")
    raw.execute("DELETE FROM settings WHERE key = 'locked_period'")
    raw.commit()
    raw.close()
    assert run("bundle", "export", "--db", xa, "--period", "2026-01", "--out", again, "--passphrase-file", secret)[0] == 0
    code, out = run("bundle", "import", "--db", phong, again / "00640-2026-01-1.cnb", "--passphrase-file", secret)
    assert code == 4
    assert "đã nhập gói số 1" in out and "Gói số 2 đang chờ không nhập được" in out and "rẽ nhánh" in out
