"""Household codes generated when a new household has none (editor and Excel import).

Scheme (docs/registry.md): ``<unit code>-<village>-<sequence>``, e.g. ``00640-03-0017``:
- unit code: the GSO code of the commune/ward (5 digits);
- village: the number in the village's name, two digits ("Thôn 3" → ``03``, "Tổ dân phố 12"
  → ``12``); a name without a number gives its initials without diacritics ("Đồng Tâm" → ``DT``,
  at most 4 letters); no village → ``00``;
- sequence: 4 digits, one more than the highest sequence already used with that prefix in the
  database (deleted households included, so a code is never given twice).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..core.text import fold
from ..storage.db import Store

_NUMBER = re.compile(r"\d+")
SEQUENCE_DIGITS = 4


def village_part(village: str | None) -> str:
    """The village part of a generated code (see the module docstring)."""
    text = str(village or "").strip()
    if not text:
        return "00"
    number = _NUMBER.search(text)
    if number:
        return f"{int(number.group()[:6]):02d}"
    initials = "".join(w[0] for w in fold(text).split() if w[0].isalnum())
    return (initials.upper() or "00")[:4]


def prefix_for(unit_code: str, village: str | None) -> str:
    return f"{unit_code}-{village_part(village)}-"


def next_code(prefix: str, existing: Iterable[str | None]) -> str:
    """``prefix`` + the next 4-digit sequence after the highest one among ``existing``."""
    highest = 0
    for code in existing:
        tail = str(code or "")[len(prefix):]
        if str(code or "").startswith(prefix) and tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1:0{SEQUENCE_DIGITS}d}"


def household_code_for(store: Store, unit_code: str, village: str | None,
                       taken: Iterable[str] = ()) -> str:
    """The next free code for a new household of ``unit_code`` in ``village``; ``taken`` adds
    codes not yet in the database (an import gives the codes it has just generated)."""
    prefix = prefix_for(unit_code, village)
    like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = store.query("SELECT household_code FROM households WHERE household_code LIKE ? ESCAPE '\\'", (like,))
    return next_code(prefix, [*(r[0] for r in rows), *taken])
