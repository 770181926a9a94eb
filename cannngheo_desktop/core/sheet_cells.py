"""Cells of exported sheets: text from people is always written as text, never as a formula.

openpyxl decides a cell's type from its value: a str starting with "=" becomes a formula
(data_type 'f', written as ``<f>``) and "#N/A", "#REF!"… become error values — so a name, an
address or a note typed as ``=HYPERLINK(…)`` would be a live formula in the office's Excel.
Every writer of the app therefore passes the cells it fills through :func:`as_text` (or builds
write-only rows with :func:`text_row`): any ``str`` is stored as a string cell (``t="inlineStr"``),
exactly as typed — no apostrophe is added to the value. Text that Excel or LibreOffice would
read as a formula if someone re-typed the cell (it starts with one of :data:`FORMULA_STARTS`)
also gets the cell style's *quotePrefix* flag, Excel's own "this is text" marker (what typing
a leading ' does), so editing the cell in Excel keeps it text.

The only formulas in the app's sheets are the ones the app writes itself, marked by wrapping
them in :class:`Formula` (the SUM of a report's own rows).

Control characters that XML 1.0 cannot hold (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F) made
openpyxl raise IllegalCharacterError and the whole export fail; :func:`sheet_text` shows each as
U+FFFD "�" instead (the one change made to a value: such a character cannot be stored in xlsx).

Duck-typed over openpyxl's cells; openpyxl is imported only by :func:`text_row`, when called.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# First characters that make Excel / LibreOffice read typed text as a formula or an error value:
# = + - @ (the CSV-injection set), tab / CR / LF (stripped by some importers in front of "="),
# '#' (#N/A, #REF!… are error literals) and the full-width forms an East Asian IME types.
FORMULA_STARTS = frozenset("=+-@\t\r\n#" "\uff1d\uff0b\uff0d\uff20\uff03")
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # openpyxl's ILLEGAL_CHARACTERS_RE


class Formula(str):
    """A formula the app itself writes (e.g. ``=SUM(C8:C20)`` over its own rows): the one kind
    of str :func:`as_text` leaves as a formula."""

    __slots__ = ()


def sheet_text(value: str) -> str:
    """``value`` with each character xlsx cannot store replaced by U+FFFD (usually: unchanged)."""
    return ILLEGAL.sub("\ufffd", value) if ILLEGAL.search(value) else value


def looks_like_formula(value: object) -> bool:
    """True for text a spreadsheet would treat as a formula or error literal if typed in."""
    return isinstance(value, str) and not isinstance(value, Formula) and value[:1] in FORMULA_STARTS


def as_text(cell: Any) -> Any:
    """Make a filled openpyxl cell keep its str value as text (and mark formula-like text with
    quotePrefix); other values (numbers, dates, None) are left alone. Returns the cell.
    openpyxl stores a plain str copy of the value, so a :class:`Formula` is recognised only
    before it is assigned: write formulas with :func:`set_text`, which keeps them."""
    value = cell.value
    if isinstance(value, str) and not isinstance(value, Formula):
        cell.data_type = "s"
        if value[:1] in FORMULA_STARTS:
            cell.quotePrefix = True
    return cell


def set_text(ws: Any, row: int, column: int, value: Any) -> Any:
    """``ws.cell(row, column, value)`` with a str value kept as text (see :func:`as_text`); a
    :class:`Formula` stays a formula."""
    if isinstance(value, Formula):
        return ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        value = sheet_text(value)
    return as_text(ws.cell(row=row, column=column, value=value))


def text_row(ws: Any, values: Iterable[Any]) -> list[Any]:
    """A row for ``ws.append`` on a write-only sheet: values that openpyxl would not store as text
    (formula-like or error-like str) become cells that are, str values pass :func:`sheet_text`;
    every other value is passed as is."""
    from openpyxl.cell import WriteOnlyCell

    row: list[Any] = []
    for value in values:
        if isinstance(value, str) and not isinstance(value, Formula):
            value = sheet_text(value)
            if value[:1] in FORMULA_STARTS:
                value = as_text(WriteOnlyCell(ws, value))
        row.append(value)
    return row
