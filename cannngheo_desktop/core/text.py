"""Vietnamese text helpers: NFC on the way in, diacritic-free search keys, dates and money."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def nfc(value: Any) -> Any:
    """NFC-normalise strings (and strip outer spaces); leave other values as they are.

    Text typed on Windows or pasted from Excel can be decomposed (NFD): it looks the same on
    screen but compares differently and reportlab misplaces its tone marks.
    """
    if isinstance(value, str):
        return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    return value


def fold(text: str | None) -> str:
    """Search key: no tone marks or diacritics, đ→d, lower case, words separated by one space.

    ``fold("Nguyễn Văn Đức") == "nguyen van duc"``. SQLite's LIKE does not fold Vietnamese and
    FTS5's remove_diacritics leaves đ alone, so every searchable text is stored folded.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _NON_WORD.sub(" ", stripped.lower()).strip()


def name_sort_key(full_name: str | None) -> str:
    """Order of a Vietnamese name list: given name (last word) first, then the whole name,
    tone marks ignored and đ with d. ``"Nguyễn Văn An" < "Bùi Thị Bình"``."""
    folded = fold(full_name)
    if not folded:
        return ""
    return f"{folded.rsplit(' ', 1)[-1]} {folded}"


MAX_SEARCH_CHARS = 200  # a search box, not a document: longer text is cut before it is folded
MIN_IDENT_CHARS = 4  # a household code or CCCD is found by any part this long or longer
_IDENT = re.compile(r"^[0-9A-Za-z./_-]+$")


def fts_query(text: str) -> str:
    """Turn what a user typed into an FTS5 MATCH expression over one member's folded name: every
    word must be there, the last one as a prefix (the user may still be typing it)."""
    words = fold(text[:MAX_SEARCH_CHARS]).split()
    if not words:
        return ""
    return " ".join([*(f'"{w}"' for w in words[:-1]), f'"{words[-1]}"*'])


def ident_query(text: str) -> str:
    """The FTS5 trigram expression finding ``text`` inside a household code or a CCCD, or ''
    when ``text`` cannot be a part of one (spaces inside, other characters, or fewer than
    MIN_IDENT_CHARS characters). Case does not matter (the trigram index folds case)."""
    compact = unicodedata.normalize("NFC", text[:MAX_SEARCH_CHARS]).strip()
    if len(compact) < MIN_IDENT_CHARS or not _IDENT.match(compact):
        return ""
    return f'"{compact}"'  # the pattern admits no double quote


def format_date(value: date | str | None) -> str:
    """dd/mm/yyyy for display; accepts ISO strings."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = parse_iso_date(value)
    return value.strftime("%d/%m/%Y")


def parse_iso_date(value: str) -> date:
    return date.fromisoformat(value[:10])


_DMY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")


def parse_vn_date(value: Any) -> date:
    """Parse dd/mm/yyyy (also with . or -), an ISO date, or a date/datetime object.

    Raises ValueError with a Vietnamese message when the text is not a date.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    m = _DMY.match(text)
    try:
        if m:
            d, mth, y = (int(g) for g in m.groups())
            return date(y, mth, d)
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"'{text}' không phải ngày hợp lệ (nhập theo dạng dd/mm/yyyy)") from None


def format_vnd(amount: int | float | None) -> str:
    """1234567 → '1.234.567' (Vietnamese thousands separator)."""
    if amount is None:
        return ""
    return f"{round(amount):,}".replace(",", ".")


def format_percent(value: float | None, decimals: int = 2) -> str:
    """A value already in percent, Vietnamese style: 0.59 → '0,59%'."""
    if value is None:
        return ""
    return f"{value:.{decimals}f}".replace(".", ",") + "%"


def mask_id(number: str | None, visible: int = 3) -> str:
    """Mask a citizen ID for public lists: only the last ``visible`` digits are shown."""
    if not number:
        return ""
    digits = str(number)
    return "*" * max(len(digits) - visible, 0) + digits[-visible:]
