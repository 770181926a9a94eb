"""`cannngheo account …`: the database's encryption and the people who can unlock it.

    cannngheo account status          [--db F] [--passphrase-file F]
    cannngheo account encrypt         --name ADMIN [--password-file F] [--recovery-out PDF] [--db F]
    cannngheo account change-password --name N [--password-file OLD] [--new-password-file NEW] [--db F]
    cannngheo account reset-password  --name N [--new-password-file NEW] --passphrase-file F [--db F]

Exit codes: 0 done; 1 refused (wrong password, a wait after repeated failures, a password that
breaks the rules, no such person, not allowed), with the reason in Vietnamese; 2 a wrong command
line. Nothing is changed when a command is refused.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.errors import AuthError, ValidationError
from ..storage import cipher, encryption, installation, keyslots, open_db, users
from . import add_db_argument, db_path, print_recovery_key, read_secret

EPILOG = ("Mã thoát: 0 xong; 1 bị từ chối (sai mật khẩu, đang phải chờ sau nhiều lần sai, mật khẩu không đạt "
          "quy tắc, không có người dùng, không có quyền) — không có gì thay đổi; 2 sai cú pháp lệnh.")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("account", help="mã hóa tệp dữ liệu, mật khẩu của người dùng", epilog=EPILOG)
    psub = p.add_subparsers(dest="account_command", metavar="VIỆC", required=True)
    st = psub.add_parser("status", help="tệp đã mã hóa chưa, ai mở được (không in bí mật nào)", epilog=EPILOG)
    add_db_argument(st)
    st.set_defaults(func=status)
    en = psub.add_parser("encrypt", help="mã hóa một tệp dữ liệu chưa mã hóa (sao lưu trước, kiểm tra, xóa bản "
                                         "chưa mã hóa)", epilog=EPILOG)
    add_db_argument(en)
    en.add_argument("--name", required=True, help="tên đăng nhập của quản trị viên (người giữ khóa đầu tiên)")
    en.add_argument("--password-file", type=Path, default=None, help="tệp chứa mật khẩu của người đó (dòng đầu)")
    en.add_argument("--recovery-out", type=Path, default=None, help="ghi phiếu khôi phục (PDF) ra tệp này để in")
    en.set_defaults(func=encrypt)
    ch = psub.add_parser("change-password", help="đổi mật khẩu của mình", epilog=EPILOG)
    add_db_argument(ch)
    ch.add_argument("--name", required=True)
    ch.add_argument("--password-file", type=Path, default=None, help="tệp chứa mật khẩu hiện tại (dòng đầu)")
    ch.add_argument("--new-password-file", type=Path, default=None, help="tệp chứa mật khẩu mới (dòng đầu)")
    ch.set_defaults(func=change_password)
    rs = psub.add_parser("reset-password", help="đặt lại mật khẩu cho một người (mở tệp bằng mã khôi phục hoặc "
                                                "mật khẩu quản trị viên qua --passphrase-file)", epilog=EPILOG)
    add_db_argument(rs)
    rs.add_argument("--name", required=True)
    rs.add_argument("--new-password-file", type=Path, default=None, help="tệp chứa mật khẩu mới (dòng đầu)")
    rs.set_defaults(func=reset_password)


def status(args: argparse.Namespace) -> int:
    path = db_path(args)
    if not path.is_file():
        raise ValidationError(f"Không tìm thấy tệp dữ liệu '{path}'.", field="db")
    if cipher.is_plain_file(path):
        print(f"{path}: CHƯA mã hóa. Hãy chạy 'cannngheo account encrypt --name QUẢN_TRỊ_VIÊN' "
              "(hoặc mở bằng chương trình, tệp sẽ được mã hóa sau lần đăng nhập đầu).")
        return 0
    kf = keyslots.read_key_file(path)
    print(f"{path}: đã mã hóa (SQLCipher, AES-256).")
    if kf is None:
        print(f"Thiếu tệp khóa {keyslots.keys_path(path).name}: chỉ mở được bằng mã khôi phục.")
        return 0
    for slot in kf.slots:
        kind = "người dùng" if slot.kind == "user" else "khóa ký của đơn vị"
        print(f"  {kind}: {slot.name}")
    wait = keyslots.wait_seconds(kf)
    print(f"Số lần nhập sai liên tiếp: {kf.failures}" + (f"; phải chờ {wait} giây nữa." if wait else "."))
    return 0


def encrypt(args: argparse.Namespace) -> int:
    path = db_path(args)
    if not path.is_file() or not cipher.is_plain_file(path):
        raise ValidationError(f"'{path}' không phải tệp dữ liệu chưa mã hóa (đã mã hóa rồi, hoặc không có).",
                              field="db")
    password = read_secret(args.password_file, what=f"mật khẩu của {args.name}", field="password")
    with open_db(path, create=False, lock=True, user=args.name) as store:
        user = users.authenticate(store, args.name, password)
        if user["role"] != "admin":
            raise AuthError(f"'{args.name}' không phải quản trị viên; chỉ quản trị viên mã hóa tệp dữ liệu.")
        users.check_new_password(password, args.name)
        inst = installation.current(store)
        done = encryption.encrypt_plain_database(store.conn, path, admin_name=str(user["name"]),
                                                 password=password, label=inst.unit_name if inst else "")
    with open_db(path, create=False, lock=True, user=args.name, key=done.key) as store:
        users.record_encryption(store, str(user["name"]), f"sqlcipher; encrypted backup {done.backup.name}; "
                                                          f"{done.backups_encrypted} older backups encrypted")
    print(f"Đã mã hóa {path}. Bản sao lưu (đã mã hóa) trước khi mã hóa: {done.backup}.")
    if done.backups_encrypted:
        print(f"Đã mã hóa lại {done.backups_encrypted} bản sao lưu tự động cũ.")
    print_recovery_key(done.recovery)
    if args.recovery_out:
        from ..documents.render.recovery_sheet import render_recovery_sheet

        render_recovery_sheet(args.recovery_out, recovery=done.recovery, unit_name=inst.unit_name if inst else "",
                              db_file=path.name)
        print(f"Đã ghi phiếu khôi phục: {args.recovery_out} — in ra rồi xóa tệp này.")
    return 0


def change_password(args: argparse.Namespace) -> int:
    old = read_secret(args.password_file, what="mật khẩu hiện tại", field="password")
    new = read_secret(args.new_password_file, what="mật khẩu mới", field="new_password", confirm=True)
    path = db_path(args)
    if not cipher.is_plain_file(path) and cipher.recall(path) is None:
        cipher.remember(path, keyslots.unlock(path, old, name=args.name).key)
    with open_db(path, create=False, lock=True, user=args.name) as store:
        users.set_password(store, args.name, new, old_password=old)
    print(f"Đã đổi mật khẩu của {args.name}.")
    return 0


def reset_password(args: argparse.Namespace) -> int:
    unlocked: keyslots.Unlocked | None = getattr(args, "unlocked", None)
    path = db_path(args)
    if unlocked is None:
        raise AuthError("Đặt lại mật khẩu cần mở tệp bằng mã khôi phục hoặc mật khẩu quản trị viên: "
                        "dùng --passphrase-file TỆP.")
    new = read_secret(args.new_password_file, what=f"mật khẩu mới của {args.name}", field="new_password",
                      confirm=True)
    with open_db(path, create=False, lock=True, user=unlocked.name or "khoi-phuc") as store:
        if unlocked.kind != "recovery":
            who = users.find_user(store, unlocked.name)
            if who is None or who["role"] != "admin":
                raise AuthError("Chỉ quản trị viên (hoặc người có mã khôi phục) đặt lại mật khẩu cho người khác.")
        users.set_password(store, args.name, new)
    print(f"Đã đặt lại mật khẩu của {args.name}.")
    return 0
