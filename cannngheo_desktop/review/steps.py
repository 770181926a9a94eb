"""The steps of a review round and their status, kept as JSON in ``reviews.steps``.

A round walks list → survey → meeting → posting → complaints → decision → certificates →
report. Each step is ``{"status": "todo"|"doing"|"done", "date": iso or None}``. Steps may be
revisited (a complaint re-opens the survey of one household), so marking a step never refuses;
only the decision checks its preconditions (review/outcome.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STEPS: tuple[str, ...] = ("list", "survey", "meeting", "posting", "complaints", "decision",
                          "certificates", "report")
STEP_LABELS: dict[str, str] = {
    "list": "Lập danh sách",
    "survey": "Điều tra, rà soát",
    "meeting": "Họp dân",
    "posting": "Niêm yết công khai",
    "complaints": "Giải quyết khiếu nại",
    "decision": "Quyết định công nhận",
    "certificates": "Cấp giấy chứng nhận",
    "report": "Báo cáo kết quả",
}
STATUS_LABELS: dict[str, str] = {"todo": "Chưa làm", "doing": "Đang làm", "done": "Đã xong"}
KIND_LABELS: dict[str, str] = {"annual": "Rà soát định kỳ (hằng năm)", "ongoing": "Rà soát thường xuyên"}


def initial_steps() -> dict[str, dict[str, Any]]:
    """Every step to do, nothing dated."""
    return {step: {"status": "todo", "date": None} for step in STEPS}


def normalised(steps: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """``steps`` with every known step present (older or partial JSON is completed)."""
    out = initial_steps()
    for step, value in (steps or {}).items():
        if step in out and isinstance(value, Mapping):
            out[step] = {"status": value.get("status") or "todo", "date": value.get("date")}
    return out


def mark(steps: Mapping[str, Any] | None, step: str, status: str, on: str | None) -> dict[str, dict[str, Any]]:
    """A copy of ``steps`` with ``step`` set to ``status`` on ``on`` (ISO date). Marking a step
    ``done`` also marks the earlier steps that were still to do as done (the round moved on)."""
    if step not in STEPS:
        raise ValueError(f"unknown review step {step!r}")
    if status not in STATUS_LABELS:
        raise ValueError(f"unknown step status {status!r}")
    out = normalised(steps)
    out[step] = {"status": status, "date": on}
    if status == "done":
        for earlier in STEPS[:STEPS.index(step)]:
            if out[earlier]["status"] != "done":
                out[earlier] = {"status": "done", "date": out[earlier]["date"] or on}
    return out


def current_step(steps: Mapping[str, Any] | None) -> str:
    """The first step not yet done ("report" when all are done)."""
    norm = normalised(steps)
    return next((s for s in STEPS if norm[s]["status"] != "done"), STEPS[-1])
