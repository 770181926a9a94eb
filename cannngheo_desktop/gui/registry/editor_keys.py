"""The household editor's keyboard (Windows conventions, issue 17.4) and its print button.

Ctrl+S saves (the status line says "Đã lưu hộ … lúc hh:mm"), Ctrl+P prints the household's profile
(saving first, after asking, when there are changes), Esc closes and asks about unsaved changes
(``HouseholdEditor.reject``), Delete in the members table removes a member after asking. Every key
is named in the tooltip of its button. The editor is a window of its own, so these shortcuts never
meet the main window's (Ctrl+N, Ctrl+F, Ctrl+P of the tabs).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QPushButton

from ..shell import errors
from .profile_print import print_profile

# gui.registry.household_editor.HouseholdEditor, which imports this module: named, not imported,
# so the two stay out of an import circle (tests/test_layering.py)
HouseholdEditor = Any

SAVE_KEY = QKeySequence.StandardKey.Save      # Ctrl+S
PRINT_KEY = QKeySequence.StandardKey.Print    # Ctrl+P
DELETE_KEY = QKeySequence.StandardKey.Delete  # Del


def install(editor: HouseholdEditor) -> QPushButton:
    """Shortcuts, tooltips and the «In hồ sơ…» button (returned) of ``editor``, once from its __init__."""
    ui = editor.ui
    button = QPushButton("In hồ sơ…", editor)
    button.setObjectName("printButton")
    button.setToolTip("In hồ sơ hộ này (Ctrl+P); hộ chưa lưu thì lưu trước")
    button.setAutoDefault(False)
    button.clicked.connect(lambda: print_household(editor))
    ui.buttonRow.insertWidget(ui.buttonRow.indexOf(ui.saveButton), button)
    ui.saveButton.setToolTip("Lưu hồ sơ hộ (Ctrl+S)")
    ui.closeButton.setToolTip("Đóng (Esc); nếu còn thay đổi chưa lưu sẽ hỏi trước")
    for key, slot in ((SAVE_KEY, editor.save), (PRINT_KEY, lambda: print_household(editor))):
        shortcut = QShortcut(QKeySequence(key), editor)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)
    # in the members table Enter/F2 open the member (not the dialog's default button, Lưu), Delete asks
    table_keys: list[tuple[QKeySequence, Callable[[], object]]] = [(QKeySequence(DELETE_KEY), editor.remove_member)]
    table_keys += [(QKeySequence(key), lambda: editor.edit_member(ui.membersTable.currentRow()))
                   for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2)]
    for sequence, table_slot in table_keys:
        shortcut = QShortcut(sequence, ui.membersTable)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(table_slot)
    ui.membersTable.setTabKeyNavigation(False)  # Tab leaves the table
    ui.membersTable.setToolTip("Enter hoặc F2: sửa thành viên · Delete: xóa thành viên nhập nhầm (có hỏi trước)")
    ui.editMemberButton.setToolTip("Sửa thành viên đang chọn (Enter, F2)")
    ui.removeMemberButton.setToolTip("Xóa thành viên nhập nhầm (Delete); có hỏi trước")
    return button


def saved_text(head_name: str | None, household_code: str | None, now: datetime | None = None) -> str:
    """The status line after a save: which household, at what time."""
    who = head_name or "mới"
    code = f" ({household_code})" if household_code else ""
    return f"Đã lưu hộ {who}{code} lúc {(now or datetime.now()).strftime('%H:%M')}."


def print_household(editor: HouseholdEditor) -> None:
    """Ctrl+P / «In hồ sơ…»: the profile as saved; unsaved changes are saved first (asked)."""
    if editor.dirty or editor.household_id is None:
        if not errors.confirm(editor, "Hồ sơ hộ có thay đổi chưa lưu. Lưu rồi in hồ sơ?"):
            return
        if not editor.save():
            return
    assert editor.household_id is not None
    title = f"Hồ sơ hộ {editor.stored.get('head_name') or ''}".strip()
    print_profile(editor, editor.ctx, editor.household_id, title,
                  on_ready=lambda path: editor.ui.statusLabel.setText(f"Đã mở hồ sơ hộ để in: {path.name}"))
