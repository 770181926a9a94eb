"""Data of the summary reports (plan table and results, deprivation, movements, groups, support).

Each function takes the report :class:`~cannngheo_desktop.documents.context.Context`, reads through
the capabilities' queries and returns plain data for ``render/``.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..core.errors import NotFoundError
from ..core.model import CATEGORY_LABELS, CAUSES, NEAR_POOR, POOR
from ..core.standards import evaluate
from ..core.text import fold
from ..plan import appendix, plans, tracker_queries
from ..plan.allocation import rate_percent
from ..plan.objectives import years_before
from ..plan.progress import BEHIND
from ..storage import assessments, rulesets
from ..storage.reference import get_unit, short_unit_name
from . import queries as rq
from .context import Context, place_name, ubnd
from .render import summary
from .render.charts import target_vs_achieved
from .render.plan_table import PlanTable
from .render.summary import Section, SummaryReport
from .render.xlsx_base import Column

SIGNATURE = ("Người lập biểu", "Thủ trưởng đơn vị")
SECTION_CATEGORIES = ((NEAR_POOR, "Hộ cận nghèo"), (POOR, "Hộ nghèo"))


def _report(ctx: Context, title: str, columns: list[Column], sections: list[Section], *, subtitle: str = "",
            landscape: bool = False, notes: tuple[str, ...] = (), sheet: str = "Bao cao") -> SummaryReport:
    return SummaryReport(title=title, columns=columns, sections=sections, unit_lines=ctx.unit_lines,
                         subtitle=subtitle, place=ctx.place, on=ctx.on, notes=notes, signature=SIGNATURE,
                         landscape=landscape, sheet_name=sheet)


# --- plans --------------------------------------------------------------------------------------
def _plan(ctx: Context) -> dict[str, Any]:
    year = ctx.params.year
    if year is None:
        found = plans.list_plans(ctx.store)
        if not found:
            raise NotFoundError("Chưa có kế hoạch nào. Hãy tạo kế hoạch trước khi in báo cáo kế hoạch.")
        year = int(found[0]["year"])
    return plans.get_plan(ctx.store, tracker_queries.resolve_plan(ctx.store, None, year))


def plan_table_report(ctx: Context) -> PlanTable:
    """The appendix table of the year's plan, from ``storage.plans.plan_table`` (rates as stored)."""
    plan = _plan(ctx)
    owner = get_unit(ctx.store, plan["unit_code"], plan.get("baseline_date")) or {"name": plan["unit_code"]}
    doc_date = date.fromisoformat(plan["doc_date"]) if plan.get("doc_date") else None
    return PlanTable.from_rows(appendix.plan_table(ctx.store, plan["id"]), year=int(plan["year"]),
                               parent_name=ubnd(owner["name"]), doc_no=plan.get("doc_no") or "",
                               doc_date=doc_date, place=place_name(owner["name"]))


MISSED = "không đạt"  # a unit behind its target when the plan year is over

PLAN_RESULT_COLUMNS = [
    Column("TT", 5, "int", "center"), Column("Đơn vị", 18), Column("Hộ cận nghèo đầu năm", 11, "int"),
    Column("Chỉ tiêu giảm", 10, "int"), Column("Đã thoát cận nghèo", 10, "int"),
    Column("Hộ cận nghèo mới", 10, "int"), Column("Chuyển sang hộ nghèo", 10, "int"),
    Column("Tăng (+) / giảm (−) thuần", 11, "int"), Column("% chỉ tiêu", 9, "percent"),
    Column("Trạng thái", 12, align="center"),
]


def _plan_progress(ctx: Context) -> tuple[dict[str, Any], Any]:
    plan = _plan(ctx)
    year = int(plan["year"])
    as_of = ctx.params.on or min(date(year, 12, 31), max(date.today(), date(year, 1, 1)))
    return plan, tracker_queries.progress(ctx.store, plan["id"], as_of)


