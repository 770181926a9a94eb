"""The household editor on a real database: create with four members and see the classification
with reasons, recognise it, edit and read the history, duplicates, unsaved-changes question, drafts."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from cannngheo_desktop.gui.registry import household_drafts as drafts
from cannngheo_desktop.gui.registry.history_dialog import HistoryDialog
from cannngheo_desktop.gui.registry.household_editor import HouseholdEditor
from cannngheo_desktop.gui.shell import errors
from cannngheo_desktop.registry import duplicates
from cannngheo_desktop.registry import queries as rq
from cannngheo_desktop.storage import assessments, households
from tests.gui.registry.household_helpers import FOUR, RURAL_UNIT, TODAY, add_member, fill_household


@pytest.fixture
def editor(qtbot, app_ctx, shown_messages):
    def make(household_id=None):
        e = HouseholdEditor(app_ctx, household_id, today=TODAY)
        qtbot.addWidget(e)
        e.show()
        return e
    return make


def _create(editor, members=FOUR):
    e = editor()
    fill_household(e)
    for m in members:
        add_member(e, m)
    return e


def test_create_with_four_members_shows_classification_and_reasons(editor, app_ctx):
    e = _create(editor)
    assert e.ui.membersTable.rowCount() == 4
    e._recompute()
    ev = e.panel.evaluation()
    assert ev is not None and ev.ruleset_code == "HN-2022"  # a Hà Nội commune: the city's own line
    assert ev.category == "near_poor" and ev.deprivation_count == 1  # the husband has no health insurance
    text = e.panel.current.result.text()
    assert "Hộ cận nghèo" in text and "1.000.000 đồng/người/tháng" in text
    assert "Bảo hiểm y tế" in text and "Trần Văn Hùng" in text
    assert e.panel.comparison() is not None and e.panel.comparison().ruleset_code == "VN-2027"
    assert "1.000.000 đồng/người/tháng" in e.ui.perPersonValue.text()
    assert e.save()
    hid = e.household_id
    hh = households.get_household(app_ctx.store, hid)
    assert hh["unit_code"] == RURAL_UNIT and hh["member_count"] == 4 and hh["head_name"] == "Nguyễn Thị Lan"
    assert hh["income_month"] == 4_000_000
    assert not e.panel.history_button.isEnabled()  # nothing saved yet
    e.panel.recognise_button.click()
    assert assessments.latest_assessment(app_ctx.store, hid)["recognised"] == 1
    assert households.get_household(app_ctx.store, hid)["category"] == "near_poor"
    assert e.panel.history_button.isEnabled() and e.panel.history_button.text() == "Các lần đã lưu (1)…"


def test_saved_assessments_list_with_the_reasons_of_the_one_selected(editor, app_ctx, qtbot):
    e = _create(editor)
    assert e.save()
    hid = e.household_id
    assessments.assess_many(app_ctx.store, "VN-2027", TODAY, household_ids=[hid], save=True)  # bulk: no texts
    e.panel.recognise_button.click()  # one at a time under HN-2022, with its reasons
    assert e.panel.history_button.text() == "Các lần đã lưu (2)…"
    dialog = e.show_saved_assessments()
    qtbot.addWidget(dialog)
    table = dialog.history.table
    assert table.rowCount() == 2
    shown = {table.item(r, 1).text(): [table.item(r, c).text() for c in range(table.columnCount())]
             for r in range(2)}
    assert shown["HN-2022"][2] == "Hộ cận nghèo" and shown["HN-2022"][6] == "Có"
    assert shown["VN-2027"][6] == "" and shown["VN-2027"][0] == TODAY.strftime("%d/%m/%Y")
    bulk_row = next(r for r in range(2) if table.item(r, 1).text() == "VN-2027")
    table.selectRow(bulk_row)
    text = dialog.history.details.toPlainText()
    fresh = assessments.evaluate_household(app_ctx.store, hid, "VN-2027", TODAY)
    assert fresh.indicator("health_insurance").reason in text  # rebuilt from the saved facts
    assert "Trần Văn Hùng" in text and "Bảo hiểm y tế" in text
    dialog.close()


def test_income_per_year_and_missing_fact_link_focuses_field(editor):
    e = editor()
    fill_household(e, income="")
    add_member(e, FOUR[0])
    e._recompute()
    assert e.panel.evaluation().category == "undetermined"
    assert "field:income_month" in e.panel.current.result.text()
    e.panel.current.result.linkActivated.emit("field:income_month")
    assert e.ui.tabs.currentIndex() == 4
    e.ui.incomeEdit.setText("24.000.000")
    e.ui.incomePeriodCombo.setCurrentIndex(e.ui.incomePeriodCombo.findData("year"))
    e._recompute()
    assert e.form.collect()[0]["income_month"] == 2_000_000
    e.dirty = False


def test_member_dialog_and_editor_show_errors_inline(editor, app_ctx):
    e = editor()
    fill_household(e)
    dialog = e.edit_member(None)
    dialog.ui.nameEdit.setText("Lê Văn A")
    dialog.ui.birthEdit.setText("01/01/2090")
    dialog.ui.cccdEdit.setText("12345")
    dialog.submit()
    assert dialog.isVisible() and "tương lai" in dialog.ui.errorLabel.text()
    assert "12 chữ số" in dialog.ui.errorLabel.text() and dialog.ui.cccdEdit.toolTip()
    dialog.reject()
    add_member(e, {**FOUR[1], "relation": "spouse"})
    assert not e.save()
    assert "chủ hộ" in e.ui.memberErrors.text() and e.ui.tabs.currentIndex() == 1
    assert rq.count_households(app_ctx.store, rq.ListQuery(include_removed=True)) == 0
    e.dirty = False


def test_edit_then_history_shows_field_before_after(editor, app_ctx, qtbot):
    e = _create(editor)
    assert e.save()
    hid = e.household_id
    e.ui.villageCombo.setCurrentText("Thôn 9")
    assert e.dirty
    assert e.save()
    dialog = HistoryDialog(app_ctx.store, hid)
    qtbot.addWidget(dialog)
    rows = dialog.rows
    assert any(r[3] == "Thôn/Tổ" and r[4] == "Thôn 1" and r[5] == "Thôn 9" for r in rows)
    assert any(r[3] == "Tạo hồ sơ hộ" for r in rows)
    assert all(r[1] == app_ctx.store.user for r in rows)


def test_repeated_cccd_warns_with_link_and_not_duplicate_is_remembered(editor, app_ctx, monkeypatch):
    from cannngheo_desktop.gui.registry import editor_checks

    first = _create(editor)
    assert first.save()
    other = first.household_id
    e = editor()
    fill_household(e, village="Thôn 5")
    add_member(e, {"full_name": "Phạm Thị Tư", "birth_date": "01/01/1980", "relation": "head", "sex": "female",
                   "cccd": FOUR[0]["cccd"]})
    asked = []

    def give_reason(dialog):  # issue 17: a CCCD of another household needs a recorded reason
        asked.append(dialog)
        dialog.reason.setText("Đang chờ xóa đăng ký ở hộ cũ")
        dialog.ok.click()
        return dialog.result()
    monkeypatch.setattr(editor_checks, "run_dialog", give_reason)
    assert not e.save()
    assert len(asked) == 1
    label = e.ui.duplicateLabel
    assert label.isVisible() and FOUR[0]["cccd"] in label.text() and f"open:{other}" in label.text()
    opened = []
    e.open_requested.connect(opened.append)
    label.linkActivated.emit(f"open:{other}")
    assert opened == [other]
    label.linkActivated.emit(f"notdup:{other}")
    assert e.save()
    assert duplicates.is_not_duplicate(app_ctx.store, e.household_id, other)
    assert duplicates.find_duplicates(app_ctx.store, {"id": e.household_id, "village": "Thôn 5"},
                              households.get_members(app_ctx.store, e.household_id)) == []


def test_close_with_unsaved_changes_asks(editor, app_ctx, monkeypatch):
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    asked = []

    def fake_present(box):
        asked.append(box.text())
        return int(answers.pop(0))

    monkeypatch.setattr(errors, "present", fake_present)
    e = editor()
    fill_household(e)
    add_member(e, FOUR[0])
    assert e.dirty
    e._write_draft()
    assert drafts.drafts_for(app_ctx.db_path)
    e.close()
    assert e.isVisible() and len(asked) == 1 and "chưa lưu" in asked[0]
    e.close()
    assert not e.isVisible() and len(asked) == 2
    assert rq.count_households(app_ctx.store, rq.ListQuery(include_removed=True)) == 0
    assert drafts.drafts_for(app_ctx.db_path) == []


def test_close_and_save_from_the_question(editor, app_ctx, monkeypatch):
    monkeypatch.setattr(errors, "present", lambda box: int(QMessageBox.StandardButton.Save))
    e = _create(editor)
    e.close()
    assert not e.isVisible()
    assert rq.count_households(app_ctx.store, rq.ListQuery()) == 1


def test_draft_survives_a_crash_and_is_offered_back(editor, app_ctx, qtbot, shown_messages):
    from cannngheo_desktop.gui.registry.households_tab import HouseholdsTab

    e = _create(editor)
    e._write_draft()  # what the timer does; then the app "crashes" (no close, no save)
    e.dirty = False
    left = drafts.drafts_for(app_ctx.db_path)
    assert len(left) == 1 and left[0][1]["household"]["village"] == "Thôn 1"
    tab = HouseholdsTab(app_ctx)
    qtbot.addWidget(tab)
    tab.offer_drafts()  # shown_messages answers Có
    reopened = [ed for ed in tab.editors.values() if ed is not e]
    assert len(reopened) == 1 and reopened[0].dirty
    assert reopened[0].ui.membersTable.rowCount() == 4
    assert reopened[0].save()
    assert drafts.drafts_for(app_ctx.db_path) == []


def test_a_ha_noi_commune_is_assessed_under_the_ha_noi_line_by_default(fresh_store) -> None:
    from datetime import date

    from cannngheo_desktop.core.standards import current_and_next
    from cannngheo_desktop.storage import reference, rulesets

    reference.load_reference(fresh_store)
    rulesets.load_shipped_rulesets(fresh_store)
    shipped = rulesets.list_rulesets(fresh_store)
    now, later = current_and_next(shipped, date(2026, 6, 1), reference.province_code(fresh_store, "00649"))
    assert (now.code, later.code) == ("HN-2022", "VN-2027")
    now, _ = current_and_next(shipped, date(2026, 6, 1), "79")  # another province: the national line
    assert now.code == "VN-2022"
    now, later = current_and_next(shipped, date(2027, 3, 1), "01")  # Hà Nội's line ended: the 2027 one
    assert (now.code, later) == ("VN-2027", None)
