"""Scoring: 执行率 and its score, one indicator's score, the grade. Pure functions over the model.

Worked examples (national pack)::

    年度资金总额 | 1060.58 | 1060.58 | 805.51 | 10 | 76% | 7.6
        执行率 = 805.51 ÷ 1060.58 = 75.95 % (rounded as displayed), score = 10 × 0.7595 = 7.60
    数量指标 | 建设志愿服务网上信息平台 | ≧1个 | 0 | 5        → positive, missed: 5 × 0 ÷ 1 = 0
    成本指标 | 成本概算 | 13 | 13 | 4                        → bare value on 成本 = ceiling (≤): met, 4
    成本指标 | 工作成本概算 | 90万元 | 120万元 | 5            → reverse ratio: 5 × 90 ÷ 120 = 3.75
    社会效益指标 | … | 有一定增强 | 95% | 15 | 15             → qualitative band 达成 [12, 15]: 15
    满意度指标 | … | ≧85% | 80% | 10                        → positive, missed: 10 × 80 ÷ 85 = 9.41

The functions never raise on content: what cannot be scored gets ``score=None`` and a rule id
(``unparsed``, ``not_comparable``) that the audit turns into a finding. Every rule id is named
in Chinese by the catalogue in :mod:`xltools.core.rule_names`.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from decimal import Decimal
from functools import lru_cache

from .decimals import ONE, ZERO, round_half_up, to_decimal
from .model import Cell, Form, FundsResult, FundsRow, Indicator, IndicatorResult, Measure
from .notation import UNIT_INCOMPARABLE, UNIT_MISMATCH, align_units, parse_measure, parse_rate
from .remember import remember
from .rulepack import Band, RulePack, load_rulepack

RATIO_UNITS = {"%", "‰"}
MAX_ABS = Decimal("1e15")  # larger numbers in a form are garbage (1e999), not amounts
NOT_APPLICABLE_TEXT = {"/", "／", "—", "－", "-", "——", "无", "……", "…"}


# --------------------------------------------------------------------------------------------
# cells


# what may follow an amount or a score in its cell: 分, 万元 (or 万), （万元）, line breaks
_UNIT_NOISE = re.compile(r"\s*[（(]\s*万元?\s*[)）]|万元|(?<=\d)万$|分|\s+")


def cell_number(cell: Cell) -> Decimal | None:
    """A 分值/得分/amount cell as a number: ``Decimal`` or numeric text; ``/`` ``—`` blank → None.

    >>> cell_number(Cell("5.9")), cell_number(Cell("—")), cell_number(Cell(Decimal("10")))
    (Decimal('5.9'), None, Decimal('10'))
    >>> cell_number(Cell("9.5分")), cell_number(Cell("20（万元）")), cell_number(Cell("２０ 万元"))
    (Decimal('9.5'), Decimal('20'), Decimal('20'))
    """
    number = None
    if isinstance(cell.value, Decimal):
        number = cell.value
    elif isinstance(cell.value, str):
        number = to_decimal(cell.value)
        if number is None:
            number = to_decimal(_UNIT_NOISE.sub("", cell.value))
    return number if number is not None and number.is_finite() and abs(number) < MAX_ABS else None


def is_blank_note(cell: Cell) -> bool:
    """True for an empty explanation cell or a placeholder (``/``, ``—``, ``无``)."""
    return cell.is_empty or cell.text in NOT_APPLICABLE_TEXT


def cell_rate(cell: Cell) -> Decimal | None:
    """An 执行率 cell as a fraction (``76%`` → 0.76), via the notation parser."""
    if cell.is_empty:
        return None
    try:
        return parse_rate(cell.value, number_format=cell.number_format)
    except Exception:  # the parser promises not to raise; a bad cell must not stop scoring
        return None


def parse_cell(cell: Cell) -> Measure:
    """A 年度指标值/实际完成值 cell as a :class:`Measure` (never raises)."""
    try:
        return parse_measure(cell.value, number_format=cell.number_format)
    except Exception as exc:
        return Measure(kind="unparsed", text=cell.text, note=f"无法解析：{exc}")


# --------------------------------------------------------------------------------------------
# 执行率


def _money(row: FundsRow | None, attr: str) -> Decimal | None:
    return None if row is None else cell_number(getattr(row, attr))


def totals_from_subrows(form: Form) -> tuple[Decimal | None, Decimal | None]:
    """Σ 全年预算数 and Σ 全年执行数 of the sub-rows (当年财政拨款 + 上年结转资金 + 其他资金)."""
    funds = form.funds
    last = _SUBROWS[0]
    if last is not None and last[0] is funds:  # the scorer and two audit checks ask in turn
        return last[1]
    subs = [r for r in funds if r.kind != "total"]
    budgets = [b for b in (_money(r, "budget") for r in subs) if b is not None]
    executed = [e for e in (_money(r, "executed") for r in subs) if e is not None]
    result = (sum(budgets, ZERO) if budgets else None, sum(executed, ZERO) if executed else None)
    _SUBROWS[0] = (funds, result)  # the tuple is immutable and kept alive here: its id stays its own
    return result


_SUBROWS: list[tuple[tuple[FundsRow, ...], tuple[Decimal | None, Decimal | None]] | None] = [None]


def total_row_needs_recompute(form: Form) -> bool:
    """The 年度资金总额 row is empty or all zero while sub-rows carry amounts (F06: 0 0 0 10 0 0)."""
    total = form.funds_row("total")
    budget, executed = _money(total, "budget"), _money(total, "executed")
    sub_budget, sub_executed = totals_from_subrows(form)
    empty_total = not budget and not executed
    return empty_total and bool(sub_budget or sub_executed)


def execution(form: Form, pack: RulePack) -> FundsResult:
    """执行率 = 全年执行数 ÷ 全年预算数; score = 分值 × min(执行率, 1), rounded half-up.

    年度资金总额 | 115.8 | 115.8 | 68.43 | 10 | 59% | 5.9  →  rate 59.09 %, score 5.91
    (the reported 5.9 lies within the score tolerance). With the total row empty or all zero,
    the amounts are summed from the sub-rows.
    """
    total = form.funds_row("total")
    budget, executed = _money(total, "budget"), _money(total, "executed")
    if total_row_needs_recompute(form):
        budget, executed = totals_from_subrows(form)
    weight = _money(total, "weight")
    if weight is None:
        weight = pack.budget_weight if form.funds else None
    rate = executed / budget if budget and executed is not None and budget > 0 else None
    if rate is not None:
        rate = round_half_up(rate, pack.rate_places)
    score = None
    if rate is not None and weight is not None:
        score = round_half_up(weight * min(max(rate, ZERO), ONE), pack.score_places)
    return FundsResult(
        budget=budget, executed=executed, execution_rate=rate, weight=weight, score=score,
        reported_rate=cell_rate(total.rate) if total else None,
        reported_score=_money(total, "score"),
    )


# --------------------------------------------------------------------------------------------
# indicators: comparable numbers


def unit_note(target: Measure, actual: Measure) -> str | None:
    """The notation parser's note when target and actual units differ (``≧100家`` vs ``115个``)."""
    if target.kind != "number" or actual.kind != "number":
        return None
    note = align_units(target, actual)[2]
    return note if note and note.startswith(UNIT_MISMATCH) else None