def plan_results_report(ctx: Context, progress: Any = None, plan: dict[str, Any] | None = None) -> SummaryReport:
    """Per unit: baseline, target, exited, new, to poor, net, % of target, status; SUM totals."""
    if progress is None:
        plan, progress = _plan_progress(ctx)
    assert plan is not None
    units = [u for u in progress.units if ctx.params.unit_code in (None, u.unit_code)]
    year_over = progress.as_of >= date(int(progress.year), 12, 31)

    def word(status: str) -> str:  # at the year's end a miss is a miss, not "late"
        return MISSED if year_over and status == BEHIND else status

    rows = [[i, u.unit_name, u.baseline, u.target, u.exited, u.new, u.to_poor, u.net_change,
             u.percent_of_target, word(u.status)] for i, u in enumerate(units, start=1)]
    t = progress.total
    section = Section(rows, total_label="Tổng cộng", sum_columns=(2, 3, 4, 5, 6, 7),
                      total_values={8: t.percent_of_target, 9: word(t.status)}) if len(units) > 1 else Section(rows)
    subtitle = f"Kế hoạch {plan.get('doc_no') or ''} — tính đến ngày {progress.as_of:%d/%m/%Y}".replace("  ", " ")
    return _report(ctx, f"Kết quả thực hiện kế hoạch giảm hộ cận nghèo năm {progress.year}", PLAN_RESULT_COLUMNS,
                   [section], subtitle=subtitle, landscape=True, sheet="Ket qua KH",
                   notes=(("Trạng thái: 'đạt' khi số hộ thoát đạt chỉ tiêu; 'không đạt' khi hết năm mà chưa đạt."
                           if year_over else
                           "Trạng thái: 'đạt' khi số hộ thoát đạt chỉ tiêu; 'đúng tiến độ' khi đạt mức kỳ vọng "
                           "theo thời gian trong năm; 'chậm' khi chưa đạt."),))


def plan_results_pdf(ctx: Context, out: Path) -> Path:
    """The plan results as a landscape PDF with a bar chart (target vs exited per unit)."""
    plan, progress = _plan_progress(ctx)
    report = plan_results_report(ctx, progress, plan)
    units = [u for u in progress.units if ctx.params.unit_code in (None, u.unit_code)]
    from .render import pdf_base

    chart = target_vs_achieved([short_unit_name(u.unit_name) for u in units], [u.target for u in units], [u.exited for u in units],
                               width=pdf_base.PageSetup(landscape=True).frame_width)
    return summary.write_pdf(report, out, extra=[chart])


# --- deprivation ---------------------------------------------------------------------------------
def _evaluate_now(ctx: Context, ruleset: Any) -> list[dict[str, Any]]:
    """Evaluate every active household on the fly (no assessments stored under the ruleset)."""
    kinds = assessments.UnitKinds(ctx.store)
    out = []
    for chunk in assessments.iter_households(ctx.store, unit_code=ctx.params.unit_code):
        for household, members in chunk:
            ev = evaluate(household, members, ruleset, ctx.on, kinds.area_type(household, ctx.on))
            out.append({"category": ev.category,
                        "results": [{"code": r.code, "status": r.status} for r in ev.indicators]})
    return out


def deprivation_report(ctx: Context) -> SummaryReport:
    """Per indicator: poor and near-poor households deprived (count, % of the category)."""
    code = ctx.params.ruleset or rq.most_used_ruleset(ctx.store)
    if code is None:
        found = rulesets.rulesets_for(ctx.store, ctx.on)
        if not found:
            raise NotFoundError("Chưa có bộ chuẩn nghèo nào áp dụng cho ngày báo cáo. Hãy chọn bộ chuẩn.")
        code = found[0].code
    ruleset = rulesets.get_ruleset(ctx.store, code)
    rows = rq.latest_results(ctx.store, code, ctx.params.unit_code)
    source = "theo lần đánh giá gần nhất của từng hộ"
    if not rows:
        rows = _evaluate_now(ctx, ruleset)
        source = f"đánh giá tại ngày {ctx.on:%d/%m/%Y} (chưa lưu)"
    totals = Counter(r["category"] for r in rows)
    deprived: Counter = Counter()
    for r in rows:
        for verdict in r["results"]:
            if verdict.get("status") == "deprived":
                deprived[(r["category"], verdict["code"])] += 1
    table = []
    for i, ind in enumerate(ruleset.indicators, start=1):
        poor, near = deprived[(POOR, ind.code)], deprived[(NEAR_POOR, ind.code)]
        table.append([i, ind.dimension, ind.name, poor, rate_percent(poor, totals[POOR]),
                      near, rate_percent(near, totals[NEAR_POOR])])
    columns = [Column("TT", 5, "int", "center"), Column("Chiều thiếu hụt", 14), Column("Chỉ số", 26),
               Column("Hộ nghèo thiếu hụt (hộ)", 11, "int"), Column("Tỉ lệ so với hộ nghèo (%)", 11, "percent"),
               Column("Hộ cận nghèo thiếu hụt (hộ)", 11, "int"),
               Column("Tỉ lệ so với hộ cận nghèo (%)", 11, "percent")]
    section = Section(table, total_label="Tổng số hộ", total_values={3: totals[POOR], 5: totals[NEAR_POOR]}, label_column=2)
    report = _report(ctx, "Phân tích thiếu hụt các dịch vụ xã hội cơ bản", columns, [section],
                     subtitle=f"{ctx.unit_name} — {ruleset_title(ruleset.name)} ({code}), {source}",
                     sheet="Thieu hut", notes=("Tỉ lệ = số hộ thiếu hụt chỉ số / tổng số hộ cùng phân loại × 100.",))
    report.draft = not ruleset.confirmed  # said once, in the title and the watermark
    return report


