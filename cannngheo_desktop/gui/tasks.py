"""Long work off the GUI thread, Anki-style: a plain function, a success handler, a failure handler.

``ctx.tasks.run_task(parent, fn, on_success=...)`` runs ``fn(store, progress)`` on ONE worker thread
with its own connection to the database (a sqlite3 connection belongs to the thread that opened it);
with ``db=False`` it runs ``fn(progress)``. ``progress`` implements core.progress.Progress. A
progress dialog appears if the work takes longer than ~0.5 s; its Cancel button sets
``progress.cancelled()``, and the function is expected to raise ``core.errors.Cancelled``.
Failures: AppError → message box (or ``on_failure``), anything else → logged + crash dialog.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..core.errors import AppError, Cancelled
from ..storage import open_db
from . import errors

log = logging.getLogger(__name__)
SHOW_AFTER_MS = 500


class _Signals(QObject):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)


class TaskProgress:
    """The worker-side Progress: thread-safe cancel flag, reports forwarded to the GUI thread."""

    def __init__(self, signals: _Signals) -> None:
        self._signals = signals
        self._cancel = threading.Event()

    def report(self, done: int, total: int, message: str = "") -> None:
        try:
            self._signals.progressed.emit(int(done), int(total), message)
        except RuntimeError:  # the window went away mid-task: stop quietly
            self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


class _Runnable(QRunnable):
    def __init__(self, job: _Job) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._job: _Job | None = job

    def run(self) -> None:  # worker thread
        job = self._job
        assert job is not None
        finished = job.worker_finished
        outcome: tuple[Any, object] | None = None
        try:
            if job.db_path is None:
                outcome = (job.signals.succeeded, job.fn(job.progress))
            else:
                with open_db(job.db_path, create=False, user=job.user) as store:
                    outcome = (job.signals.succeeded, job.fn(store, job.progress))
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread's handlers
            outcome = (job.signals.failed, exc)
        finally:
            if outcome is not None:
                self._emit(*outcome)
            # Drop every reference this thread holds BEFORE saying we are done: the last
            # reference to a QObject (the job, a widget captured by ``fn``) must die on the GUI
            # thread, never here — deleting it from the worker crashed the app at random.
            outcome = None
            job = None
            self._job = None
            finished.set()

    @staticmethod
    def _emit(signal: Any, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # receiver deleted (app shutting down): nothing left to tell
            log.warning("Task finished after its window closed")


class _Job(QObject):
    """GUI-thread half of one task: owns the signals, the progress dialog and the handlers."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None, fn: Callable[..., Any], *,
                 on_success: Callable[[Any], None], on_failure: Callable[[AppError], None] | None,
                 label: str, cancellable: bool, db_path: Path | None, user: str) -> None:
        super().__init__()
        self.runner, self.parent_widget, self.fn = runner, parent, fn
        self.on_success, self.on_failure = on_success, on_failure
        self.label, self.cancellable = label, cancellable
        self.db_path, self.user = db_path, user
        self.signals = _Signals(self)  # owned by the job on the C++ side
        self.progress = TaskProgress(self.signals)
        self.worker_finished = threading.Event()
        self.dialog: QProgressDialog | None = None
        self._last: tuple[int, int, str] = (0, 0, "")
        self.signals.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self.signals.succeeded.connect(self._on_succeeded, Qt.ConnectionType.QueuedConnection)
        self.signals.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._show_dialog)

    @Slot()
    def _show_dialog(self) -> None:
        dialog = QProgressDialog(self.label, "Hủy" if self.cancellable else "", 0, 0, self.parent_widget)
        dialog.setWindowTitle("Đang xử lý")
        # Not modal: a modal QProgressDialog runs processEvents() inside setValue(), so the
        # task's own "finished" signal could be delivered in the middle of a progress update
        # and delete the dialog under it (a random crash). The one worker queues tasks anyway.
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not self.cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(self._on_cancel)
        self.dialog = dialog
        self._on_progress(*self._last)
        dialog.show()

    @Slot()
    def _on_cancel(self) -> None:
        self.progress.cancel()
        if self.dialog is not None:
            self.dialog.setLabelText("Đang dừng…")

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        self._last = (done, total, message)
        if self.dialog is None or self.progress.cancelled():
            return
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total > 0 else 0)
        if message:
            self.dialog.setLabelText(f"{self.label}\n{message}")

    def _finish(self) -> None:
        self.timer.stop()
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self._on_cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.runner._done(self)

    @Slot(object)
    def _on_succeeded(self, result: Any) -> None:
        self._finish()
        try:
            self.on_success(result)
        except BaseException as exc:  # noqa: BLE001
            errors.report(self.parent_widget, exc)

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, Cancelled):
            log.info("Task cancelled: %s", self.label)
            return
        if isinstance(exc, AppError) and self.on_failure is not None:
            self.on_failure(exc)
            return
        errors.report(self.parent_widget, exc)


class TaskRunner(QObject):
    """One worker thread for the whole app; tasks queue behind each other."""

    def __init__(self, db_path: Path | None = None, *, user: str = "system", parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = db_path
        self.user = user
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._jobs: set[_Job] = set()
        self._retired: list[_Job] = []

    def run_task(self, parent: QWidget | None, fn: Callable[..., Any], *,
                 on_success: Callable[[Any], None], on_failure: Callable[[AppError], None] | None = None,
                 label: str = "Đang xử lý…", cancellable: bool = True, db: bool = True) -> None:
        """Run ``fn(store, progress)`` (or ``fn(progress)`` with ``db=False``) off the GUI thread."""
        job = _Job(self, parent, fn, on_success=on_success, on_failure=on_failure, label=label,
                   cancellable=cancellable, db_path=self.db_path if db else None, user=self.user)
        self._jobs.add(job)
        job.timer.start(SHOW_AFTER_MS)
        self.pool.start(_Runnable(job))

    def _done(self, job: _Job) -> None:
        # The worker sets this right after its last emit (microseconds): wait so that the GUI
        # thread holds the last reference. Release it on a later turn of the event loop, not
        # inside the job's own slot that is running now.
        job.worker_finished.wait(5.0)
        self._jobs.discard(job)
        self._retired.append(job)
        QTimer.singleShot(0, self._retired.clear)

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def cancel_all(self) -> None:
        """Ask every queued or running task to stop (closing the window)."""
        for job in list(self._jobs):
            job.progress.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the worker is idle (shutdown and tests)."""
        return self.pool.waitForDone(msecs)
