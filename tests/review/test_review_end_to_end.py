"""A whole review round run through `cannngheo review …` (cli.main) on a real demo database file:
requests (from a household and from a village), survey, village meetings (one vote fails and the
village meets again), posting with its working-day calendar, a complaint, the decision, the
certificates and the close — with the posting list, minutes, decision, replies, certificates and
report read back from the files written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cannngheo_desktop.cli import main
from cannngheo_desktop.storage import open_db

UNIT = "00643"


def _text(path: Path) -> list[str]:
    """Each page's text with runs of white space made one space (lines wrap anywhere)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[list[str], Path]:
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.sqlite"
    secret = folder / "pw.txt"
    secret.write_text("thanhtri-2023\n", encoding="utf-8")
    assert main(["demo", "--db", str(db)]) == 0
    return ["--db", str(db), "--passphrase-file", str(secret)], db


def _households(db_args: list[str], db: Path) -> dict[str, dict]:
    """The unit's households by code, read straight from the file (the test's own view)."""
    from cannngheo_desktop.storage import cipher, keyslots

    cipher.remember(db, keyslots.unlock(db, "thanhtri-2023").key)
    with open_db(db, create=False) as store:
        rows = store.query("SELECT household_code, head_name, village, category FROM households "
                           "WHERE unit_code = ? AND deleted = 0", (UNIT,))
        return {r["household_code"]: dict(r) for r in rows}


