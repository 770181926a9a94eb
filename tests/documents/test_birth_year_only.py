"""Issue 17.5: a member known only by birth year is printed as a year in the profile and the
household list, never as 01/01 of that year."""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from cannngheo_desktop.documents.catalogue import build_report
from cannngheo_desktop.documents.context import ReportParams
from cannngheo_desktop.storage import open_db, repo
from tests.documents.conftest import PROFILE_CODE


def test_a_year_alone_prints_as_a_year(demo_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "demo.sqlite"
    shutil.copy(demo_db, copy)
    with open_db(copy, create=False, user="canbo") as store:
        member = store.query_one(
            "SELECT m.id, m.full_name FROM members m JOIN households h ON h.id = m.household_id "
            "WHERE h.household_code = ? AND m.deleted = 0 ORDER BY m.sort_order LIMIT 1", (PROFILE_CODE,))
        repo.update(store, "members", member["id"], {"birth_date": "1948-01-01", "birth_year_only": 1})
        pdf = build_report(store, "household-profile", ReportParams(household=PROFILE_CODE, year=2023),
                           tmp_path / "ho-so.pdf")
        xlsx = build_report(store, "household-list", ReportParams(unit_code="00679", year=2023),
                            tmp_path / "ds.xlsx")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    assert "1948" in text and "01/01/1948" not in text
    rows = [r for r in load_workbook(xlsx).active.iter_rows(values_only=True) if member["full_name"] in r]
    assert any("1948" in r for r in rows)
    assert not any(getattr(v, "year", None) == 1948 for r in rows for v in r)