def units_compatible(target: Measure, actual: Measure) -> bool:
    """Units agree, convert (万元/元, %/‰, 年/月), or one side has none; False for 家 vs 个."""
    return unit_note(target, actual) is None


def comparable(target: Measure, actual: Measure) -> tuple[Decimal, Decimal] | None:
    """Target and actual as numbers in one unit, or None when they cannot be compared.

    A unit-less actual takes the target's unit (``≥95%`` vs ``95``); 万元 and 元 convert; count
    units that differ (家 vs 个) are compared by number; % against 次 cannot be compared.

    >>> from .notation import parse_measure
    >>> comparable(parse_measure("90万元"), parse_measure("100000元"))
    (Decimal('900000'), Decimal('100000'))
    """
    if target.kind != "number" or actual.kind != "number" or target.value is None or actual.value is None:
        return None
    key = (id(target), id(actual))
    hit = _COMPARED.get(key)
    if hit is not None and hit[0] is target and hit[1] is actual:
        return hit[2]
    t, a, note = align_units(target, actual)
    if note and UNIT_INCOMPARABLE in note:
        pair = None
    else:
        pair = t.value * t.scale, a.value * a.scale
        if not all(abs(v) < MAX_ABS for v in pair):
            pair = None
    remember(_COMPARED, key, (target, actual, pair), 512)
    return pair


