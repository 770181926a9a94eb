"""Tab "Kế hoạch": yearly near-poverty reduction plans and their progress (empty state for now)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ..context import AppContext
from ..widgets.empty_state import EmptyState

TITLE = "Kế hoạch"


class PlansTab(QWidget):
    """What plan tracking covers and where a plan comes from."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        if ctx.installation.is_aggregator:
            who = ("Bản cài đặt này là cơ quan tiếp nhận: kế hoạch và chỉ tiêu giao cho từng xã/phường "
                   "được lập tại đây rồi gửi xuống trong gói dữ liệu.")
        else:
            who = ("Bản cài đặt này là xã/phường: kế hoạch và chỉ tiêu do cơ quan tiếp nhận giao, "
                   "đến cùng gói dữ liệu tham chiếu; tiến độ của xã được gửi lên hằng tháng.")
        self.empty = EmptyState(
            "Kế hoạch giảm nghèo, giảm hộ cận nghèo theo năm",
            "Thẻ này theo dõi kế hoạch từng năm như Biểu kế hoạch giảm hộ cận nghèo: số hộ đầu năm, tỷ lệ "
            "trên tổng số hộ, chỉ tiêu giảm của từng xã/phường và tổng của cả đơn vị; các chỉ tiêu tiếp cận "
            "dịch vụ (thẻ bảo hiểm y tế, trẻ đến trường, nước sạch, nhà tiêu, thiết bị thông tin, nhà ở, "
            "việc làm) và các mốc thời gian với cơ quan chịu trách nhiệm.",
            [
                "Xem tiến độ kế hoạch ngay bằng dòng lệnh: "
                f"<code>cannngheo plan progress --year 2023 --db \"{ctx.db_path}\"</code> "
                "(và <code>cannngheo plan objectives</code>, <code>cannngheo plan actions</code>).",
                "Dữ liệu mẫu có sẵn kế hoạch năm 2023 của huyện Thanh Trì cũ (16 xã, thị trấn; 505 hộ đầu năm, "
                "chỉ tiêu giảm 75 hộ): mở bằng <code>cannngheo-desktop --demo</code>.",
                "Nhập hồ sơ hộ trước (thẻ <b>Hộ gia đình</b>): tiến độ kế hoạch được tính từ hồ sơ và các "
                "đợt rà soát.",
            ])
        self.empty.set_facts(who)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)

    def refresh(self) -> None:
        """Nothing to re-read yet."""
