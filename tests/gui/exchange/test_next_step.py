"""The exchange tab tells the cadre what to do next with ONE primary button (commune: "Xuất gói
tháng MM/YYYY", office: "Nhập gói…"); key ids and fingerprints stay behind "Chi tiết" once the
keys are set up, and are shown while setting them up is the next step."""

from __future__ import annotations

from datetime import date

import pytest

from cannngheo_desktop.exchange import export
from cannngheo_desktop.gui.exchange.exchange_tab import ExchangeTab, next_period
from cannngheo_desktop.gui.shell.context import AppContext
from cannngheo_desktop.gui.shell.tasks import TaskRunner
from cannngheo_desktop.storage import installation, open_db
from tests.exchange.bundle_helpers import COMMUNE, OFFICE, PASS, make_pair


def _previous_month(today: date) -> str:
    return f"{today.year - 1}-12" if today.month == 1 else f"{today.year}-{today.month - 1:02d}"


def _ctx(store) -> AppContext:
    return AppContext(db_path=store.path, store=store, installation=installation.current(store),
                      user={"name": "canbo"}, tasks=TaskRunner(store.path, user="canbo"))


@pytest.fixture
def pair(tmp_path, shown_messages):
    p = make_pair(tmp_path)
    ctxs = (_ctx(p.commune), _ctx(p.office))
    yield p, ctxs
    for ctx in ctxs:
        assert ctx.tasks.shutdown()
        ctx.store.close()


def _tab(qtbot, ctx) -> ExchangeTab:
    tab = ExchangeTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def test_next_period_is_the_previous_month_until_it_was_sent():
    assert next_period(None, date(2026, 12, 4)) == "2026-11"
    assert next_period(None, date(2027, 1, 3)) == "2026-12"      # across the year
    assert next_period("2026-10", date(2026, 12, 4)) == "2026-11"  # an older month was the last sent
    assert next_period("2026-11", date(2026, 12, 4)) == "2026-12"  # November sent: December comes next


def test_commune_without_keys_shows_the_key_step(qtbot, tmp_path, shown_messages):
    store = open_db(tmp_path / "xa.sqlite", user="canbo")
    installation.initialize(store, role="commune", unit_code=COMMUNE, receiving_unit_code=OFFICE,
                            admin_name="canbo", admin_password="matkhau-123")
    ctx = _ctx(store)
    try:
        tab = _tab(qtbot, ctx)
        assert "Tạo khóa" in tab.hint.text()
        assert tab.keys_panel.isVisible() and tab.keys_panel.create_button.isVisible()  # the step itself
        assert not tab.export_button.isEnabled()
    finally:
        assert ctx.tasks.shutdown()
        store.close()


def test_commune_ready_names_the_month_and_hides_the_technical_details(qtbot, pair, tmp_path):
    p, (commune_ctx, _office_ctx) = pair
    tab = _tab(qtbot, commune_ctx)
    month = _previous_month(date.today())
    label = f"{month[5:7]}/{month[:4]}"
    assert tab.export_button.text() == f"Xuất gói tháng {label}" and tab.export_button.isEnabled()
    assert tab.export_button.isDefault()
    assert not tab.import_button.isDefault()  # one primary action only
    assert f"xuất gói tháng {label}" in tab.hint.text() and "Huyện Thanh Trì" in tab.hint.text()
    # key ids and fingerprints only behind "Chi tiết"
    assert not tab.keys_panel.isVisible() and not tab.keys_panel.own_label.isVisible()
    assert "vân tay" not in tab.hint.text().lower() and "key" not in tab.hint.text().lower()
    tab.details_button.click()
    assert tab.keys_panel.isVisible() and "Dấu vân tay" in tab.keys_panel.own_label.text()
    tab.details_button.click()
    assert not tab.keys_panel.isVisible()
    dialog = tab.export_button.click() or tab.dialog
    qtbot.addWidget(dialog)
    assert dialog.period == month  # the dialog opens at the month the button named
    dialog.close()
    # once that month is sent, the button moves on to this month
    export.export_bundle(p.commune, month, p.outbox, PASS)
    tab.refresh()
    this = f"{date.today():%m/%Y}"
    assert tab.export_button.text() == f"Xuất gói tháng {this}"
    assert f"Gói gần nhất đã gửi: tháng {label}" in tab.hint.text()
    assert not tab.keys_panel.isVisible()  # the cadre's choice is kept across refreshes


def test_office_ready_has_import_as_its_one_primary_action(qtbot, pair):
    _p, (_commune_ctx, office_ctx) = pair
    tab = _tab(qtbot, office_ctx)
    assert tab.import_button.text() == "Nhập gói…" and tab.import_button.isDefault()
    assert not tab.import_folder_button.isDefault() and not tab.reference_button.isDefault()
    assert "Nhập gói" in tab.hint.text()
    assert not tab.keys_panel.isVisible() and not tab.recovery_button.isVisible()
    tab.details_button.click()
    assert tab.recovery_button.isVisible()
