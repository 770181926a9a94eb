"""Crafted bundles for the limit tests: signed with the test commune's real key, or broken zips."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cannngheo_desktop.exchange import crypto, keys
from cannngheo_desktop.exchange.format import write_bundle
from tests.exchange.bundle_helpers import PASS, Pair, entries


def signed(pair: Pair, good: Path, dst: Path, compressed: bytes | None = None,
           manifest: Callable[[dict[str, Any]], None] | None = None) -> Path:
    """``good`` with its payload replaced by ``compressed`` (zlib bytes, encrypted here for the
    office) and/or its manifest edited, then re-hashed and re-signed with the commune's real key."""
    parts = entries(good)
    doc = json.loads(parts["manifest.json"])
    ct = parts["payload.bin"]
    if compressed is not None:
        office_pub = keys.current_keys(pair.office).encrypt_public
        eph, nonce, ct = crypto.encrypt_for(office_pub, compressed, doc["bundle_id"].encode())
        doc["encryption"].update(ephemeral_public_key=crypto.b64(eph), nonce=crypto.b64(nonce))
        doc["payload"][0].update(size=len(ct), sha256=hashlib.sha256(ct).hexdigest())
    if manifest is not None:
        manifest(doc)
    mbytes = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()
    signer = keys.signing_key(pair.commune, keys.current_keys(pair.commune).sign_id, PASS)
    return write_bundle(dst, mbytes, crypto.sign(signer, mbytes), ct)


def repeated_zlib(block: bytes, times: int) -> bytes:
    """A valid zlib stream of ``block`` repeated ``times`` times, built without compressing it all:
    after a full flush deflate restarts, so the segment for one block can be repeated."""
    c = zlib.compressobj(9)
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    segment = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.flush()[:-4]
    adler = 1
    for _ in range(times):
        adler = zlib.adler32(block, adler)
    return first + segment * (times - 1) + tail + adler.to_bytes(4, "big")


def one_long_line(size: int) -> bytes:
    """zlib of one JSON line of ``size`` bytes of random letters (does not compress away)."""
    text = base64.b64encode(os.urandom(size * 3 // 4 + 3))[:size]
    return zlib.compress(b'{"t":"households","r":{"village":"' + text + b'"}}\n', 1)


def many_entries(dst: Path, count: int) -> Path:
    """A zip of ``count`` empty entries (zip64 end record when over 65,535, as zipfile writes it)."""
    with zipfile.ZipFile(dst, "w") as zf:
        for i in range(count):
            zf.writestr(f"e{i}", b"")
    return dst


def lying_payload(good: Path, dst: Path, inflated: int) -> Path:
    """``good`` whose payload.bin entry is a deflate stream of ``inflated`` zero bytes while both
    zip headers claim the real payload's size (and a matching ratio)."""
    parts = entries(good)
    real = len(parts["payload.bin"])
    with zipfile.ZipFile(dst, "w") as zf:
        zf.writestr("manifest.json", parts["manifest.json"])
        zf.writestr("manifest.sig", parts["manifest.sig"])
        info = zipfile.ZipInfo("payload.bin")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as out:
            for _ in range(inflated >> 20):
                out.write(bytes(1 << 20))
    with zipfile.ZipFile(dst) as zf:
        info = zf.getinfo("payload.bin")
    data = bytearray(dst.read_bytes())
    struct.pack_into("<L", data, info.header_offset + 22, real)          # local header: uncompressed size
    at = data.find(b"payload.bin", data.find(b"PK\x01\x02"))
    cd = data.rfind(b"PK\x01\x02", 0, at)
    struct.pack_into("<L", data, cd + 24, real)                           # central directory: the same lie
    dst.write_bytes(bytes(data))
    return dst
