"""'Đổi cụm mật khẩu…' in the keys panel: the dialog checks the new passphrase, the change runs on
the worker and keeps the keys; a wrong current passphrase is said and changes no data."""

from __future__ import annotations

from pathlib import Path

import pytest

from cannngheo_desktop.exchange import keycard, keys
from cannngheo_desktop.exchange.errors import BundleError
from cannngheo_desktop.gui.exchange import keys_dialog, passphrase_dialog
from cannngheo_desktop.gui.shell.context import AppContext
from cannngheo_desktop.gui.shell.tasks import TaskRunner
from cannngheo_desktop.storage import installation, open_db
from tests.exchange.bundle_helpers import CHEAP, COMMUNE, OFFICE, PASS, data_dump

NEW = "đường về thôn Bến Đò"


@pytest.fixture
def ctx(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(keys_dialog, "KDF", CHEAP)
    store = open_db(tmp_path / "xa.sqlite", user="canbo")
    installation.initialize(store, role="commune", unit_code=COMMUNE, receiving_unit_code=OFFICE,
                            admin_name="canbo", admin_password="so-tay-can-bo-2026")
    keys.init_keys(store, PASS, kdf=CHEAP)
    context = AppContext(db_path=store.path, store=store, installation=installation.current(store),
                         user={"name": "canbo"}, tasks=TaskRunner(store.path, user="canbo"))
    yield context
    assert context.tasks.shutdown()
    store.close()


def _fill(dialog, old: str, new: str, again: str | None = None) -> None:
    dialog.oldEdit.setText(old)
    dialog.newEdit.setText(new)
    dialog.againEdit.setText(new if again is None else again)


@pytest.mark.parametrize(("old", "new", "again", "word"), [
    ("", NEW, None, "hiện tại"),
    (PASS, "ngan-qua", None, "ít nhất 10"),
    (PASS, "Mật khẩu 123", None, "phổ biến"),
    (PASS, NEW, NEW + "x", "không khớp"),
    (PASS, PASS, None, "phải khác"),
])
def test_dialog_refuses_with_a_message_and_stays_open(qtbot, old, new, again, word):
    dialog = passphrase_dialog.ChangePassphraseDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    _fill(dialog, old, new, again)
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.errorLabel.isVisible() and word in dialog.errorLabel.text()
    assert dialog.new == "" and dialog.old == ""


def test_dialog_accepts_a_good_change(qtbot):
    dialog = passphrase_dialog.ChangePassphraseDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    _fill(dialog, PASS, NEW)
    dialog.buttons.accepted.emit()
    assert dialog.result() == 1 and (dialog.old, dialog.new) == (PASS, NEW)


def test_panel_changes_the_passphrase_and_keeps_the_card(qtbot, ctx, monkeypatch, shown_messages):
    card = keycard.own_card(ctx.store)
    panel = keys_dialog.KeysPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.passphrase_button.isVisible() and not panel.create_button.isVisible()
    monkeypatch.setattr(passphrase_dialog, "ask_new_passphrase", lambda parent: (PASS, NEW))
    panel.passphrase_button.click()
    qtbot.waitUntil(lambda: bool(shown_messages), timeout=30_000)
    assert "Đã đổi cụm mật khẩu khóa" in shown_messages[-1][2]
    keys.check_passphrase(ctx.store, NEW)
    with pytest.raises(BundleError):
        keys.check_passphrase(ctx.store, PASS)
    assert keycard.own_card(ctx.store).fingerprint == card.fingerprint


def test_panel_wrong_current_passphrase_changes_no_data(qtbot, ctx, monkeypatch, shown_messages):
    before = data_dump(ctx.store)
    panel = keys_dialog.KeysPanel(ctx)
    qtbot.addWidget(panel)
    monkeypatch.setattr(passphrase_dialog, "ask_new_passphrase", lambda parent: ("cum-sai-hoan-toan", NEW))
    panel.passphrase_button.click()
    qtbot.waitUntil(lambda: bool(shown_messages), timeout=30_000)
    assert "Cụm mật khẩu khóa không đúng" in shown_messages[-1][2]
    assert data_dump(ctx.store) == before
    keys.check_passphrase(ctx.store, PASS)


def test_panel_without_keys_offers_no_change(qtbot, tmp_path):
    store = open_db(tmp_path / "moi.sqlite", user="canbo")
    try:
        installation.initialize(store, role="commune", unit_code=COMMUNE, receiving_unit_code=OFFICE,
                                admin_name="canbo", admin_password="so-tay-can-bo-2026")
        context = AppContext(db_path=store.path, store=store, installation=installation.current(store),
                             user={"name": "canbo"}, tasks=TaskRunner(store.path, user="canbo"))
        panel = keys_dialog.KeysPanel(context)
        qtbot.addWidget(panel)
        panel.show()
        assert panel.create_button.isVisible() and not panel.passphrase_button.isVisible()
        assert context.tasks.shutdown()
    finally:
        store.close()