def test_a_whole_round_from_the_command_line(demo, tmp_path, capsys):
    args, db = demo
    hh = _households(args, db)
    listed = {c for c, h in hh.items() if h["category"] in ("poor", "near_poor")}
    outsiders = sorted(set(hh) - listed)
    assert len(listed) >= 3 and len(outsiders) >= 2, "the demo unit must have listed and unlisted households"

    def run(*words: str) -> tuple[int, str, str]:
        code = main(["review", *words, *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, _ = run("create", "--year", "2026", "--ruleset", "VN-2027", "--unit", UNIT, "--date", "01/09/2026")
    assert code == 0 and f"{len(listed)} hộ trong danh sách" in out
    rid = re.search(r"Mã đợt: (\S+)", out).group(1)
    R = ["--round", rid]

    # 2. requests: one household files its own; a village head files for another of the village
    own, by_village = outsiders[0], outsiders[1]
    assert run("request", *R, "--household", own, "--by", hh[own]["head_name"], "--date", "10/09/2026")[0] == 0
    village = hh[by_village]["village"]
    code, out, _ = run("request", *R, "--household", by_village, "--village", village, "--by", "Nguyễn Văn Trưởng",
                       "--date", "11/09/2026")
    assert code == 0 and f"Trưởng {village}: Nguyễn Văn Trưởng" in out
    code, _, err = run("request", *R, "--household", "KHONG-CO", "--by", "X")
    assert code == 1 and "KHONG-CO" in err

    # 4 before 3 is refused, nothing written
    first_village = hh[sorted(listed)[0]]["village"]
    code, _, err = run("meeting", *R, "--village", first_village, "--attendees", "20", "--date", "01/10/2026")
    assert code == 1 and "chưa rà soát" in err

    # 3. survey and scoring of every household of the round
    code, out, _ = run("survey", *R, "--date", "20/09/2026", "--assessor", "Trần Rà Soát")
    assert code == 0 and f"Đã rà soát {len(listed) + 2} hộ; còn 0 hộ" in out

    # 4. village meetings: a vote under 50% sends the village back to the survey (exit 6)
    villages = sorted({hh[c]["village"] for c in listed | {own, by_village}})
    failing = villages[0]
    in_failing = sum(1 for c in listed | {own, by_village} if hh[c]["village"] == failing)
    code, out, _ = run("meeting", *R, "--village", failing, "--date", "05/10/2026", "--attendees", "30",
                       "--votes-for", "14", "--votes-against", "16", "--chair", "Lê Văn Chủ", "--secretary", "Ngô Thư")
    assert code == 6 and "dưới 50%" in out
    status = json.loads(run("status", *R, "--json")[1])
    assert status["summary"]["unsurveyed"] == in_failing
    assert run("survey", *R, "--village", failing, "--date", "06/10/2026")[0] == 0
    changed = next(c for c in sorted(listed) if hh[c]["village"] == villages[-1])
    for v in villages:
        extra = ["--change", f"{changed}=average:Có lương hưu từ 2026"] if v == villages[-1] else []
        code, _, _ = run("meeting", *R, "--village", v, "--date", "07/10/2026", "--attendees", "30",
                         "--votes-for", "15", "--chair", "Lê Văn Chủ", "--secretary", "Ngô Thư", *extra)
        assert code == 0  # exactly half agrees: passes
    minutes = tmp_path / "bien-ban.pdf"
    assert run("minutes", *R, "--out", str(minutes))[0] == 0
    pages = "\n".join(_text(minutes))
    assert pages.count("BIÊN BẢN HỌP DÂN") == len(villages) + 1
    assert "nhất trí 14/30" in pages and "dưới 50%" in pages and "nhất trí 15/30" in pages
    assert f"Hộ {hh[changed]['head_name']}:" in pages and "họp dân hộ có mức sống trung bình (Có lương hưu từ 2026)" \
        in pages
    assert "Lê Văn Chủ" in pages and "Ngô Thư" in pages

    # 5. posting: Fri 09/10/2026, Mon 12/10 declared a holiday → Tue 13, Wed 14, Thu 15
    posting = tmp_path / "niem-yet.xlsx"
    code, out, _ = run("posting", *R, "--start", "09/10/2026", "--holidays", "2026-10-12", "--out", str(posting))
    assert code == 0 and "đến hết 15/10/2026" in out
    assert "12/10/2026  ngày nghỉ lễ, không tính" in out and "15/10/2026  ngày làm việc 3/3" in out
    cells = [str(c) for row in load_workbook(posting).active.iter_rows(values_only=True) for c in row if c]
    posted = {c for c in listed | {own, by_village} if c != changed}
    for c in posted:
        assert hh[c]["head_name"] in cells
    assert hh[changed]["head_name"] not in cells
    assert not any(re.fullmatch(r"\d{12}", c) for c in cells), "ID numbers must be masked on the posting list"

    # complaints: a neighbour complains about the village's request; decision blocked until resolved
    assert run("complaint", *R, "--household", by_village, "--by", "Hàng xóm", "--text", "Hộ có xe ô tô",
               "--date", "13/10/2026")[0] == 0
    code, _, err = run("decide", *R, "--number", "12/QĐ-UBND", "--date", "20/10/2026")
    assert code == 1 and "khiếu nại chưa giải quyết" in err
    assert run("resolve", *R, "--household", by_village, "--outcome", "Phúc tra: thu nhập trên chuẩn",
               "--category", "not_poor", "--date", "16/10/2026")[0] == 0
    code, _, err = run("decide", *R, "--number", "12/QĐ-UBND", "--date", "14/10/2026")
    assert code == 1 and "hết niêm yết" in err

    # 6. decision with its lists and the written reply to the refused request
    decision, replies = tmp_path / "qd.pdf", tmp_path / "tra-loi.pdf"
    code, _, _ = run("decide", *R, "--number", "12/QĐ-UBND", "--date", "20/10/2026", "--out", str(decision),
                     "--replies", str(replies))
    assert code == 0
    text = "\n".join(_text(decision))
    assert "QUYẾT ĐỊNH" in text and "Số: 12/QĐ-UBND" in text
    exit_list = "DANH SÁCH HỘ THOÁT CẬN NGHÈO" if hh[changed]["category"] == "near_poor" else "DANH SÁCH HỘ THOÁT NGHÈO"
    exit_page = next(p for p in _text(decision) if exit_list in p)
    assert hh[changed]["head_name"] in exit_page
    assert hh[by_village]["head_name"] not in text  # refused: answered in writing, not in the decision
    assert hh[by_village]["head_name"] in "\n".join(_text(replies))

    # 8 before 7 is refused; 7. certificates; 8. close with the report
    code, _, err = run("close", *R, "--date", "25/10/2026")
    assert code == 1 and "chưa được cấp giấy chứng nhận" in err
    certificates = tmp_path / "gcn.pdf"
    code, out, _ = run("certificates", *R, "--date", "21/10/2026", "--out", str(certificates),
                       "--signer", "Nguyễn Văn Ký")
    got = _text(certificates)
    assert code == 0 and len(got) == len(posted) - 1
    assert all("Nguyễn Văn Ký" in p for p in got) and "001/GCN-HN.HCN" in got[0]
    report = tmp_path / "bao-cao.xlsx"
    code, out, _ = run("close", *R, "--date", "25/10/2026", "--report", str(report))
    assert code == 0 and report.is_file()
    sheet = [str(c) for row in load_workbook(report).active.iter_rows(values_only=True) for c in row if c]
    assert "BÁO CÁO KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO" in sheet
    assert any("quyết định số 12/QĐ-UBND ngày 20/10/2026" in c for c in sheet)
    status = json.loads(run("status", *R, "--json")[1])
    assert status["round"]["status"] == "closed"
    assert all(s["status"] == "done" for s in status["round"]["steps"].values())
    # a 2026 round under the 2027–2030 ruleset: Decree 351/2025's procedure was not found → unconfirmed
    assert status["deadlines"]["decision"] == {**status["deadlines"]["decision"], "due": "2026-12-14",
                                               "confirmed": False}
    assert status["deadlines"]["posting"]["due"] == "2026-10-15"
    reprint = tmp_path / "gcn-in-lai.pdf"  # a closed round still reprints its certificates, numbers unchanged
    assert run("certificates", *R, "--out", str(reprint))[0] == 0 and _text(reprint) == got
    code, _, err = run("complaint", *R, "--household", own, "--by", "X", "--text", "Y")
    assert code == 1 and "đã có quyết định" in err


def test_every_review_command_documents_its_exit_codes(capsys):
    for words in (["review"], ["review", "overdue"], ["review", "survey"], ["review", "meeting"]):
        try:
            code = main([*words, "--help"])
        except SystemExit as done:  # argparse's own exit, when the entry does not turn it into a code
            code = done.code
        assert code == 0
        text = capsys.readouterr().out
        assert "Mã thoát" in text and "review overdue`: 1 = có đề nghị quá hạn" in text
        assert " 5  `review survey`" in text and " 6  `review meeting`" in text


def _fingerprint(db: Path) -> tuple:
    with open_db(db, create=False) as store:
        return (store.scalar("SELECT count(*) FROM audit_log"), store.scalar("SELECT count(*) FROM review_items"),
                store.scalar("SELECT count(*) FROM review_meetings"), store.scalar("SELECT count(*) FROM reviews"))


def test_bad_input_is_refused_in_vietnamese_and_changes_nothing(demo, capsys):
    args, db = demo
    hh = _households(args, db)
    assert main(["review", "create", "--year", "2025", "--ruleset", "VN-2022", "--unit", "00646",
                 "--date", "01/09/2025", *args]) == 0
    rid = re.search(r"Mã đợt: (\S+)", capsys.readouterr().out).group(1)
    with open_db(db, create=False) as store:
        own_code = store.scalar("SELECT household_code FROM households WHERE unit_code = '00646' AND deleted = 0 "
                                "ORDER BY household_code LIMIT 1")
    before = _fingerprint(db)
    other_unit = next(iter(hh))  # a household of 00643: not of this round's unit
    cases = [
        (["survey", "--date", "32/13/2025"], "--date"),
        (["meeting", "--village", "Thôn 4", "--attendees", "-5"], "Số người dự họp"),
        (["meeting", "--village", "Không Có", "--attendees", "10"], "Không Có"),
        (["request", "--household", other_unit, "--by", "X"], other_unit),
        (["complaint", "--household", "TTR-00646-9999", "--by", "X", "--text", "Y"], "TTR-00646-9999"),
        (["decide", "--number", "  ", "--date", "01/12/2025"], "số quyết định"),
        (["close"], "quyết định công nhận"),
        (["request", "--household", own_code, "--by", "x" * 201], "quá giới hạn 200"),
        (["add", "--household", own_code, "--note", "y" * 1001], "quá giới hạn 1000"),
        (["posting", "--start", "01/10/2025", "--holidays", "2025-13-01"], "--holidays"),
    ]
    for words, named in cases:
        code = main(["review", *words, "--round", rid, *args])
        err = capsys.readouterr().err
        assert code == 1, (words, err)
        assert err.startswith("Lỗi: ") and named in err and "Traceback" not in err, (words, err)
    assert main(["review", "meeting", "--village", "Thôn 4", "--attendees", "10", "--change", "bad", "--round", rid,
                 *args]) == 1
    assert "MÃ_HỘ=phân_loại:lý do" in capsys.readouterr().err
    assert _fingerprint(db) == before


def test_a_household_invalid_at_the_survey_date_is_not_scored(demo, capsys):
    """Shared validation at the survey date: a member born after it blocks scoring (exit 5),
    the other households are recorded."""
    from cannngheo_desktop.storage import households as hh_repo

    args, db = demo
    assert main(["review", "create", "--year", "2025", "--ruleset", "VN-2022", "--unit", "00649",
                 "--date", "01/09/2025", *args]) == 0
    rid = re.search(r"Mã đợt: (\S+)", capsys.readouterr().out).group(1)
    with open_db(db, create=False) as store:
        listed = store.query("SELECT h.id, h.household_code, h.head_name FROM review_items i JOIN households h "
                             "ON h.id = i.household_id WHERE i.review_id = ? ORDER BY h.household_code", (rid,))
        assert len(listed) >= 2
        bad = dict(listed[0])
        member = hh_repo.get_members(store, bad["id"])[0]
        hh_repo.update_member(store, member["id"], {"birth_date": "2025-11-20"})
    code = main(["review", "survey", "--round", rid, "--date", "20/09/2025", *args])
    out = capsys.readouterr().out
    assert code == 5
    assert f"Chưa chấm điểm: {bad['head_name']}" in out and "20/11/2025" in out and "20/09/2025" in out
    assert f"Đã rà soát {len(listed) - 1} hộ; còn 1 hộ chưa rà soát" in out
