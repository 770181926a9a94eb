"""Keys section of the "Trao đổi dữ liệu" tab: create this copy's keys, change their passphrase
(keys.change_passphrase: the keys and the card stay), export its key card, and
the roster of trusted keys (add from a key card after the fingerprint read over the phone was
typed and matched; replace a known unit's key the same way plus a reason; revoke).

Services: bundle.keys / keycard / roster. Key creation and card writing (scrypt, PDF) run on the
worker; reading a card and changing the roster are small and run on the GUI thread.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import AppError
from ...core.text import format_date
from ...exchange import crypto, keycard, keys, roster
from ..shell import errors, files
from ..shell.context import AppContext
from . import passphrase_dialog
from .trust_card_dialog import TrustCardDialog

KDF = keys.DEFAULT_KDF  # tests use cheaper scrypt parameters
CARD_FILTER = "Thẻ khóa (*.json);;Tất cả các tệp (*)"
KIND_LABELS = {"sign": "Ký", "encrypt": "Mã hóa"}
CREATE_TEXT = ("Khóa dùng để ký và mã hóa các gói dữ liệu gửi đi. Cụm mật khẩu khóa được hỏi mỗi lần "
               "xuất hoặc nhập gói; nên dài, dễ nhớ với bạn (ví dụ một câu ngắn).")


def _date(iso: str | None) -> str:
    return format_date(iso[:10]) if iso else ""


def as_plain(text: str) -> str:
    """A message holding outside text (file names, card fields) for a message box: marked up as
    one escaped paragraph, so that Qt never interprets any of it as rich text."""
    return "<p>" + html.escape(text, quote=False) + "</p>"


def run_dialog(dialog: QDialog) -> int:
    """Show the trust/replace dialog modally (the one place that blocks; tests replace it)."""
    return int(dialog.exec())


class KeysPanel(QGroupBox):
    """Own keys + roster. ``on_changed`` is called after keys or the roster changed."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 on_changed: Callable[[], None] | None = None) -> None:
        super().__init__("Khóa và thẻ khóa", parent)
        self.ctx = ctx
        self.on_changed = on_changed or (lambda: None)
        self.own_label = QLabel()
        self.own_label.setWordWrap(True)
        self.own_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.create_button = QPushButton("Tạo khóa…")
        self.create_button.clicked.connect(self.create_keys)
        self.passphrase_button = QPushButton("Đổi cụm mật khẩu…")
        self.passphrase_button.setToolTip("Đổi cụm mật khẩu khóa; khóa và thẻ khóa giữ nguyên")
        self.passphrase_button.clicked.connect(self.change_passphrase)
        self.card_button = QPushButton("Xuất thẻ khóa…")
        self.card_button.clicked.connect(self.export_card)
        self.trust_button = QPushButton("Thêm từ thẻ khóa…")
        self.trust_button.clicked.connect(self.trust_card)
        self.revoke_button = QPushButton("Thu hồi")
        self.revoke_button.clicked.connect(self.revoke_selected)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Đơn vị", "Loại", "Dấu vân tay thẻ", "Ngày thêm", "Thu hồi"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        own_buttons = QHBoxLayout()
        own_buttons.addWidget(self.create_button)
        own_buttons.addWidget(self.card_button)
        own_buttons.addWidget(self.passphrase_button)
        own_buttons.addStretch(1)
        roster_buttons = QHBoxLayout()
        roster_buttons.addWidget(self.trust_button)
        roster_buttons.addWidget(self.revoke_button)
        roster_buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.own_label)
        layout.addLayout(own_buttons)
        layout.addWidget(QLabel("<b>Khóa tin cậy</b> (đơn vị mà bản này nhận gói hoặc gửi gói tới):"))
        layout.addWidget(self.table, 1)
        layout.addLayout(roster_buttons)
        self.refresh()

    # --- reading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read own keys and the roster."""
        own = keys.current_keys(self.ctx.store)
        if own is None:
            self.own_label.setText("Bản cài đặt này <b>chưa có khóa</b>. Hãy tạo khóa trước khi gửi hoặc "
                                   "nhận gói dữ liệu.")
        else:
            fingerprint = keycard.own_card(self.ctx.store).display_fingerprint
            self.own_label.setText(
                f"Dấu vân tay thẻ khóa của bản này: <b style='font-family:monospace'>{fingerprint}</b><br>"
                f"Khóa ký {crypto.group_hex(own.sign_id)} · khóa mã hóa {crypto.group_hex(own.encrypt_id)}")
        self.create_button.setVisible(own is None)
        self.card_button.setEnabled(own is not None)
        self.passphrase_button.setVisible(own is not None)
        self.rows = roster.list_roster(self.ctx.store)
        self.table.setRowCount(len(self.rows))
        for r, key in enumerate(self.rows):
            values = [key.unit_code, KIND_LABELS.get(key.kind, key.kind), key.display_fingerprint,
                      _date(key.added_at), _date(key.revoked_at) if key.revoked_at else "—"]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if key.revoked_at:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(r, c, item)
        self._update_buttons()

    def selected_key(self) -> roster.TrustedKey | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        key = self.selected_key()
        self.revoke_button.setEnabled(key is not None and key.active)

    # --- actions -------------------------------------------------------------------------------
    def create_keys(self) -> None:
        """Passphrase twice (with the cannot-be-recovered warning) → keys made on the worker."""
        passphrase = passphrase_dialog.ask_passphrase(self, "Tạo khóa", CREATE_TEXT, confirm=True)
        if passphrase is None:
            return
        kdf = KDF

        def done(pair: keys.KeyPair) -> None:
            self.refresh()
            self.on_changed()
            errors.inform(self, "Đã tạo khóa. Hãy <b>Xuất thẻ khóa…</b>, in trang PDF và gửi cho đơn vị "
                                "trao đổi dữ liệu với bạn.")

        self.ctx.tasks.run_task(self, lambda store, _p: keys.init_keys(store, passphrase, kdf=kdf),
                                on_success=done, label="Đang tạo khóa…", cancellable=False)

    def change_passphrase(self) -> None:
        """Current + new passphrase → keys re-sealed on the worker (scrypt); keys and card stay."""
        typed = passphrase_dialog.ask_new_passphrase(self)
        if typed is None:
            return
        old, new = typed
        kdf = KDF

        def done(change: keys.PassphraseChange) -> None:
            text = ("Đã đổi cụm mật khẩu khóa. Khóa, thẻ khóa và dấu vân tay giữ nguyên; từ nay hãy dùng "
                    "cụm mới khi xuất hoặc nhập gói.")
            if change.skipped:
                text += (f"<br><br>{change.skipped} khóa cũ (đã thay trước đây) không mở được bằng cụm vừa nhập "
                         "nên giữ nguyên cụm mật khẩu trước đó của chúng.")
            errors.inform(self, text)

        self.ctx.tasks.run_task(self, lambda store, _p: keys.change_passphrase(store, old, new, kdf=kdf),
                                on_success=done, label="Đang đổi cụm mật khẩu khóa…", cancellable=False)

    def export_card(self) -> None:
        """JSON + PDF (+ PEM for openssl) of this copy's card into a chosen folder."""
        folder = files.choose_folder(self, "Chọn thư mục ghi thẻ khóa")
        if folder is None:
            return
        unit = self.ctx.installation.unit_code
        base = Path(folder) / f"the-khoa-{unit}"

        def work(store, _progress) -> list[Path]:
            card = keycard.own_card(store)
            return keycard.write_card(card, base.with_suffix(".json"), pdf=base.with_suffix(".pdf"),
                                      pem=base.with_suffix(".pem"))

        def done(written: list[Path]) -> None:
            names = "<br>".join(p.name for p in written)
            errors.inform(self, f"Đã ghi thẻ khóa vào thư mục {folder}:<br>{names}<br><br>"
                                "In tệp PDF và gửi kèm tệp .json cho đơn vị nhận.")

        self.ctx.tasks.run_task(self, work, on_success=done, label="Đang ghi thẻ khóa…")

    def trust_card(self) -> None:
        """Read a card; show it (plain text) with its fingerprint big; trust it only when the
        fingerprint typed as read over the phone matches — or, for a unit that already has other
        keys, replace its keys with the typed fingerprint and a reason."""
        path = files.choose_open_file(self, "Chọn tệp thẻ khóa", file_filter=CARD_FILTER)
        if path is None:
            return
        try:
            card = keycard.read_card(path)
            status = roster.card_status(self.ctx.store, card)
            if status.state == "refused":
                errors.warn(self, as_plain(f"Không tin cậy tệp '{path.name}': {status.reason}"))
                return
            if status.state == "same":
                errors.inform(self, as_plain(f"Các khóa của thẻ '{path.name}' đã được tin cậy; "
                                             "không có gì thay đổi."))
                return
            dialog = TrustCardDialog(card, status, self)
            if run_dialog(dialog) != int(QDialog.DialogCode.Accepted) or not dialog.matches():
                return
            if dialog.replacing:
                done = roster.replace_unit_key(self.ctx.store, card, typed_fingerprint=dialog.typed_fingerprint(),
                                               reason=dialog.reason_text())
                message = (f"Đã thay khóa của đơn vị {card.unit_code}: khóa cũ đã bị thu hồi, khóa mới "
                           f"{done.new_fingerprint} được tin cậy. Việc thay khóa đã được ghi vào nhật ký.")
            else:
                roster.trust_card(self.ctx.store, card, confirmed_fingerprint=dialog.typed_fingerprint())
                message = f"Đã tin cậy khóa của đơn vị {card.unit_code} (dấu vân tay khớp)."
        except AppError as exc:
            errors.warn(self, as_plain(exc.message))  # it may quote the file name: never rich text
            return
        self.refresh()
        self.on_changed()
        errors.inform(self, as_plain(message))

    def revoke_selected(self) -> None:
        """Revoke both keys of the selected row's card after a confirmation."""
        key = self.selected_key()
        if key is None or not key.active:
            return
        text = (f"Thu hồi thẻ khóa {key.display_fingerprint} của đơn vị {key.unit_code}?\n\n"
                "Cả khóa ký và khóa mã hóa của thẻ này bị thu hồi: gói ký bằng khóa này sẽ bị từ chối và "
                "không thể tin cậy lại; đơn vị đó phải tạo khóa mới và gửi thẻ khóa mới.")
        if not errors.confirm(self, text):
            return
        try:
            roster.revoke(self.ctx.store, key.fingerprint)
        except AppError as exc:
            errors.report(self, exc)
            return
        self.refresh()
        self.on_changed()
