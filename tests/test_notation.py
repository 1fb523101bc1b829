"""The notation parser against every notation in shared/docs/notations.md and the seed's strings.

Each table row of notations.md is one parametrised case (its id names the section and the row);
the expected values follow the row's "Suggested handling" column.
"""

from __future__ import annotations

import re

import doctest
import json
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import xltools.core.notation as notation
from xltools.core.model import Cell, Measure
from xltools.core.notation import (
    align_units,
    normalise_text,
    parse_measure,
    parse_rate,
    units_comparable,
)

D = Decimal


def check(measure: Measure, kind: str, op=None, value=None, unit=None, date=None, scale=None):
    assert isinstance(measure, Measure)
    assert measure.kind == kind, measure
    if kind == "number":
        assert measure.op == op, measure
        assert measure.value == D(value), measure
        assert measure.unit == unit, measure
        if scale is not None:
            assert measure.scale == D(scale), measure
    elif kind == "date":
        assert measure.date == date, measure
        assert measure.op == op, measure
    elif kind == "unparsed":
        assert measure.note and any("\u4e00" <= c <= "\u9fff" for c in measure.note), measure
    else:
        assert measure.value is None and measure.op is None, measure


def N(op, value, unit=None, scale=None):
    return ("number", dict(op=op, value=value, unit=unit, scale=scale))


def DT(date, op=None):
    return ("date", dict(date=date, op=op))


QUAL = ("qualitative", {})
NA = ("not_applicable", {})
EMPTY = ("empty", {})
BAD = ("unparsed", {})

# --- notations.md §1 Comparison operators: one case per table row ---------------------------
SECTION_1 = [
    ("§1 ≥", [("≥10次", N(">=", 10, "次")), ("≥100场次", N(">=", 100, "场次")),
              ("≥50%", N(">=", 50, "%", "0.01")), ("≥200平方米", N(">=", 200, "平方米")),
              ("≥95%", N(">=", 95, "%"))]),
    ("§1 ≧", [("≧10%", N(">=", 10, "%")), ("≧3个", N(">=", 3, "个")), ("≧80%", N(">=", 80, "%")),
              ("≧5000册", N(">=", 5000, "册")), ("≧100家", N(">=", 100, "家")),
              ("≧735人次", N(">=", 735, "人次"))]),
    ("§1 >=", [(">=98%(百分比)", N(">=", 98, "%", "0.01")), (">= 98 %(百分比)", N(">=", 98, "%"))]),
    ("§1 <=", [("<=6962人", N("<=", 6962, "人"))]),
    ("§1 ≤", [("≤90万元", N("<=", 90, "万元", 10000)), ("≤202.6万元", N("<=", "202.6", "万元")),
              ("≤30万元", N("<=", 30, "万元")), ("≤10次", N("<=", 10, "次")),
              ("≤5%", N("<=", 5, "%"))]),
    ("§1 =", [("=8个", N("=", 8, "个")), ("=42个", N("=", 42, "个")), ("=100%", N("=", 100, "%"))]),
    ("§1 ═", [("═100%", N("=", 100, "%"))]),
    ("§1 ﹦", [("﹦72890元", N("=", 72890, "元", 1)), ("﹦100%", N("=", 100, "%"))]),
    ("§1 大于等于…以上", [("大于等于90%以上", N(">=", 90, "%"))]),
    ("§1 不少于", [("不少于12 种", N(">=", 12, "种")), ("不少于6 种", N(">=", 6, "种"))]),
    ("§1 不低于", [("不低于95%", N(">=", 95, "%")), ("不低于90%", N(">=", 90, "%"))]),
    ("§1 以上", [("95%以上", N(">=", 95, "%"))]),
    ("§1 小于", [("小于0.9‰", N("<", "0.9", "‰", "0.001"))]),
    ("§1 bare", [("13", N(None, 13)), ("6.7", N(None, "6.7")), ("115.8", N(None, "115.8")),
                 ("150万元", N(None, 150, "万元", 10000)), ("100%", N(None, 100, "%")),
                 ("1年", N(None, 1, "年")), ("8755", N(None, 8755)), ("95%", N(None, 95, "%")),
                 ("38508人", N(None, 38508, "人")), ("2023年12月", DT((2023, 12, 0))),
                 ("90%", N(None, 90, "%"))]),
    ("§1 290%", [("290%", N(None, 290, "%"))]),
    ("§1 not observed", [("＞90%", N(">", 90, "%")), ("＜5次", N("<", 5, "次")),
                         ("＝100%", N("=", 100, "%")), ("＞=95%", N(">=", 95, "%")),
                         ("10个以内", N("<=", 10, "个")), ("不高于5%", N("<=", 5, "%")),
                         ("不超过30万元", N("<=", 30, "万元")), ("大于80%", N(">", 80, "%")),
                         ("控制在5%以内", N("<=", 5, "%")), ("高于10%", N(">", 10, "%")),
                         ("约20次", N(None, 20, "次"))]),
]

