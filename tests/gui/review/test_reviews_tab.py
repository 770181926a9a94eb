"""The "Rà soát" tab on a commune database, step page by step page: open a round, record a
request, survey, village meeting minutes with an override, posting with a holiday, a complaint,
the decision, certificates and replies (PDF on the worker, read back), the round report, an
ongoing round with an overdue request — message boxes and file choosers patched, nothing blocks."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import QDate, QItemSelectionModel, Qt

from cannngheo_desktop.gui.review import page_helpers
from cannngheo_desktop.gui.review.reviews_tab import ReviewsTab
from cannngheo_desktop.gui.shell import files
from cannngheo_desktop.review import settings as review_settings
from tests.review.review_fixture import add_fixture_households


@pytest.fixture
def commune_ctx(qtbot, tmp_path):
    from cannngheo_desktop.gui.shell.context import AppContext
    from cannngheo_desktop.gui.shell.tasks import TaskRunner
    from cannngheo_desktop.storage import installation, open_db, users

    store = open_db(tmp_path / "xa.sqlite", lock=True, user="canbo")
    installation.initialize(store, role="commune", unit_code="00640", receiving_unit_code="020",
                            admin_name="canbo", admin_password="so-tay-can-bo-2026")
    ids = add_fixture_households(store)
    ctx = AppContext(db_path=store.path, store=store, installation=installation.current(store),
                     user=users.authenticate(store, "canbo", "so-tay-can-bo-2026"), tasks=TaskRunner(store.path, user="canbo"))
    yield ctx, ids
    assert ctx.tasks.shutdown()
    store.close()


def _select(table, rows, names):
    table.clearSelection()
    model = table.selectionModel()
    for n, r in enumerate(rows):
        if r["head_name"] in names:
            model.select(table.model().index(n, 0),
                         QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)


def _day(edit, y, m, d):
    edit.setDate(QDate(y, m, d))


def test_walk_through_a_round(qtbot, commune_ctx, shown_messages, monkeypatch, tmp_path):
    ctx, _ids = commune_ctx
    opened = []
    monkeypatch.setattr(page_helpers, "open_document", opened.append)
    tab = ReviewsTab(ctx)
    tab.today = lambda: date(2026, 12, 20)
    qtbot.addWidget(tab)
    tab.resize(1280, 660)
    tab.show()
    assert tab.round_combo.count() == 0 and tab.pages.currentWidget() is tab.new_page
    new = tab.new_page
    new.year.setValue(2026)
    _day(new.day, 2026, 11, 2)
    new.create_button.click()
    assert tab.round_combo.count() == 1 and tab.pages.currentIndex() == 0
    assert tab.step_buttons[0].isChecked() and "Danh sách" in tab.step_buttons[0].text()
    listing = tab.step_pages[0]
    assert listing.table.rowCount() == 5
    header = listing.table.horizontalHeader()
    assert header.sectionSize(1) > header.sectionSize(len(listing.HEADERS) - 1)  # the name column stretches

    # A request form for a household not on the list (search folds diacritics).
    listing.add_button.click()
    dialog = tab.add_dialog
    dialog.ui.requestByEdit.setText("Đặng Thị Ngọc Ánh")
    dialog.ui.searchEdit.setText("dang thi ngoc anh")
    qtbot.keyClick(dialog.ui.searchEdit, Qt.Key.Key_Return)  # Enter searches; it must not also press Thêm
    assert dialog.isVisible() and dialog.ui.householdList.count() >= 1 and listing.table.rowCount() == 5
    dialog.ui.buttonBox.button(dialog.ui.buttonBox.StandardButton.Ok).click()
    assert not dialog.isVisible() and listing.table.rowCount() == 6

    from cannngheo_desktop.review import rounds as rv

    rv.record_request(ctx.store, tab.review_id(), _ids["E"], request_date="03/11/2026", request_by="Phạm Văn Lương",
                      request_kind="recognise")
    tab.refresh()
    decision = tab.step_pages[5]
    assert "7 hộ chưa rà soát" in decision.status.text()

    survey = tab.step_pages[1]
    tab.step_buttons[1].click()
    assert tab.pages.currentWidget() is survey and survey.table.rowCount() == 7
    _day(survey.day, 2026, 11, 5)
    survey.table.selectAll()
    survey.button.click()
    assert survey.table.rowCount() == 0 and "Còn 0 / 7" in survey.count_label.text()
    assert tab.pages.currentIndex() == 1  # the page stays where the user works

    meeting = tab.step_pages[2]
    tab.step_buttons[2].click()
    names = [v["village"] for v in meeting.villages]
    assert names == ["Thôn Hai", "Thôn Một"]
    meeting.village_table.selectRow(names.index("Thôn Một"))
    assert meeting.village_label.text() == "Thôn Một"
    row_c = next(n for n, r in enumerate(meeting.listed) if r["head_name"] == "Lê Văn Hưởng")
    combo = meeting.household_table.cellWidget(row_c, 2)
    combo.setCurrentIndex(combo.findData("near_poor"))
    _day(meeting.day, 2026, 11, 16)
    meeting.attendees.setValue(41)
    meeting.save_button.click()  # a change without a reason is refused
    assert "phải ghi lý do" in shown_messages[-1][2]
    meeting.household_table.cellWidget(row_c, 3).setText("Chủ hộ ốm dài ngày")
    meeting.save_button.click()
    assert "Đã lưu biên bản họp dân Thôn Một" in shown_messages[-1][2]
    done = {v["village"]: v["meeting"] for v in meeting.villages}
    assert done["Thôn Một"]["attendees"] == 41 and "ốm dài ngày" in done["Thôn Một"]["disagreements"]
    meeting.village_table.selectRow([v["village"] for v in meeting.villages].index("Thôn Hai"))
    meeting.save_button.click()

    posting = tab.step_pages[3]
    tab.step_buttons[3].click()
    _day(posting.start, 2026, 11, 27)
    assert posting.end_label.text().startswith("02/12/2026")
    posting.add_holiday(date(2026, 12, 1))  # shown live before it is saved
    assert posting.end_label.text().startswith("03/12/2026")
    posting.save_button.click()
    assert "niêm yết 27/11/2026–03/12/2026" in tab.facts_label.text()
    assert "2026-12-01" in ctx.store.get_setting("review.holidays")
    tab.grab().save(str(tmp_path / "reviews_tab.png"))

    complaints = tab.step_pages[4]
    tab.step_buttons[4].click()
    _select(complaints.table, complaints.rows, {"Hoàng Văn Giáp"})
    _day(complaints.day, 2026, 11, 30)
    complaints.by.setText("Hoàng Văn Giáp")
    complaints.text.setText("Nhà bị bão làm sập, đề nghị xem lại")
    complaints.record_button.click()
    assert complaints.rows[0]["head_name"] == "Hoàng Văn Giáp"
    assert complaints.table.item(0, 5).text() == "Chờ giải quyết"
    assert "khiếu nại chưa giải quyết" in decision.status.text()
    _select(complaints.table, complaints.rows, {"Hoàng Văn Giáp"})
    complaints.outcome.setText("Kiểm tra lại: nhà sập, thu nhập giảm")
    complaints.category.setCurrentIndex(complaints.category.findData("poor"))
    _day(complaints.resolve_day, 2026, 12, 4)
    complaints.resolve_button.click()
    assert complaints.table.item(0, 5).text().startswith("Kiểm tra lại")

    tab.step_buttons[5].click()
    decision.number.setText("125/QĐ-UBND")
    _day(decision.day, 2026, 12, 10)
    decision.decide_button.click()
    assert "Đã ban hành quyết định" in shown_messages[-1][2]
    assert "QĐ 125/QĐ-UBND" in tab.facts_label.text()
    assert not decision.decide_button.isEnabled()
    from cannngheo_desktop.storage import households

    assert households.get_household(ctx.store, _ids["G"])["category"] == "poor"

    replies = tmp_path / "tra-loi"
    monkeypatch.setattr(files, "choose_save_file", lambda *a, **k: replies)
    seen = len(shown_messages)
    decision.replies_button.click()  # E asked to be recognised and is not poor
    ctx.tasks.wait()
    qtbot.waitUntil(lambda: len(opened) == 1 or len(shown_messages) > seen)
    assert opened, shown_messages[-1]
    assert "Phạm Văn Lương" in PdfReader(str(opened[0])).pages[0].extract_text()

    certificates = tab.step_pages[6]
    tab.step_buttons[6].click()
    out = tmp_path / "gcn"
    monkeypatch.setattr(files, "choose_save_file", lambda *a, **k: out)
    _day(certificates.day, 2026, 12, 15)
    assert certificates.signer.text() == ""
    certificates.signer.setText("Đỗ Thị Ký")
    certificates.signer.editingFinished.emit()  # leaving the field saves the name
    assert review_settings.signer_name(ctx.store) == "Đỗ Thị Ký"
    certificates.signer.setText("Đỗ Thị Kim Ký")  # typed, then printed straight away: saved first
    certificates.all_button.click()
    ctx.tasks.wait()
    qtbot.waitUntil(lambda: len(opened) == 2)
    assert review_settings.signer_name(ctx.store) == "Đỗ Thị Kim Ký" and certificates.signer.text() == "Đỗ Thị Kim Ký"
    pages = PdfReader(str(out.with_suffix(".pdf"))).pages
    assert len(pages) == certificates.table.rowCount() == 6  # every household decided poor or near-poor, E refused
    text = "".join(p.extract_text() for p in pages)
    assert "Lê Văn Hưởng" in text and "001/GCN-HN.HCN" in text
    assert all("Đỗ Thị Kim Ký" in p.extract_text() for p in pages)
    assert all(certificates.table.item(r, 3).text().endswith("/GCN-HN.HCN") for r in range(6))

    report = tab.step_pages[7]
    tab.step_buttons[7].click()
    texts = [report.table.item(r, 1).text() for r in range(report.table.rowCount())]
    assert "Biến động so với danh sách trước" in texts
    xlsx = tmp_path / "bc"
    monkeypatch.setattr(files, "choose_save_file", lambda *a, **k: xlsx)
    tab.export_report("xlsx")
    ctx.tasks.wait()
    qtbot.waitUntil(lambda: len(opened) == 3)
    assert load_workbook(opened[2]).active.max_row > 10


def test_ongoing_round_and_overdue_requests(qtbot, commune_ctx, shown_messages):
    from PySide6.QtWidgets import QTabWidget

    ctx, ids = commune_ctx
    holder = QTabWidget()
    qtbot.addWidget(holder)
    tab = ReviewsTab(ctx)
    tab.today = lambda: date(2026, 11, 25)
    holder.addTab(tab, "Rà soát")
    new = tab.new_page
    new.ongoing.setChecked(True)
    new.year.setValue(2026)
    new.month.setValue(11)
    _day(new.day, 2026, 11, 1)
    new.create_button.click()
    assert "thường xuyên tháng 11/2026" in tab.round_combo.currentText()
    assert tab.step_pages[0].table.rowCount() == 0
    from cannngheo_desktop.review import rounds as rv

    rv.record_request(ctx.store, tab.review_id(), ids["D"], request_date="05/11/2026", request_by="Chị Ánh",
                      request_kind="recognise")
    rv.record_request(ctx.store, tab.review_id(), ids["K"], request_date="20/11/2026", request_by="Anh Khôi",
                      request_kind="recognise")
    tab.refresh()
    assert tab.overdue_button.text() == "Quá hạn 15 ngày: 1"
    assert holder.tabText(0) == "Rà soát (1 quá hạn)"
    assert tab.startup_notes() == ["Rà soát: 1 giấy đề nghị quá hạn 15 ngày chưa trả lời."]
    tab.overdue_button.click()
    table = tab.overdue_page.table
    assert tab.pages.currentWidget() is tab.overdue_page and table.rowCount() == 1
    assert table.item(0, 2).text() == "Đặng Thị Ngọc Ánh" and table.item(0, 4).text() == "20/11/2026"
    assert table.item(0, 2).foreground().color().name() == "#b00020"
