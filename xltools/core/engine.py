"""The engine: a :class:`Form` in, a :class:`FormResult` out — scores, totals, grade, findings.

    >>> from xltools.core.model import Form, Source          # an empty form is a blank template
    >>> result = evaluate(Form(Source("a.xlsx", "表1", "A1"), "national"))
    >>> result.total is None, [f.code for f in result.findings]
    (True, ['FORM_BLANK'])

总分 = 预算执行得分 + Σ 指标得分. A row the pack cannot score (an unclassified qualitative
actual, an unreadable value) counts with its reported score, so the recomputed total stays
comparable; the audit reports the row. Under a pack with execution caps (the provincial platform
pack) the total is capped by 执行率 (59 % → at most 69).

``evaluate`` never raises on content: anything it cannot compute becomes a finding.
"""

from __future__ import annotations

from dataclasses import replace

from decimal import Decimal

from .audit import audit
from .codes import severity_of
from .decimals import ZERO, round_half_up
from .model import Finding, Form, FormResult, FundsResult, IndicatorResult
from .rulepack import RulePack, load_rulepack
from .scoring import cell_number, execution, grade, score_indicator

BUDGET_LEVEL1 = "预算执行"


def _safe_indicator(ind, pack: RulePack) -> tuple[IndicatorResult | None, Finding | None]:
    try:
        return score_indicator(ind, pack), None
    except Exception as exc:  # a row the scorer cannot handle must not stop the form
        return None, Finding("SCORING_FAILED", severity_of("SCORING_FAILED"),  # type: ignore[arg-type]
                             f"“{ind.name}”无法计分（{type(exc).__name__}），该行未计入总分。",
                             indicator=ind.name, location=ind.source)


def _safe_funds(form: Form, pack: RulePack) -> tuple[FundsResult, list[Finding]]:
    try:
        return execution(form, pack), []
    except Exception as exc:
        empty = FundsResult(None, None, None, None, None, None, None)
        return empty, [Finding("SCORING_FAILED", severity_of("SCORING_FAILED"),  # type: ignore[arg-type]
                               f"项目资金无法计算（{type(exc).__name__}），执行率和预算执行得分未计。",
                               location=form.source)]


def _row_score(ir: IndicatorResult) -> Decimal | None:
    return ir.score if ir.score is not None else ir.reported_score


def subtotals(indicators: tuple[IndicatorResult, ...]) -> tuple[dict[str, Decimal], dict[str, Decimal], dict[str, Decimal]]:
    """(recomputed, reported, weights) per 一级指标, in form order, applicable rows only."""
    scores: dict[str, Decimal] = {}
    reported: dict[str, Decimal] = {}
    weights: dict[str, Decimal] = {}
    for ir in indicators:
        if not ir.applicable:
            continue
        key = ir.indicator.level1
        scores.setdefault(key, ZERO)
        reported.setdefault(key, ZERO)
        weights.setdefault(key, ZERO)
        scores[key] += _row_score(ir) or ZERO
        reported[key] += ir.reported_score or ZERO
        weights[key] += ir.weight or ZERO
    return scores, reported, weights


def total_score(funds: FundsResult, indicators: tuple[IndicatorResult, ...], pack: RulePack) -> Decimal | None:
    """预算执行得分 + Σ row scores, capped by the pack's 执行率 caps; None if nothing is scored."""
    parts = [s for s in (_row_score(ir) for ir in indicators if ir.applicable) if s is not None]
    if funds.score is not None:
        parts.append(funds.score)
    if not parts:
        return None
    total = sum(parts, ZERO)
    cap = pack.execution_cap(funds.execution_rate)
    if cap is not None:
        total = min(total, cap)
    return round_half_up(total, pack.score_places)


def is_unweighted(form: Form, indicators: tuple[IndicatorResult, ...]) -> bool:
    """A form without any 分值 or 得分 (Hunan county forms): nothing to add up.

    项目资金 | 年初预算数 | 全年预算数 | 全年执行数 | 执行率   (no 分值/得分 columns)
    产出指标 | 数量指标 | 新建水厂 | 2座 | 2座                (no 分值/得分 columns)
    → every row still says whether its target was met; no total, no grade.
    """
    if not form.reported_total.is_empty:
        return False
    if any(not cell.is_empty for row in form.funds for cell in (row.weight, row.score)):
        return False
    applicable = [ir for ir in indicators if ir.applicable]
    return bool(applicable) and all(ir.weight is None and ir.reported_score is None for ir in applicable)


