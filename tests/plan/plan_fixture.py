"""A small registry with known answers for the plan tracker tests (see test_plan_objectives.py)."""

from __future__ import annotations

from typing import Any

from cannngheo_desktop.storage import repo
from cannngheo_desktop.storage.households import add_households

UNIT_A, UNIT_B = "90001", "90002"


def _unit(code: str, name: str, kind: str = "commune") -> dict[str, Any]:
    return {"id": f"{code}@2020-01-01", "code": code, "name": name, "kind": kind,
            "area": "urban" if kind == "town" else "rural", "valid_from": "2020-01-01",
            "unit_code": "01"}


def _hh(key: str, unit: str, category: str, **facts: Any) -> dict[str, Any]:
    return {"id": key, "unit_code": unit, "household_code": key, "category": category, **facts}


def _m(name: str, **facts: Any) -> dict[str, Any]:
    return {"full_name": name, **facts}


DURABLE = {"wall_durable": 1, "frame_durable": 1, "roof_durable": 1}


def build_registry(store) -> None:
    repo.insert_many(store, "units", [_unit(UNIT_A, "Xã An Bình"), _unit(UNIT_B, "Thị trấn Bắc Sơn", "town")])
    add_households(store, [
        (_hh("h1", UNIT_A, "near_poor", water_source="piped", latrine="septic", devices=["tv"],
             floor_area_m2=40, able_to_exit=1, **DURABLE),
         [_m("Nguyễn Văn Một", relation="head", has_health_insurance=1, wants_job_support=1,
             got_job_support=1, got_job=1),
          _m("Nguyễn Thị Con", birth_date="2015-06-01", has_health_insurance=1, in_school=1)]),
        (_hh("h2", UNIT_A, "near_poor", water_source="surface", latrine="simple_pit", devices=[],
             floor_area_m2=30, wall_durable=0, roof_durable=0, frame_durable=1, is_merit=1, able_to_exit=1),
         [_m("Trần Văn Hai", relation="head", has_health_insurance=0, wants_job_support=1,
             got_job_support=0, got_job=0),
          _m("Trần Bé Nhỏ", birth_date="2020-07-01", has_health_insurance=1),
          _m("Trần Văn Lớn", birth_date="2007-07-01", has_health_insurance=1, in_school=0)]),
        (_hh("h3", UNIT_A, "near_poor", able_to_exit=0),
         [_m("Lê Văn Ba", relation="head", wants_job_support=1),
          _m("Lê Văn Cụ", status="died", has_health_insurance=0)]),
        (_hh("h4", UNIT_A, "near_poor", water_source="rain", latrine="pour_flush", devices=["phone", "radio"],
             floor_area_m2=10, **DURABLE),
         [_m("Phạm Văn Bốn", relation="head", has_health_insurance=1, wants_job_support=0),
          _m("Phạm Thị Bốn", has_health_insurance=1),
          _m("Phạm Ba Tuổi", birth_date="2020-06-30", has_health_insurance=1),
          _m("Phạm Mười Sáu", birth_date="2007-06-30", has_health_insurance=1, in_school=0)]),
        (_hh("h5", UNIT_A, "poor"), [_m("Hoàng Văn Năm", relation="head")]),
        (_hh("h6", UNIT_A, "not_poor", water_source="surface"), [_m("Vũ Văn Sáu", relation="head")]),
        (_hh("x1", UNIT_A, "not_poor"), [_m("Đỗ Văn Thoát", relation="head")]),
        (_hh("x2", UNIT_A, "not_poor"), [_m("Đỗ Văn Thoát Hai", relation="head")]),
        (_hh("x3", UNIT_A, "not_poor"), [_m("Đỗ Văn Muộn", relation="head")]),
        (_hh("h7", UNIT_B, "not_poor"), [_m("Bùi Văn Bảy", relation="head")]),
        (_hh("h8", UNIT_B, "not_poor"), [_m("Bùi Văn Tám", relation="head")]),
    ])
    events = [
        ("x1", UNIT_A, "exited_near_poverty", "2023-03-10"),
        ("x2", UNIT_A, "exited_near_poverty", "2023-05-20"),
        ("x3", UNIT_A, "exited_near_poverty", "2023-07-15"),  # after the as-of date used in tests
        ("x3", UNIT_A, "exited_near_poverty", "2022-12-31"),  # the year before
        ("h1", UNIT_A, "became_near_poor", "2023-02-01"),
        ("h2", UNIT_A, "near_poor_to_poor", "2023-04-01"),
        ("h7", UNIT_B, "exited_near_poverty", "2023-01-15"),
        ("h8", UNIT_B, "exited_near_poverty", "2023-06-01"),
    ]
    repo.insert_many(store, "household_events", [
        {"household_id": h, "unit_code": u, "kind": k, "event_date": d} for h, u, k, d in events])


def build_plan(store, year: int = 2023) -> str:
    plan = repo.insert(store, "plans", {"unit_code": "01", "year": year, "doc_no": "90/KH-UBND",
                                        "doc_date": f"{year}-02-23", "target_total": 5})
    repo.insert_many(store, "plan_units", [
        {"unit_code": "01", "plan_id": plan["id"], "target_unit_code": UNIT_A, "sort_order": 1,
         "baseline_near_poor": 10, "target_reduction": 3, "total_households": 1000},
        {"unit_code": "01", "plan_id": plan["id"], "target_unit_code": UNIT_B, "sort_order": 2,
         "baseline_near_poor": 2, "target_reduction": 2, "to_zero": 1, "total_households": 500},
    ])
    return plan["id"]


