"""Background work and error reporting: results come back on the GUI thread, AppError becomes a
message box, bugs become the crash dialog (naming the log file), and Cancel stops the worker."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import threading
import weakref

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton

from cannngheo_desktop import paths
from cannngheo_desktop.core.errors import AppError, Cancelled
from cannngheo_desktop.gui.shell import errors
from cannngheo_desktop.gui.shell.tasks import TaskRunner


@pytest.fixture
def runner(qtbot):
    """A runner without a database, ended as the app ends it."""
    made = TaskRunner(None)
    yield made
    assert made.shutdown()


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


def test_app_error_goes_to_message_box_or_handler(qtbot, runner, shown_messages):

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


def test_bug_in_task_shows_crash_dialog_and_logs(qtbot, runner, shown_messages):
    log_file = errors.configure_logging()
    runner.run_task(None, lambda progress: 1 / 0, on_success=lambda r: None, db=False)
    qtbot.waitUntil(lambda: bool(shown_messages), timeout=10_000)
    icon, _title, text = shown_messages[0]
    assert icon == QMessageBox.Icon.Critical
    assert "Chương trình gặp lỗi ngoài dự kiến" in text and f"Nhật ký lỗi ở: {paths.log_file()}" in text
    assert "ZeroDivisionError" in log_file.read_text(encoding="utf-8")


def test_progress_dialog_appears_and_cancel_stops_the_job(qtbot, runner, shown_messages):
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


def test_worker_exits_when_idle_and_a_new_task_still_runs(qtbot, runner, shown_messages, monkeypatch):
    from cannngheo_desktop.gui.shell import tasks

    monkeypatch.setattr(tasks, "IDLE_EXIT_S", 0.05)
    got = []
    runner.run_task(None, lambda progress: threading.get_ident(), on_success=got.append, db=False)
    qtbot.waitUntil(lambda: len(got) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: runner._worker.thread is None, timeout=5_000)  # the idle worker went away
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


def _workers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "cannngheo-worker"}


def test_a_dropped_runner_dies_on_the_gui_thread_not_on_its_idle_worker(qtbot, monkeypatch):
    """Issue 14: the worker thread ran ``self._work``, so when it went idle and ended it dropped the
    last reference to a runner nobody else held, and the runner (a QObject) and its poll timer were
    destroyed on the worker thread. The worker must hold its queues only."""
    from cannngheo_desktop.gui.shell import tasks

    monkeypatch.setattr(tasks, "IDLE_EXIT_S", 0.05)
    before = _workers()
    runner = TaskRunner(None)
    died_on: list[str] = []
    weakref.finalize(runner, lambda: died_on.append(threading.current_thread().name))
    got: list = []
    runner.run_task(None, lambda progress: 7, on_success=got.append, db=False)
    (worker,) = _workers() - before
    qtbot.waitUntil(lambda: got == [7], timeout=10_000)  # handled: the poll timer has stopped
    del runner
    worker.join(5)
    assert not worker.is_alive()
    gc.collect()
    assert died_on == [threading.main_thread().name]


DROP_WITH_TIMER_RUNNING = textwrap.dedent("""
    import threading, time
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from cannngheo_desktop.gui.shell import tasks
    tasks.IDLE_EXIT_S = 0.05
    runner = tasks.TaskRunner(None)
    runner.run_task(None, lambda progress: 1, on_success=print, db=False)
    assert runner.wait()  # the worker is done; the handler would run on the next poll
    (worker,) = [t for t in threading.enumerate() if t.name == "cannngheo-worker"]
    del runner            # the timer is still running
    worker.join(5)        # the idle worker ends
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    print("survived")
""")


def test_dropping_a_runner_with_its_timer_running_does_not_crash(tmp_path):
    """The crash itself, in a process of its own: the old runner died on the worker thread with its
    timer running ("Timers cannot be stopped from another thread") and the event loop then touched
    freed memory (SIGSEGV, every time)."""
    script = tmp_path / "drop_runner.py"
    script.write_text(DROP_WITH_TIMER_RUNNING, encoding="utf-8")
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-X", "faulthandler", str(script)], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["survived"]  # the handler of a dropped runner never runs
    assert "another thread" not in done.stderr


def test_shutdown_joins_the_worker_and_releases_every_job_without_running_handlers(qtbot, shown_messages):
    runner = TaskRunner(None)
    before = _workers()
    release = threading.Event()
    ran: list = []
    handled: list = []
    runner.run_task(None, lambda progress: release.wait(10) and "done", on_success=handled.append, db=False)
    runner.run_task(None, lambda progress: ran.append("second") or 2, on_success=handled.append, db=False)
    (worker,) = _workers() - before
    destroyed: list = []
    runner.destroyed.connect(lambda *_: destroyed.append(True))
    threading.Timer(0.2, release.set).start()
    assert runner.shutdown()       # waits for the running task, drops the queued one
    assert not worker.is_alive()
    assert ran == [] and handled == [] and not runner.busy and shown_messages == []
    assert runner.shutdown()       # a second call does nothing
    with pytest.raises(RuntimeError):
        runner.run_task(None, lambda progress: 3, on_success=handled.append, db=False)
    qtbot.waitUntil(lambda: destroyed == [True], timeout=5_000)  # deleteLater, on this thread


def test_closing_the_session_cancels_and_ends_the_worker(qtbot, app_ctx, shown_messages):
    before = _workers()
    outcome: list = []

    def endless(store, progress):
        while not progress.cancelled():
            threading.Event().wait(0.01)
        raise Cancelled()

    app_ctx.tasks.run_task(None, endless, on_success=outcome.append)
    (worker,) = _workers() - before
    app_ctx.close()
    assert not worker.is_alive() and not app_ctx.tasks.busy
    assert outcome == [] and shown_messages == []
