"""The "missing fact" messages keep acronyms as written: 'Thẻ BHYT của …', never 'Thẻ bhyt' (issue 17)."""

from __future__ import annotations

from cannngheo_desktop.core.standards import conditions, indicators


class _Member:
    position = 2
    name = "Lê Thị Hoa"


def test_missing_member_fact_keeps_the_acronym_upper_case():
    path, text = indicators.member_missing(_Member(), "has_health_insurance")  # type: ignore[arg-type]
    assert path == "members[2].has_health_insurance"
    assert text == "Thẻ BHYT của Lê Thị Hoa"


def test_every_member_label_starts_upper_case_and_keeps_the_rest():
    for field, label in conditions.MEMBER_FIELD_LABELS.items():
        _path, text = indicators.member_missing(_Member(), field)  # type: ignore[arg-type]
        assert text == label[:1].upper() + label[1:] + " của Lê Thị Hoa"
