"""The parameters of a ruleset that an administrator sees and may change (issue 3): validity,
income lines, the average-standard band, the classification threshold and every number of every
indicator, each with whether it is confirmed. Values marked unconfirmed in DOMAIN.md are data
flagged ``confirmed: false``, never hidden constants: this module lists them, shows them in
Vietnamese and reads typed values back. Saving goes through ``storage.rulesets``
(``update_ruleset_parameter``: the whole definition re-validated, audited).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..errors import ValidationError
from ..text import format_date, format_vnd, nfc

MONEY, NUMBER, INTEGER, DAY, FLAG, LIST = "money", "number", "int", "date", "bool", "list"
SOURCE_KINDS = {
    "decree_text": "trích văn bản nghị định",
    "official_summary": "theo tóm tắt chính thức, chưa đối chiếu toàn văn",
    "secondary": "nguồn thứ cấp, chưa đối chiếu văn bản",
    "assumption": "giả định, chưa có văn bản",
}
AREAS = {"rural": "nông thôn", "urban": "thành thị"}
PARAM_LABELS = {
    "min_per_person": "diện tích tối thiểu (m²/người)",
    "max_share": "tỉ lệ tối đa (0–1)",
    "min_count": "số bộ phận tối thiểu",
    "age_min": "từ tuổi",
    "age_below": "dưới tuổi",
    "values": "danh sách giá trị",
    "fields": "các bộ phận",
    "in": "thuộc danh sách",
}


@dataclass(frozen=True)
class Parameter:
    path: str          # as set_parameter / update_ruleset_parameter take it
    group: str         # "Chung", "Chuẩn nghèo", "Mức sống trung bình" or the indicator's name
    label: str
    value: Any
    kind: str          # money | number | int | date | bool | list
    confirmed: bool    # False: awaiting an official document (shown in amber)
    note: str = ""
    source: str = ""   # where the value comes from: document, article, clause, kind of source

    @property
    def text(self) -> str:
        return display(self.kind, self.value)


def display(kind: str, value: Any) -> str:
    """A value as the user reads and types it: 2.200.000 đồng, 7,5, 01/01/2027, Có/Không."""
    if value is None:
        return "(không có)"
    if kind == MONEY:
        return f"{format_vnd(value)} đồng"
    if kind == DAY:
        return format_date(value)
    if kind == FLAG:
        return "Có" if value else "Không"
    if kind == LIST:
        return ", ".join(str(v) for v in value)
    if kind == NUMBER and isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def parse(parameter: Parameter, text: str) -> Any:
    """The typed ``text`` as a value of the parameter's kind; ValidationError naming it if not."""
    raw = nfc(text or "").strip()
    where = f"'{parameter.group}: {parameter.label}'"
    try:
        if parameter.kind == FLAG:
            folded = raw.lower()
            if folded in ("có", "co", "1", "true", "x"):
                return True
            if folded in ("không", "khong", "0", "false", ""):
                return False
            raise ValueError
        if parameter.kind == DAY:
            if not raw and parameter.path == "valid_to":
                return None  # "no end date"
            day, month, year = (int(p) for p in raw.replace("-", "/").split("/"))
            return date(year, month, day).isoformat()
        if parameter.kind == LIST:
            items = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
            if not items:
                raise ValueError
            return items
        if parameter.kind in (MONEY, INTEGER):
            digits = raw.lower().replace("đồng", "").replace("đ", "").replace(".", "").replace(" ", "")
            if not digits.isdigit():
                raise ValueError
            return int(digits)
        value = float(raw.replace(" ", "").replace(",", "."))
        return int(value) if value.is_integer() else value
    except ValueError:
        examples = {LIST: "piped, drilled_well", MONEY: "2.200.000", INTEGER: "3", NUMBER: "8 hoặc 0,5", DAY: "01/01/2027", FLAG: "Có hoặc Không"}
        raise ValidationError(f"Giá trị '{raw}' không hợp lệ cho {where}: hãy nhập dạng "
                              f"{examples.get(parameter.kind, '')}.", field=parameter.path) from None