# comparable() of the same two (immutable) measures is asked by the scorer and by several audit
# checks: remembered by identity, the entry holding both measures so that their ids stay theirs
_COMPARED: dict[tuple[int, int], tuple[Measure, Measure, tuple[Decimal, Decimal] | None]] = {}


def effective_operator(target: Measure, level2: str | None, pack: RulePack) -> str:
    """The operator written in the target, or the pack's bare default for the 二级指标.

    A bare zero target (``0起`` for 粮食安全事件发生数) means "none may happen": it is read as
    ``=0`` (the zero rule, full marks iff the actual is ≤ 0), whatever the 二级指标 default.
    """
    if target.op is None and target.value == 0:
        return "="
    return target.op or pack.bare_operator(level2, is_time_measure(target))


_TIME_UNITS = frozenset({"年", "个月", "月", "季度", "周", "天", "日", "工作日", "小时", "分钟"})


def is_time_measure(measure: Measure) -> bool:
    """A date (``2020年12月``) or a duration (``3个月``, ``15个工作日``)."""
    return measure.kind == "date" or (measure.unit or "") in _TIME_UNITS


def _ratio(part: Decimal, whole: Decimal) -> Decimal:
    return min(max(part / whole, ZERO), ONE) if whole > 0 else ZERO


def positive_score(t: Decimal, a: Decimal, w: Decimal) -> Decimal:
    """≥: met → 分值; else 分值 × 实际 ÷ 指标 (``≧85%`` → ``80%``, 10 → 9.41…)."""
    return w if a >= t else w * _ratio(a, t)


def reverse_ratio_score(t: Decimal, a: Decimal, w: Decimal) -> Decimal:
    """≤, ratio formula: met → 分值; else 分值 × 指标 ÷ 实际 (90 → 120 万元, 5 → 3.75)."""
    return w if a <= t else w * _ratio(t, a)


def reverse_linear_score(t: Decimal, a: Decimal, w: Decimal) -> Decimal:
    """≤, linear formula: met → 分值; else 分值 × (1 − (实际 − 指标) ÷ 指标), ≥ 0 (90 → 120, 5 → 3.33)."""
    if a <= t:
        return w
    if t <= 0:
        return ZERO
    return w * max(ZERO, ONE - (a - t) / t)


def _numeric(op: str, t: Decimal, a: Decimal, w: Decimal, pack: RulePack) -> tuple[Decimal, bool, str]:
    if op == "<=":
        rule = "reverse_ratio" if pack.reverse_formula == "ratio" else "reverse_linear"
        formula = reverse_ratio_score if rule == "reverse_ratio" else reverse_linear_score
        return formula(t, a, w), a <= t, rule
    if op == "=" and t == 0:
        met = a <= 0
        return (w if met else ZERO), met, "zero"
    if op == ">":
        return (w if a > t else ZERO), a > t, "strict_gt"
    if op == "<":
        return (w if a < t else ZERO), a < t, "strict_lt"
    return positive_score(t, a, w), a >= t, ("equal" if op == "=" else "positive")


def _day(date: tuple[int, int, int]) -> _dt.date | None:
    year, month, day = date
    try:
        if day == 0:
            day = calendar.monthrange(year, month)[1]
        return _dt.date(year, month, day)
    except (ValueError, TypeError):
        return None


def _deadline(target: Measure, actual: Measure, w: Decimal, pack: RulePack):
    """A date target: no later than it (the default), or no earlier (``2023年6月以后``, ``起``).

    An actual given only to the month (``2023年12月``) meets a deadline inside that month
    (``2023年12月15日``): the two are compared at the month, the precision both carry.
    """
    due, done = _day(target.date), _day(actual.date)  # type: ignore[arg-type]
    if due is None or done is None:
        return None, None, "unparsed"
    by_month = actual.date[2] == 0 or target.date[2] == 0  # type: ignore[index]
    a, t = (done.replace(day=1), due.replace(day=1)) if by_month else (done, due)
    if target.op in (">=", ">"):  # no earlier than
        met = a >= t if target.op == ">=" else a > t
        return (w if met else ZERO), met, "deadline"
    if a <= t:
        return w, True, "deadline"
    if pack.deadline_formula == "proportional":
        late = Decimal((done - due).days)
        return w * max(ZERO, ONE - late / Decimal(365)), False, "deadline"
    return ZERO, False, "deadline"


