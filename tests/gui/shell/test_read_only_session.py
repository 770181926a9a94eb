"""A read-only database file opens in the window: login, the list reads, the status note says
it is read-only, and no daily backup is attempted beside it."""

from __future__ import annotations

from cannngheo_desktop import paths
from cannngheo_desktop.gui.registry.households_tab import HouseholdsTab
from cannngheo_desktop.gui.shell import session
from cannngheo_desktop.storage import households
from tests.storage.file_states import read_only


def test_a_read_only_file_opens_for_reading_with_a_note(qtbot, installed_store, login_as_admin, shown_messages,
                                                         monkeypatch):
    households.add_household(installed_store, {"unit_code": "00685", "village": "Thôn 1"},
                             [{"full_name": "Nguyễn Văn An", "relation": "head", "birth_date": "1970-05-01"}])
    path = installed_store.path
    installed_store.close()

    with read_only(path):
        ctx = session.open_session(path, None)
        try:
            assert ctx is not None and shown_messages == []
            assert ctx.store.readonly and ctx.notes == [session.READ_ONLY_NOTE]
            tab = HouseholdsTab(ctx)
            qtbot.addWidget(tab)
            qtbot.waitUntil(lambda: tab.model.total == 1, timeout=10_000)
        finally:
            ctx.close()
    assert not paths.backups_dir(path).exists()
