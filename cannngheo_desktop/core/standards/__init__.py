"""Poverty standards as data (rulesets) and the evaluator that applies them.

Public API: ``Ruleset``, ``parse_ruleset``, ``check_overlap``, ``set_parameter``,
``load_definition_file``, ``load_definitions_dir``, ``evaluate``, ``Evaluation``,
``IndicatorResult``, ``area_type_for_unit_kind``, ``age_on``, ``Comparison``, ``explain_change``.
"""

from ..errors import RulesetError
from .compare import ChangedHousehold, Comparison, explain_change
from .evaluator import Evaluation, IndicatorResult, age_on, area_type_for_unit_kind, evaluate, present_members
from .indicators import DEPRIVED, NOT_DEPRIVED, UNDETERMINED
from .ruleset import (
                        IndicatorDef,
                        Ruleset,
                        check_overlap,
                        current_and_next,
                        fingerprint,
                        load_definition_file,
                        load_definitions_dir,
                        parse_ruleset,
                        set_parameter,
)

__all__ = [
    "DEPRIVED", "NOT_DEPRIVED", "UNDETERMINED", "ChangedHousehold", "Comparison", "Evaluation",
    "IndicatorDef", "IndicatorResult", "Ruleset", "RulesetError", "age_on", "area_type_for_unit_kind",
    "check_overlap", "current_and_next", "evaluate", "explain_change", "fingerprint", "load_definition_file", "load_definitions_dir",
    "parse_ruleset", "present_members", "set_parameter",
]
