"""Personal data in files that leave the database (Decree 13/2023/NĐ-CP): ID numbers masked in
lists by default, and the internal exports that carry them in full protected by a password.

* :func:`mask_cccd` keeps the 3-digit province code and the last 3 digits of a 12-digit CCCD
  (``001******890``), enough to tell people apart on a posted list without exposing the number;
  other lengths keep only their last 3 characters.
* :func:`protect_xlsx` encrypts a finished workbook with a password (ECMA-376 agile encryption,
  AES-256, through ``msoffcrypto-tool``): Excel and LibreOffice ask for the password when the
  file is opened, and its raw bytes show nothing of its content.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

INTERNAL_MARK = "NỘI BỘ — có số định danh đầy đủ, không niêm yết"
MIN_EXPORT_PASSWORD = 8


def mask_cccd(value: Any) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    if len(text) == 12 and text.isdigit():
        return f"{text[:3]}******{text[-3:]}"
    return "*" * max(0, len(text) - 3) + text[-3:]


def check_export_password(password: str) -> None:
    from .errors import ValidationError

    if len(password or "") < MIN_EXPORT_PASSWORD:
        raise ValidationError(f"Mật khẩu của tệp xuất cần ít nhất {MIN_EXPORT_PASSWORD} ký tự; hãy báo mật khẩu "
                              "cho người nhận qua điện thoại, không gửi kèm tệp.", field="password")


def protect_xlsx(path: Path | str, password: str) -> Path:
    """Encrypt the workbook at ``path`` in place (a temporary file, then one rename)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    check_export_password(password)
    target = Path(path)
    tmp = target.with_name(target.name + ".protecting")
    try:
        with target.open("rb") as plain, tmp.open("wb") as out:
            OOXMLFile(plain).encrypt(password, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def open_protected_xlsx(path: Path | str, password: str) -> io.BytesIO:
    """The decrypted workbook bytes (for openpyxl.load_workbook): reading back what was written."""
    import msoffcrypto

    with Path(path).open("rb") as fh:
        office = msoffcrypto.OfficeFile(fh)
        office.load_key(password=password)
        out = io.BytesIO()
        office.decrypt(out)
    out.seek(0)
    return out
