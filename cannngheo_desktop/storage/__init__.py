"""Database access: opening the file (locked, checked, migrated), backups, the single audited
write path (repo.py), and the tables every capability shares: units and catalogues, users, the
installation, households and members, rulesets and assessments. A capability keeps the
queries of its own tables in its own folder and writes through repo.py."""

from .db import SCHEMA_VERSION, Store, open_db

__all__ = ["SCHEMA_VERSION", "Store", "open_db"]
