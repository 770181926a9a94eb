"""Issue 16: the household list exported to Excel masks CCCD numbers unless it is an internal
export, which carries them in full inside a password-protected workbook."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
from msoffcrypto.exceptions import InvalidKeyError

from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.core.personal_data import INTERNAL_MARK, mask_cccd, open_protected_xlsx
from cannngheo_desktop.registry.excel_export import HEADERS, export_households
from cannngheo_desktop.registry.queries import ListQuery


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    from cannngheo_desktop.demo.build import build_demo
    from cannngheo_desktop.storage import open_db

    store = open_db(tmp_path_factory.mktemp("demo") / "demo.sqlite", user="admin")
    build_demo(store, households_extra=0, year_in_progress=False)
    yield store
    store.close()


def _people(store) -> list[tuple[str, str]]:
    return [(r["full_name"], r["cccd"]) for r in store.query(
        "SELECT full_name, cccd FROM members WHERE length(cccd) = 12 AND deleted = 0")]


def _cells(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_mask_keeps_the_province_code_and_the_last_three_digits() -> None:
    assert mask_cccd("001234567890") == "001******890"
    assert mask_cccd("") == "" and mask_cccd(None) == ""
    assert mask_cccd("12345") == "**345"


def test_a_default_export_masks_every_cccd(demo_store, tmp_path) -> None:
    people = _people(demo_store)
    assert people
    out = tmp_path / "ds.xlsx"
    export_households(demo_store, ListQuery(), out)
    rows = _cells(openpyxl.load_workbook(out).active)
    column = HEADERS.index("Số CCCD")
    shown = {row[column] for row in rows[3:] if row[column]}
    assert shown == {mask_cccd(c) for _, c in people}
    text = "\n".join(str(v) for row in rows for v in row if v)
    assert not any(c in text for _, c in people)


def test_an_internal_export_is_whole_and_locked_with_its_password(demo_store, tmp_path) -> None:
    people = _people(demo_store)
    out = tmp_path / "noi-bo.xlsx"
    export_households(demo_store, ListQuery(), out, password="mat-khau-tep-xuat")
    raw = out.read_bytes()
    assert not zipfile.is_zipfile(out)                       # an encrypted container, not a plain xlsx
    assert not any(c.encode() in raw or n.encode("utf-8") in raw for n, c in people)
    with pytest.raises(InvalidKeyError):
        open_protected_xlsx(out, "mat-khau-sai-roi")
    ws = openpyxl.load_workbook(open_protected_xlsx(out, "mat-khau-tep-xuat")).active
    rows = _cells(ws)
    assert rows[1][0] == INTERNAL_MARK
    column = HEADERS.index("Số CCCD")
    assert {row[column] for row in rows[3:] if row[column]} == {c for _, c in people}


def test_a_short_export_password_is_refused_before_anything_is_written(demo_store, tmp_path) -> None:
    out = tmp_path / "x.xlsx"
    with pytest.raises(ValidationError, match="ít nhất 8 ký tự"):
        export_households(demo_store, ListQuery(), out, password="ngan")
    assert not out.exists() and not list(tmp_path.glob("x.xlsx*"))
