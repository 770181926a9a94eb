"""GUI fixtures: an AppContext over a set-up database, and message boxes captured instead of shown."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def shown_messages(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every message box the app would show, as (icon, title, text); answers Yes to questions."""
    from PySide6.QtWidgets import QMessageBox

    from cannngheo_desktop.gui.shell import errors

    seen: list = []

    def fake_present(box: QMessageBox) -> int:
        seen.append((box.icon(), box.windowTitle(), box.text()))
        box.deleteLater()
        return int(QMessageBox.StandardButton.Yes)

    monkeypatch.setattr(errors, "present", fake_present)
    return seen


@pytest.fixture
def login_as_admin(monkeypatch: pytest.MonkeyPatch, admin_login) -> None:
    """The start-up login dialog is answered with the administrator's name and password."""
    from cannngheo_desktop.gui.shell import session

    def log_in(dialog) -> int:
        dialog.ui.nameEdit.setText(admin_login[0])
        dialog.ui.passwordEdit.setText(admin_login[1])
        dialog.submit()
        return dialog.result()

    monkeypatch.setattr(session, "run_dialog", log_in)


@pytest.fixture
def app_ctx(qtbot, installed_store, admin_login) -> Iterator:
    """What session.open_session would build after a successful login."""
    from cannngheo_desktop.gui.shell.context import AppContext
    from cannngheo_desktop.gui.shell.tasks import TaskRunner
    from cannngheo_desktop.storage import installation, users

    store = installed_store
    name, password = admin_login
    user = users.authenticate(store, name, password)
    ctx = AppContext(db_path=store.path, store=store, installation=installation.current(store), user=user,
                     tasks=TaskRunner(store.path, user=name))
    yield ctx
    assert ctx.tasks.shutdown()  # the worker joined, its jobs released here, on the GUI thread


@pytest.fixture(autouse=True)
def collect_garbage_between_tests(qapp):
    """As the app does (gui/gc_timer.py): no automatic cyclic GC while Qt dispatches events;
    collect after each test, outside any event, instead of at random inside a later one."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    yield
    gc.collect()
    if was_enabled:
        gc.enable()