def is_deviation(target: Measure, actual: Measure, level2: str | None, pack: RulePack) -> bool:
    """Platform 指标偏离: a positive target exceeded by ≥ deviation_rate (≥100场次 → 160场次 at 30 %)."""
    if pack.deviation_rate is None:
        return False
    pair = comparable(target, actual)
    if pair is None or effective_operator(target, level2, pack) not in (">=", "=", ">"):
        return False
    t, a = pair
    return t > 0 and a >= t * (ONE + pack.deviation_rate)


# --------------------------------------------------------------------------------------------
# indicators: qualitative


def five_grade_share(actual: Measure, pack: RulePack) -> Decimal | None:
    """``优`` → 1, ``良`` → 0.8 … when the actual is exactly one grade of the pack's scale."""
    text = actual.text.strip()
    return next((share for g, share in pack.five_grade if g == text), None)


def classify_band(target: Measure, actual: Measure, pack: RulePack) -> Band | None:
    """The qualitative band implied by the actual: by percentage, by the pack's phrases, or by
    equal text. The phrases (band keywords, negations, "none happened" words) are data in the
    rule pack's ``[qualitative]`` section; the order of the steps is documented there.

    ``有一定增强`` → ``95%``: 达成; → ``达到预期``: 达成; → ``部分完成``: 部分达成;
    → ``未完成``: 未达成; → ``70%``: 部分达成; → ``效果不够明显``: 部分达成.
    """
    if actual.kind == "number" and actual.value is not None and actual.unit in RATIO_UNITS:
        p = actual.value * actual.scale if actual.scale != 1 else actual.value / 100
        return _band_by_rank(pack, p)
    text = actual.text.strip()
    if not text or not pack.bands:
        return None
    share = _PERCENT_IN_TEXT.fullmatch(text.replace("％", "%"))
    if share:  # 完成60%, 完成率95%: banded by the value, not by the word 完成
        return _band_by_rank(pack, Decimal(share.group(1)) / 100)
    if _none_happened_pattern(*pack.none_happened).search(text):  # 无差错, 零投诉
        return pack.bands[0]
    negated = _negated_top(pack).search(text)
    if negated:  # 未能完成, 不及时, 效果不明显: the top band's words, negated
        partial = bool(negated.group(1)) and len(pack.bands) > 1
        return pack.bands[1] if partial else pack.bands[-1]
    for name in pack.band_match_order:
        band = pack.band(name)
        if band:
            pattern = keywords_pattern(tuple(band.keywords))
            if pattern is not None and pattern.search(text):
                return band
    if target.text and text == target.text.strip():
        return pack.bands[0]
    return None


# a word or two, then one percentage: 完成60%, 完成率95%, 达到85% (notation, not a phrase)
_PERCENT_IN_TEXT = re.compile(r"[^\d%]{1,6}?(\d+(?:\.\d+)?)\s*%")


def _alternation(words: tuple[str, ...]) -> str:
    """Longest first, so that 未能 is tried before 未; ``(?!)`` (never matches) for no words."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"


@lru_cache(maxsize=16)
def _none_happened_pattern(prefixes: tuple[str, ...], qualifiers: tuple[str, ...],
                           events: tuple[str, ...]) -> re.Pattern[str]:
    """"None of the bad thing happened": 无差错, 零投诉, 未发生安全事故 (差 alone is a bottom word)."""
    optional = f"(?:{_alternation(qualifiers)})?" if qualifiers else ""
    return re.compile(f"(?:{_alternation(prefixes)}){optional}(?:{_alternation(events)})")


def _negated_top(pack: RulePack) -> re.Pattern[str]:
    """The top band's phrases right after a negation (``未能完成``, ``不及时``), an adverb
    allowed between (``未按期完成``); group 1 holds a ``negated_partial`` word (``未全部完成``,
    ``不够明显``: the middle band).

    >>> from xltools.core.rulepack import load_rulepack
    >>> p = _negated_top(load_rulepack())
    >>> [bool(p.search(t)) for t in ("未能完成", "效果不明显", "不断提升", "按时完成")]
    [True, True, False, False]
    >>> p.search("未全部完成").group(1), p.search("尚未达到预期").group(1)
    ('全部', None)
    """
    keywords = tuple(pack.bands[0].keywords) if pack.bands else ()
    return _negation_pattern(pack.negations, pack.negated_partial, pack.negated_adverbs, keywords)


@lru_cache(maxsize=16)
def _negation_pattern(negations: tuple[str, ...], partial: tuple[str, ...], adverbs: tuple[str, ...],
                      keywords: tuple[str, ...]) -> re.Pattern[str]:
    partial_group = f"({_alternation(partial)})?" if partial else "()?"
    adverb_group = f"(?:{_alternation(adverbs)})?" if adverbs else ""
    return re.compile(f"(?:{_alternation(negations)}){partial_group}{adverb_group}"
                      f"(?:{_alternation(keywords)})")


@lru_cache(maxsize=64)
def keywords_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regular expression finding any of ``keywords`` in a text (``None``: no keywords).

    >>> keywords_pattern(("资金", "支付")).search("款项未支付完") is not None
    True
    """
    if not keywords:
        return None
    return re.compile("|".join(re.escape(k) for k in keywords))


