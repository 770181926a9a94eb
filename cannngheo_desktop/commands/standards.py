"""`cannngheo evaluate` (one household from a JSON file, no database needed) and
`cannngheo assess` (a whole database or unit under a ruleset, optionally compared with another)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from ..core.errors import FileFormatError, RulesetError, ValidationError
from ..core.model import AVERAGE, CATEGORY_LABELS, NEAR_POOR, NOT_POOR, POOR, UNDETERMINED
from ..core.standards import Ruleset, area_type_for_unit_kind, evaluate, load_definition_file, parse_ruleset
from ..core.text import format_date, parse_vn_date
from ..registry.validation import assessment_problems, describe_problems, normalize_member
from . import add_db_argument, db_path

EVALUATE_EPILOG = ("Mã thoát: 0 đã đánh giá (kết quả JSON ở đầu ra); 1 tệp hoặc bộ chuẩn không đọc được, ngày "
                   "sai; 2 hộ không hợp lệ để đánh giá (ví dụ thành viên sinh hoặc được cấp CCCD sau ngày đánh giá, "
                   "số CCCD hay ngày sinh sai dạng): mọi trường sai được liệt kê, không có kết quả nào được in.")

CATEGORY_ORDER = (POOR, NEAR_POOR, AVERAGE, NOT_POOR, UNDETERMINED)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="đánh giá một hộ (tệp JSON) theo một bộ chuẩn, in kết quả JSON",
                       epilog=EVALUATE_EPILOG)
    p.add_argument("--ruleset", required=True, help="mã bộ chuẩn (VN-2022, VN-2027, HN-2022) hoặc tệp .json")
    p.add_argument("--date", default=None, help="ngày đánh giá (yyyy-mm-dd hoặc dd/mm/yyyy; mặc định hôm nay)")
    p.add_argument("household", type=Path, help="tệp JSON của hộ (xem docs/household-format.md)")
    p.set_defaults(func=run_evaluate)

    a = sub.add_parser("assess", help="đánh giá các hộ trong cơ sở dữ liệu theo bộ chuẩn; so sánh hai bộ chuẩn")
    add_db_argument(a)
    a.add_argument("--ruleset", required=True, help="mã bộ chuẩn, ví dụ VN-2027")
    a.add_argument("--compare", default=None, help="so sánh với bộ chuẩn này (ví dụ VN-2022)")
    a.add_argument("--unit", default=None, help="chỉ các hộ của đơn vị (mã xã/phường)")
    a.add_argument("--date", default=None, help="ngày đánh giá (mặc định hôm nay)")
    a.add_argument("--save", action="store_true", help="lưu kết quả đánh giá (chưa công nhận) vào cơ sở dữ liệu")
    a.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    a.set_defaults(func=run_assess)


def _date(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return parse_vn_date(text)
    except ValueError as exc:
        raise ValidationError(f"--date: {exc}", field="date") from None


def shipped_ruleset(code_or_file: str) -> Ruleset:
    """A ruleset from resources/standards by code, or from a JSON file path."""
    from ..storage.rulesets import shipped_definitions

    path = Path(code_or_file)
    if code_or_file.lower().endswith(".json") and path.exists():
        return parse_ruleset(load_definition_file(path))
    definitions = shipped_definitions()
    for d in definitions:
        if d["code"] == code_or_file:
            return parse_ruleset(d)
    known = ", ".join(d["code"] for d in definitions)
    raise RulesetError(f"Không có bộ chuẩn '{code_or_file}' (các bộ chuẩn có sẵn: {known}).")


def read_household_file(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    """Household JSON → (household facts, members, area type); errors name the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise FileFormatError(f"Không tìm thấy tệp '{path}'.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileFormatError(f"Không đọc được tệp '{path}': {exc}") from None
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            f"Tệp '{path}' không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}): {exc.msg}.") from None
    if not isinstance(data, dict):
        raise FileFormatError(f"Tệp '{path}': cần một đối tượng JSON mô tả hộ (có trường \"members\").")
    members = data.get("members", [])
    if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
        raise FileFormatError(f"Tệp '{path}': trường \"members\" phải là danh sách các đối tượng thành viên.")
    if data.get("area_type") in ("rural", "urban"):
        area = data["area_type"]
    elif data.get("unit_kind"):
        try:
            area = area_type_for_unit_kind(data["unit_kind"])
        except RulesetError as exc:
            raise FileFormatError(f"Tệp '{path}', trường \"unit_kind\": {exc.message}") from None
    else:
        raise FileFormatError(
            f"Tệp '{path}': thiếu \"area_type\" (rural/urban) hoặc \"unit_kind\" (commune/ward/town).")
    household = {k: v for k, v in data.items() if k != "members"}
    return household, members, area


