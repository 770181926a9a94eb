"""`cannngheo keys …`: this copy's keys, key cards and the trust roster.

Trusting a card needs the fingerprint as the other unit read it over the phone (or as printed on
its paper card): typed at the prompt on a terminal, or given with ``--fingerprint "A1B2 …"``.
A card with OTHER keys for a unit that already has keys is refused unless ``--replace`` is given
with ``--fingerprint`` and ``--reason``: that revokes the unit's old keys and trusts the new ones
in one audited step (``roster.replace_unit_key``). Refusals exit with 4 (BundleError), a wrong
command line or a missing confirmation with 1.

``keys passphrase`` re-seals this copy's private keys under a new passphrase (the keys and the key
card stay the same): 0 done, 1 the new passphrase breaks the rules or a file cannot be read,
4 the old passphrase is wrong (counted: after five in a row each try waits) or a wait runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.errors import ValidationError
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
    phrase = ks.add_parser(
        "passphrase", help="đổi cụm mật khẩu khóa (giữ nguyên khóa và thẻ khóa)",
        description="Mã hóa lại khóa riêng của bản này bằng cụm mật khẩu khóa mới; khóa, thẻ khóa và dấu "
                    "vân tay giữ nguyên, không cần gửi thẻ mới. Cụm mới cần ít nhất 10 ký tự, không nằm "
                    "trong danh sách mật khẩu phổ biến, không chứa tên đăng nhập hoặc tên đơn vị. Sai cụm "
                    "cũ: không có gì thay đổi; sai 5 lần liên tiếp thì mỗi lần thử sau phải chờ (30 giây, "
                    "gấp đôi mỗi lần, tối đa 15 phút).",
        epilog="Mã thoát: 0 đã đổi; 1 cụm mới không đạt yêu cầu, hai lần nhập không khớp hoặc không đọc "
               "được tệp; 4 cụm cũ không đúng hoặc đang phải chờ sau nhiều lần sai.")
    add_db_argument(phrase)
    phrase.add_argument("--passphrase-file", type=Path, default=None, metavar="CŨ",
                        help="tệp có cụm mật khẩu khóa hiện tại ở dòng đầu (không có: gõ vào)")
    phrase.add_argument("--new-passphrase-file", type=Path, default=None, metavar="MỚI",
                        help="tệp có cụm mật khẩu khóa mới ở dòng đầu (không có: gõ vào hai lần)")
    phrase.set_defaults(func=run_passphrase)
    card = ks.add_parser("card", help="xuất thẻ khóa (JSON, kèm khóa công khai PEM) và trang PDF để in")
    add_db_argument(card)
    card.add_argument("--out", type=Path, required=True)
    card.add_argument("--pdf", type=Path, default=None)
    card.add_argument("--pem", type=Path, default=None, help="ghi riêng khóa ký công khai dạng PEM (cho openssl)")
    card.set_defaults(func=run_card)
    trust = ks.add_parser(
        "trust", help="tin cậy thẻ khóa của đơn vị khác (sau khi đối chiếu dấu vân tay qua điện thoại)",
        description="In đơn vị, vai trò và dấu vân tay (8 nhóm 4 ký tự) của thẻ khóa. Gọi điện cho đơn vị "
                    "đó, nghe họ đọc dấu vân tay trên máy/bản in của họ và gõ lại; chỉ khi trùng khớp thẻ "
                    "mới được tin cậy. Không có bàn phím (chạy bằng tập lệnh): bắt buộc --fingerprint. "
                    "Đơn vị đã có khóa khác (cài lại máy, đổi khóa): chỉ thay được bằng --replace kèm "
                    "--fingerprint và --reason; khóa cũ bị thu hồi, việc thay được ghi nhật ký.")
    add_db_argument(trust)
    trust.add_argument("card", type=Path)
    trust.add_argument("--fingerprint", default=None, metavar="\"A1B2 C3D4 …\"",
                       help="dấu vân tay đơn vị kia đọc qua điện thoại (32 ký tự, khoảng trắng bỏ qua)")
    trust.add_argument("--replace", action="store_true",
                       help="thay khóa đang tin cậy của đơn vị bằng khóa của thẻ này (cần --fingerprint, --reason)")
    trust.add_argument("--reason", default=None, help="lý do thay khóa (ghi vào nhật ký), dùng với --replace")
    trust.add_argument("--yes", action="store_true",
                       help="không hỏi thêm câu xác nhận; KHÔNG thay cho việc đối chiếu dấu vân tay "
                            "(vẫn cần --fingerprint khi không có bàn phím)")
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


def run_passphrase(args: argparse.Namespace) -> int:
    old = read_passphrase(args.passphrase_file)
    new = read_secret(args.new_passphrase_file, what="cụm mật khẩu khóa mới", field="new_passphrase",
                      confirm=True)
    with open_db(db_path(args), create=False) as store:
        done = keys.change_passphrase(store, old, new)
    print(f"Đã đổi cụm mật khẩu khóa: {done.changed} khóa riêng được mã hóa lại bằng cụm mới. Khóa, thẻ khóa "
          "và dấu vân tay giữ nguyên. Từ nay hãy dùng cụm mới khi xuất, nhập gói.")
    if done.skipped:
        print(f"{done.skipped} khóa cũ (đã thay) không mở được bằng cụm cũ vừa nhập nên giữ nguyên cụm mật "
              "khẩu trước đó của chúng.")
    return 0


def run_card(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False, readonly=True) as store:
        card = keycard.own_card(store)
    for path in keycard.write_card(card, args.out, pdf=args.pdf, pem=args.pem):
        print(f"Đã ghi {path}")
    print(f"Dấu vân tay: {card.display_fingerprint}")
    return 0


def _ask_fingerprint(card: keycard.KeyCard) -> str | None:
    """On a terminal: the fingerprint as the other unit reads it out (None if nothing typed)."""
    if not sys.stdin.isatty():
        return None
    print("Gọi điện cho đơn vị này, nhờ họ đọc dấu vân tay thẻ khóa trên máy hoặc bản in của họ.")
    typed = input("Gõ lại dấu vân tay họ đọc (Enter để hủy): ").strip()
    return typed or None


def run_trust(args: argparse.Namespace) -> int:
    card = keycard.read_card(args.card)
    print(f"Thẻ khóa của: {card.unit_name or '(không ghi tên)'}")
    print(f"Mã đơn vị: {card.unit_code}    Vai trò: {card.role_label} ({card.role})")
    print(f"Dấu vân tay: {card.display_fingerprint}")
    if card.version < keycard.CARD_VERSION:
        print("Thẻ khóa kiểu cũ: dấu vân tay in trên thẻ cũ không dùng được; hãy đối chiếu dấu vân tay "
              "ở trên với đơn vị qua điện thoại.")
    if args.reason is not None and not args.replace:
        raise ValidationError("--reason chỉ dùng với --replace.", field="reason")
    typed = args.fingerprint if args.fingerprint is not None else _ask_fingerprint(card)
    if typed is None:
        print("Chưa đối chiếu dấu vân tay: không tin cậy thẻ khóa này. Chạy lại trên máy có bàn phím, hoặc "
              "thêm --fingerprint \"…\" với dấu vân tay đơn vị kia đọc qua điện thoại.", file=sys.stderr)
        return 1
    if not crypto.fingerprint_matches(typed, card.fingerprint):
        print("Dấu vân tay KHÔNG KHỚP với thẻ khóa — không tin cậy thẻ này. Thẻ có thể không phải của đơn vị "
              f"{card.unit_code}; hãy gọi lại và đọc từng nhóm 4 ký tự.", file=sys.stderr)
        return 4
    with open_db(db_path(args), create=False) as store:
        if args.replace:
            if args.reason is None:
                raise ValidationError("Thay khóa cần lý do: thêm --reason \"…\" (ví dụ: máy hỏng, cài lại).",
                                      field="reason")
            done = roster.replace_unit_key(store, card, typed_fingerprint=typed, reason=args.reason)
            old = ", ".join(done.old_fingerprints) or "(không có)"
            print(f"Đã thay khóa của đơn vị {card.unit_code}. Khóa cũ {old} đã bị thu hồi"
                  f" ({len(done.revoked)} khóa); khóa mới {done.new_fingerprint} được tin cậy. Đã ghi nhật ký.")
            return 0
        roster.trust_card(store, card, confirmed_fingerprint=typed)
    print(f"Đã tin cậy khóa của đơn vị {card.unit_code} (dấu vân tay khớp).")
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
        print(f"{k.unit_code}\t{k.kind}\t{crypto.group_hex(k.key_id)}\tthẻ {k.display_fingerprint}\t{state}")
    return 0
