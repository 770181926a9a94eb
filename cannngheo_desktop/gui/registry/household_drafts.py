"""Autosaved drafts of the household editor: JSON files in ``paths.data_dir()/drafts``.

A draft is written while the user types (and every 30 s) and removed on save or discard, so a
file left there means the app stopped with unsaved work; the registry tab offers it back.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from ... import paths

log = logging.getLogger(__name__)


def drafts_dir() -> Path:
    folder = paths.data_dir() / "drafts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def draft_path(household_id: str | None, db_path: Path) -> Path:
    """One draft per stored household (per database); new households get a fresh name."""
    tag = f"{db_path.stem}-{household_id}" if household_id else f"{db_path.stem}-new-{uuid.uuid4().hex[:8]}"
    return drafts_dir() / f"{tag}.json"


def write_draft(path: Path, household_id: str | None, household: dict[str, Any],
                members: list[dict[str, Any]], db_path: Path) -> None:
    data = {"db_path": str(db_path), "household_id": household_id, "household": household, "members": members,
            "saved_at": datetime.now().isoformat(timespec="seconds")}
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        tmp.replace(path)
    except OSError:  # a draft is a safety net; failing to write one must not stop the editor
        log.exception("Không ghi được bản nháp %s", path)


def read_draft(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("household"), dict) else None


def remove_draft(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


def drafts_for(db_path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Drafts left for this database file, oldest first."""
    out = []
    for path in sorted(drafts_dir().glob(f"{db_path.stem}-*.json"), key=lambda p: p.stat().st_mtime):
        data = read_draft(path)
        if data is not None and data.get("db_path") == str(db_path):
            out.append((path, data))
    return out


def saved_at_text(data: dict[str, Any]) -> str:
    try:
        return datetime.fromisoformat(str(data.get("saved_at"))).strftime("%H:%M ngày %d/%m/%Y")
    except ValueError:
        return "lần trước"
