"""AppContext: what every window part needs, built once in app.py and passed down (no globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...storage.db import Store
from ...storage.installation import Installation
from .tasks import TaskRunner


@dataclass
class AppContext:
    """One open session: database file, its Store (GUI thread only), who is logged in, the worker."""

    db_path: Path
    store: Store
    installation: Installation
    user: dict[str, Any]
    tasks: TaskRunner
    demo: bool = False
    notes: list[str] = field(default_factory=list)  # start-up notices shown in the status bar

    @property
    def user_name(self) -> str:
        return str(self.user.get("name") or "")

    @property
    def user_label(self) -> str:
        full = self.user.get("full_name") or ""
        name = self.user_name
        return f"{full} ({name})" if full and full != name else name

    def close(self) -> None:
        """Cancel the work, end the worker (``TaskRunner.shutdown``: joined, its jobs released on this
        thread, handlers not run), then close the store and release the file lock."""
        self.tasks.cancel_all()
        self.tasks.shutdown()
        self.store.close()
