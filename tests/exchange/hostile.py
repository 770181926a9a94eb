"""Hostile variants of real bundles, for the fuzz test (tests/exchange/test_hostile_bundles.py).

Everything here works on the bytes of real exported bundles and on the primitives every bundle
is made of (zip, JSON, Ed25519, X25519+HKDF+AES-GCM, zlib), never on the importer's internals, so
the generator keeps its meaning while the importer changes. A forged bundle is built the way a
holder of the sender's real private keys would build it: decrypt, edit, re-encrypt for the real
recipient, re-hash, re-sign — so it passes the signature and reaches the deeper checks.

A :class:`Case` says which copy receives the file and what may happen: ``expect`` is the name of
a real bundle whose clean import the result must equal if the file is accepted, or ``REFUSE``
when any acceptance is wrong (a forgery beyond the sender's authority, a broken chain...).
"""

from __future__ import annotations

import copy
import hashlib
import json
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cannngheo_desktop.exchange import crypto

MANIFEST, SIGNATURE, PAYLOAD = "manifest.json", "manifest.sig", "payload.bin"
STORED, DEFLATED = 0, 8
REFUSE = "refuse"


# --- zip, written by hand so that every field can lie ----------------------------------------------
@dataclass
class Entry:
    """One zip member. ``size``/``crc`` override what the headers declare (a lying header);
    ``raw`` replaces the stored (compressed) bytes."""

    name: str
    data: bytes
    method: int = STORED
    size: int | None = None
    crc: int | None = None
    raw: bytes | None = None


def deflate_raw(data: bytes, level: int = 6) -> bytes:
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


def build_zip(entries: list[Entry]) -> bytes:
    """A plain (non-zip64) zip of ``entries`` in order; duplicates and lies are kept as given."""
    out, central = bytearray(), bytearray()
    for e in entries:
        name = e.name.encode("utf-8")
        stored = e.raw if e.raw is not None else (deflate_raw(e.data) if e.method == DEFLATED else e.data)
        crc = zlib.crc32(e.data) if e.crc is None else e.crc
        size = len(e.data) if e.size is None else e.size
        offset = len(out)
        fields = (20, 0x800, e.method, 0, 0x5021, crc & 0xFFFFFFFF, len(stored), size)
        out += struct.pack("<IHHHHHIII", 0x04034B50, *fields) + struct.pack("<HH", len(name), 0) + name + stored
        central += (struct.pack("<IH", 0x02014B50, 20) + struct.pack("<HHHHHIII", *fields)
                    + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, offset) + name)
    count = len(entries)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(out), 0)
    return bytes(out + central + eocd)


def bundle_zip(manifest: bytes, signature: bytes, payload: bytes) -> bytes:
    """The three members laid out as the app writes them (manifest deflated, the rest stored)."""
    return build_zip([Entry(MANIFEST, manifest, DEFLATED), Entry(SIGNATURE, signature), Entry(PAYLOAD, payload)])


def members(data: bytes) -> dict[str, bytes]:
    """The members of a well-formed bundle zip (the real bundles only)."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


# --- a real bundle, opened once, and forgeries of it -----------------------------------------------
@dataclass
class Source:
    """A real exported bundle and what its sender holds: the decrypted lines, the sender's
    signing key, the recipient's public encryption key."""

    key: str                    # B1, B2, ... (the name the oracle knows it by)
    receiver: str               # which copy it is for: "office" or "commune"
    name: str                   # its file name
    data: bytes                 # the file as exported
    lines: list[dict[str, Any]]  # the payload's JSON lines {"t": table, "r": row}
    signer: Any                 # Ed25519PrivateKey of the sender
    recipient_public: bytes     # X25519 public key of the recipient

    @property
    def parts(self) -> dict[str, bytes]:
        return members(self.data)

    @property
    def manifest(self) -> dict[str, Any]:
        doc = json.loads(self.parts[MANIFEST])
        assert isinstance(doc, dict)
        return doc

    def rows(self, table: str) -> list[dict[str, Any]]:
        return [line["r"] for line in self.lines if line["t"] == table]


def encode_lines(lines: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
                   for line in lines).encode("utf-8")


