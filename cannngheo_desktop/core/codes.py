"""Unit codes as they may arrive from outside (key cards, bundle manifests, rows, file names).

A unit code is the GSO administrative code: ASCII digits only, 1 to 5 of them ("01" province,
"020" district, "00640" commune). Anything else — letters, separators, "..", Unicode digits,
spaces — is refused before it reaches a query, a file name or a screen.
"""

from __future__ import annotations

import re

UNIT_CODE = re.compile(r"[0-9]{1,5}")


def is_unit_code(value: object) -> bool:
    """True for a well-formed unit code (a str of 1–5 ASCII digits)."""
    return isinstance(value, str) and UNIT_CODE.fullmatch(value) is not None


def check_unit_code(value: object, where: str = "mã đơn vị") -> str:
    """``value`` if it is a unit code; ValueError naming ``where`` otherwise (message in Vietnamese,
    the value shown with repr so that control characters and markup stay visible)."""
    if not is_unit_code(value):
        shown = repr(value)[:40]
        raise ValueError(f"{where} {shown} không hợp lệ (phải gồm 1–5 chữ số)")
    return value  # type: ignore[return-value]  # is_unit_code proved it is a str
