"""Background work and error reporting: results come back on the GUI thread, AppError becomes a
message box, bugs become the crash dialog (naming the log file), and Cancel stops the worker."""

from __future__ import annotations

import sys
import threading

from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton

from cannngheo_desktop import paths
from cannngheo_desktop.core.errors import AppError, Cancelled
from cannngheo_desktop.gui.shell import errors
from cannngheo_desktop.gui.shell.tasks import TaskRunner


def test_task_runs_off_gui_thread_with_its_own_connection(qtbot, app_ctx, shown_messages):
    got = {}

    def work(store, progress):
        progress.report(1, 1)
        got["thread"] = threading.get_ident()
        return store.scalar("SELECT unit_code FROM installation"), store is not app_ctx.store

    app_ctx.tasks.run_task(None, work, on_success=lambda r: got.setdefault("result", r))
    qtbot.waitUntil(lambda: "result" in got, timeout=10_000)
    assert got["result"] == ("020", True)
    assert got["thread"] != threading.get_ident()
    assert shown_messages == []


def test_app_error_goes_to_message_box_or_handler(qtbot, shown_messages):
    runner = TaskRunner(None)

    def fails(progress):
        raise AppError("Tệp 'x.xlsx', dòng 4: thiếu họ tên chủ hộ.")

    runner.run_task(None, fails, on_success=lambda r: None, db=False)
    qtbot.waitUntil(lambda: bool(shown_messages), timeout=10_000)
    assert shown_messages == [(QMessageBox.Icon.Warning, "Cận Nghèo Desktop",
                               "Tệp 'x.xlsx', dòng 4: thiếu họ tên chủ hộ.")]
    handled = []
    runner.run_task(None, fails, on_success=lambda r: None, on_failure=handled.append, db=False)
    qtbot.waitUntil(lambda: bool(handled), timeout=10_000)
    assert handled[0].message.startswith("Tệp 'x.xlsx'") and len(shown_messages) == 1


def test_bug_in_task_shows_crash_dialog_and_logs(qtbot, shown_messages):
    log_file = errors.configure_logging()
    runner = TaskRunner(None)
    runner.run_task(None, lambda progress: 1 / 0, on_success=lambda r: None, db=False)
    qtbot.waitUntil(lambda: bool(shown_messages), timeout=10_000)
    icon, _title, text = shown_messages[0]
    assert icon == QMessageBox.Icon.Critical
    assert "Chương trình gặp lỗi ngoài dự kiến" in text and f"Nhật ký lỗi ở: {paths.log_file()}" in text
    assert "ZeroDivisionError" in log_file.read_text(encoding="utf-8")


def test_progress_dialog_appears_and_cancel_stops_the_job(qtbot, shown_messages):
    runner = TaskRunner(None)
    outcome = []

    def long_job(progress):
        done = 0
        while not progress.cancelled():
            done += 1
            progress.report(done % 100, 100, "đang làm")
            threading.Event().wait(0.01)
        raise Cancelled()

    runner.run_task(None, long_job, on_success=outcome.append, label="Đang thử…")

    def dialog():
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
        return found[0] if found else None

    qtbot.waitUntil(lambda: dialog() is not None, timeout=10_000)
    assert dialog().labelText().startswith("Đang thử…")
    cancel = dialog().findChild(QPushButton)
    assert cancel.text() == "Hủy"
    cancel.click()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    assert outcome == [] and shown_messages == []  # a cancel is not an error


def test_excepthook_routes_uncaught_exceptions(qtbot, shown_messages, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    errors.install_excepthook()
    try:
        raise KeyError("bug in a slot")
    except KeyError:
        sys.excepthook(*sys.exc_info())
    try:
        raise AppError("Ổ đĩa đã đầy.")
    except AppError:
        sys.excepthook(*sys.exc_info())
    assert [m[0] for m in shown_messages] == [QMessageBox.Icon.Critical, QMessageBox.Icon.Warning]
    assert str(paths.log_file()) in shown_messages[0][2]
    assert shown_messages[1][2] == "Ổ đĩa đã đầy."


def test_worker_exits_when_idle_and_a_new_task_still_runs(qtbot, shown_messages, monkeypatch):
    from cannngheo_desktop.gui.shell import tasks

    monkeypatch.setattr(tasks, "IDLE_EXIT_S", 0.05)
    runner = TaskRunner(None)
    got = []
    runner.run_task(None, lambda progress: threading.get_ident(), on_success=got.append, db=False)
    qtbot.waitUntil(lambda: len(got) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: runner._thread is None, timeout=5_000)  # the idle worker went away
    runner.run_task(None, lambda progress: threading.get_ident(), on_success=got.append, db=False)
    qtbot.waitUntil(lambda: len(got) == 2, timeout=10_000)
    assert not runner.busy and shown_messages == []


def test_garbage_is_collected_by_the_timer_not_in_the_middle_of_events(qtbot):
    import gc

    from cannngheo_desktop.gui.shell.gc_timer import GarbageCollector

    was = gc.isenabled()
    try:
        collector = GarbageCollector()
        assert not gc.isenabled() and collector.timer.isActive()

        class Node:
            pass

        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle only the cyclic collector frees
        del a, b
        assert collector.collect() >= 2
    finally:
        if was:
            gc.enable()
