"""Support closes the loop, driven through the real Kế hoạch tab on a copy of the demo database:
recording a job placement as done changes the member, reassesses the household and moves the
job objectives; the page and the status bar say what changed; done can be taken back; the
dashboard's drill-down opens the household; the support table keeps its key columns at 1366 px."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from PySide6.QtCore import QRect, Qt

from cannngheo_desktop.demo import build as demo
from cannngheo_desktop.demo.build import build_demo
from cannngheo_desktop.gui.plan.plans_tab import PlansTab
from cannngheo_desktop.gui.registry.household_editor import HouseholdEditor
from cannngheo_desktop.gui.shell.context import AppContext
from cannngheo_desktop.gui.shell.main_window import MainWindow
from cannngheo_desktop.gui.shell.tasks import TaskRunner
from cannngheo_desktop.plan import support
from cannngheo_desktop.storage import installation, open_db, users

TODAY = date(2023, 10, 5)
JOB_ROWS = ("Lao động có nhu cầu được tư vấn, hỗ trợ việc làm", "Lao động có nhu cầu được giới thiệu có việc làm")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    store = open_db(path, user="admin")
    build_demo(store)
    store.close()
    return path


@pytest.fixture
def ctx(qtbot, demo_file, tmp_path):
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_file, path)
    store = open_db(path, lock=True, user="admin")
    user = users.authenticate(store, "admin", demo.ADMIN_PASSWORD)
    context = AppContext(db_path=path, store=store, installation=installation.current(store), user=user,
                         tasks=TaskRunner(path, user="admin"), demo=True)
    yield context
    context.close()


def make_tab(qtbot, ctx) -> PlansTab:
    tab = PlansTab(ctx, today=lambda: TODAY)
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    qtbot.waitUntil(lambda: tab.progress.data is not None and tab.objectives.table.rowCount() > 0, timeout=10_000)
    return tab


def job_ratios(qtbot, tab: PlansTab, expect_first: str | None = None) -> list[str]:
    """The 'Tử số / mẫu số' of the two job objectives as the objectives table shows them."""
    table = tab.objectives.table

    def ratios() -> list[str]:
        by_label = {table.item(r, 0).text(): table.item(r, 2).text() for r in range(table.rowCount())
                    if table.item(r, 0) and table.item(r, 2)}
        return [by_label.get(label, "") for label in JOB_ROWS]

    if expect_first is not None:
        qtbot.waitUntil(lambda: ratios()[0] == expect_first, timeout=10_000)
    return ratios()


def unemployed_job_seeker(store) -> dict:
    row = store.query_one(
        "SELECT m.* FROM members m JOIN households h ON h.id = m.household_id "
        "WHERE h.category = 'near_poor' AND h.deleted = 0 AND h.status = 'active' AND m.deleted = 0 "
        "AND m.wants_job_support = 1 AND m.got_job_support = 0 AND m.got_job = 0 "
        "AND m.employment IN ('unemployed', 'not_working') ORDER BY m.id LIMIT 1")
    assert row is not None, "the demo has near-poor members without work who asked for job support"
    return dict(row)


def test_job_placement_done_changes_member_reassesses_and_moves_objectives(qtbot, ctx, shown_messages):
    tab = make_tab(qtbot, ctx)
    store = ctx.store
    before = job_ratios(qtbot, tab)
    supported, denominator = (int(x) for x in before[0].split(" / "))
    placed = int(before[1].split(" / ")[0])
    member = unemployed_job_seeker(store)
    assessments_before = store.scalar("SELECT count(*) FROM assessments WHERE household_id = ?",
                                      (member["household_id"],))
    tab.pages.setCurrentWidget(tab.support)
    dialog = tab.support.add_action({"id": member["household_id"], "head_name": "x"})
    ui = dialog.ui
    ui.measureCombo.setCurrentIndex(ui.measureCombo.findData("gioi_thieu_co_viec_lam"))
    assert "Có việc làm sau hỗ trợ" in dialog.effect_label.text()  # says what 'done' will change
    ui.memberCombo.setCurrentIndex(ui.memberCombo.findData(member["id"]))
    ui.statusCombo.setCurrentIndex(ui.statusCombo.findData(support.DONE))
    ui.doneDateEdit.setText("02/10/2023")
    qtbot.mouseClick(ui.buttonBox.button(ui.buttonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    # The member now has the job and the support; an unemployed member becomes a worker.
    stored = store.query_one("SELECT * FROM members WHERE id = ?", (member["id"],))
    assert (stored["got_job_support"], stored["got_job"], stored["employment"]) == (1, 1, "no_contract")
    # Audited: the history has the member's fields before → after.
    audit = {r["field"]: (r["before"], r["after"]) for r in store.query(
        "SELECT field, before, after FROM audit_log WHERE table_name = 'members' AND row_id = ?", (member["id"],))}
    assert audit["got_job"] == ("0", "1") and audit["employment"][1] == "no_contract"
    # Reassessed on the done date.
    assert store.scalar("SELECT count(*) FROM assessments WHERE household_id = ?",
                        (member["household_id"],)) == assessments_before + 1
    assert store.scalar("SELECT max(assessed_on) FROM assessments WHERE household_id = ?",
                        (member["household_id"],)) == "2023-10-02"
    # The dialog's confirmation and the page say what changed.
    (_, _, text), = shown_messages
    assert "Đã lưu hoạt động hỗ trợ" in text and member["full_name"] in text and "Đánh giá lại" in text
    assert "Đã lưu" in tab.support.info.text() and "Có việc làm sau hỗ trợ Không → Có" in tab.support.info.text()
    # The objectives moved by exactly this member.
    after = job_ratios(qtbot, tab, expect_first=f"{supported + 1} / {denominator}")
    assert after[1] == f"{placed + 1} / {denominator}"


def test_mark_done_and_undo_from_the_page_and_the_status_bar(qtbot, ctx, shown_messages):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    tab = next(window.ui.tabs.widget(i) for i in range(window.ui.tabs.count())
               if isinstance(window.ui.tabs.widget(i), PlansTab))
    qtbot.waitUntil(lambda: tab.objectives.table.rowCount() > 0, timeout=10_000)
    member = unemployed_job_seeker(ctx.store)
    support.add_action(ctx.store, member["household_id"], "ket_noi_viec_lam", member_id=member["id"],
                       planned_date="01/09/2023")
    page = tab.support
    page.overdue_check.setChecked(True)  # lists it whatever the year the tab opened on
    row = next(r for r in range(page.table.rowCount()) if page.listed[r]["member_id"] == member["id"])
    page.table.selectRow(row)
    qtbot.mouseClick(page.done_button, Qt.MouseButton.LeftButton)
    got = ctx.store.query_one("SELECT got_job_support, got_job FROM members WHERE id = ?", (member["id"],))
    assert tuple(got) == (1, 0)  # counselling is job support, not a job
    assert "Được hỗ trợ việc làm Không → Có" in window.note_label.text()
    assert "Đã lưu" in page.info.text()
    # Take it back: the member is as before, and the status bar says so.
    page.overdue_check.setChecked(False)
    page.status_combo.setCurrentIndex(page.status_combo.findData(support.DONE))
    row = next(r for r in range(page.table.rowCount()) if page.listed[r]["member_id"] == member["id"])
    page.table.selectRow(row)
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    got = ctx.store.query_one("SELECT got_job_support FROM members WHERE id = ?", (member["id"],))
    assert got[0] == 0
    assert "Được hỗ trợ việc làm Có → Không" in window.note_label.text()
    assert support.list_actions(ctx.store, member["household_id"])[0]["status"] == support.IN_PROGRESS
    ctx.tasks.wait()


def test_dashboard_drill_down_opens_the_household(qtbot, ctx, shown_messages):
    tab = make_tab(qtbot, ctx)
    tab.progress.open_households(0, 7)  # "Hiện có" of the first unit
    listing = tab.progress.dialog
    assert listing is not None and listing.rows and listing.open_button is not None
    listing.ui.table.selectRow(2)
    expected = listing.rows[2]["id"]
    listing.ui.table.setFocus()
    qtbot.keyClick(listing.ui.table, Qt.Key.Key_Return)
    editor = listing.editor
    assert isinstance(editor, HouseholdEditor) and editor.household_id == expected and editor.isVisible()
    editor.close()
    listing.ui.table.selectRow(0)
    qtbot.keyClick(listing, Qt.Key.Key_F2)
    assert listing.editor is not editor and listing.editor.household_id == listing.rows[0]["id"]
    listing.editor.close()


def test_support_table_keeps_key_columns_whole_at_1366(qtbot, ctx, shown_messages):
    store = ctx.store
    members = store.query("SELECT m.id, m.household_id FROM members m JOIN households h ON h.id = m.household_id "
                          "WHERE h.category = 'near_poor' AND m.deleted = 0 ORDER BY m.id LIMIT 6")
    longest = ("gioi_thieu_co_viec_lam", "bhyt_thoat_ngheo", "vay_nuoc_sach_ve_sinh", "nha_dai_doan_ket",
               "bhxh_tu_nguyen", "hoc_phi")
    for m, code in zip(members, longest, strict=True):
        support.add_action(store, m["household_id"], code, member_id=m["id"], planned_date="10/11/2023",
                           amount=12_500_000, funding_source="Vay vốn Ngân hàng Chính sách xã hội")
    tab = make_tab(qtbot, ctx)
    tab.pages.setCurrentWidget(tab.support)
    tab.show()
    qtbot.waitExposed(tab)
    table = tab.support.table
    assert table.rowCount() == 6
    metrics = table.fontMetrics()
    assert table.horizontalHeader().length() <= table.viewport().width() + 1  # no horizontal scrolling
    for r in range(table.rowCount()):
        for col in (0, 1, 5, 6):  # head, household code, planned date, status: on one line
            text = table.item(r, col).text()
            assert metrics.horizontalAdvance(text) + 6 <= table.columnWidth(col), (r, col, text)  # Qt: 3 px a side
        measure = table.item(r, 2).text()  # the measure wraps, whole, within the row height
        box = metrics.boundingRect(QRect(0, 0, table.columnWidth(2) - 6, 1000), Qt.TextFlag.TextWordWrap, measure)
        assert box.height() <= table.rowHeight(r), measure


def placed_in_a_job(store) -> dict:
    """A member without work, recorded as placed in a job on 02/10/2023 (the member as before)."""
    member = unemployed_job_seeker(store)
    action = support.add_action(store, member["household_id"], "gioi_thieu_co_viec_lam", member_id=member["id"],
                                planned_date="01/09/2023")
    support.update_action(store, action["id"], {"status": support.DONE, "done_date": "02/10/2023"})
    return member


def test_done_support_is_undone_from_the_household_history(qtbot, ctx, shown_messages):
    from cannngheo_desktop.gui.registry.history_dialog import HistoryDialog

    store = ctx.store
    member = placed_in_a_job(store)
    dialog = HistoryDialog(store, member["household_id"])
    qtbot.addWidget(dialog)
    dialog.show()
    # The history lists the change the action made, and the action under "Hoàn tác".
    assert any(r[2] == f"Thành viên {member['full_name']}" and r[3] == "Có việc làm sau hỗ trợ"
               and (r[4], r[5]) == ("Không", "Có") for r in dialog.rows)
    assert dialog.support_table.isVisible() and dialog.support_table.rowCount() == 1
    assert not dialog.undo_button.isEnabled()  # nothing selected yet
    assert "Có việc làm sau hỗ trợ Không → Có" in dialog.support_table.item(0, 3).text()
    assert dialog.support_table.item(0, 0).text() == "02/10/2023"
    dialog.support_table.selectRow(0)
    said = []
    dialog.changed.connect(said.append)
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    # Asked first, then put back: the member is as before, audited, and the action is in progress.
    (_, _, question), = shown_messages
    assert "Hoàn tác hỗ trợ" in question and member["full_name"] in question
    stored = store.query_one("SELECT got_job_support, got_job, employment FROM members WHERE id = ?",
                             (member["id"],))
    assert tuple(stored) == (member["got_job_support"], member["got_job"], member["employment"])
    assert support.list_actions(store, member["household_id"])[0]["status"] == support.IN_PROGRESS
    assert any(r[3] == "Có việc làm sau hỗ trợ" and (r[4], r[5]) == ("Có", "Không") for r in dialog.rows)
    assert not dialog.support_table.isVisible() and "Đã hoàn tác" in dialog.message.text()
    assert said and "Có → Không" in said[0]


def test_undo_from_history_is_refused_with_a_no(qtbot, ctx, monkeypatch):
    from cannngheo_desktop.gui.registry.history_dialog import HistoryDialog
    from cannngheo_desktop.gui.shell import errors

    store = ctx.store
    member = placed_in_a_job(store)
    monkeypatch.setattr(errors, "confirm", lambda *a, **k: False)
    dialog = HistoryDialog(store, member["household_id"])
    qtbot.addWidget(dialog)
    dialog.support_table.selectRow(0)
    dialog.undo_selected()
    assert store.scalar("SELECT got_job FROM members WHERE id = ?", (member["id"],)) == 1
    assert support.list_actions(store, member["household_id"])[0]["status"] == support.DONE
