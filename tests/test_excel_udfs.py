"""The XT_ worksheet functions as plain Python (xlwings decorators are pass-throughs on Linux)."""

from __future__ import annotations

import inspect

import pytest

from xltools.excel import udfs
from xltools.excel.udfs import (XT_AUDIT, XT_BUDGET_SCORE, XT_EXEC_RATE, XT_GRADE, XT_MEETS, XT_PARSE,
                                XT_SCORE)

COM_DIV0 = -2146826281  # #DIV/0! as Windows COM may hand it over


@pytest.fixture(autouse=True)
def no_user_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XLTOOLS_CONFIG", str(tmp_path / "none" / "xltools.conf"))


def test_exec_rate_and_budget_score_like_the_funds_row():
    # 年度资金总额 | 115.8 | 115.8 | 68.43 | 10 | 59% | 5.9
    assert XT_EXEC_RATE(115.8, 68.43) == 0.5909  # rounded as the rule pack says (2 percent places)
    assert XT_BUDGET_SCORE(10, 115.8, 68.43) == 5.91
    assert XT_EXEC_RATE(10, 7.6) == 0.76 and XT_BUDGET_SCORE(10, 10, 7.6) == 7.6
    assert XT_BUDGET_SCORE(10, 10, 12) == 10.0  # never above 分值
    assert XT_EXEC_RATE("1,060.58", "805.51") == pytest.approx(0.7595, abs=1e-6)  # numbers stored as text
    assert isinstance(XT_BUDGET_SCORE(10, 10, 7.6), float)


@pytest.mark.parametrize("budget, executed, text", [
    (None, 7.6, "#参数错误：预算数为空"),
    ("", 7.6, "#参数错误：预算数为空"),
    ("十万", 7.6, "#参数错误：预算数不是数字"),
    (True, 7.6, "#参数错误：预算数不是数字"),
    ("#DIV/0!", 7.6, "#参数错误：预算数是错误值"),
    (COM_DIV0, 7.6, "#参数错误：预算数是错误值"),
    (0, 7.6, "#参数错误：预算数应大于0"),
    (10, -1, "#参数错误：执行数不能为负数"),
    (10, [[1, 2]], "#参数错误：执行数应为单个单元格"),
])
def test_exec_rate_bad_arguments(budget, executed, text):
    assert XT_EXEC_RATE(budget, executed) == text
    assert XT_BUDGET_SCORE(10, budget, executed) == text


def test_budget_score_bad_weight():
    assert XT_BUDGET_SCORE("十分", 10, 7.6) == "#参数错误：分值不是数字"
    assert XT_BUDGET_SCORE(None, 10, 7.6) == "#参数错误：分值为空"


def test_meets():
    assert XT_MEETS("≧85%", "80%") is False
    assert XT_MEETS("≥3次", "4次") is True
    assert XT_MEETS("≧85%", 0.8) is False  # a cell formatted 80% arrives as 0.8
    assert XT_MEETS("≥95%", 0.96) is True
    assert XT_MEETS("有一定增强", "95%") == "定性"
    assert XT_MEETS("/", "/") == "不适用"
    assert XT_MEETS(None, None) == "不适用"
    assert XT_MEETS("≧85%", True) == "#参数错误：完成值不能是逻辑值"
    assert XT_MEETS("#N/A", "80%") == "#参数错误：指标值是错误值"


def test_score_follows_the_rules():
    assert XT_SCORE("≧85%", "80%", 10) == 9.41  # positive, missed: 10 × 80 ÷ 85
    assert XT_SCORE("≧85%", 0.8, 10) == 9.41
    assert XT_SCORE("≥3次", "4次", 5) == 5.0
    assert XT_SCORE("90万元", "120万元", 5, "成本指标") == 3.75  # reverse ratio
    assert XT_SCORE("13", 13, 4, "成本指标") == 4.0
    assert XT_SCORE("有一定增强", "95%", 15) == "定性：12–15分"
    assert XT_SCORE("/", "/", None) == "不适用"


@pytest.mark.parametrize("args, text", [
    (("≧85%", "80%", None), "#参数错误：分值为空"),
    (("≧85%", "80%", "十"), "#参数错误：分值不是数字"),
    (("≧85%", "80%", False), "#参数错误：分值不是数字"),
    (("≧85%", "80%", "#VALUE!"), "#参数错误：分值是错误值"),
    (("≧85%", True, 10), "#参数错误：完成值不能是逻辑值"),
    (("≧85%", "80%", 10, 3), "#参数错误：二级指标应为文字"),
])
def test_score_bad_arguments(args, text):
    assert XT_SCORE(*args) == text


def test_score_unreadable_target_is_reported_not_guessed():
    result = XT_SCORE("abc%%3", "80%", 10)
    assert isinstance(result, str) and result.startswith("#无法识别：指标值")


def test_grade_half_open_bands():
    assert [XT_GRADE(t) for t in (90, 89.99, 87.6, 80, 60, 59.99)] == ["优", "良", "良", "良", "中", "差"]
    assert XT_GRADE("96") == "优"
    assert XT_GRADE(None) == "#参数错误：总分为空"
    assert XT_GRADE("优秀") == "#参数错误：总分不是数字"
    assert XT_GRADE(True) == "#参数错误：总分不是数字"
    assert XT_GRADE("#N/A") == "#参数错误：总分是错误值"
    assert XT_GRADE(101) == "#参数错误：总分超过100"


