"""Xuất Excel on the Hộ gia đình tab: the list as filtered, written on the worker. ID numbers
are masked unless the cadre asks for an internal copy, which is then locked with a password
(issue 16, registry/excel_export.py, core/personal_data.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from ...registry.excel_export import export_households
from ...registry.queries import ListQuery
from ..shell import errors, files
from ..shell.account_actions import ask_export_password
from ..shell.context import AppContext

XLSX_FILTER = "Tệp Excel (*.xlsx)"
ASK_FULL_IDS = ("Xuất kèm số CCCD đầy đủ?\n\n"
                "Có: bản NỘI BỘ, tệp được khóa bằng mật khẩu (Excel hỏi mật khẩu khi mở).\n"
                "Không: số CCCD được che (chỉ hiện mã tỉnh và 3 số cuối), dùng để chia sẻ.")


def export_list(parent: QWidget, ctx: AppContext, query: ListQuery) -> None:
    path = files.choose_save_file(parent, "Xuất danh sách hộ ra Excel", Path.home() / "danh-sach-ho.xlsx",
                                  XLSX_FILTER)
    if path is None:
        return
    password = ask_export_password(parent) if errors.confirm(parent, ASK_FULL_IDS) else ""
    if password is None:
        return
    target = path.with_suffix(".xlsx")
    ctx.tasks.run_task(
        parent, lambda store, progress: export_households(store, query, target, progress=progress,
                                                          password=password or None),
        on_success=lambda n: errors.inform(parent, f"Đã xuất {n} hộ (theo bộ lọc đang chọn) ra tệp {target}."),
        label="Đang xuất danh sách hộ…")
