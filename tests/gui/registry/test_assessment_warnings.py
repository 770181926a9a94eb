"""The assessment panel warns about unconfirmed rules once, and only where they decided the result
(issue 17: the HN-2022 'chờ xác nhận' warning was on every assessment)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "core"))

from test_standards_helpers import household, ruleset, two_adults  # noqa: E402

from cannngheo_desktop.gui.registry.assessment_panel import AssessmentPanel  # noqa: E402

ON = date(2026, 6, 15)


def panel(qtbot) -> AssessmentPanel:
    p = AssessmentPanel([ruleset("VN-2022"), ruleset("HN-2022"), ruleset("VN-2027")], ON, province="01")
    qtbot.addWidget(p)
    p.resize(1366, 768)
    return p


def test_a_household_above_the_line_hears_no_unconfirmed_warning(qtbot) -> None:
    p = panel(qtbot)
    assert p.current.ruleset().code == "HN-2022"  # a Hà Nội commune: the city's own line first
    p.update_facts(household(3_500_000), two_adults(), "rural")
    text = p.current.result.text()
    assert p.evaluation().category == "not_poor"
    assert "⚠" not in text and "chờ xác nhận" not in text


def test_the_deciding_unconfirmed_indicator_is_marked_once(qtbot) -> None:
    p = panel(qtbot)
    p.current.combo.setCurrentIndex(p.current.combo.findData("VN-2022"))
    # 3 deprivations (water, latrine, information devices), every one unconfirmed, so each decided "poor"
    p.update_facts(household(1_000_000, water_source="surface", latrine="none", devices=[]), two_adults(), "rural")
    text = p.current.result.text()
    assert p.evaluation().category == "poor"
    assert text.count("Kết quả phụ thuộc 3 chỉ số chưa được xác nhận") == 1
    assert text.count("⚠ chưa xác nhận") == 3
    assert "Chỉ số '" not in text  # the long per-indicator sentences are not repeated on screen