def ruleset_title(name: str) -> str:
    """A ruleset's name without its working note "(chờ xác nhận)": a document built on an
    unconfirmed ruleset is marked as a draft as a whole instead."""
    return name.replace(" (chờ xác nhận)", "").replace("(chờ xác nhận)", "").strip()


def vn_sort_key(name: str) -> str:
    """Units in the order the customer's appendix uses: tone marks ignored, Đ as D."""
    return fold(name)


# --- movements -----------------------------------------------------------------------------------
MOVES = {  # category: (new, from other category, exited, to other category)
    NEAR_POOR: ("became_near_poor", "poor_to_near_poor", "exited_near_poverty", "near_poor_to_poor"),
    POOR: ("became_poor", "near_poor_to_poor", "exited_poverty", "poor_to_near_poor"),
}


def period(ctx: Context) -> tuple[date, date]:
    """--from (default 1/1 of the year) to --date (default 31/12 of the year)."""
    year = ctx.params.report_year()
    start = ctx.params.start or date(year, 1, 1)
    end = ctx.params.on or date(year, 12, 31)
    if end < start:
        from ..core.errors import ValidationError

        raise ValidationError(f"Kỳ báo cáo sai: ngày cuối {end:%d/%m/%Y} trước ngày đầu {start:%d/%m/%Y}.",
                              field="period")
    return start, end


def movements_report(ctx: Context) -> SummaryReport:
    """Per unit and category: start of period, new, from the other category, exited, to the
    other category, end of period (categories from household events)."""
    start, end = period(ctx)
    unit = ctx.params.unit_code
    before = rq.categories_at(ctx.store, start - timedelta(days=1), unit)
    after = rq.categories_at(ctx.store, end, unit)
    events = rq.event_counts(ctx.store, start, end, unit)
    codes = sorted(set(before) | set(after) | set(events), key=lambda c: vn_sort_key(short_unit_name(ctx.name_of(c))))
    sections = []
    for category, label in SECTION_CATEGORIES:
        if ctx.params.category not in (None, category):
            continue
        kinds = MOVES[category]
        rows = [[i, ctx.name_of(code), before.get(code, {}).get(category, 0),
                 *[events.get(code, {}).get(k, 0) for k in kinds], after.get(code, {}).get(category, 0)]
                for i, code in enumerate(codes, start=1)]
        sections.append(Section(rows, title=label, total_label="Tổng cộng", sum_columns=(2, 3, 4, 5, 6, 7)))
    columns = [Column("TT", 5, "int", "center"), Column("Đơn vị", 20), Column("Đầu kỳ", 9, "int"),
               Column("Mới công nhận", 10, "int"), Column("Chuyển từ loại khác sang", 11, "int"),
               Column("Thoát", 9, "int"), Column("Chuyển sang loại khác", 11, "int"), Column("Cuối kỳ", 9, "int")]
    return _report(ctx, "Biến động hộ nghèo, hộ cận nghèo", columns, sections, sheet="Bien dong",
                   subtitle=f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}",
                   notes=("Đầu kỳ, cuối kỳ: phân loại của hộ theo sự kiện gần nhất trước ngày đầu kỳ / "
                          "đến ngày cuối kỳ; các cột biến động đếm số hộ có sự kiện trong kỳ.",))


