"""`cannngheo …`: the command line over the same services the window uses.

Each subcommand lives in ``cannngheo_desktop/commands/<name>.py`` and exposes
``register(subparsers)``, which adds its parser and sets ``func(args) -> int``.
Exit codes: 0 done, 1 user error (message printed in Vietnamese), 2 input with errors
(nothing written), others as each command documents.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__
from .core.errors import AppError

COMMAND_MODULES = (
    "init",
    "demo",
    "backup",
    "standards",
    "rulesets",
    "plan",
    "registry",
    "keys",
    "bundle",
    "report",
    "review",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cannngheo", description="Cận Nghèo Desktop — dòng lệnh (cùng dịch vụ với cửa sổ chính)")
    parser.add_argument("--version", action="version", version=f"cannngheo {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f".commands.{name}", __package__)
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_stdio()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return int(args.func(args) or 0)
    except AppError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return getattr(exc, "exit_code", 1)
    except KeyboardInterrupt:
        print("Đã dừng.", file=sys.stderr)
        return 130


def _utf8_stdio() -> None:
    """Windows consoles default to a code page that cannot print Vietnamese."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure:
            try:
                reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):
                pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
