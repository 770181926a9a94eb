"""Issue 7 "Done when", end to end from the command line: a commune and its office set up as new
users would, exchange key cards, the commune sends three months of bundles (one imported twice,
one out of order), and at the end the office holds the commune's household data, the commune
holds the receipts (its bundles acknowledged) and the completeness grids tell the truth."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from cannngheo_desktop import cli
from cannngheo_desktop.exchange import completeness, payload
from cannngheo_desktop.storage import households, open_db
from tests.exchange.bundle_helpers import COMMUNE, OFFICE, entries


@pytest.fixture
def run(monkeypatch, capsys):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("init", "keys", "bundle"))

    def call(*argv: object) -> tuple[int, str]:
        code = cli.main([str(a) for a in argv])
        out = capsys.readouterr()
        return code, out.out + out.err
    return call


def _household(code: str, head: str) -> tuple[dict, list[dict]]:
    return ({"unit_code": COMMUNE, "village": "Thôn Đông", "household_code": code, "income_month": 1_800_000,
             "devices": ["tv"], "floor_area_m2": 0.1 + 0.2},
            [{"full_name": head, "relation": "head", "birth_date": "1975-03-02", "has_health_insurance": True},
             {"full_name": f"{head} con", "relation": "child", "birth_date": "2010-07-09"}])


def _dump(db: Path) -> dict[str, list[dict]]:
    store = open_db(db, user="kiemtra")
    try:
        return {t: [dict(r) for r in store.query(f"SELECT * FROM {t} WHERE unit_code = ? ORDER BY id", (COMMUNE,))]
                for t in payload.UPWARD_TABLES}
    finally:
        store.close()


def _edit(db: Path, work) -> None:
    store = open_db(db, user="canbo")
    try:
        work(store)
    finally:
        store.close()


def test_three_months_between_two_new_copies(run, tmp_path: Path):
    secret = tmp_path / "pass.txt"
    secret.write_text("cum-mat-khau-1\n", encoding="utf-8")
    xa, phong, usb = tmp_path / "xa.sqlite", tmp_path / "phong.sqlite", tmp_path / "usb"
    usb.mkdir()
    assert run("init", "--on", "01/06/2024", "--db", xa, "--role", "commune", "--unit", COMMUNE, "--receiving-unit", OFFICE,
               "--admin", "canbo", "--password-file", secret)[0] == 0
    assert run("init", "--on", "01/06/2024", "--db", phong, "--role", "aggregator", "--unit", OFFICE, "--admin", "canbo",
               "--password-file", secret)[0] == 0
    read_out = {}  # the fingerprint each side reads to the other over the phone
    for db, card in ((xa, "xa.json"), (phong, "phong.json")):
        assert run("keys", "init", "--db", db, "--passphrase-file", secret)[0] == 0
        code, out = run("keys", "card", "--db", db, "--out", tmp_path / card)
        assert code == 0
        read_out[card] = out.split("Dấu vân tay: ")[1].splitlines()[0]
    assert run("keys", "trust", "--db", phong, tmp_path / "xa.json", "--fingerprint", read_out["xa.json"])[0] == 0
    assert run("keys", "trust", "--db", xa, tmp_path / "phong.json", "--fingerprint", read_out["phong.json"])[0] == 0

    ids: list[str] = []
    _edit(xa, lambda s: ids.extend(households.add_households(s, [_household(f"H{i}", f"Nguyễn Văn {i}")
                                                                 for i in range(3)])))
    files = []

    def export(period: str) -> Path:
        code, out = run("bundle", "export", "--db", xa, "--period", period, "--out", usb, "--passphrase-file", secret)
        assert code == 0, out
        files.append(usb / f"{COMMUNE}-{period}-{len(files) + 1}.cnb")
        return files[-1]

    jan = export("2026-01")
    _edit(xa, lambda s: (households.update_household(s, ids[0], {"village": "Thôn Tây"}),
                         households.add_households(s, [_household("H9", "Trần Thị Bình")])))
    feb = export("2026-02")
    _edit(xa, lambda s: (households.add_member(s, ids[1], {"full_name": "Lê Văn Cường", "relation": "grandchild",
                                                          "birth_date": "2024-01-15"}),
                         households.update_household(s, ids[2], {"income_month": 2_100_000})))
    mar = export("2026-03")

    def office_import(path: Path) -> tuple[int, str]:
        return run("bundle", "import", "--db", phong, path, "--passphrase-file", secret)

    code, out = office_import(jan)
    assert code == 0 and "đã nhập gói số 1" in out
    code, out = office_import(jan)                       # the same stick imported twice
    assert code == 0 and "đã nhập trước đó" in out
    code, out = office_import(mar)                       # out of order: waits for number 2
    assert code == 3 and "thiếu gói số 2" in out
    assert _dump(phong) != _dump(xa)
    code, out = office_import(feb)                       # fills the gap, March follows
    assert code == 0 and "đã nhập gói số 2" in out and "đã nhập gói số 3" in out

    assert _dump(phong) == _dump(xa)
    assert sum(len(rows) for rows in _dump(xa).values()) > 10

    receipts = sorted(usb.glob("bien-nhan-*.cnb"))
    assert len(receipts) == 3
    code, out = run("bundle", "import", "--db", xa, *receipts, "--passphrase-file", secret)
    assert code == 0 and "biên nhận hợp lệ" in out
    commune = open_db(xa, user="kiemtra")
    office = open_db(phong, user="kiemtra")
    try:
        sent = [(r["sequence"], r["status"]) for r in commune.query(
            "SELECT sequence, status FROM bundles WHERE direction = 'out' ORDER BY sequence")]
        assert sent == [(1, "acknowledged"), (2, "acknowledged"), (3, "acknowledged")]
        today = date(2026, 12, 31)
        at_commune = completeness.completeness_grid(commune, 2026, today=today)
        later = {**{m: "missing" for m in range(4, 12)}, 12: ""}  # not sent, deadline passed / not due
        assert at_commune == {COMMUNE: {1: "received", 2: "received", 3: "received", **later}}
        # the truth at the office: on time or late by the sending date, later months missing
        truth = {}
        for month, path in enumerate(files, start=1):
            created = json.loads(entries(path)["manifest.json"])["created_at"]
            on_time = completeness.sent_date(created) <= completeness.deadline(2026, month)
            truth[month] = "received" if on_time else "late"
        at_office = completeness.completeness_grid(office, 2026, today=today)
        assert at_office == {COMMUNE: {**truth, **later}}
    finally:
        commune.close()
        office.close()
