"""`cannngheo plan …`: the plan tracker's figures on the command line (Vietnamese tables or JSON).

    cannngheo plan progress   --db F (--plan ID | --year YYYY) [--as-of dd/mm/yyyy] [--json]
    cannngheo plan objectives --db F (--plan ID | --year YYYY) [--as-of dd/mm/yyyy] [--json]
    cannngheo plan actions    --db F [--household ID] [--year YYYY] [--status S] [--overdue]
                              [--able-without-action --year YYYY] [--today dd/mm/yyyy] [--json]
    cannngheo plan action-add  --db F --household ID|MÃ_HỘ --measure CODE [--member ID] [--planned d]
                              [--status S] [--done-date d] [--amount N] [--funding TEXT] [--note TEXT] [--json]
    cannngheo plan action-done --db F --action ID [--done-date dd/mm/yyyy] [--json]
    cannngheo plan action-undo --db F --action ID [--status in_progress|planned|cancelled] [--json]

Recording an action as done applies its measure's change to the member or household and
reassesses it, exactly as the window does (plan/support_effects.py); action-undo puts it back.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from ..core.errors import ValidationError
from ..core.text import format_date, format_percent, format_vnd, parse_vn_date
from ..plan import objectives as obj
from ..plan import support, tracker_queries
from ..storage import open_db
from . import add_db_argument, db_path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plan", help="kế hoạch giảm nghèo: tiến độ, mục tiêu, hoạt động hỗ trợ")
    psub = p.add_subparsers(dest="plan_command", metavar="VIỆC")
    prog = psub.add_parser("progress", help="tiến độ theo đơn vị (đầu năm, chỉ tiêu, đã thoát, trạng thái)")
    objs = psub.add_parser("objectives", help="các mục tiêu của kế hoạch với giá trị đo được")
    for q in (prog, objs):
        add_db_argument(q)
        which = q.add_mutually_exclusive_group(required=True)
        which.add_argument("--plan", help="mã kế hoạch")
        which.add_argument("--year", type=int, help="năm kế hoạch")
        q.add_argument("--as-of", default=None, help="tính đến ngày dd/mm/yyyy (mặc định: hôm nay)")
        q.add_argument("--json", action="store_true", help="in JSON cho máy đọc")
    prog.set_defaults(func=run_progress)
    objs.set_defaults(func=run_objectives)
    act = psub.add_parser("actions", help="hoạt động hỗ trợ hộ; hộ chưa có kế hoạch; việc quá hạn")
    add_db_argument(act)
    act.add_argument("--household", default=None, help="mã (id) hộ")
    act.add_argument("--year", type=int, default=None, help="năm (theo ngày dự kiến hoặc ngày xong)")
    act.add_argument("--status", choices=sorted(support.STATUS_LABELS), default=None)
    act.add_argument("--overdue", action="store_true", help="chỉ hoạt động quá ngày dự kiến chưa xong")
    act.add_argument("--able-without-action", action="store_true",
                     help="hộ có khả năng thoát nhưng chưa có hoạt động hỗ trợ trong năm (cần --year)")
    act.add_argument("--today", default=None, help="ngày tính quá hạn dd/mm/yyyy (mặc định: hôm nay)")
    act.add_argument("--json", action="store_true", help="in JSON cho máy đọc")
    act.set_defaults(func=run_actions)
    _register_writers(psub)
    p.set_defaults(func=lambda args: (p.print_help(), 1)[1])


WRITE_EXIT_CODES = """Mã thoát (exit code):
  0  đã ghi (in ra những gì đã thay đổi trên thành viên/hộ và kết quả đánh giá lại)
  1  lỗi của người dùng, không ghi gì (hộ, thành viên, biện pháp, ngày, số tiền… không hợp lệ)
  2  dòng lệnh sai (thiếu hoặc thừa tham số)
  70 lỗi không lường trước (xem tệp nhật ký)

