"""Names of the files the exchange writes (bundles, receipts), built from unit codes, periods and
sequence numbers that may come from outside (a manifest, a key card, the roster).

A name is only ever ``[prefix-]<unit>[-<unit>]-<YYYY-MM>-<sequence>.cnb`` made of ASCII digits,
hyphens and the fixed prefix: each unit code is checked with ``core.codes`` (1–5 ASCII digits),
the period is ``YYYY-MM`` in ASCII digits, the sequence a positive 64-bit int. So no part can
carry a folder separator, "..", a drive letter, a reserved Windows device name (CON, NUL…),
Unicode digits or control characters, whatever the callers checked before: a crafted unit code
such as "../../x" is refused here, before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..core.codes import check_unit_code
from .errors import BundleError
from .format import SUFFIX

PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
MAX_SEQUENCE = 2**63 - 1  # the largest number SQLite stores
RECEIPT_PREFIX = "bien-nhan"
_SAFE = re.compile(r"[a-z0-9-]+\.cnb")


def exchange_file_name(units: Sequence[object], period: object, sequence: object, *, prefix: str = "") -> str:
    """``[prefix-]<units joined by '-'>-<period>-<sequence>.cnb``; BundleError (in Vietnamese,
    naming the bad part) when a part is not what it must be."""
    try:
        if not units:
            raise ValueError("thiếu mã đơn vị")
        codes = [check_unit_code(u, "mã đơn vị") for u in units]
        if not (isinstance(period, str) and PERIOD.fullmatch(period)):
            raise ValueError(f"kỳ {repr(period)[:40]} không đúng dạng YYYY-MM")
        if type(sequence) is not int or not 1 <= sequence <= MAX_SEQUENCE:
            raise ValueError(f"số thứ tự {repr(sequence)[:40]} không hợp lệ")
    except ValueError as exc:
        raise BundleError(f"Không đặt được tên tệp gói/biên nhận: {exc}. Không có gì được ghi; hãy báo cho "
                          "cán bộ phụ trách kỹ thuật.", detail=repr((prefix, units, period, sequence))) from exc
    name = "-".join([*([prefix] if prefix else []), *codes, period, str(sequence)]) + SUFFIX
    if not _SAFE.fullmatch(name):  # the prefix is the caller's constant; this keeps it honest too
        raise BundleError(f"Tên tệp '{name[:60]}' không hợp lệ.", detail=repr(name))
    return name


def bundle_name(unit: str, period: object, sequence: object) -> str:
    """A data bundle: ``<unit>-<YYYY-MM>-<seq>.cnb``, or for a reference bundle
    ``<office>-<commune>-<YYYY-MM>-<seq>.cnb`` (``unit`` given as "office-commune")."""
    return exchange_file_name(unit.split("-") if isinstance(unit, str) else [unit], period, sequence)


def receipt_name(recipient_unit: object, period: object, sequence: object) -> str:
    """A receipt: ``bien-nhan-<unit>-<YYYY-MM>-<seq>.cnb``."""
    return exchange_file_name([recipient_unit], period, sequence, prefix=RECEIPT_PREFIX)
