"""The minutes and decision writers on hand-made data, read back from the PDF."""

from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader

from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.documents.render.review_decision import Decision, write_decision
from cannngheo_desktop.documents.render.review_minutes import Minutes, write_minutes


def _pages(path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(str(path)).pages]


HOUSEHOLDS = [{"head_name": "Nguyễn Văn Đức", "address": "Số 1, Thôn Một", "proposed": "poor", "result": "near_poor"},
              {"head_name": "Trần Thị Hoà", "address": "Số 2, Thôn Một", "proposed": "near_poor",
               "result": "near_poor"}]


def test_minutes_say_the_vote_and_the_results(tmp_path):
    passed = Minutes("Xã Thanh Trì", "Thôn Một", 2026, date(2026, 11, 16), 35, votes_for=29, votes_against=6,
                     chair="Lê Văn Chủ", secretary="Ngô Thư", place="Thanh Trì", households=HOUSEHOLDS)
    failed = Minutes("Xã Thanh Trì", "Thôn Hai", 2026, date(2026, 11, 17), 40, votes_for=19, passed=False,
                     households=HOUSEHOLDS[:1])
    pages = _pages(write_minutes([passed, failed], tmp_path / "bb.pdf"))
    assert len(pages) == 2
    assert "Thanh Trì, ngày 16 tháng 11 năm 2026" in pages[0]
    assert "nhất trí 29/35 người dự họp (82,9%); không nhất trí: 6 người" in pages[0]  # 29/35 = 82.86%
    assert "Hộ nghèo Hộ cận nghèo" in pages[0] and "Lê Văn Chủ" in pages[0] and "Ngô Thư" in pages[0]
    assert "nhất trí 19/40 người dự họp (47,5%)" in pages[1] and "Chưa thống nhất" in pages[1]
    assert "dưới 50%" in pages[1]
    with pytest.raises(ValidationError):
        write_minutes([], tmp_path / "none.pdf")
    with pytest.raises(ValidationError):
        write_minutes([Minutes("Xã A", "Thôn B", 2026, date(2026, 11, 16), 0)], tmp_path / "zero.pdf")
    assert not (tmp_path / "zero.pdf").exists()


def test_decision_lists_each_group_and_a_draft_says_so(tmp_path):
    groups = {"poor": [{"head_name": "Đinh Văn Hải", "village": "Thôn Hai", "address": "Số 7", "member_count": 2}],
              "exited_near_poverty": [{"head_name": "Lê Văn Hưởng", "village": "Thôn Một", "address": "Số 3",
                                       "member_count": 4}]}
    d = Decision("Xã Thanh Trì", "Thanh Trì", "125/QĐ-UBND", date(2026, 12, 4), 2026, "rà soát định kỳ năm 2026",
                 "VN-2022", "Trần Văn Ký", groups)
    pages = _pages(write_decision(d, tmp_path / "qd.pdf"))
    assert len(pages) == 3  # the decision, then the two non-empty lists
    assert "Số: 125/QĐ-UBND" in pages[0] and "Thanh Trì, ngày 04 tháng 12 năm 2026" in pages[0]
    assert "Công nhận 1 hộ nghèo, 0 hộ cận nghèo, 0 hộ thoát nghèo, 1 hộ thoát cận nghèo" in pages[0]
    assert "Trần Văn Ký" in pages[0] and "DỰ THẢO" not in pages[0]
    assert "DANH SÁCH HỘ NGHÈO" in pages[1] and "Đinh Văn Hải" in pages[1]
    assert "DANH SÁCH HỘ THOÁT CẬN NGHÈO" in pages[2] and "Lê Văn Hưởng" in pages[2]
    d.draft = True
    assert "QUYẾT ĐỊNH (DỰ THẢO)" in _pages(write_decision(d, tmp_path / "qd-du-thao.pdf"))[0]
    d.decision_no = "  "
    with pytest.raises(ValidationError):
        write_decision(d, tmp_path / "blank.pdf")
