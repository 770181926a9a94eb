"""Every bad input of issue 7 is refused with a Vietnamese message naming the file, and the
receiving database keeps exactly the same content."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from cannngheo_desktop.exchange import export, importer, keycard, roster
from cannngheo_desktop.exchange.errors import BundleError
from cannngheo_desktop.exchange.format import Limits
from cannngheo_desktop.storage import repo
from tests.exchange.bundle_helpers import (
    CHEAP,
    COMMUNE,
    PASS,
    data_dump,
    dump,
    entries,
    make_store,
    reseal,
    rezip,
)


@pytest.fixture
def good(pair) -> Path:
    pair.add_households(4, members=2)
    return export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)


def refused(store, path: Path, *words: str, passphrase: str = PASS, **kw) -> str:
    before = dump(store)
    with pytest.raises(BundleError) as err:
        importer.apply_bundle(store, path, passphrase, **kw)
    assert dump(store) == before, "a refused bundle changed the database"
    message = err.value.message
    assert path.name in message
    for word in words:
        assert word in message, message
    return message


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def test_flipped_byte_in_payload(pair, good):
    parts = entries(good)
    bad = rezip(good, pair.tmp / "p.cnb", {"payload.bin": _flip(parts["payload.bin"], 100)})
    refused(pair.office, bad, "mã băm")


def test_flipped_byte_in_manifest(pair, good):
    parts = entries(good)
    text = parts["manifest.json"].replace(b'"period": "2026-01"', b'"period": "2026-02"')
    assert text != parts["manifest.json"]
    refused(pair.office, rezip(good, pair.tmp / "m.cnb", {"manifest.json": text}), "chữ ký")


def test_flipped_byte_in_signature(pair, good):
    parts = entries(good)
    bad = rezip(good, pair.tmp / "s.cnb", {"manifest.sig": _flip(parts["manifest.sig"], 7)})
    refused(pair.office, bad, "chữ ký")


def test_bundle_for_another_recipient(pair, good):
    other = make_store(pair.tmp / "khac.sqlite", "aggregator", "00643", None)
    keycard.write_card(keycard.own_card(pair.commune), pair.tmp / "c.json")
    roster.trust_card(other, pair.tmp / "c.json")
    refused(other, good, "không phải đơn vị này")
    other.close()


def test_unknown_sender_key(pair, good):
    stranger = make_store(pair.tmp / "la.sqlite", "commune", COMMUNE, "020")
    keycard.write_card(keycard.own_card(pair.office), pair.tmp / "o.json")
    roster.trust_card(stranger, pair.tmp / "o.json")
    out = pair.tmp / "la"
    out.mkdir()
    forged = export.export_bundle(stranger, "2026-01", out, PASS)
    refused(pair.office, forged, "khóa lạ")
    stranger.close()


def test_revoked_sender_key(pair, good):
    card = keycard.own_card(pair.commune)
    roster.revoke(pair.office, card.display_fingerprint)
    refused(pair.office, good, "thu hồi")


def test_wrong_passphrase(pair, good):
    before = data_dump(pair.office)
    with pytest.raises(BundleError) as err:
        importer.apply_bundle(pair.office, good, "sai-mat-khau")
    assert data_dump(pair.office) == before  # no data changed; only the failure was counted (audited)
    assert pair.office.get_setting("key_passphrase_failures") == "1"
    message = err.value.message
    assert good.name in message and "mật khẩu" in message and "không đúng" in message


def test_truncated_zip(pair, good):
    data = good.read_bytes()
    bad = pair.tmp / "cut.cnb"
    bad.write_bytes(data[: len(data) // 2])
    refused(pair.office, bad, "cắt cụt")


@pytest.mark.parametrize("name", ["../manifest.json", "/etc/manifest.json", "../../x"])
def test_unsafe_names(pair, good, name):
    bad = rezip(good, pair.tmp / "evil.cnb", extra={name: b"x"}, drop=("payload.bin",))
    refused(pair.office, bad, "không an toàn")


def test_unexpected_entry(pair, good):
    refused(pair.office, rezip(good, pair.tmp / "x.cnb", extra={"readme.txt": b"x"}), "mục")


def test_zip_bomb(pair, good):
    buf = io.BytesIO()
    parts = entries(good)
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", parts["manifest.json"])
        zf.writestr("manifest.sig", parts["manifest.sig"])
        zf.writestr("payload.bin", b"\0" * (40 << 20))  # 40 MiB of zeros in ~40 KiB
    bomb = pair.tmp / "bomb.cnb"
    bomb.write_bytes(buf.getvalue())
    assert bomb.stat().st_size < 100_000
    refused(pair.office, bomb, "bom nén")
    refused(pair.office, bomb, "quá lớn", limits=Limits(max_payload=1 << 20))


def test_malformed_json_row(pair, good):
    bad = reseal(pair, good, pair.tmp / "j.cnb", plain=lambda t: t.replace(b'{"t":"members"', b'{"t":"members",,', 1))
    refused(pair.office, bad, "JSON")


def test_row_for_a_unit_the_sender_does_not_own(pair, good):
    bad = reseal(pair, good, pair.tmp / "u.cnb",
                 plain=lambda t: t.replace(f'"unit_code":"{COMMUNE}"'.encode(), b'"unit_code":"00643"', 1))
    refused(pair.office, bad, "00643", "không phải của đơn vị gửi")


def test_newer_schema_version(pair, good):
    bad = reseal(pair, good, pair.tmp / "v.cnb", manifest=lambda d: d.update(schema_version=99))
    refused(pair.office, bad, "phiên bản mới hơn")


def test_conflict_same_version_other_content(pair, good):
    importer.apply_bundle(pair.office, good, PASS)
    hh = pair.commune.scalar("SELECT id FROM households ORDER BY id LIMIT 1")
    other = pair.commune.scalar("SELECT id FROM households ORDER BY id DESC LIMIT 1")
    repo.update(pair.commune, "households", other, {"village": "Thôn 9"})
    second = export.export_bundle(pair.commune, "2026-02", pair.outbox, PASS)  # carries all again

    def change(text: bytes) -> bytes:
        lines = text.split(b"\n")
        for i, line in enumerate(lines):
            if line and json.loads(line)["r"].get("id") == hh and json.loads(line)["t"] == "households":
                item = json.loads(line)
                item["r"]["village"] = "Thôn giả"
                lines[i] = json.dumps(item, ensure_ascii=False).encode()
        return b"\n".join(lines)

    refused(pair.office, reseal(pair, second, pair.tmp / "k.cnb", plain=change), "xung đột")


def test_disk_full_during_apply(pair):
    pair.add_households(300, members=3)
    path = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    pages = pair.office.scalar("PRAGMA page_count")
    pair.office.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    try:
        refused(pair.office, path, "đầy")
    finally:
        pair.office.conn.execute("PRAGMA max_page_count = 1073741823")
    assert importer.apply_bundle(pair.office, path, PASS).status == "applied"


def test_dry_run_writes_nothing(pair, good):
    before = dump(pair.office)
    insp = importer.inspect_bundle(pair.office, good, PASS)
    assert insp.summary["members"]["new"] == 8 and insp.ok
    assert dump(pair.office) == before


def test_cheap_kdf_is_explicit():
    assert CHEAP.n < 2**15


def test_deeply_nested_json_line(pair, good):
    bad = reseal(pair, good, pair.tmp / "n.cnb", plain=lambda t: t + b"[" * 200_000 + b"\n")
    refused(pair.office, bad, "JSON")


def test_row_with_unknown_column_and_bool_values(pair, good):
    bad = reseal(pair, good, pair.tmp / "c.cnb",
                 plain=lambda t: t.replace(b'"deleted":0', b'"deleted":false', 1))
    refused(pair.office, bad, "sai kiểu")
    bad = reseal(pair, good, pair.tmp / "c2.cnb", plain=lambda t: t.replace(b'"village":', b'"lang":', 1))
    refused(pair.office, bad, "không có cột lang")
