"""Demo database: the receiving office of the former Thanh Trì district with the 2023 plan
exactly as in the customer's appendix (Kế hoạch 90/KH-UBND) and 505 synthetic near-poor
households (plus ~60 households just above the 2022 line, who move in under the 2027 lines).

Everything is derived from one seed — ids included — so the same seed gives the same file
content (timestamps aside). Household facts are drawn so that under the Hà Nội 2022 ruleset every
near-poor household has income ≤ 2.000.000 đ/person/month and at most 2 deprivations.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, timedelta
from typing import Any

from ..core.errors import NotFoundError, ValidationError
from ..paths import resource_path
from ..plan import plans
from ..storage import installation, repo
from ..storage.assessments import assess_many
from ..storage.db import Store
from ..storage.households import add_households
from ..storage.reference import get_unit, short_unit_name

DEMO_UNIT = "020"
DEMO_RECEIVING_UNIT = "01"
ADMIN_NAME = "admin"
ADMIN_PASSWORD = "thanhtri-2023"
BASELINE = date(2023, 1, 1)
EVENT_DATE = "2022-12-15"
LINE_2022 = 2_000_000  # Hà Nội 2022–2025, rural and urban (ruleset HN-2022)
LINES_2027 = {"rural": 2_200_000, "urban": 2_800_000}
MOVERS = 60
MERIT_HOUSEHOLDS = 5
_TEMPLATES = (("elderly_single", 20), ("elderly_couple", 20), ("family", 30), ("three_gen", 15),
              ("single_parent", 15))
_GAP_CHOICES = ("employment", "health_insurance", "housing_area", "housing_quality", "nutrition",
                "adult_education", "drinking_water", "latrine", "information_devices")


def read_demo_file(name: str) -> dict[str, Any]:
    return json.loads(resource_path("demo", name).read_text(encoding="utf-8"))


def _age(birth: str, on: date = BASELINE) -> int:
    b = date.fromisoformat(birth)
    return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


def deprivations(household: dict[str, Any], members: list[dict[str, Any]], on: date = BASELINE) -> list[str]:
    """The generator's own count of the 12 indicators of 2022 (mirrors resources/standards/HN-2022),
    used to keep near-poor households below 3 deprivations."""
    out = []
    ages = [(m, _age(m["birth_date"], on)) for m in members]
    if any(15 <= a < 60 and m["able_to_work"] and m["employment"] in ("unemployed", "no_contract") for m, a in ages):
        out.append("employment")
    dependants = sum(1 for m, a in ages if a < 16 or a >= 60 or m["disabled"] or not m["able_to_work"])
    if dependants / len(members) > 0.5:
        out.append("dependants")
    if any(a < 16 and m["malnourished"] for m, a in ages):
        out.append("nutrition")
    if any(a >= 6 and not m["has_health_insurance"] for m, a in ages):
        out.append("health_insurance")
    if any((16 <= a < 18 and not m["in_school"] and m["education_level"] in ("none", "primary"))
           or (18 <= a < 31 and not m["in_school"]
               and m["education_level"] in ("none", "primary", "lower_secondary")) for m, a in ages):
        out.append("adult_education")
    if any(3 <= a < 16 and not m["in_school"] for m, a in ages):
        out.append("child_schooling")
    if [household["wall_durable"], household["frame_durable"], household["roof_durable"]].count(False) >= 2:
        out.append("housing_quality")
    if household["floor_area_m2"] / len(members) < 8:
        out.append("housing_area")
    if household["water_source"] not in ("piped", "drilled_well", "protected_dug_well", "protected_spring",
                                         "rain", "bought"):
        out.append("drinking_water")
    if household["latrine"] not in ("septic", "semi_septic", "pour_flush", "double_vault", "ventilated_pit"):
        out.append("latrine")
    if not household["uses_telecom"]:
        out.append("telecom")
    if not household["devices"]:
        out.append("information_devices")
    return out


class _Generator:
    """Draws people and households from one random.Random (so ids are reproducible too)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names = read_demo_file("names.json")
        self.cccds: set[str] = set()

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _weighted(self, pairs: list[list[Any]]) -> Any:
        return self.rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]

    def _name(self, sex: str, surname: str | None = None) -> str:
        n = self.names
        middle = self.rng.choice(n["middle_male"] if sex == "male" else n["middle_female"])
        given = self.rng.choice(n["given_male"] if sex == "male" else n["given_female"])
        return f"{surname or self._weighted(n['surnames'])} {middle} {given}"

    def _birth(self, age: int) -> str:
        latest = date(BASELINE.year - age, BASELINE.month, BASELINE.day) - timedelta(days=1)
        return (latest - timedelta(days=self.rng.randrange(365))).isoformat()

    def _cccd(self, sex: str, birth: str) -> str:
        year = int(birth[:4])
        century = (0 if year < 2000 else 2) + (0 if sex == "male" else 1)
        while True:
            number = (f"{self._weighted(self.names['birth_provinces'])}{century}{year % 100:02d}"
                      f"{self.rng.randrange(10**6):06d}")
            if number not in self.cccds:
                self.cccds.add(number)
                return number

    def person(self, relation: str, sex: str, age: int, surname: str | None = None,
               ethnicity: str = "Kinh") -> dict[str, Any]:
        rng = self.rng
        birth = self._birth(age)
        disabled = rng.random() < (0.08 if age >= 16 else 0.02)
        able = 15 <= age < 60 and not disabled or (age >= 60 and not disabled and rng.random() < 0.3)
        if age < 3:
            edu, in_school, job = "none", False, "not_working"
        elif age < 6:
            edu, in_school, job = "none", True, "student"
        elif age < 16:
            edu, in_school, job = ("primary" if age >= 11 else "none"), True, "student"
        elif age < 18:
            edu, in_school, job = "lower_secondary", True, "student"
        elif age < 31:
            edu = rng.choice(["upper_secondary", "upper_secondary", "vocational", "college"])
            in_school, job = False, rng.choice(["self_employed", "contract", "contract"])
        elif age < 60:
            edu = rng.choice(["primary", "lower_secondary", "lower_secondary", "upper_secondary"])
            in_school, job = False, rng.choice(["self_employed", "self_employed", "contract", "not_working"])
        else:
            edu = rng.choice(["none", "primary", "primary", "lower_secondary"])
            in_school, job = False, ("self_employed" if able else "not_working")
        if disabled and age >= 16:
            job = "not_working"
        has_id = age >= 18 or (age >= 14 and rng.random() < 0.5)
        return {
            "id": self.uid(), "full_name": self._name(sex, surname), "birth_date": birth, "sex": sex,
            "cccd": self._cccd(sex, birth) if has_id else None,
            "cccd_date": (date(2021, 1, 4) + timedelta(days=rng.randrange(700))).isoformat() if has_id else None,
            "relation": relation, "ethnicity": ethnicity, "education_level": edu, "in_school": in_school,
            "employment": job, "able_to_work": bool(able), "has_health_insurance": True,
            "malnourished": False if age < 16 else None, "disabled": disabled,
            "social_allowance": disabled or age >= 80, "merit_status": False,
            "wants_job_support": bool(able and 18 <= age < 60 and rng.random() < 0.25),
            "got_job_support": False, "got_job": False, "status": "present"}

    def members(self) -> list[dict[str, Any]]:
        rng = self.rng
        kind = self._weighted([list(t) for t in _TEMPLATES])
        ethnicity = rng.choice(self.names["minority_ethnicities"]) if rng.random() < 0.015 else "Kinh"
        surname = self._weighted(self.names["surnames"])
        if kind == "elderly_single":
            return [self.person("head", "female" if rng.random() < 0.65 else "male", rng.randint(62, 90),
                                surname, ethnicity)]
        if kind == "single_parent":
            head_age = rng.randint(28, 52)
            out = [self.person("head", "female", head_age, surname, ethnicity)]
            child_surname = self._weighted(self.names["surnames"])
        else:
            head_age = {"elderly_couple": rng.randint(60, 85), "family": rng.randint(28, 55),
                        "three_gen": rng.randint(48, 68)}[kind]
            out = [self.person("head", "male", head_age, surname, ethnicity),
                   self.person("spouse", "female", max(20, head_age - rng.randint(0, 6)), None, ethnicity)]
            child_surname = surname
        if kind == "elderly_couple":
            return out
        if kind == "three_gen":
            adult = rng.randint(22, min(40, head_age - 20))
            out.append(self.person("child", "male", adult, surname, ethnicity))
            out.append(self.person("other", "female", max(20, adult - rng.randint(0, 4)), None, ethnicity))
            for _ in range(rng.randint(1, 2)):
                out.append(self.person("grandchild", rng.choice(["male", "female"]), rng.randint(0, min(14, adult - 20)),
                                       surname, ethnicity))
            return out
        for _ in range(rng.randint(1, 3)):
            out.append(self.person("child", rng.choice(["male", "female"]), rng.randint(0, min(20, head_age - 20)),
                                   child_surname, ethnicity))
        return out

    def conditions(self, size: int, area: str) -> dict[str, Any]:
        rng = self.rng
        return {
            "floor_area_m2": float(max(8 * size + 4, rng.randint(30, 90))),
            "wall_durable": True, "frame_durable": True, "roof_durable": rng.random() < 0.9,
            "water_source": "piped" if area == "urban" or rng.random() < 0.8 else "drilled_well",
            "latrine": "septic" if rng.random() < 0.85 else "semi_septic",
            "devices": sorted(rng.sample(["tv", "phone", "smartphone", "radio", "computer"], rng.randint(1, 3))),
            "uses_telecom": True, "uses_digital_services": rng.random() < 0.85,
            "waste_handling": "collected" if area == "urban" or rng.random() < 0.85 else "treated_on_site",
            "land_area_m2": None if area == "urban" else float(rng.choice([0, 0, 180, 360, 540, 720])),
        }

    def add_gaps(self, hh: dict[str, Any], members: list[dict[str, Any]], budget: int) -> list[str]:
        """Introduce up to ``budget`` more deprivations (each chosen one really applies)."""
        rng = self.rng
        wanted = rng.choices([0, 1, 2], weights=[35, 45, 20])[0]
        ages = [(m, _age(m["birth_date"])) for m in members]
        for gap in rng.sample(_GAP_CHOICES, len(_GAP_CHOICES)):
            if wanted <= 0 or len(deprivations(hh, members)) >= budget:
                break
            before = len(deprivations(hh, members))
            if gap == "employment":
                workers = [m for m, a in ages if 15 <= a < 60 and m["able_to_work"] and not m["in_school"]]
                if workers:
                    rng.choice(workers)["employment"] = rng.choice(["no_contract", "unemployed"])
            elif gap == "health_insurance":
                rng.choice([m for m, a in ages if a >= 6] or [members[0]])["has_health_insurance"] = False
            elif gap == "housing_area":
                hh["floor_area_m2"] = float(max(6, 8 * len(members) - rng.randint(1, 6)))
            elif gap == "housing_quality":
                hh["wall_durable"], hh["roof_durable"] = False, False
            elif gap == "nutrition":
                kids = [m for m, a in ages if a < 16]
                if kids:
                    rng.choice(kids)["malnourished"] = True
            elif gap == "adult_education":
                young = [m for m, a in ages if 18 <= a < 31]
                if young:
                    rng.choice(young)["education_level"] = "lower_secondary"
            elif gap == "drinking_water":
                hh["water_source"] = "unprotected_dug_well"
            elif gap == "latrine":
                hh["latrine"] = "simple_pit"
            elif gap == "information_devices":
                hh["devices"] = []
            wanted -= len(deprivations(hh, members)) - before
        return deprivations(hh, members)


