"""Subcommands of `cannngheo`; see cli.py for the convention."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..paths import default_db_path


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="tệp cơ sở dữ liệu (mặc định: thư mục dữ liệu của người dùng)")


def db_path(args: argparse.Namespace) -> Path:
    return args.db if args.db else default_db_path()
