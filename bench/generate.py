"""Deterministic synthetic households and members for benchmarks (same seed → same rows).

Field names are the schema's (core/model.py, migrations/0001_initial.sql). Values are plausible
for Hà Nội near-poor households: incomes around the 2022–2025 lines (1.5 M rural, 2 M urban VND
per person per month), about four members each, Vietnamese names with diacritics, unique
12-digit CCCD numbers (province 001, sex/century digit, birth year, serial).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from cannngheo_desktop.core import model

PROVINCE = {"code": "01", "name": "Thành phố Hà Nội", "kind": "province", "area": "urban"}
COMMUNE_NAMES = [
    "An Bình", "Bình Minh", "Cẩm Thịnh", "Đông Hưng", "Đại Áng", "Hưng Đạo", "Kim Lũ", "Liên Ninh",
    "Minh Khai", "Ngọc Hồi", "Phú Lương", "Quang Trung", "Tả Thanh Oai", "Tam Hiệp", "Tân Triều",
    "Thanh Liệt", "Tứ Hiệp", "Vạn Phúc", "Văn Điển", "Vĩnh Quỳnh", "Yên Mỹ", "Duyên Hà", "Hữu Hoà",
    "Ninh Sở", "Đông Mỹ",
]
SURNAMES = ["Nguyễn"] * 38 + ["Trần"] * 11 + ["Lê"] * 9 + ["Phạm"] * 7 + ["Hoàng"] * 5 + ["Huỳnh"] * 4 + [
    "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Lương", "Đinh", "Trịnh", "Đoàn"] * 2
MIDDLE_MALE = ["Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Công", "Thanh"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Phương"]
GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hưng", "Hưởng", "Khánh", "Long", "Mạnh",
              "Nam", "Phúc", "Quân", "Sơn", "Thắng", "Tiến", "Toàn", "Trung", "Tuấn", "Việt", "Vinh"]
GIVEN_FEMALE = ["Anh", "Ánh", "Chi", "Dung", "Giang", "Hà", "Hằng", "Hoa", "Hoà", "Hương", "Lan",
                "Linh", "Mai", "Ngọc", "Nhung", "Oanh", "Phương", "Thảo", "Thu", "Trang", "Vân", "Yến"]
VILLAGES = ["Thôn Đông", "Thôn Đoài", "Thôn Nam", "Thôn Bắc", "Thôn Thượng", "Thôn Hạ", "Thôn Trung",
            "Xóm Mới", "Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố 3", "Tổ dân phố 5"]
STREETS = ["đường Ngọc Hồi", "đường Phan Trọng Tuệ", "đường Cầu Bươu", "ngõ 12 Quang Trung",
           "đường Tựu Liệt", "đường Nguyễn Bặc", "ngõ 5 Liên Ninh", "đường Tả Thanh Oai"]
RULE_DATE = date(2025, 1, 1)


def make_units(count: int = 25) -> list[dict[str, Any]]:
    """The province and ``count`` communes/wards/towns (synthetic 9xxxx codes, real-sounding names)."""
    units = [{**PROVINCE, "id": "01@2008-08-01", "parent_code": None, "valid_from": "2008-08-01",
              "unit_code": "01"}]
    for i in range(count):
        kind = "ward" if i % 5 == 0 else ("town" if i % 11 == 3 else "commune")
        label = {"ward": "Phường", "town": "Thị trấn", "commune": "Xã"}[kind]
        code = f"9{i + 1:04d}"
        units.append({
            "id": f"{code}@2020-01-01", "code": code,
            "name": f"{label} {COMMUNE_NAMES[i % len(COMMUNE_NAMES)]}", "kind": kind,
            "parent_code": "01", "area": "urban" if kind in model.URBAN_UNIT_KINDS else "rural",
            "valid_from": "2020-01-01", "unit_code": "01"})
    return units


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _name(rng: random.Random, sex: str) -> str:
    middle, given = (MIDDLE_MALE, GIVEN_MALE) if sex == "male" else (MIDDLE_FEMALE, GIVEN_FEMALE)
    return f"{rng.choice(SURNAMES)} {rng.choice(middle)} {rng.choice(given)}"


def _birth(rng: random.Random, age_from: int, age_to: int) -> date:
    return RULE_DATE - timedelta(days=rng.randint(age_from * 365, age_to * 365 + 364))


def _member(rng: random.Random, serial: int, relation: str, sex: str, born: date) -> dict[str, Any]:
    age = (RULE_DATE - born).days // 365
    adult = age >= 15
    century_sex = (0 if born.year < 2000 else 2) + (0 if sex == "male" else 1)
    employment = (rng.choice(["self_employed", "no_contract", "contract", "unemployed", "not_working"])
                  if 15 < age < 75 else ("student" if 5 <= age <= 22 else "not_working"))
    return {
        "id": _uuid(rng),
        "full_name": _name(rng, sex),
        "birth_date": born.isoformat(),
        "sex": sex,
        # 3-digit place code, sex/century digit, 2-digit birth year, 6-digit serial: unique
        # because the serial is global (the place code takes the millions).
        "cccd": (f"{1 + serial // 10**6:03d}{century_sex}{born.year % 100:02d}{serial % 10**6:06d}"
                 if adult else None),
        "cccd_date": (date(2021, 1, 1) + timedelta(days=rng.randint(0, 1400))).isoformat() if adult else None,
        "relation": relation,
        "ethnicity": "Kinh" if rng.random() < 0.97 else rng.choice(["Mường", "Tày", "Dao"]),
        "education_level": rng.choice(list(model.EDUCATION_LEVELS)) if age >= 6 else None,
        "in_school": (5 <= age <= 18 and rng.random() < 0.93) if age < 25 else False,
        "employment": employment,
        "able_to_work": 15 <= age <= 60 and rng.random() < 0.85,
        "has_health_insurance": rng.random() < 0.9,
        "malnourished": age < 16 and rng.random() < 0.05,
        "disabled": rng.random() < 0.04,
        "status": "present",
    }


def _members(rng: random.Random, serials: Iterator[int]) -> list[dict[str, Any]]:
    size = max(1, min(9, round(rng.gauss(4.0, 1.4))))
    head_sex = "male" if rng.random() < 0.7 else "female"
    head_born = _birth(rng, 28, 80)
    out = [_member(rng, next(serials), "head", head_sex, head_born)]
    if size > 1 and rng.random() < 0.8:
        spouse_born = head_born + timedelta(days=rng.randint(-1500, 2500))
        out.append(_member(rng, next(serials), "spouse", "female" if head_sex == "male" else "male",
                           spouse_born))
    while len(out) < size:
        relation = rng.choice(["child", "child", "child", "grandchild", "parent", "sibling", "other"])
        ages = {"child": (0, 35), "grandchild": (0, 15), "parent": (60, 95)}.get(relation, (10, 70))
        out.append(_member(rng, next(serials), relation, rng.choice(["male", "female"]),
                           _birth(rng, *ages)))
    return out


def _household(rng: random.Random, number: int, unit_code: str, urban: bool,
               size: int) -> dict[str, Any]:
    line = 2_000_000 if urban else 1_500_000
    per_person = max(300_000, int(rng.gauss(line * 1.05, line * 0.25)) // 1000 * 1000)
    category = model.NEAR_POOR if rng.random() < 0.8 else model.POOR
    devices = [d for d in model.DEVICES if rng.random() < 0.45]
    return {
        "id": _uuid(rng),
        "unit_code": unit_code,
        "household_code": f"{unit_code}-{number:06d}",
        "village": rng.choice(VILLAGES),
        "address": f"Số {rng.randint(1, 250)} {rng.choice(STREETS)}",
        "income_month": per_person * size,
        "floor_area_m2": round(rng.uniform(12, 90), 1),
        "wall_durable": rng.random() < 0.85,
        "frame_durable": rng.random() < 0.85,
        "roof_durable": rng.random() < 0.8,
        "water_source": rng.choice(["piped", "piped", "piped", "drilled_well", "protected_dug_well", "rain"]),
        "latrine": rng.choice(["septic", "septic", "semi_septic", "double_vault", "simple_pit", "none"]),
        "devices": devices,
        "uses_telecom": rng.random() < 0.9,
        "uses_digital_services": rng.random() < 0.5,
        "waste_handling": rng.choice(["collected", "collected", "treated_on_site", "burned"]),
        "land_area_m2": round(rng.uniform(0, 1500), 0) if not urban else None,
        "is_merit": rng.random() < 0.03,
        "no_labour_capacity": rng.random() < 0.1,
        "is_ethnic_minority": False,
        "is_average_farm": False,
        "causes": rng.sample(list(model.CAUSES), k=rng.randint(1, 3)),
        "needs": rng.sample(list(model.NEEDS), k=rng.randint(1, 3)),
        "review_year": 2024,
        "category": category,
        "category_since": f"{rng.randint(2021, 2024)}-12-{rng.randint(1, 28):02d}",
        "status": "active",
    }


def iter_households(n: int, seed: int = 1, unit_codes: Sequence[str] | None = None,
                    urban_codes: frozenset[str] | set[str] = frozenset()
                    ) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Yield ``n`` ``(household, members)`` pairs, spread over ``unit_codes`` (default: the
    communes of :func:`make_units`), with stable ids, so two runs produce identical rows."""
    if unit_codes is None:
        units = [u for u in make_units() if u["kind"] != "province"]
        unit_codes = [u["code"] for u in units]
        urban_codes = {u["code"] for u in units if u["area"] == "urban"}
    rng = random.Random(seed)
    serial_counter = iter(range(1, 10**7))
    per_unit: dict[str, int] = {}
    for _ in range(n):
        unit = unit_codes[rng.randrange(len(unit_codes))]
        per_unit[unit] = per_unit.get(unit, 0) + 1
        members = _members(rng, serial_counter)
        household = _household(rng, per_unit[unit], unit, unit in urban_codes, len(members))
        yield household, members
