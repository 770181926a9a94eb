"""`cannngheo backup` and `cannngheo restore`: the same backups as the Tệp menu."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.errors import DatabaseError
from ..storage import keyslots, open_db
from ..storage.backup import backup_database, list_backups, restore_database
from . import add_db_argument, db_path, read_secret


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="sao lưu cơ sở dữ liệu (mặc định vào thư mục backups cạnh tệp)")
    add_db_argument(p)
    p.add_argument("--out", type=Path, default=None, help="thư mục đích (ví dụ ổ USB)")
    p.add_argument("--list", action="store_true", help="liệt kê các bản sao lưu tự động")
    p.set_defaults(func=run_backup)

    r = sub.add_parser("restore", help="khôi phục từ một bản sao lưu (tệp hiện tại được sao lưu trước)")
    add_db_argument(r)
    r.add_argument("backup_file", type=Path)
    r.add_argument("--yes", action="store_true", help="không hỏi xác nhận")
    r.add_argument("--backup-passphrase-file", type=Path, default=None,
                   help="bản sao lưu mã hóa bằng khóa khác (máy khác, trước khi đặt lại): tệp mà dòng đầu là "
                        "mật khẩu của người dùng trong bản đó hoặc mã khôi phục của nó")
    r.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    path = db_path(args)
    if args.list:
        for item in list_backups(path):
            print(item)
        return 0
    with open_db(path, create=False, lock=True) as store:
        target = backup_database(store.conn, store.path, reason="thu-cong", folder=args.out,
                                 keep=None if args.out else 10)
    print(f"Đã sao lưu vào {target}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    path = db_path(args).resolve()
    if not args.backup_file.exists():
        raise DatabaseError(f"Không tìm thấy bản sao lưu '{args.backup_file}'.")
    if not args.yes:
        answer = input(f"Thay tệp {path} bằng {args.backup_file}? Gõ 'co' để đồng ý: ")
        if answer.strip().lower() not in ("co", "có", "y", "yes"):
            print("Không khôi phục.")
            return 1
    # Hold the session lock while replacing the file so a running window cannot be overwritten.
    from ..storage.lock import acquire

    key = None
    if args.backup_passphrase_file is not None:
        secret = read_secret(args.backup_passphrase_file, what="mật khẩu của bản sao lưu", field="backup")
        key = keyslots.unlock(args.backup_file, secret).key
    held = acquire(path) if path.exists() else None
    try:
        safety = restore_database(args.backup_file, path, key=key)
    finally:
        if held:
            held.release()
    # Open once to validate (and migrate) what was restored.
    with open_db(path, create=False):
        pass
    print(f"Đã khôi phục {path} từ {args.backup_file}. Bản sao lưu tệp cũ: {safety}")
    return 0
