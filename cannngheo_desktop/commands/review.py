"""`cannngheo review …`: review rounds on the command line.

    cannngheo review create       --db F --year 2026 --ruleset VN-2027 [--ongoing --period 2026-11] [--unit 00640]
    cannngheo review list         --db F
    cannngheo review status       --db F --round ID [--json] [--today dd/mm/yyyy]
    cannngheo review request      --db F --round ID --household MÃ [--household MÃ …] --by "Họ tên" [--village V]
    cannngheo review add          --db F --round ID --household MÃ --note "lý do"
    cannngheo review survey       --db F --round ID [--household MÃ … | --village V] [--screened-out] --date D
    cannngheo review meeting      --db F --round ID --village V --date D --attendees N --votes-for N [--out bb.pdf]
    cannngheo review posting      --db F --round ID --start D [--holidays …] [--out niem-yet.xlsx]
    cannngheo review complaint    --db F --round ID --household MÃ --by … --text …
    cannngheo review resolve      --db F --round ID --household MÃ --outcome … [--category near_poor]
    cannngheo review decide       --db F --round ID --number 125/QĐ-UBND --date 04/12/2026 [--out qd.pdf]
    cannngheo review certificates --db F --round ID --date 07/12/2026 --out gcn.pdf [--signer "Họ tên"]
    cannngheo review close        --db F --round ID --date D [--report bc.xlsx]
    cannngheo review overdue      --db F [--today dd/mm/yyyy]   (exit 1 when some request is overdue)
The step runners are in review_steps.py; the exit codes in EXIT_CODES (shown by every --help).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..core.model import CATEGORY_LABELS, EVENT_KINDS
from ..core.text import format_date
from ..review import deadlines, decisions, steps
from ..review import outcome as rd
from ..review import rounds as rv
from ..review import settings as review_settings
from ..storage import open_db
from . import add_db_argument, db_path, review_steps

EXIT_CODES = """Mã thoát (exit code):
  0  xong
  1  lỗi của người dùng, không ghi gì (thông báo tiếng Việt: đợt, hộ, ngày… không hợp lệ; bước trước chưa xong);
     riêng `review overdue`: 1 = có đề nghị quá hạn (danh sách được in ra)
  2  dòng lệnh sai (thiếu hoặc thừa tham số)
  5  `review survey`: có hộ chưa chấm điểm được vì thông tin chưa hợp lệ (in tên hộ và trường cần sửa);
     các hộ khác đã được ghi
  6  `review meeting`: biểu quyết dưới 50% số người dự họp; biên bản đã lưu, các hộ của thôn trở lại
     danh sách cần rà soát, sau đó họp dân lại
  70 lỗi không lường trước (xem tệp nhật ký)

