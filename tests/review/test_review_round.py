"""A full annual round on a commune database with fixed dates: list → survey → meeting →
posting → one complaint → decision → certificates, checking the events written, the categories
after the decision, the replies, and the certificate text read back from the PDF."""

from __future__ import annotations

import re
from datetime import date

import pytest
from pypdf import PdfReader

from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.documents.render.certificate_pdf import write_certificates
from cannngheo_desktop.documents.render.refusal_pdf import write_replies
from cannngheo_desktop.review import meetings as rm
from cannngheo_desktop.review import outcome as rd
from cannngheo_desktop.review import rounds as rv
from cannngheo_desktop.review import settings as review_settings
from cannngheo_desktop.storage import households, repo

CREATED = date(2026, 11, 2)
SURVEYED = date(2026, 11, 5)


def _by_code(store, review_id):
    return {i["household_code"][3:]: i for i in rv.items(store, review_id)}


def _run_to_posting(store, ids):
    rnd = rv.create_round(store, kind="annual", year=2026, ruleset_code="VN-2027", on=CREATED)
    rv.record_request(store, rnd["id"], ids["D"], request_date="03/11/2026", request_by="Đặng Thị Ngọc Ánh",
                      request_kind="recognise")
    rv.record_request(store, rnd["id"], ids["E"], request_date=date(2026, 11, 3), request_by="Phạm Văn Lương",
                      request_kind="recognise")
    for code, item in _by_code(store, rnd["id"]).items():
        rv.record_survey(store, item["id"], phieu_a_result="screened_out" if code == "H" else "continue",
                         on=SURVEYED, assessor="Rà soát viên Thôn")
    for village in ("Thôn Một", "Thôn Hai"):
        rm.record_meeting(store, rnd["id"], village=village, meeting_date="16/11/2026", attendees=42,
                          agreed="Nhất trí kết quả rà soát", disagreements="")
    rv.set_posting(store, rnd["id"], date(2026, 11, 27))
    return rnd


