"""The notation parser: a 年度指标值 or 实际完成值 as written → a typed :class:`Measure`.

Forms write the same thing many ways (``≥10次``, ``≧10%``, ``>=`` ``98`` ``%(百分比)``,
``大于等于90%以上``, ``不少于12 种``, ``2020年12月底前``, ``/``, ``有一定增强``). This module turns
every one of them into a :class:`~xltools.core.model.Measure` and never raises: what it cannot
read becomes ``kind="unparsed"`` with a Chinese note saying why (see ``docs/notations.md`` in
the shared material for where each notation was seen).

Worked examples::

    >>> m = parse_measure("≧10%")
    >>> (m.kind, m.op, m.value, m.unit, m.base)
    ('number', '>=', Decimal('10'), '%', Decimal('0.10'))
    >>> m = parse_measure("大于等于90%以上")
    >>> (m.op, m.value, m.unit)
    ('>=', Decimal('90'), '%')
    >>> m = parse_measure("不少于12 种")
    >>> (m.op, m.value, m.unit)
    ('>=', Decimal('12'), '种')
    >>> parse_measure("820.58万元").base
    Decimal('8205800.00')
    >>> m = parse_measure("2020年12月底前")
    >>> (m.kind, m.op, m.date)
    ('date', '<=', (2020, 12, 0))
    >>> m = parse_measure("1年")
    >>> (m.kind, m.value, m.unit)
    ('number', Decimal('1'), '年')
    >>> parse_measure(Decimal("0.76"), number_format="0%").value
    Decimal('76.00')
    >>> parse_measure("—").kind, parse_measure(None).kind, parse_measure("有一定增强").kind
    ('not_applicable', 'empty', 'qualitative')
    >>> m = parse_measure("12..5%")
    >>> (m.kind, m.note)
    ('unparsed', '数值格式有误：“12..5%”')
    >>> parse_rate("76%"), parse_rate(Decimal("76")), parse_rate("/")
    (Decimal('0.76'), Decimal('0.76'), None)
    >>> t, a, note = align_units(parse_measure("≥95%"), parse_measure(Decimal("0.95")))
    >>> (a.value, a.unit, note)
    (Decimal('95.00'), '%', '实际完成值0.95未写单位，按比例理解为95%')
    >>> normalise_text("其中：当年财政拨款 （万元）")
    '其中:当年财政拨款(万元)'
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache

from .decimals import HUNDRED, fmt, to_decimal
from .model import Measure, Operator

# ---------------------------------------------------------------------------------------------
# Data: characters, operator words and units
# ---------------------------------------------------------------------------------------------

# What NFKC leaves alone but forms use as operators or spaces (NFKC already maps ＝＞＜％０-９ and
# ﹦ to ASCII, full-width ： （ ） to ASCII, and U+3000 / NBSP to a space).
_EXPLICIT = str.maketrans({
    "≧": ">=", "≥": ">=", "⩾": ">=",
    "≦": "<=", "≤": "<=", "⩽": "<=",
    "═": "=", "﹦": "=", "＝": "=",
    "\u3000": " ", "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "",
    "\u2212": "-",  # MINUS SIGN
})

# Operator words and symbols written before the number (matched longest first on the compact,
# normalised text). ``None`` means "approximately": no operator, but worth a note.
PREFIX_OPERATORS: dict[str, Operator | None] = {
    ">=": ">=", "=>": ">=", "大于或等于": ">=", "大于等于": ">=", "不少于": ">=", "不低于": ">=",
    "不小于": ">=", "至少": ">=", "达到": ">=", "不早于": ">=",
    "<=": "<=", "=<": "<=", "小于或等于": "<=", "小于等于": "<=", "不高于": "<=", "不超过": "<=",
    "不多于": "<=", "不大于": "<=", "控制在": "<=", "最多": "<=", "不晚于": "<=",
    "==": "=", "=": "=", "等于": "=",
    ">": ">", "大于": ">", "高于": ">", "超过": ">", "多于": ">",
    "<": "<", "小于": "<", "低于": "<", "少于": "<",
    "约": None, "大约": None,
}

# Operator words written after the number and unit (``95%以上``, ``5天内``).
SUFFIX_OPERATORS: dict[str, Operator | None] = {
    "及以上": ">=", "或以上": ">=", "(含)以上": ">=", "以上": ">=",
    "及以下": "<=", "或以下": "<=", "(含)以下": "<=", "以下": "<=",
    "以内": "<=", "之内": "<=", "内": "<=",
    "左右": None,
}

# Words after a date: 前 = no later than, 后/起 = no earlier than.
DATE_SUFFIX_OPERATORS: dict[str, Operator] = {
    "底前": "<=", "之前": "<=", "以前": "<=", "前": "<=", "内": "<=",
    "之后": ">=", "以后": ">=", "后": ">=", "起": ">=",
}

PLACEHOLDER_WORDS = frozenset({"无", "不适用", "不涉及", "未涉及", "暂无", "n/a", "na"})

# Units that normalise to another spelling, with the scale to a comparable base.
NAMED_UNITS: dict[str, tuple[str, Decimal]] = {
    "%": ("%", Decimal("0.01")), "百分比": ("%", Decimal("0.01")),
    "%(百分比)": ("%", Decimal("0.01")), "(百分比)": ("%", Decimal("0.01")),
    "‰": ("‰", Decimal("0.001")), "千分比": ("‰", Decimal("0.001")),
    "元": ("元", Decimal(1)), "千元": ("千元", Decimal(1000)), "万元": ("万元", Decimal(10000)),
    "百万元": ("百万元", Decimal(1000000)), "亿元": ("亿元", Decimal(100000000)),
    "年": ("年", Decimal(1)), "个月": ("月", Decimal(1)), "月": ("月", Decimal(1)),
    "天": ("天", Decimal(1)), "日": ("天", Decimal(1)), "周": ("周", Decimal(1)),
    "个工作日": ("工作日", Decimal(1)), "工作日": ("工作日", Decimal(1)),
    "小时": ("小时", Decimal(1)), "个小时": ("小时", Decimal(1)),
}
MONEY_UNITS = frozenset({"元", "千元", "万元", "百万元", "亿元"})

# Count and physical units: kept as written, scale 1 (``万`` in front multiplies by 10000).
COUNT_UNITS = frozenset(
    "个 家 次 件 册 部 篇 批 场 场次 人 人次 户 例 种 项 所 套 台 辆 起 宗 名 位 座 期 课时 本 份 "
    "条 处 村 间 栋 张 株 棵 头 只 盏 枚 支 队 组 班 届 轮 单 笔 篇次 册次 期次 页 首 幅 集 份次 "
    "千户 万户 户次 家次 所次 个次 项次 村次".split()
)
MEASURE_UNITS = frozenset(
    "吨 公斤 千克 斤 平方米 平方公里 立方米 米 千米 公里 亩 公顷 千瓦 兆瓦 千瓦时 度 床 车次".split()
)

# Words after a unit that describe the value but do not change it (``100%完成``).
_IGNORABLE_TAIL = ("完成", "完工", "竣工", "达成", "实现")

# A magnitude alone is not a unit: ``约8千`` could be 8000 人 or 8 千元, so it is not guessed.
_MAGNITUDES = frozenset({"十", "百", "千", "万", "亿", "十万", "百万", "千万"})

# Longest unit spelling accepted when it is not in the tables above (``0起`` style units).
_MAX_FREE_UNIT = 4
_MAX_ABS = Decimal("1e15")  # nothing on a form is this large; larger is a typo or garbage
_YEAR_ONLY = (1990, 2100)  # a bare ``2020年`` is a date only inside this range
_YEAR_ANY = (1900, 2100)

_PERCENT_SCALE = Decimal("0.01")

# ---------------------------------------------------------------------------------------------
# Precompiled patterns
# ---------------------------------------------------------------------------------------------


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_WS = re.compile(r"\s+")
_WS_NEAR_WIDE = re.compile(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ")
_WS_NOT_BETWEEN_DIGITS = re.compile(r"(?<![0-9])\s+|\s+(?![0-9])")
_THOUSANDS = re.compile(r"(?<![0-9.])[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9])")
_PLACEHOLDER = re.compile(r"[/\\\-–—―─‐‑‒.…_~]+")
_PREFIX_OP = re.compile("^(?:" + _alternation(PREFIX_OPERATORS) + ")")
_ANY_OP_START = re.compile(r"^(?:[<>=]|" + _alternation(w for w in PREFIX_OPERATORS if w) + ")")
_SUFFIX_OP = re.compile("(?:" + _alternation(SUFFIX_OPERATORS) + ")$")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_DIGIT = re.compile(r"[0-9]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_DATE_CN = re.compile(
    r"(?P<y>[0-9]{4})年(?:(?P<m>[0-9]{1,2})月(?:(?P<d>[0-9]{1,2})[日号])?)?"
    r"(?P<end>年底|年末|底|末)?"
    r"(?P<rel>" + _alternation(DATE_SUFFIX_OPERATORS) + r")?"
    r"(?:" + _alternation(_IGNORABLE_TAIL) + r")?"
)
_DATE_SEP = re.compile(
    r"(?P<y>[0-9]{4})(?P<sep>[.\-/])(?P<m>[0-9]{1,2})(?:(?P=sep)(?P<d>[0-9]{1,2}))?"
    r"(?P<rel>" + _alternation(DATE_SUFFIX_OPERATORS) + r")?"
)
_MONTH_NO_YEAR = re.compile(r"[0-9]{1,2}月(?:[0-9]{1,2}[日号])?(?:底|末)?(?:前|之前|以前)?")
_FORMAT_QUOTED = re.compile(r'"([^"]*)"')
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')

# ---------------------------------------------------------------------------------------------
# Text normalisation
# ---------------------------------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """NFKC, explicit mapping of what NFKC leaves (``≧ ≥ ≦ ≤ ═``), whitespace cleanup.

    Runs of whitespace become one space; spaces next to a Chinese (non-ASCII) character go,
    so ``不少于12 种`` → ``不少于12种`` and ``绩 效 指 标`` → ``绩效指标`` while ``N / A`` keeps
    its ASCII spacing. Used for measures and for label matching::

        >>> normalise_text("产出指标（50分）")
        '产出指标(50分)'
        >>> normalise_text("≧１００％")
        '>=100%'
    """
    if not isinstance(text, str):
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_EXPLICIT)
    text = _WS.sub(" ", text).strip()
    if " " in text and not text.isascii():
        text = _WS_NEAR_WIDE.sub("", text)
    return text


def _compact(text: str) -> str:
    """The measure form of ``text``: normalised, no whitespace, no thousands separators."""
    text = normalise_text(text)
    text = _WS_NOT_BETWEEN_DIGITS.sub("", text)
    if "," in text:
        text = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), text)
    return text


# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def resolve_unit(unit: str) -> tuple[str, Decimal] | None:
    """A unit as written → ``(normalised unit, scale)``; ``None`` when it is not a known unit.

    >>> resolve_unit("%(百分比)")
    ('%', Decimal('0.01'))
    >>> resolve_unit("元/生/年")
    ('元/生/年', Decimal('1'))
    >>> resolve_unit("万人次")
    ('万人次', Decimal('10000'))
    >>> resolve_unit("有一定增强") is None
    True
    """
    unit = _compact(unit)
    if len(unit) > 2 and unit[0] == "(" and unit[-1] == ")":
        unit = unit[1:-1]
    if unit in NAMED_UNITS:
        return NAMED_UNITS[unit]
    if unit in COUNT_UNITS or unit in MEASURE_UNITS:
        return unit, Decimal(1)
    if "/" in unit:  # a rate such as 元/生/年 or 万元/人: the money prefix gives the scale
        head = unit.split("/", 1)[0]
        if head in MONEY_UNITS and unit.rstrip("/") != head:
            return unit, NAMED_UNITS[head][1]
        if head in COUNT_UNITS or head in ("次", "人次"):
            return unit, Decimal(1)
        return None
    if len(unit) > 1 and unit[0] == "万" and (unit[1:] in COUNT_UNITS or unit[1:] in MEASURE_UNITS):
        return unit, Decimal(10000)
    return None


def _unit_of(tail: str) -> tuple[str | None, Decimal, str | None] | str:
    """After the number → ``(unit, scale, note)``, or "qualitative"/"magnitude"/"unparsed"."""
    if not tail:
        return None, Decimal(1), None
    known = resolve_unit(tail)
    if known:
        return known[0], known[1], None
    for word in _IGNORABLE_TAIL:
        if tail.endswith(word) and len(tail) > len(word):
            head = tail[: -len(word)]
            known = resolve_unit(head)
            if known:
                return known[0], known[1], f"忽略了单位后的“{word}”"
    if tail in _MAGNITUDES:
        return "magnitude"  # 约8千: a magnitude without a unit
    if not any(ch.isalpha() for ch in tail):
        return "unparsed"  # 100%%: symbols, not a unit
    if len(tail) <= _MAX_FREE_UNIT and tail[0] not in "(.:;,":
        return tail, Decimal(1), f"未识别的单位“{tail}”，按原样保留"
    return "qualitative"


# ---------------------------------------------------------------------------------------------
# Operators
# ---------------------------------------------------------------------------------------------

_DIRECTION = {">=": ">", ">": ">", "<=": "<", "<": "<", "=": "="}


def _combine(prefix: Operator | None, suffix: Operator | None) -> tuple[Operator | None, bool]:
    """Prefix and suffix operators → one operator; ``ok`` is False when they contradict.

    ``大于等于…以上`` (>= and >=) is redundant, not a contradiction; ``大于…以上`` keeps the
    explicit strict prefix.
    """
    if prefix is None or suffix is None:
        return prefix or suffix, True
    if _DIRECTION[prefix] != _DIRECTION[suffix]:
        return None, False
    return prefix, True


def _take_prefix(text: str) -> tuple[Operator | None, str, bool]:
    """``(op, rest, had_prefix)``: a leading operator word or symbol removed."""
    m = _PREFIX_OP.match(text)
    if not m:
        return None, text, False
    return PREFIX_OPERATORS[m.group(0)], text[m.end():], True


def _take_suffix(text: str) -> tuple[Operator | None, str, str | None]:
    """``(op, rest, word)``: a trailing operator word (``以上``, ``以内``…) removed."""
    m = _SUFFIX_OP.search(text)
    if not m or m.start() == 0:
        return None, text, None
    return SUFFIX_OPERATORS[m.group(0)], text[: m.start()], m.group(0)


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------


def _unparsed(text: str, why: str) -> Measure:
    return Measure("unparsed", text=text, note=why)


def _date_measure(text: str, y: int, m: int, d: int, op: Operator | None, note=None) -> Measure:
    if not (_YEAR_ANY[0] <= y <= _YEAR_ANY[1]):
        return _unparsed(text, f"日期的年份不合理：“{text}”")
    if not 1 <= m <= 12:
        return _unparsed(text, f"日期的月份不合理：“{text}”")
    if d and d > calendar.monthrange(y, m)[1]:
        return _unparsed(text, f"日期的日不合理：“{text}”")
    return Measure("date", text=text, op=op, date=(y, m, d), note=note)


def _parse_date(text: str, core: str, op: Operator | None) -> Measure | None:
    """``2020年12月底前``, ``2020年底``, ``2020.12``, ``2020-12-31`` → a date measure."""
    m = _DATE_CN.fullmatch(core)
    sep = None
    if not m:
        m = _DATE_SEP.fullmatch(core)
        if not m:
            if _MONTH_NO_YEAR.fullmatch(core) and not core.endswith("月"):
                return _unparsed(text, f"日期缺少年份：“{text}”")
            return None
        sep = m.group("sep")
    y = int(m.group("y"))
    month, day = m.group("m"), m.group("d")
    if month is None and not (_YEAR_ONLY[0] <= y <= _YEAR_ONLY[1]):
        return None  # ``1000年`` style: a duration, not a year
    if sep == "." and day is None and (len(month) != 2 or not 1 <= int(month) <= 12
                                       or not _YEAR_ONLY[0] <= y <= _YEAR_ONLY[1]):
        return None  # ``2020.5`` is a number
    rel = DATE_SUFFIX_OPERATORS.get(m.group("rel") or "")
    op, ok = _combine(op, rel)
    if not ok:
        return _unparsed(text, f"运算符前后矛盾：“{text}”")
    note = f"“{text}”按日期（年.月）理解" if sep == "." and day is None else None
    return _date_measure(text, y, int(month) if month else 12, int(day) if day else 0, op, note)


def _no_number(text: str, core: str) -> Measure:
    """Text without any digit: words are qualitative; a bare operator or unit is unparsed."""
    _, rest, had_op = _take_prefix(core)
    _, rest, suffix_word = _take_suffix(rest)
    if not rest and (had_op or suffix_word):
        return _unparsed(text, f"只有运算符，没有数值：“{text}”")
    if rest[:1] in ("<", ">", "="):
        return _unparsed(text, f"运算符重复或没有数值：“{text}”")
    if resolve_unit(rest):
        return _unparsed(text, f"只有单位，没有数值：“{text}”")
    return Measure("qualitative", text=text)


# a remark in brackets after a value: ≥95%（含）, ≥10次（全年累计）, 100%（按季度考核）
_TRAILING_REMARK = re.compile(r"(.*\d.*?)\(([^()\d]*)\)")


def _parse_text(text: str) -> Measure:
    core = _compact(text)
    if not core:
        return Measure("empty", text=text)
    if _PLACEHOLDER.fullmatch(core) or core.lower() in PLACEHOLDER_WORDS:
        return Measure("not_applicable", text=text)
    if not _DIGIT.search(core):
        return _no_number(text, core)
    remark = _TRAILING_REMARK.fullmatch(core) if core.endswith(")") else None
    if remark:
        # the value without its bracketed remark, when that alone is a number or a date
        # (a unit in brackets, 20(万元), is read as a unit by the parser itself)
        bare = _parse_text(remark.group(1))
        if bare.kind in ("number", "date") and not resolve_unit(remark.group(2)):
            return replace(bare, text=text)

    op, rest, had_op = _take_prefix(core)
    if had_op and _ANY_OP_START.match(rest):
        return _unparsed(text, f"运算符重复：“{text}”")

    date = _parse_date(text, rest, op)
    if date is not None:
        return date

    num = _NUMBER.search(rest)
    if num is None:
        return _unparsed(text, f"无法识别的数值：“{text}”")
    head = rest[: num.start()]
    if head:
        if _CJK.search(head):
            return Measure("qualitative", text=text)  # 受益群众人数每年有10%的增加
        return _unparsed(text, f"数值前有无法识别的字符：“{text}”")
    tail = rest[num.end():]
    if tail[:1] in (".", ",") or tail[:1].isdigit():
        return _unparsed(text, f"数值格式有误：“{text}”")

    suffix, tail, suffix_word = _take_suffix(tail)
    if _DIGIT.search(tail):
        if len(_CJK.findall(tail)) >= 2:
            return Measure("qualitative", text=text)
        return _unparsed(text, f"数值中夹有其他字符：“{text}”")
    op, ok = _combine(op, suffix)
    if not ok:
        return _unparsed(text, f"运算符前后矛盾：“{text}”")
    unit = _unit_of(tail)
    if unit == "qualitative":
        return Measure("qualitative", text=text)
    if unit == "magnitude":
        return _unparsed(text, f"只有数量级“{tail}”，缺少计量单位：“{text}”")
    if unit == "unparsed":
        return _unparsed(text, f"数值后的单位无法识别：“{text}”")
    unit_name, scale, note = unit
    if (had_op and op is None) or suffix_word == "左右":
        note = "约数，按数值本身比较" if note is None else note
    value = Decimal(num.group(0))
    if abs(value) >= _MAX_ABS:
        return _unparsed(text, f"数值过大：“{text}”")
    return Measure("number", text=text, op=op, value=value, unit=unit_name, scale=scale,
                   note=note)


@lru_cache(maxsize=8192)
def _parse_text_cached(text: str) -> Measure:
    return _parse_text(text)


@lru_cache(maxsize=256)
def _format_info(number_format: str) -> tuple[bool, str | None]:
    """Excel number format → ``(is_percent, unit literal)``.

    ``0.00%`` scales by 100; ``0"%"`` only shows a percent sign; ``#,##0.00"万元"`` names a unit.

    >>> _format_info("0.00%"), _format_info('0"%"'), _format_info('#,##0.00"万元"')
    ((True, None), (False, '%'), (False, '万元'))
    """
    section = number_format.split(";", 1)[0]
    percent = "%" in _FORMAT_NOISE.sub("", section)
    unit = None
    for literal in _FORMAT_QUOTED.findall(section):
        known = resolve_unit(literal.strip()) if literal.strip() else None
        if known:
            unit = literal.strip()
    return percent, unit


def _parse_number(value, number_format: str | None) -> Measure:
    number = to_decimal(value)
    if number is None:
        return _unparsed(str(value), "不是有效的数值")
    if abs(number) >= _MAX_ABS:
        return _unparsed(str(value)[:50], "数值过大")
    percent, literal = _format_info(number_format) if number_format else (False, None)
    if percent:
        number = number * HUNDRED
        unit, scale, text = "%", _PERCENT_SCALE, fmt(number, 2) + "%"
    elif literal:
        unit, scale = resolve_unit(literal)  # type: ignore[misc]
        text = fmt(number, 6) + literal
    else:
        unit, scale, text = None, Decimal(1), fmt(number, 6)
    return Measure("number", text=text, value=number, unit=unit, scale=scale,
                   numeric_cell=number_format is None)


def _parse_any(value, number_format: str | None) -> Measure:
    if value is None:
        return Measure("empty")
    if isinstance(value, bool):
        return _unparsed("是" if value else "否", "逻辑值（TRUE/FALSE），不是指标值")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return Measure("empty", text="")
        return _parse_text_cached(text)
    if isinstance(value, (int, float, Decimal)):
        return _parse_number(value, number_format if isinstance(number_format, str) else None)
    return _unparsed(str(value)[:50], f"不支持的值类型：{type(value).__name__}")


def parse_measure(value: str | Decimal | int | float | None, *,
                  number_format: str | None = None, unit_hint: str | None = None) -> Measure:
    """A target or actual (text or a number with its Excel format) → :class:`Measure`.

    Never raises. ``unit_hint`` (a 度量单位 cell, or the unit in an indicator name) is used only
    when the value itself has no unit::

        >>> parse_measure(Decimal("95"), unit_hint="%").unit
        '%'
        >>> parse_measure("≥100场次", unit_hint="%").unit
        '场次'
    """
    try:
        measure = _parse_any(value, number_format)
        if unit_hint and measure.kind == "number" and measure.unit is None:
            known = resolve_unit(unit_hint)
            if known:
                measure = replace(measure, unit=known[0], scale=known[1],
                                  note=f"单位取自“{unit_hint.strip()}”")
        return measure
    except Exception:  # pragma: no cover - last line of defence, see tests
        return _unparsed(str(value)[:50] if value is not None else "", "无法识别的内容")


def parse_rate(value: str | Decimal | int | float | None, *,
               number_format: str | None = None) -> Decimal | None:
    """执行率 as a fraction (``76%`` → 0.76); ``None`` for placeholders, blanks and garbage.

    A number without a format is a fraction when ≤ 2 (0.76, 1.05) and a percent otherwise
    (76 → 0.76)::

        >>> parse_rate("100.00%") == 1, parse_rate(Decimal("0.76"), number_format="0%")
        (True, Decimal('0.76'))
    """
    try:
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float, Decimal)):
            number = to_decimal(value)
            if number is None or abs(number) >= _MAX_ABS:
                return None
            if isinstance(number_format, str) and _format_info(number_format)[0]:
                return number
            return number if number <= 2 else number / HUNDRED
        measure = parse_measure(value)
        if measure.kind != "number" or measure.op not in (None, "="):
            return None
        if measure.unit in ("%", "‰"):
            return measure.base
        if measure.unit is None:
            return measure.value if measure.value <= 2 else measure.value / HUNDRED
        return None
    except Exception:  # pragma: no cover - last line of defence
        return None


# ---------------------------------------------------------------------------------------------
# Comparing a target with an actual
# ---------------------------------------------------------------------------------------------

UNIT_MISMATCH = "单位不一致"
UNIT_INCOMPARABLE = "无法比较"

# Units of one family convert into each other: family → (unit → factor to the family base).
_TIME_FAMILIES = {"年": ("月", Decimal(12)), "月": ("月", Decimal(1)),
                  "周": ("天", Decimal(7)), "天": ("天", Decimal(1))}


def _family(unit: str) -> tuple[str, str]:
    """``(category, family)``: category is ratio/money/time/measure/count/other."""
    if unit in ("%", "‰"):
        return "ratio", "ratio"
    head, slash, rest = unit.partition("/")
    if head in MONEY_UNITS:
        return "money", "元" + slash + rest
    if unit in _TIME_FAMILIES:
        return "time", _TIME_FAMILIES[unit][0]
    if unit in ("工作日", "小时"):
        return "time", unit
    base = unit[1:] if unit[:1] == "万" and len(unit) > 1 else unit
    if base in MEASURE_UNITS:
        return "measure", base
    if base in COUNT_UNITS:
        return "count", base
    return "other", base


def units_comparable(target: Measure, actual: Measure) -> bool:
    """Whether the two measures' numbers can be compared at all (after :func:`align_units`)."""
    if target.unit is None or actual.unit is None or target.unit == actual.unit:
        return True
    (tc, tf), (ac, af) = _family(target.unit), _family(actual.unit)
    if tf == af:
        return True
    return tc in ("count", "other") and ac in ("count", "other")


