"""Dialog "Khôi phục / đổi khóa": the recovery procedures of docs/security.md, step by step, for
this copy's role. Left: the procedures; right: the steps of the chosen one, each with at most one
primary action (the rest are things to do on the phone or at the other unit).

Commune: "Máy hỏng, đã cài lại" (card → phone → import the office's recovery bundle → export as
usual) and "Đổi khóa" (new keys, endorsed by the old one unless it may have been stolen).
Office: "Xã/phường hỏng máy" (confirm the new card by phone → export the recovery bundle),
"Xác nhận khóa mới" and "Bắt đầu lại chuỗi gói". Services: exchange.recovery / restore / keys.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import AppError
from ...exchange import keycard, keys, recovery, restore, roster
from ...storage import reference
from ..shell import errors, files
from ..shell.context import AppContext
from . import passphrase_dialog
from .bundle_import_dialog import BUNDLE_FILTER

CARD_FILTER = "Thẻ khóa (*.json)"
KDF = keys.DEFAULT_KDF  # tests use cheaper scrypt parameters


def _text(html: str) -> QLabel:
    label = QLabel(html)
    label.setWordWrap(True)
    return label


def _step(number: int, title: str, text: str, *rows: QWidget | QFormLayout) -> QGroupBox:
    box = QGroupBox(f"Bước {number}: {title}")
    layout = QVBoxLayout(box)
    layout.addWidget(_text(text))
    for row in rows:
        if isinstance(row, QFormLayout):
            layout.addLayout(row)
        else:
            layout.addWidget(row)
    return box


def _page(*steps: QGroupBox) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    for step in steps:
        layout.addWidget(step)
    layout.addStretch(1)
    return page


class ConfirmStep(QGroupBox):
    """The office's "new key" step: the new card file, the fingerprint typed as read over the
    phone, a reason → ``recovery.confirm_new_key`` (``roster.replace_unit_key``, audited)."""

    def __init__(self, number: int, dialog: RecoveryDialog) -> None:
        super().__init__(f"Bước {number}: Xác nhận khóa mới qua điện thoại")
        self.dialog = dialog
        self.typed = QLineEdit()
        self.typed.setPlaceholderText("32 chữ số/chữ cái, ví dụ A1B2 C3D4 …")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("ví dụ: máy xã hỏng, cài lại")
        self.button = QPushButton("Chọn thẻ khóa mới và xác nhận…")
        self.button.clicked.connect(self.choose_and_confirm)
        form = QFormLayout()
        form.addRow("Dấu vân tay đơn vị đọc qua điện thoại:", self.typed)
        form.addRow("Lý do:", self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(_text("Nhận tệp thẻ khóa mới của đơn vị; gọi điện cho cán bộ đã biết của đơn vị đó, nghe "
                               "họ đọc dấu vân tay và gõ lại đây. Chỉ khi khớp, khóa cũ bị thu hồi và khóa mới "
                               "được tin cậy."))
        layout.addLayout(form)
        layout.addWidget(self.button)

    def choose_and_confirm(self) -> None:
        card_path = files.choose_open_file(self, "Chọn tệp thẻ khóa mới", file_filter=CARD_FILTER)
        if card_path is None:
            return
        typed, reason = self.typed.text(), self.reason.text()

        def work(store: Any, _p: Any) -> Any:
            return recovery.confirm_new_key(store, keycard.read_card(card_path), typed, reason)

        self.dialog.run(work, lambda done: f"Đã xác nhận khóa mới của đơn vị {done.unit_code} "
                                           f"({done.new_fingerprint}).", "Đang xác nhận khóa mới…")


class RecoveryDialog(QDialog):
    """Non-modal; ``on_changed`` runs after any action that changed the database."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 on_changed: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.inst = ctx.installation
        self.on_changed = on_changed or (lambda: None)
        self.confirm_steps: list[ConfirmStep] = []
        self.setWindowTitle("Khôi phục / đổi khóa")
        self.resize(980, 640)
        self.procedures = QListWidget()
        self.pages = QStackedWidget()
        self.status = _text("")
        if self.inst.is_aggregator:
            self._add("Xã/phường hỏng máy, đã cài lại", self._office_lost_pc_page())
            self._add("Xác nhận khóa mới của một đơn vị", self._confirm_page())
        else:
            self._add("Máy hỏng, đã cài lại (khôi phục)", self._commune_lost_pc_page())
        self._add("Đổi khóa của máy này", self._new_key_page())
        self._add("Bắt đầu lại chuỗi gói", self._restart_page())
        self.procedures.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.procedures.setCurrentRow(0)
        self.procedures.setMaximumWidth(260)
        close = QPushButton("Đóng")
        close.clicked.connect(self.reject)
        body = QHBoxLayout()
        body.addWidget(self.procedures)
        body.addWidget(self.pages, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(_text("Mỗi thủ tục đều được ghi vào nhật ký thay đổi. Làm lần lượt từng bước; "
                               "các bước cần gọi điện thì gọi cho đúng cán bộ đã biết số máy."))
        layout.addLayout(body, 1)
        layout.addLayout(bottom)

    def _add(self, title: str, page: QWidget) -> None:
        self.procedures.addItem(title)
        self.pages.addWidget(page)

    # --- helpers -------------------------------------------------------------------------------
    def _peers(self) -> list[str]:
        return sorted({k.unit_code for k in roster.list_roster(self.ctx.store)
                       if k.active and k.unit_code != self.inst.unit_code})

    def _label(self, code: str) -> str:
        name = reference.unit_name(self.ctx.store, code)
        return f"{name} ({code})" if name != code else code

    def _fingerprint(self) -> str:
        if not keys.has_keys(self.ctx.store):
            return "(chưa có khóa: hãy Tạo khóa ở thẻ Trao đổi dữ liệu)"
        return keycard.own_card(self.ctx.store).display_fingerprint

    def _say(self, text: str, *, bad: bool = False) -> None:
        colour = "#b00020" if bad else "#1b5e20"
        self.status.setText(f"<span style='color:{colour}'>{text}</span>")

    def run(self, work: Callable[[Any, Any], Any], done: Callable[[Any], str], label: str) -> None:
        def ok(result: Any) -> None:
            self._say(done(result))
            self.on_changed()

        def failed(exc: AppError) -> None:
            self._say(exc.message, bad=True)

        self.status.setText(label)
        self.ctx.tasks.run_task(self, work, on_success=ok, on_failure=failed, label=label)

    def _ask_passphrase(self, why: str) -> str | None:
        return passphrase_dialog.ask_passphrase(self, "Cụm mật khẩu khóa", why)

    # --- commune: lost PC ----------------------------------------------------------------------
    def _commune_lost_pc_page(self) -> QWidget:
        self.card_button = QPushButton("Xuất thẻ khóa…")
        self.card_button.clicked.connect(self.write_card)
        self.apply_button = QPushButton("Nhập gói khôi phục…")
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.choose_and_apply)
        self.phone_label = _text("")
        self.refresh_fingerprint()
        return _page(
            _step(1, "Thẻ khóa của máy mới",
                  f"Cài lại chương trình với đúng mã đơn vị <b>{self.inst.unit_code}</b> (hoặc phục hồi bản sao lưu "
                  "gần nhất), tạo khóa, rồi xuất thẻ khóa và chép cho cơ quan tiếp nhận.", self.card_button),
            _step(2, "Gọi điện cho cơ quan tiếp nhận",
                  "Đọc dấu vân tay dưới đây; cán bộ cơ quan tiếp nhận gõ lại và xác nhận khóa mới, rồi xuất "
                  "<b>gói khôi phục</b> cho đơn vị này.", self.phone_label),
            _step(3, "Nhập gói khôi phục",
                  "Dữ liệu của đơn vị mà cơ quan tiếp nhận đang giữ được khôi phục: hộ đã gửi được đối chiếu theo "
                  "mã và phiên bản, không bị nhân đôi; trước khi ghi có bản sao lưu tự động.", self.apply_button),
            _step(4, "Gửi gói như bình thường",
                  "Xuất gói tháng như mọi khi: gói tiếp theo nối tiếp gói cuối cùng cơ quan tiếp nhận đã nhận. "
                  "Những sửa đổi làm sau gói cuối cùng mà máy cũ chưa gửi thì không khôi phục được: hãy nhập lại."))

    def refresh_fingerprint(self) -> None:
        self.phone_label.setText(f"Dấu vân tay thẻ khóa: <b style='font-size:15pt'>{self._fingerprint()}</b>")

    def write_card(self) -> None:
        if not keys.has_keys(self.ctx.store):
            self._say("Máy này chưa có khóa: hãy Tạo khóa ở thẻ Trao đổi dữ liệu trước.", bad=True)
            return
        target = files.choose_save_file(self, "Lưu thẻ khóa", Path.home() / f"the-khoa-{self.inst.unit_code}.json",
                                        file_filter=CARD_FILTER)
        if target is None:
            return
        try:
            written = keycard.write_card(keycard.own_card(self.ctx.store), target, pdf=target.with_suffix(".pdf"))
        except (AppError, OSError) as exc:
            self._say(getattr(exc, "message", None) or f"Không ghi được thẻ khóa: {exc}", bad=True)
            return
        self._say("Đã ghi " + ", ".join(p.name for p in written) + ". Chép cho cơ quan tiếp nhận.")

    def choose_and_apply(self) -> None:
        path = files.choose_open_file(self, "Chọn gói khôi phục", file_filter=BUNDLE_FILTER)
        if path is None:
            return
        passphrase = self._ask_passphrase("Nhập cụm mật khẩu khóa để mở gói khôi phục.")
        if passphrase is None:
            return
        self.run(lambda store, _p: restore.apply_recovery(store, path, passphrase),
                  lambda result: result.message, "Đang khôi phục dữ liệu…")

    # --- office: lost PC / confirm a new key ----------------------------------------------------
    def _confirm_step(self, number: int) -> ConfirmStep:
        step = ConfirmStep(number, self)
        self.confirm_steps.append(step)
        return step

    def _confirm_page(self) -> QWidget:
        return _page(self._confirm_step(1),
                     _step(2, "Nhập gói của đơn vị", "Gói ký bằng khóa mới giờ nhập được như bình thường (Nhập gói…)."))

    def _office_lost_pc_page(self) -> QWidget:
        self.unit = QComboBox()
        for code in self._peers():
            self.unit.addItem(self._label(code), code)
        self.export_reason = QLineEdit()
        self.export_reason.setPlaceholderText("ví dụ: máy xã hỏng, cài lại")
        self.export_button = QPushButton("Xuất gói khôi phục…")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export_recovery)
        form = QFormLayout()
        form.addRow("Xã/phường:", self.unit)
        form.addRow("Lý do:", self.export_reason)
        return _page(
            self._confirm_step(1),
            _step(2, "Xuất gói khôi phục",
                  "Gói chứa dữ liệu của xã/phường mà cơ quan này đang giữ và số gói cuối cùng đã nhận; được ký "
                  "và mã hóa cho khóa mới của xã. (Nếu xã phục hồi bản sao lưu với khóa cũ, bỏ qua bước 1.)",
                  form, self.export_button),
            _step(3, "Chép cho xã/phường",
                  "Xã nhập bằng Khôi phục / đổi khóa… → Nhập gói khôi phục, rồi gửi gói tháng như bình thường."))

    def export_recovery(self) -> None:
        unit, reason = self.unit.currentData(), self.export_reason.text()
        if not unit:
            self._say("Chưa có xã/phường nào trong danh sách khóa tin cậy.", bad=True)
            return
        passphrase = self._ask_passphrase("Nhập cụm mật khẩu khóa để ký và mã hóa gói khôi phục.")
        if passphrase is None:
            return
        folder = files.choose_folder(self, "Chọn thư mục ghi gói (ví dụ ổ USB)")
        if folder is None:
            return
        self.run(lambda store, _p: restore.export_recovery(store, str(unit), folder, passphrase, reason),
                  lambda path: f"Đã ghi gói khôi phục {path.name} vào {path.parent}.", "Đang xuất gói khôi phục…")

    # --- both: new key, restart the chain --------------------------------------------------------
    def _new_key_page(self) -> QWidget:
        self.compromised = QCheckBox("Khóa cũ có thể đã bị lộ (mất máy, lộ cụm mật khẩu)")
        self.new_key_button = QPushButton("Tạo khóa mới…")
        self.new_key_button.clicked.connect(self.new_key)
        return _page(
            _step(1, "Tạo khóa mới",
                  "Khóa cũ được giữ lại để mở các gói đã mã hóa cho nó nhưng không ký gì nữa. Nếu khóa cũ không bị "
                  "lộ, nó xác nhận khóa mới ngay trong gói sau và bên nhận tự ghi nhận.", self.compromised,
                  self.new_key_button),
            _step(2, "Nếu khóa cũ bị lộ: gọi điện",
                  "Xuất thẻ khóa mới (Xuất thẻ khóa…), chép cho bên nhận và gọi điện đọc dấu vân tay để họ "
                  "xác nhận (Xác nhận khóa mới). Khi chưa xác nhận, gói mới bị từ chối."))

    def new_key(self) -> None:
        compromised = self.compromised.isChecked()
        if not errors.confirm(self, "Tạo khóa mới cho máy này?" + (
                " Bên nhận sẽ phải xác nhận thẻ khóa mới qua điện thoại." if compromised else "")):
            return
        passphrase = self._ask_passphrase("Nhập cụm mật khẩu khóa hiện tại (khóa mới dùng cùng cụm mật khẩu).")
        if passphrase is None:
            return
        kdf = KDF

        def done(pair: keys.KeyPair) -> str:
            if hasattr(self, "phone_label"):
                self.refresh_fingerprint()
            return f"Đã tạo khóa mới. Dấu vân tay thẻ khóa mới: {keycard.own_card(self.ctx.store).display_fingerprint}."

        self.run(lambda store, _p: keys.init_keys(store, passphrase, kdf=kdf, rotate=True, compromised=compromised),
                  done, "Đang tạo khóa mới…")

    def _restart_page(self) -> QWidget:
        self.restart_unit = QComboBox()
        for code in self._peers():
            self.restart_unit.addItem(self._label(code), code)
        self.restart_at = QSpinBox()
        self.restart_at.setRange(1, recovery.MAX_SEQUENCE)
        self.restart_full = QCheckBox("Máy này bị mất dữ liệu: chỉ nhận gói ĐẦY ĐỦ")
        self.restart_full.setChecked(True)
        self.restart_reason = QLineEdit()
        self.restart_reason.setPlaceholderText("ví dụ: phục hồi bản sao lưu ngày 01/03")
        self.restart_button = QPushButton("Bắt đầu lại chuỗi…")
        self.restart_button.clicked.connect(self.restart_chain)
        form = QFormLayout()
        form.addRow("Đơn vị gửi:", self.restart_unit)
        form.addRow("Nhận từ gói số:", self.restart_at)
        form.addRow("", self.restart_full)
        form.addRow("Lý do:", self.restart_reason)
        kind = "gói báo cáo" if self.inst.is_aggregator else "gói danh mục/kế hoạch"
        return _page(
            _step(1, "Bắt đầu lại chuỗi",
                  f"Khi máy này phục hồi bản sao lưu cũ (thiếu gói), hoặc đơn vị gửi bắt đầu chuỗi mới: {kind} số N "
                  "của đơn vị được nhận mà không cần nối với gói trước. Các gói cũ từ số N được đặt sang một bên "
                  "(không xóa).", form, self.restart_button),
            _step(2, "Yêu cầu đơn vị gửi xuất gói đầy đủ",
                  "Gọi đơn vị gửi: Xuất gói tháng → đánh dấu Gửi toàn bộ dữ liệu. Nhập gói đó như bình thường; "
                  "hộ đã có được đối chiếu theo mã và phiên bản, không bị tính hai lần."))

    def restart_chain(self) -> None:
        unit = self.restart_unit.currentData()
        if not unit:
            self._say("Chưa có đơn vị nào trong danh sách khóa tin cậy.", bad=True)
            return
        at, full, reason = self.restart_at.value(), self.restart_full.isChecked(), self.restart_reason.text()
        kind = recovery.REPORT if self.inst.is_aggregator else recovery.REFERENCE
        if not errors.confirm(self, f"Bắt đầu lại chuỗi gói của đơn vị {unit} từ gói số {at}?"):
            return
        self.run(lambda store, _p: recovery.restart_chain(store, str(unit), at, reason, kind=kind, full=full),
                  lambda n: f"Đã bắt đầu lại chuỗi gói của đơn vị {unit} từ số {at} ({n} gói cũ đặt sang một bên).",
                  "Đang ghi…")
