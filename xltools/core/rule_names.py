"""The one catalogue of scoring-rule names: rule id (English, a machine key) → Chinese name.

The engine records which rule scored each indicator as an id (``IndicatorResult.rule``); the
audit's candidate rules (:func:`xltools.core.scoring.candidate_scores`) use the same ids.
``--json`` keeps the id; every sheet, message and report shows :func:`rule_cn` of it.

Worked example (满意度指标 ``≧85%`` → ``80%``, 分值 10, scored 10 × 80 ÷ 85 = 9.41)::

    >>> rule_cn("positive")
    '正向比例'
    >>> rule_cn("reverse_ratio")
    '成本上限（反向，指标值÷实际值）'
    >>> rule_cn("no_such_rule")   # never an English id on a sheet
    '未知规则'
"""

from __future__ import annotations

# the rules that score an indicator row (IndicatorResult.rule)
INDICATOR_RULES_CN: dict[str, str] = {
    "positive": "正向比例",
    "reverse_ratio": "成本上限（反向，指标值÷实际值）",
    "reverse_linear": "成本上限（反向，线性递减）",
    "equal": "等于（按正向）",
    "zero": "零目标",
    "strict_gt": "严格大于",
    "strict_lt": "严格小于",
    "deadline": "完成期限",
    "qualitative": "定性分档",
    "five_grade": "五级评价",
    "not_applicable": "不适用",
    "unparsed": "无法识别",
    "not_comparable": "无法比较",
}

# further rules the audit compares a reported score with (candidate_scores)
CANDIDATE_RULES_CN: dict[str, str] = {
    "full": "满分",
    "zero_score": "零分",
    "budget_proportional": "分值×预算执行率",
}

RULE_NAMES_CN: dict[str, str] = {**INDICATOR_RULES_CN, **CANDIDATE_RULES_CN}

UNKNOWN_RULE_CN = "未知规则"


def rule_cn(rule: str | None) -> str:
    """The Chinese name of a rule id; ``""`` for none, :data:`UNKNOWN_RULE_CN` for an id not in
    the catalogue (a test keeps every id the engine produces in it)."""
    if not rule:
        return ""
    return RULE_NAMES_CN.get(rule, UNKNOWN_RULE_CN)
