"""Reports at scale (issue 6): batch household profiles and the detailed household list.

* 1,000 household profiles in one PDF, through the service (data read from SQLite + layout +
  canvas drawing): pages/s, target ≥ 60 pages/s. The baseline is a bare reportlab canvas that
  replays exactly the same drawing calls (recorded from the same profiles), so the ratio is
  the cost of reading the data and laying it out.
* The detailed list of ``scale`` households with members to Excel (write-only), through the
  service: ≤ 1.5× a bare openpyxl write-only workbook with the same cells, unstyled, fed by the
  same rows read the same way.

    python -m bench.bench_reports [scale]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from reportlab.pdfgen.canvas import Canvas

from cannngheo_desktop.documents import queries as rq
from cannngheo_desktop.documents.catalogue import build_report
from cannngheo_desktop.documents.context import ReportParams, make_context
from cannngheo_desktop.documents.profiles import profiles_for
from cannngheo_desktop.documents.render import pdf_base
from cannngheo_desktop.documents.render.household_list import household_rows
from cannngheo_desktop.documents.render.profile_pdf import (
    draw_profile,
    new_canvas,
    save_canvas,
    write_profiles,
)
from cannngheo_desktop.storage.db import open_db

from .common import Result, make_dataset, timer

PROFILES = 1000
MIN_PAGES_PER_S = 60.0
LIST_LIMIT = 1.5
_RECORDED = ("setFont", "drawString", "drawCentredString", "drawRightString", "line", "rect", "setFillGray",
             "setLineWidth", "showPage")


class _Recorder(Canvas):
    """A canvas that only records the drawing calls of the profiles."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ops: list[tuple[str, tuple, dict]] = []

    def __getattribute__(self, name: str) -> Any:
        if name in _RECORDED:
            ops = object.__getattribute__(self, "ops")
            return lambda *a, **k: ops.append((name, a, k))
        return object.__getattribute__(self, name)


def bench_profiles(db: Path, workdir: Path) -> Result:
    with open_db(db, create=False) as store:
        ids = rq.list_ids(store)[:PROFILES]
        ctx = make_context(store, ReportParams())
        out = workdir / "profiles.pdf"
        with timer() as t:
            pages = write_profiles(profiles_for(ctx, ids), out)
        recorder = _Recorder(str(workdir / "unused.pdf"), initialFontName=pdf_base.FONT)
        for profile in profiles_for(ctx, ids):
            draw_profile(recorder, profile)
    bare = new_canvas(workdir / "bare.pdf", "bare")
    with timer() as b:
        for name, args, kwargs in recorder.ops:
            getattr(bare, name)(*args, **kwargs)
        save_canvas(bare)
    rate = pages / t[0]
    return Result(f"{len(ids):,} household profiles in one PDF ({pages} pages)", b[0], t[0],
                  f"≥ {MIN_PAGES_PER_S:.0f} pages/s", rate >= MIN_PAGES_PER_S,
                  f"{rate:.0f} pages/s (bare canvas {pages / b[0]:.0f} pages/s)")


def _bare_list(db: Path, out: Path) -> int:
    """The same cells, unstyled, in a bare write-only workbook (same row reader)."""
    with open_db(db, create=False) as store:
        names = make_context(store, ReportParams()).unit_names()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("list")
        number = 0
        for chunk in rq.iter_list(store):
            for household, members in chunk:
                number += 1
                for values in household_rows(number, household, members, names):
                    ws.append(values)
        wb.save(out)
    return number


def bench_list(db: Path, workdir: Path, households: int) -> Result:
    with timer() as b:
        _bare_list(db, workdir / "bare-list.xlsx")
    with open_db(db, create=False) as store, timer() as t:
        build_report(store, "household-list", ReportParams(), workdir / "list.xlsx")
    ratio = t[0] / b[0]
    return Result(f"household list with members, {households:,} households (write-only xlsx)", b[0], t[0],
                  f"≤ {LIST_LIMIT}×", ratio <= LIST_LIMIT, "baseline: bare write-only, same cells and reader")


def run(scale: int, workdir: Path) -> list[Result]:
    """Both report benchmarks on the shared dataset of ``scale`` households."""
    workdir = Path(workdir)
    db = make_dataset(workdir, scale)
    out = workdir / "reports"
    out.mkdir(parents=True, exist_ok=True)
    return [bench_profiles(db, out), bench_list(db, out, scale)]


if __name__ == "__main__":  # pragma: no cover
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    for result in run(size, Path(__file__).resolve().parent / "work"):
        print(f"{result.name}: baseline {result.baseline_s:.2f}s, measured {result.measured_s:.2f}s, "
              f"ratio {result.ratio:.2f}× — {result.note} — {'ok' if result.ok else 'NOT MET'}")