Thời hạn (xem `review status`): Quyết định 24/2021/QĐ-TTg theo Nghị định 07/2021/NĐ-CP — rà soát định kỳ
01/09–14/12, thường xuyên từ ngày 15 hằng tháng và cấp giấy trong 15 ngày, niêm yết 03 ngày làm việc, họp dân
nhất trí từ 50%. Nghị định 351/2025/NĐ-CP (đợt từ 2027): chưa tìm được văn bản quy trình, thời hạn hiển thị
kèm "chưa xác nhận"."""

CATEGORY_HELP = "poor (hộ nghèo), near_poor (hộ cận nghèo), average (hộ có mức sống trung bình), not_poor (hộ không nghèo)"


def _parser(psub: argparse._SubParsersAction, name: str, text: str, **kw) -> argparse.ArgumentParser:
    return psub.add_parser(name, help=text, description=text.replace("%%", "%"), epilog=EXIT_CODES,
                           formatter_class=argparse.RawDescriptionHelpFormatter, **kw)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="rà soát hộ nghèo, cận nghèo: mọi bước của một đợt, từ mở đợt đến kết thúc",
                       description="Các bước của một đợt rà soát: create (mở đợt) → request/add → survey → meeting → "
                                   "posting → complaint/resolve → decide → certificates → close.",
                       epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    psub = p.add_subparsers(dest="review_command", metavar="VIỆC")
    c = _parser(psub, "create", "1. mở đợt rà soát (định kỳ: lập danh sách hộ nghèo, cận nghèo hiện có)",
                aliases=["open"])
    c.add_argument("--year", type=int, required=True, help="năm rà soát")
    c.add_argument("--ruleset", required=True, help="bộ chuẩn, ví dụ VN-2027")
    c.add_argument("--ongoing", action="store_true", help="rà soát thường xuyên (cần --period)")
    c.add_argument("--period", default=None, help="kỳ yyyy-mm của rà soát thường xuyên")
    c.add_argument("--unit", default=None, help="mã xã/phường (mặc định: đơn vị của cơ sở dữ liệu)")
    c.add_argument("--date", default=None, help="ngày mở đợt (mặc định hôm nay)")
    c.set_defaults(func=run_create)
    ls = _parser(psub, "list", "các đợt rà soát")
    ls.set_defaults(func=run_list)
    st = _parser(psub, "status", "tiến độ một đợt: các bước, thời hạn của từng bước, số hộ theo phân loại")
    st.add_argument("--json", action="store_true", help="in JSON")
    st.add_argument("--today", default=None, help="ngày tính quá hạn dd/mm/yyyy (mặc định hôm nay)")
    st.set_defaults(func=run_status)
    rq = _parser(psub, "request", "2. ghi giấy đề nghị (Mẫu số 01) của hộ, hoặc danh sách đề nghị do thôn lập")
    rq.add_argument("--household", action="append", required=True, metavar="MÃ_HỘ",
                    help="mã hộ (lặp lại cho nhiều hộ)")
    rq.add_argument("--kind", choices=sorted(steps_kinds()), default="recognise",
                    help="recognise: đề nghị công nhận; exit: đề nghị thoát nghèo/cận nghèo")
    rq.add_argument("--by", required=True, help="người nộp giấy đề nghị")
    rq.add_argument("--village", default=None, help="đề nghị do thôn/tổ này lập (các hộ phải ở thôn đó)")
    rq.add_argument("--date", default=None, help="ngày nhận đề nghị dd/mm/yyyy (mặc định hôm nay)")
    rq.set_defaults(func=review_steps.run_request)
    ad = _parser(psub, "add", "2. bổ sung một hộ vào danh sách rà soát (phải ghi lý do)")
    ad.add_argument("--household", required=True, metavar="MÃ_HỘ", help="mã hộ")
    ad.add_argument("--note", required=True, help="lý do bổ sung")
    ad.set_defaults(func=review_steps.run_add)
    sv = _parser(psub, "survey", "3. ghi kết quả rà soát và chấm điểm các hộ (theo thông tin hiện có của hộ)")
    who = sv.add_mutually_exclusive_group()
    who.add_argument("--household", action="append", metavar="MÃ_HỘ", help="mã hộ (lặp lại cho nhiều hộ)")
    who.add_argument("--village", default=None, help="mọi hộ chưa rà soát của thôn/tổ này")
    sv.add_argument("--screened-out", action="store_true", help="hộ bị loại qua Phiếu A (không chấm Phiếu B)")
    sv.add_argument("--assessor", default=None, help="họ tên rà soát viên")
    sv.add_argument("--date", default=None, help="ngày rà soát dd/mm/yyyy (mặc định hôm nay)")
    sv.set_defaults(func=review_steps.run_survey)
    mt = _parser(psub, "meeting", "4. ghi biên bản họp dân của một thôn/tổ, kết quả biểu quyết (cần từ 50%%)")
    mt.add_argument("--village", required=True, help="thôn/tổ dân phố")
    mt.add_argument("--date", default=None, help="ngày họp dd/mm/yyyy (mặc định hôm nay)")
    mt.add_argument("--attendees", type=int, required=True, help="số người dự họp")
    mt.add_argument("--votes-for", type=int, default=None, help="số người nhất trí kết quả rà soát")
    mt.add_argument("--votes-against", type=int, default=None, help="số người không nhất trí")
    mt.add_argument("--chair", default=None, help="người chủ trì (thường là trưởng thôn)")
    mt.add_argument("--secretary", default=None, help="thư ký cuộc họp")
    mt.add_argument("--agreed", default=None, help="ý kiến thống nhất (ghi vào biên bản)")
    mt.add_argument("--change", action="append", metavar="MÃ_HỘ=PHÂN_LOẠI:LÝ_DO",
                    help=f"họp dân đổi kết quả của một hộ; phân loại: {CATEGORY_HELP}")
    mt.add_argument("--out", type=Path, default=None, help="in biên bản họp dân ra tệp PDF")
    mt.set_defaults(func=review_steps.run_meeting)
    mn = _parser(psub, "minutes", "in lại biên bản họp dân (PDF, mỗi cuộc họp một trang)")
    mn.add_argument("--village", default=None, help="chỉ một thôn/tổ")
    mn.add_argument("--out", type=Path, required=True, help="tệp PDF")
    mn.set_defaults(func=review_steps.run_minutes)
    ps = _parser(psub, "posting", "5. niêm yết công khai: ngày bắt đầu, lịch ngày làm việc, danh sách niêm yết")
    ps.add_argument("--start", default=None, help="ngày bắt đầu niêm yết dd/mm/yyyy (mặc định hôm nay)")
    ps.add_argument("--holidays", default=None, metavar="yyyy-mm-dd,…",
                    help="lưu danh sách ngày nghỉ lễ (không tính vào ngày làm việc)")
    ps.add_argument("--out", type=Path, default=None, help="danh sách niêm yết: .xlsx hoặc .pdf (số CCCD che bớt)")
    ps.set_defaults(func=review_steps.run_posting)
    cp = _parser(psub, "complaint", "5. ghi khiếu nại về kết quả của một hộ trong thời gian niêm yết")
    cp.add_argument("--household", required=True, metavar="MÃ_HỘ", help="mã hộ bị khiếu nại")
    cp.add_argument("--by", required=True, help="người khiếu nại")
    cp.add_argument("--text", required=True, help="nội dung khiếu nại")
    cp.add_argument("--date", default=None, help="ngày nhận dd/mm/yyyy (mặc định hôm nay)")
    cp.set_defaults(func=review_steps.run_complaint)
    rs = _parser(psub, "resolve", "5. ghi kết quả kiểm tra lại (phúc tra) một khiếu nại")
    rs.add_argument("--household", required=True, metavar="MÃ_HỘ", help="mã hộ")
    rs.add_argument("--outcome", required=True, help="kết quả giải quyết")
    rs.add_argument("--category", default=None, help=f"phân loại sau kiểm tra lại nếu thay đổi: {CATEGORY_HELP}")
    rs.add_argument("--date", default=None, help="ngày giải quyết dd/mm/yyyy (mặc định hôm nay)")
    rs.set_defaults(func=review_steps.run_resolve)
    d = _parser(psub, "decide", "6. ban hành quyết định công nhận (ghi phân loại và sự kiện của các hộ)")
    d.add_argument("--number", required=True, help="số quyết định")
    d.add_argument("--date", required=True, help="ngày quyết định dd/mm/yyyy")
    d.add_argument("--out", type=Path, default=None, help="in quyết định và danh sách kèm theo ra tệp PDF")
    d.add_argument("--replies", type=Path, default=None, help="in văn bản trả lời các đề nghị không được công nhận (PDF)")
    d.set_defaults(func=run_decide)
    g = _parser(psub, "certificates", "7. cấp số và in giấy chứng nhận (PDF, mỗi hộ một trang)")
    g.add_argument("--date", default=None, help="ngày cấp (mặc định hôm nay)")
    g.add_argument("--out", type=Path, required=True, help="tệp PDF")
    g.add_argument("--signer", default=None, metavar="HỌ_TÊN",
                   help="họ tên người ký (Chủ tịch UBND); được lưu lại cho các lần in sau")
    g.set_defaults(func=run_certificates)
    cl = _parser(psub, "close", "8. kết thúc đợt (sau khi đã cấp giấy chứng nhận), có thể in báo cáo kết quả")
    cl.add_argument("--date", default=None, help="ngày kết thúc dd/mm/yyyy (mặc định hôm nay)")
    cl.add_argument("--report", type=Path, default=None, help="báo cáo kết quả rà soát: .xlsx hoặc .pdf")
    cl.set_defaults(func=review_steps.run_close)
    o = _parser(psub, "overdue", "đề nghị quá 15 ngày chưa có giấy chứng nhận hoặc văn bản trả lời; "
                                 "mã thoát 1 khi có đề nghị quá hạn, 0 khi không có")
    o.add_argument("--today", default=None, help="ngày tính (mặc định hôm nay)")
    o.set_defaults(func=run_overdue)
    with_round = (st, rq, ad, sv, mt, mn, ps, cp, rs, d, g, cl)
    for q in (c, ls, o, *with_round):
        add_db_argument(q)
    for q in with_round:
        q.add_argument("--round", required=True, help="mã (id) đợt rà soát, xem `review list`")
    p.set_defaults(func=lambda args: (p.print_help(), 1)[1])


def steps_kinds() -> list[str]:
    return list(decisions.REQUEST_KINDS)


_day = review_steps.day_arg


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
        rows = deadlines.overview(rnd, _day(args.today, "today"), review_settings.get_holidays(store))
    if args.json:
        print(json.dumps({"round": {k: rnd[k] for k in ("id", "kind", "year", "period", "ruleset_code", "status",
                                                         "posting_start", "posting_end", "decision_no", "closed_date",
                                                         "steps")},
                          "summary": summary,
                          "deadlines": {r["step"]: {"due": r["deadline"].due.isoformat() if r["deadline"].due else None,
                                                    "rule": r["deadline"].rule, "source": r["deadline"].source,
                                                    "confirmed": r["deadline"].confirmed, "state": r["state"]}
                                        for r in rows}}, ensure_ascii=False, indent=2))
        return 0
    marks = {"late": "QUÁ HẠN", "soon": "sắp đến hạn", "ended": "đã hết niêm yết", "done": "", "open": "",
             "none": ""}
    for row in rows:
        print(f"  {row['label']:<24} {steps.STATUS_LABELS[row['status']]:<9} {format_date(row['date']):<10}  "
              f"{row['deadline'].label()}  {marks[row['state']]}".rstrip())
    note = next((r["deadline"].source for r in rows if not r["deadline"].confirmed), None)
    print(f"Căn cứ thời hạn: {note or deadlines.PROCEDURE_07}")
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
        review_steps.write_decision_papers(store, args.round, args.out, args.replies)
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
