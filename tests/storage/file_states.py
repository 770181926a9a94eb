"""Files made read-only for real, for the tests of storage and of the window."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make ``path`` read-only in the way that binds this process: the read-only attribute on
    Windows (what os.chmod sets there), ``chattr +i`` as root on Linux (permissions do not stop
    root), mode 0o444 for anyone else."""
    geteuid = getattr(os, "geteuid", None)
    if os.name == "nt" or geteuid is None or geteuid() != 0:
        os.chmod(path, stat.S_IREAD)
        try:
            yield
        finally:
            os.chmod(path, stat.S_IREAD | stat.S_IWRITE)
        return
    if shutil.which("chattr") is None:
        pytest.skip("chattr is missing (Debian package e2fsprogs, in .ci/run's list)")
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"this file system has no immutable attribute: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True, capture_output=True)
