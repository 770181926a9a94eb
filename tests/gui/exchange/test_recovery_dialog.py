"""The "Khôi phục / đổi khóa…" dialog driven like a cadre would, on two real copies: the office
confirms a reinstalled commune's new key by the fingerprint read over the phone (a wrong one
changes nothing) and exports its recovery bundle; the commune imports it and has its data back;
the office restarts a chain; the commune makes a new key. Screens grabbed at 1366×768."""

from __future__ import annotations

from pathlib import Path

import pytest

from cannngheo_desktop.exchange import export, importer, keycard, keys, recovery, roster
from cannngheo_desktop.gui.exchange import passphrase_dialog, recovery_dialog
from cannngheo_desktop.gui.exchange.exchange_tab import ExchangeTab
from cannngheo_desktop.gui.exchange.recovery_dialog import RecoveryDialog
from cannngheo_desktop.gui.shell import files
from cannngheo_desktop.gui.shell.context import AppContext
from cannngheo_desktop.gui.shell.tasks import TaskRunner
from cannngheo_desktop.storage import installation
from tests.exchange.bundle_helpers import CHEAP, COMMUNE, OFFICE, PASS, dump, make_pair, make_store, rows_of

SHOTS = Path("/tmp/shots")


def _ctx(store) -> AppContext:
    return AppContext(db_path=store.path, store=store, installation=installation.current(store),
                      user={"name": "canbo"}, tasks=TaskRunner(store.path, user="canbo"))


@pytest.fixture
def world(tmp_path, monkeypatch, shown_messages):
    """The commune sent two bundles, then its PC died: a fresh install with new keys."""
    monkeypatch.setattr(recovery_dialog, "KDF", CHEAP)
    monkeypatch.setattr(passphrase_dialog, "ask_passphrase", lambda *a, **k: PASS)
    pair = make_pair(tmp_path)
    pair.add_households(3)
    for period in ("2026-01", "2026-02"):
        path = export.export_bundle(pair.commune, period, pair.outbox, PASS)
        importer.apply_bundle(pair.office, path, PASS)
        pair.add_households(1, village="Thôn 2")
    pair.commune.close()
    fresh = make_store(tmp_path / "xa-moi.sqlite", "commune", COMMUNE, OFFICE)
    roster.trust_card(fresh, tmp_path / "cards" / "phong.json")
    card = tmp_path / "the-khoa-moi.json"
    keycard.write_card(keycard.own_card(fresh), card)
    ctxs = {"commune": _ctx(fresh), "office": _ctx(pair.office), "card": card, "tmp": tmp_path}
    yield ctxs
    for name in ("commune", "office"):
        assert ctxs[name].tasks.shutdown()
        ctxs[name].store.close()


def _grab(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.resize(1366, 768)
    widget.grab().save(str(SHOTS / name))


def _wait_status(qtbot, dialog: RecoveryDialog, text: str) -> None:
    qtbot.waitUntil(lambda: text in dialog.status.text(), timeout=15_000)


def test_lost_pc_through_the_dialog(qtbot, world, monkeypatch):
    office, commune, card = world["office"], world["commune"], world["card"]
    tab = ExchangeTab(office)
    qtbot.addWidget(tab)
    tab.show()
    tab.recovery_button.click()                                    # "Khôi phục / đổi khóa…"
    dialog = tab.dialog
    assert isinstance(dialog, RecoveryDialog)
    qtbot.addWidget(dialog)
    assert dialog.procedures.item(0).text() == "Xã/phường hỏng máy, đã cài lại"
    step = dialog.confirm_steps[0]
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: card)
    # a fingerprint misheard over the phone: refused in red, nothing written
    before = dump(office.store)
    step.typed.setText("0000 1111 2222 3333 4444 5555 6666 7777")
    step.reason.setText("máy xã hỏng, cài lại")
    step.button.click()
    qtbot.waitUntil(lambda: "#b00020" in dialog.status.text(), timeout=15_000)
    assert dump(office.store) == before
    step.typed.setText(keycard.read_card(card).display_fingerprint)
    step.button.click()
    _wait_status(qtbot, dialog, "Đã xác nhận khóa mới của đơn vị 00640")
    usb = world["tmp"] / "usb-kp"
    usb.mkdir()
    monkeypatch.setattr(files, "choose_folder", lambda *a, **k: usb)
    dialog.export_reason.setText("máy xã hỏng, cài lại")
    _grab(dialog, "recovery-office.png")
    dialog.export_button.click()
    _wait_status(qtbot, dialog, "Đã ghi gói khôi phục")
    [recovery_file] = list(usb.glob("khoi-phuc-*.cnb"))
    # the commune
    cdialog = RecoveryDialog(commune)
    qtbot.addWidget(cdialog)
    cdialog.show()
    assert cdialog.procedures.item(0).text() == "Máy hỏng, đã cài lại (khôi phục)"
    assert keycard.own_card(commune.store).display_fingerprint in cdialog.phone_label.text()
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: recovery_file)
    cdialog.apply_button.click()
    _wait_status(qtbot, cdialog, "đã khôi phục dữ liệu")
    _grab(cdialog, "recovery-commune.png")
    assert [r["id"] for r in rows_of(commune.store, "households")] == [r["id"] for r in rows_of(office.store, "households")]
    assert len(rows_of(commune.store, "households")) == 4   # the one added after bundle 2 died with the PC
    assert export.preview_export(commune.store, "2026-03").sequence == 3


def test_restart_chain_and_new_key_through_the_dialog(qtbot, world, shown_messages):
    office, commune = world["office"], world["commune"]
    dialog = RecoveryDialog(office)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.procedures.setCurrentRow(3)
    assert dialog.pages.currentIndex() == 3
    dialog.restart_unit.setCurrentIndex(dialog.restart_unit.findData(COMMUNE))
    dialog.restart_at.setValue(3)
    dialog.restart_button.click()                                 # no reason: refused in red
    qtbot.waitUntil(lambda: "lý do" in dialog.status.text(), timeout=15_000)
    assert recovery.get_restart(office.store, COMMUNE, recovery.REPORT) is None
    dialog.restart_reason.setText("phục hồi bản sao lưu ngày 01/03")
    dialog.restart_button.click()
    _wait_status(qtbot, dialog, "Đã bắt đầu lại chuỗi gói của đơn vị 00640 từ số 3")
    restart = recovery.get_restart(office.store, COMMUNE, recovery.REPORT)
    assert restart is not None and restart.at == 3 and restart.full
    # the commune rotates its key (not compromised): the old one endorses the new
    old = keys.current_keys(commune.store)
    cdialog = RecoveryDialog(commune)
    qtbot.addWidget(cdialog)
    cdialog.show()
    cdialog.procedures.setCurrentRow(1)
    cdialog.new_key_button.click()
    _wait_status(qtbot, cdialog, "Đã tạo khóa mới")
    assert keys.current_keys(commune.store).sign_id != old.sign_id
    assert commune.store.get_setting("key_endorsement")