_CAUSES_ELDERLY = ["no_labour", "illness", "illness", "other"]
_CAUSES_WORKING = ["no_capital", "no_skills", "no_land", "no_knowledge", "illness", "no_tools"]
_NEEDS_FOR_GAP = {"housing_area": "housing", "housing_quality": "housing", "drinking_water": "water_sanitation",
                  "latrine": "water_sanitation", "information_devices": "devices",
                  "health_insurance": "health_insurance", "employment": "job", "adult_education": "vocational_training"}
_NEEDS_FOR_CAUSE = {"no_capital": "capital", "no_skills": "vocational_training", "no_land": "production",
                    "no_knowledge": "production", "no_tools": "production", "illness": "social_assistance",
                    "no_labour": "social_assistance"}


def _household(gen: _Generator, unit: dict[str, Any], number: int, *, category: str,
               pp_range: tuple[int, int]) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    rng = gen.rng
    members = gen.members()
    area = unit["area"]
    village = (f"Tổ dân phố {rng.randint(1, 12)}" if unit["kind"] in ("town", "ward")
               else f"Thôn {rng.randint(1, 8)}")
    hh: dict[str, Any] = {
        "id": gen.uid(), "unit_code": unit["code"], "household_code": f"TTR-{unit['code']}-{number:04d}",
        "village": village, "address": f"Số {rng.randint(1, 199)}, {village}, {unit['name']}, huyện Thanh Trì, Hà Nội",
        **gen.conditions(len(members), area), "review_year": 2022, "category": category, "status": "active"}
    gaps = gen.add_gaps(hh, members, budget=2)
    assert len(gaps) <= 2, gaps
    per_person = rng.randrange(pp_range[0], pp_range[1] + 1, 1000)
    hh["income_month"] = per_person * len(members)
    hh["no_labour_capacity"] = not any(m["able_to_work"] for m in members)
    hh["is_ethnic_minority"] = members[0]["ethnicity"] != "Kinh"
    return hh, members, gaps


