"""Long work off the GUI thread, Anki-style: a plain function, a success handler, a failure handler.

``ctx.tasks.run_task(parent, fn, on_success=...)`` runs ``fn(store, progress)`` on ONE worker thread
with its own connection to the database (a sqlite3 connection belongs to the thread that opened it);
with ``db=False`` it runs ``fn(progress)``. ``progress`` implements core.progress.Progress. A
progress dialog appears if the work takes longer than ~0.5 s; its Cancel button sets
``progress.cancelled()``, and the function is expected to raise ``core.errors.Cancelled``.
Failures: AppError → message box (or ``on_failure``), anything else → logged + crash dialog.

The worker is a plain Python thread that never touches a Qt object: it takes jobs from one queue
and puts outcomes on another, and a timer on the GUI thread polls for them and for progress.
Emitting Qt signals from the worker (the first design) aborted the process now and then inside
PySide when a progress signal and the end of the task crossed.

The worker thread holds its queues (``_Worker``) and the work in hand, never the runner: when it ran
``self._work`` and ended after being idle, it dropped the last reference to a runner nobody else
held, and the runner and its poll timer were destroyed on the worker thread ("Timers cannot be
stopped from another thread", then a crash in the event loop; issue 14). ``shutdown()`` ends a
runner for good on the GUI thread: the session's close and every test fixture call it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from ...core.errors import AppError, Cancelled
from ...storage import open_db
from . import errors

log = logging.getLogger(__name__)
SHOW_AFTER_MS = 500
POLL_MS = 30
IDLE_EXIT_S = 2.0


class TaskProgress:
    """The worker-side Progress: a thread-safe cancel flag and the latest report (polled)."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._latest: tuple[int, int, str] = (0, 0, "")

    def report(self, done: int, total: int, message: str = "") -> None:
        with self._lock:
            self._latest = (int(done), int(total), message)

    def latest(self) -> tuple[int, int, str]:
        with self._lock:
            return self._latest

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


class _Work:
    """What the worker thread gets of a task: the function and where it runs, nothing of the GUI."""

    def __init__(self, fn: Callable[..., Any], db_path: Path | None, user: str) -> None:
        self.fn, self.db_path, self.user = fn, db_path, user
        self.progress = TaskProgress()
        self.finished = threading.Event()  # set once the worker has dropped its references

    def run(self) -> tuple[bool, Any]:  # worker thread
        try:
            if self.db_path is None:
                return True, self.fn(self.progress)
            with open_db(self.db_path, create=False, user=self.user) as store:
                return True, self.fn(store, self.progress)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread's handlers
            return False, exc


class _Job:
    """One task on the GUI side: its work and what to do with the outcome (GUI thread only)."""

    def __init__(self, parent: QWidget | None, work: _Work, *,
                 on_success: Callable[[Any], None], on_failure: Callable[[AppError], None] | None,
                 label: str, cancellable: bool) -> None:
        self.parent_widget, self.work = parent, work
        self.on_success, self.on_failure = on_success, on_failure
        self.label, self.cancellable = label, cancellable
        self.progress = work.progress
        self.started = time.monotonic()
        self.dialog: QProgressDialog | None = None

    def close_dialog(self) -> None:
        if self.dialog is not None and shiboken6.isValid(self.dialog):  # its parent may be gone
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = None


class _Worker:
    """The worker thread's side: a queue of work in, a queue of outcomes out, a count of work not
    finished. Plain Python; it never refers to the runner or to any Qt object."""

    def __init__(self) -> None:
        self.todo: queue.Queue[_Work | None] = queue.Queue()
        self.outcomes: queue.Queue[tuple[_Work, bool, Any]] = queue.Queue()
        self.idle = threading.Condition()
        self.running = 0                    # work submitted and not finished
        self.lock = threading.Lock()        # guards ``thread`` against the idle exit
        self.thread: threading.Thread | None = None

    def submit(self, work: _Work) -> None:  # GUI thread
        with self.idle:
            self.running += 1
        with self.lock:
            self.todo.put(work)
            if self.thread is None:  # the worker ends when idle for a while; start another
                self.thread = threading.Thread(target=self._loop, name="cannngheo-worker", daemon=True)
                self.thread.start()

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.idle:
            while self.running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.idle.wait(left)
        return True

    def take_queued(self) -> list[_Work]:  # GUI thread: work not started is taken back
        taken: list[_Work] = []
        while True:
            try:
                work = self.todo.get_nowait()
            except queue.Empty:
                break
            if work is not None:
                taken.append(work)
        self._done(len(taken))
        return taken

    def stop(self, timeout: float) -> bool:  # GUI thread: end the thread after its current work
        with self.lock:
            thread = self.thread
            if thread is None:
                return True
            self.todo.put(None)
        thread.join(timeout)
        return not thread.is_alive()

    def _done(self, count: int) -> None:
        with self.idle:
            self.running -= count
            self.idle.notify_all()

    def _loop(self) -> None:  # worker thread
        while True:
            try:
                work = self.todo.get(timeout=IDLE_EXIT_S)
            except queue.Empty:
                with self.lock:
                    if self.todo.empty():
                        self.thread = None
                        return
                continue
            if work is None:
                with self.lock:
                    self.thread = None
                return
            finished = work.finished
            ok, value = work.run()
            item = (work, ok, value)
            # Drop this thread's references before the GUI thread may drop its own: the last
            # reference to anything the task captured (widgets) must die on the GUI thread.
            work = value = None
            self.outcomes.put(item)
            del item
            finished.set()
            self._done(1)


