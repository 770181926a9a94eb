"""Render every document of the report catalogue from the demo database, so anyone can look.

    .venv/bin/python tools/document_gallery.py --out /tmp/gallery [--no-png] [--only CODE] [--dpi 60]

Builds the demo database (the 2023 plan of the former Thanh Trì district, year in progress) in a
temporary folder, then writes each report of ``documents.catalogue`` in every format it has, for
the district and for one commune (Đại Áng, 00679), plus the 2026 reports (names after the 2025
merger). PDFs are turned into PNG pages with ``pdftoppm`` (poppler) at 60 dpi; xlsx files into
PDF and PNG with LibreOffice headless when ``soffice`` is on PATH. ``index.txt`` lists every
output. Exit codes: 0 all written, 1 bad arguments, 2 some documents failed (listed).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cannngheo_desktop.demo import build as demo  # noqa: E402
from cannngheo_desktop.documents.catalogue import list_reports  # noqa: E402
from cannngheo_desktop.documents.context import ReportParams  # noqa: E402
from cannngheo_desktop.storage import open_db  # noqa: E402
from cannngheo_desktop.storage.db import Store  # noqa: E402

COMMUNE = "00679"  # Đại Áng
PROFILE = "TTR-00679-0001"


@dataclass
class Job:
    """One document to render: report code, a file stem and its parameters."""

    code: str
    stem: str
    params: ReportParams
    formats: tuple[str, ...] = ()
    outputs: list[Path] = field(default_factory=list)


def jobs() -> list[Job]:
    """Every report in every format: district-wide 2023, one commune 2023, and 2026 for the
    reports whose unit names change with the merger."""
    out: list[Job] = []
    for spec in list_reports():
        base = ReportParams(year=2023, on=date(2023, 12, 31))
        if spec.code == "household-profile":
            out.append(Job(spec.code, spec.code, ReportParams(household=PROFILE, on=date(2023, 12, 31)), spec.formats))
            continue
        if spec.code == "household-profiles":
            out.append(Job(spec.code, f"{spec.code}-{COMMUNE}",
                           ReportParams(unit_code=COMMUNE, year=2023, category="poor_or_near_poor"), spec.formats))
            continue
        if spec.code == "movements":
            base = ReportParams(year=2023, start=date(2023, 1, 1), on=date(2023, 12, 31))
        out.append(Job(spec.code, spec.code, base, spec.formats))
        if "unit" in spec.params:
            commune = ReportParams(**{**base.__dict__, "unit_code": COMMUNE})
            out.append(Job(spec.code, f"{spec.code}-{COMMUNE}", commune, spec.formats))
    for code in ("movements", "groups", "support"):
        out.append(Job(code, f"{code}-2026", ReportParams(year=2026, start=date(2026, 1, 1), on=date(2026, 3, 31)),
                       ("pdf",)))
    return out


def build_demo(folder: Path) -> Path:
    path = folder / "demo.sqlite"
    with open_db(path, user=demo.ADMIN_NAME) as store:
        demo.build_demo(store, year_in_progress=True)
    return path


def render(store: Store, job: Job, out_dir: Path) -> list[str]:
    """Write ``job`` in each of its formats; returns the error messages (empty when all went well)."""
    from cannngheo_desktop.core.errors import AppError
    from cannngheo_desktop.documents.catalogue import get_report

    errors = []
    spec = get_report(job.code)
    for fmt in job.formats or spec.formats:
        target = out_dir / f"{job.stem}.{fmt}"
        try:
            job.outputs.append(spec.build(store, job.params, target, fmt))
        except AppError as exc:
            errors.append(f"{target.name}: {exc}")
    return errors


def to_png(path: Path, png_dir: Path, dpi: int = 60) -> list[Path]:
    """PNG pages of a PDF (pdftoppm) or of an xlsx (LibreOffice → PDF → pdftoppm) when available."""
    pdf = path
    if path.suffix == ".xlsx":
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if not soffice:
            return []
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(png_dir), str(path)],
                       check=False, capture_output=True, timeout=120)
        pdf = png_dir / (path.stem + ".pdf")
        if not pdf.exists():
            return []
        stem = f"{path.stem}-xlsx"
    else:
        stem = path.stem
    if not shutil.which("pdftoppm"):
        return []
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(png_dir / stem)], check=False,
                   capture_output=True, timeout=300)
    return sorted(png_dir.glob(f"{stem}*.png"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Vẽ mọi văn bản, báo cáo từ dữ liệu mẫu ra PDF, xlsx và PNG. "
                                     "Mã thoát: 0 xong, 1 tham số sai, 2 có văn bản lỗi.")
    parser.add_argument("--out", type=Path, required=True, help="thư mục kết quả (tạo nếu chưa có)")
    parser.add_argument("--no-png", action="store_true", help="không tạo ảnh PNG")
    parser.add_argument("--only", default=None, help="chỉ các báo cáo có mã chứa chuỗi này")
    parser.add_argument("--dpi", type=int, default=60, choices=range(20, 301), metavar="20..300",
                        help="độ phân giải ảnh PNG (mặc định 60)")
    args = parser.parse_args(argv)
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    png_dir = out_dir / "png"
    png_dir.mkdir(exist_ok=True)
    errors: list[str] = []
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="gallery-") as tmp:
        db = build_demo(Path(tmp))
        with open_db(db, create=False) as store:
            for job in jobs():
                if args.only and args.only not in job.stem:
                    continue
                errors += render(store, job, out_dir)
                for path in job.outputs:
                    pngs = [] if args.no_png else to_png(path, png_dir, args.dpi)
                    lines.append(f"{path.name}\t{len(pngs)} PNG")
    (out_dir / "index.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for line in errors:
        print(line, file=sys.stderr)
    print(f"{len(lines)} tệp trong {out_dir}" + (f", {len(errors)} lỗi" if errors else ""))
    return 2 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
