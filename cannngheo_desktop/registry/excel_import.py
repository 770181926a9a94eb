"""Excel import of household lists: read → dry run (errors and warnings per row) → apply
(all or nothing, after a backup) — and the error workbook the user fixes and re-imports.

The reading itself is pure (excel_reader.read_workbook); this module adds what needs the
database: known units, validation, duplicates against the registry, and the write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..core.errors import Cancelled, FileFormatError, ValidationError
from ..core.progress import Progress, or_null
from ..core.sheet_cells import set_text
from ..storage import households as hh_repo
from ..storage import installation
from ..storage.backup import backup_database
from ..storage.db import Store
from . import duplicates
from .duplicates import folded
from .editing import record_cccd_reasons
from .excel_reader import EXAMPLE_SKIPPED, CandidateHousehold, ImportPlan, RowIssue, read_workbook
from .household_codes import household_code_for
from .validation import validate_household

__all__ = ["CandidateHousehold", "ImportHasErrors", "ImportPlan", "ImportReport", "ImportSummary",
           "RowIssue", "apply_import", "default_unit", "dry_run", "read_workbook", "write_error_workbook"]

APPLY_CHUNK = 500
ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFEB9C"


class ImportHasErrors(ValidationError):
    """The file still has errors: nothing was written (CLI exit code 2)."""

    exit_code = 2


@dataclass
class ImportReport:
    """The dry run's outcome: candidate households (unit resolved) and every row issue."""

    path: Path
    unit_code: str | None
    plan: ImportPlan
    issues: list[RowIssue] = field(default_factory=list)

    @property
    def households(self) -> list[CandidateHousehold]:
        return self.plan.households

    @property
    def errors(self) -> list[RowIssue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[RowIssue]:
        return [i for i in self.issues if i.level == "warning"]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def error_rows(self) -> list[int]:
        """Source rows with at least one error, ascending."""
        return sorted({i.row for i in self.errors if i.row is not None})

    def warning_rows(self) -> list[int]:
        return sorted({i.row for i in self.warnings if i.row is not None})

    def issues_by_row(self) -> dict[int | None, list[RowIssue]]:
        out: dict[int | None, list[RowIssue]] = {}
        for issue in self.issues:
            out.setdefault(issue.row, []).append(issue)
        return out

    def counts(self) -> dict[str, int]:
        return {"households": len(self.households), "members": self.plan.member_count,
                "rows": self.plan.data_rows, "errors": len(self.errors), "warnings": len(self.warnings),
                "error_rows": len(self.error_rows()), "warning_rows": len(self.warning_rows())}

    def summary_text(self) -> str:
        """One Vietnamese paragraph for the preview dialog and the CLI."""
        c = self.counts()
        return (f"Tệp '{self.path.name}': {c['households']} hộ, {c['members']} nhân khẩu "
                f"({c['rows']} dòng dữ liệu); {c['error_rows']} dòng có lỗi, "
                f"{c['warning_rows']} dòng có cảnh báo.")


@dataclass
class ImportSummary:
    """What apply_import wrote."""

    households: int
    members: int
    backup_path: Path | None
    household_ids: list[str]


def _known_units(store: Store) -> set[str]:
    return {r[0] for r in store.query("SELECT DISTINCT code FROM units WHERE deleted = 0")}


def default_unit(inst: installation.Installation | None) -> str | None:
    """The unit of households whose row names none, when the user chose none either: a commune's
    (or ward's) copy imports its own households; a receiving office serves many units, so it has
    no default (the 'Mã đơn vị' column or a chosen unit must say)."""
    return inst.unit_code if inst is not None and not inst.is_aggregator else None


def _row_of(cand: CandidateHousehold, member_index: int | None) -> int:
    if member_index is not None and member_index < len(cand.member_rows):
        return cand.member_rows[member_index]
    return cand.first_row


def _resolve_units(report: ImportReport, known: set[str], default_unit: str | None) -> None:
    for cand in report.households:
        unit = cand.household.get("unit_code") or default_unit
        if not unit:
            report.issues.append(RowIssue(cand.first_row, "error", "unit_code",
                                          "Chưa biết hộ thuộc đơn vị nào: chọn đơn vị khi nhập hoặc thêm cột "
                                          "'Mã đơn vị'."))
        elif unit not in known:
            report.issues.append(RowIssue(cand.first_row, "error", "unit_code",
                                          f"Mã đơn vị '{unit}' không có trong danh mục đơn vị."))
        cand.household["unit_code"] = unit


def _validate(report: ImportReport, today: date) -> None:
    for cand in report.households:
        for issue in validate_household(cand.household, cand.members, today=today):
            report.issues.append(RowIssue(_row_of(cand, issue.member_index), issue.level, issue.field,
                                          issue.message))


NEEDS_REASON = ("Mỗi số CCCD là một người: nếu đúng là người này ở cả hai hộ, ghi lý do vào cột "
                "'Lý do trùng CCCD' của dòng này rồi nhập lại.")


def _cccd_issue(row: int, m: dict[str, Any], message: str) -> RowIssue:
    """A CCCD held by another household: an error, or a warning when the row gives a reason."""
    reason = m.get("cccd_duplicate_reason")
    if reason:
        return RowIssue(row, "warning", "cccd", f"{message} Giữ vì: {reason}")
    return RowIssue(row, "error", "cccd", f"{message} {NEEDS_REASON}")


def _file_duplicates(report: ImportReport) -> None:
    by_cccd: dict[str, tuple[int, int]] = {}
    by_name: dict[tuple[str, str, str], tuple[int, int]] = {}
    for n, cand in enumerate(report.households):
        village = folded(cand.household.get("village"))
        for i, m in enumerate(cand.members):
            row = cand.member_rows[i]
            cccd = m.get("cccd")
            if cccd:
                first = by_cccd.setdefault(cccd, (n, row))
                if first[0] != n:
                    report.issues.append(_cccd_issue(row, m, f"Số CCCD {cccd} trùng với dòng {first[1]} "
                                                             "(hộ khác) trong tệp."))
            if m.get("full_name") and m.get("birth_date"):
                key = (folded(m["full_name"]), str(m["birth_date"]), village)
                first = by_name.setdefault(key, (n, row))
                if first[0] != n:
                    report.issues.append(RowIssue(row, "warning", "full_name",
                                                  f"{m['full_name']} (cùng ngày sinh, cùng thôn/tổ) trùng với "
                                                  f"dòng {first[1]} trong tệp."))


def _db_duplicates(store: Store, report: ImportReport) -> None:
    items = [(c.household, c.members) for c in report.households]
    for cand, found in zip(report.households, duplicates.find_duplicates_many(store, items), strict=True):
        for dup in found:
            row = _row_of(cand, dup.member_index)
            if dup.kind == "cccd":
                report.issues.append(_cccd_issue(row, cand.members[dup.member_index], dup.message))
            else:
                report.issues.append(RowIssue(row, "warning", "full_name",
                                              f"Có thể trùng với hộ đã có: {dup.message}"))


def dry_run(store: Store, path: Path | str, unit_code: str | None, *, today: date | None = None
            ) -> ImportReport:
    """Read and check a workbook without writing anything: per-row errors and warnings
    (cell values, validation, duplicates within the file and against the registry).

    ``unit_code`` None: rows without a 'Mã đơn vị' take :func:`default_unit` (a commune's own)."""
    plan = read_workbook(path)
    known = _known_units(store)
    unit_code = unit_code or default_unit(installation.current(store))
    if unit_code and unit_code not in known:
        raise ValidationError(f"Mã đơn vị '{unit_code}' không có trong danh mục đơn vị của cơ sở dữ liệu. "
                              "Hãy kiểm tra lại mã (mã GSO 5 chữ số).", field="unit_code")
    report = ImportReport(Path(path), unit_code, plan, list(plan.issues))
    if not plan.households:
        only_example = any(EXAMPLE_SKIPPED in i.message for i in plan.issues)
        report.issues.append(RowIssue(None, "error", "", (
            f"Tệp '{Path(path).name}' chỉ có hộ ví dụ của tệp mẫu (mã hộ 'VD-…'). Hãy ghi các hộ thật "
            "dưới các dòng ví dụ rồi nhập lại.") if only_example else (
            f"Tệp '{Path(path).name}' không có dòng dữ liệu nào dưới dòng tiêu đề.")))
    _resolve_units(report, known, unit_code)
    _validate(report, today or date.today())
    _file_duplicates(report)
    _db_duplicates(store, report)
    report.issues.sort(key=lambda i: (i.row or 0, i.level != "error"))
    return report


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def apply_import(store: Store, report_or_path: ImportReport | Path | str, unit_code: str | None = None, *,
                 progress: Progress | None = None, today: date | None = None,
                 backup: bool = True) -> ImportSummary:
    """Write every household of a checked import in ONE transaction, after a backup copy.

    Given a path, runs the dry run first. Refuses (ImportHasErrors, nothing written) when the
    report has errors. Cancelling through ``progress`` rolls everything back (Cancelled)."""
    report = (report_or_path if isinstance(report_or_path, ImportReport)
              else dry_run(store, report_or_path, unit_code, today=today))
    if report.has_errors:
        raise ImportHasErrors(
            f"Tệp '{report.path.name}' còn lỗi ở {len(report.error_rows()) or 1} dòng; chưa ghi gì vào cơ sở "
            "dữ liệu. Hãy lưu bảng lỗi, sửa tệp rồi nhập lại.")
    store.check_writable()  # a read-only file: refused before the backup, not after it
    prog = or_null(progress)
    total = len(report.households)
    backup_path = backup_database(store.conn, store.path, reason="truoc-nhap-excel") if backup else None
    ids: list[str] = []
    day = today or date.today()
    with store.transaction():
        codes: set[str] = set()
        for chunk in _chunks(report.households, APPLY_CHUNK):
            if prog.cancelled():
                raise Cancelled()
            rows = [(_db_household(store, c, codes), [_db_member(m) for m in c.members]) for c in chunk]
            chunk_ids = hh_repo.add_households(store, rows)
            for cand, hid, (hh, _) in zip(chunk, chunk_ids, rows, strict=True):
                _record_reasons(store, cand, hid, hh["unit_code"], day)
            ids.extend(chunk_ids)
            prog.report(len(ids), total)
    return ImportSummary(len(ids), report.plan.member_count, backup_path, ids)


def _db_household(store: Store, cand: CandidateHousehold, codes: set[str]) -> dict[str, Any]:
    """The household row; one without a code gets the next generated one (registry.household_codes)."""
    data = {k: v for k, v in cand.household.items() if v is not None}
    data.setdefault("status", "active")
    if not str(data.get("household_code") or "").strip():
        data["household_code"] = household_code_for(store, data["unit_code"], data.get("village"), codes)
        codes.add(data["household_code"])
    return data


def _db_member(m: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in m.items() if k != "cccd_duplicate_reason"}


def _record_reasons(store: Store, cand: CandidateHousehold, household_id: str, unit_code: str, day: date) -> None:
    """The reasons given for CCCDs held by another household (earlier in the file or in the
    registry), kept as audited events like the editor's."""
    for m in cand.members:
        reason = m.get("cccd_duplicate_reason")
        if not reason or not m.get("cccd"):
            continue
        conflicts = duplicates.cccd_conflicts(store, [m], exclude_id=household_id)
        record_cccd_reasons(store, household_id, unit_code, conflicts, [m], reason, day)


def write_error_workbook(report: ImportReport, out_path: Path | str) -> Path:
    """Copy the original sheet with two added columns, 'Lỗi' and 'Cảnh báo', filled and
    highlighted on the rows concerned, so the user can fix the file and import it again."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill

    out = Path(out_path)
    if out.resolve() == report.path.resolve():
        raise ValidationError("Không ghi bảng lỗi đè lên tệp gốc; hãy chọn tên tệp khác.", field="errors")
    try:
        wb = openpyxl.load_workbook(report.path)
    except Exception as exc:  # noqa: BLE001 - the file was readable moments ago
        raise FileFormatError(f"Không mở lại được tệp '{report.path.name}' để ghi bảng lỗi.",
                              detail=str(exc)) from exc
    ws = wb[report.plan.sheet]
    error_col = ws.max_column + 1
    warn_col = error_col + 1
    bold = Font(bold=True)
    ws.cell(report.plan.header_row, error_col, "Lỗi").font = bold
    ws.cell(report.plan.header_row, warn_col, "Cảnh báo").font = bold
    red, yellow = (PatternFill("solid", start_color=c, end_color=c) for c in (ERROR_FILL, WARNING_FILL))
    for row, issues in report.issues_by_row().items():
        if row is None:
            continue
        target = row
        errors = [i.message for i in issues if i.level == "error"]
        warnings = [i.message for i in issues if i.level != "error"]
        if errors:
            set_text(ws, target, error_col, "\n".join(errors)).fill = red
        if warnings:
            set_text(ws, target, warn_col, "\n".join(warnings)).fill = yellow
        if errors:
            for c in range(1, error_col):
                ws.cell(row, c).fill = red
    ws.column_dimensions[openpyxl.utils.get_column_letter(error_col)].width = 60
    ws.column_dimensions[openpyxl.utils.get_column_letter(warn_col)].width = 50
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
