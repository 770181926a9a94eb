"""Screenshots of the user guide (resources/guide/img/*.png), made from the demo database so they
stay current: `python tools/guide_screenshots.py [--out FOLDER]`.

Everything runs offscreen at 1366×768 in a temporary folder: the demo office (the former Thanh
Trì district, `demo.build.build_demo`), and one commune (Xã Tả Thanh Oai) that creates its keys,
exchanges key cards with the office, exports its monthly bundle, which the office then imports.
Nothing outside the temporary folder is touched except the PNG files written to --out.
Exit code 0 when every picture was written, 1 otherwise (the message names the step).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (1366, 768)
MAX_BYTES = 200 * 1024
COMMUNE, OFFICE = "00649", "020"
PASSPHRASE = "cum-mat-khau-mau-2023"


def _wait(app, done: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    import time

    end = time.monotonic() + seconds
    while not done():
        app.processEvents()
        if time.monotonic() > end:
            raise RuntimeError(f"quá thời gian chờ: {what}")
        time.sleep(0.02)
    for _ in range(5):
        app.processEvents()


def _save(widget, out: Path, name: str, app) -> Path:
    """Grab a widget as PNG; palette-reduced (8-bit) when that keeps it under MAX_BYTES."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage

    for _ in range(5):
        app.processEvents()
    image = widget.grab().toImage()
    target = out / name
    image.save(str(target), "PNG", 9)
    if target.stat().st_size > MAX_BYTES:
        flags = Qt.ImageConversionFlag.AvoidDither | Qt.ImageConversionFlag.ThresholdDither
        image.convertToFormat(QImage.Format.Format_Indexed8, flags).save(str(target), "PNG", 9)
    if target.stat().st_size > MAX_BYTES:
        raise RuntimeError(f"{name}: {target.stat().st_size} byte, quá {MAX_BYTES}")
    print(f"  {name}: {widget.width()}×{widget.height()}, {target.stat().st_size // 1024} KB")
    return target


def _context(store, user_name: str, *, demo: bool):
    from cannngheo_desktop.gui.shell.context import AppContext
    from cannngheo_desktop.gui.shell.tasks import TaskRunner
    from cannngheo_desktop.storage import installation

    user = {"name": user_name, "full_name": "Cán bộ giảm nghèo"}
    return AppContext(db_path=store.path, store=store, installation=installation.current(store), user=user,
                      tasks=TaskRunner(store.path, user=user_name), demo=demo)


def _window(ctx, app):
    from cannngheo_desktop.gui.shell.main_window import MainWindow

    window = MainWindow(ctx)
    window.resize(*SIZE)
    window.show()
    app.processEvents()
    return window


def _commune_households(count: int) -> list[tuple[dict, list[dict]]]:
    import random

    rng = random.Random(2023)
    surnames = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ")
    middles = ("Văn", "Thị", "Đức", "Minh", "Thanh")
    given = ("An", "Bình", "Cúc", "Dũng", "Hà", "Hùng", "Lan", "Mai", "Nam", "Tâm", "Thảo")
    items = []
    for i in range(count):
        head = f"{rng.choice(surnames)} {rng.choice(middles)} {rng.choice(given)}"
        hh = {"unit_code": COMMUNE, "village": f"Thôn {1 + i % 5}", "household_code": f"TTO-{i + 1:04d}",
              "income_month": 1_400_000 + 25_000 * i, "devices": ["tv"], "floor_area_m2": 32.0}
        members = [{"full_name": head, "relation": "head", "birth_date": f"{1960 + i}-03-15",
                    "has_health_insurance": True}]
        items.append((hh, members))
    return items


