"""The wait after repeated wrong KEY passphrases (the signing/encryption keys of exchange/keys.py).

After ``FREE_TRIES`` wrong passphrases in a row, each further try must wait before it is even
checked: ``FIRST_WAIT_S`` seconds, doubling with every further failure, at most ``MAX_WAIT_S``.
A right passphrase clears the count. The count and the end of the wait are kept in this copy's
settings (``key_passphrase_failures``, ``key_passphrase_wait_until``: local, never sent);
every failure, every wait that starts and the success that clears a count are written to the
audit log (table ``key_passphrase``, row id the event: ``unlock_failed``, ``locked``,
``unlock_ok``), never the passphrase.

What it protects against: someone at the unlocked PC guessing the key passphrase through the
app. It does not slow down an attacker holding a copy of the (decrypted) database: that is
scrypt's cost per guess and the passphrase policy (core/passwords.py). A database opened
read-only keeps the wait but cannot record new failures.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from ..storage.db import Store, utc_now
from .errors import BundleError

FREE_TRIES = 5
FIRST_WAIT_S, MAX_WAIT_S = 30, 15 * 60
FAILURES_KEY = "key_passphrase_failures"
WAIT_KEY = "key_passphrase_wait_until"
WRONG = "Cụm mật khẩu khóa không đúng. Hãy nhập lại; không có gì bị thay đổi."


def wait_after(failures: int) -> int:
    """Seconds to wait after ``failures`` wrong passphrases in a row (0 for the free tries)."""
    if failures < FREE_TRIES:
        return 0
    return min(FIRST_WAIT_S * 2 ** min(failures - FREE_TRIES, 16), MAX_WAIT_S)


def describe_wait(seconds: int) -> str:
    """'45 giây', '2 phút', '7 phút 30 giây'."""
    seconds = max(1, int(seconds))
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} giây"
    return f"{minutes} phút" + (f" {rest} giây" if rest else "")


def _now() -> datetime:
    return datetime.now(UTC)


def failures(store: Store) -> int:
    """Wrong passphrases in a row so far (a damaged value counts as none)."""
    try:
        return max(0, min(int(store.get_setting(FAILURES_KEY) or 0), 10_000))
    except ValueError:
        return 0


def seconds_left(store: Store) -> int:
    """How long before the next try is checked (0: now). Never more than ``MAX_WAIT_S``, even
    if the clock was turned back or the setting is damaged."""
    raw = store.get_setting(WAIT_KEY)
    if not raw:
        return 0
    try:
        until = datetime.fromisoformat(raw)
    except ValueError:
        return 0
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    left = (until - _now()).total_seconds()
    return 0 if left <= 0 else min(int(left + 0.999), MAX_WAIT_S)


def check_not_waiting(store: Store) -> None:
    """Raise BundleError (how long to wait) while a wait runs; the passphrase is not checked."""
    left = seconds_left(store)
    if left:
        raise BundleError(
            f"Đã nhập sai cụm mật khẩu khóa {failures(store)} lần liên tiếp. Hãy đợi {describe_wait(left)} "
            "rồi thử lại; trong lúc chờ, cụm mật khẩu không được kiểm tra. Quên cụm mật khẩu khóa: "
            "xem mục 'Khôi phục' trong hướng dẫn.")


def _write(store: Store, count: int, until: str | None, event: str, key_id: str, after: dict) -> None:
    """The new count and wait, and one audit entry (table 'key_passphrase', row the event), like
    the database unlock events of storage/db.audit_key_events."""
    with store.transaction() as conn:
        conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (FAILURES_KEY, str(count)))
        conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (WAIT_KEY, until))
        conn.execute(
            "INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
            "VALUES (?, ?, 'key_passphrase', ?, 'insert', 'unlock', NULL, ?)",
            (utc_now(), store.user, event,
             json.dumps({"event": event, "key_id": key_id, **after}, ensure_ascii=False, sort_keys=True)))


def record_failure(store: Store, key_id: str) -> BundleError:
    """Count a wrong passphrase (audited; a wait starts after the free tries) and return the
    error to raise: it says how many tries are left or how long to wait."""
    count = failures(store) + 1
    wait = wait_after(count)
    if store.readonly:
        return BundleError(WRONG)
    until = (_now() + timedelta(seconds=wait)).isoformat(timespec="seconds") if wait else None
    _write(store, count, until, "locked" if wait else "unlock_failed", key_id,
           {"failures": count, "wait_seconds": wait, "wait_until": until})
    if wait:
        return BundleError(f"{WRONG} Đã sai {count} lần liên tiếp: hãy đợi {describe_wait(wait)} rồi thử lại.")
    left = FREE_TRIES - count
    if left <= 2:
        return BundleError(f"{WRONG} Còn {left} lần thử trước khi phải chờ.")
    return BundleError(WRONG)


def record_success(store: Store, key_id: str) -> None:
    """A right passphrase: clear a count of failures (audited when there was one)."""
    count = failures(store)
    if count == 0 or store.readonly:
        return
    _write(store, 0, None, "unlock_ok", key_id, {"failures_before": count})
