"""The report catalogue: what reports exist, what they ask for, and how each is built.

The Reports tab and ``cannngheo report`` both read :data:`CATALOGUE`. Each :class:`ReportSpec`
has a code, a Vietnamese title and description, the parameters it takes (``PARAM_LABELS``),
the formats it writes, and ``build(store, params, out_path, fmt, progress) -> Path``.
Builders gather plain data (summaries.py, profiles.py, ruleset_change.py, queries.py) and hand it
to ``render/``.

Unit names are those valid at the report date (GSO codes were re-used after 1/7/2025).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..core.errors import AppError, Cancelled, ValidationError
from ..core.model import NEAR_POOR, POOR
from ..core.personal_data import check_export_password, protect_xlsx
from ..core.progress import Progress, or_null
from ..storage.db import Store
from . import queries as rq
from .context import CATEGORY_FILTERS, POOR_OR_NEAR_POOR, Context, ReportParams, make_context
from .profiles import profile_for, profiles_for
from .render import summary
from .render.household_list import ListHeading, write_household_list
from .render.posting_list import PostingList, write_posting_list
from .render.profile_pdf import write_profiles
from .summaries import (
    deprivation_report,
    groups_report,
    movements_report,
    plan_results_pdf,
    plan_results_report,
    plan_table_report,
    support_report,
)

FORMATS = ("xlsx", "pdf")
# Reports that list households one by one: a category filter selects exactly those households.
LIST_REPORTS = ("household-list", "posting-list", "household-profiles")

@dataclass(frozen=True)
class ReportSpec:
    """One entry of the catalogue."""

    code: str
    title: str
    description: str
    params: tuple[str, ...]
    formats: tuple[str, ...]
    builder: Callable[[Context, Path, str, Progress], Path]

    def build(self, store: Store, params: ReportParams, out_path: Path | str, fmt: str | None = None,
              progress: Progress | None = None) -> Path:
        """Write the report to ``out_path`` (format from ``fmt`` or the file extension)."""
        out = Path(out_path)
        fmt = (fmt or out.suffix.lstrip(".") or self.formats[0]).lower()
        if fmt not in self.formats:
            raise ValidationError(
                f"Báo cáo '{self.title}' không xuất được dạng '{fmt}' (chỉ: {', '.join(self.formats)}). "
                "Hãy đổi đuôi tệp hoặc chọn --format.", field="format")
        if params.category and params.category not in CATEGORY_FILTERS:
            raise ValidationError(f"Phân loại '{params.category}' không hợp lệ (chọn: {', '.join(CATEGORY_FILTERS)}).",
                                  field="category")
        if params.category == POOR_OR_NEAR_POOR and self.code not in LIST_REPORTS:
            params = replace(params, category=None)  # the summaries count both categories anyway
        protect = fmt == "xlsx" and params.internal and "internal" in self.params
        if protect and not params.password:
            raise ValidationError(
                "Bản nội bộ dạng Excel có đầy đủ số định danh nên phải đặt mật khẩu cho tệp (dòng lệnh: "
                "--xlsx-password-file TỆP). Báo mật khẩu cho người nhận qua điện thoại, không gửi kèm tệp.",
                field="password")
        if protect:
            check_export_password(params.password or "")
        prog = or_null(progress)
        _check_replaceable(out)
        written = self.builder(make_context(store, params), out, fmt, prog)
        if protect:
            protect_xlsx(written, params.password or "")  # Decree 13/2023: full ID numbers locked
        return written


def _check_replaceable(out: Path) -> None:
    """Refuse at once, in words, an existing ``out`` that cannot be written over: on Windows a file
    open in Excel or a PDF viewer is locked (PermissionError), which would otherwise surface at the
    end of the report as an unexpected error. Opening it for update neither creates nor changes it."""
    if not out.exists():
        return
    try:
        with out.open("r+b"):
            pass
    except OSError as exc:
        raise AppError(
            f"Không ghi đè được tệp '{out}': tệp đang mở trong chương trình khác (Excel, trình xem PDF), "
            "chỉ cho đọc, hoặc là một thư mục. Hãy đóng tệp đó hoặc chọn tên tệp khác, rồi thử lại.",
            detail=f"{type(exc).__name__}: {exc}") from exc


def _summary_builder(make: Callable[[Context], summary.SummaryReport]) -> Callable[..., Path]:
    def build(ctx: Context, out: Path, fmt: str, progress: Progress) -> Path:
        report = make(ctx)
        return summary.write_pdf(report, out) if fmt == "pdf" else summary.write_xlsx(report, out)
    return build


def _plan_results(ctx: Context, out: Path, fmt: str, progress: Progress) -> Path:
    if fmt == "pdf":
        return plan_results_pdf(ctx, out)
    return summary.write_xlsx(plan_results_report(ctx), out)


def _plan_table(ctx: Context, out: Path, fmt: str, progress: Progress) -> Path:
    from .render.plan_table import write_plan_table, write_plan_table_pdf

    table = plan_table_report(ctx)
    return write_plan_table_pdf(table, out) if fmt == "pdf" else write_plan_table(table, out)


def _checker(progress: Progress, total: int) -> Callable[[int], None]:
    def on_step(done: int) -> None:
        progress.report(done, total)
        if progress.cancelled():
            raise Cancelled()
    return on_step


def _ruleset_change(ctx: Context, out: Path, fmt: str, progress: Progress) -> Path:
    from .ruleset_change import ruleset_change_report

    report = ruleset_change_report(ctx, progress)
    return summary.write_pdf(report, out) if fmt == "pdf" else summary.write_xlsx(report, out)


def _household_list(ctx: Context, out: Path, fmt: str, progress: Progress) -> Path:
    p = ctx.params
    total = rq.count_list(ctx.store, unit_code=p.unit_code, category=p.category, village=p.village)
    what = CATEGORY_FILTERS.get(p.category or "", "hộ gia đình").lower()
    heading = ListHeading(ctx.unit_lines, f"Danh sách {what} và thành viên năm {p.report_year()}",
                          ctx.unit_name, ctx.date_line)
    tmp = out.with_name(out.name + ".part")
    try:
        chunks = rq.iter_list(ctx.store, unit_code=p.unit_code, category=p.category, village=p.village)
        write_household_list(([({**h, "address": ctx.address_of(h)}, m) for h, m in chunk] for chunk in chunks),
                             tmp, heading=heading, unit_names=ctx.unit_names(), on_chunk=_checker(progress, total))
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _posting_list(ctx: Context, out: Path, fmt: str, progress: Progress) -> Path:
    p = ctx.params
    rows = []
    categories = [p.category] if p.category in (POOR, NEAR_POOR) else [POOR, NEAR_POOR]
    for category in categories:
        for chunk in rq.iter_list(ctx.store, unit_code=p.unit_code, category=category, village=p.village):
            for household, members in chunk:
                head = next((m for m in members if m.get("relation") == "head"), members[0] if members else {})
                rows.append({**household, "cccd": head.get("cccd"), "member_count": len(members),
                             "address": ctx.address_of(household)})
    posting = PostingList(ctx.unit_lines, ctx.unit_name, p.report_year(), rows, place=ctx.place, on=ctx.on,
                          category=p.category if p.category in (POOR, NEAR_POOR) else None, internal=p.internal)
    return write_posting_list(posting, out, fmt)


def _profile(ctx: Context, out: Path, fmt: str, progress: Progress) -> Path:
    key = ctx.params.household
    if not key:
        raise ValidationError("Hãy chọn hộ cần in hồ sơ (mã hộ).", field="household")
    household_id = rq.find_household_id(ctx.store, key)
    if household_id is None:
        raise ValidationError(f"Không tìm thấy hộ có mã '{key}'. Hãy kiểm tra mã hộ.", field="household")
    write_profiles([profile_for(ctx, household_id)], out, title="Hồ sơ hộ")
    return out


def _profiles(ctx: Context, out: Path, fmt: str, progress: Progress) -> Path:
    p = ctx.params
    ids = rq.list_ids(ctx.store, unit_code=p.unit_code, category=p.category, village=p.village)
    write_profiles(profiles_for(ctx, ids), out, title="Hồ sơ hộ", on_profile=_checker(progress, len(ids)))
    return out


_ALL = ("unit", "year", "date")
CATALOGUE: dict[str, ReportSpec] = {spec.code: spec for spec in (
    ReportSpec("plan-table", "Biểu kế hoạch giảm hộ cận nghèo",
               "Phụ lục kế hoạch: số hộ cận nghèo đầu năm, tỉ lệ và chỉ tiêu giảm của từng xã, thị trấn.",
               ("year",), FORMATS, _plan_table),
    ReportSpec("plan-results", "Kết quả thực hiện kế hoạch giảm hộ cận nghèo",
               "Theo đơn vị: đầu năm, chỉ tiêu, đã thoát, mới phát sinh, tăng/giảm, % chỉ tiêu, trạng thái; "
               "bản PDF có biểu đồ.", ("unit", "year", "date"), FORMATS, _plan_results),
    ReportSpec("deprivation", "Phân tích thiếu hụt dịch vụ xã hội cơ bản",
               "Số hộ và tỉ lệ thiếu hụt từng chỉ số, riêng hộ nghèo và hộ cận nghèo (theo lần đánh giá gần nhất).",
               ("unit", "date", "ruleset"), FORMATS, _summary_builder(deprivation_report)),
    ReportSpec("movements", "Biến động hộ nghèo, hộ cận nghèo",
               "Đầu kỳ, mới công nhận, chuyển loại, thoát, cuối kỳ theo đơn vị.",
               ("unit", "year", "period", "category"), FORMATS, _summary_builder(movements_report)),
    ReportSpec("groups", "Hộ nghèo, hộ cận nghèo theo nguyên nhân và nhóm đối tượng",
               "Nguyên nhân nghèo; hộ người có công, không có khả năng lao động, dân tộc thiểu số; "
               "trẻ em không có BHYT, suy dinh dưỡng, không đi học.", _ALL, FORMATS, _summary_builder(groups_report)),
    ReportSpec("support", "Kết quả thực hiện các chính sách hỗ trợ",
               "Số lượt hỗ trợ, số đã hoàn thành và số tiền theo từng chính sách và từng cơ quan.",
               ("unit", "year"), FORMATS, _summary_builder(support_report)),
    ReportSpec("ruleset-change", "Hộ thay đổi phân loại khi áp dụng chuẩn nghèo mới",
               "Đánh giá mọi hộ theo bộ chuẩn đang áp dụng và bộ chuẩn mới (mặc định: từ 2027) tại cùng một ngày: "
               "số hộ chuyển từ loại này sang loại khác và danh sách từng hộ thay đổi, kèm lý do.",
               ("unit", "category", "date", "compare", "ruleset"), FORMATS, _ruleset_change),
    ReportSpec("household-list", "Danh sách hộ và thành viên",
               "Danh sách chi tiết các hộ với từng thành viên (Excel, xuất nhanh cho danh sách lớn).",
               ("unit", "year", "category"), ("xlsx",), _household_list),
    ReportSpec("posting-list", "Danh sách niêm yết công khai",
               "Danh sách niêm yết: chủ hộ, số định danh che (chỉ hiện mã tỉnh và 3 số cuối), địa chỉ, số nhân khẩu, "
               "phân loại. Bản nội bộ in đầy đủ số định danh và ghi rõ NỘI BỘ.",
               ("unit", "year", "category", "internal"), FORMATS, _posting_list),
    ReportSpec("household-profile", "Hồ sơ hộ",
               "Hồ sơ một hộ: thông tin chung, thành viên, điều kiện sống, kết quả đánh giá và lý do, "
               "kế hoạch hỗ trợ, lịch sử thay đổi.", ("household", "date"), ("pdf",), _profile),
    ReportSpec("household-profiles", "Hồ sơ hộ (in hàng loạt)",
               "Hồ sơ của mọi hộ theo bộ lọc, mỗi hộ bắt đầu một trang mới, trong một tệp PDF.",
               ("unit", "year", "category"), ("pdf",), _profiles),
)}


def list_reports() -> list[ReportSpec]:
    """The catalogue in display order."""
    return list(CATALOGUE.values())


def get_report(code: str) -> ReportSpec:
    """The report ``code``; ValidationError naming the known codes otherwise."""
    try:
        return CATALOGUE[code]
    except KeyError:
        raise ValidationError(f"Không có báo cáo '{code}'. Các báo cáo: {', '.join(CATALOGUE)}.",
                              field="report") from None


def build_report(store: Store, code: str, params: ReportParams, out_path: Path | str, fmt: str | None = None,
                 progress: Progress | None = None) -> Path:
    """Build report ``code`` into ``out_path``; returns the written path."""
    return get_report(code).build(store, params, out_path, fmt, progress)
