"""Data of the household profile (hồ sơ hộ): one household's record turned into printed text.

Reads through ``storage`` (detail, support actions, events, audit summary) and returns
:class:`~cannngheo_desktop.documents.render.profile_pdf.Profile` objects for the canvas writer. Batch
profiles read households and members in chunks of 200.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..core.errors import NotFoundError
from ..core.household_checks import format_birth
from ..core.model import (
    AREA_LABELS,
    CATEGORY_LABELS,
    CAUSES,
    DEVICES,
    EDUCATION_LEVELS,
    EMPLOYMENT,
    EVENT_KINDS,
    LATRINES,
    NEAR_POOR,
    NEEDS,
    POOR,
    RELATIONS,
    SEXES,
    WATER_SOURCES,
)
from ..core.text import format_date, format_vnd
from ..plan import support
from ..registry import queries as registry_queries
from ..storage import rulesets
from . import queries as rq
from .context import Context, place_name, ubnd
from .render.profile_pdf import Profile, Table, today_line

STATUS_WORDS = {"deprived": "Thiếu hụt", "not_deprived": "Không", "undetermined": "Chưa đủ thông tin"}
MAX_EVENTS = 6


def _list(value: Any) -> list[str]:
    if isinstance(value, list):
        return value
    try:
        parsed = json.loads(value) if value else []
    except ValueError:
        return []
    return parsed if isinstance(parsed, list) else []


def _yes(value: Any, yes: str = "Có", no: str = "Không") -> str:
    return "" if value is None else (yes if value else no)


def _labels(codes: Sequence[str], names: Mapping[str, str]) -> str:
    return ", ".join(names.get(c, c) for c in codes)


def general(household: Mapping[str, Any], unit_name: str, members: Sequence[Mapping[str, Any]]) -> list[tuple[str, Any]]:
    """Section I: who and where the household is, its category and groups."""
    category = CATEGORY_LABELS.get(household.get("category") or "", "")
    if household.get("category_since"):
        category += f" (từ {format_date(household['category_since'])})"
    groups = [label for flag, label in (("is_merit", "người có công"), ("no_labour_capacity", "không có khả năng lao động"),
                                        ("is_ethnic_minority", "dân tộc thiểu số"),
                                        ("is_average_farm", "nông nghiệp có mức sống trung bình")) if household.get(flag)]
    certificate = household.get("certificate_no") or ""
    if household.get("certificate_date"):
        certificate += f" ngày {format_date(household['certificate_date'])}"
    able = _yes(household.get("able_to_exit"), "Có khả năng thoát trong năm", "Chưa có khả năng thoát")
    if household.get("able_to_exit_reason"):
        able += f" — {household['able_to_exit_reason']}"
    return [("Mã hộ", household.get("household_code")), ("Chủ hộ", household.get("head_name")),
            ("Đơn vị", unit_name), ("Thôn/Tổ", household.get("village")),
            ("Địa chỉ", household.get("address")),
            ("Khu vực", AREA_LABELS.get(household.get("area_type") or "", "theo đơn vị")),
            ("Số nhân khẩu", len(members)), ("Phân loại", category), ("Giấy chứng nhận", certificate),
            ("Nhóm đối tượng", ", ".join(groups) or "không"),
            ("Nguyên nhân nghèo", _labels(_list(household.get("causes")), CAUSES)),
            ("Nhu cầu hỗ trợ", ", ".join(filter(None, [_labels(_list(household.get("needs")), NEEDS),
                                                       household.get("needs_text") or ""]))),
            ("Khả năng thoát", able)]


def members_table(members: Sequence[Mapping[str, Any]]) -> Table:
    """Section II: one row per present member."""
    rows = [[i, m.get("full_name"), RELATIONS.get(m.get("relation") or "", ""), SEXES.get(m.get("sex") or "", ""),
             format_birth(m.get("birth_date"), m.get("birth_year_only")), m.get("cccd") or "", m.get("ethnicity") or "",
             EDUCATION_LEVELS.get(m.get("education_level") or "", "") + (" (đi học)" if m.get("in_school") else ""),
             EMPLOYMENT.get(m.get("employment") or "", ""), _yes(m.get("has_health_insurance"))]
            for i, m in enumerate(members, start=1)]
    return Table(["TT", "Họ và tên", "Quan hệ", "Giới", "Ngày sinh", "Số CCCD", "Dân tộc", "Học vấn",
                  "Việc làm", "BHYT"], [6, 31, 14, 7, 16, 21, 11, 33, 34, 7], rows)


def living(household: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Section III: housing, water, latrine, devices, land, income."""
    parts = [name for field, name in (("wall_durable", "tường"), ("frame_durable", "khung, cột"),
                                      ("roof_durable", "mái")) if household.get(field) == 0]
    durable = "Bền chắc" if not parts and household.get("wall_durable") is not None else (
        f"Không bền chắc: {', '.join(parts)}" if parts else "")
    area = household.get("floor_area_m2")
    return [("Diện tích nhà ở", f"{area:g} m²" if area is not None else ""), ("Chất lượng nhà ở", durable),
            ("Nguồn nước sinh hoạt", WATER_SOURCES.get(household.get("water_source") or "", "")),
            ("Nhà vệ sinh", LATRINES.get(household.get("latrine") or "", "")),
            ("Phương tiện thông tin", _labels(_list(household.get("devices")), DEVICES)),
            ("Dùng dịch vụ viễn thông", _yes(household.get("uses_telecom"))),
            ("Đất sản xuất", f"{household['land_area_m2']:g} m²" if household.get("land_area_m2") else "không"),
            ("Thu nhập của hộ", f"{format_vnd(household['income_month'])} đồng/tháng"
             if household.get("income_month") is not None else "")]


