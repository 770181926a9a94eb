"""Tab "Hộ gia đình": the registry of poor and near-poor households (empty state for now)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ...core.model import CATEGORY_LABELS, NEAR_POOR, POOR
from ...core.text import format_vnd
from ...storage.registry_queries import ListQuery, count_households
from ..context import AppContext
from ..widgets.empty_state import EmptyState

TITLE = "Hộ gia đình"


class HouseholdsTab(QWidget):
    """What the registry is for, how many households the file holds, and how to get data in."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.empty = EmptyState(
            "Sổ hộ nghèo, hộ cận nghèo",
            "Thẻ này dành cho sổ theo dõi từng hộ của đơn vị: chủ hộ và các thành viên, điều kiện sống "
            "(đất, việc làm, nhà ở, nước sạch, nhà tiêu, thiết bị thông tin), kết quả rà soát theo chuẩn "
            "nghèo và lịch sử của hộ (công nhận cận nghèo, thoát cận nghèo, chuyển đi, chuyển đến…). "
            "Tìm kiếm không phân biệt dấu: gõ “nguyen van an” sẽ tìm ra “Nguyễn Văn An”.",
            [
                (f"Bạn đang xem <b>dữ liệu mẫu</b> (tệp {ctx.db_path.name}). Dữ liệu thật nên ở một tệp "
                 "riêng: <b>Tệp → Tạo cơ sở dữ liệu mới…</b>") if ctx.demo else
                "Xem chương trình với dữ liệu mẫu (505 hộ cận nghèo của huyện Thanh Trì cũ): "
                "mở bằng lệnh <code>cannngheo-desktop --demo</code>.",
                "Các lệnh đang dùng được với cơ sở dữ liệu này được liệt kê bởi <code>cannngheo --help</code>; "
                "mỗi lệnh nhận <code>--db</code> là tệp đang mở (xem dòng trạng thái bên dưới).",
                "Trước khi nhập dữ liệu thật, sao lưu: <b>Tệp → Sao lưu ngay…</b> ra USB.",
            ])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the household counts (active households) through the registry queries."""
        store = self.ctx.store
        total = count_households(store, ListQuery())
        counts = {c: count_households(store, ListQuery(category=c)) for c in (POOR, NEAR_POOR)}
        if not total:
            self.empty.set_facts(f"Tệp dữ liệu này chưa có hộ nào của {self.ctx.installation.unit_name}.")
            return
        parts = [f"{CATEGORY_LABELS[c]}: {format_vnd(counts[c])}" for c in (POOR, NEAR_POOR)
                 if counts.get(c)]
        detail = f" ({'; '.join(parts)})" if parts else ""
        self.empty.set_facts(f"Tệp dữ liệu này đang có <b>{format_vnd(total)}</b> hộ{detail}.")
