"""Where the app keeps its data and finds its bundled resources (source tree or frozen build)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_path, user_log_path

from . import APP_NAME

_PACKAGE_DIR = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The folder holding fonts, rulesets and reference data.

    Frozen (PyInstaller) builds unpack it under ``sys._MEIPASS``; from the source tree it
    sits beside the package. ``CANNGHEO_RESOURCES`` overrides both (tests, odd installs).
    """
    override = os.environ.get("CANNGHEO_RESOURCES")
    if override:
        return Path(override)
    frozen_base = getattr(sys, "_MEIPASS", None)
    if frozen_base:
        return Path(frozen_base) / "resources"
    return _PACKAGE_DIR.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def data_dir() -> Path:
    override = os.environ.get("CANNGHEO_DATA_DIR")
    path = Path(override) if override else user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "cannngheo.sqlite"


def backups_dir(db_path: Path) -> Path:
    """Automatic backups live beside the database so they follow it when it is moved."""
    return db_path.parent / "backups"


def log_dir() -> Path:
    override = os.environ.get("CANNGHEO_DATA_DIR")
    path = Path(override) / "logs" if override else user_log_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_file() -> Path:
    return log_dir() / "cannngheo.log"
