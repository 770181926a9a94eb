"""From a decided category to the household's event, and which outcomes are refusals."""

from __future__ import annotations

from ..core.model import AVERAGE, NEAR_POOR, NOT_POOR, POOR, UNDETERMINED

LISTED = frozenset({POOR, NEAR_POOR})
FINAL_CHOICES = (POOR, NEAR_POOR, AVERAGE, NOT_POOR)
REQUEST_KINDS = {"recognise": "Đề nghị công nhận hộ nghèo/cận nghèo", "exit": "Đề nghị công nhận thoát nghèo/cận nghèo"}
REASON_LABELS = {"current": "Đang là hộ nghèo/cận nghèo", "request": "Có giấy đề nghị",
                 "manual": "Bổ sung (có lý do)"}
PHIEU_A = {"continue": "Tiếp tục rà soát (Phiếu B)", "screened_out": "Loại qua Phiếu A (không thuộc diện)"}


def event_kind(before: str | None, after: str | None) -> str | None:
    """The household_events kind a decision writes when a household goes from ``before`` to
    ``after`` (None when the listed status does not change)."""
    if after is None or after == UNDETERMINED or before == after:
        return None
    if before == POOR:
        return {NEAR_POOR: "poor_to_near_poor"}.get(after, "exited_poverty")
    if before == NEAR_POOR:
        return {POOR: "near_poor_to_poor"}.get(after, "exited_near_poverty")
    return {POOR: "became_poor", NEAR_POOR: "became_near_poor"}.get(after)


def final_category(item: dict) -> str | None:
    """What the round decides for one item: the re-checked category of a resolved complaint,
    else the village meeting's agreed category, else the survey's proposal."""
    for key in ("complaint_category", "meeting_result", "proposed_category"):
        value = item.get(key)
        if value:
            return value
    return None


def is_refusal(item: dict, final: str | None) -> bool:
    """A request the decision does not grant: recognition asked but not listed, or exit asked
    but still listed."""
    kind = item.get("request_kind")
    if kind == "recognise":
        return final not in LISTED
    if kind == "exit":
        return final in LISTED and final == item.get("previous_category")
    return False


def next_category_after(before: str | None, final: str) -> str:
    """The category the household keeps after the decision (NOT_POOR when it left the list
    without a better-known band)."""
    if final in FINAL_CHOICES:
        return final
    return before or NOT_POOR