def make_shots(out: Path, work: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from cannngheo_desktop.demo import build as demo
    from cannngheo_desktop.exchange import export, keycard, keys, roster
    from cannngheo_desktop.gui.exchange import passphrase_dialog
    from cannngheo_desktop.gui.shell import errors, files, qt_vi
    from cannngheo_desktop.gui.shell.setup_dialog import SetupDialog
    from cannngheo_desktop.storage import households, installation, open_db

    app = QApplication.instance() or QApplication([sys.argv[0]])
    qt_vi.install(app)
    os.environ["CANNGHEO_DATA_DIR"] = str(work / "data")
    out.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    cheap = keys.KdfParams(n=2**8, r=8, p=1)  # pictures only: the key's strength does not show
    passphrase_dialog.ask_passphrase = lambda *a, **k: PASSPHRASE  # type: ignore[assignment]

    def no_message_box(box) -> int:  # offscreen nobody answers a message box: stop with its text
        raise RuntimeError(f"hộp thoại bất ngờ: {box.text()}")

    errors.present = no_message_box  # type: ignore[assignment]

    # -- first start: the setup dialog --------------------------------------------------------------
    fresh = open_db(work / "moi.sqlite", user="quantri")
    setup = SetupDialog(fresh)
    setup.ui.unitCombo.setCurrentIndex(max(setup.ui.unitCombo.findData("00664"), 0))
    setup.adjustSize()
    setup.show()
    shots.append(_save(setup, out, "thiet-lap.png", app))
    setup.hide()  # close() would ask "Thoát mà không thiết lập?"
    setup.deleteLater()
    fresh.close()

    # -- the office: demo data, keys --------------------------------------------------------------
    office = open_db(work / "phong.sqlite", lock=True, user=demo.ADMIN_NAME)
    demo.build_demo(office, year_in_progress=True)
    keys.init_keys(office, PASSPHRASE, kdf=cheap)
    commune = open_db(work / "xa.sqlite", lock=True, user="canbo")
    installation.initialize(commune, role="commune", unit_code=COMMUNE, receiving_unit_code=OFFICE,
                            admin_name="canbo", admin_password="mat-khau-xa-2023")
    keys.init_keys(commune, PASSPHRASE, kdf=cheap)
    cards = work / "the-khoa"
    cards.mkdir()
    keycard.write_card(keycard.own_card(commune), cards / "xa.json")
    keycard.write_card(keycard.own_card(office), cards / "phong.json")
    roster.trust_card(office, cards / "xa.json")
    roster.trust_card(commune, cards / "phong.json")
    households.add_households(commune, _commune_households(14))

    # -- the commune: exchange tab, export dialog, the bundle ---------------------------------------
    usb = work / "usb"
    usb.mkdir()
    ctx = _context(commune, "canbo", demo=False)
    window = _window(ctx, app)
    tab = window.ui.tabs.widget(3)
    window.ui.tabs.setCurrentWidget(tab)
    shots.append(_save(window, out, "xuat-goi.png", app))
    files.choose_folder = lambda *a, **k: usb  # type: ignore[assignment]
    dialog = tab.open_export()
    _wait(app, lambda: dialog.preview is not None, "xem trước gói tháng")
    shots.append(_save(dialog, out, "xuat-goi-hop-thoai.png", app))
    dialog.close()
    previous = tab.period
    export.export_bundle(commune, previous, usb, PASSPHRASE)
    window.close()
    ctx.close()

    # -- the office: every tab, then the import ------------------------------------------------------
    ctx = _context(office, demo.ADMIN_NAME, demo=True)
    window = _window(ctx, app)
    window.ui.tabs.setCurrentIndex(0)
    shots.append(_save(window, out, "ho-gia-dinh.png", app))
    households_tab = window.ui.tabs.widget(0)
    households_tab.view.selectRow(0)
    editor = households_tab.edit_household(households_tab.selected_id())
    if editor is not None:
        editor.resize(1240, 680)
        shots.append(_save(editor, out, "phieu-ho.png", app))
        editor.close()
    plans = window.ui.tabs.widget(1)
    window.ui.tabs.setCurrentWidget(plans)
    plans.pages.setCurrentWidget(plans.support)
    shots.append(_save(window, out, "ho-tro.png", app))
    reports = window.ui.tabs.widget(2)
    window.ui.tabs.setCurrentWidget(reports)
    reports.select("household-profiles")
    shots.append(_save(window, out, "in-ho-so.png", app))
    window.ui.tabs.setCurrentIndex(4)
    shots.append(_save(window, out, "ra-soat.png", app))
    exchange = window.ui.tabs.widget(3)
    window.ui.tabs.setCurrentWidget(exchange)
    files.choose_open_files = lambda *a, **k: sorted(usb.glob("*.cnb"))  # type: ignore[assignment]
    imported = exchange.import_files()
    if imported is None:
        raise RuntimeError("không có gói nào trong thư mục USB mẫu")
    imported.resize(1100, 620)
    _wait(app, lambda: imported.apply_button.isEnabled(), "kiểm tra gói")
    shots.append(_save(imported, out, "nhap-goi-hop-thoai.png", app))
    imported.apply_button.click()
    _wait(app, lambda: imported.applied, "áp dụng gói")
    imported.close()
    exchange.refresh()
    shots.append(_save(window, out, "nhap-goi.png", app))
    exchange.grid.resize(exchange.grid.width(), exchange.grid.sizeHint().height())
    shots.append(_save(exchange.grid, out, "bang-theo-doi.png", app))
    window.show_guide("chu-ky-thang.md")  # not index.md, which shows this very picture
    assert window.help_window is not None
    window.help_window.resize(*SIZE)
    shots.append(_save(window.help_window, out, "huong-dan.png", app))
    window.close()
    ctx.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "guide" / "img",
                        help="thư mục ghi ảnh (mặc định resources/guide/img)")
    args = parser.parse_args(argv)
    print(f"Ảnh chụp hướng dẫn ({date.today():%d/%m/%Y}) → {args.out}")
    with tempfile.TemporaryDirectory(prefix="anh-huong-dan-") as tmp:
        try:
            shots = make_shots(args.out, Path(tmp))
        except Exception as exc:  # a tool: name the failed step, no traceback for the user
            print(f"Lỗi: {exc}", file=sys.stderr)
            return 1
    print(f"Đã ghi {len(shots)} ảnh.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
