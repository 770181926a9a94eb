"""`cannngheo init`: set up a database from the command line (same service and the same unit rule
as the setup dialog: only units valid on the start date; the receiving office defaults to the
unit's parent, and another office must be confirmed with --confirm-receiving-unit)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from ..core.errors import ValidationError
from ..core.text import parse_vn_date
from ..storage import installation, open_db, users
from ..storage.db import Store
from . import add_db_argument, db_path, new_encrypted_database, read_secret

EPILOG = """Đơn vị phải còn hiệu lực vào ngày --on (mặc định hôm nay): các xã, thị trấn đã sáp nhập ngày
01/07/2025 chỉ thiết lập được với --on trước ngày đó. Xã/phường không ghi --receiving-unit thì
cơ quan tiếp nhận là cấp trên của đơn vị; chọn cơ quan khác phải thêm --confirm-receiving-unit
(gói số liệu hằng tháng chỉ gửi được cho cơ quan này, không đổi được sau khi thiết lập).

Mã thoát: 0 đã thiết lập; 1 lỗi dữ liệu vào (đơn vị không có hoặc hết hiệu lực vào ngày đó, cơ
quan tiếp nhận khác cấp trên mà không xác nhận, mật khẩu yếu, tệp đã thiết lập) — tệp không đổi."""


def _on_date(text: str) -> date:
    try:
        return parse_vn_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày '{text}' không hợp lệ; hãy ghi dd/mm/yyyy") from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="thiết lập cơ sở dữ liệu mới (vai trò, đơn vị, quản trị viên)",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_db_argument(p)
    p.add_argument("--role", required=True, choices=sorted(installation.ROLES))
    p.add_argument("--unit", required=True, help="mã đơn vị (mã GSO) của bản cài đặt này")
    p.add_argument("--receiving-unit", default=None,
                   help="mã đơn vị tiếp nhận báo cáo (xã/phường: mặc định là cấp trên của đơn vị)")
    p.add_argument("--on", type=_on_date, default=None, metavar="dd/mm/yyyy",
                   help="ngày bắt đầu dùng (mặc định hôm nay): đơn vị phải còn hiệu lực vào ngày này")
    p.add_argument("--confirm-receiving-unit", action="store_true",
                   help="xác nhận dùng cơ quan tiếp nhận khác cấp trên của đơn vị")
    p.add_argument("--admin", required=True, help="tên đăng nhập của quản trị viên")
    p.add_argument("--password-file", type=Path, default=None,
                   help="tệp chứa mật khẩu (dòng đầu); nếu không có sẽ hỏi")
    p.set_defaults(func=run)


def read_password(path: Path | None) -> str:
    return read_secret(path, what="mật khẩu quản trị viên", field="password", confirm=True)


def resolve_receiving(store: Store, args: argparse.Namespace) -> str | None:
    """The setup dialog's rule (``installation.resolve_receiving``): the unit and office valid on --on;
    the receiving office defaults to the unit's parent; another one only with --confirm-receiving-unit."""
    try:
        return installation.resolve_receiving(
            store, role=args.role, unit_code=args.unit, receiving_unit_code=args.receiving_unit,
            on=args.on or date.today(), confirmed=bool(args.confirm_receiving_unit))
    except installation.ReceivingNotParent as exc:
        raise ValidationError(exc.message + " Nếu đúng là có chỉ đạo, hãy chạy lại với --confirm-receiving-unit.",
                              field=exc.field) from None
    except installation.UnitNotValidOn as exc:
        raise ValidationError(exc.message + " Hoặc ghi --on với ngày đơn vị này còn hiệu lực.",
                              field=exc.field) from None


def run(args: argparse.Namespace) -> int:
    password = read_password(args.password_file)
    users.check_new_password(password, args.admin)
    with new_encrypted_database(db_path(args)) as key, \
            open_db(db_path(args), lock=True, user=args.admin, key=key) as store:
        receiving = resolve_receiving(store, args)
        inst = installation.initialize(
            store, role=args.role, unit_code=args.unit, receiving_unit_code=receiving,
            admin_name=args.admin, admin_password=password)
    print(f"Đã thiết lập {db_path(args)}: {installation.ROLES[inst.role]} — {inst.unit_name} ({inst.unit_code}).")
    return 0
