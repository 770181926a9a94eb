"""The "who changes category under the new standard" report (issue 3).

Every active household of the chosen unit (or all) is evaluated under two rulesets on the same
date: the one in force (the province's local line when it has one) and the newer one. The
report counts the moves from category to category and lists every household that changes,
with what made the difference (income line, indicators dropped, added or judged differently).
Reads through ``storage`` (no SQL here); ``render.summary`` writes the Excel and PDF files.
"""

from __future__ import annotations

from ..core.errors import ValidationError
from ..core.model import CATEGORY_LABELS
from ..core.progress import Progress
from ..core.standards import Ruleset, current_and_next
from ..core.text import format_date
from ..storage import assessments, installation, reference, rulesets
from . import queries as rq
from .context import Context
from .render.summary import Section, SummaryReport
from .render.xlsx_base import Column
from .summaries import ruleset_title

COLUMNS = [Column("TT", 5, "int", "center"), Column("Mã hộ", 17), Column("Chủ hộ", 20), Column("Thôn/Tổ", 10),
           Column("Đơn vị", 16), Column("Phân loại hiện nay", 15), Column("Phân loại theo chuẩn mới", 15),
           Column("Điều làm thay đổi", 62)]


def default_rulesets(ctx: Context) -> tuple[Ruleset, Ruleset]:
    """(in force, newer): the user's choices, else the ruleset in force on the report date (the
    province's own first) and the next national one (core.standards.current_and_next)."""
    store, p = ctx.store, ctx.params
    inst = installation.current(store)
    province = reference.province_code(store, p.unit_code or (inst.unit_code if inst else None))
    in_force, upcoming = current_and_next(rulesets.list_rulesets(store), ctx.on, province)
    current = rulesets.get_ruleset(store, p.compare_to) if p.compare_to else in_force
    if current is None:
        raise ValidationError("Không có bộ chuẩn nghèo nào áp dụng tại ngày báo cáo. Hãy chọn bộ chuẩn so sánh.",
                              field="compare")
    newer = rulesets.get_ruleset(store, p.ruleset) if p.ruleset else upcoming
    if newer is None:
        raise ValidationError(f"Chưa có bộ chuẩn nào mới hơn {current.code} để so sánh. "
                              "Hãy chọn bộ chuẩn nghèo cần so sánh.", field="ruleset")
    if newer.code == current.code:
        raise ValidationError(f"Hãy chọn hai bộ chuẩn khác nhau (đang chọn {current.code} cho cả hai).",
                              field="ruleset")
    return current, newer


def ruleset_change_report(ctx: Context, progress: Progress | None = None) -> SummaryReport:
    """Transition counts (in the notes) and the households that change category, with why."""
    current, newer = default_rulesets(ctx)
    p = ctx.params
    ids = rq.list_ids(ctx.store, unit_code=p.unit_code, category=p.category) if p.category else None
    cmp = assessments.compare_rulesets(ctx.store, current.code, newer.code, ctx.on, unit_code=p.unit_code,
                                       household_ids=ids, progress=progress)
    only = f", chỉ {CATEGORY_LABELS[p.category].lower()} hiện nay" if p.category else ""
    names = ctx.unit_names()
    changed = sorted(cmp.changed, key=lambda c: (names.get(c.unit_code, c.unit_code), c.village, c.household_code))
    rows = [[n, c.household_code, c.head_name, c.village, names.get(c.unit_code, c.unit_code),
             CATEGORY_LABELS[c.category_a], CATEGORY_LABELS[c.category_b], ";\n".join(c.reasons)]
            for n, c in enumerate(changed, start=1)]
    moves = sorted(((a, b, n) for (a, b), n in cmp.transitions.items() if a != b), key=lambda m: -m[2])
    notes = [f"Đánh giá {cmp.total} hộ đang quản lý tại ngày {format_date(ctx.on)} theo hai bộ chuẩn: "
             f"{ruleset_title(current.name)} ({current.code}) và {ruleset_title(newer.name)} ({newer.code}). "
             f"{len(changed)} hộ thay đổi phân loại, {cmp.total - len(changed)} hộ giữ nguyên."]
    notes += [f"{CATEGORY_LABELS[a]} → {CATEGORY_LABELS[b]}: {n} hộ" for a, b, n in moves]
    if cmp.skipped:
        notes.append(f"{len(cmp.skipped)} hộ không đánh giá được (thiếu đơn vị hoặc khu vực): "
                     + "; ".join(f"{h}: {m}" for h, m in cmp.skipped[:5]) + ("…" if len(cmp.skipped) > 5 else ""))
    return SummaryReport(
        title="Danh sách hộ thay đổi phân loại khi áp dụng chuẩn nghèo mới", columns=COLUMNS,
        sections=[Section(rows or [[None, "Không có hộ nào thay đổi phân loại", None, None, None, None, None, None]])],
        unit_lines=ctx.unit_lines,
        subtitle=(f"{current.code} → {newer.code} — {ctx.unit_name or 'tất cả đơn vị'}{only}: {len(changed)}/{cmp.total} hộ "
                  "thay đổi phân loại (tổng hợp ở cuối danh sách)"),
        place=ctx.place, on=ctx.on, notes=notes, landscape=True, sheet_name="Thay doi phan loai",
        draft=not (current.confirmed and newer.confirmed))
