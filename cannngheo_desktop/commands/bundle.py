"""`cannngheo bundle …`: export, import and verify monthly bundles.

Exit codes of ``import``: 0 applied or already imported, 3 waiting for a missing bundle,
4 refused (also for ``verify``), including every file over a reading limit (docs/bundle-format.md,
"Limits"). With several files the worst outcome decides.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..exchange import export, importer, keycard
from ..exchange.envelope import verify_bundle
from ..exchange.errors import BundleError
from ..exchange.format import SUFFIX, read_bundle
from ..exchange.manifest import parse_manifest
from ..storage import installation, open_db
from . import add_db_argument, db_path
from .keys import read_passphrase

EXIT_WAITING, EXIT_REFUSED = 3, 4
IMPORT_EXITS = ("Mã thoát: 0 đã nhập hoặc đã nhập trước đó; 3 gói đang chờ gói còn thiếu; 4 bị từ chối "
                "(tệp hỏng, sai chữ ký, không đúng đơn vị, hoặc vượt giới hạn: tệp quá 64 MiB, không phải tệp "
                "thông thường, bom nén, dòng quá dài, quá nhiều dòng — xem docs/bundle-format.md). "
                "Với nhiều tệp, kết quả xấu nhất quyết định.")
LABELS = {"new": "mới", "updated": "cập nhật", "unchanged": "không đổi", "refused": "từ chối"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bundle", help="xuất/nhập/kiểm tra gói dữ liệu hằng tháng")
    bs = p.add_subparsers(dest="bundle_command", metavar="VIỆC")
    ex = bs.add_parser("export", help="xuất gói báo cáo của xã/phường")
    add_db_argument(ex)
    ex.add_argument("--period", required=True, help="kỳ báo cáo YYYY-MM")
    ex.add_argument("--out", type=Path, required=True, help="thư mục ghi gói (ví dụ ổ USB)")
    ex.add_argument("--full", action="store_true", help="gửi toàn bộ dữ liệu thay vì phần thay đổi")
    ex.add_argument("--passphrase-file", type=Path, default=None)
    ex.add_argument("--to", default=None, metavar="MÃ_XÃ",
                    help="(cơ quan tiếp nhận) gửi gói kế hoạch/danh mục xuống xã/phường này")
    ex.set_defaults(func=run_export)
    im = bs.add_parser("import", help="nhập một hoặc nhiều gói (tệp hoặc thư mục)", epilog=IMPORT_EXITS)
    add_db_argument(im)
    im.add_argument("files", type=Path, nargs="+")
    im.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra và tóm tắt, không ghi")
    im.add_argument("--passphrase-file", type=Path, default=None)
    im.add_argument("--receipt-dir", type=Path, default=None, help="nơi ghi biên nhận (mặc định: cạnh tệp gói)")
    im.set_defaults(func=run_import)
    ve = bs.add_parser("verify", help="kiểm tra chữ ký và mã băm (không giải mã)",
                       epilog="Mã thoát: 0 gói hợp lệ; 4 tệp bị từ chối (hỏng, sai chữ ký, vượt giới hạn).")
    ve.add_argument("file", type=Path)
    ve.add_argument("--db", type=Path, default=None, help="dùng danh sách khóa tin cậy của cơ sở dữ liệu này")
    ve.add_argument("--card", type=Path, default=None, help="hoặc thẻ khóa của đơn vị gửi")
    ve.set_defaults(func=run_verify)
    p.set_defaults(func=lambda args: (p.print_help(), 1)[1])


def run_export(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False) as store:
        if args.to:
            preview = export.preview_reference(store, args.to, args.period, full=args.full)
        else:
            preview = export.preview_export(store, args.period, full=args.full)
        for table, c in preview.tables.items():
            print(f"  {table}: {c['new']} mới, {c['changed']} thay đổi")
        print(f"  nhật ký: {preview.audit_entries} mục")
        passphrase = read_passphrase(args.passphrase_file)
        if args.to:
            path = export.export_reference(store, args.to, args.period, args.out, passphrase, full=args.full)
        else:
            path = export.export_bundle(store, args.period, args.out, passphrase, full=args.full)
    print(f"Đã ghi gói số {preview.sequence}: {path}")
    return 0


def _expand(files: list[Path]) -> list[tuple[Path, bool]]:
    """(file, came from a folder) for every file named or every .cnb inside a named folder."""
    out: list[tuple[Path, bool]] = []
    for f in files:
        out.extend([(p, True) for p in sorted(f.glob(f"*{SUFFIX}"))] if f.is_dir() else [(f, False)])
    return out


def _addressed_elsewhere(path: Path, unit: str) -> bool:
    """True for a readable bundle addressed to another unit (e.g. receipts on the same stick)."""
    try:
        raw = read_bundle(path)
        return parse_manifest(path, raw.manifest_bytes).recipient_unit != unit
    except BundleError:
        return False


def _print_summary(insp: importer.Inspection) -> None:
    for table, counts in insp.summary.items():
        print(f"  {table}: " + ", ".join(f"{n} {LABELS[k]}" for k, n in counts.items()))
    for error in insp.errors[:20]:
        print(f"  lỗi: {error}")


def run_import(args: argparse.Namespace) -> int:
    files = _expand(args.files)
    if not files:
        print("Không có tệp gói (.cnb) nào để nhập.", file=sys.stderr)
        return 1
    passphrase = read_passphrase(args.passphrase_file)
    worst = 0
    with open_db(db_path(args), create=False, lock=True) as store:
        inst = installation.current(store)
        for path, from_folder in files:
            if from_folder and inst is not None and _addressed_elsewhere(path, inst.unit_code):
                print(f"{path.name}: gửi cho đơn vị khác, bỏ qua.")
                continue
            try:
                if args.dry_run:
                    insp = importer.inspect_bundle(store, path, passphrase)
                    print(f"{path.name}: gói số {insp.sequence} kỳ {insp.period} của {insp.sender_unit} — {insp.state}")
                    _print_summary(insp)
                    code = EXIT_REFUSED if insp.errors else EXIT_WAITING if insp.state == "waiting" else 0
                else:
                    result = importer.apply_bundle(store, path, passphrase, receipt_dir=args.receipt_dir)
                    print(result.message)
                    for sub in result.also_applied:
                        print("  " + sub.message, file=sys.stderr if sub.status == "refused" else sys.stdout)
                    code = EXIT_WAITING if result.status == "waiting" else 0
                    if any(sub.status == "refused" for sub in result.also_applied):
                        code = EXIT_REFUSED
            except BundleError as exc:
                print(f"Lỗi: {exc.message}", file=sys.stderr)
                code = EXIT_REFUSED
            worst = max(worst, code)
    return worst


def run_verify(args: argparse.Namespace) -> int:
    try:
        if args.db is not None:
            with open_db(args.db, create=False, readonly=True) as store:
                m, checked = verify_bundle(args.file, store=store)
        else:
            pub = keycard.read_card(args.card).sign_public if args.card else None
            m, checked = verify_bundle(args.file, sign_public=pub)
    except BundleError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"{args.file.name}: gói '{m.kind}' số {m.sequence} kỳ {m.period}, từ {m.sender_unit} gửi {m.recipient_unit}.")
    print("Mã băm dữ liệu khớp." + (" Chữ ký hợp lệ." if checked else
                                    " Chưa kiểm tra chữ ký (cần --db hoặc --card)."))
    return 0