def test_parse_gives_one_row():
    assert XT_PARSE("≥95%") == [["≥", 95.0, "%"]]
    assert XT_PARSE("≤150万元") == [["≤", 150.0, "万元"]]
    assert XT_PARSE("有一定增强") == [["定性", "有一定增强", ""]]
    assert XT_PARSE("/")[0][0] == "不适用"
    assert XT_PARSE("2020年12月底前")[0][1:] == ["2020年12月底", "日期"]
    assert XT_PARSE(True) == [["#参数错误：文本不能是逻辑值"]]
    assert XT_PARSE("#REF!") == [["#参数错误：文本是错误值"]]
    assert XT_PARSE("abc%%3")[0][0].startswith("#无法识别")


def test_parameter_names_are_ascii_for_the_vba_wrappers():
    for fn in (XT_EXEC_RATE, XT_BUDGET_SCORE, XT_MEETS, XT_SCORE, XT_GRADE, XT_PARSE, XT_AUDIT):
        for name in inspect.signature(fn).parameters:
            assert name.isascii() and name.isidentifier(), (fn.__name__, name)
        assert fn.__doc__ and any("\u4e00" <= ch <= "\u9fff" for ch in fn.__doc__)


def test_audit_on_plain_values_without_a_form():
    assert XT_AUDIT([["随便", "写点"], [1, 2]]) == [["提示", "NO_FORM", "", "区域中未找到项目支出绩效自评表"]]
    assert XT_AUDIT(None)[0][1] == "NO_FORM"


def test_audit_grid_from_plain_values_is_relative_to_top_left():
    grid = udfs.audit_grid([["项目名称", "访惠聚经费"], ["#N/A", 3.0]])
    assert grid.address(1, 1) == "B2" and grid.raw(1, 0) is None
    assert grid.raw(1, 1) == 3


def test_audit_grid_from_an_xlwings_like_range_keeps_addresses():
    class Book:
        name = "部门.xlsm"

    class Sheet:
        name = "疫情防控"
        book = Book()

    class Range:
        value = [["项目名称", "疫情防控宣传补助经费"]]
        row, column, sheet = 3, 2, Sheet()

    grid = udfs.audit_grid(Range())
    assert str(grid.source(0, 1)) == "部门.xlsm｜疫情防控!C3"


def _records():
    from xltools.excel.template import udf_wrappers as u

    with u._recording_decorators():
        module = u._fresh_module("xltools.excel.udfs")
        return {r["name"]: r for r in u.udf_functions(module)}


def test_no_udf_expands_over_neighbouring_cells_and_errors_arrive_as_text():
    """``expand=`` re-enters a legacy array formula and overwrites cells: Excel spills instead.
    ``err_to_str`` hands #DIV/0! to Python as text, so the cell says 是错误值, not 为空."""
    records = _records()
    assert set(records) >= {"XT_PARSE", "XT_AUDIT", "XT_SCORE"}
    for name, record in records.items():
        assert "expand" not in record["ret"]["options"], name
        for arg in record["args"]:
            if arg["options"].get("convert") != "range":
                assert arg["options"].get("err_to_str") is True, (name, arg["name"])
    assert XT_PARSE("≥95%") == [["≥", 95.0, "%"]]  # a plain 2-D list: Excel 365 spills it


def test_an_error_valued_level2_is_named_as_such():
    from xltools.excel.udfs import XT_SCORE

    assert XT_SCORE("≧85%", "80%", 10, "#N/A") == "#参数错误：二级指标是错误值"
    assert XT_SCORE("≧85%", "80%", 10, 3.0) == "#参数错误：二级指标应为文字"


def test_function_wizard_help_is_chinese_and_qualified_by_workbook():
    from xltools.excel.template.sources import decode_vba_chinese
    from xltools.excel.template.udf_wrappers import udf_module_source

    text = udf_module_source().replace("\r\n", "\n")
    body = text.split("Public Sub XT_RegisterFunctions()", 1)[1]
    calls = body.count("Application.MacroOptions")
    assert calls == len(_records())
    assert "\"'\" & ThisWorkbook.Name & \"'!XT_SCORE\"" in body
    decoded = decode_vba_chinese(body)
    assert "按评分规则计算一个三级指标的得分。" in decoded and "Category:=XT_U(\"绩效自评\")" in decoded
    assert "指标值：年度指标值，如 ≥85%" in decoded


def test_udfs_use_the_rule_pack_of_the_one_user_config(tmp_path, monkeypatch):
    from xltools.excel import udfs

    conf = tmp_path / "xltools.conf"
    monkeypatch.setenv("XLTOOLS_CONFIG", str(conf))
    assert udfs.current_pack().name == "national"
    conf.write_text("RULES=platform_example\n", encoding="utf-8")
    assert udfs.current_pack().name == "platform_example"
    import os

    os.utime(conf, (1, 1))  # a rewritten file is read again
    conf.write_bytes(b"RULES=\r\n")
    os.utime(conf, (2, 2))
    assert udfs.current_pack().name == "national"