def test_annual_round_from_list_to_certificates(commune, tmp_path):
    store, ids = commune
    rnd = rv.create_round(store, kind="annual", year=2026, ruleset_code="VN-2027", on=CREATED)
    # The list: every poor / near-poor household, nobody else (K is not poor; D, E not yet listed).
    assert {i["household_code"] for i in rv.items(store, rnd["id"])} == {"TT-A", "TT-B", "TT-C", "TT-G", "TT-H"}
    assert rnd["steps"]["list"]["status"] == "doing"
    rv.record_request(store, rnd["id"], ids["D"], request_date="03/11/2026", request_by="Đặng Thị Ngọc Ánh",
                      request_kind="recognise")
    rv.record_request(store, rnd["id"], ids["E"], request_date="03/11/2026", request_by="Phạm Văn Lương",
                      request_kind="recognise")
    with pytest.raises(ValidationError) as info:
        rv.add_item(store, rnd["id"], ids["K"], reason="manual", note="  ")
    assert info.value.field == "note"
    rv.add_item(store, rnd["id"], ids["K"], reason="manual", note="Chủ hộ mới mất việc (trưởng thôn báo)")
    assert len(rv.unsurveyed(store, rnd["id"])) == 8

    # Survey: H is screened out by Phiếu A; the others are evaluated under VN-2027.
    items = _by_code(store, rnd["id"])
    for code, item in items.items():
        rv.record_survey(store, item["id"], phieu_a_result="screened_out" if code == "H" else "continue",
                         on=SURVEYED, assessor="Rà soát viên")
    items = _by_code(store, rnd["id"])
    assert {c: i["proposed_category"] for c, i in items.items()} == {
        "A": "near_poor", "B": "near_poor", "C": "average", "D": "poor", "E": "not_poor", "G": "near_poor",
        "H": "not_poor", "K": "not_poor"}
    assert rv.unsurveyed(store, rnd["id"]) == []
    saved = repo.get(store, "assessments", items["D"]["assessment_id"])
    assert (saved["ruleset_code"], saved["review_id"], saved["recognised"]) == ("VN-2027", rnd["id"], 0)

    # Village meetings: Thôn Ba's meeting keeps K as not poor; a meeting before the survey is refused.
    for village in ("Thôn Một", "Thôn Hai", "Thôn Ba"):
        rm.record_meeting(store, rnd["id"], village=village, meeting_date="16/11/2026", attendees=35,
                          agreed="Nhất trí", disagreements="Một ý kiến về hộ ông Giáp" if village == "Thôn Hai" else "")
    assert len(rm.meetings(store, rnd["id"])) == 3

    # Posting: Friday 27/11 + 3 working days = Wednesday 02/12.
    rnd = rv.set_posting(store, rnd["id"], "27/11/2026")
    assert (rnd["posting_start"], rnd["posting_end"]) == ("2026-11-27", "2026-12-02")
    posted = rv.posting_households(store, rnd["id"])
    assert {p["household_code"] for p in posted} == {"TT-A", "TT-B", "TT-D", "TT-G"}
    assert all(p["cccd"] for p in posted)

    # One complaint: G's income is higher than declared; the re-check moves G out of the list.
    g = items["G"]["id"]
    rv.record_complaint(store, g, complaint_date="30/11/2026", by="Nguyễn Văn Tâm",
                        text="Hộ có thêm thu nhập từ cho thuê nhà")
    with pytest.raises(ValidationError, match="khiếu nại chưa giải quyết"):
        rd.confirm_decision(store, rnd["id"], decision_no="125/QĐ-UBND", decision_date="04/12/2026")
    assert store.scalar("SELECT count(*) FROM household_events") == 0  # nothing half-written
    rv.resolve_complaint(store, g, on="01/12/2026", outcome="Kiểm tra lại: thu nhập 3.100.000 đ/người/tháng",
                         category="average")

    # Decision.
    result = rd.confirm_decision(store, rnd["id"], decision_no="125/QĐ-UBND", decision_date="04/12/2026")
    assert result["events"] == {"poor_to_near_poor": 1, "exited_near_poverty": 2, "became_poor": 1,
                                "exited_poverty": 1}
    assert (result["refused"], result["unchanged"]) == (1, 2)  # E refused; A and K unchanged
    events = {(r["household_id"], r["kind"], r["from_category"], r["to_category"], r["decision_no"], r["event_date"])
              for r in store.query("SELECT * FROM household_events")}
    assert events == {
        (ids["B"], "poor_to_near_poor", "poor", "near_poor", "125/QĐ-UBND", "2026-12-04"),
        (ids["C"], "exited_near_poverty", "near_poor", "average", "125/QĐ-UBND", "2026-12-04"),
        (ids["G"], "exited_near_poverty", "near_poor", "average", "125/QĐ-UBND", "2026-12-04"),
        (ids["D"], "became_poor", None, "poor", "125/QĐ-UBND", "2026-12-04"),
        (ids["H"], "exited_poverty", "poor", "not_poor", "125/QĐ-UBND", "2026-12-04"),
    }
    cats = {c: households.get_household(store, hid)["category"] for c, hid in ids.items()}
    assert cats == {"A": "near_poor", "B": "near_poor", "C": "average", "D": "poor", "E": None,
                    "G": "average", "H": "not_poor", "K": "not_poor"}
    d = households.get_household(store, ids["D"])
    assert (d["category_since"], d["review_year"], d["deprivation_count"]) == ("2026-12-04", 2026, 3)
    assert households.get_household(store, ids["C"])["exit_date"] == "2026-12-04"
    assert store.scalar("SELECT recognised FROM assessments WHERE id = ?", (items["D"]["assessment_id"],)) == 1
    e = rv.get_item(store, items["E"]["id"])
    assert e["reply_date"] == "2026-12-04" and "không thuộc diện" in e["refusal_reason"]
    with pytest.raises(ValidationError, match="đã có quyết định"):
        rv.record_complaint(store, g, complaint_date="05/12/2026", by="X", text="muộn")

    # Certificates: D, A, B (poor / near-poor, by village and name), numbered from 001 in 2026.
    repo.set_setting(store, review_settings.SIGNER_SETTING, "Nguyễn Thành Trung")
    issued = rd.issue_certificates(store, rnd["id"], on="07/12/2026")
    assert [i["household_code"] for i in issued] == ["TT-D", "TT-A", "TT-B"]
    assert [i["certificate_no"] for i in issued] == ["001/GCN-HN.HCN", "002/GCN-HN.HCN", "003/GCN-HN.HCN"]
    assert households.get_household(store, ids["D"])["certificate_no"] == "001/GCN-HN.HCN"
    assert rd.issue_certificates(store, rnd["id"], on="08/12/2026") == []  # not numbered twice

    pdf = write_certificates([rd.certificate_record(store, i["id"]) for i in issued], tmp_path / "gcn.pdf")
    pages = [p.extract_text() for p in PdfReader(str(pdf)).pages]
    assert len(pages) == 3
    d_page = pages[0]
    for text in ("GIẤY CHỨNG NHẬN HỘ NGHÈO", "Số: 001/GCN-HN.HCN", "Đặng Thị Ngọc Ánh", "Phan Văn Tú",
                 "Dân tộc: Kinh", "125/QĐ-UBND", "năm 2027", "Nguyễn Thành Trung", "xã Thanh Trì",
                 "10/04/2021", "Số 4, Thôn Hai"):
        assert text in d_page, text
    assert re.search(r"\b001198000003\b", d_page)  # full ID number on the household's own paper
    assert "GIẤY CHỨNG NHẬN HỘ CẬN NGHÈO" in pages[1] and "Nguyễn Văn Đức" in pages[1]

    reply = write_replies([rd.certificate_record(store, items["E"]["id"])], tmp_path / "tra-loi.pdf")
    text = PdfReader(str(reply)).pages[0].extract_text()
    assert "Phạm Văn Lương" in text and "Lý do:" in text and "03/11/2026" in text

    summary = rd.round_summary(store, rnd["id"])
    assert summary["by_category"] == {"near_poor": 2, "average": 2, "poor": 1, "not_poor": 3}
    assert (summary["certificates"], summary["refused"], summary["complaints"]) == (3, 1, 1)


