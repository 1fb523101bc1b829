"""Every finding code xltools raises: code → (severity, Chinese title).

The readers (``ROW_REALIGNED``, ``LEVEL1_INFERRED``, ``FORM_INCOMPLETE``), the file reader
(``NO_FORM``), the batch pipeline (``READ_FAILED``), the engine and the audit all register their
codes here; the catalogue with triggers and a one-row example for each is ``docs/findings.md``
(``tests/test_robust_codes.py`` keeps the three in step with the source).

    >>> CODES["WEIGHTS_NOT_100"]
    ('error', '分值合计不等于100')
    >>> CODES["NO_FORM"]
    ('error', '文件中没有找到绩效自评表')
"""

from __future__ import annotations

CODES: dict[str, tuple[str, str]] = {
    # indicator scores
    "MISSED_TARGET_FULL_SCORE": ("error", "未完成指标值却得满分"),
    "SCORE_OUTSIDE_BAND": ("error", "定性指标得分不在档次区间内"),
    "SCORE_MISMATCH": ("warning", "报告得分与规则得分不一致"),
    "SCORE_ABOVE_WEIGHT": ("error", "得分超过分值"),
    "SCORE_MISSING": ("warning", "缺少得分"),
    "DEDUCTION_WITHOUT_REASON": ("warning", "扣分但未说明偏差原因"),
    "OVER_ACHIEVEMENT": ("info", "完成值远超指标值"),
    "UNIT_MISMATCH": ("warning", "指标值与完成值单位不一致"),
    "VALUE_UNPARSED": ("warning", "指标值或完成值无法识别"),
    "ACTUAL_NOT_COMPARABLE": ("warning", "完成值无法与指标值比较"),
    "QUALITATIVE_UNCLASSIFIED": ("warning", "定性完成情况无法归档"),
    "MIXED_RULES": ("warning", "同类指标计分规则不一致"),
    "SUSPICIOUS_PERCENT": ("warning", "百分比超过100%"),
    "NA_ROW_WEIGHTED": ("warning", "不适用的指标仍有分值"),
    "INDICATOR_DEVIATION": ("warning", "指标偏离（平台规则扣分）"),
    # weights and structure
    "WEIGHTS_NOT_100": ("error", "分值合计不等于100"),
    "LEVEL1_WEIGHTS_NONSTANDARD": ("info", "一级指标权重与50/30/10/10不同"),
    "LEVEL1_DECLARED_WEIGHT_MISMATCH": ("warning", "一级指标标注分值与明细合计不符"),
    "LEVEL1_INFERRED": ("info", "一级指标为空，已按二级指标推断"),
    "WEIGHTS_NOT_WRITTEN": ("info", "表中没有指标分值栏，未核对分值合计"),
    # totals and grade
    "TOTAL_SUM_MISMATCH": ("error", "总分不等于各项得分之和"),
    "TOTAL_MISMATCH": ("warning", "总分与重算结果不一致"),
    "TOTAL_MISSING": ("warning", "缺少总分"),
    "TOTAL_ABOVE_CAP": ("warning", "总分超过按执行率确定的上限（平台规则）"),
    "GRADE_MISMATCH": ("error", "评价等级与总分不符"),
    # funds
    "EXEC_RATE_MISMATCH": ("error", "执行率与预算数、执行数不符"),
    "BUDGET_SCORE_MISMATCH": ("error", "预算执行得分与执行率不符"),
    "FUNDS_MISSING": ("warning", "无法计算执行率"),
    "FUNDS_SUBROWS_MISMATCH": ("warning", "资金明细之和不等于年度资金总额"),
    "FUNDS_TOTAL_RECOMPUTED": ("warning", "年度资金总额为空或为0，已按明细重算"),
    "LOW_EXECUTION_NO_REASON": ("warning", "执行率低于90%且未说明原因"),
    "MONEY_IN_YUAN": ("info", "资金以元填报，已换算为万元"),
    # cells
    "FORMULA_NOT_CALCULATED": ("warning", "公式单元格没有计算结果"),
    # engine
    "CHECK_FAILED": ("warning", "某项检查未能完成"),
    "SCORING_FAILED": ("error", "无法计分"),
    "FORM_UNWEIGHTED": ("info", "表中没有分值和得分，只判断是否完成"),
    "FORM_BLANK": ("info", "空白自评表，未检查"),
    # reading (readers, files, pipeline)
    "ROW_REALIGNED": ("info", "资金行单元格多于表头，已重新对齐"),
    "FUNDS_ROW_SHIFTED": ("info", "资金行比表头长，已按与执行率相符的读法读取"),
    "FORM_INCOMPLETE": ("error", "自评表不完整"),
    "DEPARTMENT_WIDE_FORM": ("info", "部门整体支出绩效自评表，不是项目"),
    "NO_FORM": ("error", "文件中没有找到绩效自评表"),
    "SHEET_TOO_LARGE": ("warning", "工作表已用区域过大，已跳过"),
    "SHEET_UNREADABLE": ("error", "工作表或表格无法读取"),
    "CELL_TEXT_TOO_LONG": ("warning", "单元格文字过长，已截断"),
    "FILE_TOO_LARGE": ("error", "文件超过读取上限，已拒绝读取"),
    "READER_CRASHED": ("error", "读取该文件时读取程序异常退出"),
    "SUMMARY_SKIPPED": ("info", "部门汇总工作簿，不是自评表，已跳过"),
    "READ_FAILED": ("error", "文件无法读取"),
    # across the forms of a batch (xltools.core.batch)
    "DUPLICATE_FORM": ("warning", "同一项目的自评表出现多次"),
}

# Codes raised with a severity that depends on the case; CODES holds the most severe one.
# FORM_INCOMPLETE is an error without an indicator block, a warning when only the project name
# or the funds block is missing.
SEVERITY_VARIES = frozenset({"FORM_INCOMPLETE"})


def severity_of(code: str) -> str:
    """The registered severity of a code (``warning`` for a code not registered yet)."""
    return CODES.get(code, ("warning", ""))[0]


def title_of(code: str) -> str:
    return CODES.get(code, ("", code))[1]
