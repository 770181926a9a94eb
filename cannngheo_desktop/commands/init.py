"""`cannngheo init`: set up a database from the command line (same service as the setup dialog)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..storage import installation, open_db, users
from . import add_db_argument, db_path, new_encrypted_database, read_secret


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="thiết lập cơ sở dữ liệu mới (vai trò, đơn vị, quản trị viên)")
    add_db_argument(p)
    p.add_argument("--role", required=True, choices=sorted(installation.ROLES))
    p.add_argument("--unit", required=True, help="mã đơn vị (mã GSO) của bản cài đặt này")
    p.add_argument("--receiving-unit", default=None, help="mã đơn vị tiếp nhận báo cáo")
    p.add_argument("--admin", required=True, help="tên đăng nhập của quản trị viên")
    p.add_argument("--password-file", type=Path, default=None,
                   help="tệp chứa mật khẩu (dòng đầu); nếu không có sẽ hỏi")
    p.set_defaults(func=run)


def read_password(path: Path | None) -> str:
    return read_secret(path, what="mật khẩu quản trị viên", field="password", confirm=True)


def run(args: argparse.Namespace) -> int:
    password = read_password(args.password_file)
    users.check_new_password(password, args.admin)
    with new_encrypted_database(db_path(args)) as key, \
            open_db(db_path(args), lock=True, user=args.admin, key=key) as store:
        inst = installation.initialize(
            store, role=args.role, unit_code=args.unit, receiving_unit_code=args.receiving_unit,
            admin_name=args.admin, admin_password=password)
    print(f"Đã thiết lập {db_path(args)}: {installation.ROLES[inst.role]} — {inst.unit_name} ({inst.unit_code}).")
    return 0
