"""First start through the dialogs: the setup dialog saves through installation.initialize, shows
inline Vietnamese messages for bad input and then writes nothing; the login dialog checks passwords."""

from __future__ import annotations

import pytest
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
    _select(ui.unitCombo, "00649")  # Xã Tả Thanh Oai
    _select(ui.receivingCombo, "020")
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
    """The 6-character rule lives in the service; its message lands under the password field."""
    ui = dialog.ui
    _select(ui.unitCombo, "00679", current=True)  # Xã Ngọc Hồi (since 1/7/2025)
    _select(ui.receivingCombo, "01")
    ui.adminNameEdit.setText("canbo")
    ui.passwordEdit.setText("123")
    ui.password2Edit.setText("123")
    _ok(dialog)
    assert dialog.errors() == {"password": "Mật khẩu phải có ít nhất 6 ký tự."}
    assert installation.current(fresh_store) is None
    assert users.list_users(fresh_store) == []
    ui.passwordEdit.setText("123456")
    ui.password2Edit.setText("123456")
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
