"""Who may send what (issue 15, point 2): kind and direction, checked from the signed manifest
before anything is decrypted or written. Every attack is a bundle signed with the sender's real
keys, imported into a real copy; both databases are compared before and after."""

from __future__ import annotations

from pathlib import Path

import pytest

from cannngheo_desktop import cli
from cannngheo_desktop.exchange import export, importer, keycard, roster
from cannngheo_desktop.exchange.authority import receives_for
from cannngheo_desktop.storage import repo
from tests.exchange.bundle_helpers import COMMUNE, OFFICE, PASS, dump, make_store, reseal
from tests.exchange.forge import forge, new_id, refused, row

OUTSIDER = "10183"  # Xã Thường Tín: a commune of Hà Nội, never under district 020


def _fake_reference_rows(store):
    ruleset = dict(store.query_one("SELECT * FROM rulesets WHERE code = 'HN-2022'"))
    ruleset.update(id=new_id(), code="HN-2027-GIA", name="Chuẩn giả mạo", unit_code=COMMUNE, version=1)
    unit = row(COMMUNE, id="99999@2026-01-01", code="99999", name="Xã Ma", kind="commune", parent_code=OFFICE,
               area="rural", valid_from="2026-01-01")
    return [("rulesets", ruleset), ("units", unit)]


def test_a_commune_cannot_send_reference_data_to_its_office(pair):
    path = forge(pair.commune, pair.office, "reference", _fake_reference_rows(pair.commune), pair.outbox)
    msg = refused(pair, pair.office, path, path.name, "chỉ được nhận từ cơ quan tiếp nhận", f"'{COMMUNE}'")
    # refused from the manifest alone: the dry run without the passphrase says the same
    assert refused(pair, pair.office, path, call=lambda: importer.inspect_bundle(pair.office, path)) == msg
    assert pair.office.scalar("SELECT count(*) FROM rulesets WHERE code = 'HN-2027-GIA'") == 0
    assert pair.office.scalar("SELECT count(*) FROM units WHERE code = '99999'") == 0


def test_a_commune_report_cannot_carry_reference_tables(pair):
    path = forge(pair.commune, pair.office, "commune-report", _fake_reference_rows(pair.commune), pair.outbox)
    refused(pair, pair.office, path, "bảng 'rulesets' không được phép", "bảng 'units' không được phép")


def test_an_office_cannot_send_a_commune_report_down(pair):
    hh = row(OFFICE, household_code="H1", member_count=0)
    path = forge(pair.office, pair.commune, "commune-report", [("households", hh)], pair.outbox)
    refused(pair, pair.commune, path, "gói báo cáo của xã/phường chỉ gửi lên cơ quan tiếp nhận")


def test_an_office_cannot_send_households_down_in_a_reference_bundle(pair):
    hh = row(OFFICE, household_code="H1", member_count=0)
    path = forge(pair.office, pair.commune, "reference", [("households", hh)], pair.outbox)
    refused(pair, pair.commune, path, "bảng 'households' không được phép trong gói này")


def test_reference_is_accepted_only_from_the_receiving_office(pair, tmp_path: Path):
    # another office (the province) whose key the commune trusts is still not its receiving office
    province = make_store(tmp_path / "tinh.sqlite", "aggregator", "01", None)
    keycard.write_card(keycard.own_card(province), tmp_path / "cards" / "tinh.json")
    keycard.write_card(keycard.own_card(pair.commune), tmp_path / "cards" / "xa2.json")
    roster.trust_card(pair.commune, tmp_path / "cards" / "tinh.json")
    roster.trust_card(province, tmp_path / "cards" / "xa2.json")
    plan = row("01", year=2026, title="Kế hoạch của tỉnh")
    path = forge(province, pair.commune, "reference", [("plans", plan)], pair.outbox)
    try:
        refused(pair, pair.commune, path, "chỉ được nhận từ cơ quan tiếp nhận của đơn vị này ('020')", "'01'")
    finally:
        province.close()


def test_an_office_refuses_reports_of_a_unit_it_does_not_receive_for(pair, tmp_path: Path):
    other = make_store(tmp_path / "xa-khac.sqlite", "commune", OUTSIDER, OFFICE)
    keycard.write_card(keycard.own_card(other), tmp_path / "cards" / "khac.json")
    roster.trust_card(pair.office, tmp_path / "cards" / "khac.json")  # its key card IS trusted
    roster.trust_card(other, tmp_path / "cards" / "phong.json")
    try:
        repo.insert(other, "households", {"unit_code": OUTSIDER, "household_code": "K1"})
        path = export.export_bundle(other, "2026-01", pair.outbox, PASS)
        refused(pair, pair.office, path, f"đơn vị '{OUTSIDER}' không thuộc các đơn vị mà đơn vị '{OFFICE}' tiếp nhận")
    finally:
        other.close()


def test_receives_for_follows_the_unit_list(pair):
    office = pair.office
    assert receives_for(office, OFFICE, COMMUNE)            # Văn Điển, under 020 until 30/6/2025
    assert receives_for(office, OFFICE, "00643")            # Tân Triều → Phường Thanh Liệt (whole)
    assert not receives_for(office, OFFICE, OUTSIDER)
    assert not receives_for(office, OFFICE, "01")           # its own province
    assert not receives_for(office, OFFICE, OFFICE)         # itself
    assert not receives_for(office, OFFICE, "../x")


