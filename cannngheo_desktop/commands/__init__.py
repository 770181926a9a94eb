"""Subcommands of `cannngheo`; see cli.py for the convention."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys
from collections.abc import Iterator
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


@contextlib.contextmanager
def new_encrypted_database(path: Path, *, label: str = "") -> Iterator[bytes | None]:
    """For commands that create a database: yields the key of a new encrypted file at ``path``
    (None when the file already exists: it is opened as it is). If the command fails, the
    half-made file and its key-slot file are removed; if it succeeds, the recovery key is
    printed once, to be written down or printed (--recovery-out)."""
    from ..storage import encryption

    if path.exists() and path.stat().st_size > 0:
        yield None
        return
    if not path.parent.is_dir():
        raise ValidationError(f"Thư mục '{path.parent}' không tồn tại. Hãy chọn nơi lưu khác.", field="db")
    new = encryption.prepare_new_database(path, label=label)
    try:
        yield new.key
    except BaseException:
        encryption.discard_new_database(path)
        raise
    print_recovery_key(new.recovery)


def print_recovery_key(recovery: str) -> None:
    print(f"Mã khôi phục: {recovery}")
    print("Tệp dữ liệu đã được mã hóa. Hãy chép mã khôi phục ra giấy (hoặc in phiếu khôi phục) và cất nơi an "
          "toàn, tách khỏi máy tính. Không có mật khẩu hoặc mã này thì không ai đọc được dữ liệu, kể cả "
          "người viết phần mềm.", file=sys.stderr)
