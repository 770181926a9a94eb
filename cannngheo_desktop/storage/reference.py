"""Shipped reference data (units, the 2025 successor map, responsible bodies, support catalogue)
and the helpers that read and extend it.

The JSON files live in ``resources/reference/``. :func:`load_reference` runs on every start: it
inserts only rows whose stable id is not in the database yet (a row the user edited or deleted
is never overwritten or revived), through :mod:`storage.repo` so every insert is audited.
Shipped rows are owned by unit ``"*"`` (national/province reference data).

Unit ids are ``f"{code}@{valid_from}"``: GSO codes were re-used on 1/7/2025, so a code alone
does not name one unit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from ..core.codes import is_unit_code
from ..core.errors import FileFormatError, ValidationError
from ..core.model import UNIT_KINDS, URBAN_UNIT_KINDS
from ..core.text import fold, nfc, parse_vn_date
from ..paths import resource_path
from . import repo
from .db import Store

SHIPPED_OWNER = "*"
UNCONFIRMED_PREFIX = "[chưa xác nhận] "
REFERENCE_FILES = ("units.json", "unit_successors.json", "bodies.json", "support_measures.json")

_UNIT_FIELDS = ("code", "name", "kind", "parent_code", "area", "valid_from", "valid_to", "total_households")
_MEASURE_FIELDS = ("code", "name", "domain", "plan_section", "body_code", "legal_basis",
                   "default_amount", "amount_unit")


def unit_id(code: str, valid_from: str | None) -> str:
    """Stable id of a unit version: ``code@valid_from`` (``code@`` when the start is unknown)."""
    return f"{code}@{valid_from or ''}"


def body_id(code: str) -> str:
    return f"body:{code}"


def measure_id(code: str) -> str:
    return f"measure:{code}"


def successor_id(old_unit_id: str, new_unit_id: str) -> str:
    return f"{old_unit_id}>{new_unit_id}"


def read_reference_file(name: str, folder: Path | None = None) -> dict[str, Any]:
    """Parse one shipped JSON file; a damaged file is a FileFormatError naming it."""
    path = (folder / name) if folder else resource_path("reference", name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FileFormatError(
            f"Không đọc được tệp dữ liệu tham chiếu '{path}' ({exc}). Hãy cài lại chương trình.") from exc


def shipped_rows(folder: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """The rows :func:`load_reference` would insert, per table, with their stable ids."""
    units_doc = read_reference_file("units.json", folder)
    succ_doc = read_reference_file("unit_successors.json", folder)
    bodies_doc = read_reference_file("bodies.json", folder)
    measures_doc = read_reference_file("support_measures.json", folder)
    units = []
    for u in units_doc["units"]:
        row = {k: u.get(k) for k in _UNIT_FIELDS}
        row["id"] = unit_id(u["code"], u.get("valid_from"))
        units.append(row)
    old_from, new_from = succ_doc["old_valid_from"], succ_doc["new_valid_from"]
    successors = []
    for s in succ_doc["successors"]:
        old, new = unit_id(s["old"], old_from), unit_id(s["new"], new_from)
        note = s.get("note") or ""
        if not s.get("confirmed", False):
            note = UNCONFIRMED_PREFIX + note
        successors.append({"id": successor_id(old, new), "old_unit_id": old, "new_unit_id": new,
                           "share": s["share"], "note": note})
    bodies = [{"id": body_id(b["code"]), "code": b["code"], "name": b["name"], "level": b.get("level")}
              for b in bodies_doc["bodies"]]
    measures = [{"id": measure_id(m["code"]), **{k: m.get(k) for k in _MEASURE_FIELDS}}
                for m in measures_doc["measures"]]
    return {"units": units, "unit_successors": successors, "bodies": bodies,
            "support_measures": measures}


def load_reference(store: Store, folder: Path | None = None) -> dict[str, int]:
    """Insert the shipped reference rows that are missing; returns how many were inserted per
    table. Idempotent and cheap: one id look-up per table, nothing written when complete."""
    wanted = shipped_rows(folder)
    inserted: dict[str, int] = {}
    with store.transaction():
        for table, rows in wanted.items():
            have = {r[0] for r in store.query(f"SELECT id FROM {table}")}
            missing = [{**r, "unit_code": SHIPPED_OWNER} for r in rows if r["id"] not in have]
            if table == "unit_successors":
                known = {r[0] for r in store.query("SELECT id FROM units")}
                missing = [r for r in missing if r["old_unit_id"] in known and r["new_unit_id"] in known]
            if missing:
                repo.insert_many(store, table, missing)
            inserted[table] = len(missing)
    return inserted


# --- Reading ----------------------------------------------------------------------------------
def _iso(value: Any, field: str) -> str:
    try:
        return parse_vn_date(value).isoformat()
    except ValueError as exc:
        raise ValidationError(str(exc), field=field) from None


def list_units(store: Store, *, on: str | date | None = None,
               kinds: Iterable[str] | None = None, parent_code: str | None = None) -> list[dict[str, Any]]:
    """Units (not deleted), optionally only those valid ``on`` a date and of some ``kinds``,
    ordered by kind then name."""
    sql = "SELECT * FROM units WHERE deleted = 0"
    params: list[Any] = []
    if on is not None:
        day = _iso(on, "on")
        sql += " AND (valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to >= ?)"
        params += [day, day]
    if kinds is not None:
        kinds = list(kinds)
        sql += f" AND kind IN ({', '.join('?' for _ in kinds)})"
        params += kinds
    if parent_code is not None:
        sql += " AND parent_code = ?"
        params.append(parent_code)
    sql += (" ORDER BY CASE kind WHEN 'province' THEN 0 WHEN 'district' THEN 1 ELSE 2 END,"
            " name, valid_from")
    return [dict(r) for r in store.query(sql, tuple(params))]


def get_unit(store: Store, code: str, on: str | date | None = None) -> dict[str, Any] | None:
    """The unit with ``code`` valid ``on`` a date; without a date, its newest version."""
    if on is None:
        row = store.query_one("SELECT * FROM units WHERE code = ? AND deleted = 0 "
                              "ORDER BY coalesce(valid_from, '') DESC LIMIT 1", (code,))
    else:
        day = _iso(on, "on")
        row = store.query_one(
            "SELECT * FROM units WHERE code = ? AND deleted = 0 AND (valid_from IS NULL OR valid_from <= ?) "
            "AND (valid_to IS NULL OR valid_to >= ?) ORDER BY coalesce(valid_from, '') DESC LIMIT 1",
            (code, day, day))
    return dict(row) if row is not None else None


def unit_name(store: Store, code: str, on: str | date | None = None) -> str:
    unit = get_unit(store, code, on)
    return unit["name"] if unit else code


def short_unit_name(name: str) -> str:
    """'Xã Đại Áng' → 'Đại Áng', 'Thị trấn Văn Điển' → 'TT Văn Điển' (as in the plan appendix)."""
    for prefix, short in (("Thị trấn ", "TT "), ("Xã ", ""), ("Phường ", "")):
        if name.startswith(prefix):
            return short + name[len(prefix):]
    return name


def successors_of(store: Store, old_code: str, on: str | date | None = None) -> list[dict[str, Any]]:
    """Where a former unit went: ``[{code, name, unit_id, share, confirmed, note}]``. ``on`` picks
    the old unit version (default: any version of that code that has successors)."""
    params: list[Any] = [old_code]
    sql = ("SELECT n.code, n.name, n.id AS unit_id, n.kind, s.share, s.note, s.id AS successor_id, "
           "o.id AS old_unit_id FROM unit_successors s JOIN units o ON o.id = s.old_unit_id "
           "JOIN units n ON n.id = s.new_unit_id WHERE o.code = ? AND s.deleted = 0 AND n.deleted = 0")
    if on is not None:
        day = _iso(on, "on")
        sql += " AND (o.valid_from IS NULL OR o.valid_from <= ?) AND (o.valid_to IS NULL OR o.valid_to >= ?)"
        params += [day, day]
    out = []
    for r in store.query(sql + " ORDER BY s.share DESC, n.code", tuple(params)):
        row = dict(r)
        note = row["note"] or ""
        row["confirmed"] = not note.startswith(UNCONFIRMED_PREFIX)
        row["note"] = note.removeprefix(UNCONFIRMED_PREFIX)
        out.append(row)
    return out


def list_bodies(store: Store) -> list[dict[str, Any]]:
    return [dict(r) for r in store.query("SELECT * FROM bodies WHERE deleted = 0 ORDER BY rowid")]


def list_measures(store: Store, *, active_only: bool = True) -> list[dict[str, Any]]:
    sql = "SELECT * FROM support_measures WHERE deleted = 0"
    if active_only:
        sql += " AND active = 1"
    return [dict(r) for r in store.query(sql + " ORDER BY rowid")]


# --- Writing (units added by users, successor map edits) ---------------------------------------
def _owner(store: Store, owner: str | None) -> str:
    if owner:
        return owner
    row = store.query_one("SELECT unit_code FROM installation WHERE id = 1")
    return row[0] if row is not None else SHIPPED_OWNER


def units_covered(store: Store, office_code: str, on: str | date) -> list[dict[str, Any]]:
    """The units an office plans and reports for on a date: its child units valid then; after a
    reform that ended them (districts on 1/7/2025), the units that took them over — a successor
    that took a former unit whole or carries a former unit's code. Edge wards that only took a
    part of a former commune are left out (add them by hand if the office covers them)."""
    children = list_units(store, on=on, parent_code=office_code)
    if children:
        return children
    former = list_units(store, parent_code=office_code)
    former_codes = {u["code"] for u in former}
    found: dict[str, dict[str, Any]] = {}
    for old in former:
        for succ in successors_of(store, old["code"], on=old["valid_from"]):
            if succ["share"] != "whole" and succ["code"] not in former_codes:
                continue
            unit = get_unit(store, succ["code"], on)
            if unit is not None and unit["code"] not in found:
                found[unit["code"]] = unit
    return sorted(found.values(), key=lambda u: fold(u["name"]))


LOCAL_UNIT_KINDS = ("commune", "ward", "town")


def units_for_installation(store: Store, installation: Any, on: str | date | None = None,
                           kinds: Iterable[str] = LOCAL_UNIT_KINDS) -> list[dict[str, Any]]:
    """The unit versions this copy works with (for unit choosers), deduplicated by unit id.

    ``installation`` has ``unit_code`` and ``role`` (``installation.Installation``). An aggregator:
    the units it covers ``on`` the day (:func:`units_covered`) and its former child units. A
    commune: every version of its own code and, once its newest version has ended, the units that
    took it over (:func:`successors_of`). Only ``kinds`` (communes, wards, towns) are kept; without
    an installation, every unit of those kinds."""
    kinds = tuple(kinds)
    if installation is None:
        return list_units(store, kinds=kinds)
    day = _iso(on if on is not None else date.today(), "on")
    code = installation.unit_code
    if installation.role == "aggregator":
        rows = units_covered(store, code, day) + list_units(store, parent_code=code)
    else:
        rows = [dict(r) for r in store.query(
            "SELECT * FROM units WHERE code = ? AND deleted = 0 ORDER BY coalesce(valid_from, '')", (code,))]
        if rows and rows[-1].get("valid_to") and rows[-1]["valid_to"] < day:
            for succ in successors_of(store, code):
                successor = store.query_one("SELECT * FROM units WHERE id = ? AND deleted = 0", (succ["unit_id"],))
                if successor is not None:
                    rows.append(dict(successor))
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["kind"] in kinds:
            found.setdefault(row["id"], row)
    return sorted(found.values(), key=lambda u: (fold(u["name"]), u.get("valid_from") or ""))


def province_code(store: Store, unit_code: str | None) -> str | None:
    """The province a unit belongs to (walking parent codes), e.g. '01' for any Hà Nội unit.

    Decides which local ruleset overlay applies (a province may set a higher poverty line)."""
    seen: set[str] = set()
    code = unit_code
    while code and code not in seen:
        seen.add(code)
        unit = get_unit(store, code)
        if unit is None:
            return None
        if unit["kind"] == "province":
            return str(unit["code"])
        code = unit.get("parent_code")
    return None


def add_unit(store: Store, *, code: str, name: str, kind: str, parent_code: str | None = None,
             valid_from: str | date | None = None, valid_to: str | date | None = None,
             area: str | None = None, total_households: int | None = None,
             owner: str | None = None) -> dict[str, Any]:
    """Add a unit the shipped list lacks (validated; one audited insert). The area follows the
    kind (ward/town urban, commune rural) unless given."""
    code = (nfc(code) or "").strip()
    name = nfc(name) or ""
    if not is_unit_code(code):  # ASCII digits only: str.isdigit() also takes '٣' and '²'
        raise ValidationError(f"Mã đơn vị '{code}' không hợp lệ: nhập mã số GSO (tối đa 5 chữ số).", field="code")
    if not name:
        raise ValidationError("Tên đơn vị không được để trống.", field="name")
    if kind not in UNIT_KINDS:
        raise ValidationError(f"Loại đơn vị '{kind}' không hợp lệ; chọn một trong: {', '.join(UNIT_KINDS)}.",
                              field="kind")
    area = area or ("urban" if kind in URBAN_UNIT_KINDS or kind == "province" else "rural")
    if area not in ("rural", "urban"):
        raise ValidationError(f"Khu vực '{area}' không hợp lệ (rural hoặc urban).", field="area")
    start = _iso(valid_from, "valid_from") if valid_from else None
    end = _iso(valid_to, "valid_to") if valid_to else None
    if start and end and end < start:
        raise ValidationError("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.", field="valid_to")
    if total_households is not None and (not isinstance(total_households, int) or total_households < 0):
        raise ValidationError("Tổng số hộ phải là số nguyên không âm.", field="total_households")
    if parent_code and not store.scalar("SELECT count(*) FROM units WHERE code = ? AND deleted = 0",
                                        (parent_code,)):
        raise ValidationError(f"Không có đơn vị cấp trên mã '{parent_code}'.", field="parent_code")
    new_id = unit_id(code, start)
    if store.query_one("SELECT 1 FROM units WHERE id = ?", (new_id,)):
        raise ValidationError(f"Đã có đơn vị mã {code} bắt đầu hiệu lực {start or '(không rõ)'}.", field="code")
    with store.transaction():
        return repo.insert(store, "units", {
            "id": new_id, "code": code, "name": name, "kind": kind, "parent_code": parent_code,
            "area": area, "valid_from": start, "valid_to": end, "total_households": total_households,
            "unit_code": _owner(store, owner)})


def set_successor(store: Store, old_unit_id: str, new_unit_id: str, share: str, *,
                  confirmed: bool = True, note: str = "", owner: str | None = None) -> dict[str, Any]:
    """Add or correct one old → new link of the successor map (audited)."""
    if share not in ("whole", "part"):
        raise ValidationError("Phạm vi phải là 'whole' (toàn bộ) hoặc 'part' (một phần).", field="share")
    for field, uid in (("old_unit_id", old_unit_id), ("new_unit_id", new_unit_id)):
        if not store.query_one("SELECT 1 FROM units WHERE id = ? AND deleted = 0", (uid,)):
            raise ValidationError(f"Không có đơn vị '{uid}'.", field=field)
    text = (UNCONFIRMED_PREFIX if not confirmed else "") + (nfc(note) or "")
    sid = successor_id(old_unit_id, new_unit_id)
    with store.transaction():
        if repo.get(store, "unit_successors", sid) is not None:
            return repo.update(store, "unit_successors", sid, {"share": share, "note": text, "deleted": 0})
        return repo.insert(store, "unit_successors", {
            "id": sid, "old_unit_id": old_unit_id, "new_unit_id": new_unit_id, "share": share,
            "note": text, "unit_code": _owner(store, owner)})

