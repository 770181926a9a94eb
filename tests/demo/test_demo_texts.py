"""What a cadre reads in the demo is written for a cadre: no remark addressed to developers
("giả định", "lỗi đánh máy", "dữ liệu mẫu"…) in any note of the demo database (issue 17, point 8)."""

from __future__ import annotations

import re
from pathlib import Path

from cannngheo_desktop.demo import build as demo
from cannngheo_desktop.storage import open_db

DEVELOPER_WORDS = re.compile(r"giả định|lỗi đánh máy|dữ liệu mẫu|demo|todo|\btest|văn bản ghi|kế hoạch chỉ ghi",
                             re.IGNORECASE)


def _note_columns(store) -> list[tuple[str, str]]:
    tables = [r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%'")]
    out = []
    for table in tables:
        for col in store.query(f'PRAGMA table_info("{table}")'):
            if re.search(r"note|reason|remark|comment|description", col[1]):
                out.append((table, col[1]))
    return out


def test_no_developer_remarks_in_the_demo_notes(tmp_path: Path) -> None:
    store = open_db(tmp_path / "demo.sqlite", user="admin")
    try:
        demo.build_demo(store, year_in_progress=True)
        columns = _note_columns(store)
        assert ("milestones", "note") in columns  # the scan reaches the notes the issue saw
        seen = 0
        for table, col in columns:
            for (text,) in store.query(f'SELECT "{col}" FROM "{table}" WHERE "{col}" IS NOT NULL AND "{col}" != \'\''):
                seen += 1
                assert not DEVELOPER_WORDS.search(str(text)), (table, col, text)
        assert seen > 0
        notes = [m["note"] for m in store.query("SELECT note FROM milestones WHERE note IS NOT NULL")]
        assert any("30/3/2023" in n for n in notes)  # the housing deadline, read as the plan's own year
    finally:
        store.close()