class TaskRunner(QObject):
    """One worker thread for the whole app; tasks queue behind each other. Give it a parent where
    one exists (the main window adopts its session's runner); end it with ``shutdown()``."""

    def __init__(self, db_path: Path | None = None, *, user: str = "system", parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = db_path
        self.user = user
        self._worker = _Worker()
        self._jobs: list[_Job] = []          # queued or running, oldest first (GUI thread only)
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    # -- API -------------------------------------------------------------------------------
    def run_task(self, parent: QWidget | None, fn: Callable[..., Any], *,
                 on_success: Callable[[Any], None], on_failure: Callable[[AppError], None] | None = None,
                 label: str = "Đang xử lý…", cancellable: bool = True, db: bool = True) -> None:
        """Run ``fn(store, progress)`` (or ``fn(progress)`` with ``db=False``) off the GUI thread."""
        if self._closed:
            raise RuntimeError(f"TaskRunner is shut down; not running {label!r}")
        work = _Work(fn, self.db_path if db else None, self.user)
        self._jobs.append(_Job(parent, work, on_success=on_success, on_failure=on_failure,
                               label=label, cancellable=cancellable))
        self._worker.submit(work)
        if not self._timer.isActive():
            self._timer.start()

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def cancel_all(self) -> None:
        """Ask every queued or running task to stop (closing the window)."""
        for job in list(self._jobs):
            job.progress.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the worker is idle (tests); handlers run on the next poll, not here."""
        return self._worker.wait(msecs / 1000)

    def shutdown(self, msecs: int = 30_000) -> bool:
        """End this runner for good, on the GUI thread (closing a session, a test's teardown): stop
        the poll timer, take back the tasks not started, let the running one finish (``cancel_all``
        first to cut it short) and join the worker, release every job and outcome here WITHOUT
        running its handlers (the window is going away; failures are logged), ``deleteLater``.
        False when the worker did not end within ``msecs``. A second call does nothing."""
        if self._closed:
            return True
        self._closed = True
        alive = shiboken6.isValid(self)  # a parent (the main window) may have deleted it already
        if alive:
            self._timer.stop()
        for work in self._worker.take_queued():
            log.info("Task not started before shutdown: %s", self._job_of(work).label)
        stopped = self._worker.stop(msecs / 1000)
        if not stopped:
            log.warning("The worker did not stop within %d ms (a task ignoring cancel)", msecs)
        while True:
            try:
                work, ok, value = self._worker.outcomes.get_nowait()
            except queue.Empty:
                break
            work.finished.wait(5.0)
            job = self._job_of(work)
            if not ok and not isinstance(value, Cancelled):
                log.warning("Task %r failed after the session closed", job.label, exc_info=value)
        for job in self._jobs:
            job.close_dialog()
        self._jobs.clear()
        if alive:
            self.deleteLater()
        return stopped

    # -- GUI thread --------------------------------------------------------------------------
    def _job_of(self, work: _Work) -> _Job:
        return next(job for job in self._jobs if job.work is work)

    def _poll(self) -> None:
        while True:
            try:
                work, ok, value = self._worker.outcomes.get_nowait()
            except queue.Empty:
                break
            work.finished.wait(5.0)
            self._finish(self._job_of(work), ok, value)
        if self._jobs:
            self._show_progress(self._jobs[0])
        else:
            self._timer.stop()

    def _show_progress(self, job: _Job) -> None:
        if job.dialog is None:
            if (time.monotonic() - job.started) * 1000 < SHOW_AFTER_MS:
                return
            job.dialog = self._make_dialog(job)
        done, total, message = job.progress.latest()
        dialog = job.dialog
        if job.progress.cancelled():
            return
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total > 0 else 0)
        dialog.setLabelText(f"{job.label}\n{message}" if message else job.label)

    @staticmethod
    def _make_dialog(job: _Job) -> QProgressDialog:
        dialog = QProgressDialog(job.label, "Hủy" if job.cancellable else "", 0, 0, job.parent_widget)
        dialog.setWindowTitle("Đang xử lý")
        # Not modal: a modal QProgressDialog runs processEvents() inside setValue().
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not job.cancellable:
            dialog.setCancelButton(None)

        def cancel() -> None:
            job.progress.cancel()
            dialog.setLabelText("Đang dừng…")

        dialog.canceled.connect(cancel)
        dialog.show()
        return dialog

    def _finish(self, job: _Job, ok: bool, value: Any) -> None:
        self._jobs.remove(job)
        job.close_dialog()
        if ok:
            try:
                job.on_success(value)
            except BaseException as exc:  # noqa: BLE001
                errors.report(job.parent_widget, exc)
            return
        if isinstance(value, Cancelled):
            log.info("Task cancelled: %s", job.label)
            return
        if isinstance(value, AppError) and job.on_failure is not None:
            job.on_failure(value)
            return
        errors.report(job.parent_widget, value)