# --- §2 Units and number formats ----------------------------------------------------------------
SECTION_2 = [
    ("§2 %", [("100.00%", N(None, "100.00", "%")), ("97.30%", N(None, "97.30", "%")),
              ("97.80%", N(None, "97.8", "%"))]),
    ("§2 ‰", [("小于0.9‰", N("<", "0.9", "‰"))]),
    ("§2 百分比", [("≥100百分比", N(">=", 100, "%", "0.01")), ("%(百分比)", BAD)]),
    ("§2 unit in its own cell", [("95", N(None, 95)), ("93", N(None, 93)), ("50", N(None, 50)),
                                 ("≥50个", N(">=", 50, "个"))]),
    ("§2 count units", [("3次", N(None, 3, "次")), ("115家", N(None, 115, "家")),
                        ("160场次", N(None, 160, "场次")), ("10件", N(None, 10, "件")),
                        ("6000册", N(None, 6000, "册")), ("2部", N(None, 2, "部")),
                        ("10篇", N(None, 10, "篇")), ("1批", N(None, 1, "批")),
                        ("24694人", N(None, 24694, "人")), ("735人次", N(None, 735, "人次")),
                        ("12例", N(None, 12, "例")), ("6种", N(None, 6, "种")),
                        ("30吨", N(None, 30, "吨"))]),
    ("§2 money", [("150万元", N(None, 150, "万元", 10000)), ("820.58万元", N(None, "820.58", "万元")),
                  ("75元", N(None, 75, "元", 1)), ("≥8400元", N(">=", 8400, "元")),
                  ("72890元", N(None, 72890, "元"))]),
    ("§2 area/length/time", [("≥200平方米", N(">=", 200, "平方米")),
                             ("204.46平方米", N(None, "204.46", "平方米")),
                             ("≥15年", N(">=", 15, "年")), ("1年", N(None, 1, "年")),
                             ("500米", N(None, 500, "米"))]),
    ("§2 compound", [("780元/生/年", N(None, 780, "元/生/年", 1)),
                     ("2万元/人", N(None, 2, "万元/人", 10000))]),
    ("§2 many decimals", [("207.4538", N(None, "207.4538")), ("89.974", N(None, "89.974")),
                          ("387664.62", N(None, "387664.62"))]),
    ("§2 weights", [("22.5", N(None, "22.5")), ("10.00", N(None, 10)), ("20.00", N(None, 20))]),
    ("§2 full-width", [("１００％", N(None, 100, "%")), ("≧８５％", N(">=", 85, "%")),
                       ("１，０６０．５８", N(None, "1060.58"))]),
]

# --- §3 Dates and time limits -------------------------------------------------------------------
SECTION_3 = [
    ("§3 year-month", [("2023年12月", DT((2023, 12, 0))), ("2023年10月", DT((2023, 10, 0)))]),
    ("§3 1年", [("1年", N(None, 1, "年"))]),
    ("§3 qualitative time", [("在项目计划完成时间内完成", QUAL)]),
    ("§3 及时", [("及时", QUAL)]),
    ("§3 按月安排", [("按月安排", QUAL)]),
    ("§3 底前", [("2020年12月底前", DT((2020, 12, 0), "<=")), ("2020年底", DT((2020, 12, 0))),
                ("2020年12月31日", DT((2020, 12, 31))), ("2020.12", DT((2020, 12, 0))),
                ("2020-12-31", DT((2020, 12, 31))), ("2020年", DT((2020, 12, 0))),
                ("2020年12月31日之前", DT((2020, 12, 31), "<=")),
                ("2021年6月前完成", DT((2021, 6, 0), "<="))]),
]