def _band_by_rank(pack: RulePack, p: Decimal) -> Band:
    """Top band for p ≥ top_percent, middle for p ≥ middle_percent, else bottom (bands sorted high→low)."""
    if p >= pack.band_top_rate:
        return pack.bands[0]
    if p >= pack.band_middle_rate and len(pack.bands) > 1:
        return pack.bands[1]
    return pack.bands[-1]


def band_range(band: Band, w: Decimal) -> tuple[Decimal, Decimal]:
    return band.low * w, band.high * w


def in_band(score: Decimal, band: Band, w: Decimal, tol: Decimal = ZERO) -> bool:
    """Inside [low, high] for the top band, [low, high) for the others (with tolerance at the low end)."""
    low, high = band_range(band, w)
    if score < low - tol:
        return False
    return score <= high + tol if band.high_inclusive else score < high


def clamp_to_band(score: Decimal, band: Band, w: Decimal, places: int) -> Decimal:
    low, high = band_range(band, w)
    if not band.high_inclusive:
        high -= Decimal(1).scaleb(-places)
    return min(max(score, low), high)


# --------------------------------------------------------------------------------------------
# one indicator


def _scored(target: Measure, actual: Measure, w: Decimal, level2: str | None, reported: Decimal | None,
            pack: RulePack) -> tuple[Decimal | None, bool | None, str, Band | None]:
    if target.kind == "date" and actual.kind == "date":
        score, met, rule = _deadline(target, actual, w, pack)
        return score, met, rule, None
    if target.kind == "qualitative" or (target.kind == "number" and actual.kind == "qualitative"
                                        and five_grade_share(actual, pack) is not None):
        share = five_grade_share(actual, pack)
        if share is not None:
            return w * share, None, "five_grade", None
        band = classify_band(target, actual, pack)
        if band is None:
            return None, None, "qualitative", None
        score = None if reported is None else clamp_to_band(reported, band, w, pack.score_places)
        return score, None, "qualitative", band
    if target.kind == "unparsed" or actual.kind == "unparsed":
        return None, None, "unparsed", None
    pair = comparable(target, actual)
    if pair is None:
        return None, None, "not_comparable", None
    op = effective_operator(target, level2, pack)
    score, met, rule = _numeric(op, pair[0], pair[1], w, pack)
    if is_deviation(target, actual, level2, pack):
        score = max(ZERO, score - pack.deviation_penalty)
    return score, met, rule, None


def is_not_applicable(target: Measure, actual: Measure, weight: Decimal | None) -> bool:
    """``/`` rows and blank template rows: not scored, no weight."""
    if target.kind == "not_applicable":
        return True
    return target.kind == "empty" and actual.kind in ("empty", "not_applicable") and not weight