def counts_of(lines: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in lines:
        t = line.get("t")
        table = t if isinstance(t, str) else "?"
        counts[table] = counts.get(table, 0) + 1
    return counts


def forge(src: Source, *, lines: list[dict[str, Any]] | None = None, plain: bytes | None = None,
          compressed: bytes | None = None, edit: Callable[[dict[str, Any]], None] | None = None,
          signer: Any = None, recipient_public: bytes | None = None, indent: int | None = 1,
          bundle_id: str | None = None) -> bytes:
    """Re-build ``src`` as its sender could: new lines (or raw plaintext, or raw compressed
    bytes), encrypted for the recipient with the bundle id as AAD, hashes and row counts
    recomputed, then ``edit(manifest)`` (it may lie about anything), serialised, signed."""
    doc = copy.deepcopy(src.manifest)
    if bundle_id is not None:
        doc["bundle_id"] = bundle_id
    lines = src.lines if lines is None else lines
    if compressed is None:
        compressed = zlib.compress(encode_lines(lines) if plain is None else plain, 6)
    pub = recipient_public or src.recipient_public
    eph, nonce, ct = crypto.encrypt_for(pub, compressed, str(doc["bundle_id"]).encode("ascii"))
    doc["encryption"].update(ephemeral_public_key=crypto.b64(eph), nonce=crypto.b64(nonce))
    doc["payload"][0].update(size=len(ct), sha256=hashlib.sha256(ct).hexdigest(),
                             rows=dict(sorted(counts_of(lines).items())))
    if edit is not None:
        edit(doc)
    mbytes = json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=indent).encode("utf-8")
    return bundle_zip(mbytes, crypto.sign(signer or src.signer, mbytes), ct)


def resign(src: Source, manifest_bytes: bytes, signer: Any = None) -> bytes:
    """Keep the payload, replace the manifest bytes verbatim and sign them."""
    parts = src.parts
    return bundle_zip(manifest_bytes, crypto.sign(signer or src.signer, manifest_bytes), parts[PAYLOAD])


# --- what the fuzz test runs ---------------------------------------------------------------------
@dataclass
class Case:
    family: str
    label: str
    receiver: str                 # "office" or "commune"
    data: bytes
    name: str                     # file name to write it under
    expect: str                   # a Source key (accepted ⇒ equals its clean import) or REFUSE
    patch: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # legit row edits
    pre: tuple[str, ...] = ()     # real bundles applied cleanly first (replays, forks)
    first: tuple[tuple[str, bytes], ...] = ()  # hostile files delivered first: refused or left waiting


def case_of(src: Source, family: str, label: str, data: bytes, expect: str | None = None, **kw: Any) -> Case:
    return Case(family, label, src.receiver, data, src.name, src.key if expect is None else expect, **kw)


# --- byte-level damage ---------------------------------------------------------------------------
def bit_flips(data: bytes, rng: Any, count: int) -> tuple[bytes, str]:
    buf = bytearray(data)
    where = []
    for _ in range(count):
        pos, bit = int(rng.random() * len(buf)), rng.randrange(8)
        buf[pos] ^= 1 << bit
        where.append(f"{pos}.{bit}")
    return bytes(buf), "flip " + ",".join(where)


def truncated(data: bytes, rng: Any) -> tuple[bytes, str]:
    at = int(rng.random() * len(data))  # one draw whatever the length: the case stream stays fixed
    return data[:at], f"cut at {at} of {len(data)}"


def appended(data: bytes, rng: Any) -> tuple[bytes, str]:
    n = rng.choice((1, 7, 100, 4096, 70000))
    garbage = rng.randbytes(n) if rng.random() < 0.5 else bytes(n)
    if rng.random() < 0.3:  # a second, fake end-of-central-directory record at the end
        garbage += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, 46, 0, 0)
    return data + garbage, f"+{len(garbage)} bytes"


# --- zip-level lies -----------------------------------------------------------------------------
ZIP_TRICKS = ("extra entry", "duplicate entry", "renamed entry", "missing entry", "path entry",
              "huge declared size", "small declared size", "lying crc", "deflate bomb", "bomb declared small",
              "many entries", "deflated payload", "stored manifest", "long signature", "short signature",
              "empty zip")