def align_units(target: Measure, actual: Measure) -> tuple[Measure, Measure, str | None]:
    """Put target and actual on one unit for scoring; the note says what was assumed.

    - actual without unit → takes the target's unit (F04: ``≥95%`` vs ``95``); a bare fraction
      far below a percent target is read as a fraction (``≥95%`` vs ``0.95`` → 95 %).
    - 万元 vs 元, % vs ‰, 年 vs 月 → compared through ``scale`` (``base``).
    - different count units (``≧100家`` vs ``115个``) → compared by number, note 单位不一致.
    - incompatible units (``%`` vs ``次``) → note 单位不一致，无法比较.

    >>> align_units(parse_measure("≥10次"), parse_measure("11次"))[2] is None
    True
    >>> align_units(parse_measure("≧100家"), parse_measure("115个"))[2]
    '单位不一致：指标值为“家”，实际完成值为“个”，按数值比较'
    >>> t, a, note = align_units(parse_measure(Decimal("0.85")), parse_measure("90%"))
    >>> (t.value, t.unit, note)
    (Decimal('85.00'), '%', '指标值0.85未写单位，按比例理解为85%')
    """
    if target.kind != "number" or actual.kind != "number":
        return target, actual, None
    if target.unit == actual.unit:
        return target, actual, None
    if actual.unit is None:
        return _adopt_target_unit(target, actual)
    if target.unit is None:
        t, a = target.value, actual.value
        if (actual.unit == "%" and t is not None and a is not None and a > Decimal("1.5")
                and 0 <= t <= Decimal("1.5") and (target.numeric_cell or t * 10 < a)):
            # the mirror of _adopt_target_unit: ≥95% typed into a percent cell is stored as
            # 0.95, which python-calamine reads without its format; against an actual of 96%
            # it is a fraction
            percent = t * HUNDRED
            note = f"指标值{fmt(t, 6)}未写单位，按比例理解为{fmt(percent, 6)}%"
            return replace(target, value=percent, unit="%", scale=_PERCENT_SCALE), actual, note
        note = f"指标值未写单位，按实际完成值单位“{actual.unit}”理解"
        return replace(target, unit=actual.unit, scale=actual.scale), actual, note
    (tc, tf), (ac, af) = _family(target.unit), _family(actual.unit)
    if tf == af:
        if tc == "time":
            target = replace(target, scale=_TIME_FAMILIES.get(target.unit, ("", Decimal(1)))[1])
            actual = replace(actual, scale=_TIME_FAMILIES.get(actual.unit, ("", Decimal(1)))[1])
        return target, actual, f"单位换算：指标值为“{target.unit}”，实际完成值为“{actual.unit}”"
    if tc in ("count", "other") and ac in ("count", "other"):
        return target, actual, (f"{UNIT_MISMATCH}：指标值为“{target.unit}”，"
                                f"实际完成值为“{actual.unit}”，按数值比较")
    return target, actual, (f"{UNIT_MISMATCH}，{UNIT_INCOMPARABLE}：指标值为“{target.unit}”，"
                            f"实际完成值为“{actual.unit}”")