# --- §4 Qualitative targets and actuals -------------------------------------------------------
SECTION_4 = [
    ("§4 seed degrees", [("有一定增强", QUAL), ("进一步增强", QUAL), ("有效推进", QUAL),
                         ("100%", N(None, 100, "%")), ("95%", N(None, 95, "%"))]),
    ("§4 有效", [("有效", QUAL)]),
    ("§4 达成预期指标", [("效果明显", QUAL), ("合规", QUAL), ("及时", QUAL),
                         ("严格执行相关制度规定", QUAL), ("符合相关规定", QUAL),
                         ("在项目计划完成时间内完成", QUAL), ("达成预期指标", QUAL)]),
    ("§4 五级", [("定性 优良中低差", QUAL), ("优", QUAL)]),
    ("§4 高", [("高", QUAL)]),
    ("§4 是", [("是", QUAL)]),
    ("§4 完成", [("完成", QUAL), ("≤ 30 万元", N("<=", 30, "万元"))]),
    ("§4 无", [("无", NA)]),
    ("§4 band labels", [("达成年度指标", QUAL), ("部分达成年度指标并具有一定效果", QUAL),
                        ("未达成年度指标且效果较差", QUAL)]),
]

# --- §5 Zero targets ------------------------------------------------------------------------------
SECTION_5 = [
    ("§5 0", [("0", N(None, 0))]),
    ("§5 0起", [("0起", N(None, 0, "起"))]),
    ("§5 0人次", [("0人次", N(None, 0, "人次"))]),
    ("§5 ≧1个", [("≧1个", N(">=", 1, "个"))]),
]

# --- §6 Placeholders and empty cells ------------------------------------------------------------
SECTION_6 = [
    ("§6 /", [("/", NA), ("／", NA), ("/ / /", NA)]),
    ("§6 —", [("—", NA), ("——", NA)]),
    ("§6 -", [("-", NA), ("--", NA), ("–", NA)]),
    ("§6 ……", [("……", NA), ("...", NA), ("…", NA)]),
    ("§6 empty", [("", EMPTY), ("   ", EMPTY), ("\u3000", EMPTY)]),
    ("§6 无", [("无", NA), ("不适用", NA), ("N/A", NA), ("\\", NA)]),
]

# --- §7 Semantic mismatches: the parser reads each side; the audit judges the pair --------------
SECTION_7 = [
    ("§7 increase rate", [("受益群众人数每年有10%的增加", QUAL), ("≧10%", N(">=", 10, "%"))]),
    ("§7 head-counts", [("24694人", N(None, 24694, "人")), ("22584人", N(None, 22584, "人"))]),
    ("§7 yes/no with %", [("95%", N(None, 95, "%"))]),
    ("§7 target in name", [("指标1:年度资金支付完成率100%", QUAL)]),
    ("§7 formula in name", [("结余率(计算方法为:结余数/预算数)", QUAL)]),
    ("§7 cost = budget", [("115.8", N(None, "115.8")), ("68.43", N(None, "68.43")),
                          ("90万元", N(None, 90, "万元")), ("10万元", N(None, 10, "万元"))]),
    ("§7 元 vs 万元", [("72890元", N(None, 72890, "元")), ("7.29", N(None, "7.29"))]),
]

ROWS = SECTION_1 + SECTION_2 + SECTION_3 + SECTION_4 + SECTION_5 + SECTION_6 + SECTION_7


@pytest.mark.parametrize("cases", [cases for _, cases in ROWS], ids=[rid for rid, _ in ROWS])
def test_notations_md_row(cases):
    for text, (kind, expected) in cases:
        check(parse_measure(text), kind, **expected)
        assert parse_measure(text).text == text.strip()


# --- The seed's strings (昌吉州党委宣传部 2020) ----------------------------------------------------
SEED = [
    ("≥10次", N(">=", 10, "次")), ("≥20次", N(">=", 20, "次")), ("≥10件", N(">=", 10, "件")),
    ("≥3次", N(">=", 3, "次")), ("≥100%", N(">=", 100, "%")), ("≥2%", N(">=", 2, "%")),
    ("≥5篇", N(">=", 5, "篇")), ("≥2部", N(">=", 2, "部")), ("≥30个", N(">=", 30, "个")),
    ("≧10%", N(">=", 10, "%")), ("≧85%", N(">=", 85, "%")), ("≧1批", N(">=", 1, "批")),
    ("大于等于90%以上", N(">=", 90, "%")), ("1年", N(None, 1, "年")),
    ("150万元", N(None, 150, "万元", 10000)), ("820.58万元", N(None, "820.58", "万元")),
    ("645.51万元", N(None, "645.51", "万元")), ("13", N(None, 13)), ("1060.58", N(None, "1060.58")),
    ("有一定增强", QUAL), ("进一步增强", QUAL), ("有效推进", QUAL), ("/", NA), ("—", NA),
    ("11次", N(None, 11, "次")), ("160场次", N(None, 160, "场次")), ("59%", N(None, 59, "%")),
]


