"""Reading a bundle is bounded and crash-free on any input (issue 15 point 4; NaN/Infinity: point 6).

Each crafted file is refused with a Vietnamese message naming it, and both databases stay as they
were. The fast tests shrink the caps (``Limits``); the memory tests run the real command line on
full-size crafted files with the default caps and read the child's peak memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from cannngheo_desktop.exchange import export, importer
from cannngheo_desktop.exchange.envelope import verify_bundle
from cannngheo_desktop.exchange.errors import BundleError
from cannngheo_desktop.exchange.format import DEFAULT_LIMITS, Limits, read_bundle
from tests.conftest import CHILD_CLI, child_env
from tests.exchange.bundle_helpers import PASS, Pair, dump, entries, make_pair, rezip
from tests.exchange.limit_forge import lying_payload, many_entries, one_long_line, repeated_zlib, signed

ROOT = Path(__file__).resolve().parents[2]
CEILING_MB = 200


@pytest.fixture
def good(pair: Pair) -> Path:
    pair.add_households(3, members=2)
    return export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)


def refused(pair: Pair, path: Path, *words: str, **kw) -> str:
    """Import ``path`` at the office: BundleError naming the file; neither database changed."""
    before = dump(pair.office), dump(pair.commune)
    with pytest.raises(BundleError) as err:
        importer.apply_bundle(pair.office, path, PASS, **kw)
    assert (dump(pair.office), dump(pair.commune)) == before, "a refused bundle changed a database"
    message = err.value.message
    assert f"'{path.name}'" in message, message
    for word in words:
        assert word in message, message
    return message


def lines_of(*items: dict) -> bytes:
    return b"".join(json.dumps(i, ensure_ascii=False).encode() + b"\n" for i in items)


# --- files that are not bundles -------------------------------------------------------------------
def test_dev_zero_is_refused_without_reading(pair):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero on this system")
    refused(pair, Path("/dev/zero"), "không phải tệp thông thường")


def test_a_fifo_named_cnb_is_refused_without_blocking(pair):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on Windows")
    fifo = pair.tmp / "ong.cnb"
    os.mkfifo(fifo)
    refused(pair, fifo, "không phải tệp thông thường")


def test_a_folder_is_refused(pair):
    folder = pair.tmp / "thu-muc.cnb"
    folder.mkdir()
    refused(pair, folder, "thư mục")


def test_a_file_over_the_size_cap_is_refused_before_reading(pair, good):
    big = pair.tmp / "lon.cnb"
    with big.open("wb") as fh:
        fh.truncate(DEFAULT_LIMITS.max_file + 1)     # sparse: 64 MiB + 1 of zeros, no disk used
    refused(pair, big, "tệp quá lớn")
    refused(pair, good, "tệp quá lớn", limits=Limits(max_file=good.stat().st_size - 1))


# --- the zip ------------------------------------------------------------------------------------------
def test_entry_count_is_read_from_the_end_record(pair):
    refused(pair, many_entries(pair.tmp / "nhieu.cnb", 1000), "1.000 mục", "tối đa 3")


def test_central_directory_size_is_capped(pair, good):
    # three entries of ~60 bytes each in the directory: over a shrunk cap of 100
    refused(pair, good, "danh mục của tệp zip", limits=Limits(max_central_dir=100))


def test_manifest_and_payload_entries_are_capped(pair, good):
    size = len(entries(good)["manifest.json"])
    refused(pair, good, "manifest.json", "quá lớn", limits=Limits(max_manifest=size - 1))
    refused(pair, good, "payload.bin", "quá lớn", limits=Limits(max_payload=100))


def test_signature_must_be_exactly_64_bytes(pair, good):
    sig = entries(good)["manifest.sig"]
    refused(pair, rezip(good, pair.tmp / "s.cnb", {"manifest.sig": sig + b"\0"}), "manifest.sig")
    refused(pair, rezip(good, pair.tmp / "t.cnb", {"manifest.sig": sig[:63]}), "64 byte")


def test_an_entry_whose_header_lies_about_its_size(pair, good):
    bad = lying_payload(good, pair.tmp / "doi.cnb", 8 << 20)
    refused(pair, bad, "payload.bin", "hỏng")


def test_a_deflated_entry_over_the_ratio_is_refused(pair, good):
    import zipfile
    bad = pair.tmp / "ti-le.cnb"
    parts = entries(good)
    with zipfile.ZipFile(bad, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", parts["manifest.json"])
        zf.writestr("manifest.sig", parts["manifest.sig"])
        zf.writestr("payload.bin", bytes(4 << 20))
    refused(pair, bad, "tỉ lệ nén")


# --- the manifest ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("field", "value", "word"), [
    ("sequence", 2**63, "số nguyên quá lớn"),
    ("sequence", 2**31, "số thứ tự"),
    ("sequence", "5000 digits", "manifest.json"),
    ("schema_version", 10**9, "manifest.json"),
    ("format_version", 0, "phiên bản định dạng"),
])
def test_manifest_numbers_are_range_checked(pair, good, field, value, word):
    def edit(doc):
        doc[field] = value
    if value == "5000 digits":
        # more digits than Python converts to int (ValueError): write them by hand
        parts = entries(good)
        text = parts["manifest.json"].replace(b'"sequence": 1', b'"sequence": ' + b"9" * 5000)
        bad = rezip(good, pair.tmp / "so.cnb", {"manifest.json": text})
    else:
        bad = signed(pair, good, pair.tmp / f"{field}.cnb", manifest=edit)
    refused(pair, bad, word)


def test_row_counts_in_the_manifest_are_range_checked(pair, good):
    def rows(n):
        return lambda doc: doc["payload"][0]["rows"].update(households=n)
    refused(pair, signed(pair, good, pair.tmp / "a.cnb", manifest=rows(10**8)), "số dòng")
    refused(pair, signed(pair, good, pair.tmp / "b.cnb", manifest=rows(-1)), "manifest.json")
    refused(pair, signed(pair, good, pair.tmp / "c.cnb", manifest=rows(True)), "manifest.json")


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_nan_and_infinity_in_the_manifest_are_refused(pair, good, constant):
    text = entries(good)["manifest.json"].replace(b'"sequence": 1', b'"sequence": ' + constant)
    refused(pair, rezip(good, pair.tmp / "nan.cnb", {"manifest.json": text}), "manifest.json")


# --- the payload (signed with the commune's real key) ---------------------------------------------
def _plain(pair: Pair, good: Path) -> bytes:
    from cannngheo_desktop.exchange.envelope import decrypt, open_bundle
    return decrypt(pair.office, open_bundle(pair.office, good), PASS)


@pytest.mark.parametrize("value", [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"9" * 30])
def test_nan_infinity_and_huge_numbers_in_rows_are_refused(pair, good, value):
    plain = _plain(pair, good)
    bad = plain.replace(b'"income_month":1500000', b'"income_month":' + value, 1)
    assert bad != plain
    refused(pair, signed(pair, good, pair.tmp / "nan.cnb", zlib.compress(bad)), "không phải JSON hợp lệ")


def test_a_signed_zip_bomb_is_cut_at_the_ratio(pair, good):
    bomb = repeated_zlib(b" " * 1023 + b"\n", 64 << 10)                # 64 MiB of blank-ish lines
    refused(pair, signed(pair, good, pair.tmp / "bom.cnb", bomb), "giải nén vượt giới hạn",
            limits=replace(DEFAULT_LIMITS, max_ratio=20))


def test_decompressed_size_is_capped(pair, good):
    refused(pair, good, "giải nén vượt giới hạn", limits=Limits(max_plain=100))


def test_a_line_over_the_cap_is_refused(pair, good):
    refused(pair, signed(pair, good, pair.tmp / "dong.cnb", one_long_line(300_000)), "dòng 1", "dài quá",
            limits=Limits(max_line=100_000))


def test_line_count_is_capped(pair, good):
    refused(pair, signed(pair, good, pair.tmp / "n.cnb", zlib.compress(b"\n" * 5000)), "quá nhiều dòng",
            limits=Limits(max_rows=1000))


def test_a_truncated_stream_is_refused(pair, good):
    cut = zlib.compress(_plain(pair, good))[:-20]
    refused(pair, signed(pair, good, pair.tmp / "cut.cnb", cut), "cắt cụt")


def test_receipt_lines_and_unknown_audit_actions_are_refused_in_a_report(pair, good):
    plain = _plain(pair, good)
    bad = plain + lines_of({"t": "_receipt", "r": {"sha256": "0" * 64}})
    refused(pair, signed(pair, good, pair.tmp / "r.cnb", zlib.compress(bad),
                         manifest=lambda d: d["payload"][0]["rows"].update(_receipt=1)), "biên nhận")


def test_a_duplicate_row_far_apart_is_found_across_chunks(pair, good, monkeypatch):
    from cannngheo_desktop.exchange import payload
    monkeypatch.setattr(payload, "CHUNK_LINES", 2)   # two lines a chunk: the copy is chunks away
    chunks: list[int] = []
    real = payload.iter_chunks

    def counting(*a, **k):
        for chunk in real(*a, **k):
            chunks.append(chunk.lines)
            yield chunk
    monkeypatch.setattr(payload, "iter_chunks", counting)
    plain = _plain(pair, good)
    first = next(line for line in plain.split(b"\n") if b'"t":"households"' in line)
    bad = plain + first + b"\n"
    refused(pair, signed(pair, good, pair.tmp / "hai.cnb", zlib.compress(bad),
                         manifest=lambda d: d["payload"][0]["rows"].update(households=4)), "hai lần")
    assert len(chunks) > 5 and max(chunks) == 2


def test_many_bad_lines_keep_only_the_first_errors(pair, good):
    bad = b"not json\n" * 5000
    message = refused(pair, signed(pair, good, pair.tmp / "x.cnb", zlib.compress(bad)), "không phải JSON")
    assert "lỗi khác" in message and len(message) < 2000
    insp = importer.inspect_bundle(pair.office, pair.tmp / "x.cnb", PASS)
    assert len(insp.errors) == importer.MAX_ERRORS_KEPT and insp.errors_dropped > 0


def test_verify_and_read_are_bounded_too(pair, good):
    if Path("/dev/zero").exists():  # POSIX: a device is refused unread
        with pytest.raises(BundleError, match="thiết bị|thông thường"):
            read_bundle(Path("/dev/zero"))
    with pytest.raises(BundleError, match="thư mục"):  # every system: a folder is refused unread
        read_bundle(pair.tmp)
    m, checked = verify_bundle(good, store=pair.office)
    assert checked and m.sequence == 1


def test_a_waiting_bundle_is_kept_in_the_database_and_applied_from_it(pair):
    pair.add_households(2)
    first = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    pair.add_households(1)
    second = export.export_bundle(pair.commune, "2026-02", pair.outbox, PASS)
    waiting = importer.apply_bundle(pair.office, second, PASS)
    assert waiting.status == "waiting"
    stored = pair.office.scalar("SELECT sum(length(data)) FROM bundle_pieces JOIN bundles ON bundles.id = bundle_id "
                                "WHERE status = 'waiting'")
    assert stored == second.stat().st_size
    second.unlink()                                          # only the copy in the database is left
    result = importer.apply_bundle(pair.office, first, PASS)
    assert [s.status for s in result.also_applied] == ["applied"]
    assert pair.office.scalar("SELECT count(*) FROM households") == 3
    assert pair.office.scalar("SELECT count(*) FROM bundles WHERE content IS NOT NULL") == 0


# --- peak memory of the real command line on full-size crafted files ------------------------------
# The child's peak is read by a small launcher process: Linux carries a process's high-water
# RSS across fork and exec, so a child started straight from this (large) test process would
# report this process's peak, not its own.
LAUNCHER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)
"""