def parameters(definition: Mapping[str, Any]) -> list[Parameter]:
    """Every editable parameter of a definition, in reading order."""
    d = definition
    whole = bool(d.get("confirmed", True))
    out = [Parameter("confirmed", "Chung", "Cả bộ chuẩn đã được xác nhận", whole, FLAG, whole, str(d.get("note") or "")),
           Parameter("valid_from", "Chung", "Áp dụng từ ngày", d.get("valid_from"), DAY, whole),
           Parameter("valid_to", "Chung", "Áp dụng đến ngày", d.get("valid_to"), DAY, whole)]
    rule = d.get("classification") or {}
    if "poor_min_deprivations" in rule:
        out.append(Parameter("classification.poor_min_deprivations", "Chung",
                             "Hộ nghèo khi thiếu hụt từ (số chỉ tiêu)", rule["poor_min_deprivations"], INTEGER,
                             whole and bool(rule.get("confirmed", True)), str(rule.get("note") or ""),
                             source_text(rule.get("source"))))
    for key, group in (("income_lines", "Chuẩn nghèo"), ("average_band", "Mức sống trung bình")):
        block = d.get(key)
        if not isinstance(block, Mapping):
            continue
        ok = whole and bool(block.get("confirmed", True))  # a ruleset awaiting confirmation: all of it
        note, src = str(block.get("note") or ""), source_text(block.get("source"))
        for area, word in AREAS.items():
            if area in block:
                out.append(Parameter(f"{key}.{area}", group, f"Khu vực {word} (đồng/người/tháng)", block[area],
                                     MONEY, ok, note, src))
        out.append(Parameter(f"{key}.confirmed", group, "Đã được xác nhận", bool(block.get("confirmed", True)),
                             FLAG, ok, note, src))
    for ind in d.get("indicators") or []:
        if not isinstance(ind, Mapping) or "code" not in ind:
            continue
        ok = whole and bool(ind.get("confirmed", True))
        note, src = str(ind.get("note") or ""), source_text(ind.get("source"))
        group = str(ind.get("name") or ind["code"])
        base = f"indicators.{ind['code']}"
        for path, label, value in _numbers(ind.get("params") or {}, f"{base}.params", ""):
            if isinstance(value, list):
                kind = LIST
            else:  # thresholds and ages may be fractional
                kind = INTEGER if path.endswith(".min_count") else NUMBER
            out.append(Parameter(path, group, label[:1].upper() + label[1:], value, kind, ok, note, src))
        out.append(Parameter(f"{base}.confirmed", group, "Đã được xác nhận", bool(ind.get("confirmed", True)),
                             FLAG, ok, note, src))
    return out


def source_text(source: Any) -> str:
    """A value's source as one Vietnamese line: document, article, clause, kind (and address)."""
    if not isinstance(source, Mapping):
        return "chưa ghi nguồn"
    parts = [str(source[k]) for k in ("document", "article", "clause") if source.get(k)]
    kind = SOURCE_KINDS.get(str(source.get("kind", "")), "chưa rõ loại nguồn")
    text = ", ".join(parts) + f" ({kind})"
    return text + (f" — {source['url']}" if source.get("url") else "")


def _numbers(node: Any, path: str, context: str) -> Iterator[tuple[str, str, Any]]:
    """(path, label, value) of the numbers (ages, thresholds) and value lists (water sources,
    latrine types, education levels…) inside an indicator's params."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            label = PARAM_LABELS.get(key, key)
            if isinstance(value, bool):
                continue
            if isinstance(value, (int, float)):
                yield f"{path}.{key}", f"{context}{label}", value
            elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                field = node.get("field")
                yield f"{path}.{key}", f"{context}{label}" + (f" ({field})" if field and key == "in" else ""), value
            elif isinstance(value, (Mapping, list)):
                yield from _numbers(value, f"{path}.{key}", context)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _numbers(item, f"{path}.{i}", f"{context}quy tắc {i + 1}: " if len(node) > 1 else context)


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(label, before, after) of the parameters that differ between two definitions."""
    old = {p.path: p for p in parameters(before)}
    out = []
    for p in parameters(after):
        q = old.get(p.path)
        if q is None or q.value != p.value:
            out.append((f"{p.group}: {p.label}", q.text if q else "(không có)", p.text))
    return out