def _near_poor_details(gen: _Generator, hh: dict[str, Any], members: list[dict[str, Any]], gaps: list[str],
                       number: int) -> None:
    rng = gen.rng
    working = not hh["no_labour_capacity"]
    causes = sorted(set(rng.sample(_CAUSES_WORKING if working else _CAUSES_ELDERLY, rng.randint(1, 2))))
    needs = {_NEEDS_FOR_CAUSE[c] for c in causes if c in _NEEDS_FOR_CAUSE}
    needs |= {_NEEDS_FOR_GAP[g] for g in gaps if g in _NEEDS_FOR_GAP}
    hh.update({"causes": causes, "needs": sorted(needs), "category_since": BASELINE.isoformat(),
               "certificate_no": f"{number:04d}/GCN-{hh['unit_code']}", "certificate_date": "2023-01-16",
               "able_to_exit": False, "able_to_exit_reason": (
                   "Không có lao động, người cao tuổi hoặc ốm đau" if not working
                   else "Thu nhập thấp, chưa ổn định việc làm")})


def _check_empty(store: Store) -> None:
    if store.scalar("SELECT count(*) FROM households") or store.scalar("SELECT count(*) FROM plans"):
        raise ValidationError(
            f"Tệp '{store.path}' đã có dữ liệu; dữ liệu mẫu chỉ tạo trong một tệp mới. "
            "Hãy chọn tệp khác (ví dụ demo.sqlite).", field="db")


