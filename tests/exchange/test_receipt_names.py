"""File names built from unit codes, periods and numbers that come from outside (issue 15, point 6):
a crafted unit code cannot name a file outside the chosen folder, whatever the manifest parser
checked before (file_names is safe on its own)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from cannngheo_desktop.exchange import export, file_names, importer, receipts
from cannngheo_desktop.exchange.envelope import Sealed
from cannngheo_desktop.exchange.errors import BundleError
from cannngheo_desktop.exchange.manifest import Manifest
from tests.exchange.bundle_helpers import COMMUNE, OFFICE, PASS

BAD_UNITS = ["../../x", "..", "CON", "NUL", "a/b", "a\\b", "C:x", "", "123456", "00640\n", " 00640",
             "\u0660\u0660\u0666\u0664\u0660",    # Arabic-Indic digits
             "\uff10\uff10\uff16\uff14\uff10",    # full-width digits
             "0064\u0000", None, 640, ["00640"]]
BAD_PERIODS = ["2026-1", "2026-13", "2026-00", "2026-01\n", "\uff12\uff10\uff12\uff16-01", "../..", "2026/01",
               "", None, 202601]
BAD_SEQUENCES = [0, -1, 2**63, True, "1", 1.0, None]


def _manifest(**changes: object) -> Manifest:
    base = Manifest(bundle_id="b", kind="receipt", sender_unit=OFFICE, sender_key_id="0" * 16,
                    recipient_unit=COMMUNE, recipient_key_id="1" * 16, period="2026-03", sequence=4,
                    prev_sha256=None, created_at="2026-04-01T01:00:00Z", app_version="1", schema_version=1,
                    ephemeral_public_key="", nonce="", payload_size=0, payload_sha256="0" * 64, rows={})
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _sealed(**changes: object) -> Sealed:
    return Sealed(manifest=_manifest(**changes), manifest_bytes=b"", signature=b"", payload=b"", sha256="0" * 64)


def test_a_good_receipt_name() -> None:
    assert receipts.receipt_file_name(_sealed()) == f"bien-nhan-{COMMUNE}-2026-03-4.cnb"
    assert export.bundle_file_name(COMMUNE, "2026-03", 4) == f"{COMMUNE}-2026-03-4.cnb"
    assert export.bundle_file_name(f"{OFFICE}-{COMMUNE}", "2026-03", 4) == f"{OFFICE}-{COMMUNE}-2026-03-4.cnb"


@pytest.mark.parametrize("unit", BAD_UNITS, ids=repr)
def test_crafted_unit_codes_are_refused(unit: object, tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="mã đơn vị") as info:
        receipts.receipt_file_name(_sealed(recipient_unit=unit))
    assert "Không đặt được tên tệp" in info.value.message and "Traceback" not in info.value.message
    with pytest.raises(BundleError):
        file_names.bundle_name(unit, "2026-03", 4)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("unit", ["../../x", "a/b", "CON", "..\\x"])
def test_reference_bundle_names_check_both_codes(unit: str) -> None:
    with pytest.raises(BundleError, match="mã đơn vị"):
        export.bundle_file_name(f"{OFFICE}-{unit}", "2026-03", 4)


@pytest.mark.parametrize("period", BAD_PERIODS, ids=repr)
def test_crafted_periods_are_refused(period: object) -> None:
    with pytest.raises(BundleError, match="kỳ"):
        receipts.receipt_file_name(_sealed(period=period))


@pytest.mark.parametrize("sequence", BAD_SEQUENCES, ids=repr)
def test_crafted_sequences_are_refused(sequence: object) -> None:
    with pytest.raises(BundleError, match="số thứ tự"):
        receipts.receipt_file_name(_sealed(sequence=sequence))


def test_every_accepted_name_stays_in_its_folder(tmp_path: Path) -> None:
    """Whatever passes is one plain file name: joined to a folder it resolves inside it."""
    for unit in ("0", "00640", "99999"):
        for period in ("2026-01", "0000-12"):
            for sequence in (1, 2**63 - 1):
                name = receipts.receipt_file_name(_sealed(recipient_unit=unit, period=period, sequence=sequence))
                assert Path(name).name == name and (tmp_path / name).resolve().parent == tmp_path.resolve()
                assert set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-.")


def test_a_real_import_writes_its_receipt_inside_the_chosen_folder(pair, tmp_path: Path) -> None:
    pair.add_households(2)
    path = export.export_bundle(pair.commune, "2026-01", pair.outbox, PASS)
    folder = tmp_path / "bien-nhan"
    folder.mkdir()
    result = importer.apply_bundle(pair.office, path, PASS, receipt_dir=folder)
    assert result.status == "applied", result.message
    assert [p.name for p in folder.iterdir()] == [f"bien-nhan-{COMMUNE}-2026-01-1.cnb"]
    assert result.receipts == [folder / f"bien-nhan-{COMMUNE}-2026-01-1.cnb"]