def zip_trick(src: Source, trick: str, rng: Any, bomb_bytes: bytes) -> tuple[bytes, str]:
    """The bundle's own members, re-laid with one lie (``bomb_bytes``: deflated zeros), and a
    label saying which."""
    p = src.parts
    base = [Entry(MANIFEST, p[MANIFEST], DEFLATED), Entry(SIGNATURE, p[SIGNATURE]), Entry(PAYLOAD, p[PAYLOAD])]
    victim = rng.randrange(3)
    if trick == "extra entry":
        base.insert(rng.randrange(4), Entry(rng.choice(("x.txt", "payload.bin.bak", "__MACOSX/._m", "manifest.json ")),
                                            b"extra"))
    elif trick == "duplicate entry":
        dup = copy.copy(base[victim])
        if rng.random() < 0.5:
            dup.data = dup.data[:-1] + bytes([dup.data[-1] ^ 1])
        base.insert(rng.randrange(4), dup)
    elif trick == "renamed entry":
        base[victim].name = rng.choice(("../payload.bin", "/manifest.json", "C:manifest.json", "MANIFEST.JSON",
                                        "payload.bin/", "a/../payload.bin", "payload\\bin", "payload.bin\x00"))
    elif trick == "missing entry":
        del base[victim]
    elif trick == "path entry":
        base.append(Entry("../../" + base[victim].name, base[victim].data))
    elif trick == "huge declared size":
        base[victim].size = rng.choice((1 << 31, 0xFFFFFFFE, 5 << 20))
    elif trick == "small declared size":
        base[victim].size = max(0, len(base[victim].data) - rng.randrange(1, 64))
    elif trick == "lying crc":
        base[victim].crc = zlib.crc32(base[victim].data) ^ (1 << rng.randrange(32))
    elif trick in ("deflate bomb", "bomb declared small"):
        size = BOMB_SIZE if trick == "deflate bomb" else len(base[victim].data)
        base[victim] = Entry(base[victim].name, b"", DEFLATED, size=size, crc=0, raw=bomb_bytes)
    elif trick == "many entries":
        base += [Entry(f"pad{i}", b"") for i in range(rng.choice((4, 100, 3000)))]
    elif trick == "deflated payload":
        base[2].method = DEFLATED
    elif trick == "stored manifest":
        base[0].method = STORED
    elif trick in ("long signature", "short signature"):
        sig = p[SIGNATURE]
        base[1].data = sig + b"\x00" * rng.randrange(1, 64) if trick == "long signature" else sig[:rng.randrange(64)]
    elif trick == "empty zip":
        base = []
    return build_zip(base), f"{trick}: " + ", ".join(f"{e.name!r}/{e.method}/{e.size}" for e in base)


BOMB_SIZE = 64 << 20  # what a bomb inflates to (deflated: about 64 KiB, a ratio of ~1000)