@pytest.mark.parametrize("text,expected", SEED, ids=[t for t, _ in SEED])
def test_seed_strings(text, expected):
    kind, fields = expected
    check(parse_measure(text), kind, **fields)


def test_seed_file_has_no_unparsed_value(seed_path):
    """Every short cell of the seed that starts like a value parses to something scorable."""
    cells = {line.strip() for line in seed_path.read_text(encoding="utf-8").splitlines()
             if line.startswith("\t") and 0 < len(line.strip()) <= 12}
    values = [c for c in cells if c[0] in "≥≧0123456789/—" or c.startswith("大于")]
    assert len(values) > 40
    for text in values:
        m = parse_measure(text)
        assert m.kind in ("number", "date", "not_applicable"), (text, m)


def test_real_forms_targets_and_actuals_parse(real_forms_path):
    forms = json.loads(real_forms_path.read_text(encoding="utf-8"))
    seen = 0
    for form in forms:
        for ind in form.get("indicators", []):
            for key in ("target", "actual"):
                raw = ind.get(key)
                if isinstance(raw, dict):  # 指标性质 | 指标值 | 度量单位 split into cells
                    parts = [raw.get(k) or "" for k in ("指标性质", "符号", "指标值", "值")]
                    unit = raw.get("度量单位") or raw.get("单位") or ""
                    raw = "".join(parts) + unit if "定性" not in parts else " ".join(parts)
                if not isinstance(raw, str) or "truncated" in raw:
                    continue
                seen += 1
                m = parse_measure(raw)
                assert m.kind != "unparsed", (raw, m)
    assert seen > 20


# --- Malformed values: unparsed, with a Chinese reason ----------------------------------------
@pytest.mark.parametrize("text", ["12..5%", "≥", "≥%", ">=>=5", "1O0%", "大于", "%", "≥≥",
                                  "90%-100%", "2020年13月", "2021年2月30日", "12月底前",
                                  "不低于10%以下", "1.2.3", "5,6", "100%%", "—5",
                                  "约8千", "5万"])
def test_malformed_is_unparsed(text):
    m = parse_measure(text)
    check(m, "unparsed")
    assert m.value is None and m.date is None


@pytest.mark.parametrize("text,expected", [
    ("2020年12月底前完成", DT((2020, 12, 0), "<=")),
    ("≤2020年", DT((2020, 12, 0), "<=")),
    ("1000年", N(None, 1000, "年")),  # not a plausible year: a duration
    ("10个月", N(None, 10, "月")),
    ("5个工作日内", N("<=", 5, "工作日")),
    ("3天", N(None, 3, "天")),
    ("≥5万人次", N(">=", 5, "万人次", 10000)),
    ("-5%", N(None, -5, "%")),
    ("1,060.58", N(None, "1060.58")),
    ("1，060.58", N(None, "1060.58")),
    ("100%完成", N(None, 100, "%")),
    ("达到95%以上", N(">=", 95, "%")),
    ("大于90%以上", N(">", 90, "%")),
    ("10次左右", N(None, 10, "次")),
    ("2020.5", N(None, "2020.5")),  # one-digit month after a dot: a number, not a date
    ("不低于上年", QUAL),
    ("高于全省平均水平10%", QUAL),
])
def test_more_notations(text, expected):
    kind, fields = expected
    check(parse_measure(text), kind, **fields)


@pytest.mark.parametrize("unit", "个 家 次 件 册 部 篇 批 场 场次 人 人次 户 例 种 项 所 套 台 辆 吨 "
                                 "平方米 米 公里 亩 座 期 课时 本 份 条 处 村".split())
def test_count_units_kept_as_written(unit):
    check(parse_measure(f"≥12{unit}"), "number", ">=", 12, unit, 1)
    assert parse_measure(f"≥12{unit}").note is None


def test_notes_say_what_was_assumed():
    assert parse_measure("约20次").note == "约数，按数值本身比较"
    assert "日期" in parse_measure("2020.12").note
    assert "完成" in parse_measure("100%完成").note
    assert parse_measure("≥10次").note is None