class _Indicators:
    """Indicator names per ruleset, read once per batch."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.cache: dict[str, tuple[str, dict[str, str]]] = {}
        self.unconfirmed: dict[str, bool] = {}

    def names(self, code: str) -> tuple[str, dict[str, str]]:
        if code not in self.cache:
            try:
                rs = rulesets.get_ruleset(self.store, code)
                # "(chờ xác nhận)" in a ruleset's name is a working note: a document says it once,
                # as a draft (title + watermark), not in its cells.
                name = re.sub(r"\s*\(chờ xác nhận\)", "", rs.name).strip()
                self.cache[code] = (name, {i.code: i.name for i in rs.indicators})
                self.unconfirmed[code] = not rs.confirmed
            except NotFoundError:
                self.cache[code] = (code, {})
        return self.cache[code]

    def confirmed(self, code: str) -> bool:
        """Whether ruleset ``code`` is confirmed (an unknown code counts as not confirmed)."""
        self.names(code)
        return not self.unconfirmed.get(code, True)


def assessment_parts(assessment: Mapping[str, Any] | None, indicators: _Indicators) -> list[tuple[str, Any]]:
    """Section IV: the latest assessment's summary and a table of verdicts with reasons."""
    if not assessment:
        return [("", [("Kết quả", "Hộ chưa được đánh giá theo chuẩn nghèo")])]
    name, names = indicators.names(assessment["ruleset_code"])
    head = [("Bộ chuẩn", f"{name} ({assessment['ruleset_code']})"), ("Ngày đánh giá", format_date(assessment["assessed_on"])),
            ("Kết quả", CATEGORY_LABELS.get(assessment["category"], assessment["category"])),
            ("Số chỉ số thiếu hụt", assessment.get("deprivation_count")),
            ("Thu nhập bình quân", f"{format_vnd(assessment.get('income_per_person'))} đồng/người/tháng")]
    rows = [[i, names.get(r["code"], r["code"]), STATUS_WORDS.get(r.get("status"), r.get("status") or ""),
             r.get("reason") or ""] for i, r in enumerate(assessment.get("results") or [], start=1)]
    return [("", head), ("", Table(["TT", "Chỉ số", "Kết quả", "Lý do"], [6, 56, 20, 98], rows, wrap_col=3))]


