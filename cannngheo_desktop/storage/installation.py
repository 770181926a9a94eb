"""First start: which unit this copy serves, its role, the receiving office and the first admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..core.errors import ValidationError
from ..core.text import format_date
from . import repo, users
from .db import Store, utc_now

ROLES = {"commune": "Xã/phường (đơn vị báo cáo)", "aggregator": "Cơ quan tiếp nhận (tổng hợp)"}


@dataclass(frozen=True)
class Installation:
    unit_code: str
    role: str
    receiving_unit_code: str | None
    unit_name: str

    @property
    def is_aggregator(self) -> bool:
        return self.role == "aggregator"


def load_reference_data(store: Store) -> None:
    """Shipped units, bodies, support catalogue and rulesets; idempotent (safe on every start)."""
    from . import reference, rulesets

    with store.transaction():
        reference.load_reference(store)
        rulesets.load_shipped_rulesets(store)


def current(store: Store) -> Installation | None:
    row = store.query_one("SELECT * FROM installation WHERE id = 1")
    if row is None:
        return None
    name = store.scalar(
        "SELECT name FROM units WHERE code = ? AND deleted = 0 ORDER BY valid_from DESC LIMIT 1",
        (row["unit_code"],))
    return Installation(row["unit_code"], row["role"], row["receiving_unit_code"], name or row["unit_code"])


def unit_exists(store: Store, code: str) -> bool:
    return store.scalar("SELECT count(*) FROM units WHERE code = ? AND deleted = 0", (code,)) > 0


def valid_unit(store: Store, code: str, on: date, field: str, what: str) -> dict[str, Any]:
    """The catalogue row of ``code`` valid on ``on``; otherwise a ValidationError naming when it
    ended and its successors (a unit dissolved in the 2025 merger cannot be set up on a later date)."""
    from . import reference

    unit = reference.get_unit(store, code, on=on)
    if unit is not None:
        return unit
    known = reference.get_unit(store, code)
    if known is None:
        raise ValidationError(f"Không có {what} mã '{code}' trong danh mục.", field=field)
    ended = format_date(known["valid_to"]) if known.get("valid_to") else ""
    successors = ", ".join(f"{s['name']} ({s['code']})"
                           for s in reference.successors_of(store, code, on=known.get("valid_to")))
    raise UnitNotValidOn(
        f"{known['name']} ({code}) không còn hiệu lực vào ngày {format_date(on)}"
        + (f" (hết hiệu lực từ sau {ended})" if ended else "") + ". "
        + (f"Đơn vị kế thừa: {successors}. " if successors else "")
        + "Hãy chọn đơn vị đang có hiệu lực vào ngày bắt đầu sử dụng.", field=field)


class UnitNotValidOn(ValidationError):
    """The unit exists in the catalogue but not on the chosen date (dissolved or renamed)."""


class ReceivingNotParent(ValidationError):
    """The receiving office is not the unit's parent and that was not confirmed."""


def resolve_receiving(store: Store, *, role: str, unit_code: str, receiving_unit_code: str | None, on: date,
                      confirmed: bool = False) -> str | None:
    """The setup rule, one place for the window and ``cannngheo init``: the unit and the receiving
    office must be valid on ``on``; a commune's receiving office defaults to the unit's parent; any
    other office only when ``confirmed`` (the bundles can only ever go to that office), else
    :class:`ReceivingNotParent`. Returns the receiving office's code (None for a top office)."""
    from . import reference

    load_reference_data(store)
    unit = valid_unit(store, unit_code, on, "unit_code", "đơn vị")
    parent = unit.get("parent_code")
    if receiving_unit_code is None:
        return parent if role == "commune" else None
    valid_unit(store, receiving_unit_code, on, "receiving_unit_code", "đơn vị tiếp nhận")
    if parent and receiving_unit_code != parent and not confirmed:
        raise ReceivingNotParent(
            f"Cơ quan tiếp nhận {reference.unit_name(store, receiving_unit_code, on)} ({receiving_unit_code}) "
            f"không phải cấp trên của {unit['name']} ({reference.unit_name(store, parent, on)}, mã {parent}). "
            "Gói số liệu hằng tháng chỉ gửi được cho cơ quan tiếp nhận này và không đổi được sau khi thiết lập.",
            field="receiving_unit_code")
    return str(receiving_unit_code)


def initialize(store: Store, *, role: str, unit_code: str, receiving_unit_code: str | None,
               admin_name: str, admin_password: str, admin_full_name: str = "") -> Installation:
    """Set up a new database in ONE transaction: reference data, installation row, first admin."""
    if current(store) is not None:
        raise ValidationError("Cơ sở dữ liệu này đã được thiết lập; không thiết lập lại.", field="role")
    if role not in ROLES:
        raise ValidationError(f"Vai trò '{role}' không hợp lệ (commune hoặc aggregator).", field="role")
    with store.transaction() as conn:
        load_reference_data(store)
        if not unit_exists(store, unit_code):
            raise ValidationError(
                f"Không có đơn vị mã '{unit_code}' trong danh mục. Hãy chọn đơn vị có sẵn hoặc thêm đơn vị mới.",
                field="unit_code")
        if receiving_unit_code and not unit_exists(store, receiving_unit_code):
            raise ValidationError(
                f"Không có đơn vị tiếp nhận mã '{receiving_unit_code}' trong danh mục.", field="receiving_unit_code")
        if role == "commune" and not receiving_unit_code:
            raise ValidationError("Xã/phường cần chọn cơ quan tiếp nhận báo cáo.", field="receiving_unit_code")
        store.user = admin_name
        users.create_user(store, admin_name, admin_password, role="admin",
                          full_name=admin_full_name, unit_code=unit_code)
        conn.execute(
            "INSERT INTO installation(id, unit_code, role, receiving_unit_code, created_at) VALUES (1, ?, ?, ?, ?)",
            (unit_code, role, receiving_unit_code, utc_now()))
        conn.execute(
            "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
            "VALUES (?, ?, 'installation', '1', 'insert', NULL, NULL, ?)",
            (utc_now(), admin_name, f'{{"unit_code": "{unit_code}", "role": "{role}"}}'))
    inst = current(store)
    assert inst is not None
    return inst


__all__ = ["Installation", "ROLES", "current", "initialize", "load_reference_data", "repo"]