# --- Numbers stored as numbers ------------------------------------------------------------------
@pytest.mark.parametrize("value,fmt,expected", [
    (D("0.76"), "0%", N(None, 76, "%", "0.01")),
    (D("0.9730"), "0.00%", N(None, "97.30", "%")),
    (D("1"), "0.00%", N(None, 100, "%")),
    (D("13"), None, N(None, 13)),
    (13, None, N(None, 13)),
    (0.76, None, N(None, "0.76")),
    (D("95"), "General", N(None, 95)),
    (D("76"), '0"%"', N(None, 76, "%")),  # the % is a literal: no scaling
    (D("820.58"), '#,##0.00"万元"', N(None, "820.58", "万元", 10000)),
    (float("nan"), None, BAD),
    (D("1e20"), None, BAD),
    (True, None, BAD),
])
def test_numbers_with_formats(value, fmt, expected):
    kind, fields = expected
    check(parse_measure(value, number_format=fmt), kind, **fields)


def test_number_text_matches_cell_text():
    cell = Cell(D("0.76"), number_format="0%")
    assert parse_measure(cell.value, number_format=cell.number_format).text == cell.text == "76%"


def test_unit_hint_only_fills_a_missing_unit():
    m = parse_measure(D("95"), unit_hint="%")
    assert (m.value, m.unit, m.scale) == (D(95), "%", D("0.01"))
    assert parse_measure("≥100场次", unit_hint="%").unit == "场次"
    assert parse_measure("13", unit_hint="万元").base == D(130000)
    assert parse_measure("13", unit_hint="不是单位").unit is None


def test_none_and_odd_types():
    assert parse_measure(None).kind == "empty"
    assert parse_measure(["≥10次"]).kind == "unparsed"  # type: ignore[arg-type]


# --- parse_rate ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value,fmt,expected", [
    ("76%", None, D("0.76")),
    ("100.00%", None, D(1)),
    ("59%", None, D("0.59")),
    ("99%", None, D("0.99")),
    (D("0.76"), "0%", D("0.76")),
    (D("0.76"), "0.00%", D("0.76")),
    (D("0.76"), None, D("0.76")),
    (D("1.05"), None, D("1.05")),
    (D("76"), None, D("0.76")),
    (76, None, D("0.76")),
    (0.76, None, D("0.76")),
    ("0.76", None, D("0.76")),
    ("76", None, D("0.76")),
    ("9‰", None, D("0.009")),
    ("—", None, None),
    ("/", None, None),
    ("", None, None),
    (None, None, None),
    ("abc", None, None),
    ("12..5%", None, None),
    ("≥90%", None, None),
    ("10万元", None, None),
    (float("inf"), None, None),
    (True, None, None),
])
def test_parse_rate(value, fmt, expected):
    result = parse_rate(value, number_format=fmt)
    if expected is None:
        assert result is None
    else:
        assert result == expected and isinstance(result, Decimal)


# --- align_units --------------------------------------------------------------------------------
def test_align_same_unit_has_no_note():
    t, a, note = align_units(parse_measure("≥10次"), parse_measure("11次"))
    assert note is None and a.unit == t.unit == "次"


def test_align_bare_actual_takes_target_unit():
    t, a, note = align_units(parse_measure("≥95%"), parse_measure("93"))
    assert (a.value, a.unit, a.scale) == (D(93), "%", D("0.01"))
    assert note == "实际完成值未写单位，按指标值单位“%”理解"


def test_align_fraction_against_percent_target():
    t, a, note = align_units(parse_measure("≥95%"), parse_measure(D("0.95")))
    assert (a.value, a.unit) == (D(95), "%") and "按比例" in note
    # a unit-less 1 against ≥2%: reading it as 100 % would be further from the target than 1 %
    t, a, note = align_units(parse_measure("≥2%"), parse_measure("1"))
    assert (a.value, a.unit) == (D(1), "%")
    # a percent-formatted actual already has its unit: nothing assumed
    t, a, note = align_units(parse_measure("≥95%"),
                             parse_measure(D("0.95"), number_format="0%"))
    assert (a.value, note) == (D(95), None)


def test_align_money_through_scale():
    t, a, note = align_units(parse_measure("≤90万元"), parse_measure("645100元"))
    assert t.base == D(900000) and a.base == D(645100)
    assert "单位换算" in note
    t, a, note = align_units(parse_measure("≤150万元"), parse_measure("115.8"))
    assert a.unit == "万元" and a.base == D(1158000)


def test_align_years_and_months():
    t, a, note = align_units(parse_measure("1年"), parse_measure("10个月"))
    assert a.base < t.base and t.base == D(12)
    assert note.startswith("单位换算")


