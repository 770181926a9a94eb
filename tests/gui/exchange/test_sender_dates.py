"""Dates chosen by the sender are labelled as the sender's (issue 15, point 6): a commune whose PC
clock says 3 January sends a bundle; the office's import dialog, its list of received bundles and
its completeness grid show that date under "Ngày lập (theo máy đơn vị gửi)", apart from the
"Ngày nhận" this copy measured, both dd/mm/yyyy (Vietnam dates)."""

from __future__ import annotations

from datetime import datetime

import pytest

from cannngheo_desktop.exchange import completeness, envelope, export, sync
from cannngheo_desktop.gui.exchange import passphrase_dialog
from cannngheo_desktop.gui.exchange.bundle_import_dialog import BundleImportDialog
from cannngheo_desktop.gui.exchange.exchange_tab import RECEIVED_COLUMNS, SENT_COLUMNS, ExchangeTab
from cannngheo_desktop.gui.shell.context import AppContext
from cannngheo_desktop.gui.shell.tasks import TaskRunner
from cannngheo_desktop.storage import installation
from tests.exchange.bundle_helpers import COMMUNE, PASS, make_pair

SENDER_CLOCK = "2026-01-03T20:30:00.000000Z"   # 04/01/2026 in Vietnam (UTC+7)
SENDER_DAY = "04/01/2026"
PERIOD = "2026-01"


def _ctx(store) -> AppContext:
    return AppContext(db_path=store.path, store=store, installation=installation.current(store),
                      user={"name": "canbo"}, tasks=TaskRunner(store.path, user="canbo"))


@pytest.fixture
def sent(tmp_path, monkeypatch, qtbot):
    """(commune ctx, office ctx, bundle path): the commune's PC clock is wrong when it seals."""
    pair = make_pair(tmp_path)
    pair.add_households(2)
    with monkeypatch.context() as m:
        m.setattr(envelope, "utc_now", lambda: SENDER_CLOCK)
        bundle = export.export_bundle(pair.commune, PERIOD, pair.outbox, PASS)
    monkeypatch.setattr(passphrase_dialog, "ask_passphrase", lambda *a, **k: PASS)
    ctxs = (_ctx(pair.commune), _ctx(pair.office))
    yield (*ctxs, bundle)
    for ctx in ctxs:
        assert ctx.tasks.shutdown()
        ctx.store.close()


def _today() -> str:
    return datetime.now(completeness.VIETNAM).strftime("%d/%m/%Y")


def _headers(table) -> list[str]:
    return [table.horizontalHeaderItem(c).text().replace("\n", " ") for c in range(table.columnCount())]


def test_import_dialog_labels_the_date_as_the_senders(qtbot, sent) -> None:
    _commune, office, bundle = sent
    dialog = BundleImportDialog(office, [bundle])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    qtbot.waitUntil(lambda: dialog.checked is not None, timeout=15_000)
    column = _headers(dialog.table).index("Ngày lập (theo máy đơn vị gửi)")
    assert dialog.table.item(0, column).text() == SENDER_DAY
    assert "máy của đơn vị gửi" in dialog.table.horizontalHeaderItem(column).toolTip()
    assert f"Ngày lập (theo máy đơn vị gửi): {SENDER_DAY}" in dialog.summary_title.text()
    assert "Ngày nhận" not in _headers(dialog.table)   # nothing here pretends to be measured


def test_office_lists_and_grid_keep_the_two_dates_apart(qtbot, sent) -> None:
    commune, office, bundle = sent
    dialog = BundleImportDialog(office, [bundle])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    qtbot.waitUntil(lambda: dialog.checked is not None, timeout=15_000)
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: dialog.applied, timeout=15_000)
    assert [r["status"] for r in sync.list_bundles(office.store, "in")] == ["applied"]

    tab = ExchangeTab(office)
    qtbot.addWidget(tab)
    tab.resize(1366, 768)
    tab.show()
    assert _headers(tab.received_table) == RECEIVED_COLUMNS
    assert RECEIVED_COLUMNS[4:6] == ["Ngày lập (theo máy đơn vị gửi)", "Ngày nhận"]
    row = [tab.received_table.item(0, c).text() for c in range(tab.received_table.columnCount())]
    assert row[4] == SENDER_DAY and row[5] == _today() and row[4] != row[5]
    tab.grid.year.setValue(2026)
    tip = tab.grid.table.item(0, 0).toolTip()
    assert f"Ngày lập (theo máy đơn vị gửi): {SENDER_DAY}" in tip and f"Ngày nhận: {_today()}" in tip
    assert tab.grid.note.isVisible() and "Ngày lập (theo máy đơn vị gửi)" in tab.grid.note.text()
    assert tab.grid.status(COMMUNE, 1) == "received"   # sent (by its own clock) before 5 February

    own = ExchangeTab(commune)
    qtbot.addWidget(own)
    own.show()
    assert _headers(own.sent_table) == SENT_COLUMNS
    assert SENT_COLUMNS[3] == "Ngày xuất" and SENT_COLUMNS[5] == "Ngày nhận biên nhận"
    assert own.sent_table.item(0, 3).text() == _today()   # its own record of when it exported
    assert not own.grid.note.isVisible()


def test_an_impossible_sender_date_shows_blank_not_a_crash() -> None:
    """A signed manifest may carry any created_at; the year 9999 overflowed at UTC+7."""
    assert completeness.sent_date("9999-12-31T23:00:00Z") is None
    assert completeness.vn_day("9999-12-31T23:00:00Z") == ""
    assert completeness.vn_day("không phải ngày") == "" and completeness.vn_day(None) == ""
    assert completeness.vn_day(SENDER_CLOCK) == SENDER_DAY