def test_a_receipt_from_a_unit_never_sent_anything_is_refused(pair):
    ack = {"bundle_id": new_id(), "sha256": "ab" * 32, "sequence": 1, "period": "2026-01",
           "kind": "commune-report", "applied_at": "2026-01-15T08:00:00Z", "counts": {}}
    path = forge(pair.office, pair.commune, "receipt", [("_receipt", ack)], pair.outbox,
                 sequence=1, prev_sha256="ab" * 32)
    refused(pair, pair.commune, path, "chưa từng gửi gói nào cho đơn vị đó", f"'{OFFICE}'")


def test_a_receipt_for_a_bundle_never_sent_is_refused(pair):
    repo.insert(pair.commune, "households", {"unit_code": COMMUNE, "household_code": "H1"})
    sent = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    ack = {"bundle_id": new_id(), "sha256": "cd" * 32, "sequence": 1, "period": "2026-01",
           "kind": "commune-report", "applied_at": "2026-01-15T08:00:00Z", "counts": {}}
    path = forge(pair.office, pair.commune, "receipt", [("_receipt", ack)], pair.outbox,
                 sequence=1, prev_sha256="cd" * 32)
    refused(pair, pair.commune, path, "biên nhận xác nhận gói số 1 mà đơn vị này không gửi")
    assert sent.exists()


@pytest.mark.parametrize("field", ["sender", "recipient"])
@pytest.mark.parametrize("code", ["abc", "../x", "٣٣", "123456", "", "00 640", "0064\u0660"])
def test_a_malformed_unit_code_in_the_manifest_is_refused(pair, field, code):
    repo.insert(pair.commune, "households", {"unit_code": COMMUNE, "household_code": "H1"})
    good = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    path = reseal(pair, good, pair.tmp / "ma-la.cnb", manifest=lambda d: d[field].update(unit=code))
    msg = refused(pair, pair.office, path, "ma-la.cnb", "manifest.json không hợp lệ",
                  "đơn vị gửi" if field == "sender" else "đơn vị nhận", "phải gồm 1–5 chữ số")
    assert repr(code)[:40] in msg


def test_the_command_line_exits_4_with_the_refusal_and_no_traceback(pair, monkeypatch, capsys):
    path = forge(pair.commune, pair.office, "reference", _fake_reference_rows(pair.commune), pair.outbox)
    secret = pair.tmp / "pass.txt"
    secret.write_text(PASS + "\n", encoding="utf-8")
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("bundle",))
    db = pair.office.path
    before = (dump(pair.commune), dump(pair.office))
    code = cli.main(["bundle", "import", "--db", str(db), str(path), "--passphrase-file", str(secret)])
    out = capsys.readouterr()
    assert code == 4
    assert "chỉ được nhận từ cơ quan tiếp nhận" in out.out + out.err
    assert "Traceback" not in out.out + out.err
    assert (dump(pair.commune), dump(pair.office)) == before


@pytest.mark.parametrize("peer", [OUTSIDER, "01", OFFICE, "../x", "٣٣"])
def test_an_office_exports_reference_only_to_units_it_receives_for(pair, peer):
    from cannngheo_desktop.exchange.errors import BundleError

    repo.insert(pair.office, "plans", {"unit_code": OFFICE, "year": 2026, "title": "Kế hoạch 2026"})
    before = (dump(pair.commune), dump(pair.office))
    with pytest.raises(BundleError) as info:
        export.export_reference(pair.office, peer, "2026-01", pair.outbox, PASS)
    assert "không hợp lệ" in info.value.message or "không thuộc các đơn vị" in info.value.message
    assert list(pair.outbox.iterdir()) == []
    assert (dump(pair.commune), dump(pair.office)) == before


def test_a_recovery_bundle_is_pointed_to_its_own_procedure(pair):
    head = {"bundle_id": new_id(), "sha256": "ab" * 32, "kind": "commune-report", "sequence": 1,
            "period": "2026-01"}
    path = forge(pair.office, pair.commune, "recovery", [("_receipt", head)], pair.outbox,
                 sequence=1, prev_sha256="ab" * 32)
    refused(pair, pair.commune, path, "gói khôi phục", "Khôi phục / đổi khóa…", "cannngheo recovery apply")


@pytest.mark.parametrize("field, value, needle", [
    ("created_at", "ngày mai", "created_at"),
    ("created_at", "2026-01-15T08:00:00Z<b>", "created_at"),
    ("app_version", "1.0\n<b>x</b>", "app_version"),
    ("app_version", "9" * 41, "app_version"),
    ("bundle_id", "../../x", "bundle_id"),
])
def test_manifest_text_that_is_stored_or_shown_is_checked(pair, field, value, needle):
    repo.insert(pair.commune, "households", {"unit_code": COMMUNE, "household_code": "H1"})
    good = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    path = reseal(pair, good, pair.tmp / "la.cnb", manifest=lambda d: d.update({field: value}))
    refused(pair, pair.office, path, "la.cnb", "manifest.json không hợp lệ", needle)