def test_align_different_count_units_warns():
    t, a, note = align_units(parse_measure("≧100家"), parse_measure("115个"))
    assert "单位不一致" in note and "无法比较" not in note
    assert units_comparable(t, a)


def test_align_incompatible_units():
    t, a, note = align_units(parse_measure("≥95%"), parse_measure("3次"))
    assert "单位不一致" in note and "无法比较" in note
    assert not units_comparable(t, a)


def test_align_non_numbers_untouched():
    target, actual = parse_measure("有一定增强"), parse_measure("100%")
    assert align_units(target, actual) == (target, actual, None)


# --- normalise_text -----------------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("其中：当年财政拨款", "其中:当年财政拨款"),
    ("产出指标（50分）", "产出指标(50分)"),
    ("绩              效    指    标", "绩效指标"),
    ("项目资金       （万元）", "项目资金(万元)"),
    ("≧１００％", ">=100%"),
    ("≦5次", "<=5次"),
    ("═100%", "=100%"),
    ("﹦100%", "=100%"),
    ("不少于12 种", "不少于12种"),
    ("\u3000访惠聚经费\u3000", "访惠聚经费"),
    ("  N / A  ", "N / A"),
    ("组织开展返乡大学生活动次数（次）", "组织开展返乡大学生活动次数(次)"),
])
def test_normalise_text(text, expected):
    assert normalise_text(text) == expected


def test_module_doctests():
    result = doctest.testmod(notation)
    assert result.attempted > 20 and result.failed == 0


# --- Properties ---------------------------------------------------------------------------------
ANY_NUMBER = st.one_of(st.none(), st.integers(), st.floats(), st.decimals(), st.booleans())
ANY_FORMAT = st.one_of(st.none(), st.sampled_from(["0%", "0.00%", "General", '0"%"', "@"]),
                       st.text(max_size=12))


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_text_gives_a_measure(text):
    # the unguarded internals must not raise either (parse_measure also has a last-resort guard)
    assert isinstance(notation._parse_any(text, None), Measure)
    m = parse_measure(text)
    assert isinstance(m, Measure)
    if m.kind == "number":
        assert isinstance(m.value, Decimal) and isinstance(m.base, Decimal)
    r = parse_rate(text)
    assert r is None or isinstance(r, Decimal)


@settings(max_examples=300, deadline=None)
@given(ANY_NUMBER, ANY_FORMAT)
def test_any_number_gives_a_measure(value, fmt):
    assert isinstance(notation._parse_any(value, fmt), Measure)
    r = parse_rate(value, number_format=fmt)
    assert r is None or isinstance(r, Decimal)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=10), ANY_NUMBER), st.one_of(st.text(max_size=10), ANY_NUMBER))
def test_align_units_never_raises(left, right):
    t, a, note = align_units(parse_measure(left), parse_measure(right))
    assert isinstance(t, Measure) and isinstance(a, Measure)
    assert note is None or isinstance(note, str)


OPS = {"≥": ">=", "≧": ">=", ">=": ">=", "不少于": ">=", "≤": "<=", "不超过": "<=", "═": "=",
       "﹦": "=", "=": "=", "＞": ">", "小于": "<", "": None}
UNITS = {"%": "%", "百分比": "%", "万元": "万元", "元": "元", "次": "次", "人次": "人次",
         "个": "个", "平方米": "平方米", "‰": "‰", "": None}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(OPS)), st.decimals(min_value=0, max_value=10**6, places=2),
       st.sampled_from(sorted(UNITS)), st.sampled_from(["", " ", "\u3000"]))
def test_written_measures_round_trip(op, number, unit, space):
    text = f"{op}{space}{number}{space}{unit}"
    # 1997.01 with no unit is read as a year and month (notations: ``2020.12`` is a date)
    assume(unit != "" or not re.fullmatch(r"(19|20)\d\d\.(0[1-9]|1[0-2])", str(number)))
    m = parse_measure(text)
    assert m.kind == "number", (text, m)
    assert (m.op, m.value, m.unit) == (OPS[op], number, UNITS[unit])


def test_align_number_cell_without_format_is_a_fraction():
    # calamine reads a cell showing 100% as the number 1: against ≧10% it is 100 %, not 1 %
    t, a, note = align_units(parse_measure("≧10%"), parse_measure(D("1")))
    assert (a.value, a.unit) == (D(100), "%") and "按比例" in note
    # the same digit typed as text stays 1 %
    t, a, note = align_units(parse_measure("≧10%"), parse_measure("1"))
    assert (a.value, a.unit) == (D(1), "%")
