"""A large recovery bundle applies within the memory ceiling (issue 15 point 4: 200 MB for ANY input).

The office's recovery bundle is forged with its real keys (``envelope.seal``, as the office's own
``restore.export_recovery`` does) so it can hold 150,000 members without building them through
the ordinary exchange first; ``cannngheo recovery apply`` runs in a child process whose peak memory
a small launcher reads (tests/exchange/test_limits.py explains why a launcher).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cannngheo_desktop.exchange import envelope, payload, restore
from cannngheo_desktop.exchange.format import write_bundle
from cannngheo_desktop.storage import open_db
from tests.conftest import CHILD_CLI, child_env
from tests.exchange.bundle_helpers import COMMUNE, OFFICE, PASS, Pair, make_pair, rows_of
from tests.exchange.test_limits import CEILING_MB, LAUNCHER, ROOT, needs_rusage

HOUSEHOLDS, MEMBERS_EACH = 30_000, 5
HEAD_SHA = "ab" * 32


def _lines(hh: dict[str, Any], member: dict[str, Any]) -> Iterator[tuple[str, payload.Row]]:
    """The commune's own two template rows (already stored there: unchanged), then new ones cloned
    from them, parents first, and the chain head the office holds (bundle 7)."""
    yield "households", hh
    for i in range(HOUSEHOLDS):
        yield "households", {**hh, "id": f"ho-{i:06d}", "household_code": f"K{i:06d}"}
    yield "members", member
    for i in range(HOUSEHOLDS):
        for j in range(MEMBERS_EACH):
            yield "members", {**member, "id": f"tv-{i:06d}-{j}", "household_id": f"ho-{i:06d}",
                              "full_name": f"Trần Thị {i} {j}"}
    yield payload.RECEIPT, {"bundle_id": "goi-7-cu", "sha256": HEAD_SHA, "kind": restore.REPORT,
                            "sequence": 7, "period": "2026-06"}


def _big_recovery_bundle(pair: Pair) -> Path:
    pair.add_households(1, members=1)
    [hh], [member] = rows_of(pair.commune, "households"), rows_of(pair.commune, "members")
    sealed = envelope.seal(pair.office, kind=restore.RECOVERY, recipient_unit=COMMUNE, period="2026-06",
                           sequence=7, prev_sha256=HEAD_SHA, lines=list(_lines(hh, member)), passphrase=PASS,
                           full=True)
    path = pair.tmp / restore.recovery_file_name(OFFICE, COMMUNE, 7)
    return write_bundle(path, sealed.manifest_bytes, sealed.signature, sealed.payload)


def _apply_in_child(pair: Pair, path: Path) -> tuple[int, str, str, float]:
    """``cannngheo recovery apply`` in a child; (exit code, stdout, stderr, peak RSS in MB)."""
    secret = pair.tmp / "mat-khau.txt"
    secret.write_text(PASS + "\n", encoding="utf-8")
    env = child_env({**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"})
    proc = subprocess.run([sys.executable, "-c", LAUNCHER, sys.executable, "-c", CHILD_CLI,
                           "recovery", "apply", "--db", str(pair.commune.path), "--passphrase-file", str(secret),
                           str(path)], capture_output=True, cwd=pair.tmp, env=env, check=False)
    out = proc.stdout.decode("utf-8").splitlines()
    peak_kb = int(out.pop())     # the launcher's last line
    return proc.returncode, "\n".join(out), proc.stderr.decode("utf-8"), peak_kb / 1024


@needs_rusage
def test_a_recovery_bundle_of_150000_members_applies_under_the_ceiling(tmp_path):
    pair = make_pair(tmp_path)
    try:
        path = _big_recovery_bundle(pair)
        pair.commune.close()            # the child holds the database alone (lock=True)
        code, out, err, peak = _apply_in_child(pair, path)
        print(f"recovery of {HOUSEHOLDS:,} households / {HOUSEHOLDS * MEMBERS_EACH:,} members "
              f"({path.stat().st_size / 1e6:.1f} MB): exit {code}, peak {peak:.0f} MB")
        assert code == 0, err
        assert "Traceback" not in out + err
        assert f"{HOUSEHOLDS + HOUSEHOLDS * MEMBERS_EACH} dòng mới" in out, out
        assert "2 không đổi" in out, out
        with open_db(pair.commune.path, create=False, readonly=True) as store:
            assert store.scalar("SELECT count(*) FROM members WHERE unit_code = ?", (COMMUNE,)) == \
                HOUSEHOLDS * MEMBERS_EACH + 1
            assert store.scalar("SELECT count(*) FROM households WHERE unit_code = ?", (COMMUNE,)) == HOUSEHOLDS + 1
            assert store.scalar("SELECT count(*) FROM changes WHERE seq > (SELECT min(last_change_seq) FROM "
                                "bundles WHERE kind = 'commune-report' AND sequence = 7)") == 0
            head = store.query_one("SELECT status FROM bundles WHERE direction = 'out' AND sequence = 7")
            assert head is not None and head["status"] == "acknowledged"
        assert peak < CEILING_MB, f"{peak:.0f} MB"
    finally:
        pair.commune.close()
        pair.office.close()
