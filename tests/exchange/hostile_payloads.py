"""Payload forgeries for the fuzz test: what a sender holding its real keys could put inside a
bundle to write where it has no right to — rows of another unit, members of another unit's
household, rows in the office's own plan, reference data in a report — and malformed rows.

Each edit returns new JSON lines (or raw plaintext) for :func:`tests.exchange.hostile.forge`;
the caller re-encrypts and re-signs them. ``expect`` is REFUSE, or the source key with a
``patch`` when the edit is a legitimate change of the sender's own rows (long texts).
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.exchange.hostile import REFUSE, Source, encode_lines

Lines = list[dict[str, Any]]


@dataclass(frozen=True)
class Facts:
    """What the fuzz world holds that a forger would aim at (rows as stored at the receiver)."""

    commune: str
    office: str
    other: str                          # a second commune of the same office
    other_household: dict[str, Any]     # a household of ``other``, as stored at the office
    office_plan_unit: dict[str, Any]    # a plan_units row of the office's own plan
    office_unit_row: dict[str, Any]     # a units row owned by the office (as at the commune)
    now: str


@dataclass
class Edit:
    label: str
    lines: Lines | None = None
    plain: bytes | None = None
    compressed: bytes | None = None
    expect: str = REFUSE
    patch: dict[tuple[str, str], dict[str, Any]] | None = None
    manifest: Callable[[dict[str, Any]], None] | None = None


def _new_id() -> str:
    return str(uuid.UUID(int=uuid.uuid4().int))


def _with(lines: Lines, *extra: dict[str, Any]) -> Lines:
    """The lines with ``extra`` inserted before the audit entries (tables stay grouped)."""
    head = [x for x in lines if x["t"] != "audit_log"]
    return head + list(extra) + [x for x in lines if x["t"] == "audit_log"]


def _changed(lines: Lines, table: str, index: int, **changes: Any) -> Lines:
    """The lines with the ``index``-th row of ``table`` (modulo their number) changed (a copy)."""
    at = [i for i, x in enumerate(lines) if x["t"] == table]
    i = at[index % len(at)]
    return [*lines[:i], {"t": table, "r": {**lines[i]["r"], **changes}}, *lines[i + 1:]]


def _first(lines: Lines, table: str) -> dict[str, Any]:
    return next(x["r"] for x in lines if x["t"] == table)


BAD_VALUES: tuple[Any, ...] = (float("nan"), float("inf"), float("-inf"), 2**63, -(2**63) - 1, 10**40,
                               [1], {"a": 1}, True)
TYPE_LIES: tuple[Any, ...] = ("mười triệu", "1e9", b"".hex() + "x", 1.5)


def upward_edits(src: Source, f: Facts, rng: Any, zbomb: bytes) -> list[Edit]:
    """Forgeries inside a commune report (commune → office)."""
    lines = src.lines
    hh = _first(lines, "households")
    member = _first(lines, "members")
    out = [
        Edit("household of another unit", _changed(lines, "households", rng.randrange(99), unit_code=f.other)),
        Edit("member of another unit", _changed(lines, "members", rng.randrange(99), unit_code=f.other)),
        Edit("take over another unit's household",
             _with(lines, {"t": "households", "r": {**f.other_household, "unit_code": f.commune,
                                                       "version": f.other_household["version"] + 1}})),
        Edit("member into another unit's household",
             _with(lines, {"t": "members", "r": {**member, "id": _new_id(),
                                                    "household_id": f.other_household["id"]}})),
        Edit("plan_units into the office plan",
             _with(lines, {"t": "plan_units", "r": {**f.office_plan_unit, "id": _new_id(), "unit_code": f.commune,
                                                       "target_reduction": 999}})),
        Edit("office plan_units row taken over",
             _with(lines, {"t": "plan_units", "r": {**f.office_plan_unit, "unit_code": f.commune,
                                                       "version": f.office_plan_unit["version"] + 1}})),
        Edit("ruleset in a commune report",
             _with(lines, {"t": "rulesets", "r": {"id": _new_id(), "code": "HN-2027-GIA", "name": "giả",
                                                     "definition": "{}", "unit_code": f.commune, "version": 1,
                                                     "updated_at": f.now, "deleted": 0}})),
        Edit("units row in a commune report",
             _with(lines, {"t": "units", "r": {**f.office_unit_row, "id": "99999@x", "code": "99999",
                                                  "unit_code": f.commune}})),
        Edit("duplicate id", _with(lines, {"t": "households", "r": dict(hh)})),
        Edit("duplicate id, other content", _with(lines, {"t": "households", "r": {**hh, "village": "Thôn 9"}})),
        Edit("unknown column", _changed(lines, "households", 0, evil="1; DROP TABLE households")),
        Edit("column name injection", _changed(lines, "households", 0, **{"village = 'x', id": "y"})),
        Edit("id missing", _changed(lines, "members", 0, id=None)),
        Edit("id too long", _changed(lines, "members", 0, id="x" * 101)),
        Edit("id not text", _changed(lines, "members", 0, id=12345)),
        Edit("version 0", _changed(lines, "households", 0, version=0)),
        Edit("version text", _changed(lines, "households", 0, version="2")),
        Edit("version huge", _changed(lines, "households", 0, version=2**63)),
        Edit("version float", _changed(lines, "households", 0, version=2.0)),
        Edit("deleted = 2", _changed(lines, "households", 0, deleted=2)),
        Edit("row not an object", _with(lines, {"t": "households", "r": [hh["id"]]})),
        Edit("line without table", _with(lines, {"r": hh})),
        Edit("line with extra key", _with(lines, {"t": "households", "r": hh, "x": 1})),
        Edit("audit for a table not sent", _with(lines, {"t": "audit_log", "r": {
            "id": 10**6, "at": f.now, "user": "x", "table_name": "rulesets", "row_id": "r", "action": "insert"}})),
        Edit("audit id huge", _with(lines, {"t": "audit_log", "r": {
            "id": 2**63, "at": f.now, "user": "x", "table_name": "households", "row_id": hh["id"],
            "action": "insert"}})),
        Edit("audit with unknown field", _with(lines, {"t": "audit_log", "r": {
            "id": 10**6, "at": f.now, "table_name": "households", "row_id": hh["id"], "action": "insert",
            "evil": 1}})),
        Edit("audit action not allowed", _with(lines, {"t": "audit_log", "r": {
            "id": 10**6 + 1, "at": f.now, "table_name": "households", "row_id": hh["id"], "action": "drop"}})),
        Edit("receipt lines in a report", _with(lines, {"t": "_receipt", "r": {"sha256": "0" * 64}})),
        Edit("no lines at all but counts claimed", [], manifest=lambda d: d["payload"][0]["rows"].update(households=1)),
    ]
    for column in ("village", "id"):  # JSON that spells a lone UTF-16 surrogate: not encodable text
        marked = encode_lines(_changed(lines, "households", -1, **{column: "SURROGATE-MARK"}))
        out.append(Edit(f"lone surrogate in households.{column}",
                        plain=marked.replace(b'"SURROGATE-MARK"', b'"x\\udc80"')))
    twice = f'"r":{{"unit_code":"{f.other}",'.encode()  # a key twice: which value wins is the parser's choice
    out.append(Edit("unit_code given twice in a row", plain=encode_lines(lines).replace(b'"r":{', twice, 1)))
    value = rng.choice(BAD_VALUES)
    column = rng.choice(("income_month", "floor_area_m2", "member_count", "review_year", "village"))
    out.append(Edit(f"{column} = {value!r}", _changed(lines, "households", rng.randrange(99), **{column: value})))
    lie = rng.choice(TYPE_LIES)
    out.append(Edit(f"type lie income_month = {lie!r}", _changed(lines, "households", 0, income_month=lie)))
    out += _long_text(src, lines, rng, "households", ("village", "address", "needs_text"))
    out += _bad_plaintexts(rng, zbomb)
    return out


def reference_from_commune(src: Source, f: Facts) -> list[Edit]:
    """A commune signs a bundle of kind ``reference`` (only the office may send one)."""
    first = {"sequence": 1, "prev_sha256": None, "kind": "reference"}
    ruleset = {"t": "rulesets", "r": {"id": _new_id(), "code": "HN-2027-GIA", "name": "Chuẩn giả", "definition": "{}",
                                      "unit_code": f.commune, "version": 1, "updated_at": f.now, "deleted": 0}}
    unit = {"t": "units", "r": {**f.office_unit_row, "id": "99999@2026", "code": "99999", "unit_code": f.commune}}
    return [
        Edit("reference from a commune: ruleset", [ruleset], manifest=lambda d: d.update(first)),
        Edit("reference from a commune: fake unit", [unit], manifest=lambda d: d.update(first)),
        Edit("reference from a commune: its report", src.lines, manifest=lambda d: d.update(first)),
        Edit("reference from a commune: plan_units", [{"t": "plan_units", "r": {
            **f.office_plan_unit, "id": _new_id(), "unit_code": f.commune}}], manifest=lambda d: d.update(first)),
    ]


def downward_edits(src: Source, f: Facts, rng: Any, zbomb: bytes) -> list[Edit]:
    """Forgeries inside an office's reference bundle (office → commune)."""
    lines = src.lines
    out = [
        Edit("reference row owned by the commune", _changed(lines, "plans", 0, unit_code=f.commune)),
        Edit("household in a reference bundle", _with(lines, {"t": "households", "r": {
            **f.other_household, "unit_code": f.office}})),
        Edit("reference row of another unit", _changed(lines, "plan_units", 0, unit_code=f.other)),
        Edit("target_reduction = NaN", _changed(lines, "plan_units", 0, target_reduction=float("nan"))),
        Edit("plans year huge", _changed(lines, "plans", 0, year=2**64)),
        Edit("wrong direction: report kind from the office", lines,
             manifest=lambda d: d.update(kind="commune-report", sequence=1, prev_sha256=None)),
        Edit("wrong direction: receipt kind with rows", lines, manifest=lambda d: d.update(kind="receipt")),
    ]
    out += _long_text(src, lines, rng, "plans", ("title", "doc_no"))
    out += _bad_plaintexts(rng, zbomb)
    return out