def _adopt_target_unit(target: Measure, actual: Measure) -> tuple[Measure, Measure, str | None]:
    a, t = actual.value, target.value
    if (target.unit == "%" and t is not None and a is not None and t > Decimal("1.5")
            and 0 <= a <= Decimal("1.5")
            and (actual.numeric_cell or (a * 10 < t and target.op not in ("<=", "<")))):
        # 0.95 against ≥95%: a fraction typed into an unformatted cell, read as a fraction when
        # that lands closer to the target than reading it as a percent (a < t/10) — not against
        # a ceiling (≤2% against 0.1 is 0.1 %: small rates are the point there). A number cell
        # whose format the reader could not see (python-calamine reads values, not formats) is
        # read as a fraction whenever it is at most 1.5: 1 against ≧10% is a 100 % cell.
        percent = a * HUNDRED
        note = f"实际完成值{fmt(a, 6)}未写单位，按比例理解为{fmt(percent, 6)}%"
        return target, replace(actual, value=percent, unit="%", scale=_PERCENT_SCALE), note
    note = f"实际完成值未写单位，按指标值单位“{target.unit}”理解"
    return target, replace(actual, unit=target.unit, scale=target.scale), note


__all__ = [
    "parse_measure", "parse_rate", "align_units", "normalise_text", "resolve_unit",
    "units_comparable", "UNIT_MISMATCH", "UNIT_INCOMPARABLE",
    "PREFIX_OPERATORS", "SUFFIX_OPERATORS", "NAMED_UNITS", "COUNT_UNITS",
]
