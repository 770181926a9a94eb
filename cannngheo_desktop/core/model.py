"""Domain vocabulary shared by storage, rules, imports, reports and bundles.

The field names here are the ones stored in SQLite, carried in bundles and accepted in the
household JSON format (docs/household-format.md). Codes are stable ASCII; labels are Vietnamese.
A value of ``None`` always means *unknown*, never *no*: the evaluator reports it as missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# --- Categories -----------------------------------------------------------------------------
POOR = "poor"
NEAR_POOR = "near_poor"
AVERAGE = "average"  # hộ có mức sống trung bình
NOT_POOR = "not_poor"
UNDETERMINED = "undetermined"

CATEGORY_LABELS = {
    POOR: "Hộ nghèo",
    NEAR_POOR: "Hộ cận nghèo",
    AVERAGE: "Hộ có mức sống trung bình",
    NOT_POOR: "Không thuộc diện",
    UNDETERMINED: "Chưa đủ thông tin",
}

# Area types decide the income line.
RURAL = "rural"
URBAN = "urban"
AREA_LABELS = {RURAL: "Nông thôn", URBAN: "Thành thị"}

# Unit kinds; a ward (phường) and a town (thị trấn) are urban, a commune (xã) rural.
UNIT_KINDS = {
    "province": "Tỉnh/Thành phố",
    "district": "Quận/Huyện (cũ)",
    "commune": "Xã",
    "ward": "Phường",
    "town": "Thị trấn",
}
URBAN_UNIT_KINDS = {"ward", "town"}

# --- Household facts ------------------------------------------------------------------------
WATER_SOURCES = {
    "piped": "Nước máy",
    "drilled_well": "Giếng khoan",
    "protected_dug_well": "Giếng đào được bảo vệ",
    "protected_spring": "Nước khe/mó được bảo vệ",
    "rain": "Nước mưa",
    "bought": "Nước mua (bình, xe bồn)",
    "unprotected_dug_well": "Giếng đào không được bảo vệ",
    "unprotected_spring": "Nước khe/mó không được bảo vệ",
    "surface": "Nước sông, suối, ao, hồ",
    "other": "Nguồn khác",
}
LATRINES = {
    "septic": "Tự hoại",
    "semi_septic": "Bán tự hoại",
    "pour_flush": "Dội nước",
    "double_vault": "Hai ngăn",
    "ventilated_pit": "Chìm có ống thông hơi",
    "simple_pit": "Hố xí đơn giản/thùng",
    "none": "Không có nhà vệ sinh",
    "other": "Loại khác",
}
WASTE_HANDLING = {
    "collected": "Được thu gom",
    "treated_on_site": "Tự xử lý hợp vệ sinh (ủ, chôn lấp đúng cách)",
    "burned": "Đốt lộ thiên",
    "dumped": "Vứt bừa bãi",
    "other": "Cách khác",
}
DEVICES = {
    "tv": "Ti vi",
    "radio": "Radio",
    "computer": "Máy tính",
    "phone": "Điện thoại",
    "smartphone": "Điện thoại thông minh",
    "loudspeaker": "Loa truyền thanh thôn",
}
CAUSES = {
    "no_land": "Thiếu đất sản xuất",
    "no_capital": "Thiếu vốn",
    "no_labour": "Thiếu lao động",
    "no_tools": "Thiếu phương tiện sản xuất",
    "no_knowledge": "Thiếu kiến thức sản xuất",
    "no_skills": "Thiếu kỹ năng lao động, tay nghề",
    "illness": "Có người ốm đau, bệnh nặng, tai nạn",
    "other": "Nguyên nhân khác",
}
NEEDS = {
    "capital": "Vay vốn ưu đãi",
    "vocational_training": "Đào tạo nghề",
    "job": "Giới thiệu việc làm",
    "housing": "Hỗ trợ nhà ở",
    "water_sanitation": "Nước sạch, nhà vệ sinh",
    "health_insurance": "Thẻ BHYT",
    "education": "Hỗ trợ học tập",
    "production": "Hỗ trợ sản xuất (giống, vật nuôi, công cụ)",
    "devices": "Phương tiện tiếp cận thông tin",
    "social_assistance": "Trợ cấp xã hội",
    "other": "Khác",
}

# --- Member facts ---------------------------------------------------------------------------
RELATIONS = {
    "head": "Chủ hộ",
    "spouse": "Vợ/Chồng",
    "child": "Con",
    "parent": "Bố/Mẹ",
    "grandchild": "Cháu",
    "sibling": "Anh/Chị/Em",
    "other": "Khác",
}
SEXES = {"male": "Nam", "female": "Nữ"}
EDUCATION_LEVELS = {
    "none": "Chưa đi học / chưa tốt nghiệp tiểu học",
    "primary": "Tiểu học",
    "lower_secondary": "Trung học cơ sở",
    "upper_secondary": "Trung học phổ thông",
    "vocational": "Chứng chỉ / trung cấp nghề",
    "college": "Cao đẳng",
    "university": "Đại học trở lên",
}
EMPLOYMENT = {
    "contract": "Làm công ăn lương có hợp đồng",
    "no_contract": "Làm công ăn lương không có hợp đồng",
    "self_employed": "Tự làm (nông nghiệp, kinh doanh)",
    "unemployed": "Thất nghiệp",
    "student": "Đi học",
    "not_working": "Không làm việc (nội trợ, hưu, ốm…)",
}
MEMBER_STATUSES = {"present": "Đang ở", "died": "Đã mất", "left": "Đã chuyển đi"}
HOUSEHOLD_STATUSES = {
    "active": "Đang quản lý",
    "moved_away": "Đã chuyển đi",
    "merged": "Đã gộp (trùng)",
    "dissolved": "Không còn",
}

EVENT_KINDS = {
    "became_poor": "Công nhận hộ nghèo",
    "became_near_poor": "Công nhận hộ cận nghèo",
    "poor_to_near_poor": "Chuyển từ hộ nghèo sang cận nghèo",
    "near_poor_to_poor": "Chuyển từ hộ cận nghèo sang hộ nghèo",
    "exited_poverty": "Thoát nghèo",
    "exited_near_poverty": "Thoát cận nghèo",
    "moved_away": "Chuyển đi",
    "moved_in": "Chuyển đến",
    "member_died": "Thành viên mất",
    "member_left": "Thành viên chuyển đi",
    "member_born": "Thành viên mới sinh",
    "merged_duplicate": "Gộp hồ sơ trùng",
    "id_corrected": "Sửa số định danh",
    "released": "Giao cho đơn vị khác",
    "claimed": "Nhận từ đơn vị khác",
    "cccd_duplicate_kept": "Giữ số CCCD trùng với hộ khác (có lý do)",
}

# Facts the evaluator reads from a household row and from each member row (the contract).
HOUSEHOLD_FACT_FIELDS = (
    "income_month",  # total household income, VND per month
    "floor_area_m2",
    "wall_durable",
    "frame_durable",
    "roof_durable",
    "water_source",
    "latrine",
    "devices",  # list of DEVICES codes
    "uses_telecom",  # any member uses telephone/internet services
    "uses_digital_services",  # any member uses online public services, e-payments… (2027 standard)
    "waste_handling",
)
MEMBER_FACT_FIELDS = (
    "full_name",
    "birth_date",
    "relation",
    "able_to_work",
    "employment",
    "has_health_insurance",
    "education_level",
    "in_school",
    "malnourished",
    "disabled",
    "status",
)


@dataclass
class Member:
    full_name: str
    birth_date: str | None = None  # ISO yyyy-mm-dd (1 January when only the year is known)
    birth_year_only: bool = False  # only the birth year is known: shown and printed as yyyy
    id: str = ""
    sex: str | None = None
    cccd: str | None = None
    cccd_date: str | None = None
    relation: str | None = None
    ethnicity: str | None = "Kinh"
    education_level: str | None = None
    in_school: bool | None = None
    employment: str | None = None
    able_to_work: bool | None = None
    has_health_insurance: bool | None = None
    malnourished: bool | None = None
    disabled: bool | None = None
    social_allowance: bool | None = None
    merit_status: bool | None = None
    wants_job_support: bool | None = None
    got_job_support: bool | None = None
    got_job: bool | None = None
    status: str = "present"


@dataclass
class Household:
    unit_code: str
    id: str = ""
    village: str = ""
    address: str = ""
    household_code: str = ""
    area_type: str | None = None  # None: follow the unit's kind
    income_month: int | None = None
    floor_area_m2: float | None = None
    wall_durable: bool | None = None
    frame_durable: bool | None = None
    roof_durable: bool | None = None
    water_source: str | None = None
    latrine: str | None = None
    devices: list[str] | None = None
    uses_telecom: bool | None = None
    uses_digital_services: bool | None = None
    waste_handling: str | None = None
    land_area_m2: float | None = None
    is_merit: bool = False
    no_labour_capacity: bool = False
    is_ethnic_minority: bool = False
    is_average_farm: bool = False
    able_to_exit: bool | None = None
    able_to_exit_reason: str = ""
    causes: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    needs_text: str = ""
    category: str | None = None
    status: str = "active"
    members: list[Member] = field(default_factory=list)

    def as_facts(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in HOUSEHOLD_FACT_FIELDS}
