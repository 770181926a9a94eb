"""The head of the Rà soát tab: the step bar (each step with its status and its legal deadline,
the current one framed, a late one in red), one line saying what to do next with ONE primary
button that opens that step, and the technical details (round id, ruleset, the text each
deadline comes from) behind "Chi tiết". Reads review.deadlines; no SQL here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...review import deadlines, steps

SHORT_LABELS = ("Danh sách", "Rà soát hộ", "Họp dân", "Niêm yết", "Khiếu nại", "Quyết định", "Giấy chứng nhận",
                "Báo cáo")
_STATUS_MARK = {"todo": "○", "doing": "◐", "done": "✓"}
_STEP_STYLE = {
    "todo": "QToolButton { color: #5a6473; background: #f1f3f6; }",
    "doing": "QToolButton { color: #7a4a00; background: #fff4dc; }",
    "done": "QToolButton { color: #1b6a34; background: #e6f4ea; }",
}
_LATE = " QToolButton { color: #b00020; }"
_CURRENT = " QToolButton { border: 2px solid #1f4e9a; font-weight: bold; }"
_BASE = " QToolButton { border: 1px solid #c7ccd4; border-radius: 4px; padding: 4px 6px; }" \
        " QToolButton:checked { background: #1f4e9a; color: white; }"
PRIMARY_STYLE = ("QPushButton { background: #1f4e9a; color: white; font-weight: bold; padding: 5px 14px; "
                 "border-radius: 4px; } QPushButton:disabled { background: #9aa8bf; }")
# What the cadre does at each step, in one sentence.
NEXT_TEXT = {
    "list": "Kiểm tra danh sách hộ cần rà soát; ghi giấy đề nghị của hộ hoặc danh sách đề nghị của thôn.",
    "survey": "Ghi kết quả rà soát (Phiếu A, Phiếu B) của từng hộ; phần mềm chấm điểm theo thông tin của hộ.",
    "meeting": "Họp dân từng thôn: ghi biên bản, số người dự và số người nhất trí (cần từ 50%).",
    "posting": "Niêm yết danh sách tại trụ sở và nhà văn hóa thôn; phần mềm tính ngày hết niêm yết.",
    "complaints": "Ghi khiếu nại nhận được trong thời gian niêm yết và kết quả kiểm tra lại.",
    "decision": "Trình Chủ tịch ban hành quyết định công nhận sau khi hết niêm yết.",
    "certificates": "Cấp và in giấy chứng nhận cho hộ nghèo, hộ cận nghèo.",
    "report": "Lập báo cáo kết quả rà soát rồi kết thúc đợt.",
}


def primary(button: QPushButton) -> QPushButton:
    """Style ``button`` as the page's one primary action."""
    button.setStyleSheet(PRIMARY_STYLE)
    button.setDefault(True)
    return button


_UNDATED = {"posting": "3 ngày làm việc", "complaints": "trong niêm yết"}  # short forms for the buttons


def _when(deadline: deadlines.Deadline, state: str, today: date) -> str:
    if deadline.due is None:
        return _UNDATED.get(deadline.step, "không có hạn")
    days = (deadline.due - today).days
    if state == "late":
        return f"quá hạn {-days} ngày ({deadline.due:%d/%m})"
    if state == "ended":
        return f"đã hết niêm yết {deadline.due:%d/%m}"
    if state == "done":
        return f"hạn {deadline.due:%d/%m}"
    return f"hạn {deadline.due:%d/%m/%Y}" + (f", còn {days} ngày" if state == "soon" else "")