def bomb(size: int = BOMB_SIZE, *, raw: bool = True) -> bytes:
    """``size`` zero bytes deflated in 1 MiB steps (raw for a zip entry, else zlib-wrapped as a
    payload inside the encryption); built once per test module."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15 if raw else 15)
    chunk = bytes(1 << 20)
    return b"".join(comp.compress(chunk) for _ in range(size >> 20)) + comp.flush()


# --- manifest edits, re-signed with the sender's real key ---------------------------------------
def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        target: Any = doc
        keys = path.split(".")
        for k in keys[:-1]:
            target = target[int(k)] if isinstance(target, list) else target[k]
        target[keys[-1]] = value
    return edit


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc.pop(key, None)


NUMBERS: tuple[Any, ...] = (0, -1, 2**31, 2**63 - 1, 2**63, 2**64, 10**30, -(2**63) - 1, 1.5, float("nan"), float("inf"),
           float("-inf"), True, "2", None, [], {})
UNIT_CODES = ("../x", "..\\..\\x", "/etc/passwd", "00640/../020", "C:x", "", " 00640", "00640\n", "٠٠٦٤٠",
              "0" * 300, "00640\x00", "xã", None, 640, ["00640"])


def manifest_edits(src: Source, other_unit: str, other_key_id: str) -> list[tuple[str, Callable[[dict[str, Any]], None]]]:
    """(label, edit) of every manifest lie a key holder could sign; each must be refused."""
    m = src.manifest
    seq = int(m["sequence"])
    wrong_kinds = [k for k in ("commune-report", "reference", "receipt", "recovery", "Reference", "", "x" * 1000,
                               None, 1)
                   if k != m["kind"]]
    out: list[tuple[str, Callable[[dict[str, Any]], None]]] = []
    out += [(f"kind={k!r}"[:40], _set("kind", k)) for k in wrong_kinds]
    out += [(f"sequence={n!r}", _set("sequence", n)) for n in NUMBERS if n != seq]
    out += [(f"payload size={n!r}", _set("payload.0.size", n)) for n in NUMBERS]
    def rows_plus_one(d: dict[str, Any]) -> None:
        rows = d["payload"][0]["rows"]
        rows.update({t: n + 1 for t, n in rows.items()})

    def as_list(d: dict[str, Any]) -> None:
        d.clear()
        d["format"] = ["cannngheo-bundle"]

    out += [("rows lie +1", rows_plus_one)]
    out += [(f"rows={n!r}", _set("payload.0.rows.households", n)) for n in NUMBERS]
    out += [("rows of a table not sent", lambda d: d["payload"][0]["rows"].update(rulesets=1))]
    out += [(f"schema_version={n!r}", _set("schema_version", n)) for n in (2**63, -1, 10**6, "7", None)]
    out += [(f"format_version={n!r}", _set("format_version", n)) for n in (2, 0, 2**64, "1", None)]
    out += [(f"sender unit={u!r}"[:50], _set("sender.unit", u)) for u in (*UNIT_CODES, other_unit)]
    out += [(f"recipient unit={u!r}"[:50], _set("recipient.unit", u)) for u in (*UNIT_CODES, other_unit, m["sender"]["unit"])]
    out += [("sender key = other unit's key", _set("sender.key_id", other_key_id)),
            ("recipient key = sender's key", _set("recipient.key_id", m["sender"]["key_id"])),
            ("recipient key unknown", _set("recipient.key_id", "0" * 16))]
    out += [(f"period={p!r}", _set("period", p)) for p in ("2026-13", "2026-1", "../..", "", None, 202601)]
    out += [(f"prev_sha256={p!r}"[:40], _set("prev_sha256", p)) for p in ("0" * 64, "g" * 64, "", 1, ["x"])]
    out += [("nonce short", _set("encryption.ephemeral_public_key", "AAAA")),
            ("nonce not base64", _set("encryption.nonce", "!!!!")),
            ("ephemeral key of zeros", _set("encryption.ephemeral_public_key", crypto.b64(bytes(32)))),
            ("bundle id changed", _set("bundle_id", "00000000-0000-0000-0000-000000000000")),
            ("bundle id not ascii", _set("bundle_id", "gói-☃")),
            ("bundle id huge", _set("bundle_id", "x" * 100_000)),
            ("payload name", _set("payload.0.name", "../payload.bin")),
            ("two payloads", lambda d: d["payload"].append(dict(d["payload"][0]))),
            ("key_update garbage", _set("key_update", {"sign_public": "x", "encrypt_public": 5})),
            ("format name", _set("format", "other")),
            ("manifest without fields", as_list),
            ("no sender", _drop("sender")), ("no payload", _drop("payload")), ("no kind", _drop("kind"))]
    if seq > 1:
        out += [("sequence reused from the chain", _set("sequence", seq - 1)),
                ("prev hash of nothing", _set("prev_sha256", None))]
    return out


def raw_manifest_edits(src: Source) -> list[tuple[str, bytes]]:
    """(label, manifest bytes) of lies that only exist as text — JSON that parsers read differently
    or choke on — to be signed verbatim with :func:`resign`; each must be refused."""
    text = src.parts[MANIFEST]
    unit = json.dumps(src.manifest["sender"]["unit"]).encode()
    head, body = text[:1], text[1:]
    assert head == b"{"
    return [
        ("deep nesting", head + b'"x": ' + b"[" * 20000 + b"]" * 20000 + b", " + body),
        ("duplicate key: kind", head + b'"kind": "reference", ' + body),
        ("duplicate key: sequence", head + b'"sequence": 99, ' + body),
        ("byte order mark", b"\xef\xbb\xbf" + text),
        ("trailing JSON", text + b"\n{}"),
        ("trailing NUL", text + b"\x00"),
        ("not UTF-8", text.replace(b'"format"', b'"form\xff"', 1)),
        ("lone surrogate as sender unit", text.replace(b'"unit": ' + unit, b'"unit": "\\ud800"', 1)),
        ("5000-digit number", head + b'"x": 1' + b"0" * 5000 + b", " + body),
        ("number 1e999999", head + b'"x": 1e999999, ' + body),
        ("empty", b""),
        ("JSON null", b"null"),
    ]
