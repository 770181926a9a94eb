"""Errors a user can act on, each with a ready Vietnamese message.

Anything that is *not* an ``AppError`` is a bug: the GUI logs it and shows the crash dialog.
"""

from __future__ import annotations


class AppError(Exception):
    """An expected failure with a message for the user (Vietnamese, names the file/row/field)."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class DatabaseError(AppError):
    """The database file cannot be used (not SQLite, newer schema, locked, read-only, disk full)."""


class DatabaseLockedError(DatabaseError):
    """Another copy of the app holds the file."""

    def __init__(self, message: str, *, holder: dict | None = None) -> None:
        super().__init__(message)
        self.holder = holder or {}


class EncryptedDatabaseError(DatabaseError):
    """The file is encrypted and this process holds no key for it: ask for a password."""


class ValidationError(AppError):
    """Input that breaks a rule; ``field`` names the field (and ``row`` the row, for imports)."""

    def __init__(self, message: str, *, field: str = "", row: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.row = row


class NotFoundError(AppError):
    pass


class AuthError(AppError):
    pass


class RulesetError(AppError):
    """A ruleset definition that is malformed or overlaps another (message names the field)."""


class FileFormatError(AppError):
    """A file the user chose cannot be read (wrong kind, damaged, unexpected layout)."""


class Cancelled(AppError):
    def __init__(self) -> None:
        super().__init__("Đã hủy theo yêu cầu.")