def budget_unscored(form: Form, indicators: tuple[IndicatorResult, ...]) -> bool:
    """Budget execution not scored at all: the funds block has no 分值 or 得分 (nor a declared
    one) and the indicators' 分值 already add up to 100.

    计划投资额 570 | 实际到位资金 398.88 | 实际使用情况 395.86          (no 分值/得分)
    项目决策 20 + 项目管理 25 + 项目绩效 55 = 100
    → the pack's 10 points for budget execution are not added (the total stays out of 110).
    """
    if not form.funds or form.budget_weight_declared is not None:
        return False
    if any(not cell.is_empty for row in form.funds for cell in (row.weight, row.score)):
        return False
    weights = [ir.weight for ir in indicators if ir.applicable and ir.weight is not None]
    return bool(weights) and sum(weights, ZERO) == 100


def is_blank(form: Form) -> bool:
    """A form nobody has filled in yet (a fresh template sheet): no project, no amounts, no
    targets or actuals. Checking it would only list empty cells."""
    if not form.project.is_empty:
        return False
    if any(not c.is_empty for row in form.funds for c in (row.initial_budget, row.budget, row.executed)):
        return False
    return all(ind.target.is_empty and ind.actual.is_empty and ind.score.is_empty
               for ind in form.indicators)


def evaluate(form: Form, pack: RulePack | None = None) -> FormResult:
    """Score a form by the pack (national by default) and audit it."""
    pack = pack or load_rulepack()
    if is_blank(form):
        empty = FundsResult(None, None, None, None, None, None, None)
        return FormResult(form=form, funds=empty, indicators=(), findings=(Finding(
            "FORM_BLANK", severity_of("FORM_BLANK"),  # type: ignore[arg-type]
            "这是一张尚未填写的空白自评表（没有项目名称、金额和指标值），未做检查。",
            location=form.source),))
    funds, problems = _safe_funds(form, pack)
    results = []
    for ind in form.indicators:
        ir, problem = _safe_indicator(ind, pack)
        if ir is not None:
            results.append(ir)
        if problem is not None:
            problems.append(problem)
    indicators = tuple(results)
    unweighted = is_unweighted(form, indicators)
    if unweighted:
        funds = replace(funds, weight=None, score=None)
        problems.append(Finding(
            "FORM_UNWEIGHTED", severity_of("FORM_UNWEIGHTED"),  # type: ignore[arg-type]
            "表中没有分值和得分栏，只判断各指标是否完成，不计算得分、总分和等级。", location=form.source))
    if not unweighted and budget_unscored(form, indicators):
        funds = replace(funds, weight=None, score=None)
    scores, reported, weights = subtotals(indicators)
    if unweighted:
        scores, reported, weights = {}, {}, {}
    if form.funds and funds.weight is not None:
        scores[BUDGET_LEVEL1] = funds.score if funds.score is not None else ZERO
        reported[BUDGET_LEVEL1] = funds.reported_score if funds.reported_score is not None else ZERO
        weights[BUDGET_LEVEL1] = funds.weight
    total = total_score(funds, indicators, pack)
    result = FormResult(
        form=form, funds=funds, indicators=indicators, subtotals=scores,
        reported_subtotals=reported, weights=weights,
        reported_total=cell_number(form.reported_total), total=total,
        grade=grade(total, pack) or None,
    )
    problems = [_with_project(f, form) for f in problems]
    findings = list(form.read_findings) + problems + audit(result, pack)
    findings.sort(key=Finding.sort_key)
    return FormResult(**{**_fields(result), "findings": tuple(findings)})


def _with_project(finding: Finding, form: Form) -> Finding:
    return Finding(finding.code, finding.severity, finding.message, form.project_name,
                   finding.indicator, finding.location, finding.expected, finding.reported)


def _fields(result: FormResult) -> dict:
    return {name: getattr(result, name) for name in FormResult.__dataclass_fields__}
