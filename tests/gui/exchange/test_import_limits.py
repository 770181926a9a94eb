"""The import dialog shows files refused by the reading limits (an oversize file, a zip of
thousands of entries, a device) as reasons in its table, never a traceback, and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from cannngheo_desktop.exchange import keys
from cannngheo_desktop.gui.exchange import passphrase_dialog
from cannngheo_desktop.gui.exchange.exchange_tab import ExchangeTab
from cannngheo_desktop.gui.shell import files
from cannngheo_desktop.gui.shell.context import AppContext
from cannngheo_desktop.gui.shell.tasks import TaskRunner
from cannngheo_desktop.storage import installation, open_db
from tests.exchange.bundle_helpers import CHEAP, OFFICE, PASS, dump
from tests.exchange.limit_forge import many_entries


@pytest.fixture
def office(tmp_path, qtbot, monkeypatch, shown_messages):
    monkeypatch.setattr(passphrase_dialog, "ask_passphrase", lambda *a, **k: PASS)
    store = open_db(tmp_path / "phong.sqlite", user="canbo")
    installation.initialize(store, role="aggregator", unit_code=OFFICE, receiving_unit_code=None,
                            admin_name="canbo", admin_password="so-tay-can-bo-2026")
    keys.init_keys(store, PASS, kdf=CHEAP)
    ctx = AppContext(db_path=store.path, store=store, installation=installation.current(store),
                     user={"name": "canbo"}, tasks=TaskRunner(store.path, user="canbo"))
    yield ctx
    assert ctx.tasks.shutdown()
    store.close()


def test_refusals_by_the_limits_are_shown_in_the_dialog(qtbot, tmp_path, monkeypatch, office):
    big = tmp_path / "qua-lon.cnb"
    with big.open("wb") as fh:
        fh.truncate(300 << 20)                      # sparse 300 MB of zeros
    crowded = many_entries(tmp_path / "nhieu-muc.cnb", 5000)
    chosen = [big, crowded] + ([Path("/dev/zero")] if Path("/dev/zero").exists() else [])
    before = dump(office.store)
    tab = ExchangeTab(office)
    qtbot.addWidget(tab)
    tab.resize(1366, 768)
    tab.show()
    monkeypatch.setattr(files, "choose_open_files", lambda *a, **k: chosen)
    dialog = tab.import_files()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.checked is not None, timeout=15_000)
    reasons = [dialog.table.item(r, 6).text() for r in range(dialog.table.rowCount())]
    assert len(reasons) == len(chosen)
    expected = ["tệp quá lớn", "có 5.000 mục", "không phải tệp thông thường"]
    for path, reason, word in zip(chosen, reasons, expected, strict=False):
        assert f"'{path.name}' bị từ chối" in reason and word in reason, reason
        assert "Traceback" not in reason
    assert not dialog.apply_button.isEnabled()
    dialog.resize(1366, 768)
    shots = Path("/tmp/shots")
    if shots.is_dir():
        dialog.grab().save(str(shots / "import-limits.png"))
    dialog.apply()
    qtbot.waitUntil(lambda: dialog.applied, timeout=15_000)
    assert dialog.status.text() == "Kết quả: không có tệp nào được nhập."
    assert dump(office.store) == before
