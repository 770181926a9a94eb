"""The certificate a chairman signs: unit names in sentences, the address as of its date, no
draft mark, the issuing commune in the date line (read back with pypdf)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pypdf import PdfReader

from cannngheo_desktop.documents.render.certificate_pdf import address_as_of, write_certificates


def _cert(day: str, unit: str) -> dict:
    return {"number": "05/GCN", "date": day, "category": "near_poor", "head_name": "Nguyễn Văn Đức",
            "ethnicity": "Kinh", "cccd": "001091712981", "address": "Số 92, Thôn 1, Xã Đại Áng, huyện Thanh Trì, Hà Nội",
            "members": [{"full_name": "Nguyễn Văn Đức", "birth_date": "1980-02-03", "relation": "head",
                         "cccd": "001091712981"}, {"full_name": "Lê Thị Hoa", "birth_date": "1982-05-06",
                                                   "relation": "spouse", "cccd": ""}],
            "validity_year": int(day[:4]), "unit_name": unit, "decision_no": "12/QĐ-UBND",
            "decision_date": day, "signer_name": "Trần Văn Bình"}


def _text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)


def test_certificate_after_the_merger(tmp_path: Path) -> None:
    text = _text(write_certificates([_cert("2026-03-02", "Xã Ngọc Hồi")], tmp_path / "gcn.pdf"))
    assert "Ủy ban nhân dân xã Ngọc Hồi chứng nhận" in text  # "xã" in lower case mid-sentence
    assert "của Ủy ban nhân dân xã Ngọc Hồi" in text and "Ủy ban nhân dân Xã" not in text
    assert "Nơi cư trú: Số 92, Thôn 1, xã Ngọc Hồi (xã Đại Áng cũ), Hà Nội" in text
    assert "Thanh Trì" not in text  # the district was abolished on 1/7/2025
    assert "Ngọc Hồi, ngày 02 tháng 03 năm 2026" in text
    assert "DỰ THẢO" not in text and "chờ xác nhận" not in text
    assert "Trang 1/1" in text


def test_certificate_before_the_merger_keeps_the_address() -> None:
    address = "Số 92, Thôn 1, Xã Đại Áng, Huyện Thanh Trì, Hà Nội"
    kept = "Số 92, Thôn 1, xã Đại Áng, huyện Thanh Trì, Hà Nội"  # unit kinds lower case inside the text
    assert address_as_of(address, "Xã Đại Áng", date(2023, 3, 1)) == kept
    assert address_as_of(address, "Xã Ngọc Hồi", date(2025, 6, 30)) == kept
    assert address_as_of("Tổ 5, Phường Tương Mai", "", None) == "Tổ 5, phường Tương Mai"
    assert address_as_of(address, "Xã Ngọc Hồi", date(2025, 7, 1)) == "Số 92, Thôn 1, xã Ngọc Hồi (xã Đại Áng cũ), Hà Nội"
