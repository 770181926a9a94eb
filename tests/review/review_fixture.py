"""A commune database (Xã Thanh Trì, 00640, reporting to 020) with eight households whose facts
give known results under VN-2027 (rural line 2.200.000 đ/person/month)."""

from __future__ import annotations

GOOD = {"floor_area_m2": 60.0, "wall_durable": True, "frame_durable": True, "roof_durable": True,
        "water_source": "piped", "latrine": "septic", "devices": ["tv", "smartphone"], "uses_telecom": True,
        "uses_digital_services": True, "waste_handling": "collected"}
# Three deprivations: 5 m² per person, unprotected water, no hygienic latrine.
THREE_GAPS = {"floor_area_m2": 10.0, "water_source": "surface", "latrine": "simple_pit"}


def member(name: str, born: str, relation: str = "head", **facts) -> dict:
    m = {"full_name": name, "birth_date": born, "relation": relation, "able_to_work": True, "sex": "male",
         "employment": "contract", "has_health_insurance": True, "education_level": "upper_secondary",
         "in_school": False, "malnourished": False, "disabled": False, "ethnicity": "Kinh"}
    m.update(facts)
    return m


# code → (head name, spouse name, village, current category, income per person, extra facts)
HOUSEHOLDS = {
    "A": ("Nguyễn Văn Đức", "Lê Thị Hằng", "Thôn Một", "near_poor", 1_800_000, {}),
    "B": ("Trần Thị Hoà", "Vũ Văn Mạnh", "Thôn Một", "poor", 1_500_000, {"latrine": "simple_pit"}),
    "C": ("Lê Văn Hưởng", "Đỗ Thị Nga", "Thôn Một", "near_poor", 3_000_000, {}),
    "D": ("Đặng Thị Ngọc Ánh", "Phan Văn Tú", "Thôn Hai", None, 1_000_000, THREE_GAPS),
    "E": ("Phạm Văn Lương", "Ngô Thị Yến", "Thôn Hai", None, 5_000_000, {}),
    "G": ("Hoàng Văn Giáp", "Bùi Thị Thu", "Thôn Hai", "near_poor", 2_000_000, {}),
    "H": ("Đinh Văn Hải", "Cao Thị Lụa", "Thôn Hai", "poor", 1_200_000, {}),
    "K": ("Tạ Văn Khôi", "Lý Thị Kim", "Thôn Ba", "not_poor", 9_000_000, {}),
}


def add_fixture_households(store) -> dict[str, str]:
    from cannngheo_desktop.storage import households

    ids = {}
    for n, (code, (head, spouse, village, cat, per_person, extra)) in enumerate(HOUSEHOLDS.items()):
        hh = {"unit_code": "00640", "household_code": f"TT-{code}", "village": village,
              "address": f"Số {n + 1}, {village}", "income_month": per_person * 2, "category": cat,
              **GOOD, **extra}
        cccd = f"0011980{n:05d}"
        ms = [member(head, "1980-05-05", cccd=cccd, cccd_date="2021-04-10"),
              member(spouse, "1982-07-07", relation="spouse", sex="female", cccd=f"0011982{n:05d}")]
        ids[code] = households.add_household(store, hh, ms)
    return ids


