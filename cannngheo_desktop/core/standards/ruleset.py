"""Ruleset definitions: parsing, validation, overlap checks and administrator edits.

A ruleset is JSON data (resources/standards/*.json, stored in the ``rulesets`` table); see
docs/standards.md for the format. Everything uncertain carries ``"confirmed": false`` and a
``note``, so the user interface can show it and an administrator can correct it.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import RulesetError
from ..model import RURAL, URBAN
from . import indicators as ind

REQUIRED = ("code", "name", "legal_basis", "scope", "valid_from", "income_lines", "classification",
            "indicators")
AREAS = (RURAL, URBAN)


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    name: str
    dimension: str
    kind: str
    params: Mapping[str, Any]
    confirmed: bool
    note: str
    check: Callable[[ind.Context], ind.Outcome] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Ruleset:
    code: str
    name: str
    legal_basis: str
    scope: str
    valid_from: date
    valid_to: date | None
    confirmed: bool
    income_lines: Mapping[str, int]
    average_band: Mapping[str, int] | None
    poor_min_deprivations: int
    indicators: tuple[IndicatorDef, ...]
    definition: Mapping[str, Any] = field(repr=False, compare=False)

    def income_line(self, area_type: str) -> int:
        return self.income_lines[area_type]

    def average_limit(self, area_type: str) -> int | None:
        return None if self.average_band is None else self.average_band[area_type]

    def valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def indicator(self, code: str) -> IndicatorDef | None:
        return next((i for i in self.indicators if i.code == code), None)

    @property
    def fingerprint(self) -> str:
        """Which version of the definition this is (see :func:`fingerprint`)."""
        return fingerprint(self.definition)

    def unconfirmed(self) -> list[tuple[str, str]]:
        """(path, note) of every part marked ``confirmed: false`` — shown to the user."""
        d = self.definition
        out = [] if d.get("confirmed", True) else [("", d.get("note", ""))]
        for key in ("income_lines", "average_band"):
            part = d.get(key) or {}
            if not part.get("confirmed", True):
                out.append((key, part.get("note", "")))
        out.extend((f"indicators.{i.code}", i.note) for i in self.indicators if not i.confirmed)
        return out


def fingerprint(definition: Mapping[str, Any]) -> str:
    """SHA-256 of the definition in a canonical JSON form (sorted keys, no spaces): equal
    definitions give equal fingerprints whatever their key order or how they were stored. An
    assessment records it so that its reasons can be rebuilt under the same rules later."""
    text = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _opt_date(value: Any, where: str) -> date | None:
    return None if value is None else _date(value, where)


def _date(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RulesetError(f"Bộ chuẩn không hợp lệ: '{where}' = '{value}' không phải ngày yyyy-mm-dd.") from None


def _lines(d: Mapping[str, Any], key: str) -> dict[str, int]:
    part = d.get(key)
    if not isinstance(part, dict):
        raise RulesetError(f"Bộ chuẩn không hợp lệ: thiếu '{key}' (chuẩn thu nhập theo khu vực).")
    out = {}
    for area in AREAS:
        value = part.get(area)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise RulesetError(f"Bộ chuẩn không hợp lệ: '{key}.{area}' phải là số tiền dương (đồng/người/tháng).")
        out[area] = value
    return out


def parse_ruleset(definition: Mapping[str, Any]) -> Ruleset:
    """Validate a definition and build a Ruleset; RulesetError names the faulty field."""
    if not isinstance(definition, Mapping):
        raise RulesetError("Bộ chuẩn không hợp lệ: định nghĩa phải là một đối tượng JSON.")
    d = copy.deepcopy(dict(definition))
    for key in REQUIRED:
        if d.get(key) in (None, "", [], {}):
            raise RulesetError(f"Bộ chuẩn không hợp lệ: thiếu trường '{key}'.")
    code = str(d["code"])
    valid_from = _date(d["valid_from"], "valid_from")
    valid_to = _opt_date(d.get("valid_to"), "valid_to")
    if valid_to is not None and valid_to < valid_from:
        raise RulesetError(f"Bộ chuẩn '{code}' không hợp lệ: 'valid_to' trước 'valid_from'.")
    lines = _lines(d, "income_lines")
    band = _lines(d, "average_band") if d.get("average_band") is not None else None
    if band is not None:
        for area in AREAS:
            if band[area] < lines[area]:
                raise RulesetError(
                    f"Bộ chuẩn '{code}' không hợp lệ: 'average_band.{area}' nhỏ hơn chuẩn nghèo của khu vực.")
    n = (d.get("classification") or {}).get("poor_min_deprivations")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise RulesetError(f"Bộ chuẩn '{code}' không hợp lệ: 'classification.poor_min_deprivations' phải là số nguyên ≥ 1.")
    if not isinstance(d["indicators"], list):
        raise RulesetError(f"Bộ chuẩn '{code}' không hợp lệ: 'indicators' phải là danh sách.")
    defs, seen = [], set()
    for i, item in enumerate(d["indicators"]):
        where = f"indicators.{i}"
        if not isinstance(item, dict):
            raise RulesetError(f"Bộ chuẩn '{code}' không hợp lệ: '{where}' phải là đối tượng JSON.")
        for key in ("code", "name", "dimension", "kind"):
            if not item.get(key):
                raise RulesetError(f"Bộ chuẩn '{code}' không hợp lệ: thiếu '{where}.{key}'.")
        if item["code"] in seen:
            raise RulesetError(f"Bộ chuẩn '{code}' không hợp lệ: mã chỉ tiêu '{item['code']}' bị trùng.")
        seen.add(item["code"])
        where = f"indicators.{item['code']}"
        try:
            check = ind.build(item["kind"], item.get("params"), where)
        except RulesetError as exc:
            raise RulesetError(f"Bộ chuẩn '{code}': {exc.message}") from None
        defs.append(IndicatorDef(item["code"], item["name"], item["dimension"], item["kind"],
                                 item["params"], bool(item.get("confirmed", True)), item.get("note", ""), check))
    if n > len(defs):
        raise RulesetError(f"Bộ chuẩn '{code}' không hợp lệ: 'classification.poor_min_deprivations' lớn hơn số chỉ tiêu.")
    return Ruleset(code, str(d["name"]), str(d["legal_basis"]), str(d["scope"]), valid_from, valid_to,
                   bool(d.get("confirmed", True)), lines, band, n, tuple(defs), d)


def current_and_next(rulesets: Sequence[Ruleset], on: date,
                     province: str | None = None) -> tuple[Ruleset | None, Ruleset | None]:
    """The ruleset in force on ``on`` — the province's own overlay first (Hà Nội's higher line for
    a Hà Nội commune), then the national one; if none is in force, the last one that ended — and
    the next national one to compare with (None when there is none)."""
    def rank(r: Ruleset) -> int:
        return 0 if province and r.scope == province else (1 if r.scope == "national" else 2)

    ours = [r for r in rulesets if rank(r) < 2]
    valid = sorted((r for r in ours if r.valid_on(on)), key=rank)
    ended = sorted((r for r in ours if r.valid_to and r.valid_to < on), key=lambda r: (r.valid_to, -rank(r)))
    future = sorted((r for r in rulesets if r.valid_from > on and r.scope == "national"), key=lambda r: r.valid_from)
    current = valid[0] if valid else (ended[-1] if ended else None)
    return current, (future[0] if future else None)


def check_overlap(ruleset: Ruleset, others: Iterable[Ruleset]) -> None:
    """Refuse a ruleset whose validity overlaps another of the same scope (other codes only)."""
    far = date.max
    for other in others:
        if other.code == ruleset.code or other.scope != ruleset.scope:
            continue
        if ruleset.valid_from <= (other.valid_to or far) and other.valid_from <= (ruleset.valid_to or far):
            raise RulesetError(
                f"Bộ chuẩn '{ruleset.code}' không hợp lệ: 'valid_from'/'valid_to' trùng thời gian hiệu lực "
                f"với bộ chuẩn '{other.code}' cùng phạm vi '{ruleset.scope}'.")


def set_parameter(definition: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``definition`` with the value at ``path`` replaced (validated afterwards by the
    caller). Path segments are dict keys, list indexes, or an indicator code after 'indicators'.
    Only existing entries may be changed: a typo is refused instead of adding a field."""
    out = copy.deepcopy(dict(definition))
    parts = [p for p in path.split(".") if p]
    if not parts or parts[0] == "code":
        raise RulesetError(f"Không sửa được tham số '{path}' của bộ chuẩn.")
    node: Any = out
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            key: Any = _list_key(node, part, parts[depth - 1] if depth else "", path)
        elif isinstance(node, dict) and part in node:
            key = part
        elif isinstance(node, dict) and last and part in ("confirmed", "note"):
            key = part
        else:
            raise RulesetError(f"Bộ chuẩn không có tham số '{path}' (không tìm thấy '{part}').")
        if last:
            node[key] = value
        else:
            node = node[key]
    return out


def _list_key(node: list, part: str, parent: str, path: str) -> int:
    if parent == "indicators":
        for i, item in enumerate(node):
            if isinstance(item, dict) and item.get("code") == part:
                return i
    if part.isdigit() and int(part) < len(node):
        return int(part)
    raise RulesetError(f"Bộ chuẩn không có tham số '{path}' (không tìm thấy '{part}').")


def load_definition_file(path: Path) -> dict[str, Any]:
    """Read one ruleset JSON file; a broken file is refused with its name."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RulesetError(f"Không đọc được tệp bộ chuẩn '{path}': {exc}") from None
    try:
        parse_ruleset(data)
    except RulesetError as exc:
        raise RulesetError(f"Tệp '{Path(path).name}': {exc.message}") from None
    return data


def load_definitions_dir(folder: Path) -> list[dict[str, Any]]:
    """Every ``*.json`` ruleset of a folder, validated, sorted by file name."""
    return [load_definition_file(p) for p in sorted(Path(folder).glob("*.json"))]
