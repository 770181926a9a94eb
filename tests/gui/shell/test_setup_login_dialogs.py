"""First start through the dialogs: the setup dialog saves through installation.initialize, shows
inline Vietnamese messages for bad input and then writes nothing; the login dialog checks passwords."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from cannngheo_desktop.gui.shell.login_dialog import LoginDialog
from cannngheo_desktop.gui.shell.setup_dialog import SetupDialog
from cannngheo_desktop.storage import installation, users


def _ok(dialog) -> None:
    dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).click()


def _select(combo, code: str, *, current: bool = False) -> None:
    """Pick the unit with ``code`` (the one without an end date when ``current``)."""
    for i in range(combo.count()):
        if combo.itemData(i) == code and (not current or "đến" not in combo.itemText(i)):
            combo.setCurrentIndex(i)
            return
    raise AssertionError(f"{code} not offered: {[combo.itemText(i) for i in range(combo.count())]}")


@pytest.fixture
def dialog(qtbot, fresh_store):
    d = SetupDialog(fresh_store)
    qtbot.addWidget(d)
    return d


def test_setup_dialog_creates_installation_and_admin(dialog, fresh_store):
    ui = dialog.ui
    assert ui.communeRadio.isChecked()
    ui.startDateEdit.setDate(QDate(2024, 6, 1))  # before the 2025 merger: the old communes are valid
    _select(ui.unitCombo, "00649")  # Xã Tả Thanh Oai
    assert ui.receivingCombo.currentData() == "020"  # pre-filled from the unit's parent
    ui.adminNameEdit.setText("  canbo.xa ")
    ui.fullNameEdit.setText("Nguyễn Thị Hoà")
    ui.passwordEdit.setText("bimat-2023")
    ui.password2Edit.setText("bimat-2023")
    _ok(dialog)
    assert dialog.errors() == {}
    assert dialog.result() == QDialog.DialogCode.Accepted
    inst = installation.current(fresh_store)
    assert (inst.role, inst.unit_code, inst.receiving_unit_code) == ("commune", "00649", "020")
    assert inst.unit_name == "Xã Tả Thanh Oai"
    admin = users.authenticate(fresh_store, "canbo.xa", "bimat-2023")
    assert admin["role"] == "admin" and admin["full_name"] == "Nguyễn Thị Hoà"


def test_setup_dialog_aggregator_needs_no_receiving_unit(dialog, fresh_store):
    ui = dialog.ui
    ui.aggregatorRadio.setChecked(True)
    ui.startDateEdit.setDate(QDate(2024, 6, 1))  # the district level existed until 30/06/2025
    offered = {ui.unitCombo.itemData(i) for i in range(1, ui.unitCombo.count())}
    assert "020" in offered and "00649" not in offered  # district/province level for this role
    _select(ui.unitCombo, "020")
    ui.adminNameEdit.setText("phong.ldtbxh")
    ui.passwordEdit.setText("bimat-2023")
    ui.password2Edit.setText("bimat-2023")
    _ok(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert installation.current(fresh_store).is_aggregator


def test_setup_dialog_inline_errors_write_nothing(dialog, fresh_store):
    ui = dialog.ui
    ui.passwordEdit.setText("bimat-2023")
    ui.password2Edit.setText("bimat-2024")
    _ok(dialog)
    shown = dialog.errors()
    assert shown["unit_code"] == "Hãy chọn đơn vị của bản cài đặt này."
    assert shown["receiving_unit_code"] == "Xã/phường cần chọn cơ quan tiếp nhận báo cáo."
    assert shown["name"] == "Hãy nhập tên đăng nhập cho quản trị viên."
    assert shown["password2"] == "Hai lần nhập mật khẩu không khớp. Hãy nhập lại."
    assert ui.password2Error.isVisibleTo(dialog) and not ui.passwordError.isVisibleTo(dialog)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert installation.current(fresh_store) is None
    assert users.list_users(fresh_store) == []


def test_setup_dialog_shows_service_rule_inline(dialog, fresh_store):
    """The 10-character rule lives in the service; its message lands under the password field."""
    ui = dialog.ui
    _select(ui.unitCombo, "00679", current=True)  # Xã Ngọc Hồi (since 1/7/2025)
    _select(ui.receivingCombo, "01")
    ui.adminNameEdit.setText("canbo")
    ui.passwordEdit.setText("123")
    ui.password2Edit.setText("123")
    _ok(dialog)
    shown = dialog.errors()
    assert list(shown) == ["password"] and shown["password"].startswith("Mật khẩu cần ít nhất 10 ký tự")
    assert installation.current(fresh_store) is None
    assert users.list_users(fresh_store) == []
    ui.passwordEdit.setText("mot-cau-de-nho")
    ui.password2Edit.setText("mot-cau-de-nho")
    _ok(dialog)  # correcting the field clears the message and saves
    assert dialog.errors() == {}
    assert installation.current(fresh_store).unit_code == "00679"


def test_login_dialog(qtbot, installed_store, admin_login):
    name, password = admin_login
    dialog = LoginDialog(installed_store, installation.current(installed_store))
    qtbot.addWidget(dialog)
    dialog.ui.nameEdit.setText(name)
    dialog.ui.passwordEdit.setText("sai-mat-khau")
    _ok(dialog)
    assert dialog.user is None
    assert dialog.ui.errorLabel.text() == "Tên đăng nhập hoặc mật khẩu không đúng."
    dialog.ui.passwordEdit.setText(password)
    _ok(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.user["name"] == name


@pytest.mark.parametrize("answer", ["Không", "Có"])
def test_setup_dialog_asks_before_escape_quits(dialog, fresh_store, qtbot, monkeypatch, answer):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from cannngheo_desktop.gui.shell import errors

    asked: list[str] = []

    def fake_present(box: QMessageBox) -> int:
        asked.append(box.text())
        chosen = next(b for b in box.buttons() if b.text() == answer)
        return int(box.standardButton(chosen))

    monkeypatch.setattr(errors, "present", fake_present)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked == ["Thoát mà không thiết lập?"]
    if answer == "Không":
        assert dialog.isVisible()  # still open: nothing quits
    else:
        assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
    assert installation.current(fresh_store) is None


def _offered(combo) -> dict[str, str]:
    return {combo.itemData(i): combo.itemText(i) for i in range(1, combo.count())}


def test_setup_offers_only_units_valid_on_the_start_date(dialog):
    """Today: the 2025 successors only, each with its validity; before the merger: the old communes."""
    ui = dialog.ui
    ui.startDateEdit.setDate(QDate(2026, 1, 15))
    now = _offered(ui.unitCombo)
    assert now["00664"] == "Xã Đại Thanh (từ 01/07/2025) — mã 00664"
    assert not any("Tả Thanh Oai" in t or "Vĩnh Quỳnh" in t or "Văn Điển" in t for t in now.values())
    assert "00649" not in now  # Xã Tả Thanh Oai ended 30/06/2025
    assert set(_offered(ui.receivingCombo)) == {"01"}  # the district level ended with the merger
    ui.startDateEdit.setDate(QDate(2025, 6, 30))
    before = _offered(ui.unitCombo)
    assert before["00664"] == "Xã Vĩnh Quỳnh (01/01/2004 – 30/06/2025) — mã 00664"  # the re-used code
    assert "00649" in before and "00316" not in before
    assert set(_offered(ui.receivingCombo)) == {"01", "020"}


def test_setup_prefills_the_parent_and_confirms_another_office(dialog, fresh_store, shown_messages, monkeypatch):
    from cannngheo_desktop.gui.shell import errors

    ui = dialog.ui
    ui.startDateEdit.setDate(QDate(2025, 3, 1))
    _select(ui.unitCombo, "00664")
    assert ui.receivingCombo.currentData() == "020"  # Xã Vĩnh Quỳnh → Huyện Thanh Trì
    assert "cấp trên" in ui.receivingNote.text() and ui.receivingNote.isVisibleTo(dialog)
    ui.startDateEdit.setDate(QDate(2026, 1, 1))
    _select(ui.unitCombo, "00664")
    assert ui.receivingCombo.currentData() == "01"  # Xã Đại Thanh → Thành phố Hà Nội
    ui.startDateEdit.setDate(QDate(2025, 3, 1))
    _select(ui.unitCombo, "00649")
    _select(ui.receivingCombo, "01")  # not the parent
    assert "hỏi lại" in ui.receivingNote.text()
    ui.adminNameEdit.setText("canbo.xa")
    ui.passwordEdit.setText("bimat-2023")
    ui.password2Edit.setText("bimat-2023")
    monkeypatch.setattr(errors, "confirm", lambda parent, text, title="": shown_messages.append(text) and False)
    _ok(dialog)
    assert "chỉ gửi được cho cơ quan tiếp nhận" in shown_messages[-1] and "Huyện Thanh Trì" in shown_messages[-1]
    assert dialog.errors()["receiving_unit_code"].startswith("Hãy chọn lại cơ quan tiếp nhận")
    assert installation.current(fresh_store) is None  # "Không": nothing written
    monkeypatch.setattr(errors, "confirm", lambda parent, text, title="": True)
    _ok(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert installation.current(fresh_store).receiving_unit_code == "01"
