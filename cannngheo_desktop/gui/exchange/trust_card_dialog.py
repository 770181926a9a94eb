"""The dialog shown before a key card is trusted, or before a unit's key is replaced.

Everything that came from the card (unit name, code, role) is shown as PLAIN text: a card whose
name is markup or a fake fingerprint shows those characters literally. The fingerprint the app
computed is shown in large monospace type; the person types the fingerprint the other unit reads
over the phone, and the button enables only when every group matches. Replacing a known unit's
key also shows the old fingerprint, asks for a reason and says what replacing means.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...exchange import crypto
from ...exchange.keycard import KeyCard
from ...exchange.roster import MIN_REASON_CHARS, CardStatus

GROUPS = crypto.DISPLAY_HEX // 4
PHONE_TEXT = ("Gọi điện cho đơn vị này (dùng số điện thoại bạn đã biết, không dùng số ghi kèm tệp), nhờ họ mở "
              "“Khóa và thẻ khóa” trên máy của họ hoặc lấy bản in thẻ khóa, và đọc to dấu vân tay. Gõ lại "
              "từng nhóm 4 ký tự bạn nghe được vào ô dưới. Chỉ khi cả 8 nhóm khớp mới tin cậy được.")
REPLACE_TEXT = ("Thay khóa nghĩa là: các khóa đang tin cậy của đơn vị này bị THU HỒI ngay — gói mới ký bằng khóa "
                "cũ sẽ bị từ chối — và từ nay chỉ khóa mới được tin cậy. Chỉ làm khi chính đơn vị đó đã xác nhận "
                "qua điện thoại rằng họ cài lại máy, mất máy hoặc đổi khóa. Việc thay khóa được ghi vào nhật ký "
                "(người làm, thời điểm, dấu vân tay cũ và mới, lý do).")


def plain_label(text: str, *, selectable: bool = True) -> QLabel:
    """A label that never interprets its text (card text is hostile: no rich text, no links)."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setOpenExternalLinks(False)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setText(text)
    return label


def mono_font(point_size: int, *, bold: bool = False) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSize(point_size)
    font.setBold(bold)
    return font


def fingerprint_label(display: str, point_size: int = 20) -> QLabel:
    """A fingerprint in large monospace type, two lines of four groups."""
    groups = display.split(" ")
    label = plain_label("\n".join(" ".join(groups[i:i + 4]) for i in range(0, len(groups), 4)))
    label.setFont(mono_font(point_size, bold=True))
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(False)
    return label


