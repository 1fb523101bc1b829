"""The audit: one small check per rule, each ``check_xxx(result, pack) -> list[Finding]``.

A check reads a scored :class:`FormResult` and says what is wrong with the form as filed, in
Chinese, pointing at the offending cell. ``audit(result, pack)`` runs every check in
:data:`CHECKS`. The catalogue of codes is ``docs/findings.md`` (and :mod:`xltools.core.codes`).
Every docstring shows a form row (一级 | 二级 | 三级 | 指标值 | 完成值 | 分值 | 得分 | 偏差原因)
and the finding it raises.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .codes import severity_of
from .decimals import HUNDRED, ZERO, fmt
from .model import Cell, Finding, FormResult, IndicatorResult, Source
from .rule_names import rule_cn
from .rulepack import RulePack
from .scoring import (
    band_of, cell_number, comparable, effective_operator, grade, in_band, is_blank_note,
    is_deviation, keywords_pattern, matching_rules, total_row_needs_recompute, totals_from_subrows,
    unit_note,
)


# --------------------------------------------------------------------------------------------
# helpers


def _loc(*items: Cell | Source | None) -> Source | None:
    for item in items:
        source = item.source if isinstance(item, Cell) else item
        if source is not None:
            return source
    return None


def _finding(code: str, result: FormResult, message: str, *, ir: IndicatorResult | None = None,
             location: Source | None = None, expected: str = "", reported: str = "") -> Finding:
    return Finding(code=code, severity=severity_of(code), message=message,  # type: ignore[arg-type]
                   project=result.project, indicator=ir.indicator.name if ir else "",
                   location=location, expected=expected, reported=reported)


def _pct(rate: Decimal | None) -> str:
    return "" if rate is None else fmt(rate * HUNDRED, 2) + "%"


def _scored_rows(result: FormResult) -> tuple[IndicatorResult, ...]:
    """Applicable rows that carry a 分值 (a dozen checks ask in turn: worked out once per result)."""
    last = _SCORED[0]
    if last is not None and last[0] is result:
        return last[1]
    rows = tuple(ir for ir in result.indicators if ir.applicable and ir.weight is not None)
    _SCORED[0] = (result, rows)  # holds the (immutable) result, so its id stays its own
    return rows


_SCORED: list[tuple[FormResult, tuple[IndicatorResult, ...]] | None] = [None]



def _name(ir: IndicatorResult) -> str:
    return f"“{ir.indicator.name}”"


def _row(ir: IndicatorResult) -> str:
    return f"（指标值 {ir.target.text or '空'}，实际完成值 {ir.actual.text or '空'}）"


# --------------------------------------------------------------------------------------------
# indicator scores


def check_missed_full_score(result: FormResult, pack: RulePack) -> list[Finding]:
    """A missed quantitative target must not get full marks.

    满意度指标 | 服务对象满意度指标 | 群众满意度 | ≧85% | 80% | 10 | 10 | /
    → MISSED_TARGET_FULL_SCORE (error) at the 得分 cell: 未完成指标值…却得满分 10；按“正向比例”应得 9.41 分。
    """
    out = []
    for ir in _scored_rows(result):
        # full marks: the whole 分值 (9.96 of 10 is a deduction), not what the rule gives anyway
        if ir.met is False and ir.reported_score is not None and ir.weight > 0 and \
                ir.reported_score >= ir.weight and (
                    ir.score is None or abs(ir.reported_score - ir.score) > pack.tol_score):
            out.append(_finding(
                "MISSED_TARGET_FULL_SCORE", result,
                f"{_name(ir)}未完成指标值{_row(ir)}，却得满分 {fmt(ir.reported_score)}；"
                f"按“{rule_cn(ir.rule)}”规则应得 {fmt(ir.score)} 分。",
                ir=ir, location=_loc(ir.indicator.score, ir.indicator.source),
                expected=fmt(ir.score), reported=fmt(ir.reported_score)))
    return out


def check_score_band(result: FormResult, pack: RulePack) -> list[Finding]:
    """A qualitative score must lie in the band its actual text implies.

    效益指标 | 社会效益指标 | 影响力得到提升 | 进一步增强 | 部分完成 | 10 | 10 | 受疫情影响
    → SCORE_OUTSIDE_BAND (error): 实际完成情况属“部分达成…”档，得分应在 6–8（不含8）之间，表中为 10。
    """
    out = []
    for ir in _scored_rows(result):
        band = band_of(ir, pack)
        if band is None or ir.reported_score is None or in_band(ir.reported_score, band, ir.weight):
            continue
        low, high = band.low * ir.weight, band.high * ir.weight
        limit = f"{fmt(low)}–{fmt(high)}" + ("" if band.high_inclusive else f"（不含{fmt(high)}）")
        out.append(_finding(
            "SCORE_OUTSIDE_BAND", result,
            f"{_name(ir)}实际完成情况“{ir.actual.text}”属“{band.label}”档，得分应在 {limit} 之间，"
            f"表中为 {fmt(ir.reported_score)}。",
            ir=ir, location=_loc(ir.indicator.score, ir.indicator.source),
            expected=limit, reported=fmt(ir.reported_score)))
    return out


def _matches_text(names: list[str]) -> str:
    return "、".join(f"“{rule_cn(n)}”" for n in names)


def check_score_mismatch(result: FormResult, pack: RulePack) -> list[Finding]:
    """The reported score differs from the rule pack's score; say which known rule it matches.

    产出指标 | 成本指标 | 严格控制经费成本 | 115.8 | 68.43 | 10 | 5.9 | 款项未支付完   (执行率 59 %)
    → SCORE_MISMATCH (warning): 报告得分 5.9 与按“正向比例”、“分值×预算执行率”计算的得分一致，
      但本规则包按“成本上限（反向，指标值÷实际值）”计分得 10。
    """
    out = []
    rate = result.funds.execution_rate
    for ir in _scored_rows(result):
        if ir.score is None or ir.reported_score is None or ir.rule == "qualitative":
            continue
        if abs(ir.score - ir.reported_score) <= pack.tol_score:
            continue
        if ir.met is False and ir.reported_score >= ir.weight - pack.tol_score:
            continue  # reported by check_missed_full_score
        others = [m for m in matching_rules(ir, pack, rate) if m != ir.rule]
        rule_name = rule_cn(ir.rule)
        if others:
            text = (f"{_name(ir)}{_row(ir)}报告得分 {fmt(ir.reported_score)} 与按{_matches_text(others)}"
                    f"计算的得分一致，但本规则包按“{rule_name}”计分得 {fmt(ir.score)}。")
        else:
            text = (f"{_name(ir)}{_row(ir)}报告得分 {fmt(ir.reported_score)} 与任何已知计分规则都不一致；"
                    f"本规则包按“{rule_name}”计分得 {fmt(ir.score)}。")
        out.append(_finding("SCORE_MISMATCH", result, text, ir=ir,
                            location=_loc(ir.indicator.score, ir.indicator.source),
                            expected=fmt(ir.score), reported=fmt(ir.reported_score)))
    return out


def check_score_above_weight(result: FormResult, pack: RulePack) -> list[Finding]:
    """No row may score more than its 分值.

    产出指标 | 数量指标 | 开展活动次数 | ≥3次 | 4次 | 5 | 6 | /
    → SCORE_ABOVE_WEIGHT (error): 得分 6 超过分值 5。
    """
    return [_finding("SCORE_ABOVE_WEIGHT", result,
                     f"{_name(ir)}得分 {fmt(ir.reported_score)} 超过分值 {fmt(ir.weight)}。",
                     ir=ir, location=_loc(ir.indicator.score, ir.indicator.source),
                     expected=f"≤{fmt(ir.weight)}", reported=fmt(ir.reported_score))
            for ir in _scored_rows(result)
            if ir.reported_score is not None and ir.reported_score > ir.weight + pack.tol_score]


def check_score_missing(result: FormResult, pack: RulePack) -> list[Finding]:
    """A row with a 分值 but no 得分, in a form where other rows are scored.

    产出指标 | 数量指标 | 开展活动次数 | ≥3次 | 4次 | 5 |  | /
    → SCORE_MISSING (warning): 有分值 5 但没有填写得分；按规则应得 5 分。
    """
    rows = _scored_rows(result)
    if not any(ir.reported_score is not None for ir in rows):
        return []
    return [_finding("SCORE_MISSING", result,
                     f"{_name(ir)}有分值 {fmt(ir.weight)} 但没有填写得分"
                     + (f"；按规则应得 {fmt(ir.score)} 分。" if ir.score is not None else "。"),
                     ir=ir, location=_loc(ir.indicator.score, ir.indicator.source),
                     expected=fmt(ir.score))
            for ir in rows if ir.reported_score is None]


def check_deduction_reason(result: FormResult, pack: RulePack) -> list[Finding]:
    """A deduction (得分 < 分值) needs a 偏差原因; ``/``, ``无`` or blank do not count.

    效益指标 | 社会效益 | 是否解决看病难贵问题 | 95% | 95% | 30 | 27 |
    → DEDUCTION_WITHOUT_REASON (warning): 扣了 3 分，但偏差原因分析为空。
    """
    out = []
    for ir in _scored_rows(result):
        if ir.reported_score is None or ir.reported_score >= ir.weight - pack.tol_score:
            continue
        if not is_blank_note(ir.indicator.deviation):
            continue
        out.append(_finding(
            "DEDUCTION_WITHOUT_REASON", result,
            f"{_name(ir)}得分 {fmt(ir.reported_score)}（分值 {fmt(ir.weight)}），扣了 "
            f"{fmt(ir.weight - ir.reported_score)} 分，但偏差原因分析及改进措施为空。",
            ir=ir, location=_loc(ir.indicator.deviation, ir.indicator.score, ir.indicator.source),
            expected="偏差原因", reported=ir.indicator.deviation.text))
    return out


def check_over_achievement(result: FormResult, pack: RulePack) -> list[Finding]:
    """Actual ≥ 1.5 × target on a positive indicator: the target may have been set too low.

    产出指标 | 数量指标 | 开展宣传文化活动次数 | ≥100场次 | 160场次 | 5 | 5 | /
    → OVER_ACHIEVEMENT (info): 实际完成值为指标值的 1.6 倍，年初指标值可能设定偏低。
    """
    out = []
    for ir in _scored_rows(result):
        pair = comparable(ir.target, ir.actual)
        if pair is None or effective_operator(ir.target, ir.indicator.level2, pack) not in (">=", "=", ">"):
            continue
        t, a = pair
        if t > 0 and a >= t * pack.over_achievement_factor:
            out.append(_finding(
                "OVER_ACHIEVEMENT", result,
                f"{_name(ir)}实际完成值为指标值的 {fmt(a / t, 2)} 倍{_row(ir)}，年初指标值可能设定偏低，"
                f"请分析原因。",
                ir=ir, location=_loc(ir.indicator.actual, ir.indicator.source),
                expected=ir.target.text, reported=ir.actual.text))
    return out


def check_unit_mismatch(result: FormResult, pack: RulePack) -> list[Finding]:
    """Target and actual written in units that cannot be converted into each other.

    产出指标 | 数量指标 | 开展软件正版化安装 | ≧100家 | 115个 | 20 | 20 | /
    → UNIT_MISMATCH (warning): 指标值单位“家”与实际完成值单位“个”不一致。
    """
    out = []
    for ir in result.indicators:
        note = unit_note(ir.target, ir.actual) if ir.applicable else None
        if note:
            scored = "，未计分" if ir.rule == "not_comparable" else ""
            out.append(_finding("UNIT_MISMATCH", result,
                                f"{_name(ir)}指标值“{ir.target.text}”与实际完成值“{ir.actual.text}”{note}{scored}。",
                                ir=ir, location=_loc(ir.indicator.actual, ir.indicator.source),
                                expected=ir.target.unit or "", reported=ir.actual.unit or ""))
    return out


def check_unparsed(result: FormResult, pack: RulePack) -> list[Finding]:
    """A target or actual that the notation parser could not read is reported, never guessed.

    产出指标 | 数量指标 | 指标1:全县参合人数 | 约8千 | 8676 | 15 | 13 | …
    → VALUE_UNPARSED (warning) at the 指标值 cell: 指标值“约8千”无法识别，未计分。
    """
    out = []
    for ir in result.indicators:
        if not ir.applicable:
            continue
        for label, measure, cell in (("指标值", ir.target, ir.indicator.target),
                                     ("实际完成值", ir.actual, ir.indicator.actual)):
            if measure.kind == "unparsed":
                note = f"（{measure.note}）" if measure.note else ""
                out.append(_finding("VALUE_UNPARSED", result,
                                    f"{_name(ir)}{label}“{measure.text}”无法识别{note}，该项未按规则计分。",
                                    ir=ir, location=_loc(cell, ir.indicator.source), reported=measure.text))
    return out


def check_not_comparable(result: FormResult, pack: RulePack) -> list[Finding]:
    """A numeric target with a non-numeric or empty actual cannot be scored.

    产出指标 | 经济成本指标 | 项目成本 | ≤30万元 | 完成 | 90 | 90 | /
    → ACTUAL_NOT_COMPARABLE (warning): 实际完成值“完成”不是数值，无法与指标值“≤30万元”比较。
    """
    out = []
    for ir in result.indicators:
        if not ir.applicable or ir.rule not in ("not_comparable", "unparsed"):
            continue
        if ir.target.kind == "number" and ir.actual.kind == "number":
            continue  # units that cannot be compared: check_unit_mismatch says so
        if ir.target.kind in ("unparsed", "empty") or ir.actual.kind == "unparsed":
            if ir.target.kind == "empty" and ir.weight is not None:
                out.append(_finding("ACTUAL_NOT_COMPARABLE", result,
                                    f"{_name(ir)}有分值 {fmt(ir.weight)} 但年度指标值为空，无法计分。",
                                    ir=ir, location=_loc(ir.indicator.target, ir.indicator.source)))
            continue
        if ir.actual.kind == "empty":
            what = "实际完成值为空"
        elif ir.actual.kind == "not_applicable":
            what = f"实际完成值为“{ir.actual.text}”（未填写）"
        else:
            what = f"实际完成值“{ir.actual.text}”不是数值"
        out.append(_finding(
            "ACTUAL_NOT_COMPARABLE", result,
            f"{_name(ir)}{what}，无法与指标值“{ir.target.text}”比较，未计分，请人工核对。",
            ir=ir, location=_loc(ir.indicator.actual, ir.indicator.source),
            expected=ir.target.text, reported=ir.actual.text))
    return out


def check_qualitative_unclassified(result: FormResult, pack: RulePack) -> list[Finding]:
    """A qualitative actual that matches no band's keywords.

    效益指标 | 社会效益指标 | 群众获得感 | 有一定增强 | 见附件 | 15 | 15 | /
    → QUALITATIVE_UNCLASSIFIED (warning): 实际完成情况“见附件”无法判断属于哪一档。
    """
    bands = "/".join(b.name for b in pack.bands)  # 达成/部分达成/未达成 in the national pack
    return [_finding("QUALITATIVE_UNCLASSIFIED", result,
                     f"{_name(ir)}实际完成情况“{ir.actual.text or '空'}”无法判断属于"
                     f"“{bands}”哪一档，得分未核对。",
                     ir=ir, location=_loc(ir.indicator.actual, ir.indicator.source), reported=ir.actual.text)
            for ir in _scored_rows(result) if ir.rule == "qualitative" and ir.band is None]


def _treatment(ir: IndicatorResult, pack: RulePack) -> str | None:
    """How the filer scored a numeric row: "ceiling" (≤ semantics) or "floor" (≥ semantics).

    Under target with full marks → ceiling; under target with a deduction → floor; over target
    with full marks → floor; over with a deduction → ceiling; on target → no information.
    """
    pair = comparable(ir.target, ir.actual)
    if pair is None or ir.reported_score is None or ir.weight is None or pair[0] == pair[1]:
        return None
    full = ir.reported_score >= ir.weight
    under = pair[1] < pair[0]
    return "ceiling" if full == under else "floor"


def check_mixed_rules(result: FormResult, pack: RulePack) -> list[Finding]:
    """Rows of one 二级指标 scored by opposite rules in the same form.

    成本指标 | 宣传文化工作成本概算     | 820.58万元 | 645.51万元 | 5 | 5 | /
    成本指标 | 全民志愿服务工作成本概算 | 90万元     | 10万元     | 5 | 3 | 受疫情影响
    → MIXED_RULES (warning) at the second row's 得分: 前者节约得满分（按上限计分），后者节约却被扣分（按正向比例计分）。
    """
    groups: dict[str, list[tuple[IndicatorResult, str]]] = defaultdict(list)
    for ir in _scored_rows(result):
        if ir.target.op is not None:
            continue  # ≥95% and ≤2%: the filer wrote which way each row counts
        how = _treatment(ir, pack)
        if how:
            groups[ir.indicator.level2].append((ir, how))
    out = []
    desc = {"ceiling": "按上限（反向）计分", "floor": "按下限（正向比例）计分"}
    for level2, rows in groups.items():
        kinds = {how for _, how in rows}
        if len(kinds) < 2:
            continue
        expected = "ceiling" if pack.bare_operator(level2) in ("<=", "<") else "floor"
        odd = next(ir for ir, how in rows if how != expected)
        parts = "；".join(f"{_name(ir)}{_row(ir)}得 {fmt(ir.reported_score)}/{fmt(ir.weight)}，{desc[how]}"
                         for ir, how in rows)
        out.append(_finding("MIXED_RULES", result,
                            f"同属“{level2}”的指标计分规则不一致：{parts}。请统一计分口径。",
                            ir=odd, location=_loc(odd.indicator.score, odd.indicator.source),
                            expected=desc[expected], reported=desc["floor" if expected == "ceiling" else "ceiling"]))
    return out


def check_suspicious_percent(result: FormResult, pack: RulePack) -> list[Finding]:
    """A 满意度 or 率 indicator above 100 % is suspect (``290%`` is most likely ``≥90%``).

    满意度指标 | 服务对象满意度指标 | 市民满意度调查 | 290% | 100% | 10 | 10 | /
    → SUSPICIOUS_PERCENT (warning) at the 指标值 cell: 满意度/比率类指标的指标值为 290%，超过100%。
    """
    out = []
    for ir in result.indicators:
        ind = ir.indicator
        if not ir.applicable or not ("满意度" in ind.level2 or "满意度" in ind.name or "率" in ind.name):
            continue
        for label, measure, cell in (("指标值", ir.target, ind.target), ("实际完成值", ir.actual, ind.actual)):
            base = measure.base if measure.unit in ("%", "‰", "百分比") else None
            if base is not None and base > 1:
                out.append(_finding("SUSPICIOUS_PERCENT", result,
                                    f"{_name(ir)}是满意度或比率类指标，{label}“{measure.text}”超过100%，"
                                    f"可能是录入错误（如“≥90%”误为“290%”），未按原值核对。",
                                    ir=ir, location=_loc(cell, ind.source), expected="≤100%",
                                    reported=measure.text))
    return out


def check_na_row_weighted(result: FormResult, pack: RulePack) -> list[Finding]:
    """A not-applicable row (``/``) must carry no 分值.

    效益指标 | 经济效益指标 | / | / | / | 5 | 5 | /
    → NA_ROW_WEIGHTED (warning): 该行不适用，但填写了分值 5。
    """
    out = []
    for ir in result.indicators:
        weight = cell_number(ir.indicator.weight)
        if not ir.applicable and weight:
            out.append(_finding("NA_ROW_WEIGHTED", result,
                                f"“{ir.indicator.name or ir.indicator.level2}”不适用（指标值为“{ir.target.text or '空'}”），"
                                f"但填写了分值 {fmt(weight)}；不适用的指标不应占分值。",
                                ir=ir, location=_loc(ir.indicator.weight, ir.indicator.source),
                                expected="0", reported=fmt(weight)))
    return out


def check_platform_deviation(result: FormResult, pack: RulePack) -> list[Finding]:
    """Platform pack only: a positive target exceeded by ≥ 30 % is 指标偏离 and loses 2 points.

    产出指标 | 数量指标 | 开展宣传文化活动次数 | ≥100场次 | 160场次 | 5 | 5 | /
    → INDICATOR_DEVIATION (warning): 完成值超出指标值 60%，按平台规则属“指标偏离”，扣 2 分，应得 3。
    """
    if pack.deviation_rate is None:
        return []
    out = []
    for ir in _scored_rows(result):
        if is_deviation(ir.target, ir.actual, ir.indicator.level2, pack):
            t, a = comparable(ir.target, ir.actual)  # type: ignore[misc]
            out.append(_finding(
                "INDICATOR_DEVIATION", result,
                f"{_name(ir)}完成值超出指标值 {fmt((a / t - 1) * HUNDRED, 1)}%{_row(ir)}，按平台规则属“指标偏离”"
                f"（超出 {fmt(pack.deviation_rate * HUNDRED)}% 及以上），扣 {fmt(pack.deviation_penalty)} 分，应得 {fmt(ir.score)}。",
                ir=ir, location=_loc(ir.indicator.score, ir.indicator.source),
                expected=fmt(ir.score), reported=fmt(ir.reported_score)))
    return out


# --------------------------------------------------------------------------------------------
# weights and structure


def _first_of(result: FormResult, level1: str) -> IndicatorResult | None:
    return next((ir for ir in result.indicators if ir.indicator.level1 == level1 and ir.applicable), None)


def _total_loc(result: FormResult) -> Source | None:
    return _loc(result.form.reported_total, result.form.source)


def check_weights_total(result: FormResult, pack: RulePack) -> list[Finding]:
    """分值 of all scored rows plus the budget 分值 must add up to 100.

    年度资金总额 | … | 10 | …;  rows with 分值 50 + 30 + 5  → Σ = 95
    → WEIGHTS_NOT_100 (error) at the 总分 cell: 各项分值合计为 95，应为 100。

    一级指标 | 二级指标 | 三级指标 | 年初目标值 | 实际完成值 | 得分   (no 分值 column at all)
    → WEIGHTS_NOT_WRITTEN (info) instead: there is nothing to add up.
    """
    if not result.weights:
        return []
    applicable = [ir for ir in result.indicators if ir.applicable]
    if applicable and all(ir.weight is None and ir.indicator.weight.source is None for ir in applicable):
        # 一级指标 | 二级指标 | 三级指标 | 年初目标值 | 实际完成值 | 得分 — no 分值 column at all
        return [_finding("WEIGHTS_NOT_WRITTEN", result,
                         "表中没有各指标的分值栏，无法核对分值合计是否为 100；只核对得分、总分和是否完成。",
                         location=result.form.source)]
    total = sum(result.weights.values(), ZERO)
    if abs(total - HUNDRED) <= pack.tol_score:
        return []
    parts = "＋".join(f"{k}{fmt(v)}" for k, v in result.weights.items())
    return [_finding("WEIGHTS_NOT_100", result, f"各项分值合计为 {fmt(total)}（{parts}），应为 100。",
                     location=_total_loc(result), expected="100", reported=fmt(total))]


def check_level1_weights(result: FormResult, pack: RulePack) -> list[Finding]:
    """一级 weights other than 产出 50 / 效益 30 / 满意度 10 / 预算执行 10 are allowed but noted.

    产出指标 rows Σ分值 70, 效益指标 10, 满意度指标 10, 预算执行 10
    → LEVEL1_WEIGHTS_NONSTANDARD (info): 一级指标分值为 产出指标70、效益指标10…，通行权重为 50/30/10/10。
    """
    actual, deviating = [], []
    standard_of = [(pack.level1_standard_for(k), w) for k, w in result.weights.items()]
    for std in pack.level1_standard:
        weight = sum((w for s, w in standard_of if s is std), ZERO)
        actual.append(weight)
        if weight != std.weight:
            deviating.append(std)
    if not deviating or not result.weights:
        return []
    expected = "/".join(fmt(s.weight) for s in pack.level1_standard)
    reported = "/".join(fmt(w) for w in actual)
    parts = "、".join(f"{s.name}{fmt(w)}" for s, w in zip(pack.level1_standard, actual))
    first = next((k for k in result.weights if pack.level1_standard_for(k) in deviating), None)
    ir = _first_of(result, first) if first else None
    return [_finding("LEVEL1_WEIGHTS_NONSTANDARD", result,
                     f"一级指标分值为 {parts}，与通行的 {expected} 不同（可按实际调整，但合计须为100）。",
                     location=_loc(ir.indicator.weight if ir else None, ir.indicator.source if ir else None,
                                   _total_loc(result)),
                     expected=expected, reported=reported)]


def check_level1_declared(result: FormResult, pack: RulePack) -> list[Finding]:
    """A weight written into the 一级 label must equal the Σ分值 of its rows.

    产出指标(50分) | 数量指标 | … | 15 ;  质量指标 | … | 15 ;  时效指标 | … | 10   (Σ 40)
    → LEVEL1_DECLARED_WEIGHT_MISMATCH (warning): “产出指标”标注 50 分，但其下各指标分值合计 40。
    """
    out = []
    declared: dict[str, tuple[Decimal, IndicatorResult]] = {}
    for ir in result.indicators:
        ind = ir.indicator
        if ind.level1_weight is not None and ind.level1 not in declared:
            declared[ind.level1] = (ind.level1_weight, ir)
    for level1, (weight, ir) in declared.items():
        actual = result.weights.get(level1, ZERO)
        if abs(actual - weight) > pack.tol_score:
            out.append(_finding("LEVEL1_DECLARED_WEIGHT_MISMATCH", result,
                                f"“{level1}”标注 {fmt(weight)} 分，但其下各指标分值合计 {fmt(actual)}。",
                                location=_loc(ir.indicator.source), expected=fmt(weight), reported=fmt(actual)))
    form = result.form
    budget_weight = result.weights.get("预算执行")
    if form.budget_weight_declared is not None and budget_weight is not None \
            and abs(budget_weight - form.budget_weight_declared) > pack.tol_score:
        total = form.funds_row("total")
        out.append(_finding("LEVEL1_DECLARED_WEIGHT_MISMATCH", result,
                            f"预算执行标注 {fmt(form.budget_weight_declared)} 分，但年度资金总额的分值为 {fmt(budget_weight)}。",
                            location=_loc(total.weight if total else None, form.source),
                            expected=fmt(form.budget_weight_declared), reported=fmt(budget_weight)))
    return out


def check_level1_inferred(result: FormResult, pack: RulePack) -> list[Finding]:
    """The 一级指标 cell was empty and 一级 was inferred from 二级 (once per 一级).

     | 数量指标 | 开展全民志愿服务次数 | ≥3次 | 4次 | 5 | 5 | /     (一级 empty)
    → LEVEL1_INFERRED (info): 一级指标为空，已按二级指标“数量指标”推断为“产出指标”。

    The sheet reader raises this finding itself, at the empty 一级 cell, and then the audit adds
    nothing; the audit raises it (at the 三级 cell) only for a form that carries inferred rows
    but no such read finding (a form built by other code than the reader).
    """
    if any(f.code == "LEVEL1_INFERRED" for f in result.form.read_findings):
        return []
    seen: dict[str, IndicatorResult] = {}
    for ir in result.indicators:
        if ir.indicator.level1_inferred and ir.indicator.level1 not in seen:
            seen[ir.indicator.level1] = ir
    return [_finding("LEVEL1_INFERRED", result,
                     f"一级指标为空，已按二级指标“{ir.indicator.level2}”推断为“{level1}”，请在表中补填。",
                     ir=ir, location=_loc(ir.indicator.source), expected=level1)
            for level1, ir in seen.items()]


# --------------------------------------------------------------------------------------------
# totals and grade


def reported_sum(result: FormResult) -> Decimal | None:
    """预算执行得分 + Σ 得分 as written in the form (None when no score is written at all).

    Every written score counts, a "/" row's too: the sum checks the filer's arithmetic (a score
    on a row that does not apply is NA_ROW_WEIGHTED's business)."""
    parts = [ir.reported_score for ir in result.indicators if ir.reported_score is not None]
    if result.funds.reported_score is not None:
        parts.append(result.funds.reported_score)
    return sum(parts, ZERO) if parts else None


def check_total_sum(result: FormResult, pack: RulePack) -> list[Finding]:
    """The reported 总分 must equal the sum of the reported scores.

    年度资金总额 … 得分 9;  rows 13 + 15 + 10 + 10 + 27 + 9;  总分 | 100 | 94
    → TOTAL_SUM_MISMATCH (error) at the 总分 cell: 各项得分之和为 93，表中总分为 94。
    """
    total, summed = result.reported_total, reported_sum(result)
    if total is None or summed is None or abs(total - summed) <= pack.tol_total:
        return []
    return [_finding("TOTAL_SUM_MISMATCH", result,
                     f"表中各项得分（含预算执行得分）之和为 {fmt(summed)}，但总分填写为 {fmt(total)}。",
                     location=_total_loc(result), expected=fmt(summed), reported=fmt(total))]


def check_total_recomputed(result: FormResult, pack: RulePack) -> list[Finding]:
    """The reported 总分 against the total recomputed by the rule pack.

    总分 | 100 | 91.8   (rules give 90.06 after the satisfaction row 10 → 9.41 …)
    → TOTAL_MISMATCH (warning): 按本规则包重算的总分为 …，表中为 91.8。
    """
    if result.reported_total is None or result.total is None:
        return []
    if abs(result.reported_total - result.total) <= pack.tol_total:
        return []
    return [_finding("TOTAL_MISMATCH", result,
                     f"按“{pack.title}”重算的总分为 {fmt(result.total)}（评价等级“{result.grade}”），"
                     f"表中总分为 {fmt(result.reported_total)}，请核对上面列出的各项得分。",
                     location=_total_loc(result), expected=fmt(result.total), reported=fmt(result.reported_total))]


def check_total_missing(result: FormResult, pack: RulePack) -> list[Finding]:
    """A form with scored indicators but no 总分.

    总分 | 100 |        → TOTAL_MISSING (warning): 表中没有填写总分；按规则重算为 87.6。
    """
    if result.reported_total is not None or not _scored_rows(result):
        return []
    return [_finding("TOTAL_MISSING", result,
                     "表中没有填写总分" + (f"；按规则重算为 {fmt(result.total)}。" if result.total is not None else "。"),
                     location=_total_loc(result), expected=fmt(result.total))]


def check_total_cap(result: FormResult, pack: RulePack) -> list[Finding]:
    """Platform pack only: the total is capped by 执行率 (< 60 % → at most 69).

    年度资金总额 | 115.8 | 115.8 | 68.43 | 10 | 59% | 5.9 ;  总分 | 100 | 91.8
    → TOTAL_ABOVE_CAP (warning): 执行率 59.09%，按平台规则总分最高 69，表中为 91.8。
    """
    cap = pack.execution_cap(result.funds.execution_rate)
    if cap is None or result.reported_total is None or result.reported_total <= cap + pack.tol_total:
        return []
    return [_finding("TOTAL_ABOVE_CAP", result,
                     f"执行率 {_pct(result.funds.execution_rate)}，按“{pack.title}”总分最高 {fmt(cap)}，"
                     f"表中总分为 {fmt(result.reported_total)}。",
                     location=_total_loc(result), expected=f"≤{fmt(cap)}", reported=fmt(result.reported_total))]


def check_grade(result: FormResult, pack: RulePack) -> list[Finding]:
    """A reported grade must match the reported total (优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差).

    总分 | 100 | 87.6 | 优     → GRADE_MISMATCH (error): 总分 87.6 对应“良”，表中为“优”。
    """
    text = result.form.reported_grade.text
    total = result.reported_total if result.reported_total is not None else result.total
    if not text or total is None:
        return []
    expected = grade(total, pack)
    if not expected or text == expected or text.startswith(expected):
        return []
    return [_finding("GRADE_MISMATCH", result, f"总分 {fmt(total)} 对应评价等级“{expected}”，表中为“{text}”。",
                     location=_loc(result.form.reported_grade, _total_loc(result)),
                     expected=expected, reported=text)]


# --------------------------------------------------------------------------------------------
# funds


def _total_row_cells(result: FormResult):
    return result.form.funds_row("total")


def _total_row_finding(code: str, result: FormResult, field: str, message: str, *,
                       expected: str, reported: str) -> list[Finding]:
    """One finding located at the 年度资金总额 row's ``field`` cell (else the row, else nowhere)."""
    row = _total_row_cells(result)
    location = _loc(getattr(row, field), row.source) if row else None
    return [_finding(code, result, message, location=location, expected=expected, reported=reported)]


def check_execution_rate(result: FormResult, pack: RulePack) -> list[Finding]:
    """The reported 执行率 against 全年执行数 ÷ 全年预算数 (tolerance 0.5 percentage points).

    年度资金总额 | 100 | 100 | 80 | 10 | 90% | 9   → EXEC_RATE_MISMATCH (error): 80 ÷ 100 = 80%，表中为 90%。
    """
    f = result.funds
    if f.execution_rate is None or f.reported_rate is None or abs(f.execution_rate - f.reported_rate) <= pack.tol_rate:
        return []
    return _total_row_finding("EXEC_RATE_MISMATCH", result, "rate",
                              f"执行率应为 全年执行数 {fmt(f.executed)} ÷ 全年预算数 {fmt(f.budget)} = "
                              f"{_pct(f.execution_rate)}，表中为 {_pct(f.reported_rate)}。",
                              expected=_pct(f.execution_rate), reported=_pct(f.reported_rate))


def check_budget_score(result: FormResult, pack: RulePack) -> list[Finding]:
    """The budget score must be 分值 × 执行率 (at most 分值).

    年度资金总额 | | 65.66 | 65.07 | 10 | 99% | 9   → BUDGET_SCORE_MISMATCH (error): 10 × 99.1% = 9.91，表中为 9。
    """
    f = result.funds
    if f.score is None or f.reported_score is None or abs(f.score - f.reported_score) <= pack.tol_score:
        return []
    return _total_row_finding("BUDGET_SCORE_MISMATCH", result, "score",
                              f"预算执行得分应为 分值 {fmt(f.weight)} × 执行率 {_pct(f.execution_rate)} = "
                              f"{fmt(f.score)}，表中为 {fmt(f.reported_score)}。",
                              expected=fmt(f.score), reported=fmt(f.reported_score))


def check_funds_missing(result: FormResult, pack: RulePack) -> list[Finding]:
    """No 执行率 can be computed (no 全年预算数, or it is 0).

    年度资金总额 | | | 13 | 10 | 100% | 10   → FUNDS_MISSING (warning): 缺少全年预算数，无法计算执行率。
    """
    f = result.funds
    if f.execution_rate is not None:
        return []
    row = _total_row_cells(result)
    return [_finding("FUNDS_MISSING", result,
                     "项目资金缺少全年预算数或全年执行数（或预算数为 0），无法计算执行率和预算执行得分。",
                     location=_loc(row.budget if row else None, row.source if row else None, result.form.source))]


def check_funds_subrows(result: FormResult, pack: RulePack) -> list[Finding]:
    """当年财政拨款 + 上年结转资金 + 其他资金 must equal 年度资金总额 (预算数 and 执行数).

    年度资金总额 | 1060.58 | 1060.58 | 805.51;  其中：当年财政拨款 | 825 | 825 | 569.93   (no 结转 row)
    → FUNDS_SUBROWS_MISMATCH (warning): 明细全年预算数之和 825 ≠ 年度资金总额 1060.58。
    """
    form = result.form
    row = form.funds_row("total")
    if row is None or total_row_needs_recompute(form):
        return []
    sub_budget, sub_executed = totals_from_subrows(form)
    out = []
    for label, summed, cell in (("全年预算数", sub_budget, row.budget), ("全年执行数", sub_executed, row.executed)):
        total = cell_number(cell)
        if summed is None or total is None or abs(summed - total) <= pack.tol_money:
            continue
        out.append(_finding("FUNDS_SUBROWS_MISMATCH", result,
                            f"资金明细（当年财政拨款、上年结转资金、其他资金）的{label}之和为 {fmt(summed, 4)}，"
                            f"与年度资金总额的 {fmt(total, 4)} 不等。",
                            location=_loc(cell, row.source), expected=fmt(summed, 4), reported=fmt(total, 4)))
    return out


def check_funds_recomputed(result: FormResult, pack: RulePack) -> list[Finding]:
    """The 年度资金总额 row is empty or all zero while the sub-rows carry amounts.

    年度资金总额 | 0 | 0 | 0 | 10 | 0 | 0;  其中：本年财政拨款 | 90 | 89.974 | 89.974
    → FUNDS_TOTAL_RECOMPUTED (warning): 已按明细重算：预算 89.974，执行 89.974，执行率 100%。
    """
    if not total_row_needs_recompute(result.form):
        return []
    f, row = result.funds, _total_row_cells(result)
    return [_finding("FUNDS_TOTAL_RECOMPUTED", result,
                     f"年度资金总额为空或为 0，但明细行有金额；已按明细重算：全年预算数 {fmt(f.budget, 4)}，"
                     f"全年执行数 {fmt(f.executed, 4)}，执行率 {_pct(f.execution_rate)}，得分 {fmt(f.score)}。",
                     location=_loc(row.budget if row else None, row.source if row else None, result.form.source),
                     expected=fmt(f.budget, 4), reported=row.budget.text if row else "")]


def _has_execution_explanation(result: FormResult, pack: RulePack) -> bool:
    if not is_blank_note(result.form.execution_note):
        return True
    pattern = keywords_pattern(tuple(pack.explanation_keywords))
    if pattern is None:
        return False
    for ir in result.indicators:
        note = ir.indicator.deviation
        if not is_blank_note(note) and pattern.search(note.text):
            return True
    return False


def check_low_execution(result: FormResult, pack: RulePack) -> list[Finding]:
    """执行率 below 90 % needs an explanation (a note cell or a 偏差原因 about funds/payment).

    年度资金总额 | 100 | 100 | 70 | 10 | 70% | 7;  every 偏差原因 is “/”
    → LOW_EXECUTION_NO_REASON (warning): 执行率 70% 低于 90%，表中未说明原因。
    """
    rate = result.funds.execution_rate
    if rate is None or rate >= pack.low_execution_rate or _has_execution_explanation(result, pack):
        return []
    return _total_row_finding("LOW_EXECUTION_NO_REASON", result, "rate",
                              f"执行率 {_pct(rate)} 低于 {_pct(pack.low_execution_rate)}，表中没有说明资金未执行的原因。",
                              expected=f"≥{_pct(pack.low_execution_rate)}或说明原因", reported=_pct(rate))


def check_money_in_yuan(result: FormResult, pack: RulePack) -> list[Finding]:
    """Funds written in 元 were converted to 万元 by the reader.

    项目资金（元） | … | 387664.62 …   → MONEY_IN_YUAN (info): 项目资金以“元”填报，已换算为万元。
    """
    if result.form.money_unit != "元":
        return []
    row = _total_row_cells(result)
    return [_finding("MONEY_IN_YUAN", result, "项目资金以“元”为单位填报，已换算为“万元”后计算执行率。",
                     location=_loc(row.source if row else None, result.form.source),
                     expected="万元", reported="元")]


# --------------------------------------------------------------------------------------------
# cells


# The funds cells the engine reads: amounts on every row, 分值/执行率/得分 on the total row only
# (a sub-row's 执行率 formula is display, nothing is compared with it).
_FUNDS_CHECKED = {True: ("budget", "executed", "weight", "rate", "score", "initial_budget"),
                  False: ("budget", "executed", "initial_budget")}


def _named_cells(result: FormResult):
    form = result.form
    for label, cell in (("项目名称", form.project), ("总分", form.reported_total), ("评价等级", form.reported_grade)):
        yield label, cell, None
    for row in form.funds:
        for label in _FUNDS_CHECKED[row.kind == "total"]:
            yield f"{row.label}", getattr(row, label), None
    for ir in result.indicators:
        ind = ir.indicator
        for label, cell in (("指标值", ind.target), ("实际完成值", ind.actual), ("分值", ind.weight), ("得分", ind.score)):
            yield label, cell, ir


def check_formula_cache(result: FormResult, pack: RulePack) -> list[Finding]:
    """A formula cell whose result was never computed (file written by a library, never opened in Excel).

    年度资金总额 | 100 | 100 | 80 | 10 | =D5/C5 (no cached value) | …
    → FORMULA_NOT_CALCULATED (warning): 单元格是公式但没有计算结果，请在 Excel 中打开并保存后再检查。
    """
    form = result.form
    if not (any(c.no_cached_value for c in (form.project, form.reported_total, form.reported_grade))
            or any(getattr(row, name).no_cached_value
                   for row in form.funds for name in _FUNDS_CHECKED[row.kind == "total"])
            or any(ir.indicator.target.no_cached_value or ir.indicator.actual.no_cached_value
                   or ir.indicator.weight.no_cached_value or ir.indicator.score.no_cached_value
                   for ir in result.indicators)):
        return []  # the usual form: no formula without its value (checked without building labels)
    return [_finding("FORMULA_NOT_CALCULATED", result,
                     f"“{label}”单元格是公式但没有保存计算结果（文件可能由程序生成、未在 Excel 中打开过），"
                     f"该值按空白处理；请在 Excel 中打开、重算并保存后再检查。",
                     ir=ir, location=cell.source)
            for label, cell, ir in _named_cells(result) if cell.no_cached_value]


CHECKS = (
    check_missed_full_score, check_score_band, check_score_mismatch, check_score_above_weight,
    check_score_missing, check_deduction_reason, check_over_achievement, check_unit_mismatch,
    check_unparsed, check_not_comparable, check_qualitative_unclassified, check_mixed_rules,
    check_suspicious_percent, check_na_row_weighted, check_platform_deviation,
    check_weights_total, check_level1_weights, check_level1_declared, check_level1_inferred,
    check_total_sum, check_total_recomputed, check_total_missing, check_total_cap, check_grade,
    check_execution_rate, check_budget_score, check_funds_missing, check_funds_subrows,
    check_funds_recomputed, check_low_execution, check_money_in_yuan, check_formula_cache,
)


def audit(result: FormResult, pack: RulePack) -> list[Finding]:
    """Run every check; a check that fails on odd content becomes a CHECK_FAILED finding."""
    findings: list[Finding] = []
    for check in CHECKS:
        try:
            findings.extend(check(result, pack))
        except Exception as exc:  # never a traceback for the user
            findings.append(_finding("CHECK_FAILED", result,
                                     f"检查“{check.__name__}”未能完成（{type(exc).__name__}），其余检查不受影响。",
                                     location=result.form.source))
    return findings
