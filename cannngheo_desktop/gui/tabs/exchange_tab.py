"""Tab "Trao đổi dữ liệu": monthly signed, encrypted bundles between communes and the receiving office."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ..context import AppContext
from ..widgets.empty_state import EmptyState

TITLE = "Trao đổi dữ liệu"


class ExchangeTab(QWidget):
    """What the bundle exchange does and what must be set up first."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.empty = EmptyState(
            "Gửi và nhận gói dữ liệu",
            "Các máy không cần mạng: mỗi tháng xã/phường xuất một gói dữ liệu (tệp .cnb, có chữ ký số và "
            "được mã hóa cho cơ quan tiếp nhận) rồi chép qua USB hoặc gửi thư điện tử. Cơ quan tiếp nhận "
            "kiểm tra chữ ký, xem trước các thay đổi rồi mới nhập, và gửi lại giấy biên nhận. Bảng theo "
            "dõi cho thấy từng xã × từng tháng: đã gửi, đã nhận, đang chờ, còn thiếu hay bị trễ.",
            [
                "Hai bên trao đổi thẻ khóa (khóa công khai và dấu vân tay) một lần, đối chiếu dấu vân tay "
                "qua điện thoại trước khi tin cậy.",
                "Sao lưu trước mỗi lần nhập gói: chương trình tự sao lưu, và bạn có thể "
                "<b>Tệp → Sao lưu ngay…</b> ra USB.",
            ])
        inst = ctx.installation
        if inst.is_aggregator:
            facts = f"Bản cài đặt này là cơ quan tiếp nhận <b>{inst.unit_name}</b>: nhận gói từ các xã/phường."
        else:
            facts = (f"Bản cài đặt này là <b>{inst.unit_name}</b>, gửi gói cho cơ quan tiếp nhận mã "
                     f"<b>{inst.receiving_unit_code or '—'}</b>.")
        self.empty.set_facts(facts)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)

    def refresh(self) -> None:
        """Nothing to re-read yet."""
