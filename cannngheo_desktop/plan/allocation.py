"""Plan arithmetic: proposing per-unit targets and the near-poor rate (pure Python)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal


def allocate(total_target: int, baselines: Mapping[str, int], to_zero: set[str] | frozenset[str]
             ) -> dict[str, int]:
    """Propose per-unit reductions that sum to ``total_target`` (largest remainder method).

    Units in ``to_zero`` get their whole baseline; what is left is spread over the other units in
    proportion to their baselines, never above a unit's baseline. Ties of the remainder go to the
    larger baseline, then to the unit listed first. Raises ValueError (Vietnamese message) when
    the target cannot be met: negative numbers, unknown "to zero" units, a target below what the
    "to zero" units need, or above all near-poor households together.
    """
    if total_target < 0:
        raise ValueError(f"Chỉ tiêu giảm ({total_target}) không được âm.")
    negative = [u for u, b in baselines.items() if b < 0]
    if negative:
        raise ValueError(f"Số hộ đầu năm không được âm (đơn vị {', '.join(negative)}).")
    unknown = sorted(set(to_zero) - set(baselines))
    if unknown:
        raise ValueError(f"Đơn vị phấn đấu về 0 không có trong kế hoạch: {', '.join(unknown)}.")
    zero_need = sum(baselines[u] for u in to_zero)
    if zero_need > total_target:
        raise ValueError(
            f"Chỉ tiêu chung {total_target} hộ nhỏ hơn số hộ cận nghèo của các đơn vị phấn đấu về 0 "
            f"({zero_need} hộ). Hãy tăng chỉ tiêu chung hoặc bỏ bớt đơn vị phấn đấu về 0.")
    others = [u for u in baselines if u not in to_zero]
    capacity = sum(baselines[u] for u in others)
    rest = total_target - zero_need
    if rest > capacity:
        raise ValueError(
            f"Chỉ tiêu chung {total_target} hộ lớn hơn tổng số hộ cận nghèo đầu năm "
            f"({zero_need + capacity} hộ); không thể phân bổ.")
    result = {u: (baselines[u] if u in to_zero else 0) for u in baselines}
    if rest == 0:
        return result
    # Exact integer arithmetic: quota = rest * baseline / capacity.
    remainders = []
    for order, u in enumerate(others):
        whole, remainder = divmod(rest * baselines[u], capacity)
        result[u] = whole
        remainders.append((-remainder, -baselines[u], order, u))
    left = rest - sum(result[u] for u in others)
    for _, _, _, u in sorted(remainders)[:left]:
        result[u] += 1
    return result


def rate_percent(count: int | None, total: int | None) -> float | None:
    """``count / total * 100`` rounded half-up to 2 decimals (the appendix's "Tỉ lệ");
    None when the total is unknown or zero."""
    if count is None or not total:
        return None
    value = (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(value)
