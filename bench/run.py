"""Run the benchmarks and rewrite bench/RESULTS.md.

    python -m bench.run [--scale 100000] [--only storage] [--workdir bench/work] [--no-write]

Every ``bench/bench_*.py`` module exposes ``run(scale, workdir) -> list[Result]``; each result
compares the app's way with a raw baseline measured in the same run, so the ratio means the
same on a slow laptop and a fast server.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sqlite3
import sys
import traceback
from datetime import datetime
from pathlib import Path

from .common import Result, timer

BENCH_DIR = Path(__file__).resolve().parent


def discover(only: str | None = None) -> list[str]:
    """Module names ``bench.bench_*`` (``only`` keeps names containing it)."""
    names = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    if only:
        names = [n for n in names if only in n]
    return [f"bench.{n}" for n in names]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return (f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def table(results: list[Result], when: str = "", kept: list[str] = ()) -> str:
    """Markdown table; ``kept`` rows (from an earlier run, already formatted) follow."""
    head = "| benchmark | baseline (s) | measured (s) | ratio | target | ok | run | note |"
    rows = [head, "|---|---:|---:|---:|---|---|---|---|"]
    for r in results:
        rows.append(f"| {r.name} | {r.baseline_s:.2f} | {r.measured_s:.2f} | {r.ratio:.2f}× | "
                    f"{r.target} | {'yes' if r.ok else 'NO'} | {when} | {r.note} |")
    rows.extend(kept)
    return "\n".join(rows)


def earlier_rows(path: Path, replaced: set[str]) -> list[str]:
    """Rows of the existing RESULTS.md whose benchmark did not run this time (``--only``)."""
    if not path.exists():
        return []
    kept = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if (line.startswith("| ") and len(cells) == 8 and cells[0] != "benchmark"
                and cells[0] not in replaced):
            kept.append(line)
    return kept


def write_results(path: Path, results: list[Result], scale: int, total_s: float,
                  keep_others: bool = False, modules: list[str] = ()) -> None:
    """Rewrite RESULTS.md; with ``keep_others`` the rows of benchmarks not run this time stay
    (a module's earlier crash row, named after the module, is replaced too)."""
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    kept = earlier_rows(path, {r.name for r in results} | set(modules)) if keep_others else []
    text = (
        "# Benchmark results\n\n"
        "Written by `python -m bench.run`; do not edit by hand. Each benchmark times the app's way\n"
        "(*measured*) against a raw baseline doing the same work in the same run (*baseline*);\n"
        "the ratio is what the target bounds. See docs/benchmarks.md.\n\n"
        f"- last run: {when} ({'only some benchmarks; the other rows are from earlier runs' if kept else 'all'})\n"
        f"- machine: {machine()}\n"
        f"- scale: {scale:,} households\n"
        f"- run time: {total_s:.0f} s\n\n"
        f"{table(results, when, kept)}\n")
    path.write_text(text, encoding="utf-8")


def run_module(name: str, scale: int, workdir: Path) -> list[Result]:
    """One module's results; a crash is reported as a failed result, not the end of the run."""
    try:
        module = importlib.import_module(name)
        results = list(module.run(scale, workdir))
        bad = [r for r in results if not isinstance(r, Result)]
        if bad:
            raise TypeError(f"run() must return bench.common.Result objects, got {type(bad[0]).__name__}")
        return results
    except Exception as exc:  # noqa: BLE001 - keep going, say which benchmark broke
        traceback.print_exc()
        return [Result(name=name, baseline_s=0.0, measured_s=0.0, target="-", ok=False,
                       note=f"crashed: {type(exc).__name__}: {exc}")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000, help="households to generate")
    parser.add_argument("--only", help="run only benchmarks whose module name contains this")
    parser.add_argument("--workdir", type=Path, default=BENCH_DIR / "work")
    parser.add_argument("--no-write", action="store_true", help="do not rewrite bench/RESULTS.md")
    args = parser.parse_args(argv)
    modules = discover(args.only)
    if not modules:
        print(f"no benchmark matches {args.only!r}", file=sys.stderr)
        return 2
    results: list[Result] = []
    args.workdir.mkdir(parents=True, exist_ok=True)
    with timer() as total:
        for name in modules:
            print(f"running {name} at scale {args.scale:,} …", flush=True)
            results.extend(run_module(name, args.scale, args.workdir))
    print(table(results))
    if not args.no_write:
        write_results(BENCH_DIR / "RESULTS.md", results, args.scale, total[0], keep_others=bool(args.only),
                      modules=modules)
        print(f"wrote {BENCH_DIR / 'RESULTS.md'}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
