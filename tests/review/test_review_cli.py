"""`cannngheo review …` on a real commune database: create, list, status, decide, certificates."""

from __future__ import annotations

from datetime import date

from pypdf import PdfReader

from cannngheo_desktop.cli import main
from cannngheo_desktop.review import rounds as rv
from cannngheo_desktop.review import settings as review_settings


def test_review_commands_walk_a_round(commune, tmp_path, capsys):
    store, _ids = commune
    db = str(store.path)
    assert main(["review", "create", "--db", db, "--year", "2026", "--ruleset", "VN-2027", "--date", "02/11/2026"]) == 0
    out = capsys.readouterr().out
    assert "5 hộ trong danh sách" in out
    review_id = rv.list_rounds(store)[0]["id"]
    assert main(["review", "decide", "--db", db, "--round", review_id, "--number", "9/QĐ", "--date", "04/12/2026"]) == 1
    assert "5 hộ chưa rà soát" in capsys.readouterr().err
    for item in rv.items(store, review_id):
        rv.record_survey(store, item["id"], phieu_a_result="continue", on=date(2026, 11, 5))
    assert main(["review", "decide", "--db", db, "--round", review_id, "--number", "9/QĐ", "--date", "04/12/2026"]) == 0
    out = capsys.readouterr().out
    assert "Chuyển từ hộ nghèo sang cận nghèo: 2" in out and "Thoát cận nghèo: 1" in out
    pdf = tmp_path / "gcn.pdf"
    assert main(["review", "certificates", "--db", db, "--round", review_id, "--date", "07/12/2026",
                 "--out", str(pdf)]) == 0
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 4 and "001/GCN-HN.HCN" in reader.pages[0].extract_text()
    assert "chưa có tên người ký" in capsys.readouterr().out
    # --signer stores the name (audited) and prints it under the signature, on reprints too
    signed = tmp_path / "gcn-ky.pdf"
    assert main(["review", "certificates", "--db", db, "--round", review_id, "--date", "07/12/2026",
                 "--out", str(signed), "--signer", "  Trần   Văn Ký "]) == 0
    assert "chưa có tên người ký" not in capsys.readouterr().out
    assert review_settings.signer_name(store) == "Trần Văn Ký"
    assert store.scalar("SELECT after FROM audit_log WHERE table_name = 'settings' AND row_id = ? "
                        "ORDER BY id DESC LIMIT 1", (review_settings.SIGNER_SETTING,)) == "Trần Văn Ký"
    pages = [p.extract_text() for p in PdfReader(str(signed)).pages]
    assert len(pages) == 4 and all("Trần Văn Ký" in t for t in pages)
    assert "Trần Văn Ký" not in PdfReader(str(pdf)).pages[0].extract_text()
    again = tmp_path / "gcn-lai.pdf"
    assert main(["review", "certificates", "--db", db, "--round", review_id, "--out", str(again)]) == 0
    assert "Trần Văn Ký" in PdfReader(str(again)).pages[0].extract_text()
    assert main(["review", "status", "--db", db, "--round", review_id]) == 0
    assert "Quyết định công nhận" in capsys.readouterr().out
    assert main(["review", "list", "--db", db]) == 0
    assert "VN-2027" in capsys.readouterr().out
