"""`pip install .` (not -e) gives a working app: the wheel carries resources/ as package data.

The wheel is built offline from a copy of the source (the working tree is never written to),
installed into a fresh venv, and the installed app runs its self-test from an empty folder, so
the code, the resources and the migrations all come from the wheel, never from the checkout.
The venv borrows only the third-party dependencies (PySide6, …) of the running environment through
a .pth line (a plain path: the checkout's editable-install hook in that folder is not run)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "setup.py", "README.md", "cannngheo_desktop", "resources")


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                            encoding="utf-8", timeout=180, check=False)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def _build_wheel(work: Path) -> Path:
    source = work / "src"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
        else:
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "-w", work / "dist", source], cwd=work)
    (wheel,) = (work / "dist").glob("cannngheo_desktop-*.whl")
    return wheel


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _site_packages(python: Path) -> Path:
    out = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=python.parent)
    return Path(out.stdout.strip())


@pytest.mark.slow
def test_installed_wheel_carries_resources_and_passes_its_self_test(tmp_path):
    wheel = _build_wheel(tmp_path)

    shipped = {p.relative_to(ROOT / "resources").as_posix() for p in (ROOT / "resources").rglob("*") if p.is_file()}
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    prefix = "cannngheo_desktop/resources/"
    assert {n[len(prefix):] for n in names if n.startswith(prefix)} == shipped
    assert "cannngheo_desktop/storage/migrations/0001_initial.sql" in names
    assert not any(n.startswith(("tests/", "resources/")) for n in names)

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    python = _venv_python(venv)
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel], cwd=tmp_path)
    site = _site_packages(python)
    borrowed = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "zz_borrowed_dependencies.pth").write_text("\n".join(borrowed) + "\n", encoding="utf-8")

    empty = tmp_path / "elsewhere"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "CANNGHEO_RESOURCES", "DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["CANNGHEO_DATA_DIR"] = str(tmp_path / "data")

    where = _run([python, "-c", "import cannngheo_desktop, cannngheo_desktop.paths as p; "
                  "print(cannngheo_desktop.__file__); print(p.resource_path('reference', 'units.json'))"],
                 cwd=empty, env=env).stdout.splitlines()
    package_file, units = (Path(line) for line in where)
    assert package_file.is_relative_to(site), package_file
    assert units.is_relative_to(site / "cannngheo_desktop" / "resources") and units.is_file(), units

    result = _run([python, "-m", "cannngheo_desktop", "--self-test"], cwd=empty, env=env)
    assert result.stdout.splitlines()[-1] == "Tự kiểm tra: đạt", result.stdout + result.stderr

    script = venv / ("Scripts/cannngheo.exe" if os.name == "nt" else "bin/cannngheo")
    assert _run([script, "--version"], cwd=empty, env=env).stdout.strip() == "cannngheo 0.1.0"