class StepBar(QWidget):
    """Step buttons, the next-step line with its primary button, and the details."""

    def __init__(self, go_to: Callable[[int], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.go_to = go_to
        self.current = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.setSpacing(4)
        self.group = QButtonGroup(self)
        self.buttons: list[QToolButton] = []
        for n in range(len(steps.STEPS)):
            button = QToolButton()
            button.setCheckable(True)
            button.clicked.connect(lambda _c=False, n=n: go_to(n))
            self.group.addButton(button, n)
            self.buttons.append(button)
            bar.addWidget(button, 1)
        layout.addLayout(bar)
        row = QHBoxLayout()
        self.next_label = QLabel()
        self.next_label.setWordWrap(True)
        self.next_button = QPushButton()  # navigation only: the primary action is on the step's page
        self.next_button.clicked.connect(lambda: go_to(self.current))
        self.details_button = QToolButton()
        self.details_button.setText("Chi tiết")
        self.details_button.setCheckable(True)
        row.addWidget(self.next_label, 1)
        row.addWidget(self.next_button)
        row.addWidget(self.details_button)
        layout.addLayout(row)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setStyleSheet("color: #3c4a5c; background: #f6f7f9; padding: 4px;")
        self.details.setVisible(False)
        self.details_button.toggled.connect(self.details.setVisible)
        layout.addWidget(self.details)

    def show_round(self, rnd: dict[str, Any] | None, today: date, holidays: list[date]) -> None:
        """Paint the steps of ``rnd`` (None: disabled) as of ``today``."""
        rows = deadlines.overview(rnd, today, holidays) if rnd else []
        self.current = steps.STEPS.index(steps.current_step(rnd["steps"])) if rnd else 0
        for n, button in enumerate(self.buttons):
            row = rows[n] if rows else None
            status = row["status"] if row else "todo"
            text = f"{_STATUS_MARK[status]} {n + 1}. {SHORT_LABELS[n]}"
            if row:
                text += "\n" + _when(row["deadline"], row["state"], today)
            button.setText(text)
            button.setToolTip(f"{steps.STEP_LABELS[steps.STEPS[n]]}: {steps.STATUS_LABELS[status].lower()}"
                              + (f"\n{row['deadline'].rule}" if row else ""))
            late = row is not None and row["state"] == "late"
            button.setStyleSheet(_STEP_STYLE[status] + (_LATE if late else "")
                                 + (_CURRENT if rnd and n == self.current else "") + _BASE)
            button.setEnabled(rnd is not None)
        if not rnd:
            self.next_label.setText("Chưa có đợt rà soát: mở đợt mới.")
            self.details.setText("")
            return
        cur = rows[self.current]
        if rnd.get("status") == "closed":
            self.next_label.setText("Đợt rà soát đã kết thúc. Có thể in lại giấy tờ và báo cáo.")
            self.next_label.setStyleSheet("")
            self.next_button.setText("Xem báo cáo ›")
        else:
            when = _when(cur["deadline"], cur["state"], today)
            self.next_label.setText(f"<b>Bước {self.current + 1}. {cur['label']}</b> ({when}): "
                                    f"{NEXT_TEXT[cur['step']]}")
            self.next_label.setStyleSheet("color: #b00020;" if cur["state"] == "late" else "")
            self.next_button.setText(f"Làm bước {self.current + 1}: {SHORT_LABELS[self.current]} ›")
        self.details.setText(self._details(rnd, rows))

    def shown(self, index: int, has_round: bool) -> None:
        """The tab shows page ``index``: offer the way to the current step only from elsewhere."""
        self.next_button.setVisible(has_round and index != self.current)

    @staticmethod
    def _details(rnd: dict[str, Any], rows: list[dict[str, Any]]) -> str:
        source = rows[0]["deadline"].source if rows else ""
        lines = [f"Mã đợt: {rnd['id']} · bộ chuẩn {rnd['ruleset_code']} · niêm yết "
                 f"{rnd.get('posting_days') or 3} ngày làm việc · căn cứ thời hạn: {source}"]
        lines += [f"{n}. {r['label']}: {r['deadline'].label()} — {r['deadline'].rule}"
                  for n, r in enumerate(rows, start=1)]
        return "\n".join(lines)
