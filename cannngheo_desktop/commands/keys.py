"""`cannngheo keys …`: this copy's keys, key cards and the trust roster."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..exchange import crypto, keycard, keys, roster
from ..storage import open_db
from . import add_db_argument, db_path, read_secret


def read_passphrase(path: Path | None, *, confirm: bool = False) -> str:
    """The key passphrase from the first line of a file, or typed (twice when ``confirm``)."""
    return read_secret(path, what="cụm mật khẩu khóa", field="passphrase", confirm=confirm)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("keys", help="khóa ký/mã hóa, thẻ khóa và danh sách khóa tin cậy")
    ks = p.add_subparsers(dest="keys_command", metavar="VIỆC")
    init = ks.add_parser("init", help="tạo khóa cho bản cài đặt này (hoặc đổi khóa với --rotate)")
    add_db_argument(init)
    init.add_argument("--passphrase-file", type=Path, default=None)
    init.add_argument("--rotate", action="store_true", help="thay khóa cũ (khóa mới được báo trong gói sau)")
    init.set_defaults(func=run_init)
    card = ks.add_parser("card", help="xuất thẻ khóa (JSON, kèm khóa công khai PEM) và trang PDF để in")
    add_db_argument(card)
    card.add_argument("--out", type=Path, required=True)
    card.add_argument("--pdf", type=Path, default=None)
    card.add_argument("--pem", type=Path, default=None, help="ghi riêng khóa ký công khai dạng PEM (cho openssl)")
    card.set_defaults(func=run_card)
    trust = ks.add_parser("trust", help="tin cậy thẻ khóa của đơn vị khác")
    add_db_argument(trust)
    trust.add_argument("card", type=Path)
    trust.add_argument("--yes", action="store_true", help="không hỏi xác nhận dấu vân tay")
    trust.set_defaults(func=run_trust)
    revoke = ks.add_parser("revoke", help="thu hồi một khóa (mã khóa hoặc dấu vân tay thẻ)")
    add_db_argument(revoke)
    revoke.add_argument("key")
    revoke.set_defaults(func=run_revoke)
    lst = ks.add_parser("list", help="liệt kê khóa của bản này và khóa tin cậy")
    add_db_argument(lst)
    lst.set_defaults(func=run_list)
    p.set_defaults(func=lambda args: (p.print_help(), 1)[1])


def run_init(args: argparse.Namespace) -> int:
    passphrase = read_passphrase(args.passphrase_file, confirm=not args.rotate)
    with open_db(db_path(args), create=False) as store:
        pair = keys.init_keys(store, passphrase, rotate=args.rotate)
        card = keycard.own_card(store)
    print(f"Đã tạo khóa. Khóa ký {crypto.group_hex(pair.sign_id)}, khóa mã hóa {crypto.group_hex(pair.encrypt_id)}.")
    print(f"Dấu vân tay thẻ khóa: {card.display_fingerprint}")
    return 0


def run_card(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False, readonly=True) as store:
        card = keycard.own_card(store)
    for path in keycard.write_card(card, args.out, pdf=args.pdf, pem=args.pem):
        print(f"Đã ghi {path}")
    print(f"Dấu vân tay: {card.display_fingerprint}")
    return 0


def run_trust(args: argparse.Namespace) -> int:
    card = keycard.read_card(args.card)
    print(f"Thẻ khóa của {card.unit_name or card.unit_code} (mã {card.unit_code})")
    print(f"Dấu vân tay: {card.display_fingerprint}")
    if not args.yes:
        answer = input("Dấu vân tay có trùng với bản in không? [c/K] ").strip().lower()
        if answer not in ("c", "có", "y", "yes"):
            print("Không tin cậy thẻ khóa này.")
            return 1
    with open_db(db_path(args), create=False) as store:
        roster.trust_card(store, card)
    print(f"Đã tin cậy khóa của đơn vị {card.unit_code}.")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False) as store:
        ids = roster.revoke(store, args.key)
    print("Đã thu hồi: " + (", ".join(crypto.group_hex(i) for i in ids) or "(đã thu hồi trước đó)"))
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False, readonly=True) as store:
        own = keys.current_keys(store)
        trusted = roster.list_roster(store)
    if own:
        print(f"Khóa của bản này: ký {crypto.group_hex(own.sign_id)}, mã hóa {crypto.group_hex(own.encrypt_id)}")
    else:
        print("Bản này chưa có khóa (cannngheo keys init).")
    for k in trusted:
        state = "đã thu hồi" if k.revoked_at else "tin cậy"
        print(f"{k.unit_code}\t{k.kind}\t{crypto.group_hex(k.key_id)}\tthẻ {crypto.group_hex(k.fingerprint)}\t{state}")
    return 0
