"""`python -m cannngheo_desktop` / `cannngheo-desktop`: a CLI subcommand goes to cli.main, else the window.

Window options: ``--db PATH``, ``--demo``, ``--version``, ``--self-test``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from . import APP_TITLE, __version__

log = logging.getLogger("cannngheo_desktop")


def cli_commands() -> set[str]:
    """Subcommand names the command line knows (falls back to module names if one fails to load)."""
    from . import cli

    try:
        parser = cli.build_parser()
    except Exception:  # noqa: BLE001 - a broken command module must not stop the window
        return set(cli.COMMAND_MODULES)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cannngheo-desktop",
        description=f"{APP_TITLE} — cửa sổ chính. Các lệnh dòng lệnh: cannngheo-desktop LỆNH … (xem cannngheo --help).")
    parser.add_argument("--db", type=Path, default=None,
                        help="tệp cơ sở dữ liệu (mặc định: thư mục dữ liệu của người dùng)")
    parser.add_argument("--demo", action="store_true", help="mở với dữ liệu mẫu (tạo nếu tệp còn trống; mặc định tệp demo.sqlite riêng)")
    parser.add_argument("--version", action="store_true", help="in phiên bản rồi thoát")
    parser.add_argument("--self-test", action="store_true", help="tự kiểm tra cài đặt rồi thoát (0 = đạt)")
    return parser


def _configure_logging() -> None:
    from .paths import configure_logging

    try:
        configure_logging()
    except OSError as exc:  # a read-only profile must not stop the app
        print(f"Không ghi được nhật ký: {exc}", file=sys.stderr)


def _version() -> int:
    print(f"{APP_TITLE} {__version__}")
    return 0


def _self_test() -> int:
    from . import selftest

    return selftest.run()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the window (and of `python -m cannngheo_desktop`)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and not args_list[0].startswith("-") and args_list[0] in cli_commands():
        from . import cli

        return cli.main(args_list)
    from .cli import _utf8_stdio, guarded

    _utf8_stdio()
    args = build_parser().parse_args(args_list)
    if args.version or args.self_test:  # printing only: the command line's rules (no traceback)
        return guarded(lambda: _version() if args.version else _self_test())
    _configure_logging()
    from . import paths
    from .gui.shell.app import run_app

    # The demo never mixes into the user's real database unless --db says so.
    default = paths.data_dir() / "demo.sqlite" if args.demo else paths.default_db_path()
    db_path = args.db if args.db else default
    try:
        return run_app(db_path, demo=args.demo)
    except Exception:
        log.exception("Fatal error at start-up")
        raise


if __name__ == "__main__":
    sys.exit(main())
