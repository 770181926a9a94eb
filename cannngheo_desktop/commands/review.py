"""`cannngheo review …`: review rounds on the command line.

    cannngheo review create       --db F --year 2026 --ruleset VN-2027 [--ongoing --period 2026-11] [--unit 00640]
    cannngheo review list         --db F
    cannngheo review status       --db F --round ID [--json]
    cannngheo review decide       --db F --round ID --number 125/QĐ-UBND --date 04/12/2026
    cannngheo review certificates --db F --round ID --date 07/12/2026 --out gcn.pdf [--signer "Họ tên"]
    cannngheo review overdue      --db F [--today dd/mm/yyyy]
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from ..core.errors import ValidationError
from ..core.model import CATEGORY_LABELS, EVENT_KINDS
from ..core.text import format_date, parse_vn_date
from ..review import outcome as rd
from ..review import rounds as rv
from ..review import settings as review_settings
from ..review import steps
from ..storage import open_db
from . import add_db_argument, db_path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="rà soát hộ nghèo, cận nghèo: đợt rà soát, quyết định, giấy chứng nhận")
    psub = p.add_subparsers(dest="review_command", metavar="VIỆC")
    c = psub.add_parser("create", help="mở đợt rà soát (định kỳ: lập danh sách hộ nghèo, cận nghèo hiện có)")
    c.add_argument("--year", type=int, required=True, help="năm rà soát")
    c.add_argument("--ruleset", required=True, help="bộ chuẩn, ví dụ VN-2027")
    c.add_argument("--ongoing", action="store_true", help="rà soát thường xuyên (cần --period)")
    c.add_argument("--period", default=None, help="kỳ yyyy-mm của rà soát thường xuyên")
    c.add_argument("--unit", default=None, help="mã xã/phường (mặc định: đơn vị của cơ sở dữ liệu)")
    c.add_argument("--date", default=None, help="ngày mở đợt (mặc định hôm nay)")
    c.set_defaults(func=run_create)
    ls = psub.add_parser("list", help="các đợt rà soát")
    ls.set_defaults(func=run_list)
    st = psub.add_parser("status", help="tiến độ một đợt: các bước, số hộ theo phân loại")
    st.add_argument("--json", action="store_true", help="in JSON")
    st.set_defaults(func=run_status)
    d = psub.add_parser("decide", help="ban hành quyết định công nhận (ghi phân loại và sự kiện của các hộ)")
    d.add_argument("--number", required=True, help="số quyết định")
    d.add_argument("--date", required=True, help="ngày quyết định dd/mm/yyyy")
    d.set_defaults(func=run_decide)
    g = psub.add_parser("certificates", help="cấp số và in giấy chứng nhận (PDF, mỗi hộ một trang)")
    g.add_argument("--date", default=None, help="ngày cấp (mặc định hôm nay)")
    g.add_argument("--out", type=Path, required=True, help="tệp PDF")
    g.add_argument("--signer", default=None, metavar="HỌ_TÊN",
                   help="họ tên người ký (Chủ tịch UBND); được lưu lại cho các lần in sau")
    g.set_defaults(func=run_certificates)
    o = psub.add_parser("overdue", help="đề nghị quá 15 ngày chưa có giấy chứng nhận hoặc văn bản trả lời")
    o.add_argument("--today", default=None, help="ngày tính (mặc định hôm nay)")
    o.set_defaults(func=run_overdue)
    for q in (c, ls, st, d, g, o):
        add_db_argument(q)
    for q in (st, d, g):
        q.add_argument("--round", required=True, help="mã (id) đợt rà soát, xem `review list`")
    p.set_defaults(func=lambda args: (p.print_help(), 1)[1])


def _day(text: str | None, name: str) -> date:
    if not text:
        return date.today()
    try:
        return parse_vn_date(text)
    except ValueError as exc:
        raise ValidationError(f"--{name}: {exc}.", field=name) from None


def run_create(args: argparse.Namespace) -> int:
    kind = "ongoing" if args.ongoing else "annual"
    with open_db(db_path(args), create=False) as store:
        rnd = rv.create_round(store, kind=kind, year=args.year, ruleset_code=args.ruleset, period=args.period,
                              unit_code=args.unit, on=_day(args.date, "date"))
        count = len(rv.items(store, rnd["id"]))
    print(f"Đã mở đợt {steps.KIND_LABELS[kind].lower()} năm {rnd['year']} ({rnd['ruleset_code']}), "
          f"{count} hộ trong danh sách. Mã đợt: {rnd['id']}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False) as store:
        rounds = rv.list_rounds(store)
    if not rounds:
        print("Chưa có đợt rà soát nào.")
    for r in rounds:
        what = f"kỳ {r['period']}" if r.get("period") else f"năm {r['year']}"
        print(f"{r['id']}  {steps.KIND_LABELS[r['kind']]} {what}  {r['ruleset_code']}  {r['items']} hộ  "
              f"bước: {steps.STEP_LABELS[steps.current_step(r['steps'])]}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False) as store:
        rnd = rv.get_round(store, args.round)
        summary = rd.round_summary(store, args.round)
    if args.json:
        print(json.dumps({"round": {k: rnd[k] for k in ("id", "kind", "year", "period", "ruleset_code", "status",
                                                         "posting_start", "posting_end", "decision_no", "steps")},
                          "summary": summary}, ensure_ascii=False, indent=2))
        return 0
    for step in steps.STEPS:
        s = rnd["steps"][step]
        print(f"  {steps.STEP_LABELS[step]:<24} {steps.STATUS_LABELS[s['status']]:<9} {format_date(s['date'])}")
    if rnd.get("posting_start"):
        print(f"Niêm yết: {format_date(rnd['posting_start'])} – {format_date(rnd['posting_end'])}")
    print(f"{summary['households']} hộ; chưa rà soát: {summary['unsurveyed']}")
    for cat, n in sorted(summary["by_category"].items()):
        print(f"  {CATEGORY_LABELS.get(cat, cat)}: {n}")
    return 0


def run_decide(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False) as store:
        result = rd.confirm_decision(store, args.round, decision_no=args.number, decision_date=_day(args.date, "date"))
    print(f"Đã ban hành quyết định {args.number}.")
    for kind, n in sorted(result["events"].items()):
        print(f"  {EVENT_KINDS[kind]}: {n}")
    print(f"  Giữ nguyên: {result['unchanged']}; không công nhận theo đề nghị: {result['refused']}")
    return 0


def run_certificates(args: argparse.Namespace) -> int:
    from ..documents.render.certificate_pdf import write_certificates

    with open_db(db_path(args), create=False) as store:
        if args.signer is not None:
            review_settings.set_signer_name(store, args.signer)
        if not review_settings.signer_name(store):
            print("Chú ý: chưa có tên người ký; thêm --signer \"Họ tên\" để in tên dưới chữ ký.")
        rd.issue_certificates(store, args.round, on=_day(args.date, "date"))
        records = [rd.certificate_record(store, i["id"]) for i in rv.items(store, args.round) if i.get("certificate_no")]
    path = write_certificates(records, args.out)
    print(f"Đã ghi {len(records)} giấy chứng nhận vào {path}")
    return 0


def run_overdue(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False) as store:
        late = rd.overdue_requests(store, _day(args.today, "today"))
    if not late:
        print("Không có đề nghị nào quá hạn 15 ngày.")
    for r in late:
        print(f"{r['head_name']}  ({r.get('village') or ''})  đề nghị ngày {format_date(r['request_date'])}, "
              f"hạn {format_date(r['deadline'])}")
    return 1 if late else 0
