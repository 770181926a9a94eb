"""Key slots: who can unlock an encrypted database, kept beside it in ``<file>.keys``.

The database key (storage/cipher.py) is wrapped once per person, as LUKS does: each slot holds
the key encrypted (AES-256-GCM) under a key derived from that person's password with scrypt
(N = 2^17, r = 8, p = 1). Adding a person or changing a password writes one slot and
re-encrypts nothing. The database key itself is derived from the **recovery key** printed at
setup (160 random bits, HKDF-SHA256), so the printed sheet opens the file even when this slot
file is lost; with neither a password nor the sheet the data cannot be read.

The file also keeps the failed attempts: after ``FREE_TRIES`` failures in a row each further try
waits (30 s, doubling, at most 15 minutes) before it is even checked. The attempts are written to
the database's audit log at the next successful unlock (:func:`flush_events`). Someone who can
edit this file can reset the counter; what protects the data from a copied file is the cost of
scrypt per guess and the password policy (core/passwords.py), not the counter.

Everything read from the file is checked (size, JSON shape, lengths); a damaged or foreign file
is a Vietnamese message naming it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..core.errors import AuthError, DatabaseError, EncryptedDatabaseError
from . import cipher
from .recovery_key import format_recovery, key_from_recovery, new_recovery_secret, parse_recovery

__all__ = ["KeyFile", "Slot", "Unlocked", "format_recovery", "key_for_open", "key_from_recovery", "keys_path",
           "new_recovery_secret", "parse_recovery", "read_key_file", "set_slot", "unlock", "write_key_file"]

FORMAT = "cannngheo-keyslots"
VERSION = 1
MAX_FILE = 256 * 1024
MAX_SLOTS = 64
MAX_EVENTS = 50
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
FREE_TRIES = 5
FIRST_WAIT_S, MAX_WAIT_S = 30, 15 * 60
SLOT_KINDS = ("user", "signing")



def keys_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".keys")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, what: str, size: int | None, where: Path) -> bytes:
    try:
        data = base64.b64decode(str(text), validate=True)
    except (ValueError, TypeError) as exc:
        raise _damaged(where, what) from exc
    if size is not None and len(data) != size:
        raise _damaged(where, what)
    return data


def _damaged(where: Path, what: str) -> DatabaseError:
    return DatabaseError(
        f"Tệp khóa '{where}' bị hỏng hoặc không phải của Cận Nghèo Desktop (trường {what}). Hãy chép lại "
        "tệp .keys đi kèm tệp dữ liệu từ bản sao lưu, hoặc mở bằng mã khôi phục trên phiếu khôi phục.")


def norm_name(name: str) -> str:
    return unicodedata.normalize("NFC", name or "").strip()


# --- the file -----------------------------------------------------------------------------------
@dataclass
class Slot:
    kind: str
    name: str
    salt: bytes
    n: int
    r: int
    p: int
    nonce: bytes
    wrapped: bytes


@dataclass
class KeyFile:
    db_id: str
    check: str
    label: str = ""
    slots: list[Slot] = field(default_factory=list)
    failures: int = 0
    wait_until: str | None = None
    events: list[dict[str, str]] = field(default_factory=list)

    def find(self, kind: str, name: str) -> Slot | None:
        return next((s for s in self.slots if s.kind == kind and s.name == norm_name(name)), None)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, "db_id": self.db_id, "check": self.check,
                "label": self.label, "failures": self.failures, "wait_until": self.wait_until,
                "events": self.events[-MAX_EVENTS:],
                "slots": [{"kind": s.kind, "name": s.name, "kdf": "scrypt", "n": s.n, "r": s.r, "p": s.p,
                           "salt": _b64(s.salt), "nonce": _b64(s.nonce), "wrapped": _b64(s.wrapped)}
                          for s in self.slots]}


def _int(value: Any, low: int, high: int, what: str, where: Path) -> int:
    if type(value) is not int or not low <= value <= high:
        raise _damaged(where, what)
    return value


def _text(value: Any, limit: int, what: str, where: Path) -> str:
    if not isinstance(value, str) or len(value) > limit or any(unicodedata.category(c) == "Cc" for c in value):
        raise _damaged(where, what)
    return value


def _slot(raw: Any, where: Path) -> Slot:
    if not isinstance(raw, dict) or raw.get("kdf") != "scrypt" or raw.get("kind") not in SLOT_KINDS:
        raise _damaged(where, "slots")
    n = _int(raw.get("n"), 2**14, 2**20, "n", where)
    if n & (n - 1):
        raise _damaged(where, "n")
    return Slot(kind=raw["kind"], name=norm_name(_text(raw.get("name"), 100, "name", where)),
                salt=_unb64(raw.get("salt"), "salt", 16, where), n=n, r=_int(raw.get("r"), 1, 16, "r", where),
                p=_int(raw.get("p"), 1, 4, "p", where), nonce=_unb64(raw.get("nonce"), "nonce", 12, where),
                wrapped=_unb64(raw.get("wrapped"), "wrapped", cipher.KEY_BYTES + 16, where))


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("repeated key")
    return dict(pairs)


def _constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


def read_key_file(db_path: Path) -> KeyFile | None:
    """The slots of ``db_path``, or None when it has no ``.keys`` file."""
    where = keys_path(db_path)
    try:
        size = where.stat().st_size
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DatabaseError(f"Không đọc được tệp khóa '{where}'.", detail=str(exc)) from exc
    if size > MAX_FILE:
        raise _damaged(where, "kích thước")
    try:
        raw = json.loads(where.read_bytes().decode("utf-8"), object_pairs_hook=_no_repeats,
                         parse_constant=_constant)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _damaged(where, "JSON") from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or raw.get("version") != VERSION:
        raise _damaged(where, "format")
    slots = raw.get("slots")
    events = raw.get("events", [])
    if not isinstance(slots, list) or len(slots) > MAX_SLOTS or not isinstance(events, list):
        raise _damaged(where, "slots")
    wait = raw.get("wait_until")
    return KeyFile(
        db_id=_text(raw.get("db_id"), 64, "db_id", where), check=_text(raw.get("check"), 64, "check", where),
        label=_text(raw.get("label", ""), 200, "label", where), slots=[_slot(s, where) for s in slots],
        failures=_int(raw.get("failures", 0), 0, 10**6, "failures", where),
        wait_until=None if wait is None else _text(wait, 40, "wait_until", where),
        events=[{str(k)[:40]: str(v)[:200] for k, v in e.items()} for e in events[-MAX_EVENTS:]
                if isinstance(e, dict)])


def write_key_file(db_path: Path, kf: KeyFile) -> None:
    """Replace the slot file in one step (a crash leaves the old or the new file, never half)."""
    where = keys_path(db_path)
    tmp = where.with_name(where.name + ".part")
    data = json.dumps(kf.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, where)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise DatabaseError(f"Không ghi được tệp khóa '{where}' (ổ đĩa đầy hoặc không có quyền ghi). "
                            "Chưa có gì thay đổi.", detail=str(exc)) from exc


def new_key_file(key: bytes, *, label: str = "") -> KeyFile:
    return KeyFile(db_id=secrets.token_hex(16), check=cipher.key_check(key), label=label[:200])


# --- slots --------------------------------------------------------------------------------------
def _kek(secret: str, slot: Slot) -> bytes:
    data = unicodedata.normalize("NFC", secret).encode("utf-8")
    return hashlib.scrypt(data, salt=slot.salt, n=slot.n, r=slot.r, p=slot.p, dklen=32,
                          maxmem=256 * slot.r * slot.n + (1 << 20))


def _aad(kf: KeyFile, slot: Slot) -> bytes:
    return f"{FORMAT}|{kf.db_id}|{slot.kind}|{slot.name}".encode()


def make_slot(kf: KeyFile, key: bytes, kind: str, name: str, secret: str, *, n: int | None = None) -> Slot:
    """Wrap ``key`` for ``name``; replaces that person's slot of the same kind in ``kf``."""
    if kind not in SLOT_KINDS:
        raise ValueError(kind)
    if cipher.key_check(key) != kf.check:
        raise DatabaseError("Khóa cơ sở dữ liệu không khớp với tệp khóa; không thêm được người dùng.")
    slot = Slot(kind=kind, name=norm_name(name), salt=os.urandom(16), n=n or SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                nonce=os.urandom(12), wrapped=b"")
    slot.wrapped = AESGCM(_kek(secret, slot)).encrypt(slot.nonce, bytes(key), _aad(kf, slot))
    kf.slots = [s for s in kf.slots if not (s.kind == kind and s.name == slot.name)] + [slot]
    return slot


