"""The "Trao đổi dữ liệu" tab with two real copies: a commune creates its keys and exports a
bundle through the dialogs; the office trusts the commune's card, imports the bundle (dry-run
summary, then applied, receipt written) and its completeness grid shows the month as received;
a damaged file shows the refusal reason and changes nothing."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from cannngheo_desktop.exchange import completeness, keycard, keys, roster, sync
from cannngheo_desktop.gui.exchange import keys_dialog, passphrase_dialog
from cannngheo_desktop.gui.exchange.exchange_tab import ExchangeTab
from cannngheo_desktop.gui.shell import files
from cannngheo_desktop.gui.shell.context import AppContext
from cannngheo_desktop.gui.shell.tasks import TaskRunner
from cannngheo_desktop.storage import installation, open_db, repo
from tests.exchange.bundle_helpers import CHEAP, COMMUNE, OFFICE, PASS, dump, entries, rezip

PERIOD = f"{date.today():%Y-%m}"   # applied today → "received", not "late"


TRUST_DIALOGS: list = []


def _type_read_out_fingerprint(dialog) -> int:
    """The cadre types the fingerprint the other unit reads out (here: the card's own) and clicks
    "Tin cậy thẻ khóa"; the dialog is kept to check what it showed."""
    TRUST_DIALOGS.append((dialog.windowTitle(), dialog.fingerprint_label.text()))
    dialog.typed.setText(dialog.card.display_fingerprint)
    dialog.accept_button.click()
    return dialog.result()


def _ctx(store) -> AppContext:
    return AppContext(db_path=store.path, store=store, installation=installation.current(store),
                      user={"name": "canbo"}, tasks=TaskRunner(store.path, user="canbo"))


@pytest.fixture
def copies(tmp_path, qtbot, monkeypatch, shown_messages):
    """A commune without keys yet, and an office with keys; both as an AppContext."""
    monkeypatch.setattr(keys_dialog, "KDF", CHEAP)
    monkeypatch.setattr(passphrase_dialog, "ask_passphrase", lambda *a, **k: PASS)
    monkeypatch.setattr(keys_dialog, "run_dialog", _type_read_out_fingerprint)
    commune = open_db(tmp_path / "xa.sqlite", user="canbo")
    installation.initialize(commune, role="commune", unit_code=COMMUNE, receiving_unit_code=OFFICE,
                            admin_name="canbo", admin_password="so-tay-can-bo-2026")
    office = open_db(tmp_path / "phong.sqlite", user="canbo")
    installation.initialize(office, role="aggregator", unit_code=OFFICE, receiving_unit_code=None,
                            admin_name="canbo", admin_password="so-tay-can-bo-2026")
    keys.init_keys(office, PASS, kdf=CHEAP)
    ctxs = (_ctx(commune), _ctx(office))
    yield ctxs
    for ctx in ctxs:
        assert ctx.tasks.shutdown()
        ctx.store.close()


def _tab(qtbot, ctx) -> ExchangeTab:
    tab = ExchangeTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1280, 660)
    tab.show()
    return tab


def _commune_exports(qtbot, tmp_path, monkeypatch, commune_ctx, office_ctx, shown_messages) -> Path:
    """Commune: create keys, trust the office's card, export PERIOD into the USB folder."""
    from cannngheo_desktop.storage import households

    tab = _tab(qtbot, commune_ctx)
    assert tab.keys_panel.create_button.isVisible() and not tab.export_button.isEnabled()
    tab.keys_panel.create_button.click()
    qtbot.waitUntil(lambda: keys.has_keys(commune_ctx.store), timeout=10_000)
    qtbot.waitUntil(lambda: not tab.keys_panel.create_button.isVisible(), timeout=5_000)
    assert "Dấu vân tay thẻ khóa" in tab.keys_panel.own_label.text()
    cards = tmp_path / "cards"
    cards.mkdir()
    keycard.write_card(keycard.own_card(office_ctx.store), cards / "phong.json")
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: cards / "phong.json")
    tab.keys_panel.trust_button.click()
    card = keycard.read_card(cards / "phong.json")
    groups = card.display_fingerprint.split(" ")
    assert TRUST_DIALOGS[-1] == ("Đối chiếu dấu vân tay", " ".join(groups[:4]) + "\n" + " ".join(groups[4:]))
    assert {k.unit_code for k in roster.list_roster(commune_ctx.store)} == {OFFICE}
    assert tab.export_button.isEnabled()
    # the commune's card goes to the office through the "Xuất thẻ khóa…" button
    monkeypatch.setattr(files, "choose_folder", lambda *a, **k: cards)
    tab.keys_panel.card_button.click()
    qtbot.waitUntil(lambda: (cards / f"the-khoa-{COMMUNE}.pdf").exists(), timeout=10_000)
    households.add_households(commune_ctx.store, [(
        {"unit_code": COMMUNE, "village": "Thôn 1", "household_code": f"H{i}", "income_month": 1_500_000},
        [{"full_name": f"Nguyễn Văn {i}", "relation": "head", "birth_date": "1980-01-01"}]) for i in range(3)])
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(files, "choose_folder", lambda *a, **k: usb)
    dialog = tab.open_export()
    qtbot.addWidget(dialog)
    assert dialog.month.currentIndex() == 1   # previous month by default
    dialog.month.setCurrentIndex(0)           # this month
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.preview.period == PERIOD, timeout=10_000)
    labels = {dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())}
    assert labels["Hộ gia đình"] == "3" and labels["Nhân khẩu"] == "3"
    counts = [dialog.table.item(r, c).text() for r in range(dialog.table.rowCount()) for c in (1, 2)]
    assert all(text.isdigit() for text in counts), counts  # 0 shown alike in "Mới" and "Thay đổi", never blank
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.written is not None, timeout=15_000)
    assert dialog.written == usb / f"{COMMUNE}-{PERIOD}-1.cnb" and dialog.written.exists()
    assert f"{COMMUNE}-{PERIOD}-1.cnb" in shown_messages[-1][2]
    assert tab.sent_table.rowCount() == 1 and tab.sent_table.item(0, 4).text() == "Đã gửi, chờ biên nhận"
    return dialog.written


