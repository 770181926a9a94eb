"""`cannngheo report`: every report of the catalogue from the command line.

    cannngheo report --list
    cannngheo report NAME --db F --out FILE [--unit CODE] [--year YYYY] [--date D] [--from D]
                     [--category C] [--ruleset CODE] [--compare CODE] [--household MÃ] [--village V] [--format xlsx|pdf]
                     [--noi-bo]

The format follows the file extension unless --format is given. Lists with ID numbers (the
posting list) mask them (``001******890``) unless --noi-bo asks for the internal copy, which says
"NỘI BỘ" in its title. Exit codes: 0 written, 1 bad arguments or data, or the output file
cannot be written (message in Vietnamese; the database is only read).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from ..core.errors import ValidationError
from ..core.text import parse_vn_date
from ..documents.catalogue import FORMATS, get_report, list_reports
from ..documents.context import CATEGORY_FILTERS, PARAM_LABELS, ReportParams
from ..storage import open_db
from . import add_db_argument, db_path, read_secret


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="xuất báo cáo Excel/PDF (xem --list)",
                       epilog="Mã thoát: 0 đã xuất; 1 tham số, dữ liệu không hợp lệ hoặc không ghi được tệp "
                              "kết quả (có thông báo; cơ sở dữ liệu chỉ được đọc).")
    p.add_argument("name", nargs="?", help="mã báo cáo (xem --list)")
    p.add_argument("--list", action="store_true", help="liệt kê các báo cáo")
    add_db_argument(p)
    p.add_argument("--out", type=Path, help="tệp kết quả (.xlsx hoặc .pdf)")
    p.add_argument("--unit", default=None, help="mã đơn vị (mặc định: tất cả)")
    p.add_argument("--year", type=int, default=None, help="năm báo cáo")
    p.add_argument("--date", default=None, help="tính đến ngày dd/mm/yyyy (cuối kỳ)")
    p.add_argument("--from", dest="start", default=None, help="đầu kỳ dd/mm/yyyy (báo cáo biến động)")
    p.add_argument("--category", choices=sorted(CATEGORY_FILTERS), default=None,
                   help="phân loại hộ; poor_or_near_poor = đúng hộ nghèo và hộ cận nghèo "
                        "(mặc định: danh sách có mọi hộ)")
    p.add_argument("--ruleset", default=None, help="mã bộ chuẩn nghèo (báo cáo thiếu hụt; bộ chuẩn mới của ruleset-change)")
    p.add_argument("--compare", default=None,
                   help="bộ chuẩn so sánh của ruleset-change (mặc định: bộ chuẩn đang áp dụng)")
    p.add_argument("--household", default=None, help="mã hộ (hồ sơ hộ)")
    p.add_argument("--village", default=None, help="thôn/tổ dân phố")
    p.add_argument("--noi-bo", dest="internal", action="store_true",
                   help="bản NỘI BỘ: in đầy đủ số định danh (mặc định che, để niêm yết)")
    p.add_argument("--xlsx-password-file", type=Path, default=None,
                   help="bản nội bộ dạng Excel (--noi-bo): tệp mà dòng đầu là mật khẩu đặt cho tệp Excel (bắt buộc, "
                        "ít nhất 8 ký tự); Excel hỏi mật khẩu này khi mở")
    p.add_argument("--format", choices=FORMATS, default=None, help="dạng tệp (mặc định: theo đuôi tệp)")
    p.set_defaults(func=run)


def _day(text: str | None, flag: str) -> date | None:
    if not text:
        return None
    try:
        return parse_vn_date(text)
    except ValueError as exc:
        raise ValidationError(f"--{flag}: {exc}.", field=flag) from None


def print_list() -> None:
    for spec in list_reports():
        params = ", ".join(PARAM_LABELS[x].split(" (")[0].lower() for x in spec.params)
        print(f"{spec.code:20} {spec.title} [{', '.join(spec.formats)}]")
        print(f"{'':20} {spec.description}")
        print(f"{'':20} Tham số: {params}")


def run(args: argparse.Namespace) -> int:
    if args.list or not args.name:
        print_list()
        return 0 if args.list else 1
    spec = get_report(args.name)
    if args.out is None:
        raise ValidationError("Hãy cho biết tệp kết quả bằng --out (ví dụ --out bao-cao.xlsx).", field="out")
    params = ReportParams(unit_code=args.unit, year=args.year, on=_day(args.date, "date"),
                          start=_day(args.start, "from"), category=args.category, ruleset=args.ruleset,
                          compare_to=args.compare,
                          household=args.household, village=args.village, internal=args.internal,
                          password=read_secret(args.xlsx_password_file, what="mật khẩu tệp Excel",
                                               field="password") if args.xlsx_password_file else None)
    with open_db(db_path(args), create=False) as store:
        out = spec.build(store, params, args.out, args.format)
    print(f"Đã xuất '{spec.title}' vào {out}", file=sys.stdout)
    return 0
