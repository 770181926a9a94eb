"""The "Báo cáo" tab on the demo database (2023 in progress): choose a report, set parameters,
export Excel (read back with openpyxl) and PDF (read back with pypdf), preview pages with QtPdf,
print to a PDF file through QPrinter; formats a report does not write are disabled."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cannngheo_desktop.demo import build as demo
from cannngheo_desktop.demo.build import build_demo
from cannngheo_desktop.gui.documents import print_preview
from cannngheo_desktop.gui.documents.reports_tab import FOLDER_SETTING, ReportsTab
from cannngheo_desktop.gui.shell import files
from cannngheo_desktop.gui.shell.context import AppContext
from cannngheo_desktop.gui.shell.tasks import TaskRunner
from cannngheo_desktop.storage import installation, open_db, users

THANH_TRI = "020"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    store = open_db(path, user="admin")
    build_demo(store, year_in_progress=True)
    store.close()
    return path


@pytest.fixture
def tab(qtbot, demo_file, tmp_path, shown_messages):
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_file, path)
    store = open_db(path, lock=True, user="admin")
    user = users.authenticate(store, "admin", demo.ADMIN_PASSWORD)
    ctx = AppContext(db_path=path, store=store, installation=installation.current(store), user=user,
                     tasks=TaskRunner(path, user="admin"), demo=True)
    widget = ReportsTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1280, 660)
    widget.show()
    yield widget
    if widget.preview is not None:
        widget.preview.close()
    ctx.close()


def save_to(monkeypatch, target: Path) -> list:
    """The save chooser answers ``target``; returns the (title, start, filter) it was asked with."""
    asked: list = []

    def fake(parent, title, start=None, file_filter=""):
        asked.append((title, start, file_filter))
        return target
    monkeypatch.setattr(files, "choose_save_file", fake)
    return asked


def wait_file(qtbot, tab: ReportsTab, path: Path) -> None:
    qtbot.waitUntil(lambda: not tab.ctx.tasks.busy, timeout=30_000)
    assert path.exists(), tab.note.text()


def test_plan_table_to_excel_has_the_appendix_totals(qtbot, tab, tmp_path, monkeypatch, shown_messages) -> None:
    tab.select("plan-table")
    assert tab.title.text() == "Biểu kế hoạch giảm hộ cận nghèo"
    assert list(tab.form.fields) == ["year"]
    tab.form.set_value("year", 2023)
    out = tmp_path / "xuat" / "bieu.xlsx"
    out.parent.mkdir()
    asked = save_to(monkeypatch, out)
    tab.xlsx_button.click()
    wait_file(qtbot, tab, out)
    assert asked[0][1].name == "bieu-ke-hoach-giam-ho-can-ngheo-2023.xlsx"
    assert asked[0][2] == "Bảng tính Excel (*.xlsx)"
    ws = load_workbook(out).active
    head = next(r[0].row for r in ws.iter_rows(min_col=1, max_col=1) if r[0].value == "TT")
    total = next(r for r in range(head, ws.max_row + 1) if ws.cell(r, 2).value == "Toàn huyện")
    formula = ws.cell(total, 3).value
    lo, hi = (int(x) for x in re.findall(r"\d+", formula))
    assert sum(ws.cell(r, 3).value for r in range(lo, hi + 1)) == 505
    assert ws.cell(total, 4).value == 0.59
    assert f"Đã xuất <b>{out.name}</b>" in tab.note.text()
    assert tab.open_folder_button.isVisibleTo(tab)
    assert tab.ctx.store.get_setting(FOLDER_SETTING) == str(out.parent)
    assert shown_messages == []


def test_posting_list_pdf_with_unit_and_category(qtbot, tab, tmp_path, monkeypatch) -> None:
    tab.select("posting-list")
    assert list(tab.form.fields) == ["unit", "year", "category", "internal"]
    tab.form.set_value("unit", "00679")
    tab.form.set_value("year", 2023)
    tab.form.set_value("category", "near_poor")
    p = tab.form.params()
    assert (p.unit_code, p.year, p.category) == ("00679", 2023, "near_poor")
    out = tmp_path / "niem-yet"  # no extension typed: the chooser's '.sqlite' becomes '.pdf'
    save_to(monkeypatch, out.with_suffix(".sqlite"))
    tab.pdf_button.click()
    wait_file(qtbot, tab, out.with_suffix(".pdf"))
    text = " ".join(page.extract_text() for page in PdfReader(out.with_suffix(".pdf")).pages)
    assert "Đại Áng" in " ".join(text.split())
    assert not re.search(r"\d{12}", text)  # ID numbers masked


def test_unsupported_formats_are_disabled(tab) -> None:
    tab.select("household-list")
    assert tab.xlsx_button.isEnabled()
    assert not tab.pdf_button.isEnabled() and not tab.preview_button.isEnabled()
    assert not tab.print_button.isEnabled()
    tab.select("household-profiles")
    assert not tab.xlsx_button.isEnabled() and tab.pdf_button.isEnabled() and tab.print_button.isEnabled()
    tab.select("plan-results")
    assert all(b.isEnabled() for b in (tab.xlsx_button, tab.pdf_button, tab.preview_button, tab.print_button))


def test_service_error_is_a_vietnamese_message_on_the_field(qtbot, tab, monkeypatch, tmp_path,
                                                             shown_messages) -> None:
    tab.select("movements")
    tab.form.fields["period"].start.setDate(print_preview_qdate(date(2023, 12, 1)))
    tab.form.fields["period"].end.setDate(print_preview_qdate(date(2023, 1, 1)))
    out = tmp_path / "bien-dong.xlsx"
    save_to(monkeypatch, out)
    tab.xlsx_button.click()
    qtbot.waitUntil(lambda: bool(shown_messages), timeout=20_000)
    assert not out.exists()
    assert "ngày" in shown_messages[0][2].lower()
    assert tab.form.fields["period"].styleSheet()


def test_dates_follow_the_year_until_the_user_sets_one(tab) -> None:
    tab.select("movements")                      # year + period (từ … đến …)
    tab.form.set_value("year", 2022)
    p = tab.form.params()
    assert (p.year, p.start, p.on) == (2022, date(2022, 1, 1), date(2022, 12, 31))
    tab.select("plan-results")                   # year + one date
    tab.form.set_value("year", 2022)
    assert tab.form.params().on == date(2022, 12, 31)
    tab.form.set_value("date", date(2022, 6, 30))
    tab.form.set_value("year", 2021)             # the user's date stays
    assert (tab.form.params().year, tab.form.params().on) == (2021, date(2022, 6, 30))


def print_preview_qdate(day: date):
    from cannngheo_desktop.gui.documents.report_params import to_qdate
    return to_qdate(day)


def test_preview_shows_the_pages(qtbot, tab) -> None:
    tab.select("plan-results")
    tab.form.set_value("year", 2023)
    tab.preview_button.click()
    qtbot.waitUntil(lambda: tab.preview is not None, timeout=30_000)
    assert tab.preview.pages >= 1
    assert tab.preview.windowTitle() == "Xem trước — Kết quả thực hiện kế hoạch giảm hộ cận nghèo"
    assert len(PdfReader(tab.preview.path).pages) == tab.preview.pages


def test_household_profile_picker_and_print_to_a_pdf_file(qtbot, tab, tmp_path, monkeypatch) -> None:
    tab.select("household-profile")
    picker = tab.form.fields["household"]
    tab.form.set_value("household", "TTR-00679-0001")
    assert picker.value() == "TTR-00679-0001"
    printed = tmp_path / "in-ra.pdf"
    seen = []

    def fake_ask(parent, printer) -> bool:
        printer.setOutputFormat(printer.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        seen.append(printer.pageLayout().pageSize().id())
        return True
    monkeypatch.setattr(print_preview, "ask_printer", fake_ask)
    tab.print_button.click()
    qtbot.waitUntil(lambda: "Đã gửi" in tab.note.text(), timeout=30_000)
    from PySide6.QtGui import QPageSize
    assert seen == [QPageSize.PageSizeId.A4]
    reader = PdfReader(printed)
    assert len(reader.pages) >= 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - 595) < 2 and abs(height - 842) < 2  # A4 portrait in points
    assert f"Đã gửi {len(reader.pages)} trang" in tab.note.text()


def test_print_keeps_landscape_pages_landscape(qtbot, tab, tmp_path) -> None:
    from cannngheo_desktop.documents.catalogue import build_report
    from cannngheo_desktop.documents.context import ReportParams

    source = build_report(tab.ctx.store, "plan-results", ReportParams(year=2023), tmp_path / "kq.pdf")
    assert print_preview.is_landscape(source)
    printer = print_preview.a4_printer(landscape=True)
    printer.setOutputFormat(printer.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "in.pdf"))
    assert print_preview.print_pdf(source, printer) == print_preview.page_count(source) == 2
    pages = PdfReader(tmp_path / "in.pdf").pages
    assert len(pages) == 2
    assert all(round(float(p.mediabox.width)) == 842 and round(float(p.mediabox.height)) == 595 for p in pages)


def test_without_qtpdf_preview_opens_the_default_viewer(qtbot, tab, monkeypatch) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(print_preview, "HAVE_QTPDF", False)
    monkeypatch.setattr(print_preview, "open_default", lambda path: opened.append(Path(path)) or True)
    tab.select("plan-table")
    tab.preview_button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=30_000)
    assert tab.preview is None
    assert opened[0].suffix == ".pdf" and len(PdfReader(opened[0]).pages) == 1
    assert "chương trình mặc định" in tab.note.text()


def test_cancelled_batch_leaves_no_file_and_no_message(qtbot, tab, tmp_path, monkeypatch, shown_messages) -> None:
    tab.select("household-profiles")
    out = tmp_path / "ho-so.pdf"
    save_to(monkeypatch, out)
    tab.pdf_button.click()
    tab.ctx.tasks.cancel_all()  # what the progress dialog's Hủy does
    qtbot.waitUntil(lambda: not tab.ctx.tasks.busy, timeout=30_000)
    assert not out.exists() and not list(tmp_path.glob("ho-so*"))
    assert shown_messages == [] and tab.note.text() == ""


def test_refresh_keeps_what_the_user_chose(tab) -> None:
    tab.select("support")
    tab.form.set_value("unit", "00679")
    tab.refresh()
    assert tab.form.params().unit_code == "00679"


def test_ruleset_change_report_from_the_tab(qtbot, tab, tmp_path, monkeypatch, shown_messages) -> None:
    tab.select("ruleset-change")
    assert list(tab.form.fields) == ["unit", "category", "date", "compare", "ruleset"]
    labels = [tab.form.form.itemAt(r, tab.form.form.ItemRole.LabelRole).widget().text()
              for r in range(tab.form.form.rowCount())]
    assert labels == ["Đơn vị", "Phân loại hộ", "Tính đến ngày", "So với bộ chuẩn", "Bộ chuẩn mới"]
    assert tab.form.fields["category"].currentText() == "Tất cả các hộ (kể cả hộ chưa thuộc diện)"
    assert tab.form.fields["compare"].currentText() == "Bộ chuẩn đang áp dụng tại ngày báo cáo"
    assert tab.form.fields["ruleset"].currentText() == "Bộ chuẩn mới nhất"
    tab.form.set_value("unit", "00649")
    tab.form.set_value("compare", "VN-2022")
    p = tab.form.params()
    assert (p.unit_code, p.compare_to, p.ruleset) == ("00649", "VN-2022", None)
    out = tmp_path / "thay-doi.xlsx"
    save_to(monkeypatch, out)
    tab.xlsx_button.click()
    wait_file(qtbot, tab, out)
    ws = load_workbook(out).active
    subtitle = next(c.value for c in ws["A"] if isinstance(c.value, str) and "VN-2022 → VN-2027" in c.value)
    listed = [r for r in ws.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert listed and all(r[1].startswith("TTR-00649-") for r in listed)
    assert f": {len(listed)}/" in subtitle
    assert shown_messages == []


def test_batch_profiles_default_filter_prints_exactly_poor_and_near_poor(qtbot, tab, tmp_path, monkeypatch) -> None:
    """Issue 17: "Hộ nghèo và hộ cận nghèo" printed every household of the unit (565 in the demo)."""
    tab.select("household-profiles")
    combo = tab.form.fields["category"]
    assert combo.currentText() == "Hộ nghèo và hộ cận nghèo"
    tab.form.set_value("unit", "00679")
    tab.form.set_value("year", 2023)
    out = tmp_path / "ho-so.pdf"
    save_to(monkeypatch, out)
    tab.pdf_button.click()
    wait_file(qtbot, tab, out)
    codes = set(re.findall(r"Hồ sơ hộ (TTR-00679-\d{4})", " ".join(
        page.extract_text() for page in PdfReader(out).pages)))
    with open_db(tab.ctx.db_path, create=False) as store:
        wanted = {r[0] for r in store.conn.execute(
            "SELECT household_code FROM households WHERE unit_code = '00679' AND deleted = 0 "
            "AND status = 'active' AND category IN ('poor', 'near_poor')")}
        every = store.scalar("SELECT COUNT(*) FROM households WHERE unit_code = '00679' AND deleted = 0")
    assert codes == wanted and 0 < len(wanted) < every


def test_posting_list_internal_box_is_unchecked_by_default(tab) -> None:
    tab.select("posting-list")
    box = tab.form.fields["internal"]
    assert not box.isChecked() and tab.form.params().internal is False
    box.setChecked(True)
    assert tab.form.params().internal is True