Khi một hoạt động được ghi 'Đã xong', thông tin thành viên/hộ được cập nhật theo biện pháp (thẻ BHYT,
hỗ trợ việc làm, có việc làm, đi học, nhà ở — xem mục 'effect' của danh mục) và hộ được đánh giá lại;
action-undo (hoặc đổi trạng thái khỏi 'Đã xong') trả lại giá trị cũ, trừ trường đã được sửa sau đó."""


def _writer(psub: argparse._SubParsersAction, name: str, text: str) -> argparse.ArgumentParser:
    q = psub.add_parser(name, help=text, description=text, epilog=WRITE_EXIT_CODES,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_db_argument(q)
    q.add_argument("--json", action="store_true", help="in JSON cho máy đọc")
    return q


def _register_writers(psub: argparse._SubParsersAction) -> None:
    add = _writer(psub, "action-add", "thêm hoạt động hỗ trợ cho một hộ (ghi 'done' thì áp dụng kết quả hỗ trợ)")
    add.add_argument("--household", required=True, help="mã (id) hộ hoặc mã hộ (household code)")
    add.add_argument("--measure", required=True, help="mã biện pháp trong danh mục, ví dụ gioi_thieu_co_viec_lam")
    add.add_argument("--member", default=None, help="mã (id) thành viên được hỗ trợ")
    add.add_argument("--body", default=None, help="mã cơ quan thực hiện (mặc định: theo biện pháp)")
    add.add_argument("--planned", default=None, help="ngày dự kiến dd/mm/yyyy")
    add.add_argument("--status", choices=sorted(support.STATUS_LABELS), default=support.PLANNED)
    add.add_argument("--done-date", default=None, help="ngày hoàn thành dd/mm/yyyy (cần khi --status done)")
    add.add_argument("--amount", default=None, help="số tiền (đồng), ví dụ 1.500.000")
    add.add_argument("--funding", default=None, help="nguồn kinh phí")
    add.add_argument("--note", default=None, help="ghi chú")
    add.set_defaults(func=run_action_add)
    done = _writer(psub, "action-done", "ghi một hoạt động hỗ trợ là đã xong và áp dụng kết quả hỗ trợ")
    done.add_argument("--action", required=True, help="mã (id) hoạt động (xem `plan actions --json`)")
    done.add_argument("--done-date", default=None, help="ngày hoàn thành dd/mm/yyyy (mặc định: hôm nay)")
    done.set_defaults(func=run_action_done)
    undo = _writer(psub, "action-undo", "hoàn tác 'Đã xong' của một hoạt động: trả lại thông tin thành viên/hộ")
    undo.add_argument("--action", required=True, help="mã (id) hoạt động")
    undo.add_argument("--status", choices=[support.IN_PROGRESS, support.PLANNED, support.CANCELLED],
                      default=support.IN_PROGRESS, help="trạng thái mới (mặc định: in_progress)")
    undo.set_defaults(func=run_action_undo)


def _household_id(store: Any, text: str) -> str:
    """An id, or a household code naming exactly one household."""
    text = text.strip()
    if store.scalar("SELECT count(*) FROM households WHERE id = ? AND deleted = 0", (text,)):
        return text
    ids = [r[0] for r in store.query("SELECT id FROM households WHERE household_code = ? AND deleted = 0", (text,))]
    if len(ids) == 1:
        return str(ids[0])
    if ids:
        raise ValidationError(f"--household: mã hộ '{text}' có ở {len(ids)} hộ; hãy dùng mã (id) của hộ.",
                              field="household")
    raise ValidationError(f"--household: không tìm thấy hộ '{text}'.", field="household")


def _report_write(row: dict[str, Any], as_json: bool) -> int:
    outcome = row.pop("outcome", None)
    lines = outcome.lines() if outcome is not None else []
    if as_json:
        _print_json({"action": row, "changes": lines})
        return 0
    print(f"Đã lưu hoạt động {row['id']}: {row['measure_code']} — "
          f"{support.STATUS_LABELS.get(row['status'], row['status'])}.")
    for line in lines:
        print(f"  {line}")
    return 0


def run_action_add(args: argparse.Namespace) -> int:
    fields = {"member_id": args.member, "body_code": args.body, "planned_date": args.planned,
              "status": args.status, "done_date": args.done_date, "amount": args.amount,
              "funding_source": args.funding, "note": args.note}
    with open_db(db_path(args), create=False) as store:
        row = support.add_action(store, _household_id(store, args.household), args.measure,
                                 **{k: v for k, v in fields.items() if v is not None})
    return _report_write(row, args.json)


def run_action_done(args: argparse.Namespace) -> int:
    day = _day(args.done_date, "done-date")
    with open_db(db_path(args), create=False) as store:
        current = _action(store, args.action)
        if current["status"] == support.DONE:
            raise ValidationError(f"Hoạt động {args.action} đã ở trạng thái 'Đã xong' "
                                  f"(ngày {format_date(current['done_date'])}).", field="action")
        row = support.update_action(store, args.action, {"status": support.DONE, "done_date": day})
    return _report_write(row, args.json)


def run_action_undo(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False) as store:
        current = _action(store, args.action)
        if current["status"] != support.DONE:
            raise ValidationError(f"Hoạt động {args.action} không ở trạng thái 'Đã xong' nên không có gì để "
                                  "hoàn tác.", field="action")
        row = support.update_action(store, args.action, {"status": args.status})
    return _report_write(row, args.json)


def _action(store: Any, action_id: str) -> dict[str, Any]:
    row = store.query_one("SELECT * FROM support_actions WHERE id = ? AND deleted = 0", (action_id.strip(),))
    if row is None:
        raise ValidationError(f"--action: không tìm thấy hoạt động hỗ trợ '{action_id}'.", field="action")
    return dict(row)


def _day(text: str | None, field: str) -> date:
    if not text:
        return date.today()
    try:
        return parse_vn_date(text)
    except ValueError as exc:
        raise ValidationError(f"--{field}: {exc}.", field=field) from None


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], right: set[int] | None = None) -> str:
    """Plain text table with aligned columns (numbers right-aligned)."""
    right = right or set()
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), sep, *(line(r) for r in cells[1:])])


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def run_progress(args: argparse.Namespace) -> int:
    as_of = _day(args.as_of, "as-of")
    with open_db(db_path(args), create=False) as store:
        plan_id = tracker_queries.resolve_plan(store, args.plan, args.year)
        p = tracker_queries.progress(store, plan_id, as_of)
    if args.json:
        _print_json(p.as_dict())
        return 0
    print(f"Tiến độ kế hoạch năm {p.year} tính đến {format_date(as_of)}")
    rows = []
    for u in [*p.units, p.total]:
        rows.append([u.unit_name + (" (*)" if u.baseline_typed and u.unit_code else ""), u.baseline, u.target,
                     u.exited, u.new, u.to_poor, f"{u.net_change:+d}", u.current,
                     format_percent(u.percent_of_target), f"{u.expected:.1f}".replace(".", ","), u.status])
    print(format_table(["Đơn vị", "Đầu năm", "Chỉ tiêu", "Đã thoát", "Mới", "Sang nghèo", "Thay đổi",
                        "Hiện có", "% chỉ tiêu", "Dự kiến", "Trạng thái"], rows, right=set(range(1, 10))))
    if any(u.baseline_typed for u in p.units):
        print("(*) Số đầu năm nhập tay (chưa có dữ liệu của đơn vị).")
    return 0


_CMP = {obj.AT_MOST: "≤", obj.AT_LEAST: "≥"}


def _value_text(m: obj.Measurement) -> str:
    if m.value is None:
        return ""
    if m.measure_unit == obj.PERCENT:
        return format_percent(m.value)
    return f"{int(m.value)} {m.measure_unit}"


def run_objectives(args: argparse.Namespace) -> int:
    as_of = _day(args.as_of, "as-of")
    with open_db(db_path(args), create=False) as store:
        plan_id = tracker_queries.resolve_plan(store, args.plan, args.year)
        found = tracker_queries.measure_objectives(store, plan_id, as_of)
    if args.json:
        _print_json([m.as_dict() for m in found])
        return 0
    rows = []
    for m in found:
        target = "" if m.target is None else (
            format_percent(m.target, 0) if m.measure_unit == obj.PERCENT else f"{int(m.target)} {m.measure_unit}")
        count = f"{m.numerator}/{m.denominator}" if m.denominator is not None else str(m.numerator)
        rows.append([m.label, _value_text(m), count, m.unknown or "", f"{_CMP.get(m.comparison, m.comparison)} {target}", m.status])
    print(f"Mục tiêu của kế hoạch tính đến {format_date(as_of)}")
    print(format_table(["Mục tiêu", "Giá trị", "Số đếm", "Chưa có thông tin", "Chỉ tiêu", "Trạng thái"],
                       rows, right={1, 2, 3}))
    return 0


def run_actions(args: argparse.Namespace) -> int:
    today = _day(args.today, "today")
    with open_db(db_path(args), create=False) as store:
        if args.able_without_action:
            if args.year is None:
                raise ValidationError("--able-without-action cần --year (năm kế hoạch).", field="year")
            households = support.households_able_to_exit_without_action(store, args.year)
            if args.json:
                _print_json(households)
                return 0
            print(f"{len(households)} hộ có khả năng thoát năm {args.year} nhưng chưa có hoạt động hỗ trợ")
            print(format_table(["Mã hộ", "Chủ hộ", "Thôn/tổ", "Đơn vị"],
                               [[h["household_code"], h["head_name"], h["village"], h["unit_code"]]
                                for h in households]))
            return 0
        actions = support.list_actions(store, args.household, year=args.year, status=args.status,
                                       overdue_on=today if args.overdue else None)
    if args.json:
        _print_json(actions)
        return 0
    rows = [[a["head_name"], a["member_name"], a["measure_name"] or a["measure_code"], a["body_code"],
             format_date(a["planned_date"]), support.STATUS_LABELS.get(a["status"], a["status"]),
             format_date(a["done_date"]), format_vnd(a["amount"]), a["funding_source"]] for a in actions]
    title = "hoạt động quá hạn" if args.overdue else "hoạt động hỗ trợ"
    print(f"{len(actions)} {title}")
    print(format_table(["Chủ hộ", "Thành viên", "Biện pháp", "Cơ quan", "Dự kiến", "Trạng thái", "Ngày xong",
                        "Số tiền", "Nguồn kinh phí"], rows, right={7}))
    return 0
