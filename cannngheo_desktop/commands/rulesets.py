"""`cannngheo rulesets`: see and correct the poverty standards stored in a database.

    cannngheo rulesets list    [--db F]
    cannngheo rulesets show    CODE [--db F] [--json]
    cannngheo rulesets set     CODE PATH VALUE --admin NAME [--password-file F] [--db F]
    cannngheo rulesets history CODE [--db F]

Values awaiting confirmation (DOMAIN.md [?]) are marked "⚠ chờ xác nhận". Only an administrator
may change a value: the change is validated with the whole ruleset and audited under their name.
VALUE is typed as in the window: 2.200.000, 8 or 7,5, 01/01/2027, Có/Không.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..core.errors import AuthError, ValidationError
from ..core.standards.parameters import Parameter, parameters, parse
from ..core.text import format_date
from ..storage import open_db, rulesets, users
from . import add_db_argument, db_path, read_secret

WAITING = "⚠ chờ xác nhận"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rulesets", help="xem, sửa tham số các bộ chuẩn nghèo (quản trị viên)")
    inner = p.add_subparsers(dest="action", metavar="VIỆC", required=True)
    a = inner.add_parser("list", help="các bộ chuẩn trong cơ sở dữ liệu")
    add_db_argument(a)
    a.set_defaults(func=run_list)
    s = inner.add_parser("show", help="mọi tham số của một bộ chuẩn, đánh dấu giá trị chờ xác nhận")
    add_db_argument(s)
    s.add_argument("code", help="mã bộ chuẩn, ví dụ VN-2027")
    s.add_argument("--json", action="store_true", help="in dạng JSON")
    s.set_defaults(func=run_show)
    e = inner.add_parser("set", help="sửa một tham số (quản trị viên; được ghi vào nhật ký)")
    add_db_argument(e)
    e.add_argument("code", help="mã bộ chuẩn")
    e.add_argument("path", help="tham số, ví dụ average_band.rural (xem 'rulesets show')")
    e.add_argument("value", help="giá trị mới, ví dụ 3.300.000 hoặc Có")
    e.add_argument("--admin", required=True, help="tên đăng nhập của quản trị viên")
    e.add_argument("--password-file", type=Path, default=None, help="tệp chứa mật khẩu (dòng đầu)")
    e.set_defaults(func=run_set)
    h = inner.add_parser("history", help="ai đã sửa tham số nào, khi nào")
    add_db_argument(h)
    h.add_argument("code", help="mã bộ chuẩn")
    h.set_defaults(func=run_history)


def run_list(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False, readonly=True) as store:
        for rs in rulesets.list_rulesets(store):
            end = format_date(rs.valid_to) if rs.valid_to else "nay"
            waiting = sum(1 for p in parameters(rs.definition) if not p.confirmed)
            flag = f"  {WAITING}: {waiting} tham số" if waiting else ""
            print(f"{rs.code:<10} {format_date(rs.valid_from)}–{end}  {rs.name}{flag}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False, readonly=True) as store:
        rs = rulesets.get_ruleset(store, args.code)
    params = parameters(rs.definition)
    if args.json:
        print(json.dumps([{"path": p.path, "group": p.group, "label": p.label, "value": p.value,
                           "text": p.text, "confirmed": p.confirmed, "note": p.note, "source": p.source}
                          for p in params],
                         ensure_ascii=False, indent=2))
        return 0
    print(f"{rs.name} ({rs.code}) — {rs.legal_basis}")
    group, source = None, None
    for p in params:
        if p.group != group:
            group, source = p.group, None
            print(f"\n[{group}]")
        if p.source and p.source != source:
            source = p.source
            print(f"  Nguồn: {source}")
        print(f"  {p.path:<52} {p.label}: {p.text}{'' if p.confirmed else '  ' + WAITING}")
    return 0


def find_parameter(definition: Mapping[str, Any], path: str) -> Parameter:
    """The listed parameter at ``path``; ValidationError naming it (and where to look) if none."""
    found = next((p for p in parameters(definition) if p.path == path), None)
    if found is None:
        raise ValidationError(f"Bộ chuẩn không có tham số sửa được '{path}'. Xem danh sách bằng "
                              "'cannngheo rulesets show MÃ'.", field="path")
    return found


def run_set(args: argparse.Namespace) -> int:
    password = read_secret(args.password_file, what="mật khẩu quản trị viên", field="password")
    with open_db(db_path(args), create=False, lock=True, user=args.admin) as store:
        user = users.authenticate(store, args.admin, password)
        if user.get("role") != "admin":
            raise AuthError(f"Người dùng '{args.admin}' không phải quản trị viên: không được sửa bộ chuẩn.")
        parameter = find_parameter(rulesets.get_ruleset(store, args.code).definition, args.path)
        value = parse(parameter, args.value)
        rs = rulesets.update_ruleset_parameter(store, args.code, args.path, value)
    now = find_parameter(rs.definition, args.path)
    print(f"Đã sửa {rs.code} — {now.group}: {now.label}: {parameter.text} → {now.text}.", file=sys.stdout)
    return 0


def run_history(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False, readonly=True) as store:
        rows = rulesets.parameter_history(store, args.code)
    if not rows:
        print(f"Chưa có tham số nào của {args.code} được sửa.")
    for r in rows:
        print(f"{r['at'][:19].replace('T', ' ')}  {r['user']}: {r['parameter']}: {r['before']} → {r['after']}")
    return 0
