"""The services the review tab's step pages use: meeting overrides with notes, the village
overview, the posting end preview with unsaved holidays, print records, the round report read
back from Excel, and the registry + plan tracker after the decision."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from test_review_round import _by_code, _run_to_posting

from cannngheo_desktop.core.errors import ValidationError
from cannngheo_desktop.documents.review_round import indicator_label, write_round_report
from cannngheo_desktop.plan import plans, tracker_queries
from cannngheo_desktop.review import meetings as rm
from cannngheo_desktop.review import outcome as rd
from cannngheo_desktop.review import rounds as rv
from cannngheo_desktop.review import settings as review_settings
from cannngheo_desktop.review import worklists as rw
from cannngheo_desktop.storage import households


def test_meeting_override_needs_a_note_and_lands_in_the_minutes(commune):
    store, ids = commune
    rnd = rv.create_round(store, kind="annual", year=2026, ruleset_code="VN-2027", on=date(2026, 11, 2))
    items = _by_code(store, rnd["id"])
    for item in items.values():
        rv.record_survey(store, item["id"], phieu_a_result="continue", on=date(2026, 11, 5))
    c = items["C"]["id"]
    with pytest.raises(ValidationError) as info:
        rm.record_meeting(store, rnd["id"], village="Thôn Một", meeting_date="16/11/2026", attendees=30,
                          results={c: "near_poor"})
    assert info.value.field == "notes" and rm.meetings(store, rnd["id"]) == []
    rm.record_meeting(store, rnd["id"], village="Thôn Một", meeting_date="16/11/2026", attendees=30,
                      agreed="Nhất trí", disagreements="", results={c: "near_poor"},
                      notes={c: "Chủ hộ ốm dài ngày"})
    minutes = rm.meetings(store, rnd["id"])[0]
    assert "Lê Văn Hưởng: đề xuất hộ có mức sống trung bình → họp dân hộ cận nghèo (Chủ hộ ốm dài ngày)" \
        in minutes["disagreements"]
    assert rv.get_item(store, c)["final_category"] == "near_poor"
    overview = {v["village"]: v for v in rw.village_overview(store, rnd["id"])}
    assert overview["Thôn Một"]["households"] == 3 and overview["Thôn Một"]["meeting"]["attendees"] == 30
    assert overview["Thôn Hai"]["meeting"] is None and overview["Thôn Hai"]["surveyed"] == 2


def test_posting_preview_uses_unsaved_or_saved_holidays(commune):
    store, _ids = commune
    friday = date(2026, 11, 27)
    assert rw.posting_end_preview(store, None, friday) == date(2026, 12, 2)
    assert rw.posting_end_preview(store, None, friday, [date(2026, 12, 1)]) == date(2026, 12, 3)
    review_settings.set_holidays(store, [date(2026, 11, 30), date(2026, 12, 1)])
    assert rw.posting_end_preview(store, None, friday) == date(2026, 12, 4)


def test_decision_moves_registry_plan_and_report(commune, tmp_path):
    store, ids = commune
    plan = plans.create_plan(store, unit_code="00640", year=2026, target_total=2)
    plans.set_plan_units(store, plan["id"], [{"target_unit_code": "00640", "baseline_near_poor": 3,
                                              "target_reduction": 2}])
    before = tracker_queries.progress(store, plan["id"], date(2026, 12, 31)).total
    rnd = _run_to_posting(store, ids)
    item_g = _by_code(store, rnd["id"])["G"]["id"]
    rv.record_complaint(store, item_g, complaint_date="30/11/2026", by="Hoàng Văn Giáp", text="Nhà bị bão")
    assert [i["id"] for i in rw.with_complaints(store, rnd["id"])] == [item_g]
    rv.resolve_complaint(store, item_g, on="04/12/2026", outcome="Kiểm tra lại: hộ nghèo", category="poor")
    rd.confirm_decision(store, rnd["id"], decision_no="125/QĐ-UBND", decision_date=date(2026, 12, 10))
    assert households.get_household(store, ids["G"])["category"] == "poor"
    assert households.get_household(store, ids["C"])["category"] == "average"
    after = tracker_queries.progress(store, plan["id"], date(2026, 12, 31)).total
    # The near-poor tracker counts the decision's events: C left near-poverty, B came from poor,
    # G fell to poor; the registry now holds A and B as near-poor.
    assert (before.exited, before.new, before.to_poor, before.current) == (0, 0, 0, 3)
    assert (after.exited, after.new, after.to_poor, after.current) == (1, 1, 1, 2)
    replies = rw.refusal_records(store, rnd["id"])
    assert [r["head_name"] for r in replies] == ["Phạm Văn Lương"]
    rd.issue_certificates(store, rnd["id"], on=date(2026, 12, 15))
    certs = rw.certificate_records(store, rnd["id"])
    assert [c["number"] for c in certs] == [f"{n:03d}/GCN-HN.HCN" for n in range(1, len(certs) + 1)]
    out = write_round_report(store, rnd["id"], tmp_path / "bc.xlsx", on=date(2026, 12, 20))
    cells = [[c for c in row] for row in load_workbook(out).active.iter_rows(values_only=True)]
    flat = {row[1]: list(row[2:4]) for row in cells if row and len(row) > 3 and isinstance(row[1], str)}
    assert flat["Danh sách trước rà soát"] == [2, 3]
    # an indicator named like its dimension is printed once ("Việc làm", not "Việc làm: Việc làm")
    assert "Việc làm" in flat and "Việc làm: Việc làm" not in flat
    assert "Việc làm: Người phụ thuộc trong hộ gia đình" in flat
    assert not [k for k in flat if ": " in k and k.split(": ", 1)[0] == k.split(": ", 1)[1]]
    assert flat["Thoát"][0] == 1 and flat["Thoát"][1] == 1


def test_indicator_label_names_the_dimension_only_when_it_differs():
    assert indicator_label("Việc làm", "Việc làm") == "Việc làm"
    assert indicator_label("Y tế", "Y TẾ") == "Y TẾ"
    assert indicator_label("Y tế", "Dinh dưỡng") == "Y tế: Dinh dưỡng"
    assert indicator_label(None, "Dinh dưỡng") == "Dinh dưỡng"
