"""File and folder choosers, wrapped so tests can replace them (``monkeypatch.setattr``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

DB_FILTER = "Cơ sở dữ liệu Cận Nghèo (*.sqlite *.db);;Tất cả các tệp (*)"
BACKUP_FILTER = "Bản sao lưu (*.sqlite *.db);;Tất cả các tệp (*)"


def choose_folder(parent: QWidget | None, title: str, start: Path | None = None) -> Path | None:
    """A folder the user picked, or None when cancelled."""
    chosen = QFileDialog.getExistingDirectory(parent, title, str(start or Path.home()))
    return Path(chosen) if chosen else None


def choose_open_file(parent: QWidget | None, title: str, start: Path | None = None,
                     file_filter: str = DB_FILTER) -> Path | None:
    """An existing file the user picked, or None when cancelled."""
    chosen, _ = QFileDialog.getOpenFileName(parent, title, str(start or Path.home()), file_filter)
    return Path(chosen) if chosen else None


def choose_save_file(parent: QWidget | None, title: str, start: Path | None = None,
                     file_filter: str = DB_FILTER) -> Path | None:
    """A (new) file name the user picked, or None when cancelled."""
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(start or Path.home()), file_filter)
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix else path.with_suffix(".sqlite")


def choose_open_files(parent: QWidget | None, title: str, start: Path | None = None,
                      file_filter: str = DB_FILTER) -> list[Path]:
    """Existing files the user picked (several allowed); empty when cancelled."""
    chosen, _ = QFileDialog.getOpenFileNames(parent, title, str(start or Path.home()), file_filter)
    return [Path(c) for c in chosen]
