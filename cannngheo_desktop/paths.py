"""Where the app keeps its data and its log, and finds its bundled resources (source checkout,
wheel or frozen build)."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from platformdirs import user_data_path, user_log_path

from . import APP_NAME

_PACKAGE_DIR = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The folder holding fonts, rulesets, reference and demo data: ONE rule for every install.

    It is the package data ``cannngheo_desktop/resources`` beside the code in an installed wheel
    (setup.py maps the top-level ``resources/`` there) and in the frozen app (build.spec copies it
    to the same place under ``sys._MEIPASS``, where the package's modules live); in a source
    checkout (also ``pip install -e``) it is the top-level ``resources/`` beside the package.
    ``CANNGHEO_RESOURCES`` overrides the rule (tests, odd installs).
    """
    override = os.environ.get("CANNGHEO_RESOURCES")
    if override:
        return Path(override)
    installed = _PACKAGE_DIR / "resources"
    if installed.is_dir():
        return installed
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


def log_handler(path: Path | None = None) -> logging.Handler:
    """A handler writing to the app's rotating log file (1 MB × 5), created on the first record.

    Raises OSError when the log folder cannot be made."""
    path = path or log_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8",
                                                   delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return handler


def configure_logging(path: Path | None = None, *, level: int = logging.INFO) -> Path:
    """Send the app's log to the rotating file for the rest of the process (the window); returns
    its path. Idempotent per file. Raises OSError when the log folder cannot be written."""
    path = path or log_file()
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler) and \
                Path(handler.baseFilename) == path.resolve():
            return path
    root.addHandler(log_handler(path))
    root.setLevel(min(root.level or level, level))
    return path
