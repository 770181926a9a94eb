"""The "Rà soát" tab on a commune database: open a round, see the list, mark surveyed, set the
posting dates, record and resolve a complaint, confirm the decision, print the certificates —
message boxes and file choosers patched, nothing blocks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, QItemSelectionModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "review"))
from review_fixture import add_fixture_households  # noqa: E402

from cannngheo_desktop.gui.dialogs import files  # noqa: E402
from cannngheo_desktop.gui.tabs.reviews_tab import ReviewsTab  # noqa: E402


@pytest.fixture
def commune_ctx(qtbot, tmp_path):
    from cannngheo_desktop import installation
    from cannngheo_desktop.gui.context import AppContext
    from cannngheo_desktop.gui.tasks import TaskRunner
    from cannngheo_desktop.storage import open_db, users

    store = open_db(tmp_path / "xa.sqlite", lock=True, user="canbo")
    installation.initialize(store, role="commune", unit_code="00640", receiving_unit_code="020",
                            admin_name="canbo", admin_password="matkhau-123")
    ids = add_fixture_households(store)
    ctx = AppContext(db_path=store.path, store=store, installation=installation.current(store),
                     user=users.authenticate(store, "canbo", "matkhau-123"), tasks=TaskRunner(store.path, user="canbo"))
    yield ctx, ids
    ctx.tasks.wait()
    store.close()


def _select(tab, names):
    tab.table.clearSelection()
    model = tab.table.selectionModel()
    for n, r in enumerate(tab.rows):
        if r["head_name"] in names:
            model.select(tab.table.model().index(n, 0),
                         QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)


def _set_day(tab, y, m, d):
    tab.day_edit.setDate(QDate(y, m, d))


def test_walk_through_a_round(qtbot, commune_ctx, shown_messages, monkeypatch, tmp_path):
    ctx, _ids = commune_ctx
    tab = ReviewsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1366, 768)
    tab.show()
    assert tab.round_combo.count() == 0 and "Chưa có đợt" in tab.steps_label.text()
    tab.year_spin.setValue(2026)
    _set_day(tab, 2026, 11, 2)
    tab.create_button.click()
    assert tab.round_combo.count() == 1 and tab.table.rowCount() == 5
    assert {tab.table.item(r, 1).text() for r in range(5)} >= {"Nguyễn Văn Đức", "Trần Thị Hoà"}
    assert "còn 5 hộ chưa rà soát" in tab.facts_label.text()

    # A request form for a household not on the list (search folds diacritics).
    tab.add_button.click()
    dialog = tab.add_dialog
    dialog.ui.searchEdit.setText("dang thi ngoc anh")
    dialog.search()
    assert dialog.ui.householdList.count() == 1
    dialog.ui.buttonBox.button(dialog.ui.buttonBox.StandardButton.Ok).click()
    assert "người nộp" in dialog.ui.errorLabel.text() and dialog.isVisible()
    dialog.ui.requestByEdit.setText("Đặng Thị Ngọc Ánh")
    dialog.ui.buttonBox.button(dialog.ui.buttonBox.StandardButton.Ok).click()
    assert not dialog.isVisible() and tab.table.rowCount() == 6
    assert "Có giấy đề nghị" in {tab.table.item(r, 2).text() for r in range(6)}

    tab.decision_edit.setText("125/QĐ-UBND")  # deciding now is refused with the reason
    tab.decide_button.click()
    assert "6 hộ chưa rà soát" in shown_messages[-1][2]

    _set_day(tab, 2026, 11, 5)
    tab.table.selectAll()
    tab.survey_button.click()
    assert "còn 0 hộ chưa rà soát" in tab.facts_label.text()
    assert tab.table.item(0, 4).text() != ""
    _set_day(tab, 2026, 11, 16)
    tab.table.selectAll()
    tab.meeting_button.click()
    assert "2 thôn/tổ" in shown_messages[-1][2]

    _set_day(tab, 2026, 11, 27)
    tab.posting_button.click()
    assert "Niêm yết 27/11/2026 – 02/12/2026" in tab.facts_label.text()
    tab.grab().save(str(tmp_path / "reviews_tab.png"))

    _set_day(tab, 2026, 11, 30)
    _select(tab, {"Lê Văn Hưởng"})
    tab.complaint_edit.setText("Hộ vừa mất việc, đề nghị xem lại")
    tab.complaint_button.click()
    row = next(n for n, r in enumerate(tab.rows) if r["head_name"] == "Lê Văn Hưởng")
    assert tab.table.item(row, 6).text() == "Chờ giải quyết"
    _select(tab, {"Lê Văn Hưởng"})
    tab.complaint_edit.setText("Kiểm tra lại: thu nhập 2.000.000 đ/người/tháng")
    tab.resolve_combo.setCurrentIndex(tab.resolve_combo.findData("near_poor"))
    tab.resolve_button.click()
    assert tab.table.item(row, 6).text() == "Đã giải quyết"

    _set_day(tab, 2026, 12, 4)
    tab.decide_button.click()
    assert "Đã ban hành quyết định" in shown_messages[-1][2]
    assert "Quyết định 125/QĐ-UBND ngày 04/12/2026" in tab.facts_label.text()

    out = tmp_path / "gcn"
    monkeypatch.setattr(files, "choose_save_file", lambda *a, **k: out)
    _set_day(tab, 2026, 12, 7)
    tab.certificates_button.click()
    pages = PdfReader(str(out.with_suffix(".pdf"))).pages
    assert len(pages) == 6  # A, B, C (kept near-poor after the complaint), D (new poor), G, H
    assert "Lê Văn Hưởng" in "".join(p.extract_text() for p in pages)
    assert all(tab.table.item(r, 8).text().endswith("/GCN-HN.HCN") for r in range(tab.table.rowCount()))
