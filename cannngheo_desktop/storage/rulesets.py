"""Rulesets in the database: shipped ones loaded once, read back as core Ruleset objects, and
parameters corrected by an administrator (validated, audited through repo.update)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..core.errors import NotFoundError, RulesetError
from ..core.standards import Ruleset, check_overlap, load_definitions_dir, parse_ruleset, set_parameter
from ..core.standards.parameters import changes
from . import repo
from .db import Store

log = logging.getLogger(__name__)

SHIPPED_OWNER = "*"  # shipped national/provincial reference data, not owned by one unit

_shipped_cache: dict[Path, tuple[float, list[dict[str, Any]]]] = {}


def shipped_dir() -> Path:
    from ..paths import resource_path

    return resource_path("standards")


def shipped_definitions(folder: Path | None = None) -> list[dict[str, Any]]:
    """The validated definitions in resources/standards (cached while the folder is unchanged)."""
    folder = Path(folder or shipped_dir())
    stamp = max((p.stat().st_mtime for p in folder.glob("*.json")), default=0.0)
    cached = _shipped_cache.get(folder)
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_definitions_dir(folder))
        _shipped_cache[folder] = cached
    return cached[1]


def _row_for(definition: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "code": definition["code"], "name": definition["name"], "legal_basis": definition.get("legal_basis"),
        "scope": definition.get("scope", "national"), "valid_from": definition.get("valid_from"),
        "valid_to": definition.get("valid_to"), "confirmed": bool(definition.get("confirmed", True)),
        "definition": dict(definition),
    }


def load_shipped_rulesets(store: Store, folder: Path | None = None) -> int:
    """Insert shipped rulesets the database does not have yet; returns how many were added.

    Existing rows (even edited by an administrator) are left alone, so this is cheap and silent
    on every start. A shipped ruleset overlapping a stored one of the same scope is skipped
    (and logged) rather than stopping the start.
    """
    definitions = shipped_definitions(folder)
    present = {r[0] for r in store.query("SELECT code FROM rulesets")}
    new = [d for d in definitions if d["code"] not in present]
    if not new:
        return 0
    accepted: list[Ruleset] = []
    rows = []
    stored = list_rulesets(store)
    for d in new:
        rs = parse_ruleset(d)
        try:
            check_overlap(rs, [*stored, *accepted])
        except RulesetError as exc:
            # A local ruleset an administrator added already covers this period: keep theirs and
            # start normally; the conflict is logged for support.
            log.warning("Bỏ qua bộ chuẩn có sẵn %s: %s", rs.code, exc.message)
            continue
        accepted.append(rs)
        rows.append({**_row_for(d), "unit_code": SHIPPED_OWNER})
    if not rows:
        return 0
    with store.transaction():
        repo.insert_many(store, "rulesets", rows)
    return len(rows)


def _parse_row(row: Mapping[str, Any]) -> Ruleset:
    decoded = repo.decode_row("rulesets", row)
    assert decoded is not None
    try:
        return parse_ruleset(decoded["definition"])
    except RulesetError as exc:
        raise RulesetError(f"Bộ chuẩn '{decoded['code']}' trong cơ sở dữ liệu bị lỗi: {exc.message}") from None


def get_ruleset(store: Store, code: str) -> Ruleset:
    """The stored ruleset ``code``; NotFoundError with the known codes if absent."""
    row = store.query_one("SELECT * FROM rulesets WHERE code = ? AND deleted = 0", (code,))
    if row is None:
        known = ", ".join(r[0] for r in store.query("SELECT code FROM rulesets WHERE deleted = 0 ORDER BY code"))
        raise NotFoundError(f"Không có bộ chuẩn '{code}' (các bộ chuẩn hiện có: {known or 'chưa có'}).")
    return _parse_row(dict(row))


def list_rulesets(store: Store) -> list[Ruleset]:
    """All stored (not deleted) rulesets, oldest validity first."""
    rows = store.query("SELECT * FROM rulesets WHERE deleted = 0 ORDER BY scope, valid_from, code")
    return [_parse_row(dict(r)) for r in rows]


def rulesets_for(store: Store, on: Any, province_code: str | None = None) -> list[Ruleset]:
    """Rulesets valid on a date: national ones and, if given, the province's local ones."""
    return [r for r in list_rulesets(store)
            if r.valid_on(on) and (r.scope == "national" or r.scope == province_code)]


def add_ruleset(store: Store, definition: Mapping[str, Any], *, owner: str = SHIPPED_OWNER) -> Ruleset:
    """Store a new ruleset (e.g. a local line an administrator entered); validated and checked
    for overlap with the stored rulesets of the same scope."""
    rs = parse_ruleset(definition)
    if store.scalar("SELECT count(*) FROM rulesets WHERE code = ?", (rs.code,)):
        raise RulesetError(f"Đã có bộ chuẩn mã '{rs.code}'; hãy chọn mã khác.")
    check_overlap(rs, list_rulesets(store))
    with store.transaction():
        repo.insert(store, "rulesets", {**_row_for(rs.definition), "unit_code": owner})
    return rs


def update_ruleset_parameter(store: Store, code: str, path: str, value: Any) -> Ruleset:
    """Change one parameter (e.g. ``income_lines.rural``, ``average_band.confirmed``,
    ``indicators.housing_area.params.min_per_person``); the whole definition is re-validated and
    the change goes through repo.update (audited, versioned, sent in the next bundle)."""
    with store.transaction():
        row = store.query_one("SELECT * FROM rulesets WHERE code = ? AND deleted = 0", (code,))
        if row is None:
            raise NotFoundError(f"Không có bộ chuẩn '{code}'.")
        current = repo.decode_row("rulesets", dict(row))
        assert current is not None
        definition = set_parameter(current["definition"], path, value)
        rs = parse_ruleset(definition)
        check_overlap(rs, list_rulesets(store))
        changes = _row_for(definition)
        changes.pop("code")
        repo.update(store, "rulesets", current["id"], changes)
    return rs


def parameter_history(store: Store, code: str) -> list[dict[str, Any]]:
    """Who changed which parameter of ruleset ``code``, when, from what to what (newest first),
    read from the audit entries of its definition (administrator edits, bundle updates)."""
    row_id = store.scalar("SELECT id FROM rulesets WHERE code = ?", (code,))
    if row_id is None:
        raise NotFoundError(f"Không có bộ chuẩn '{code}'.")
    out = []
    for entry in reversed(repo.history(store, "rulesets", row_id)):
        if entry.get("field") != "definition" or not entry.get("before") or not entry.get("after"):
            continue
        try:
            before, after = json.loads(entry["before"]), json.loads(entry["after"])
        except ValueError:
            continue
        for label, old, new in changes(before, after):
            out.append({"at": entry["at"], "user": entry.get("user") or "", "parameter": label,
                        "before": old, "after": new})
    return out