def test_commune_exports_and_office_imports(qtbot, tmp_path, monkeypatch, copies, shown_messages):
    commune_ctx, office_ctx = copies
    bundle = _commune_exports(qtbot, tmp_path, monkeypatch, commune_ctx, office_ctx, shown_messages)

    office = _tab(qtbot, office_ctx)
    assert not office.import_button.isEnabled()   # no commune trusted yet
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: tmp_path / "cards" / f"the-khoa-{COMMUNE}.json")
    office.keys_panel.trust_button.click()
    assert office.keys_panel.table.rowCount() == 2 and office.import_button.isEnabled()
    assert COMMUNE in office.grid.grid

    monkeypatch.setattr(files, "choose_folder", lambda *a, **k: bundle.parent)
    dialog = office.import_folder()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.checked is not None, timeout=15_000)
    assert [f.path.name for f in dialog.checked.files] == [bundle.name]
    assert dialog.table.item(0, 6).text().startswith("Hợp lệ, gói kế tiếp")
    summary = {dialog.summary.item(r, 0).text(): [dialog.summary.item(r, c).text() for c in range(1, 5)]
               for r in range(dialog.summary.rowCount())}
    assert summary["Hộ gia đình"] == ["3", "0", "0", "0"]
    assert sync.list_bundles(office_ctx.store, "in") == []   # the dry run wrote nothing
    assert dialog.apply_button.isEnabled()
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: dialog.applied, timeout=15_000)
    assert dialog.checked.files[0].result == "applied"
    assert dialog.table.item(0, 7).text().startswith("Đã nhập")
    assert [r["status"] for r in sync.list_bundles(office_ctx.store, "in")] == ["applied"]
    receipt = bundle.parent / f"bien-nhan-{COMMUNE}-{PERIOD}-1.cnb"
    assert receipt.exists()
    assert office.grid.status(COMMUNE, date.today().month) == "received"

    # the receipt goes back: the commune's list shows the bundle as acknowledged
    commune = _tab(qtbot, commune_ctx)
    monkeypatch.setattr(files, "choose_open_files", lambda *a, **k: [receipt])
    back = commune.import_files()
    qtbot.addWidget(back)
    qtbot.waitUntil(lambda: back.checked is not None, timeout=15_000)
    assert back.table.item(0, 6).text() == "Biên nhận hợp lệ."
    back.apply_button.click()
    qtbot.waitUntil(lambda: back.applied, timeout=15_000)
    assert commune.sent_table.item(0, 4).text() == "Đã được nhận (có biên nhận)"
    assert commune.grid.status(COMMUNE, date.today().month) == "received"


def test_damaged_file_is_refused_with_its_reason_and_changes_nothing(qtbot, tmp_path, monkeypatch, copies,
                                                                      shown_messages):
    commune_ctx, office_ctx = copies
    bundle = _commune_exports(qtbot, tmp_path, monkeypatch, commune_ctx, office_ctx, shown_messages)
    roster.trust_card(office_ctx.store, tmp_path / "cards" / f"the-khoa-{COMMUNE}.json")
    payload = bytearray(entries(bundle)["payload.bin"])
    payload[len(payload) // 2] ^= 0x01
    damaged = rezip(bundle, tmp_path / "hong.cnb", {"payload.bin": bytes(payload)})
    before = dump(office_ctx.store)
    office = _tab(qtbot, office_ctx)
    monkeypatch.setattr(files, "choose_open_files", lambda *a, **k: [damaged])
    dialog = office.import_files()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.checked is not None, timeout=15_000)
    reason = dialog.table.item(0, 6).text()
    assert "hong.cnb" in reason and "bị từ chối" in reason
    assert not dialog.apply_button.isEnabled()
    dialog.apply()   # nothing acceptable: nothing is imported
    qtbot.waitUntil(lambda: dialog.applied, timeout=15_000)
    assert dialog.status.text() == "Kết quả: không có tệp nào được nhập."
    assert dump(office_ctx.store) == before
    # the commune's row is on the grid and this month is still "not due yet" (blank): not received
    assert COMMUNE in office.grid.grid and office.grid.grid[COMMUNE][datetime.now(completeness.VIETNAM).month] == ""


