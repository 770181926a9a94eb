"""Combo boxes over the code → Vietnamese label vocabularies of core.model, with "chưa rõ" as None.

A value of None always means *unknown* (core.model): every choice combo offers it first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QComboBox, QWidget

UNKNOWN = "— Chưa rõ —"
YES_NO = {True: "Có", False: "Không"}
DURABLE = {True: "Bền chắc", False: "Không bền chắc"}

ERROR_STYLE = "border: 1px solid #b00020; background: #fff0f0;"


def fill(combo: QComboBox, mapping: Mapping[Any, str], *, unknown: str | None = UNKNOWN) -> None:
    """Fill ``combo`` with the labels of ``mapping`` (item data = the code); ``unknown`` first."""
    combo.clear()
    if unknown is not None:
        combo.addItem(unknown, None)
    for code, text in mapping.items():
        combo.addItem(text, code)


def value(combo: QComboBox) -> Any:
    """The code of the chosen item (None: unknown)."""
    return combo.currentData()


def set_value(combo: QComboBox, code: Any) -> None:
    """Select the item whose code is ``code`` (bools match 0/1 from the database)."""
    if isinstance(code, int) and not isinstance(code, bool) and combo.findData(True) >= 0:
        code = bool(code)
    index = combo.findData(code)
    combo.setCurrentIndex(index if index >= 0 else 0)


def mark_error(widget: QWidget, message: str | None) -> None:
    """Red frame and a tooltip on a field with a problem; cleared with ``message`` None."""
    widget.setStyleSheet(ERROR_STYLE if message else "")
    widget.setToolTip(message or "")


def unit_choices(units: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    """(label, code, current row) per unit code: codes were re-used after the 2025 reform, so one
    code may name an old commune and a new ward; the current name leads, older ones follow."""
    by_code: dict[str, list[dict[str, Any]]] = {}
    for u in units:
        by_code.setdefault(u["code"], []).append(u)
    out = []
    for code, rows in by_code.items():
        rows.sort(key=lambda u: (u.get("valid_to") is None, u.get("valid_to") or "", u.get("valid_from") or ""))
        current = rows[-1]
        older = [u["name"] for u in rows[:-1] if u["name"] != current["name"]]
        ended = f", đến {current['valid_to'][8:10]}/{current['valid_to'][5:7]}/{current['valid_to'][:4]}" \
            if current.get("valid_to") else ""
        label = f"{current['name']} ({code}{ended})"
        if older:
            label += f" — trước đây: {', '.join(older)}"
        out.append((label, code, current))
    return sorted(out, key=lambda item: item[0])