def compare_groups(typed: str, display: str) -> tuple[int, list[int]]:
    """(how many groups typed, 1-based numbers of typed groups that differ)."""
    wanted = display.replace(" ", "").lower()
    got = crypto.normalize_fingerprint(typed) if typed.strip() else ""
    if typed.strip() and not got:
        return 0, [0]
    count = min(len(got) // 4, GROUPS)
    wrong = [i + 1 for i in range(count) if got[4 * i:4 * i + 4] != wanted[4 * i:4 * i + 4]]
    if len(got) > len(wanted):
        wrong.append(GROUPS + 1)
    return count, wrong


class TrustCardDialog(QDialog):
    """Compare and trust a card (``status.state == 'new'``) or replace a unit's key ('replace')."""

    def __init__(self, card: KeyCard, status: CardStatus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.card = card
        self.replacing = status.state == "replace"
        self.setWindowTitle("Thay khóa của đơn vị" if self.replacing else "Đối chiếu dấu vân tay")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        title = QLabel("Thay khóa của đơn vị đã có khóa" if self.replacing else "Tin cậy thẻ khóa mới")
        title_font = title.font()
        title_font.setPointSize(title_font.pointSize() + 3)
        title_font.setBold(True)
        title.setFont(title_font)
        layout.addWidget(title)

        form = QFormLayout()
        self.name_label = plain_label(card.unit_name or "(thẻ không ghi tên đơn vị)")
        self.code_label = plain_label(card.unit_code)
        self.role_label = plain_label(f"{card.role_label} ({card.role})")
        form.addRow("Tên đơn vị ghi trên thẻ:", self.name_label)
        form.addRow("Mã đơn vị:", self.code_label)
        form.addRow("Vai trò:", self.role_label)
        layout.addLayout(form)
        if card.version < 2:
            layout.addWidget(plain_label("Thẻ khóa kiểu cũ: dấu vân tay in trên thẻ cũ (16 ký tự) KHÔNG dùng được. "
                                         "Hãy đối chiếu dấu vân tay 32 ký tự dưới đây với đơn vị qua điện thoại."))

        self.old_label: QLabel | None = None
        if self.replacing:
            layout.addWidget(QLabel("Dấu vân tay của khóa ĐANG tin cậy (sẽ bị thu hồi):"))
            self.old_label = plain_label("\n".join(status.old_fingerprints))
            self.old_label.setFont(mono_font(13))
            self.old_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(self.old_label)
            layout.addWidget(QLabel("Dấu vân tay của thẻ khóa MỚI:"))
        else:
            layout.addWidget(QLabel("Dấu vân tay của thẻ khóa (đã tính từ mã đơn vị, vai trò và hai khóa):"))
        self.fingerprint_label = fingerprint_label(card.display_fingerprint)
        layout.addWidget(self.fingerprint_label)
        layout.addWidget(plain_label(PHONE_TEXT, selectable=False))

        self.typed = QLineEdit()
        self.typed.setFont(mono_font(14))
        self.typed.setPlaceholderText("A1B2 C3D4 … (8 nhóm, như đơn vị đọc qua điện thoại)")
        self.typed.setMaxLength(80)
        self.typed.textChanged.connect(self._update)
        layout.addWidget(QLabel("Dấu vân tay đơn vị đọc qua điện thoại:"))
        layout.addWidget(self.typed)
        self.match_label = plain_label("", selectable=False)
        layout.addWidget(self.match_label)

        self.reason: QLineEdit | None = None
        if self.replacing:
            warning = plain_label(REPLACE_TEXT, selectable=False)
            warning.setStyleSheet("color: #8a1c1c;")
            layout.addWidget(warning)
            self.reason = QLineEdit()
            self.reason.setMaxLength(300)
            self.reason.setPlaceholderText("Ví dụ: Máy xã hỏng ổ cứng, cài lại; đã gọi ông A ngày …")
            self.reason.textChanged.connect(self._update)
            layout.addWidget(QLabel("Lý do thay khóa (ghi vào nhật ký):"))
            layout.addWidget(self.reason)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.accept_button = QPushButton("Thay khóa" if self.replacing else "Tin cậy thẻ khóa")
        self.accept_button.clicked.connect(self.accept)
        self.cancel_button = QPushButton("Hủy")
        self.cancel_button.clicked.connect(self.reject)
        self.cancel_button.setDefault(True)
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self._update()

    def typed_fingerprint(self) -> str:
        return self.typed.text()

    def reason_text(self) -> str:
        return self.reason.text().strip() if self.reason is not None else ""

    def matches(self) -> bool:
        return crypto.fingerprint_matches(self.typed.text(), self.card.fingerprint)

    def _update(self) -> None:
        count, wrong = compare_groups(self.typed.text(), self.card.display_fingerprint)
        ok = self.matches()
        if ok:
            text = "✔ Cả 8 nhóm khớp."
        elif wrong == [0]:
            text = "Chỉ gõ chữ số 0–9 và chữ A–F (khoảng trắng được bỏ qua)."
        elif wrong:
            text = ("✘ KHÔNG KHỚP ở nhóm " + ", ".join(str(n) for n in wrong if n <= GROUPS)
                    + (" (gõ thừa ký tự)" if GROUPS + 1 in wrong else "")
                    + ". Nhờ đơn vị đọc lại; nếu vẫn khác, KHÔNG tin cậy thẻ này.")
        else:
            text = f"Đã gõ {count}/{GROUPS} nhóm."
        self.match_label.setText(text)
        reason_ok = self.reason is None or len(self.reason_text()) >= MIN_REASON_CHARS
        self.accept_button.setEnabled(ok and reason_ok)

    def accept(self) -> None:
        if self.accept_button.isEnabled():  # Enter in a field must not bypass the comparison
            super().accept()