def _baseline_unit(store: Store, code: str) -> dict[str, Any]:
    """The demo's unit ``code`` as it was on the baseline date; the demo cannot go without it."""
    unit = get_unit(store, code, BASELINE)
    if unit is None:
        raise NotFoundError(
            f"Danh mục đơn vị của tệp '{store.path}' không có đơn vị mã {code} (hiệu lực ngày "
            f"{BASELINE:%d/%m/%Y}) mà dữ liệu mẫu cần. Hãy tạo dữ liệu mẫu trong một tệp mới.")
    return unit


def _create_plan(store: Store, gen: _Generator, doc: dict[str, Any]) -> dict[str, Any]:
    plan = plans.create_plan(store, id=gen.uid(), **doc["plan"])
    plans.set_plan_units(store, plan["id"], [
        {"id": gen.uid(), "target_unit_code": u["code"], "sort_order": u["tt"],
         "baseline_near_poor": u["baseline_near_poor"], "baseline_poor": 0, "baseline_typed": False,
         "total_households": u["total_households"], "target_reduction": u["target_reduction"],
         "to_zero": bool(u.get("to_zero"))} for u in doc["units"]])
    for order, o in enumerate(doc["objectives"], start=1):
        params = {"units": [u["code"] for u in doc["units"] if u.get("to_zero")]} \
            if o["kind"] == "to_zero_units" else None
        plans.add_objective(store, plan["id"], id=gen.uid(), sort_order=order, params=params, **o)
    for m in doc["milestones"]:
        plans.add_milestone(store, plan["id"], id=gen.uid(), **m)
    return plans.approve_plan(store, plan["id"], approved_at=f"{doc['plan']['doc_date']}T08:00:00.000000Z")


def _assess(store: Store, ids: list[str]) -> dict[str, int]:
    result = assess_many(store, "HN-2022", BASELINE, household_ids=ids, save=True, assessor=ADMIN_NAME)
    # The list shows each household's deprivation count: record what the assessment found.
    for item in result.items:
        repo.update(store, "households", item["id"], {"deprivation_count": item["deprivation_count"]})
    return dict(result.counts)