def support_table(actions: Sequence[Mapping[str, Any]]) -> Table:
    """Section V: planned and done support actions."""
    rows = [[i, a.get("measure_name") or a.get("measure_code"), support.STATUS_LABELS.get(a["status"], a["status"]),
             format_date(a.get("planned_date")), format_date(a.get("done_date")),
             format_vnd(a["amount"]) if a.get("amount") is not None else ""]
            for i, a in enumerate(actions, start=1)]
    return Table(["TT", "Biện pháp hỗ trợ", "Trạng thái", "Ngày dự kiến", "Ngày xong", "Số tiền (đồng)"],
                 [6, 80, 24, 22, 22, 26], rows, empty_text="Chưa có kế hoạch hỗ trợ")


def history_parts(events: Sequence[Mapping[str, Any]], audit: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Section VI: how often the record changed, and the latest events."""
    last = format_date(audit.get("last_at")) if audit.get("last_at") else ""
    if last and audit.get("last_user"):
        last += f" ({audit['last_user']})"
    rows = [[format_date(e["event_date"]), EVENT_KINDS.get(e["kind"], e["kind"]), e.get("decision_no") or "",
             e.get("note") or ""] for e in list(events)[:MAX_EVENTS]]
    if len(events) > MAX_EVENTS:
        rows.append(["", f"… và {len(events) - MAX_EVENTS} sự kiện trước đó", "", ""])
    return [("", [("Số lần cập nhật hồ sơ", audit.get("changes", 0)), ("Cập nhật gần nhất", last)]),
            ("", Table(["Ngày", "Sự kiện", "Số quyết định", "Ghi chú"], [20, 55, 30, 75], rows,
                       empty_text="Chưa có sự kiện"))]


def build_profile(ctx: Context, household: Mapping[str, Any], members: Sequence[Mapping[str, Any]],
                  indicators: _Indicators) -> Profile:
    """The whole profile of one household."""
    store = ctx.store
    hid = household["id"]
    unit_name = ctx.name_of(household["unit_code"])
    category = household.get("category") or ""
    title = "Hồ sơ " + (CATEGORY_LABELS[category].lower() if category in (POOR, NEAR_POOR) else "hộ gia đình")
    sections: list[tuple[str, Any]] = [
        ("I. Thông tin chung về hộ", general({**household, "address": ctx.address_of(household)}, unit_name, members)),
        ("II. Thành viên của hộ", members_table(members)),
        ("III. Điều kiện sống", living(household))]
    sections.append(("IV. Kết quả đánh giá gần nhất", []))
    latest = registry_queries.latest_assessment(store, hid)
    sections += assessment_parts(latest, indicators)
    draft = latest is not None and not indicators.confirmed(latest["ruleset_code"])
    sections.append(("V. Kế hoạch hỗ trợ và kết quả thực hiện", support_table(support.list_actions(store, hid))))
    sections.append(("VI. Lịch sử thay đổi", []))
    sections += history_parts(registry_queries.list_events(store, hid), rq.audit_summary(store, hid))
    return Profile(unit_lines=(ubnd(unit_name).upper(), ""), date_line=today_line(place_name(unit_name), ctx.on),
                   draft=draft,
                   title=title, subtitle=f"Mã hộ {household.get('household_code') or ''} — {household.get('head_name') or ''}",
                   household_code=household.get("household_code") or hid[:8], sections=sections,
                   signature=("Người lập biểu", f"Xác nhận của {ubnd(unit_name)}"))


def profile_for(ctx: Context, household_id: str) -> Profile:
    """The profile of one household (present members only)."""
    for chunk in rq.iter_list(ctx.store, ids=[household_id]):
        for household, members in chunk:
            return build_profile(ctx, household, members, _Indicators(ctx.store))
    raise NotFoundError(f"Không tìm thấy hộ '{household_id}'.")


def profiles_for(ctx: Context, ids: Sequence[str]) -> Iterator[Profile]:
    """Profiles of many households, in the order of ``ids``, read in chunks."""
    indicators = _Indicators(ctx.store)
    for chunk in rq.iter_list(ctx.store, ids=list(ids), chunk=200):
        for household, members in chunk:
            yield build_profile(ctx, household, members, indicators)
