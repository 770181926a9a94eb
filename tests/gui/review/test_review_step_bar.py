"""The Rà soát tab's head (issue 17.6) and the meeting vote in the window: each step shows its
legal deadline, the current step is framed and said in words, a late one turns red, the way to
the current step is offered only from another page, the technical details open behind "Chi tiết";
a village vote under 50% keeps the minutes and sends the households back to the survey."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt

from cannngheo_desktop.gui.review.reviews_tab import ReviewsTab
from cannngheo_desktop.review import meetings as rm
from cannngheo_desktop.review import rounds as rv
from tests.gui.review.test_reviews_tab import commune_ctx  # noqa: F401 - the fixture


def _tab(qtbot, ctx, today: date) -> ReviewsTab:
    tab = ReviewsTab(ctx)
    tab.today = lambda: today
    qtbot.addWidget(tab)
    tab.resize(1366, 768)
    tab.show()
    tab.refresh()
    return tab


def test_steps_show_deadlines_and_what_to_do_next(qtbot, commune_ctx, shown_messages):  # noqa: F811
    ctx, _ids = commune_ctx
    rv.create_round(ctx.store, kind="annual", year=2026, ruleset_code="VN-2022", on=date(2026, 11, 2))
    tab = _tab(qtbot, ctx, date(2026, 11, 27))
    bar = tab.step_bar
    # Decision 24/2021 Art. 3.1.a: the annual review ends on 14/12 of the year
    assert "hạn 14/12/2026" in bar.buttons[0].text() and "hạn 14/12/2026" in bar.buttons[5].text()
    assert "3 ngày làm việc" in bar.buttons[3].text()  # no posting date yet
    assert "border: 2px solid" in bar.buttons[0].styleSheet()  # the current step is framed
    assert "Bước 1. Lập danh sách" in bar.next_label.text()
    assert tab.pages.currentIndex() == 0 and bar.next_button.isHidden()  # already on the current step
    qtbot.mouseClick(bar.buttons[6], Qt.MouseButton.LeftButton)
    assert tab.pages.currentIndex() == 6 and not bar.next_button.isHidden()
    qtbot.mouseClick(bar.next_button, Qt.MouseButton.LeftButton)
    assert tab.pages.currentIndex() == 0
    assert bar.details.isHidden()
    qtbot.mouseClick(bar.details_button, Qt.MouseButton.LeftButton)
    assert not bar.details.isHidden()
    assert "QĐ 24/2021/QĐ-TTg" in bar.details.text() and "Điều 3 khoản 1 điểm a" in bar.details.text()
    assert "(chưa xác nhận)" not in bar.details.text()

    tab.today = lambda: date(2026, 12, 16)
    tab.refresh()
    assert "quá hạn 2 ngày" in bar.buttons[0].text() and "#b00020" in bar.buttons[0].styleSheet()
    assert "quá hạn 2 ngày" in bar.next_label.text()


def test_a_round_under_decree_351_says_unconfirmed(qtbot, commune_ctx, shown_messages):  # noqa: F811
    ctx, _ids = commune_ctx
    rv.create_round(ctx.store, kind="annual", year=2027, ruleset_code="VN-2027", on=date(2027, 9, 1))
    tab = _tab(qtbot, ctx, date(2027, 9, 2))
    qtbot.mouseClick(tab.step_bar.details_button, Qt.MouseButton.LeftButton)
    assert "351/2025" in tab.step_bar.details.text() and "(chưa xác nhận)" in tab.step_bar.details.text()


def test_meeting_vote_under_half_sends_the_village_back(qtbot, commune_ctx, shown_messages):  # noqa: F811
    ctx, _ids = commune_ctx
    rnd = rv.create_round(ctx.store, kind="annual", year=2026, ruleset_code="VN-2022", on=date(2026, 11, 2))
    for item in rv.items(ctx.store, rnd["id"], village="Thôn Một"):
        rv.record_survey(ctx.store, item["id"], phieu_a_result="continue", on=date(2026, 11, 5))
    tab = _tab(qtbot, ctx, date(2026, 11, 10))
    page = tab.step_pages[2]
    qtbot.mouseClick(tab.step_bar.buttons[2], Qt.MouseButton.LeftButton)
    names = [v["village"] for v in page.villages]
    page.village_table.selectRow(names.index("Thôn Một"))
    page.day.setDate(QDate(2026, 11, 9))
    page.attendees.setValue(30)
    page.votes_for.setValue(14)
    page.votes_against.setValue(16)
    page.chair.setText("Lê Văn Chủ")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    minutes = rm.meetings(ctx.store, rnd["id"])
    assert [(m["votes_for"], m["passed"], m["chair"]) for m in minutes] == [(14, 0, "Lê Văn Chủ")]
    assert any("dưới 50%" in text for _icon, _title, text in shown_messages)
    assert all(i["surveyed_on"] is None for i in rv.items(ctx.store, rnd["id"], village="Thôn Một"))
    row = [v["village"] for v in page.villages].index("Thôn Một")
    assert page.village_table.item(row, 3).text() == "09/11/2026 (chưa đạt 50%)"


def test_print_the_minutes_and_the_decision_then_close(qtbot, commune_ctx, shown_messages, monkeypatch,  # noqa: F811
                                                       tmp_path):
    from pypdf import PdfReader

    from cannngheo_desktop.gui.review import page_helpers
    from cannngheo_desktop.gui.shell import files
    from cannngheo_desktop.review import outcome as rd

    ctx, _ids = commune_ctx
    opened: list = []
    monkeypatch.setattr(page_helpers, "open_document", opened.append)
    rnd = rv.create_round(ctx.store, kind="annual", year=2026, ruleset_code="VN-2022", on=date(2026, 11, 2))
    for item in rv.items(ctx.store, rnd["id"]):
        rv.record_survey(ctx.store, item["id"], phieu_a_result="continue", on=date(2026, 11, 5))
    for village in ("Thôn Một", "Thôn Hai"):
        rm.record_meeting(ctx.store, rnd["id"], village=village, meeting_date="16/11/2026", attendees=20,
                          votes_for=18, chair="Lê Văn Chủ")
    tab = _tab(qtbot, ctx, date(2026, 12, 10))
    meeting = tab.step_pages[2]
    qtbot.mouseClick(tab.step_bar.buttons[2], Qt.MouseButton.LeftButton)
    meeting.village_table.selectRow([v["village"] for v in meeting.villages].index("Thôn Hai"))
    minutes = tmp_path / "bien-ban.pdf"
    monkeypatch.setattr(files, "choose_save_file", lambda *a, **k: minutes)
    qtbot.mouseClick(meeting.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(opened) == 1)
    text = " ".join(PdfReader(str(opened[0])).pages[0].extract_text().split())
    assert len(PdfReader(str(opened[0])).pages) == 1 and "THÔN HAI" in text and "nhất trí 18/20" in text

    decision = tab.step_pages[5]
    assert not decision.print_button.isEnabled()
    rd.confirm_decision(ctx.store, rnd["id"], decision_no="9/QĐ-UBND", decision_date="04/12/2026")
    tab.refresh()
    assert decision.print_button.isEnabled() and not meeting.save_button.isEnabled()
    out = tmp_path / "quyet-dinh.pdf"
    monkeypatch.setattr(files, "choose_save_file", lambda *a, **k: out)
    qtbot.mouseClick(decision.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(opened) == 2)
    assert "Số: 9/QĐ-UBND" in " ".join(PdfReader(str(opened[1])).pages[0].extract_text().split())

    report = tab.step_pages[7]
    qtbot.mouseClick(tab.step_bar.buttons[7], Qt.MouseButton.LeftButton)
    seen = len(shown_messages)
    qtbot.mouseClick(report.close_button, Qt.MouseButton.LeftButton)  # certificates not issued yet: refused
    assert rv.get_round(ctx.store, rnd["id"])["status"] == "decided"
    assert any("chưa được cấp giấy chứng nhận" in t for _i, _t, t in shown_messages[seen:])
    rd.issue_certificates(ctx.store, rnd["id"], on="05/12/2026")
    tab.refresh()
    report.close_day.setDate(QDate(2026, 12, 10))
    qtbot.mouseClick(report.close_button, Qt.MouseButton.LeftButton)
    closed = rv.get_round(ctx.store, rnd["id"])
    assert closed["status"] == "closed" and closed["closed_date"] == "2026-12-10"
    assert not report.close_button.isEnabled() and "Đã kết thúc ngày 10/12/2026" in report.state.text()
    assert "đã kết thúc" in tab.round_combo.currentText() and "Đợt rà soát đã kết thúc" in tab.step_bar.next_label.text()