def test_decision_refused_while_households_are_unsurveyed(commune):
    store, _ids = commune
    rnd = rv.create_round(store, kind="annual", year=2026, ruleset_code="VN-2027", on=CREATED)
    before = store.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(ValidationError, match="5 hộ chưa rà soát"):
        rd.confirm_decision(store, rnd["id"], decision_no="1/QĐ", decision_date="04/12/2026")
    assert store.scalar("SELECT count(*) FROM audit_log") == before
    with pytest.raises(ValidationError, match="chưa rà soát"):
        rm.record_meeting(store, rnd["id"], village="Thôn Một", meeting_date="16/11/2026", attendees=10)


def test_a_second_annual_round_for_the_year_is_refused(commune):
    store, _ids = commune
    rv.create_round(store, kind="annual", year=2026, ruleset_code="VN-2027", on=CREATED)
    with pytest.raises(ValidationError, match="đã có đợt"):
        rv.create_round(store, kind="annual", year=2026, ruleset_code="VN-2027", on=CREATED)
    with pytest.raises(ValidationError) as info:
        rv.create_round(store, kind="ongoing", year=2026, ruleset_code="VN-2027", on=CREATED, period="2026-13")
    assert info.value.field == "period"


def test_certificate_numbers_continue_within_a_year(commune):
    store, ids = commune
    rnd = _run_to_posting(store, ids)
    rd.confirm_decision(store, rnd["id"], decision_no="125/QĐ-UBND", decision_date="04/12/2026")
    first = rd.issue_certificates(store, rnd["id"], on="07/12/2026", item_ids=[_by_code(store, rnd["id"])["B"]["id"]])
    rest = rd.issue_certificates(store, rnd["id"], on="08/12/2026")
    assert [i["certificate_no"] for i in first + rest] == ["001/GCN-HN.HCN", "002/GCN-HN.HCN", "003/GCN-HN.HCN",
                                                           "004/GCN-HN.HCN"]
    assert rd.next_certificate_seq(store, 2027) == 1
