"""Tab "Báo cáo": Excel and PDF reports (empty state for now)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ..context import AppContext
from ..widgets.empty_state import EmptyState

TITLE = "Báo cáo"


class ReportsTab(QWidget):
    """What reports the app produces and what they need."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.empty = EmptyState(
            "Báo cáo và biểu mẫu",
            "Thẻ này lập các biểu gửi cấp trên và niêm yết công khai, dưới dạng Excel (.xlsx) và PDF: "
            "biểu kế hoạch giảm hộ cận nghèo theo xã/phường, danh sách hộ và phiếu thông tin từng hộ, tiến độ "
            "các chính sách hỗ trợ theo cơ quan chịu trách nhiệm. Ngày ghi theo dd/mm/yyyy, số tiền có dấu "
            "chấm ngăn cách hàng nghìn; số chứng minh/căn cước được che bớt trong danh sách công khai.",
            [
                "Báo cáo lấy số liệu từ hồ sơ hộ và kế hoạch năm: hãy có dữ liệu trong hai thẻ "
                "<b>Hộ gia đình</b> và <b>Kế hoạch</b> trước.",
                "Kiểm tra máy in được tiếng Việt: <code>cannngheo-desktop --self-test</code> tạo thử một trang "
                "PDF có dấu.",
            ])
        self.empty.set_facts(f"Đơn vị lập báo cáo: <b>{ctx.installation.unit_name}</b>.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)

    def refresh(self) -> None:
        """Nothing to re-read yet."""