def _run_cli(pair: Pair, path: Path) -> tuple[int, str, str, float]:
    """``cannngheo bundle import`` in a child process; (exit code, stdout, stderr, peak RSS in MB)."""
    secret = pair.tmp / "mat-khau.txt"
    secret.write_text(PASS + "\n", encoding="utf-8")
    err = pair.tmp / "err.txt"
    env = child_env({**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"})
    with err.open("wb") as e:
        proc = subprocess.run([sys.executable, "-c", LAUNCHER, sys.executable, "-c", CHILD_CLI,
                               "bundle", "import", "--db", str(pair.office.path), "--passphrase-file", str(secret),
                               str(path)], stdout=subprocess.PIPE, stderr=e, cwd=pair.tmp, env=env, check=False)
    out = proc.stdout.decode("utf-8").splitlines()
    peak_kb = int(out.pop())     # the launcher's last line
    return proc.returncode, "\n".join(out), err.read_text(encoding="utf-8"), peak_kb / 1024


def _crafted(pair: Pair, good: Path, case: str) -> Path:
    tmp = pair.tmp
    if case == "signed zip bomb":          # 2 GiB of 512 KiB lines in ~2 MB, signed with the real key
        return signed(pair, good, tmp / "bom.cnb", repeated_zlib(b" " * ((512 << 10) - 1) + b"\n", 4096))
    if case == "300 MB of zeros":
        path = tmp / "so-khong.cnb"
        with path.open("wb") as fh:
            fh.truncate(300 << 20)
        return path
    if case == "/dev/zero":
        return Path("/dev/zero")
    if case == "sequence 2**63, 10**8 rows":
        def lie(doc):
            doc["sequence"] = 2**63
            doc["payload"][0]["rows"]["members"] = 10**8
        return signed(pair, good, tmp / "so-lon.cnb", manifest=lie)
    if case == "100,000 entries":
        return many_entries(tmp / "nhieu-muc.cnb", 100_000)
    if case == "header lies about size":
        return lying_payload(good, tmp / "doi.cnb", 60 << 20)
    if case == "JSON line of 50 MB":
        return signed(pair, good, tmp / "dong-dai.cnb", one_long_line(50 << 20))
    raise AssertionError(case)


WHY = {"signed zip bomb": "giải nén vượt giới hạn", "300 MB of zeros": "tệp quá lớn",
       "/dev/zero": "không phải tệp thông thường", "sequence 2**63, 10**8 rows": "manifest.json",
       "100,000 entries": "có 100.000 mục", "header lies about size": "payload.bin",
       "JSON line of 50 MB": "dài quá giới hạn"}
CASES = ["signed zip bomb", "300 MB of zeros", "/dev/zero", "sequence 2**63, 10**8 rows", "100,000 entries",
         "header lies about size", "JSON line of 50 MB"]
needs_rusage = pytest.mark.skipif(sys.platform == "win32", reason=(
    "the child's peak memory is read with resource.getrusage(RUSAGE_CHILDREN).ru_maxrss; Windows "
    "has no 'resource' module (and no ru_maxrss), so the ceiling is measured on Linux only"))


@needs_rusage
@pytest.mark.parametrize("case", CASES)
def test_crafted_files_stay_under_the_memory_ceiling(tmp_path, case):
    if case == "/dev/zero" and not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero on this system")
    pair = make_pair(tmp_path)
    try:
        pair.add_households(3, members=2)
        good = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
        path = _crafted(pair, good, case)
        before = dump(pair.office), dump(pair.commune)
        code, out, err, peak = _run_cli(pair, path)
        print(f"{case}: exit {code}, peak {peak:.0f} MB; {err.strip()}")
        assert code == 4, (code, out, err)
        assert f"'{path.name}' bị từ chối" in err, err
        assert "Traceback" not in err + out
        assert WHY[case] in err, err
        assert (dump(pair.office), dump(pair.commune)) == before
        assert peak < CEILING_MB, f"{case}: {peak:.0f} MB"
    finally:
        pair.commune.close()
        pair.office.close()


@needs_rusage
def test_a_large_legitimate_import_stays_under_the_ceiling(tmp_path):
    pair = make_pair(tmp_path)
    try:
        pair.add_households(3000, members=4)
        path = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS, full=True)
        code, out, err, peak = _run_cli(pair, path)
        print(f"3,000 households / 12,000 members ({path.stat().st_size / 1e6:.1f} MB): exit {code}, "
              f"peak {peak:.0f} MB")
        assert code == 0, err
        assert pair.office.scalar("SELECT count(*) FROM members") == 12_000
        assert peak < CEILING_MB
    finally:
        pair.commune.close()
        pair.office.close()


def test_exit_code_4_is_documented_in_the_command_help(capsys):
    from cannngheo_desktop.cli import build_parser
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bundle", "import", "-h"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "4 bị từ chối" in shown and "vượt giới hạn" in shown and "docs/bundle-format.md" in shown


def test_a_key_repeated_in_the_manifest_or_a_row_is_refused(pair, good):
    text = entries(good)["manifest.json"].replace(b'"sequence": 1', b'"sequence": 1, "sequence": 2')
    refused(pair, rezip(good, pair.tmp / "hai-khoa.cnb", {"manifest.json": text}), "xuất hiện hai lần")
    plain = _plain(pair, good)
    bad = plain.replace(b'"income_month":1500000', b'"income_month":1500000,"income_month":1', 1)
    assert bad != plain
    refused(pair, signed(pair, good, pair.tmp / "hai-cot.cnb", zlib.compress(bad)), "không phải JSON hợp lệ")
