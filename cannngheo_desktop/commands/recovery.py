"""`cannngheo recovery …`: the recovery procedures (docs/security.md, "Recovery").

- ``status``         chain heads per peer, restarts, this copy's keys;
- ``new-key``        (either side) make new keys; the old key vouches for them unless ``--compromised``;
- ``confirm-key``    (receiver) trust a unit's NEW key card by the fingerprint read over the phone;
- ``export``         (office) the recovery bundle of a commune whose PC died ("lost PC");
- ``apply``          (commune) restore its data and chain from that bundle;
- ``restart-chain``  (receiver) accept unit X's next bundle numbered N without the link to the
  previous one (a full snapshot unless ``--not-full``).

Exit codes (cli.py): 0 done (also "already imported"), 1 a wrong value (message printed),
2 a wrong command line, 4 a file refused (nothing written).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..exchange import crypto, keycard, keys, recovery, restore
from ..storage import open_db
from . import add_db_argument, db_path
from .keys import read_passphrase


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("recovery", help="khôi phục: máy hỏng, khóa mới, bắt đầu lại chuỗi gói")
    rs = p.add_subparsers(dest="recovery_command", metavar="VIỆC")
    st = rs.add_parser("status", help="đầu chuỗi gói theo từng đơn vị, các lần bắt đầu lại, khóa của bản này")
    add_db_argument(st)
    st.set_defaults(func=run_status)
    nk = rs.add_parser("new-key", help="(xã hoặc cơ quan) tạo khóa mới; khóa cũ xác nhận khóa mới")
    add_db_argument(nk)
    nk.add_argument("--passphrase-file", type=Path, default=None)
    nk.add_argument("--compromised", action="store_true",
                    help="khóa cũ bị lộ/mất: không dùng khóa cũ xác nhận; bên nhận phải xác nhận qua điện thoại")
    nk.add_argument("--out", type=Path, default=None, help="ghi thẻ khóa mới (JSON) vào tệp này")
    nk.add_argument("--pdf", type=Path, default=None, help="và trang in của thẻ khóa mới")
    nk.set_defaults(func=run_new_key)
    ck = rs.add_parser("confirm-key", help="(bên nhận) xác nhận thẻ khóa MỚI của một đơn vị qua điện thoại")
    add_db_argument(ck)
    ck.add_argument("card", type=Path, help="tệp thẻ khóa mới (.json)")
    ck.add_argument("--fingerprint", required=True, help="dấu vân tay đơn vị đọc qua điện thoại (32 chữ số)")
    ck.add_argument("--reason", required=True, help="lý do, ví dụ 'máy xã hỏng, cài lại'")
    ck.set_defaults(func=run_confirm_key)
    ex = rs.add_parser("export", help="(cơ quan tiếp nhận) xuất gói khôi phục cho một xã/phường")
    add_db_argument(ex)
    ex.add_argument("--unit", required=True, metavar="MÃ_XÃ")
    ex.add_argument("--out", type=Path, required=True, help="thư mục ghi gói (ví dụ ổ USB)")
    ex.add_argument("--reason", required=True)
    ex.add_argument("--passphrase-file", type=Path, default=None)
    ex.set_defaults(func=run_export)
    ap = rs.add_parser("apply", help="(xã/phường) nhập gói khôi phục do cơ quan tiếp nhận gửi")
    add_db_argument(ap)
    ap.add_argument("file", type=Path)
    ap.add_argument("--passphrase-file", type=Path, default=None)
    ap.set_defaults(func=run_apply)
    rc = rs.add_parser("restart-chain", help="(bên nhận) nhận gói số N của đơn vị mà không cần nối với gói trước")
    add_db_argument(rc)
    rc.add_argument("--unit", required=True, metavar="MÃ_ĐƠN_VỊ")
    rc.add_argument("--at", type=int, required=True, metavar="N")
    rc.add_argument("--reason", required=True)
    rc.add_argument("--kind", choices=recovery.CHAIN_KINDS, default=recovery.REPORT,
                    help="chuỗi gói báo cáo (mặc định) hoặc chuỗi gói danh mục/kế hoạch (reference)")
    rc.add_argument("--not-full", action="store_true",
                    help="không đòi gói đầy đủ (bên nhận không mất dữ liệu, chỉ nhận chuỗi mới của bên gửi)")
    rc.set_defaults(func=run_restart_chain)
    p.set_defaults(func=lambda args: (p.print_help(), 1)[1])


def run_status(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False, readonly=True) as store:
        own = keys.current_keys(store)
        heads = recovery.chain_heads(store)
    if own:
        print(f"Khóa của bản này: ký {crypto.group_hex(own.sign_id)}, mã hóa {crypto.group_hex(own.encrypt_id)}")
    if not heads:
        print("Chưa gửi hay nhận gói nào.")
    for h in heads:
        way = "đã nhận đến gói số" if h["direction"] == "in" else "đã gửi đến gói số"
        extra = f" (bắt đầu lại từ số {h['restart_at']})" if h["restart_at"] else ""
        print(f"{h['peer_unit']}\t{h['kind']}\t{way} {h['sequence']}{extra}")
    return 0


def run_new_key(args: argparse.Namespace) -> int:
    passphrase = read_passphrase(args.passphrase_file)
    with open_db(db_path(args), create=False, lock=True) as store:
        pair = keys.init_keys(store, passphrase, rotate=True, compromised=args.compromised)
        card = keycard.own_card(store)
        written = keycard.write_card(card, args.out, pdf=args.pdf) if args.out else []
    print(f"Đã tạo khóa mới: ký {crypto.group_hex(pair.sign_id)}, mã hóa {crypto.group_hex(pair.encrypt_id)}.")
    print(f"Dấu vân tay thẻ khóa mới: {card.display_fingerprint}")
    for path in written:
        print(f"Đã ghi {path}")
    if args.compromised:
        print("Khóa cũ bị coi là đã lộ: gói sau KHÔNG kèm xác nhận của khóa cũ. Hãy gửi thẻ khóa mới cho bên nhận "
              "và gọi điện đọc dấu vân tay trên để họ xác nhận (cannngheo recovery confirm-key).")
    else:
        print("Gói tiếp theo được ký bằng khóa mới, kèm xác nhận của khóa cũ; bên nhận tự ghi nhận khóa mới.")
    return 0


def run_confirm_key(args: argparse.Namespace) -> int:
    card = keycard.read_card(args.card)
    with open_db(db_path(args), create=False, lock=True) as store:
        done = recovery.confirm_new_key(store, card, args.fingerprint, args.reason)
    print(f"Đã xác nhận khóa mới của đơn vị {done.unit_code}: {done.new_fingerprint}.")
    if done.old_fingerprints:
        print("Khóa cũ đã thu hồi: " + "; ".join(done.old_fingerprints))
    return 0


def run_export(args: argparse.Namespace) -> int:
    passphrase = read_passphrase(args.passphrase_file)
    with open_db(db_path(args), create=False, lock=True) as store:
        path = restore.export_recovery(store, args.unit, args.out, passphrase, args.reason)
    print(f"Đã ghi gói khôi phục: {path}")
    print("Mang tệp này đến xã/phường; họ nhập bằng 'Khôi phục / đổi khóa…' hoặc cannngheo recovery apply.")
    return 0


def run_apply(args: argparse.Namespace) -> int:
    passphrase = read_passphrase(args.passphrase_file)
    with open_db(db_path(args), create=False, lock=True) as store:
        result = restore.apply_recovery(store, args.file, passphrase)
    print(result.message)
    return 0


def run_restart_chain(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False, lock=True) as store:
        n = recovery.restart_chain(store, args.unit, args.at, args.reason, kind=args.kind, full=not args.not_full)
    need = "gói ĐẦY ĐỦ (cannngheo bundle export --full) số" if not args.not_full else "gói số"
    print(f"Đã bắt đầu lại chuỗi gói của đơn vị {args.unit}: nhận {need} {args.at} trở đi mà không cần nối với "
          f"gói trước. {n} gói cũ từ số {args.at} được đặt sang một bên (không xóa).")
    return 0
