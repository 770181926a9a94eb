"""`cannngheo …`: the command line over the same services the window uses.

Each subcommand lives in ``cannngheo_desktop/commands/<name>.py`` and exposes
``register(subparsers)``, which adds its parser and sets ``func(args) -> int``.
Exit codes (README, "Command line"): 0 done, 1 user error (message printed in Vietnamese),
2 input with errors (nothing written) or a wrong command line, 3 and 4 for bundles (commands/bundle.py),
70 unexpected error (one line naming the log file, which holds the traceback), 130 interrupted
(Ctrl+C), 141 the output pipe was closed early (``… | head``), quietly. No traceback is ever printed.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__, paths
from .core.errors import AppError

log = logging.getLogger("cannngheo_desktop")

EXIT_UNEXPECTED = 70  # EX_SOFTWARE of sysexits.h: a bug, not the user's input
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl+C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as shells report `yes | head`

COMMAND_MODULES = (
    "init",
    "account",
    "demo",
    "backup",
    "standards",
    "rulesets",
    "plan",
    "registry",
    "keys",
    "bundle",
    "recovery",
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
    _add_passphrase_files(sub)
    return parser


def _add_passphrase_files(sub: argparse._SubParsersAction) -> None:
    """Every command that opens a database takes ``--passphrase-file F``: the first line of F
    (a user's password, the signing key's passphrase or the recovery key) unlocks an encrypted
    database. Commands that already read a passphrase from that flag use the same secret."""
    for parser in sub.choices.values():
        actions = parser._option_string_actions  # noqa: SLF001 - argparse has no public lookup
        if "--db" in actions and "--passphrase-file" not in actions:
            parser.add_argument("--passphrase-file", type=Path, default=None,
                                help="tệp mà dòng đầu là mật khẩu (hoặc mã khôi phục) mở tệp dữ liệu đã mã hóa")
        elif "--db" in actions and "--db-passphrase-file" not in actions:
            # the command reads the unit's key passphrase from --passphrase-file; that passphrase
            # also opens the database (its "signing" key slot), else this flag names another secret
            parser.add_argument("--db-passphrase-file", type=Path, default=None,
                                help="tệp mà dòng đầu là mật khẩu (hoặc mã khôi phục) mở tệp dữ liệu, khi khác "
                                     "cụm mật khẩu khóa trong --passphrase-file")
        for action in parser._actions:  # noqa: SLF001
            if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
                _add_passphrase_files(action)


def main(argv: Sequence[str] | None = None) -> int:
    return guarded(lambda: _run(argv))


def _run(argv: Sequence[str] | None) -> int:
    _utf8_stdio()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        _unlock_database(args)
        return int(args.func(args) or 0)
    except AppError as exc:
        if exc.detail:  # the technical (often English) cause: for the log, not for the user
            _to_log(logging.WARNING, "%s | chi tiết: %s", exc.message, exc.detail)
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return getattr(exc, "exit_code", 1)


def _unlock_database(args: argparse.Namespace) -> None:
    """Before a command runs: an encrypted database is unlocked with ``--passphrase-file`` (or
    a password typed at a terminal) and its key kept for this process (storage/cipher.py)."""
    if not hasattr(args, "db"):
        return
    from .commands import db_path, read_secret
    from .storage import cipher, keyslots

    path = db_path(args)
    try:
        if not path.is_file() or path.stat().st_size == 0 or cipher.is_plain_file(path):
            return
    except OSError:
        return  # open_db words the problem with the file
    if cipher.recall(path) is not None:
        return  # unlocked earlier in this process
    secret_file = getattr(args, "db_passphrase_file", None) or getattr(args, "passphrase_file", None)
    if secret_file is None and not sys.stdin.isatty():
        return  # open_db refuses with the message naming --passphrase-file
    secret = read_secret(secret_file, what="mật khẩu (hoặc mã khôi phục) mở tệp dữ liệu", field="passphrase")
    if not keyslots.keys_path(path).exists() and keyslots.parse_recovery(secret) is None:
        return  # no key slots: only the recovery key opens it; open_db says what is missing
    args.unlocked = keyslots.unlock(path, secret)
    cipher.remember(path, args.unlocked.key)


def guarded(run: Callable[[], int]) -> int:
    """Run a command-line entry so that it never ends in a traceback (``cannngheo`` and
    ``cannngheo-desktop LỆNH``): a closed output pipe exits quietly, Ctrl+C says so, and any
    other exception is logged with its traceback while the user reads one line naming the log."""
    try:
        try:
            return run()
        finally:
            sys.stdout.flush()  # a closed pipe surfaces here, not as a message at interpreter exit
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("Đã dừng.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the last line of defence: log it, say one line
        return _report_unexpected(exc)


def _report_unexpected(exc: Exception) -> int:
    if _to_log(logging.ERROR, "Lỗi ngoài dự kiến ở dòng lệnh", exc_info=exc):
        where = f"Chi tiết đã ghi vào nhật ký {paths.log_file()}; hãy gửi tệp này khi báo lỗi."
    else:  # without a log the type is all that can be said (a traceback is never printed)
        where = f"Không ghi được nhật ký ({type(exc).__name__}); hãy báo lỗi kèm lệnh vừa chạy."
    try:
        print(f"Lỗi ngoài dự kiến, lệnh chưa hoàn tất. {where}", file=sys.stderr)
    except OSError:
        pass
    return EXIT_UNEXPECTED


def _to_log(level: int, msg: str, *args: object, exc_info: BaseException | None = None) -> bool:
    """Write one record to the log file through a handler held only meanwhile (a command is one
    call; tests call main() many times in one process). False when the log cannot be written."""
    try:
        handler = paths.log_handler()
    except OSError:
        return False
    log.addHandler(handler)
    try:
        log.log(level, msg, *args, exc_info=exc_info)
    finally:
        log.removeHandler(handler)
        handler.close()
    return True


def _discard_stdout() -> None:
    """After a broken pipe, point stdout at the null device so the interpreter's final flush
    does not complain (Python's documented recipe, see the signal module's notes on SIGPIPE)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests capture it)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


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