def score_measures(target: Measure, actual: Measure, weight: Decimal | None, level2: str | None,
                   pack: RulePack, reported: Decimal | None = None
                   ) -> tuple[Decimal | None, bool | None, str, Band | None, bool]:
    """(score, met, rule, band, applicable) for parsed measures; the core of :func:`score_indicator`."""
    if is_not_applicable(target, actual, weight):
        return None, None, "not_applicable", None, False
    if target.kind == "empty":
        return None, None, "unparsed", None, True
    if weight is None:
        # no 分值 (county forms without score columns): say whether the target was met, score nothing
        _score, met, rule, _band = _scored(target, actual, ONE, level2, None, pack)
        return None, met, rule, None, True
    score, met, rule, band = _scored(target, actual, weight, level2, reported, pack)
    if score is not None:
        score = round_half_up(score, pack.score_places)
    return score, met, rule, band, True


def score_indicator(ind: Indicator, pack: RulePack) -> IndicatorResult:
    """Score one 三级指标 row by the pack.

    数量指标 | 开展全民志愿服务次数 | ≥3次 | 4次 | 5 | 5  →  positive, met, score 5.
    """
    target, actual = parse_cell(ind.target), parse_cell(ind.actual)
    weight, reported = cell_number(ind.weight), cell_number(ind.score)
    score, met, rule, band, applicable = score_measures(target, actual, weight, ind.level2, pack, reported)
    return IndicatorResult(
        indicator=ind, target=target, actual=actual, weight=weight if applicable else None,
        reported_score=reported, score=score, met=met, rule=rule,
        band=band_range(band, weight) if band is not None and weight is not None else None,
        applicable=applicable,
    )


def band_of(ir: IndicatorResult, pack: RulePack) -> Band | None:
    """The :class:`Band` behind a qualitative result (None for other rules)."""
    if ir.rule != "qualitative":
        return None
    return classify_band(ir.target, ir.actual, pack)


# --------------------------------------------------------------------------------------------
# grade, UDF entry point, candidate rules


def grade(total: Decimal | None, pack: RulePack) -> str:
    """优 ≥ 90, 良 ≥ 80, 中 ≥ 60, else 差 (half-open: 89.99 → 良, 90 → 优); "" for no total."""
    if total is None:
        return ""
    for name, minimum in pack.grades:
        if total >= minimum:
            return name
    return pack.grades[-1][0] if pack.grades else ""


def score_values(target, actual, weight, level2: str | None = None, pack: RulePack | None = None
                 ) -> tuple[Decimal | None, bool | None, str]:
    """For Excel UDFs: ``score_values("≧85%", "80%", 10)`` → ``(Decimal('9.41'), False, 'positive')``."""
    pack = pack or load_rulepack()
    t = parse_cell(Cell(target if not isinstance(target, (int, float)) else to_decimal(target)))
    a = parse_cell(Cell(actual if not isinstance(actual, (int, float)) else to_decimal(actual)))
    w = to_decimal(weight) if not isinstance(weight, Decimal) else weight
    score, met, rule, _band, _applicable = score_measures(t, a, w, level2, pack)
    return score, met, rule


def candidate_scores(ir: IndicatorResult, pack: RulePack,
                     execution_rate: Decimal | None = None) -> dict[str, Decimal]:
    """The score of this row under every known rule, so the audit can say which one a reported
    number matches.

    成本指标 | 严格控制…经费成本 | 115.8 | 68.43 | 10  (执行率 59.09 %) →
    {'full': 10, 'zero_score': 0, 'positive': 5.91, 'reverse_ratio': 10, 'reverse_linear': 10,
     'budget_proportional': 5.91}
    """
    w = ir.weight
    if w is None:
        return {}
    places = pack.score_places
    out = {"full": w, "zero_score": ZERO}
    pair = comparable(ir.target, ir.actual)
    if pair is not None:
        t, a = pair
        out["positive"] = positive_score(t, a, w)
        out["reverse_ratio"] = reverse_ratio_score(t, a, w)
        out["reverse_linear"] = reverse_linear_score(t, a, w)
        if t == 0:
            out["zero"] = w if a <= 0 else ZERO
    if execution_rate is not None:
        out["budget_proportional"] = w * min(max(execution_rate, ZERO), ONE)
    return {k: round_half_up(v, places) for k, v in out.items()}


def matching_rules(ir: IndicatorResult, pack: RulePack, execution_rate: Decimal | None = None) -> list[str]:
    """Names of the known rules whose score equals the reported score (within tolerance)."""
    if ir.reported_score is None:
        return []
    cands = candidate_scores(ir, pack, execution_rate)
    return [k for k, v in cands.items() if abs(v - ir.reported_score) <= pack.tol_score]
