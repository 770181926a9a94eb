"""The review's settings, kept in the database (audited): the public holidays skipped when
counting posting days, and who signs the certificates and written replies."""

from __future__ import annotations

from datetime import date

from ..core.errors import ValidationError
from ..core.text import nfc
from ..storage import repo
from ..storage.db import Store
from . import calendar

HOLIDAYS_SETTING = "review.holidays"
SIGNER_SETTING = "review.signer_name"


def get_holidays(store: Store) -> list[date]:
    """The configured public holidays (skipped when counting posting days)."""
    try:
        return calendar.parse_holidays(store.get_setting(HOLIDAYS_SETTING))
    except ValueError:
        return []


def set_holidays(store: Store, days: list[date]) -> None:
    """Replace the configured holidays (audited setting)."""
    repo.set_setting(store, HOLIDAYS_SETTING, calendar.format_holidays(days))


def signer_name(store: Store) -> str:
    """Who signs the certificates and written replies (printed under "CHỦ TỊCH")."""
    return store.get_setting(SIGNER_SETTING) or ""


def set_signer_name(store: Store, name: str | None) -> str:
    """Store the signer's name (audited setting; blank clears it) and return it as stored."""
    clean = " ".join(nfc(name or "").split())
    if len(clean) > 100:
        raise ValidationError("Tên người ký dài quá 100 ký tự. Hãy ghi họ và tên người ký.", field="signer_name")
    repo.set_setting(store, SIGNER_SETTING, clean or None)
    return clean
