"""Reasons of saved assessments: bulk runs save verdicts only; the reason texts are rebuilt from
the saved inputs under the ruleset definition the assessment was made with (its fingerprint)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ..core.errors import NotFoundError, RulesetError
from ..core.standards import Ruleset, evaluate, fingerprint, parse_ruleset
from ..core.standards.compare import STATUS_WORDS
from .db import Store
from .rulesets import get_ruleset

NO_RULES_REASON = ("Không dựng lại được lý do: bộ chuẩn {code} đã được sửa sau lần đánh giá này và "
                   "phiên bản cũ không còn trong cơ sở dữ liệu. Kết quả đã lưu vẫn giữ nguyên.")
DIFFERENT_REASON = ("Không dựng lại được lý do: phiên bản chương trình này tính chỉ số này khác với lúc "
                    "đánh giá ({now}). Kết quả đã lưu vẫn giữ nguyên.")


def with_reasons(store: Store, row: dict[str, Any]) -> dict[str, Any]:
    """A decoded assessment whose every indicator has a ``reason``.

    Assessments saved one at a time keep their reasons. Bulk runs save only the verdicts; their
    reasons are rebuilt here by evaluating the saved inputs under the definition the
    assessment was made with (``ruleset_hash``: the current definition, or an earlier one from
    the audit log). A reason is only shown when the rebuilt verdict equals the saved one;
    otherwise the text says why there is none. The saved verdicts are never changed."""
    results = row.get("results") or []
    if all(r.get("reason") is not None for r in results):
        return row
    inputs = row.get("inputs") or {}
    ruleset = ruleset_for_hash(store, row["ruleset_code"], row.get("ruleset_hash"))
    again: dict[str, Any] = {}
    if ruleset is not None and isinstance(inputs.get("household"), dict):
        household = inputs["household"]
        try:
            ev = evaluate(household, inputs.get("members") or [], ruleset, date.fromisoformat(row["assessed_on"]),
                          household.get("area_type") or "")
            again = {r.code: r for r in ev.indicators}
        except (RulesetError, ValueError):
            again = {}
    for r in results:
        if r.get("reason") is not None:
            continue
        rebuilt = again.get(r.get("code"))
        if ruleset is None:
            r["reason"] = NO_RULES_REASON.format(code=row["ruleset_code"])
        elif rebuilt is not None and rebuilt.status == r.get("status"):
            r["reason"] = rebuilt.reason
        else:
            now = STATUS_WORDS.get(rebuilt.status, rebuilt.status) if rebuilt else "không có chỉ số này"
            r["reason"] = DIFFERENT_REASON.format(now=f"nay tính ra: {now}")
    return row


_BY_HASH: dict[tuple[str, str], Ruleset] = {}  # (code, fingerprint) → parsed: content-addressed, never stale


def ruleset_for_hash(store: Store, code: str, wanted: str | None) -> Ruleset | None:
    """The ruleset ``code`` as it was when its definition had fingerprint ``wanted`` (None: the
    current one). Earlier definitions come from the audit log of administrator edits and bundle
    updates (each keeps the text before and after); None if none matches."""
    if wanted is not None and (known := _BY_HASH.get((code, wanted))) is not None:
        return known  # a printed batch of profiles asks for the same few definitions again and again
    try:
        current = get_ruleset(store, code)
    except NotFoundError:
        return None
    if wanted is None:
        return current
    if current.fingerprint == wanted:
        return _remember(code, wanted, current)
    texts = store.query(  # local edits and replaced replicas (audit_log), and edits at the sender (replica_audit)
        "SELECT a.before, a.after FROM audit_log a JOIN rulesets r ON r.id = a.row_id "
        "WHERE a.table_name = 'rulesets' AND a.field = 'definition' AND r.code = ? "
        "UNION ALL SELECT a.before, a.after FROM replica_audit a JOIN rulesets r ON r.id = a.row_id "
        "WHERE a.table_name = 'rulesets' AND a.field = 'definition' AND r.code = ?", (code, code))
    for row in texts:
        for text in (row["before"], row["after"]):
            try:
                definition = json.loads(text) if text else None
                if isinstance(definition, dict) and fingerprint(definition) == wanted:
                    return _remember(code, wanted, parse_ruleset(definition))
            except (ValueError, RulesetError):
                continue
    return None


def _remember(code: str, wanted: str, ruleset: Ruleset) -> Ruleset:
    if len(_BY_HASH) > 64:
        _BY_HASH.clear()
    _BY_HASH[(code, wanted)] = ruleset
    return ruleset
