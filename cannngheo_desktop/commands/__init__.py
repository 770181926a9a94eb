"""Subcommands of `cannngheo`; see cli.py for the convention."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from ..core.errors import ValidationError
from ..paths import default_db_path


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="tệp cơ sở dữ liệu (mặc định: thư mục dữ liệu của người dùng)")


def db_path(args: argparse.Namespace) -> Path:
    return args.db if args.db else default_db_path()


def read_secret(path: Path | None, *, what: str, field: str, confirm: bool = False) -> str:
    """A password or passphrase: the first line of ``path``, or typed (twice when ``confirm``).

    ``what`` names it in prompts and messages, e.g. "mật khẩu quản trị viên"."""
    if path is not None:
        try:
            return path.read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError) as exc:
            raise ValidationError(f"Không đọc được {what} từ tệp '{path}'.", field=field) from exc
    first = getpass.getpass(f"{what[:1].upper()}{what[1:]}: ")
    if confirm and getpass.getpass(f"Nhập lại {what}: ") != first:
        raise ValidationError(f"Hai lần nhập {what} không khớp.", field=field)
    return first