# --- groups --------------------------------------------------------------------------------------
def groups_report(ctx: Context) -> SummaryReport:
    """Households by cause and group, and children (< 16) without insurance, malnourished,
    not at school (3–15), for poor and near-poor households."""
    unit = ctx.params.unit_code
    households = [h for h in rq.group_rows(ctx.store, unit) if h["category"] in (POOR, NEAR_POOR)]
    counts: Counter = Counter()
    for h in households:
        for cause in set(_json_list(h["causes"])):
            counts[("cause", cause, h["category"])] += 1
        for flag in ("is_merit", "no_labour_capacity", "is_ethnic_minority"):
            if h[flag]:
                counts[("group", flag, h["category"])] += 1
    school_from = years_before(ctx.on, 3).isoformat()
    for m in rq.child_rows(ctx.store, years_before(ctx.on, 16), unit):
        cat = m["category"]
        counts[("child", "no_insurance", cat)] += m["has_health_insurance"] == 0
        counts[("child", "malnourished", cat)] += m["malnourished"] == 1
        counts[("child", "not_at_school", cat)] += m["in_school"] == 0 and (m["birth_date"] or "") <= school_from

    def rows(kind: str, items: dict[str, str], measure: str) -> list[list[Any]]:
        out = []
        for i, (code, label) in enumerate(items.items(), start=1):
            poor, near = counts[(kind, code, POOR)], counts[(kind, code, NEAR_POOR)]
            out.append([i, label, measure, poor, near, poor + near])
        return out

    groups = {"is_merit": "Hộ người có công với cách mạng", "no_labour_capacity": "Hộ không có khả năng lao động",
              "is_ethnic_minority": "Hộ dân tộc thiểu số"}
    children = {"no_insurance": "Trẻ em dưới 16 tuổi chưa có thẻ BHYT",
                "malnourished": "Trẻ em dưới 16 tuổi suy dinh dưỡng",
                "not_at_school": "Trẻ em từ 3 đến dưới 16 tuổi không đi học"}
    columns = [Column("TT", 5, "int", "center"), Column("Nội dung", 38), Column("Đơn vị tính", 8, align="center"),
               Column("Hộ nghèo", 10, "int"), Column("Hộ cận nghèo", 10, "int"), Column("Cộng", 10, "int")]
    sections = [Section(rows("cause", CAUSES, "hộ"), title="I. Theo nguyên nhân nghèo"),
                Section(rows("group", groups, "hộ"), title="II. Theo nhóm đối tượng"),
                Section(rows("child", children, "người"), title="III. Trẻ em")]
    totals = Counter(h["category"] for h in households)
    return _report(ctx, "Hộ nghèo, hộ cận nghèo theo nguyên nhân và nhóm đối tượng", columns, sections,
                   subtitle=f"{ctx.unit_name} — {CATEGORY_LABELS[POOR]}: {totals[POOR]} hộ; "
                            f"{CATEGORY_LABELS[NEAR_POOR]}: {totals[NEAR_POOR]} hộ (tính đến {ctx.on:%d/%m/%Y})",
                   notes=("Một hộ có thể có nhiều nguyên nhân nghèo.",), sheet="Nhom doi tuong")


def _json_list(value: Any) -> list[str]:
    import json

    if not value:
        return []
    if isinstance(value, list):
        return value
    try:
        parsed = json.loads(value)
    except ValueError:
        return []
    return parsed if isinstance(parsed, list) else []


# --- support -------------------------------------------------------------------------------------
def support_report(ctx: Context) -> SummaryReport:
    """Support actions by measure and by responsible body: count, done, amount of done (VND)."""
    year = ctx.params.year
    sections = []
    for i, (by, title) in enumerate((("measure", "I. Theo chính sách hỗ trợ"), ("body", "II. Theo cơ quan thực hiện"))):
        data = rq.support_totals(ctx.store, year, ctx.params.unit_code, by)
        rows = [[k, r["name"] or r["code"] or "(chưa ghi)", r["count"], r["done"], r["amount"]]
                for k, r in enumerate(data, start=1)]
        sections.append(Section(rows, title=title, total_label=f"Cộng {'I' if i == 0 else 'II'}",
                                sum_columns=(2, 3, 4)))
    columns = [Column("TT", 5, "int", "center"), Column("Nội dung", 48), Column("Số lượt hỗ trợ", 10, "int"),
               Column("Đã hoàn thành", 10, "int"), Column("Số tiền đã hỗ trợ (đồng)", 16, "money")]
    when = f"năm {year}" if year else "tất cả các năm"
    return _report(ctx, "Kết quả thực hiện các chính sách hỗ trợ", columns, sections, sheet="Ho tro",
                   subtitle=f"{ctx.unit_name} — {when}",
                   notes=("Không tính các hoạt động đã hủy. Số tiền: tổng số tiền của các hoạt động đã hoàn thành.",))