def test_wrong_passphrase_is_said_and_nothing_is_checked(qtbot, tmp_path, monkeypatch, copies, shown_messages):
    _commune_ctx, office_ctx = copies
    office = _tab(qtbot, office_ctx)
    monkeypatch.setattr(passphrase_dialog, "ask_passphrase", lambda *a, **k: "sai-mat-khau")
    dialog = office._open_import([tmp_path])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "không đúng" in dialog.status.text(), timeout=15_000)
    assert dialog.checked is None and not dialog.apply_button.isEnabled()
    assert "Cụm mật khẩu khóa không đúng" in shown_messages[-1][2]


def test_passphrase_dialog_checks_repeat_and_length(qtbot):
    dialog = passphrase_dialog.PassphraseDialog(None, "Tạo khóa", "…", confirm=True)
    qtbot.addWidget(dialog)
    assert dialog.ui.warningLabel.isVisibleTo(dialog) and "không ai khôi phục" in dialog.ui.warningLabel.text()
    dialog.ui.passphraseEdit.setText("ngan")
    dialog.submit()
    assert dialog.passphrase is None and "ít nhất 10" in dialog.ui.errorLabel.text()
    dialog.ui.passphraseEdit.setText("mot cau dai du")
    dialog.ui.repeatEdit.setText("mot cau khac")
    dialog.submit()
    assert dialog.passphrase is None and "không khớp" in dialog.ui.errorLabel.text()
    dialog.ui.repeatEdit.setText("mot cau dai du")
    dialog.submit()
    assert dialog.passphrase == "mot cau dai du"


def test_office_sends_a_reference_bundle_and_revokes_a_card(qtbot, tmp_path, monkeypatch, copies, shown_messages):
    commune_ctx, office_ctx = copies
    _commune_exports(qtbot, tmp_path, monkeypatch, commune_ctx, office_ctx, shown_messages)
    roster.trust_card(office_ctx.store, tmp_path / "cards" / f"the-khoa-{COMMUNE}.json")
    repo.insert(office_ctx.store, "plans", {"unit_code": OFFICE, "year": 2026, "title": "Kế hoạch giảm nghèo 2026"})
    office = _tab(qtbot, office_ctx)
    down = tmp_path / "xuong"
    down.mkdir()
    monkeypatch.setattr(files, "choose_folder", lambda *a, **k: down)
    dialog = office.open_reference()
    qtbot.addWidget(dialog)
    assert dialog.peer.currentData() == COMMUNE
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=10_000)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.written is not None, timeout=15_000)
    assert dialog.written.name.startswith(f"{OFFICE}-{COMMUNE}-") and dialog.written.exists()
    # the commune imports it through "Nhập biên nhận / gói tham chiếu…"
    commune = _tab(qtbot, commune_ctx)
    monkeypatch.setattr(files, "choose_open_files", lambda *a, **k: [dialog.written])
    back = commune.import_files()
    qtbot.addWidget(back)
    qtbot.waitUntil(lambda: back.checked is not None, timeout=15_000)
    assert back.checked.files[0].acceptable
    summary = [[back.summary.item(r, c).text() for c in range(5)] for r in range(back.summary.rowCount())]
    assert summary == [["Kế hoạch", "1", "0", "0", "0"]]   # the office's plan: new, nothing else
    back.apply_button.click()
    qtbot.waitUntil(lambda: back.applied, timeout=15_000)
    assert back.checked.files[0].result == "applied"
    assert [r["title"] for r in commune_ctx.store.query("SELECT title FROM plans WHERE unit_code = ?", (OFFICE,))] \
        == ["Kế hoạch giảm nghèo 2026"]
    # revoke the commune's card at the office: both keys revoked, import disabled
    office.keys_panel.table.selectRow(0)
    assert office.keys_panel.revoke_button.isEnabled()
    office.keys_panel.revoke_button.click()
    assert all(not k.active for k in roster.list_roster(office_ctx.store))
    assert not office.import_button.isEnabled()
    assert office.keys_panel.table.item(0, 4).text() != "—"
