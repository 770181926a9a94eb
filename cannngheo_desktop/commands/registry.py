"""`cannngheo import-excel | export-excel | template`: the registry's Excel services on the
command line (same functions as the Hộ gia đình tab).

import-excel exit codes: 0 imported (or, with --dry-run, no errors), 2 the file has errors and
nothing was written, 1 any other failure (message printed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core import model
from ..storage import open_db
from . import add_db_argument, db_path, read_secret

MAX_LISTED_WARNINGS = 30


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import-excel", help="nhập danh sách hộ từ tệp Excel (kiểm tra trước, ghi tất cả hoặc không)")
    add_db_argument(p)
    p.add_argument("file", type=Path, metavar="FILE.xlsx", help="tệp Excel danh sách hộ")
    p.add_argument("--unit", default=None,
                   help="mã đơn vị (mã GSO) của các hộ khi tệp không có cột 'Mã đơn vị' "
                        "(mặc định ở xã/phường: đơn vị của cơ sở dữ liệu này)")
    p.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi gì")
    p.add_argument("--errors", type=Path, default=None, metavar="OUT.xlsx",
                   help="lưu bảng lỗi (các dòng gốc kèm cột Lỗi, Cảnh báo) để sửa rồi nhập lại")
    p.set_defaults(func=run_import)

    e = sub.add_parser("export-excel", help="xuất danh sách hộ (kèm thành viên) ra tệp Excel")
    add_db_argument(e)
    e.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    e.add_argument("--unit", default=None, help="chỉ các hộ của đơn vị này")
    e.add_argument("--search", default="", help="tìm như ô Tìm của cửa sổ: mọi từ phải có trong tên của CÙNG một người (không cần "
                        "dấu, từ cuối gõ dở cũng được, ví dụ 'nguyen van a'), hoặc một phần từ 4 ký tự "
                        "trở lên của mã hộ hay số CCCD (ví dụ '4321')")
    e.add_argument("--category", default=None, choices=sorted(model.CATEGORY_LABELS))
    e.add_argument("--include-removed", action="store_true", help="kể cả hộ đã chuyển đi/đã gộp")
    e.add_argument("--xlsx-password-file", type=Path, default=None,
                   help="bản NỘI BỘ có đầy đủ số CCCD: tệp mà dòng đầu là mật khẩu đặt cho tệp Excel (ít nhất 8 ký "
                        "tự). Không có: số CCCD được che (mã tỉnh và 3 số cuối)")
    e.set_defaults(func=run_export)

    t = sub.add_parser("template", help="tạo tệp mẫu Excel để nhập danh sách hộ")
    t.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    t.set_defaults(func=run_template)


def run_import(args: argparse.Namespace) -> int:
    from ..registry import excel_import

    with open_db(db_path(args), create=False, lock=True, user="dong-lenh") as store:
        report = excel_import.dry_run(store, args.file, args.unit)
        print(report.summary_text())
        for issue in report.errors:
            print(f"  LỖI {issue.text}")
        for issue in report.warnings[:MAX_LISTED_WARNINGS]:
            print(f"  Cảnh báo {issue.text}")
        if len(report.warnings) > MAX_LISTED_WARNINGS:
            print(f"  … và {len(report.warnings) - MAX_LISTED_WARNINGS} cảnh báo khác (xem bảng lỗi).")
        if args.errors and report.issues:
            out = excel_import.write_error_workbook(report, args.errors)
            print(f"Đã lưu bảng lỗi: {out}")
        if report.has_errors:
            print("Chưa ghi gì vào cơ sở dữ liệu. Hãy sửa các dòng có lỗi rồi nhập lại.", file=sys.stderr)
            return 2
        if args.dry_run:
            print("Kiểm tra xong, không có lỗi (chưa ghi vì đang chạy --dry-run).")
            return 0
        summary = excel_import.apply_import(store, report, args.unit)
    print(f"Đã nhập {summary.households} hộ, {summary.members} nhân khẩu. Bản sao lưu trước khi nhập: "
          f"{summary.backup_path}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from ..registry.excel_export import export_households
    from ..registry.queries import ListQuery

    q = ListQuery(search=args.search or "", unit_code=args.unit, category=args.category,
                  include_removed=args.include_removed, sort="household_code")
    with open_db(db_path(args), create=False, user="dong-lenh") as store:
        count = export_households(store, q, args.out, password=read_secret(
            args.xlsx_password_file, what="mật khẩu tệp Excel", field="password") if args.xlsx_password_file else None)
    print(f"Đã xuất {count} hộ ra {args.out}.")
    return 0


def run_template(args: argparse.Namespace) -> int:
    from ..registry.template import write_template

    out = write_template(args.out)
    print(f"Đã tạo tệp mẫu {out}.")
    return 0
