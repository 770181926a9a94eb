"""Unit names inside sentences and addresses as of a date (the 2025 merger).

On 1/7/2025 the district level was abolished and communes were merged, GSO codes re-used. A
document dated from then on writes an address without its district part and with the commune
valid on that date, the former commune in brackets: "Số 92, Thôn 1, xã Ngọc Hồi (xã Đại Áng cũ),
Hà Nội". Inside a sentence a unit's kind is lower case ("Ủy ban nhân dân xã Ngọc Hồi").
Plain text functions: the documents (certificate, posting list, household list, profiles) call
them with the name valid on the document's date (``documents.context``).
"""

from __future__ import annotations

import re
from datetime import date

MERGER = date(2025, 7, 1)
_KINDS = ("Thị trấn ", "Xã ", "Phường ", "Huyện ", "Quận ", "Thị xã ", "Thành phố ", "Tỉnh ")
_UNIT_WORDS = ("xã ", "phường ", "thị trấn ")
_DISTRICT_WORDS = ("huyện ", "quận ", "thị xã ")


def in_sentence(name: str) -> str:
    """"Xã Đại Áng" → "xã Đại Áng": a unit's kind is lower case inside a sentence."""
    for word in _KINDS:
        if name.startswith(word):
            return word.lower() + name[len(word):]
    return name


def address_as_of(address: str, unit_name: str, on: date | None) -> str:
    """The address as valid on ``on``: before the merger as typed (only "Xã"/"Huyện"… in lower
    case, as inside any sentence); from 1/7/2025 without the
    (abolished) district part, and with ``unit_name`` (the household's commune on that date)
    instead of a former one, the former in brackets."""
    if not address:
        return address
    if on is None or on < MERGER or not unit_name:  # as typed (commas and spaces kept), kinds in lower case
        pieces = re.split(r"(,\s*)", address)
        return "".join(in_sentence(p) if p.lower().startswith(_UNIT_WORDS + _DISTRICT_WORDS) else p
                       for p in pieces)
    out = []
    for part in (p.strip() for p in address.split(",")):
        low = part.lower()
        if low.startswith(_DISTRICT_WORDS):
            continue
        if low.startswith(_UNIT_WORDS) and low != unit_name.lower():
            out.append(f"{in_sentence(unit_name)} ({in_sentence(part)} cũ)")
            continue
        out.append(in_sentence(part) if low.startswith(_UNIT_WORDS) else part)
    return ", ".join(out)
