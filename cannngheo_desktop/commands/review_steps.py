"""The middle steps of `cannngheo review`: requests, survey and scoring, village meetings,
public posting, complaints, printing the minutes and the decision, closing the round.
(Parsers are registered in commands/review.py; this module holds what each step runs.)"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from ..core.errors import AppError, ValidationError
from ..core.model import CATEGORY_LABELS
from ..core.text import format_date, parse_vn_date
from ..review import calendar, decisions
from ..review import meetings as rm
from ..review import outcome as rd
from ..review import rounds as rv
from ..review import settings as review_settings
from ..review import worklists as rw
from ..storage import open_db
from . import db_path

EXIT_NOT_ALL = 5  # survey: some households could not be scored (listed); the others were recorded
EXIT_VOTE_FAILED = 6  # meeting: under 50% agreed; minutes kept, the village's households go back to the survey


def day_arg(text: str | None, name: str) -> date:
    """A dd/mm/yyyy option (today when absent); a ValidationError naming the option."""
    if not text:
        return date.today()
    try:
        return parse_vn_date(text)
    except ValueError as exc:
        raise ValidationError(f"--{name}: {exc}.", field=name) from None


def _category(text: str, option: str) -> str:
    if text not in decisions.FINAL_CHOICES:
        choices = ", ".join(f"{c} ({CATEGORY_LABELS[c]})" for c in decisions.FINAL_CHOICES)
        raise ValidationError(f"{option}: phân loại '{text}' không hợp lệ; chọn một trong: {choices}.", field=option)
    return text


def _label(code: str | None) -> str:
    return CATEGORY_LABELS.get(code or "", "chưa xác định").lower()


def run_request(args: argparse.Namespace) -> int:
    by = args.by
    with open_db(db_path(args), create=False) as store:
        rnd = rv.get_round(store, args.round)
        found = [rw.find_household(store, code, rnd["unit_code"]) for code in args.household]
        if args.village:
            stray = [h for h in found if (h["village"] or "") != args.village]
            if stray:
                raise ValidationError(f"Hộ {stray[0]['head_name']} không ở {args.village}; đề nghị do thôn lập "
                                      "chỉ gồm hộ của thôn đó.", field="household")
            by = f"Trưởng {args.village}: {args.by}"
        for hh in found:
            item = rv.record_request(store, args.round, hh["id"], request_date=day_arg(args.date, "date"),
                                     request_by=by, request_kind=args.kind)
            print(f"Đã ghi giấy đề nghị của hộ {item['head_name']} ({decisions.REQUEST_KINDS[args.kind].lower()}), "
                  f"người nộp: {by}.")
    return 0


def run_add(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False) as store:
        rnd = rv.get_round(store, args.round)
        hh = rw.find_household(store, args.household, rnd["unit_code"])
        item = rv.add_item(store, args.round, hh["id"], reason="manual", note=args.note)
    print(f"Đã bổ sung hộ {item['head_name']} vào danh sách rà soát.")
    return 0


def run_survey(args: argparse.Namespace) -> int:
    result = "screened_out" if args.screened_out else "continue"
    on = day_arg(args.date, "date")
    failed: list[str] = []
    with open_db(db_path(args), create=False) as store:
        if args.household:
            chosen = [rw.item_of(store, args.round, code) for code in args.household]
        else:
            chosen = [i for i in rv.unsurveyed(store, args.round)
                      if args.village is None or (i.get("village") or "") == args.village]
        if not chosen:
            print("Không còn hộ nào chưa rà soát" + (f" ở {args.village}." if args.village else "."))
        for item in chosen:
            try:
                done = rv.record_survey(store, item["id"], phieu_a_result=result, on=on, assessor=args.assessor)
            except AppError as exc:
                failed.append(f"{item['head_name']} ({item.get('household_code') or ''}): {exc.message}")
                continue
            ev = done.get("evaluation")
            extra = f", thiếu hụt {ev.deprivation_count} chỉ số" if ev is not None else " (loại qua Phiếu A)"
            print(f"{done['household_code'] or ''}  {done['head_name']}: đề xuất {_label(done['proposed_category'])}"
                  f"{extra}")
        left = len(rv.unsurveyed(store, args.round))
    print(f"Đã rà soát {len(chosen) - len(failed)} hộ; còn {left} hộ chưa rà soát.")
    for line in failed:
        print(f"Chưa chấm điểm: {line}")
    return EXIT_NOT_ALL if failed else 0


def _changes(store, review_id: str, pairs: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    results, notes = {}, {}
    for pair in pairs:
        code, sep, rest = pair.partition("=")
        category, _sep, note = rest.partition(":")
        if not sep or not code.strip():
            raise ValidationError(f"--change '{pair}': hãy ghi dạng MÃ_HỘ=phân_loại:lý do.", field="change")
        item = rw.item_of(store, review_id, code.strip())
        results[item["id"]] = _category(category.strip(), "--change")
        notes[item["id"]] = note.strip()
    return results, notes


def run_meeting(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False) as store:
        results, notes = _changes(store, args.round, args.change or [])
        meeting = rm.record_meeting(
            store, args.round, village=args.village, meeting_date=day_arg(args.date, "date"),
            attendees=args.attendees, agreed=args.agreed or "", results=results, notes=notes,
            votes_for=args.votes_for, votes_against=args.votes_against, chair=args.chair, secretary=args.secretary)
        path = None
        if args.out:
            from ..documents.review_round import write_round_minutes
            path = write_round_minutes(store, args.round, args.out, village=args.village)
    if not meeting["passed"]:
        print(f"Biểu quyết không đạt: {meeting['votes_for']}/{meeting['attendees']} người nhất trí (dưới 50%). "
              f"Đã lưu biên bản; các hộ của {args.village} trở lại danh sách cần rà soát, sau đó họp dân lại.")
    else:
        print(f"Đã ghi biên bản họp dân {args.village} ngày {format_date(meeting['meeting_date'])}, "
              f"{meeting['attendees']} người dự.")
    if path:
        print(f"Đã ghi biên bản vào {path}")
    return 0 if meeting["passed"] else EXIT_VOTE_FAILED


def run_posting(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False) as store:
        if args.holidays is not None:
            try:
                review_settings.set_holidays(store, calendar.parse_holidays(args.holidays))
            except ValueError as exc:
                raise ValidationError(f"--holidays: {exc}.", field="holidays") from None
        rnd = rv.set_posting(store, args.round, day_arg(args.start, "start"))
        days = rw.posting_calendar(store, args.round)
        path = None
        if args.out:
            from ..documents.review_round import write_posting
            fmt = "pdf" if args.out.suffix.lower() == ".pdf" else "xlsx"
            path = write_posting(store, args.round, args.out, date.fromisoformat(rnd["posting_start"]), fmt)
        count = len(rv.posting_households(store, args.round))
    print(f"Niêm yết {count} hộ từ {format_date(rnd['posting_start'])} đến hết {format_date(rnd['posting_end'])} "
          f"({rnd.get('posting_days') or calendar.DEFAULT_POSTING_DAYS} ngày làm việc):")
    weekdays = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
    for day, what in days:
        print(f"  {weekdays[day.weekday()]:<9} {day.strftime('%d/%m/%Y')}  {what}")
    if path:
        print(f"Đã ghi danh sách niêm yết vào {path}")
    return 0


def run_complaint(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False) as store:
        item = rw.item_of(store, args.round, args.household)
        rv.record_complaint(store, item["id"], complaint_date=day_arg(args.date, "date"), by=args.by, text=args.text)
    print(f"Đã ghi khiếu nại về hộ {item['head_name']}; cần kiểm tra lại và ghi kết quả (review resolve).")
    return 0


def run_resolve(args: argparse.Namespace) -> int:
    category = _category(args.category, "--category") if args.category else None
    with open_db(db_path(args), create=False) as store:
        item = rw.item_of(store, args.round, args.household)
        done = rv.resolve_complaint(store, item["id"], on=day_arg(args.date, "date"), outcome=args.outcome,
                                    category=category)
    print(f"Đã giải quyết khiếu nại về hộ {done['head_name']}: kết quả {_label(done['final_category'])}.")
    return 0


def run_minutes(args: argparse.Namespace) -> int:
    from ..documents.review_round import write_round_minutes

    with open_db(db_path(args), create=False) as store:
        path = write_round_minutes(store, args.round, args.out, village=args.village)
    print(f"Đã ghi biên bản họp dân vào {path}")
    return 0


def write_decision_papers(store, review_id: str, out: Path | None, replies: Path | None) -> None:
    """After `review decide`: the decision PDF and the written replies, when asked."""
    from ..documents.render.refusal_pdf import write_replies
    from ..documents.review_round import write_round_decision

    if out:
        print(f"Đã ghi quyết định vào {write_round_decision(store, review_id, out)}")
    if replies:
        records = rw.refusal_records(store, review_id)
        if records:
            print(f"Đã ghi {len(records)} văn bản trả lời vào {write_replies(records, replies)}")
        else:
            print("Không có đề nghị nào bị từ chối: không có văn bản trả lời để in.")


def run_close(args: argparse.Namespace) -> int:
    with open_db(db_path(args), create=False) as store:
        on = day_arg(args.date, "date")
        path = None
        if args.report:
            from ..documents.review_round import write_round_report
            fmt = "pdf" if args.report.suffix.lower() == ".pdf" else "xlsx"
            path = write_round_report(store, args.round, args.report, on, fmt)
        rd.close_round(store, args.round, on=on)
        summary = rd.round_summary(store, args.round)
    print(f"Đã kết thúc đợt rà soát: {summary['households']} hộ, {summary['certificates']} giấy chứng nhận, "
          f"{summary['refused']} văn bản trả lời.")
    if path:
        print(f"Đã ghi báo cáo kết quả vào {path}")
    return 0
