"""`cannngheo-desktop --self-test`: prove this installation (source tree or frozen build) works.

Steps: a temporary database set up through the real services, the main window built offscreen,
a one-page Vietnamese PDF rendered with the shipped font. Prints each step; returns 0 or 1.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import APP_TITLE, __version__

PASSWORD = "tu-kiem-tra-2026"


def _ensure_platform() -> None:
    """No display (CI, SSH): draw offscreen. Must run before the QApplication exists."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _step_database(work: Path, state: dict[str, Any]) -> str:
    from .storage import cipher, encryption, installation, keyslots, open_db, users

    path = work / "selftest.sqlite"
    new = encryption.prepare_new_database(path)  # as the window makes a new file: encrypted
    store = open_db(path, lock=True, user="selftest", key=new.key)
    state["store"] = store
    inst = installation.initialize(store, role="aggregator", unit_code="020", receiving_unit_code=None,
                                   admin_name="selftest", admin_password=PASSWORD)
    state["installation"] = inst
    state["user"] = users.authenticate(store, "selftest", PASSWORD)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if cipher.is_plain_file(path) or b"selftest" in path.read_bytes():
        raise RuntimeError(f"'{path}' không được mã hóa")
    if keyslots.unlock(path, PASSWORD, name="selftest").key != new.key:
        raise RuntimeError("khóa mở từ mật khẩu không khớp")
    return f"{inst.unit_name} ({inst.unit_code}), lược đồ v{store.schema_version()}, đã mã hóa (SQLCipher)"


def _step_window(work: Path, state: dict[str, Any]) -> str:
    _ensure_platform()
    from .gui.shell.smoke import build_main_window

    # The window's session closes the store; run() closes it again (harmless) whatever happened.
    return build_main_window(state["store"], state["installation"], state["user"])


def _step_pdf(work: Path, state: dict[str, Any]) -> str:
    from .documents.render.pdf_base import render_test_page

    target = Path(render_test_page(work / "kiem-tra.pdf"))
    with target.open("rb") as fh:
        if fh.read(5) != b"%PDF-":
            raise RuntimeError(f"'{target}' không phải tệp PDF")
    return f"{target.stat().st_size} byte"


STEPS: list[tuple[str, Callable[[Path, dict[str, Any]], str]]] = [
    ("Tạo cơ sở dữ liệu tạm và thiết lập", _step_database),
    ("Dựng cửa sổ chính (không hiển thị)", _step_window),
    ("Tạo trang PDF tiếng Việt", _step_pdf),
]


def run(out: Any = None) -> int:
    """Run every step, printing one line each; 0 when all passed, 1 at the first failure."""
    out = out or sys.stdout
    frozen = " (bản đóng gói)" if getattr(sys, "frozen", False) else ""
    print(f"{APP_TITLE} {__version__}{frozen} — tự kiểm tra", file=out)
    state: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="cannngheo-selftest-") as tmp:
        try:
            for number, (title, step) in enumerate(STEPS, 1):
                prefix = f"[{number}/{len(STEPS)}] {title}"
                try:
                    detail = step(Path(tmp), state)
                except Exception as exc:  # noqa: BLE001 - every failure is reported, not raised
                    print(f"{prefix}: LỖI — {exc}", file=out)
                    traceback.print_exc(file=sys.stderr)
                    print("Tự kiểm tra: KHÔNG đạt", file=out)
                    return 1
                print(f"{prefix}: đạt — {detail}", file=out)
        finally:
            # Before the folder goes: Windows cannot delete a file that is still open (WinError 32).
            store = state.pop("store", None)
            if store is not None:
                store.close()
    print("Tự kiểm tra: đạt", file=out)
    return 0
