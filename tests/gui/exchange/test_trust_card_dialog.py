"""The trust dialog with real copies: a spoofed card (markup and a fake fingerprint in its name)
renders literally and cannot be trusted with the fingerprint the real unit reads out; the button
stays disabled until every group matches; replacing a known unit's key shows old and new
fingerprints, needs a reason, and is one audited step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from cannngheo_desktop.exchange import keycard, roster
from cannngheo_desktop.gui.exchange import keys_dialog
from cannngheo_desktop.gui.exchange.keys_dialog import KeysPanel
from cannngheo_desktop.gui.exchange.trust_card_dialog import TrustCardDialog
from cannngheo_desktop.gui.shell import files
from cannngheo_desktop.gui.shell.context import AppContext
from cannngheo_desktop.gui.shell.tasks import TaskRunner
from cannngheo_desktop.storage import installation
from tests.exchange.bundle_helpers import COMMUNE, OFFICE, dump, make_pair, make_store

SHOTS = Path("/tmp/shots")


def _panel(qtbot, store) -> KeysPanel:
    ctx = AppContext(db_path=store.path, store=store, installation=installation.current(store),
                     user={"name": "canbo"}, tasks=TaskRunner(store.path, user="canbo"))
    panel = KeysPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1366, 768)
    panel.show()
    return panel


def _grab(widget, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    widget.grab().save(str(SHOTS / name))


@pytest.fixture
def copies(tmp_path):
    pair = make_pair(tmp_path)
    yield pair
    pair.commune.close()
    pair.office.close()


def test_spoofed_card_renders_literally_and_a_mismatched_fingerprint_keeps_trust_disabled(
        qtbot, tmp_path, monkeypatch, shown_messages):
    office = make_store(tmp_path / "phong.sqlite", "aggregator", OFFICE, None)
    commune = make_store(tmp_path / "xa.sqlite", "commune", COMMUNE, OFFICE)
    impostor = make_store(tmp_path / "gia.sqlite", "commune", COMMUNE, OFFICE)
    read_out = keycard.own_card(commune).display_fingerprint       # what the real commune says on the phone
    name = f"<b>Xã Thanh Trì</b><br><span style='font-size:22pt'>{read_out}</span>"
    path = tmp_path / "gia.json"
    keycard.write_card(keycard.own_card(impostor), path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["unit_name"] = name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    panel = _panel(qtbot, office)
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: path)
    seen = {}

    def type_what_was_heard(dialog: TrustCardDialog) -> int:
        seen["name"] = (dialog.name_label.textFormat(), dialog.name_label.text())
        seen["big"] = dialog.fingerprint_label.text()
        dialog.typed.setText(read_out)
        seen["enabled"] = dialog.accept_button.isEnabled()
        seen["match"] = dialog.match_label.text()
        dialog.resize(dialog.sizeHint())
        _grab(dialog, "keys_trust_spoofed.png")
        dialog.accept_button.click()      # disabled: nothing happens
        dialog.typed.returnPressed.emit()
        return dialog.result()

    monkeypatch.setattr(keys_dialog, "run_dialog", type_what_was_heard)
    before = dump(office)
    panel.trust_button.click()
    assert seen["name"] == (Qt.TextFormat.PlainText, name)       # shown as the characters it is
    assert read_out.replace(" ", "") not in seen["big"].replace(" ", "").replace("\n", "")
    assert seen["enabled"] is False and "KHÔNG KHỚP" in seen["match"]
    assert dump(office) == before and roster.list_roster(office) == []
    for store in (office, commune, impostor):
        store.close()


def test_typing_group_by_group_enables_trust_only_on_a_full_match(qtbot, tmp_path, monkeypatch, shown_messages):
    office = make_store(tmp_path / "phong.sqlite", "aggregator", OFFICE, None)
    commune = make_store(tmp_path / "xa.sqlite", "commune", COMMUNE, OFFICE)
    card = keycard.own_card(commune)
    path = tmp_path / "xa.json"
    keycard.write_card(card, path)
    panel = _panel(qtbot, office)
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: path)
    steps = []

    def type_in_groups(dialog: TrustCardDialog) -> int:
        groups = card.display_fingerprint.split(" ")
        dialog.typed.setText(" ".join(groups[:3]).lower())
        steps.append((dialog.accept_button.isEnabled(), dialog.match_label.text()))
        wrong = groups[:1] + ["0000" if groups[1] != "0000" else "1111"] + groups[2:]
        dialog.typed.setText(" ".join(wrong))
        steps.append((dialog.accept_button.isEnabled(), dialog.match_label.text()))
        dialog.typed.setText(card.display_fingerprint + "0")
        steps.append((dialog.accept_button.isEnabled(), dialog.match_label.text()))
        dialog.typed.setText("-".join(groups))
        steps.append((dialog.accept_button.isEnabled(), dialog.match_label.text()))
        dialog.accept_button.click()
        return dialog.result()

    monkeypatch.setattr(keys_dialog, "run_dialog", type_in_groups)
    panel.trust_button.click()
    assert steps[0] == (False, "Đã gõ 3/8 nhóm.")
    assert steps[1][0] is False and "nhóm 2" in steps[1][1]
    assert steps[2][0] is False and "gõ thừa" in steps[2][1]
    assert steps[3] == (True, "✔ Cả 8 nhóm khớp.")
    assert {(k.unit_code, k.fingerprint) for k in roster.list_roster(office)} == {(COMMUNE, card.fingerprint)}
    assert panel.table.rowCount() == 2 and panel.table.item(0, 2).text() == card.display_fingerprint
    assert "dấu vân tay khớp" in shown_messages[-1][2]
    _grab(panel, "keys_panel_1366x768.png")
    office.close()
    commune.close()


def test_replacing_a_known_units_key_shows_both_fingerprints_and_needs_a_reason(
        qtbot, copies, monkeypatch, shown_messages):
    pair = copies
    old = keycard.own_card(pair.commune)
    reinstalled = make_store(pair.tmp / "xa-moi.sqlite", "commune", COMMUNE, OFFICE)
    new = keycard.own_card(reinstalled)
    path = pair.tmp / "xa-moi.json"
    keycard.write_card(new, path)
    panel = _panel(qtbot, pair.office)
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: path)
    seen = {}

    def confirm_by_phone(dialog: TrustCardDialog) -> int:
        seen["title"] = dialog.windowTitle()
        seen["old"] = dialog.old_label.text() if dialog.old_label else None
        dialog.typed.setText(new.display_fingerprint)
        seen["without_reason"] = dialog.accept_button.isEnabled()
        dialog.reason.setText("Máy xã hỏng ổ cứng, cài lại; đã gọi ông Nguyễn Văn A")
        seen["with_reason"] = dialog.accept_button.isEnabled()
        dialog.resize(dialog.sizeHint())
        _grab(dialog, "keys_replace.png")
        dialog.accept_button.click()
        return dialog.result()

    monkeypatch.setattr(keys_dialog, "run_dialog", confirm_by_phone)
    panel.trust_button.click()
    assert seen["title"] == "Thay khóa của đơn vị" and seen["old"] == old.display_fingerprint
    assert seen["without_reason"] is False and seen["with_reason"] is True
    active = {k.fingerprint for k in roster.list_roster(pair.office) if k.unit_code == COMMUNE and k.active}
    assert active == {new.fingerprint}
    entry = pair.office.query_one("SELECT after FROM audit_log WHERE field = 'replace_key'")
    assert "Máy xã hỏng" in json.loads(entry["after"])["reason"]
    assert "Đã thay khóa" in shown_messages[-1][2]
    reinstalled.close()


def test_cancel_changes_nothing(qtbot, copies, monkeypatch, shown_messages):
    pair = copies
    reinstalled = make_store(pair.tmp / "xa-moi.sqlite", "commune", COMMUNE, OFFICE)
    path = pair.tmp / "xa-moi.json"
    keycard.write_card(keycard.own_card(reinstalled), path)
    panel = _panel(qtbot, pair.office)
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: path)
    monkeypatch.setattr(keys_dialog, "run_dialog", lambda dialog: int(QDialog.DialogCode.Rejected))
    before = dump(pair.office)
    panel.trust_button.click()
    assert dump(pair.office) == before
    reinstalled.close()