def build_demo(store: Store, *, seed: int = 2023, households_extra: int = 0,
               year_in_progress: bool = False) -> dict[str, Any]:
    """Fill an empty database with the demo (see module docstring) in ONE transaction.

    ``year_in_progress`` adds 2023's support actions and exits (activity.py): what the
    window and the command line show; tests of the plan's starting point leave it off.

    Sets up the installation (aggregator of unit 020, admin/thanhtri-2023) when the file is new.
    ``households_extra`` adds that many ordinary (not poor) households for larger trials.
    Returns a summary: plan id, household/member/event counts and assessment counts.
    """
    doc = read_demo_file("plan_2023.json")
    gen = _Generator(seed)
    _check_empty(store)
    with store.transaction():
        if installation.current(store) is None:
            installation.initialize(store, role="aggregator", unit_code=DEMO_UNIT,
                                    receiving_unit_code=DEMO_RECEIVING_UNIT, admin_name=ADMIN_NAME,
                                    admin_password=ADMIN_PASSWORD, admin_full_name="Quản trị viên (dữ liệu mẫu)")
        store.user = ADMIN_NAME
        plan = _create_plan(store, gen, doc)
        units = {u["code"]: _baseline_unit(store, u["code"]) for u in doc["units"]}
        items: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        events: list[dict[str, Any]] = []
        numbers = dict.fromkeys(units, 0)
        for u in doc["units"]:
            batch = []
            for _ in range(u["baseline_near_poor"]):
                numbers[u["code"]] += 1
                hh, members, gaps = _household(gen, units[u["code"]], numbers[u["code"]], category="near_poor",
                                               pp_range=(1_100_000, LINE_2022))
                _near_poor_details(gen, hh, members, gaps, numbers[u["code"]])
                batch.append((hh, members))
            # "Able to exit this year": exactly the planned number, households with workers first.
            order = sorted(batch, key=lambda item: (item[0]["no_labour_capacity"], gen.rng.random()))
            for hh, _ in order[:u["target_reduction"]]:
                hh["able_to_exit"] = True
                hh["able_to_exit_reason"] = "Có lao động, được hỗ trợ vốn, việc làm để tăng thu nhập"
            items.extend(batch)
            events.extend({"id": gen.uid(), "unit_code": hh["unit_code"], "household_id": hh["id"],
                           "kind": "became_near_poor", "event_date": EVENT_DATE, "to_category": "near_poor",
                           "note": "Rà soát hộ nghèo, hộ cận nghèo cuối năm 2022"} for hh, _ in batch)
        elderly = [(hh, ms) for hh, ms in items if _age(ms[0]["birth_date"]) >= 60]
        for hh, ms in gen.rng.sample(elderly, min(MERIT_HOUSEHOLDS, len(elderly))):
            hh["is_merit"] = True
            ms[0]["merit_status"] = True
        codes = list(units)
        weights = [u["baseline_near_poor"] + 5 for u in doc["units"]]
        extra_kinds = [("mover", c) for c in gen.rng.choices(codes, weights=weights, k=MOVERS)]
        extra_kinds += [("ordinary", c) for c in gen.rng.choices(codes, k=households_extra)]
        for kind, code in extra_kinds:
            unit = units[code]
            numbers[code] += 1
            top = LINES_2027[unit["area"]] if kind == "mover" else 8_000_000
            low = LINE_2022 + 1000 if kind == "mover" else 3_000_000
            hh, members, _ = _household(gen, unit, numbers[code], category="not_poor", pp_range=(low, top))
            hh.update({"causes": [], "needs": []})
            items.append((hh, members))
        ids = add_households(store, items)
        repo.insert_many(store, "household_events", events)
        assessed = _assess(store, ids)
        activity = None
        if year_in_progress:
            from .activity import add_year_in_progress

            activity = add_year_in_progress(store, plans.plan_units(store, plan["id"]), seed=seed)
    return {"plan_id": plan["id"], "households": len(ids), "near_poor": len(events),
            "movers": MOVERS, "members": sum(len(ms) for _, ms in items), "events": len(events),
            "assessed": assessed, "activity": activity, "admin": ADMIN_NAME,
            "units": [short_unit_name(units[c]["name"]) for c in codes]}