def _try(kf: KeyFile, slot: Slot, secret: str) -> bytes | None:
    try:
        key = AESGCM(_kek(secret, slot)).decrypt(slot.nonce, slot.wrapped, _aad(kf, slot))
    except InvalidTag:
        return None
    return key if cipher.key_check(key) == kf.check else None


def set_slot(db_path: Path, key: bytes, kind: str, name: str, secret: str) -> None:
    """Give ``name`` (a user, or the unit's signing key) a slot opened by ``secret``."""
    kf = read_key_file(db_path)
    if kf is None:
        raise DatabaseError(f"Tệp dữ liệu '{db_path}' chưa có tệp khóa; hãy mở lại chương trình để mã hóa.")
    make_slot(kf, key, kind, name, secret)
    write_key_file(db_path, kf)


def remove_slot(db_path: Path, kind: str, name: str) -> bool:
    kf = read_key_file(db_path)
    if kf is None or kf.find(kind, name) is None:
        return False
    kf.slots = [s for s in kf.slots if not (s.kind == kind and s.name == norm_name(name))]
    write_key_file(db_path, kf)
    return True


# --- unlocking ----------------------------------------------------------------------------------
def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def wait_seconds(kf: KeyFile, now: datetime | None = None) -> int:
    """Seconds to wait before the next try is checked (0: try now)."""
    if not kf.wait_until:
        return 0
    try:
        until = datetime.strptime(kf.wait_until, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return 0
    return max(0, int(-(-(until - (now or _now())).total_seconds() // 1)))


def _record_failure(db_path: Path, kf: KeyFile, name: str) -> int:
    kf.failures += 1
    wait = 0
    if kf.failures >= FREE_TRIES:
        wait = min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** (kf.failures - FREE_TRIES))
        kf.wait_until = _stamp(_now() + timedelta(seconds=wait))
    kf.events.append({"at": _stamp(_now()), "event": "failed", "name": norm_name(name)[:100],
                      "failures": str(kf.failures), "wait_s": str(wait)})
    write_key_file(db_path, kf)
    return wait


def _wait_message(seconds: int) -> str:
    if seconds >= 60:
        return f"{-(-seconds // 60)} phút"
    return f"{seconds} giây"


@dataclass(frozen=True)
class Unlocked:
    key: bytes
    kind: str          # "user", "signing" or "recovery"
    name: str


def unlock(db_path: Path, secret: str, *, name: str | None = None) -> Unlocked:
    """The database key from a password (of ``name``, or of any slot when None) or the recovery
    key. Raises AuthError (wrong secret, or a wait in force) without reading the database."""
    kf = read_key_file(db_path)
    recovery = parse_recovery(secret)
    if kf is None:
        if recovery is None:
            raise DatabaseError(
                f"Thiếu tệp khóa '{keys_path(db_path)}' đi kèm tệp dữ liệu. Hãy chép tệp .keys từ nơi "
                "lấy tệp dữ liệu, hoặc mở bằng mã khôi phục (32 ký tự trên phiếu khôi phục).")
        return Unlocked(key_from_recovery(recovery), "recovery", "")
    wait = wait_seconds(kf)
    if wait:
        raise AuthError(f"Đã nhập sai quá {FREE_TRIES - 1} lần. Hãy chờ {_wait_message(wait)} rồi thử lại.")
    if recovery is not None:
        key = key_from_recovery(recovery)
        if cipher.key_check(key) == kf.check:
            _succeeded(db_path, kf, "recovery", "")
            return Unlocked(key, "recovery", "")
    else:
        for slot in kf.slots:
            if name is not None and (slot.kind != "user" or slot.name != norm_name(name)):
                continue
            found = _try(kf, slot, secret)
            if found is not None:
                _succeeded(db_path, kf, slot.kind, slot.name)
                return Unlocked(found, slot.kind, slot.name)
    wait = _record_failure(db_path, kf, name or "")
    left = FREE_TRIES - kf.failures
    more = (f" Còn {left} lần thử trước khi phải chờ." if left > 0 else
            f" Lần thử tiếp theo sau {_wait_message(wait)}.")
    raise AuthError(("Tên đăng nhập hoặc mật khẩu không đúng." if name is not None else
                     f"Mật khẩu (hoặc mã khôi phục) không mở được tệp dữ liệu '{db_path.name}'.") + more)


def _succeeded(db_path: Path, kf: KeyFile, kind: str, name: str) -> None:
    if kf.failures or kf.wait_until or kind == "recovery":
        kf.events.append({"at": _stamp(_now()), "event": "unlocked", "name": name, "kind": kind,
                          "failures": str(kf.failures)})
        kf.failures, kf.wait_until = 0, None
        write_key_file(db_path, kf)


def pending_events(db_path: Path) -> list[dict[str, str]]:
    kf = read_key_file(db_path)
    return list(kf.events) if kf else []


def clear_events(db_path: Path, count: int) -> None:
    """Drop the first ``count`` events once they are in the audit log."""
    kf = read_key_file(db_path)
    if kf is not None and count:
        kf.events = kf.events[count:]
        write_key_file(db_path, kf)


# --- used by storage/db.open_db -----------------------------------------------------------------
def key_for_open(path: Path, exists: bool, key: bytes | None) -> bytes | None:
    """The key to open ``path`` with: none for a plain file, the given or remembered key for an
    encrypted one (refused when there is none), and for a new file the given key or the one
    this process set for new files (cipher.set_key_for_new_files)."""
    if str(path) == ":memory:":
        return None
    if exists:
        if cipher.is_plain_file(path):
            return None
        # A file with its own key slots needs its key; one made without (the test suite's, see
        # cipher.set_key_for_new_files) opens with the key this process makes new files with.
        found = key or cipher.recall(path) or (None if keys_path(path).exists() else cipher.key_for_new_file())
        if found is None:
            raise EncryptedDatabaseError(
                f"Tệp dữ liệu '{path}' đã được mã hóa. Hãy đăng nhập bằng mật khẩu của mình; ở dòng lệnh "
                "dùng --passphrase-file TỆP (dòng đầu là mật khẩu hoặc mã khôi phục).")
        return found
    return key or cipher.key_for_new_file()


def audit_events(conn: Any, db_path: Path, now: str) -> None:
    """Write the unlock attempts kept in the slot file (failures, waits, recovery-key use) to
    the database's audit log in one transaction, then drop them from the file."""
    events = pending_events(db_path)
    if not events:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for event in events:
            conn.execute("INSERT INTO audit_log(at, user, table_name, row_id, action, field, before, after) "
                         "VALUES (?, ?, 'key_slots', ?, 'insert', 'unlock', NULL, ?)",
                         (now, event.get("name") or None, event.get("event", "?"),
                          json.dumps(event, ensure_ascii=False)))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    clear_events(db_path, len(events))
