"""Progress reporting without Qt: long jobs receive a small object, the GUI adapts it to a dialog.

A job calls ``progress.report(done, total)`` now and then and checks ``progress.cancelled()``;
when it is cancelled it raises ``core.errors.Cancelled`` (after undoing any partial write).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Progress(Protocol):
    """What a long-running, Qt-free job needs from its caller."""

    def report(self, done: int, total: int) -> None:
        """``done`` of ``total`` items are finished (total may be 0 when unknown)."""

    def cancelled(self) -> bool:
        """True once the user asked to stop."""


class NullProgress:
    """Reports nowhere and is never cancelled (the default for scripts and tests)."""

    def report(self, done: int, total: int) -> None:
        return None

    def cancelled(self) -> bool:
        return False


def or_null(progress: Progress | None) -> Progress:
    """``progress`` itself, or a NullProgress when None was given."""
    return progress if progress is not None else NullProgress()
