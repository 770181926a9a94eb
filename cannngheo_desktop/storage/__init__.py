"""The only package that speaks SQL: opening the file, migrations, repositories, backups."""

from .db import SCHEMA_VERSION, Store, open_db

__all__ = ["SCHEMA_VERSION", "Store", "open_db"]
