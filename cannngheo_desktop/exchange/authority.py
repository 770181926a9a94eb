"""Who may send what: the kind and direction of a bundle, and which rows its sender may write.

Two checks, both before anything is written (docs/security.md, "Who may send what"):

* ``check_sender`` — from the signed manifest only, before decryption: a ``reference`` bundle
  (catalogues, rulesets, plans and targets) is accepted only from this copy's receiving office;
  a ``commune-report`` only by an office (role aggregator), and only from a unit it receives
  for (``receives_for``); a ``receipt`` only from a unit this copy has sent data bundles to.
* ``RowGuard`` — per bundle, fed each table's rows in file order (parents before children, chunk
  by chunk): a row may not take over an id stored here under another unit, and every reference
  it holds must point to a row its sender owns (earlier in this bundle, or stored here with the
  sender's unit code) or to shared reference data (units, rulesets, support measures, bodies),
  which may be referenced but never written by someone who does not own it.

Audit entries (after the rows) may only describe rows the sender owns. Only 8-byte digests of the
ids seen are remembered across chunks (``IdSet``), never rows.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeGuard

from ..core.codes import is_unit_code
from ..storage import installation, reference
from ..storage.db import Store
from . import sync
from .errors import refuse
from .manifest import Manifest

REPORT, REFERENCE, RECEIPT, RECOVERY = "commune-report", "reference", "receipt", "recovery"


@dataclass(frozen=True)
class Ref:
    """``column`` of a row points to the row of ``table`` with that id, owned by the sender."""

    column: str
    table: str


# Owned references, per table (columns that point to codes of shared reference data —
# ruleset_code, measure_code, body_code, units.parent_code — may name anyone's row: not listed).
REFS: dict[str, tuple[Ref, ...]] = {
    "members": (Ref("household_id", "households"),),
    "household_events": (Ref("household_id", "households"), Ref("member_id", "members"),
                         Ref("related_household_id", "households")),
    "assessments": (Ref("household_id", "households"), Ref("review_id", "reviews")),
    "support_actions": (Ref("household_id", "households"), Ref("member_id", "members")),
    "duplicate_decisions": (Ref("household_a", "households"), Ref("household_b", "households")),
    "review_items": (Ref("review_id", "reviews"), Ref("household_id", "households"),
                     Ref("assessment_id", "assessments")),
    "review_meetings": (Ref("review_id", "reviews"),),
    "plan_units": (Ref("plan_id", "plans"),),
    "plan_amendments": (Ref("plan_id", "plans"),),
    "plan_objectives": (Ref("plan_id", "plans"),),
    "milestones": (Ref("plan_id", "plans"),),
}
# Shared reference rows: anyone may point to them (unit_successors → units), only the owner writes.
SHARED_REFS: dict[str, tuple[str, ...]] = {"unit_successors": ("old_unit_id", "new_unit_id")}
# Columns holding unit codes: checked with core.codes (they reach queries, screens, file names).
UNIT_CODE_COLUMNS: dict[str, tuple[str, ...]] = {"units": ("code", "parent_code"),
                                                 "plan_units": ("target_unit_code",)}
LABELS = {"households": "hộ", "members": "thành viên", "reviews": "đợt rà soát",
          "assessments": "kết quả đánh giá", "plans": "kế hoạch"}


# --- kind and direction ------------------------------------------------------------------------
def receives_for(store: Store, office_code: str, unit_code: str, on: date | None = None) -> bool:
    """Whether the office ``office_code`` receives reports of ``unit_code``: a version of that unit
    lies under the office in this copy's unit list (``parent_code``), or it took over such a unit
    in the 2025 reform (``reference.units_covered``: whole successors and re-used codes).

    The unit list at an office is written only by the office itself and by its own receiving
    office (reference bundles), never by a commune, so a commune cannot add itself to it."""
    if not is_unit_code(unit_code) or unit_code == office_code:
        return False
    if any(u["code"] == unit_code for u in reference.list_units(store, parent_code=office_code)):
        return True
    day = (on or date.today()).isoformat()
    return any(u["code"] == unit_code for u in reference.units_covered(store, office_code, day))


def check_sender(store: Store, path: Path, m: Manifest) -> None:
    """BundleError unless this copy accepts a bundle of ``m.kind`` from ``m.sender_unit``
    (call before decrypting or writing anything)."""
    inst = installation.current(store)
    if inst is None:
        raise refuse(path, "cơ sở dữ liệu chưa được thiết lập (vai trò, đơn vị). Hãy chạy thiết lập trước.")
    sender = m.sender_unit
    if sender == inst.unit_code:
        raise refuse(path, f"gói do chính đơn vị này ('{sender}') gửi; không nhập gói của chính mình.")
    if m.kind == REFERENCE:
        if not inst.receiving_unit_code:
            raise refuse(path, f"đơn vị này ('{inst.unit_code}') không có cơ quan tiếp nhận nên không nhận gói "
                               f"danh mục/kế hoạch của đơn vị nào; đơn vị '{sender}' không được gửi loại gói này "
                               "(gói danh mục/kế hoạch chỉ được nhận từ cơ quan tiếp nhận).")
        if sender != inst.receiving_unit_code:
            raise refuse(path, f"gói danh mục/kế hoạch chỉ được nhận từ cơ quan tiếp nhận của đơn vị này "
                               f"('{inst.receiving_unit_code}'); đơn vị '{sender}' không được gửi loại gói này.")
    elif m.kind == REPORT:
        if inst.role != "aggregator":
            raise refuse(path, f"gói báo cáo của xã/phường chỉ gửi lên cơ quan tiếp nhận; bản cài đặt này "
                               f"là của xã/phường '{inst.unit_code}', không nhận gói báo cáo của đơn vị "
                               f"'{sender}'.")
        if not receives_for(store, inst.unit_code, sender):
            raise refuse(path, f"đơn vị '{sender}' không thuộc các đơn vị mà đơn vị '{inst.unit_code}' tiếp "
                               "nhận báo cáo (theo danh mục đơn vị: đơn vị cấp trên hoặc đơn vị kế thừa). "
                               "Không nhập tệp này; nếu đơn vị đó đúng là thuộc đơn vị này, cần bổ sung danh mục "
                               "đơn vị (gói danh mục của cơ quan cấp trên hoặc bản cập nhật chương trình) rồi "
                               "nhập lại.")
    elif m.kind == RECEIPT:
        if not sync.has_sent_to(store, sender):
            raise refuse(path, f"biên nhận từ đơn vị '{sender}', nhưng đơn vị này chưa từng gửi gói nào "
                               "cho đơn vị đó.")
    elif m.kind == RECOVERY:  # its own procedure (restore.apply_recovery checks the office itself)
        raise refuse(path, "đây là gói khôi phục dữ liệu cho máy mới cài lại, không nhập bằng chức năng nhập "
                           "gói thường. Ở thẻ Trao đổi dữ liệu hãy bấm \"Khôi phục / đổi khóa…\" rồi \"Nhập gói "
                           "khôi phục…\", hoặc dùng lệnh: cannngheo recovery apply.")
    else:  # parse_manifest admits only the kinds above; a new kind must be given a rule here
        raise refuse(path, f"loại gói '{m.kind}' không được hỗ trợ.")


# --- rows ------------------------------------------------------------------------------------------
_PLAIN_ID = re.compile(r"[0-9A-Za-z@._:>-]{1,100}")


def _shown(value: object) -> str:
    """A row id or reference for a message: as is when plain, else quoted (control characters,
    markup and odd Unicode stay visible, at most 40 characters)."""
    return value if isinstance(value, str) and _PLAIN_ID.fullmatch(value) else repr(value)[:40]


def _text(value: object) -> TypeGuard[str]:
    """A str SQLite can take (JSON may carry lone surrogates, which no UTF-8 encoder accepts)."""
    if not isinstance(value, str):
        return False
    if value.isascii():  # O(1) in CPython: the common case costs nothing
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class IdSet:
    """Ids of one bundle as 8-byte keyed digests in a few sorted arrays: 8 bytes an id (1,000,000
    rows: 8 MB), never the rows. The key is random per bundle, so a sender cannot aim at a
    collision (2^-64 a pair); one would only let a reference through to SQLite's foreign keys."""

    def __init__(self) -> None:
        self._keyed = hashlib.blake2b(digest_size=8, key=secrets.token_bytes(16))  # copied per id: no key setup
        self._runs: list[array[int]] = []

    def _digest(self, value: str) -> int:
        h = self._keyed.copy()
        h.update(value.encode("utf-8"))
        return int.from_bytes(h.digest(), "big")

    def update(self, values: Iterable[str]) -> None:
        run = array("Q", sorted({self._digest(v) for v in values}))
        if run:
            self._runs.append(run)
        while len(self._runs) > 1 and len(self._runs[-2]) <= 2 * len(self._runs[-1]):  # O(log n) runs
            last = self._runs.pop()
            self._runs.append(array("Q", sorted(self._runs.pop() + last)))

    def __contains__(self, value: object) -> bool:
        if not _text(value) or not self._runs:
            return False
        digest = self._digest(value)
        for run in self._runs:
            i = bisect_left(run, digest)
            if i < len(run) and run[i] == digest:
                return True
        return False