def receipt_edits(src: Source, f: Facts, sent_in: str, rng: Any, zbomb: bytes) -> list[Edit]:
    """Forged receipts (office → commune). ``sent_in``: the hash of a bundle the commune received."""
    ack = src.lines[0]["r"]
    return [
        Edit("receipt of an unknown bundle", [{"t": "_receipt", "r": {**ack, "sha256": "ab" * 32}}]),
        Edit("receipt of a bundle received, not sent", [{"t": "_receipt", "r": {**ack, "sha256": sent_in}}]),
        Edit("receipt sha not text", [{"t": "_receipt", "r": {**ack, "sha256": 5}}]),
        Edit("receipt not an object", [{"t": "_receipt", "r": [ack]}]),
        Edit("receipt with rows", [*src.lines, {"t": "plans", "r": {"id": "p", "unit_code": f.office}}]),
        Edit("receipt empty", []),
        Edit("receipt with audit", [*src.lines, {"t": "audit_log", "r": {
            "id": 1, "at": f.now, "table_name": "plans", "row_id": "p", "action": "insert"}}]),
        *_bad_plaintexts(rng, zbomb),
    ]


def _long_text(src: Source, lines: Lines, rng: Any, table: str, columns: tuple[str, ...]) -> list[Edit]:
    """A long (but plausible) text in one of the sender's own rows: legitimate, so if accepted
    the result must be the clean import with exactly that value changed."""
    rows = [x["r"] for x in lines if x["t"] == table]
    row = rows[rng.randrange(len(rows))]
    column = rng.choice(columns)
    text = "Thôn Đồng Tâm, ngõ " + "ắ" * rng.choice((300, 4000, 60000))
    out = _changed(lines, table, rows.index(row), **{column: text})
    return [Edit(f"long text {table}.{column} ({len(text)} chars)", out, expect=src.key,
                 patch={(table, row["id"]): {column: text}})]


def _bad_plaintexts(rng: Any, zbomb: bytes) -> list[Edit]:
    depth = rng.choice((1000, 100_000))
    return [
        Edit("payload not JSON", plain=b"\xff\xfe not json at all\n"),
        Edit("payload JSON array", plain=b"[1, 2, 3]\n"),
        Edit("payload deep nesting", plain=b"[" * depth + b"]" * depth + b"\n"),
        Edit("payload NUL bytes", plain=bytes(rng.choice((1, 1000, 1 << 20)))),
        Edit("compressed garbage", compressed=rng.randbytes(rng.choice((1, 50, 5000)))),
        Edit("compressed empty", compressed=b""),
        Edit("compressed truncated", compressed=zlib.compress(b'{"t":"households","r":{}}\n' * 50)[:-7]),
        Edit("compressed with trailing data", compressed=zlib.compress(b"") + b"tail"),
        Edit("zlib bomb inside the encryption", compressed=zbomb),
    ]

