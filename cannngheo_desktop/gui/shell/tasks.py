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
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


class _Job:
    """One task: what to run (worker side) and what to do with the outcome (GUI side)."""

    def __init__(self, parent: QWidget | None, fn: Callable[..., Any], *,
                 on_success: Callable[[Any], None], on_failure: Callable[[AppError], None] | None,
                 label: str, cancellable: bool, db_path: Path | None, user: str) -> None:
        self.parent_widget, self.fn = parent, fn
        self.on_success, self.on_failure = on_success, on_failure
        self.label, self.cancellable = label, cancellable
        self.db_path, self.user = db_path, user
        self.progress = TaskProgress()
        self.started = time.monotonic()
        self.dialog: QProgressDialog | None = None
        self.worker_finished = threading.Event()

    def run(self) -> tuple[bool, Any]:  # worker thread
        try:
            if self.db_path is None:
                return True, self.fn(self.progress)
            with open_db(self.db_path, create=False, user=self.user) as store:
                return True, self.fn(store, self.progress)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread's handlers
            return False, exc


class TaskRunner(QObject):
    """One worker thread for the whole app; tasks queue behind each other."""

    def __init__(self, db_path: Path | None = None, *, user: str = "system", parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = db_path
        self.user = user
        self._todo: queue.Queue[_Job | None] = queue.Queue()
        self._outcomes: queue.Queue[tuple[_Job, bool, Any]] = queue.Queue()
        self._jobs: list[_Job] = []          # queued or running, oldest first (GUI thread only)
        self._idle = threading.Condition()
        self._running = 0                    # jobs taken by the worker and not finished
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    # -- API -------------------------------------------------------------------------------
    def run_task(self, parent: QWidget | None, fn: Callable[..., Any], *,
                 on_success: Callable[[Any], None], on_failure: Callable[[AppError], None] | None = None,
                 label: str = "Đang xử lý…", cancellable: bool = True, db: bool = True) -> None:
        """Run ``fn(store, progress)`` (or ``fn(progress)`` with ``db=False``) off the GUI thread."""
        job = _Job(parent, fn, on_success=on_success, on_failure=on_failure, label=label,
                   cancellable=cancellable, db_path=self.db_path if db else None, user=self.user)
        self._jobs.append(job)
        with self._idle:
            self._running += 1
        with self._lock:
            self._todo.put(job)
            if self._thread is None:  # the worker exits when idle for a while; start another
                self._thread = threading.Thread(target=self._work, name="cannngheo-worker", daemon=True)
                self._thread.start()
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
        """Block until the worker is idle (shutdown and tests); handlers run on the next poll."""
        deadline = time.monotonic() + msecs / 1000
        with self._idle:
            while self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    # -- worker thread -----------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            try:
                job = self._todo.get(timeout=IDLE_EXIT_S)
            except queue.Empty:
                with self._lock:
                    if self._todo.empty():
                        self._thread = None
                        return
                continue
            if job is None:
                return
            finished = job.worker_finished
            ok, value = job.run()
            item = (job, ok, value)
            # Drop this thread's references before the GUI thread may drop its own: the last
            # reference to anything the task captured (widgets) must die on the GUI thread.
            job = value = None
            self._outcomes.put(item)
            item = None
            finished.set()
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    # -- GUI thread --------------------------------------------------------------------------
    def _poll(self) -> None:
        while True:
            try:
                job, ok, value = self._outcomes.get_nowait()
            except queue.Empty:
                break
            job.worker_finished.wait(5.0)
            self._finish(job, ok, value)
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
        if job in self._jobs:
            self._jobs.remove(job)
        if job.dialog is not None:
            job.dialog.close()
            job.dialog.deleteLater()
            job.dialog = None
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