class RowGuard:
    """Row ownership for one bundle of ``kind`` from ``sender``, checked chunk by chunk in file order.

    ``check(table, rows)`` returns Vietnamese errors naming table, row id and why (empty: all
    fine). It remembers only digests of the ids seen so far (``IdSet``).
    ``check_audit(entries)`` does the same for audit entries (after the rows)."""

    def __init__(self, store: Store, sender: str, kind: str) -> None:
        self.store = store
        self.sender = sender
        self.kind = kind
        self.seen: dict[str, IdSet] = {}  # every table's ids (audit entries come last and name any)

    def check(self, table: str, rows: Sequence[Mapping[str, Any]]) -> list[str]:
        errors: list[str] = []
        ids: list[str] = []
        for r in rows:
            rid = r.get("id")
            if _text(rid):
                ids.append(rid)
            else:
                errors.append(f"bảng {table}, dòng {_shown(rid)}: mã dòng không phải văn bản hợp lệ")
        for rid, owner in sync.owners_of(self.store, table, ids).items():
            if owner != self.sender:
                errors.append(f"bảng {table}, dòng {_shown(rid)}: dòng này đã có ở đây và thuộc đơn vị {owner}; "
                              f"đơn vị gửi {self.sender} không được ghi đè")
        errors += self._unit_codes(table, rows)
        errors += self._references(table, rows)
        self.seen.setdefault(table, IdSet()).update(ids)
        return errors

    def check_audit(self, entries: Sequence[Mapping[str, Any]]) -> list[str]:
        """Audit entries travel with the rows they describe: each must name a row its sender owns
        (earlier in this bundle, or stored here under its code), never another unit's row."""
        errors: list[str] = []
        by_table: dict[str, list[Mapping[str, Any]]] = {}
        for entry in entries:
            by_table.setdefault(str(entry.get("table_name")), []).append(entry)
        for table, group in by_table.items():
            seen = self.seen.get(table, IdSet())
            values = {v for e in group if _text(v := e.get("row_id"))}
            inside = {v for v in values if v in seen}  # one digest per distinct value
            asked = sorted(values - inside)
            try:
                stored = sync.owners_of(self.store, table, asked) if asked else {}
            except ValueError:  # not a table (payload.decode admits only the allowed ones)
                stored = {}
            for e in group:
                target = e.get("row_id")
                owner = stored.get(target) if _text(target) else None
                if target in inside or (owner is not None and owner == self.sender):
                    continue
                why = (f"dòng thuộc đơn vị {owner}" if owner is not None
                       else "dòng không có trong gói và chưa có ở đây")
                errors.append(f"nhật ký mục {_shown(e.get('id'))}: ghi về bảng {_shown(table)}, dòng "
                              f"{_shown(target)} — {why}; đơn vị gửi {self.sender} chỉ gửi nhật ký của dòng mình sở hữu")
        return errors

    def _unit_codes(self, table: str, rows: Sequence[Mapping[str, Any]]) -> list[str]:
        errors: list[str] = []
        for column in UNIT_CODE_COLUMNS.get(table, ()):
            for row in rows:
                value = row.get(column)
                if value is None and column == "parent_code":
                    continue
                if not is_unit_code(value):
                    errors.append(f"bảng {table}, dòng {_shown(row.get('id'))}: mã đơn vị {repr(value)[:40]} ở "
                                  f"cột {column} không hợp lệ (phải gồm 1–5 chữ số)")
                elif table == "plan_units" and self.kind == REPORT and value != self.sender:
                    errors.append(f"bảng plan_units, dòng {_shown(row.get('id'))}: chỉ tiêu cho đơn vị {value}; "
                                  f"đơn vị gửi {self.sender} chỉ được gửi chỉ tiêu của chính mình")
        return errors

    def _references(self, table: str, rows: Sequence[Mapping[str, Any]]) -> list[str]:
        errors: list[str] = []
        for column in SHARED_REFS.get(table, ()):
            errors += [f"bảng {table}, dòng {_shown(row.get('id'))}: cột {column} thiếu hoặc sai kiểu"
                       for row in rows if not _text(row.get(column))]
        for ref in REFS.get(table, ()):
            seen = self.seen.setdefault(ref.table, IdSet())
            values = {v for row in rows if _text(v := row.get(ref.column))}
            inside = {v for v in values if v in seen}  # one digest per distinct value
            asked = sorted(values - inside)
            stored = sync.owners_of(self.store, ref.table, asked) if asked else {}
            for row in rows:
                target = row.get(ref.column)
                if target is None or target in inside or stored.get(target) == self.sender:
                    continue
                what = f"{LABELS[ref.table]} {_shown(target)}"
                if not _text(target):
                    why = f"cột {ref.column} sai kiểu"
                elif target in stored:
                    why = (f"{what} thuộc đơn vị {stored[target]}, đơn vị gửi {self.sender} không được sửa "
                           "hay gắn dữ liệu vào")
                else:
                    why = (f"{what} không có trong gói và chưa có ở đây (cột {ref.column}); chỉ được tham "
                           f"chiếu dữ liệu của chính đơn vị gửi {self.sender}")
                errors.append(f"bảng {table}, dòng {_shown(row.get('id'))}: {why}")
        return errors
