"""The import dialog shows refusals by kind, direction and row ownership as they are (issue 15,
point 2): the office checks a commune's forged reference bundle and a report that extends the
office's plan; both rows say why, nothing can be applied, the database is unchanged."""

from __future__ import annotations

import os

import pytest

from cannngheo_desktop.gui.exchange import passphrase_dialog
from cannngheo_desktop.gui.exchange.bundle_import_dialog import BundleImportDialog
from cannngheo_desktop.gui.shell.context import AppContext
from cannngheo_desktop.gui.shell.tasks import TaskRunner
from cannngheo_desktop.plan import plans
from cannngheo_desktop.storage import installation
from tests.exchange.bundle_helpers import COMMUNE, OFFICE, PASS, dump, make_pair
from tests.exchange.forge import forge, row


@pytest.fixture
def office_with_forgeries(tmp_path, monkeypatch):
    pair = make_pair(tmp_path)
    plan = plans.create_plan(pair.office, unit_code=OFFICE, year=2026, title="Kế hoạch 2026 của huyện")
    plans.set_plan_units(pair.office, plan["id"], [{"target_unit_code": COMMUNE, "baseline_near_poor": 505}])
    ruleset = dict(pair.commune.query_one("SELECT * FROM rulesets WHERE code = 'HN-2022'"))
    ruleset.update(id="rs-gia", code="HN-2027-GIA", unit_code=COMMUNE)
    forged_reference = forge(pair.commune, pair.office, "reference", [("rulesets", ruleset)], pair.outbox,
                             name="00640-tham-chieu-gia.cnb")
    extra = row(COMMUNE, id="pu-gia", plan_id=plan["id"], target_unit_code=COMMUNE, baseline_near_poor=999)
    forged_report = forge(pair.commune, pair.office, "commune-report", [("plan_units", extra)], pair.outbox,
                          name="00640-2026-01-1.cnb")
    monkeypatch.setattr(passphrase_dialog, "ask_passphrase", lambda *a, **k: PASS)
    ctx = AppContext(db_path=pair.office.path, store=pair.office, installation=installation.current(pair.office),
                     user={"name": "canbo"}, tasks=TaskRunner(pair.office.path, user="canbo"))
    yield pair, ctx, plan, [forged_reference, forged_report]
    assert ctx.tasks.shutdown()
    pair.commune.close()
    pair.office.close()


def test_the_import_dialog_shows_why_each_forged_file_is_refused(qtbot, office_with_forgeries) -> None:
    pair, ctx, plan, files = office_with_forgeries
    before = (dump(pair.commune), dump(pair.office))
    dialog = BundleImportDialog(ctx, files)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    dialog.start()
    qtbot.waitUntil(lambda: dialog.checked is not None, timeout=15_000)
    texts = [f.state_text() for f in dialog.checked.files]
    assert "chỉ được nhận từ cơ quan tiếp nhận" in texts[0] and "00640-tham-chieu-gia.cnb" in texts[0]
    assert f"bảng plan_units, dòng pu-gia: kế hoạch {plan['id']} thuộc đơn vị {OFFICE}" in texts[1]
    assert "2 bị từ chối" in dialog.status.text()
    assert not dialog.apply_button.isEnabled()
    shown = [dialog.table.item(r, c).toolTip() for r in range(2) for c in range(dialog.table.columnCount())]
    assert texts[0] in shown and texts[1] in shown
    if os.environ.get("CNB_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["CNB_SHOTS"], "authority-import-dialog.png"))
    assert (dump(pair.commune), dump(pair.office)) == before
