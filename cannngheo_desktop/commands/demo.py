"""`cannngheo demo`: build the demo database (the 2023 plan of the former Thanh Trì district)."""

from __future__ import annotations

import argparse

from ..demo import build as demo
from ..storage import open_db
from . import add_db_argument, db_path, new_encrypted_database


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="tạo cơ sở dữ liệu mẫu (kế hoạch 2023 huyện Thanh Trì cũ, 505 hộ cận nghèo)")
    add_db_argument(p)
    p.add_argument("--seed", type=int, default=2023, help="hạt giống ngẫu nhiên (cùng hạt giống → cùng dữ liệu)")
    p.add_argument("--extra", type=int, default=0, help="số hộ bình thường thêm vào (để thử với dữ liệu lớn)")
    p.add_argument("--start-of-year", action="store_true",
                   help="chỉ dữ liệu đầu năm 2023 (chưa có hộ thoát, chưa có hoạt động hỗ trợ)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = db_path(args)
    with new_encrypted_database(path) as key, open_db(path, lock=True, user=demo.ADMIN_NAME, key=key) as store:
        summary = demo.build_demo(store, seed=args.seed, households_extra=max(0, args.extra),
                                  year_in_progress=not args.start_of_year)
    print(f"Đã tạo dữ liệu mẫu trong {path}: {summary['households']} hộ "
          f"({summary['near_poor']} hộ cận nghèo), {summary['members']} nhân khẩu, "
          "kế hoạch 90/KH-UBND năm 2023 (16 xã, thị trấn; giảm 75 hộ).")
    counts = ", ".join(f"{k}: {v}" for k, v in sorted(summary["assessed"].items()))
    print(f"Đánh giá theo chuẩn HN-2022 tại 01/01/2023: {counts}.")
    if summary["activity"]:
        print(f"Năm 2023: {summary['activity']['exits']} hộ thoát cận nghèo, "
              f"{summary['activity']['actions']} hoạt động hỗ trợ.")
    print(f"Đăng nhập: tên '{demo.ADMIN_NAME}', mật khẩu dữ liệu mẫu là {demo.ADMIN_PASSWORD}.")
    return 0
