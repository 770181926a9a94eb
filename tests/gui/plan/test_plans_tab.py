"""The Kế hoạch tab on the real demo database: dashboard, plan dialog (allocation, approval,
amendment), support actions and their flags, exits changing the dashboard, overdue milestones."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from PySide6.QtCore import Qt

from cannngheo_desktop.demo import build as demo
from cannngheo_desktop.demo.build import build_demo
from cannngheo_desktop.gui.plan.plan_dialog import C_BASE, C_TARGET, C_TYPED, C_ZERO, parse_target
from cannngheo_desktop.gui.plan.plans_tab import PlansTab
from cannngheo_desktop.gui.shell.context import AppContext
from cannngheo_desktop.gui.shell.main_window import MainWindow
from cannngheo_desktop.gui.shell.tables import RED
from cannngheo_desktop.gui.shell.tasks import TaskRunner
from cannngheo_desktop.plan import plans, support
from cannngheo_desktop.storage import installation, open_db, repo, users

TODAY = date(2023, 10, 5)
TA_THANH_OAI = "00649"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    store = open_db(path, user="admin")
    summary = build_demo(store)
    store.close()
    return path, summary["plan_id"]


@pytest.fixture
def ctx(qtbot, demo_file, tmp_path):
    """A fresh copy of the demo per test (tests write to it)."""
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_file[0], path)
    store = open_db(path, lock=True, user="admin")
    user = users.authenticate(store, "admin", demo.ADMIN_PASSWORD)
    context = AppContext(db_path=path, store=store, installation=installation.current(store), user=user,
                         tasks=TaskRunner(path, user="admin"), demo=True)
    yield context
    context.close()


def make_tab(qtbot, ctx, today: date = TODAY) -> PlansTab:
    tab = PlansTab(ctx, today=lambda: today)
    qtbot.addWidget(tab)
    tab.resize(1280, 640)
    wait_progress(qtbot, tab)
    return tab


def wait_progress(qtbot, tab: PlansTab, check=lambda data: True) -> None:
    qtbot.waitUntil(lambda: tab.progress.data is not None and check(tab.progress.data), timeout=10_000)


def table_rows(table) -> list[list[str]]:
    return [[table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def test_dashboard_shows_the_demo_plan(qtbot, ctx, shown_messages):
    tab = make_tab(qtbot, ctx)
    assert "90/KH-UBND" in tab.header.text() and "Đã phê duyệt" in tab.header.text()
    assert "<b>505</b>" in tab.header.text() and "<b>75</b>" in tab.header.text()
    rows = table_rows(tab.progress.table)
    assert len(rows) == 17  # 16 units + totals
    assert rows[-1][:3] == ["Tổng cộng", "505", "75"]
    by_name = {r[0]: r for r in rows}
    assert by_name["Tả Thanh Oai"][1:3] == ["89", "12"]
    assert by_name["TT Văn Điển"][1:3] == ["2", "2"] and by_name["Tứ Hiệp"][1:3] == ["3", "3"]
    assert sum(int(r[1]) for r in rows[:-1]) == 505 and sum(int(r[2]) for r in rows[:-1]) == 75
    # 5/10/2023, nobody exited yet: every unit with a target is behind.
    assert {r[9] for r in rows} == {"chậm"}
    assert tab.progress.table.item(0, 9).foreground().color() == RED
    bars = tab.progress.bars.chart()
    assert [s.label() for s in bars.series()[0].barSets()] == ["Chỉ tiêu giảm", "Đã thoát cận nghèo"]
    assert sum(bars.series()[0].barSets()[0].at(i) for i in range(16)) == 75
    line = tab.progress.lines.chart().series()
    assert line[0].at(12).y() == pytest.approx(75)  # the target line reaches 75 in December
    qtbot.waitUntil(lambda: len(tab.objectives.rows) == 12, timeout=10_000)
    assert tab.objectives.table.item(0, 5).text() == "đạt"  # no poor households


def test_exit_event_changes_dashboard_and_click_lists_the_household(qtbot, ctx, shown_messages):
    tab = make_tab(qtbot, ctx)
    store = ctx.store
    hid = store.scalar("SELECT id FROM households WHERE unit_code = ? AND able_to_exit = 1 LIMIT 1", (TA_THANH_OAI,))
    with store.transaction():
        repo.insert(store, "household_events", {
            "unit_code": TA_THANH_OAI, "household_id": hid, "kind": "exited_near_poverty",
            "event_date": "2023-05-20", "from_category": "near_poor", "to_category": "not_poor"})
    tab.refresh()
    wait_progress(qtbot, tab, lambda d: d.total.exited == 1)
    rows = table_rows(tab.progress.table)
    row = next(i for i, r in enumerate(rows) if r[0] == "Tả Thanh Oai")
    assert rows[row][3] == "1" and rows[row][6] == "-1" and rows[-1][3] == "1"
    assert tab.progress.lines.chart().series()[1].at(5).y() == 1  # cumulative by end of May
    tab.progress.table.cellClicked.emit(row, 3)
    dialog = tab.progress.dialog
    assert dialog is not None and dialog.isVisible()
    assert [r["id"] for r in dialog.rows] == [hid]
    assert "20/05/2023" in table_rows(dialog.ui.table)[0]
    tab.progress.table.cellClicked.emit(len(rows) - 1, 7)  # totals row, near-poor now
    assert len(tab.progress.dialog.rows) == 505


def test_create_plan_allocate_approve_then_amend_with_reason(qtbot, ctx, shown_messages):
    tab = make_tab(qtbot, ctx, today=date(2024, 2, 1))
    dialog = tab.new_plan()
    ui = dialog.ui
    assert ui.yearSpin.value() == 2024 and ui.baselineDateEdit.text() == "01/01/2024"
    table = ui.unitsTable
    assert table.rowCount() == 16
    # Baseline from the registry (near-poor at 1/1/2024), not typed; totals from the 2023 plan.
    assert sum(int(table.item(r, C_BASE).text()) for r in range(16)) == 505
    assert all(table.item(r, C_TYPED).checkState() == Qt.CheckState.Unchecked for r in range(16))
    names = [table.item(r, 0).text() for r in range(16)]
    for name in ("TT Văn Điển", "Tứ Hiệp"):
        table.item(names.index(name), C_ZERO).setCheckState(Qt.CheckState.Checked)
    ui.docNoEdit.setText("12/KH-UBND")
    ui.docDateEdit.setText("20/02/2024")
    ui.targetEdit.setText("15%")
    assert "75 hộ" in ui.targetInfoLabel.text()
    ui.allocateButton.click()
    targets = [int(table.item(r, C_TARGET).text()) for r in range(16)]
    assert sum(targets) == 75 and "✓" in ui.sumLabel.text()
    assert targets[names.index("TT Văn Điển")] == int(table.item(names.index("TT Văn Điển"), C_BASE).text())
    # A typed baseline is marked as typed; the live sum notices a mismatch.
    big = names.index("Tả Thanh Oai")
    table.item(big, C_TARGET).setText(str(targets[big] + 1))
    assert "chưa khớp" in ui.sumLabel.text()
    ui.approveButton.click()
    assert dialog.isVisible() and "khác chỉ tiêu chung" in ui.errorLabel.text()
    assert plans.list_plans(ctx.store, year=2024) == []  # nothing half-written
    table.item(big, C_TARGET).setText(str(targets[big]))
    ui.approveButton.click()
    assert not dialog.isVisible()
    (plan,) = plans.list_plans(ctx.store, year=2024)
    assert plan["status"] == "approved" and plan["doc_no"] == "12/KH-UBND" and plan["target_total"] == 75
    assert tab.plan["id"] == plan["id"] and "Đã phê duyệt" in tab.header.text()
    # Editing after approval is an amendment that needs a reason.
    amend = tab.edit_plan()
    assert amend.amending and amend.ui.amendGroup.isVisibleTo(amend) and amend.ui.approveButton.isHidden()
    t = amend.ui.unitsTable
    rows = {t.item(r, 0).text(): r for r in range(t.rowCount())}
    ra, rb = rows["Đại Áng"], rows["Đông Mỹ"]
    a, b = int(t.item(ra, C_TARGET).text()), int(t.item(rb, C_TARGET).text())
    t.item(ra, C_TARGET).setText(str(a - 1))
    t.item(rb, C_TARGET).setText(str(b + 1))
    amend.ui.saveButton.click()
    assert amend.isVisible() and "lý do" in amend.ui.errorLabel.text()
    amend.ui.reasonEdit.setText("Hộ ở Đại Áng chuyển khẩu sang Đông Mỹ")
    amend.ui.saveButton.click()
    assert not amend.isVisible()
    stored = plans.get_plan(ctx.store, plan["id"])
    assert stored["amendment_no"] == 1 and stored["amendments"][0]["reason"].startswith("Hộ ở Đại Áng")
    reductions = {u["target_unit_code"]: u["target_reduction"] for u in stored["units"]}
    assert (reductions["00679"], reductions["00685"]) == (a - 1, b + 1)
    assert "Đã điều chỉnh 1 lần" in tab.header.text()


def test_objective_from_the_catalogue_is_added_to_a_draft_plan(qtbot, ctx, shown_messages):
    from cannngheo_desktop.gui.plan.objectives_page import PlanObjectivesWidget
    from cannngheo_desktop.plan import objectives as obj

    draft = plans.create_plan(ctx.store, unit_code="020", year=2024)
    page = PlanObjectivesWidget(ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.load(plans.get_plan(ctx.store, draft["id"]), date(2024, 2, 1))
    fact = obj.CATALOGUE["poor_households"]
    page.fact_combo.setCurrentIndex(page.fact_combo.findData(fact.code))
    page.target_edit.setText("2")
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.add_button.click()
    assert page.error.isHidden()
    (added,) = plans.get_plan(ctx.store, draft["id"])["objectives"]
    assert (added["kind"], added["label"], added["target_value"], added["comparison"], added["measure_unit"]) == \
        (fact.code, fact.label, 2, fact.comparison, fact.measure_unit)
    assert page.table.rowCount() == 1 and page.table.item(0, 0).text() == fact.label


def test_typed_baseline_is_marked(qtbot, ctx, shown_messages):
    tab = make_tab(qtbot, ctx, today=date(2024, 2, 1))
    dialog = tab.new_plan()
    dialog.ui.unitsTable.item(2, C_BASE).setText("40")
    assert dialog.ui.unitsTable.item(2, C_TYPED).checkState() == Qt.CheckState.Checked
    assert parse_target("75", 505) == (75, None) and parse_target("15%", 505) == (75, 15.0)


def test_support_action_flags_and_mark_done(qtbot, ctx, shown_messages):
    tab = make_tab(qtbot, ctx)
    page = tab.support
    tab.pages.setCurrentWidget(page)
    assert page.able_count == 75 and page.overdue_count == 0 and page.table.rowCount() == 0
    listing = page.show_able_without_action()
    assert len(listing.rows) == 75
    listing.ui.table.selectRow(3)
    household = listing.rows[3]
    listing.action_button.click()
    dialog = page.dialog
    assert dialog is not None and dialog.ui.householdCombo.currentData() == household["id"]
    dialog.ui.plannedDateEdit.setText("15/04/2023")
    dialog.ui.amountEdit.setText("1500000")
    dialog.ui.amountEdit.editingFinished.emit()
    assert dialog.ui.amountEdit.text() == "1.500.000"
    dialog.ui.fundingCombo.setCurrentText("Quỹ Vì người nghèo")
    dialog.submit()
    assert not dialog.isVisible()
    assert page.able_count == 74 and page.overdue_count == 1  # planned 15/04, today 05/10
    assert page.table.rowCount() == 1 and page.table.item(0, 6).foreground().color() == RED
    (action,) = support.list_actions(ctx.store, household["id"])
    assert action["amount"] == 1_500_000 and action["funding_source"] == "Quỹ Vì người nghèo"
    page.table.selectRow(0)
    page.mark_done()
    assert page.overdue_count == 0 and page.able_count == 74
    assert support.list_actions(ctx.store, household["id"])[0]["done_date"] == "2023-10-05"
    assert page.table.item(0, 6).text() == "Đã xong"


def test_support_dialog_refuses_done_without_date(qtbot, ctx, shown_messages):
    tab = make_tab(qtbot, ctx)
    hid = ctx.store.scalar("SELECT id FROM households WHERE category = 'near_poor' LIMIT 1")
    dialog = tab.support.add_action({"id": hid, "head_name": "x"})
    dialog.ui.statusCombo.setCurrentIndex(dialog.ui.statusCombo.findData(support.DONE))
    dialog.ui.doneDateEdit.clear()
    dialog.submit()
    assert dialog.isVisible() and "ngày hoàn thành" in dialog.ui.errorLabel.text()
    assert support.list_actions(ctx.store, hid) == []


def test_milestones_overdue_red_with_fixed_clock(qtbot, ctx, shown_messages):
    tab = make_tab(qtbot, ctx)
    page = tab.milestones
    assert page.overdue_count == 3 and "3 việc quá hạn" in page.summary.text()
    assert tab.startup_notes() == ["Kế hoạch: 3 việc quá hạn."]
    rows = table_rows(page.table)
    late = [i for i, r in enumerate(rows) if r[3].startswith("Quá hạn")]
    assert [rows[i][1] for i in late] == ["30/06/2023", "31/08/2023", "30/09/2023"]
    assert all(page.table.item(i, 0).foreground().color() == RED for i in late)
    assert page.table.item(0, 0).foreground().color() != RED
    page.table.selectRow(late[0])
    page.mark_done()
    assert page.overdue_count == 2 and tab.startup_notes() == ["Kế hoạch: 2 việc quá hạn."]
    dialog = page.add_milestone()
    dialog.ui.titleEdit.setText("Họp giao ban quý III")
    dialog.ui.dueDateEdit.setText("01/10/2023")
    dialog.submit()
    assert not dialog.isVisible() and page.overdue_count == 3


def test_main_window_shows_overdue_count_at_start(qtbot, ctx, shown_messages):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    # The real clock is past 2023: the four open milestones of the demo plan are overdue.
    assert "4 việc quá hạn" in window.note_label.text()
    ctx.tasks.wait()


def test_enter_in_household_search_searches_and_saves_nothing(qtbot, ctx, shown_messages):
    tab = make_tab(qtbot, ctx)
    before = ctx.store.scalar("SELECT COUNT(*) FROM support_actions")
    dialog = tab.support.add_action()
    dialog.ui.householdSearchEdit.setFocus()
    qtbot.keyClicks(dialog.ui.householdSearchEdit, "nguyen")
    qtbot.keyClick(dialog.ui.householdSearchEdit, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.ui.householdCombo.count() > 0
    assert ctx.store.scalar("SELECT COUNT(*) FROM support_actions") == before