class InvalidHouseholdError(ValidationError):
    """The household file breaks the shared validation: ``cannngheo evaluate`` exits 2."""

    exit_code = 2


def run_evaluate(args: argparse.Namespace) -> int:
    ruleset = shipped_ruleset(args.ruleset)
    household, members, area = read_household_file(args.household)
    on = _date(args.date)
    members = [normalize_member(m) for m in members]
    problems = assessment_problems(household, members, on)
    if problems:
        raise InvalidHouseholdError(
            f"Tệp '{args.household}': hộ không hợp lệ để đánh giá ngày {format_date(on)}; "
            f"hãy sửa các trường sau rồi chạy lại:\n{describe_problems(problems)}",
            field=",".join(sorted({p.field for p in problems})))
    ev = evaluate(household, members, ruleset, on, area)
    out = {
        "ruleset": ev.ruleset_code, "date": ev.assessed_on.isoformat(), "area_type": ev.area_type,
        "category": ev.category, "category_label": ev.category_label,
        "income_per_person": ev.income_per_person, "income_line": ev.income_line,
        "income_reason": ev.income_reason, "deprivation_count": ev.deprivation_count,
        "indicators": [{"code": r.code, "name": r.name, "deprived": r.deprived, "status": r.status,
                        "reason": r.reason} for r in ev.indicators],
        "missing": [{"field": f, "label": label} for f, label in ev.missing],
        "warnings": ev.warnings,
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def run_assess(args: argparse.Namespace) -> int:
    from ..core.errors import NotFoundError
    from ..storage import assessments, open_db, rulesets

    on = _date(args.date)
    with open_db(db_path(args), create=False) as store:
        for code in filter(None, (args.ruleset, args.compare)):
            try:
                rulesets.get_ruleset(store, code)
            except NotFoundError:
                rulesets.load_shipped_rulesets(store)
                rulesets.get_ruleset(store, code)
        bulk = None
        if args.save or not args.compare:
            bulk = assessments.assess_many(store, args.ruleset, on, unit_code=args.unit, save=args.save)
        comparison = (assessments.compare_rulesets(store, args.compare, args.ruleset, on, unit_code=args.unit)
                      if args.compare else None)
    if args.json:
        out: dict[str, Any] = {}
        if bulk is not None:
            out["assessment"] = bulk.to_dict()
        if comparison is not None:
            out["comparison"] = comparison.to_dict()
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        if bulk is not None:
            print("\n".join(_bulk_text(bulk)))
        if comparison is not None:
            print("\n".join(_comparison_text(comparison)))
    return 0


def _bulk_text(bulk: Any) -> list[str]:
    lines = [f"Đánh giá theo bộ chuẩn {bulk.ruleset_code} ngày {format_date(bulk.on)}: {bulk.total} hộ"]
    lines += [f"  {CATEGORY_LABELS[c]}: {bulk.counts.get(c, 0)}" for c in CATEGORY_ORDER]
    if bulk.saved:
        lines.append(f"Đã lưu {bulk.saved} kết quả đánh giá (chưa công nhận).")
    lines += [f"  Bỏ qua hộ {h}: {m}" for h, m in bulk.skipped]
    return lines


def _comparison_text(cmp: Any) -> list[str]:
    lines = [f"So sánh bộ chuẩn {cmp.code_a} → {cmp.code_b} ngày {format_date(cmp.on)}: {cmp.total} hộ",
             f"Bảng chuyển đổi (từ {cmp.code_a} sang {cmp.code_b}):"]
    for (a, b), n in sorted(cmp.transitions.items(), key=lambda kv: (CATEGORY_ORDER.index(kv[0][0]),
                                                                      CATEGORY_ORDER.index(kv[0][1]))):
        mark = "" if a == b else "  (thay đổi)"
        lines.append(f"  {CATEGORY_LABELS[a]} → {CATEGORY_LABELS[b]}: {n}{mark}")
    lines.append(f"Các hộ thay đổi loại: {len(cmp.changed)}")
    for c in cmp.changed:
        where = f" ({c.village})" if c.village else ""
        lines.append(f"- {c.household_code or c.household_id} {c.head_name}{where}: "
                     f"{CATEGORY_LABELS[c.category_a]} → {CATEGORY_LABELS[c.category_b]}")
        lines += [f"    • {r}" for r in c.reasons]
    lines += [f"  Bỏ qua hộ {h}: {m}" for h, m in cmp.skipped]
    return lines
