"""Issue 17.5 in the real editor and member dialog: a birth year alone, the CCCD structure
warning, and the reason asked before keeping a CCCD held by another household (audited)."""

from __future__ import annotations

import os

import pytest
from PySide6.QtWidgets import QDialog

from cannngheo_desktop.gui.registry import editor_checks
from cannngheo_desktop.gui.registry.household_editor import HouseholdEditor
from cannngheo_desktop.storage import households
from tests.gui.registry.household_helpers import FOUR, TODAY, add_member, fill_household, fill_member

SHOTS = os.environ.get("CANNNGHEO_SHOTS")  # a folder: the tests also save 1366x768 screenshots


def _shot(widget, name: str) -> None:
    if SHOTS:
        widget.resize(1366, 768)
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


@pytest.fixture
def editor(qtbot, app_ctx, shown_messages):
    def make(household_id=None):
        e = HouseholdEditor(app_ctx, household_id, today=TODAY)
        qtbot.addWidget(e)
        e.show()
        return e
    return make


def test_a_birth_year_alone_is_typed_stored_and_shown_as_a_year(editor, app_ctx):
    e = editor()
    fill_household(e)
    add_member(e, {"full_name": "Nguyễn Văn Cả", "birth_date": "1948", "relation": "head", "sex": "male"})
    assert e.members[0]["birth_date"] == "1948-01-01" and e.members[0]["birth_year_only"] == 1
    assert e.ui.membersTable.item(0, 2).text() == "1948"
    assert e.save()
    (stored,) = households.get_members(app_ctx.store, e.household_id)
    assert (stored["birth_date"], stored["birth_year_only"]) == ("1948-01-01", 1)
    e.ui.tabs.setCurrentIndex(1)
    _shot(e, "household_editor_year_only")
    dialog = e.edit_member(0)
    assert dialog.ui.birthEdit.text() == "1948"
    _shot(dialog, "member_dialog_year_only")
    fill_member(dialog, {"birth_date": "15/04/1948"})  # the full date found later replaces the year
    dialog.submit()
    assert e.members[0]["birth_year_only"] == 0 and e.ui.membersTable.item(0, 2).text() == "15/04/1948"


def test_a_cccd_that_disagrees_with_the_person_is_warned_once(editor):
    e = editor()
    fill_household(e)
    dialog = e.edit_member(None)
    fill_member(dialog, {"full_name": "Lê Văn Tư", "birth_date": "1987", "relation": "head", "sex": "male",
                         "cccd": "003190000123"})
    dialog.submit()
    text = dialog.ui.errorLabel.text()
    assert dialog.result() != QDialog.DialogCode.Accepted and e.members == []
    assert text.startswith("Cảnh báo:") and "'003'" in text and "(nữ)" in text and "'90'" in text
    _shot(dialog, "member_dialog_cccd_warning")
    dialog.submit()  # seen: a second Đồng ý keeps the number as typed
    assert [m["cccd"] for m in e.members] == ["003190000123"]


def test_a_cccd_of_another_household_needs_a_reason(editor, app_ctx, monkeypatch):
    first = editor()
    fill_household(first)
    for m in FOUR:
        add_member(first, m)
    assert first.save()
    shown: list[editor_checks.CccdReasonDialog] = []

    def answer(reason):
        def run(dialog):
            shown.append(dialog)
            assert not dialog.ok.isEnabled()  # no empty reason
            if reason is None:
                dialog.reject()
            else:
                dialog.reason.setText(reason)
                assert dialog.ok.isEnabled()
                dialog.ok.click()
            return dialog.result()
        return run

    e = editor()
    fill_household(e, village="Thôn 5")
    add_member(e, {**FOUR[0], "full_name": "Nguyễn Thị Lan B"})
    monkeypatch.setattr(editor_checks, "run_dialog", answer(None))
    assert not e.save() and e.household_id is None
    assert FOUR[0]["cccd"] in shown[0].message.text()
    _shot(shown[0], "cccd_reason_prompt")
    monkeypatch.setattr(editor_checks, "run_dialog", answer("Chờ cắt khẩu ở hộ cũ"))
    assert not e.save()  # the reason is taken; the possible-duplicate panel is then shown once
    assert e.ui.duplicateLabel.isVisible()
    assert e.save()  # «Vẫn lưu»: not asked again
    assert len(shown) == 2
    (event,) = app_ctx.store.query("SELECT * FROM household_events WHERE household_id = ?", (e.household_id,))
    assert event["kind"] == "cccd_duplicate_kept" and event["related_household_id"] == first.household_id
    assert event["note"].endswith("Lý do: Chờ cắt khẩu ở hộ cũ")
    assert app_ctx.store.scalar("SELECT count(*) FROM audit_log WHERE row_id = ?", (event["id"],)) >= 1
