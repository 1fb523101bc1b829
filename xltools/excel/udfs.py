"""Worksheet functions (xlwings UDFs): the engine's rules, one cell at a time.

Each function is a plain Python function (on Linux the xlwings decorators are pass-throughs), so
it is tested directly. Parameter names are ASCII (the generated VBA wrappers are ASCII only); the
Chinese names and help are in ``doc=``. Inputs come from Excel as ``None`` (empty), ``str``,
``float``, ``int``, ``bool`` or an error (``None``, an error string such as ``#DIV/0!`` or a COM
error code); anything that is not what the parameter needs gives a short Chinese text in the
cell, never a traceback. Numbers are computed as ``Decimal``, rounded half-up, and handed back
to Excel as ``float`` at the boundary.

Examples (as a filer would type them)::

    =XT_EXEC_RATE(10, 7.6)            → 0.76
    =XT_BUDGET_SCORE(10, 10, 7.6)     → 7.6
    =XT_MEETS("≧85%", "80%")          → FALSE
    =XT_SCORE("≧85%", "80%", 10)      → 9.41
    =XT_GRADE(87.6)                   → 良
    =XT_PARSE("≥95%")                 → ≥ | 95 | %
    =XT_AUDIT(A1:H40)                 → 严重程度 | 代码 | 指标 | 问题说明 (one row each)
    =XT_EXEC_RATE("", 7.6)            → #参数错误：预算数为空
"""

from __future__ import annotations

from pathlib import Path
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import xlwings as xw

from ..core.decimals import round_half_up, to_decimal

_EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!",
                 "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!")
_COM_ERROR_CODES = range(-2146826288, -2146826245)  # xlErrNull … xlErrNA as COM passes them
OP_DISPLAY = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}


class ArgError(ValueError):
    """A bad argument; ``str`` is the cell text shown to the user."""


def _is_error_value(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().upper() in _EXCEL_ERRORS
    if isinstance(value, int) and not isinstance(value, bool):
        return value in _COM_ERROR_CODES
    return False


def _cell_error(message: str) -> str:
    return f"#参数错误：{message}"


def number_arg(value: Any, name: str, *, positive: bool = False, allow_zero: bool = True) -> Decimal:
    """An argument that must be a number (numbers stored as text such as ``"1,060.58"`` count).

    >>> number_arg(7.6, "执行数")
    Decimal('7.6')
    >>> number_arg("abc", "预算数")
    Traceback (most recent call last):
    ...
    xltools.excel.udfs.ArgError: #参数错误：预算数不是数字
    """
    if isinstance(value, (list, tuple)):
        raise ArgError(_cell_error(f"{name}应为单个单元格"))
    if _is_error_value(value):
        raise ArgError(_cell_error(f"{name}是错误值"))
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ArgError(_cell_error(f"{name}为空"))
    if isinstance(value, bool):
        raise ArgError(_cell_error(f"{name}不是数字"))
    number = to_decimal(value)
    if number is None:
        raise ArgError(_cell_error(f"{name}不是数字"))
    if number < 0 or (positive and number == 0) or (not allow_zero and number == 0):
        raise ArgError(_cell_error(f"{name}应大于0" if positive else f"{name}不能为负数"))
    return number


def measure_arg(value: Any, name: str, *, unit_hint: str | None = None):
    """A target or actual: text, or a number (``0.8`` from a cell formatted ``80%``).

    A bare number at most 1 next to a percentage target is read as a percentage, the way Excel
    stores ``80%``: ``XT_SCORE("≥85%", 0.8, 10)`` compares 80 % with 85 %.
    """
    from ..core.model import Cell
    from ..core.scoring import parse_cell

    if isinstance(value, (list, tuple)):
        raise ArgError(_cell_error(f"{name}应为单个单元格"))
    if _is_error_value(value):
        raise ArgError(_cell_error(f"{name}是错误值"))
    if isinstance(value, bool):
        raise ArgError(_cell_error(f"{name}不能是逻辑值"))
    if value is None or isinstance(value, str):
        return parse_cell(Cell(value))
    number = to_decimal(value)
    if number is None:
        raise ArgError(_cell_error(f"{name}无法识别"))
    if unit_hint == "%" and abs(number) <= 1:
        return parse_cell(Cell(number, number_format="0%"))
    return parse_cell(Cell(number))


@lru_cache(maxsize=4)
def _load_pack(stamp: tuple[str, float]):
    from ..core.rulepack import load_rulepack
    from .config import configured_rules

    return load_rulepack(configured_rules(Path(stamp[0])))


def current_pack():
    """The rule pack of the one user config (:mod:`xltools.excel.config`), as the ribbon uses it;
    read again when the config file changes."""
    from .config import config_stamp

    return _load_pack(config_stamp())


def _out(value: Decimal | None, places: int) -> float | None:
    return None if value is None else float(round_half_up(value, places))


def _guard(fn):
    """Turn every failure into short cell text: bad arguments as is, anything else as 计算出错."""

    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ArgError as exc:
            return str(exc)
        except (ArithmeticError, InvalidOperation):
            return "#计算出错：数值无效"
        except Exception as exc:  # never a traceback in a cell
            return f"#计算出错：{type(exc).__name__}"

    wrapper.__name__ = fn.__name__
    wrapper.__qualname__ = fn.__qualname__
    wrapper.__doc__ = fn.__doc__
    wrapper.__wrapped__ = fn
    return wrapper


def _funds(weight: Decimal | None, budget: Decimal, executed: Decimal):
    """The engine's 执行率 rule on a one-row funds block built from the arguments."""
    from ..core.model import Cell, Form, FundsRow, Source
    from ..core.scoring import execution

    row = FundsRow("total", "年度资金总额", budget=Cell(budget), executed=Cell(executed),
                   weight=Cell(weight))
    return execution(Form(Source("", "", "A1"), "udf", funds=(row,)), current_pack())


@xw.func
@xw.arg("budget", err_to_str=True, doc="预算数：全年预算数（万元）")
@xw.arg("executed", err_to_str=True, doc="执行数：全年执行数（万元）")
@xw.ret(doc="执行率（小数，如 0.76 即 76%）")
def XT_EXEC_RATE(budget, executed):
    """预算执行率 = 全年执行数 ÷ 全年预算数。"""
    return _exec_rate(budget, executed)


@_guard
def _exec_rate(budget, executed):
    b = number_arg(budget, "预算数", positive=True)
    e = number_arg(executed, "执行数")
    return _out(_funds(None, b, e).execution_rate, 6)


@xw.func
@xw.arg("weight", err_to_str=True, doc="分值：预算执行率的分值（通常为10）")
@xw.arg("budget", err_to_str=True, doc="预算数：全年预算数（万元）")
@xw.arg("executed", err_to_str=True, doc="执行数：全年执行数（万元）")
@xw.ret(doc="预算执行得分")
def XT_BUDGET_SCORE(weight, budget, executed):
    """预算执行得分 = 分值 × 执行率，最高不超过分值。"""
    return _budget_score(weight, budget, executed)


@_guard
def _budget_score(weight, budget, executed):
    w = number_arg(weight, "分值")
    b = number_arg(budget, "预算数", positive=True)
    e = number_arg(executed, "执行数")
    return _out(_funds(w, b, e).score, 2)


def _target_actual(target, actual):
    t = measure_arg(target, "指标值")
    a = measure_arg(actual, "完成值", unit_hint=t.unit)
    return t, a


@xw.func
@xw.arg("target", err_to_str=True, doc="指标值：年度指标值，如 ≥85%、≤150万元、2020年12月底前")
@xw.arg("actual", err_to_str=True, doc="完成值：实际完成值，如 80%、645.51万元")
@xw.ret(doc="TRUE/FALSE；定性指标返回“定性”，不适用返回“不适用”")
def XT_MEETS(target, actual):
    """完成值是否达到年度指标值。"""
    return _meets(target, actual)


def _kind_text(t, a) -> str | None:
    for m, name in ((t, "指标值"), (a, "完成值")):
        if m.kind == "unparsed":
            return f"#无法识别：{name}“{m.text}”"
    if t.kind in ("not_applicable", "empty") or a.kind in ("not_applicable", "empty"):
        return "不适用"
    if t.kind == "qualitative":
        return "定性"
    return None


@_guard
def _meets(target, actual):
    from ..core.scoring import score_measures

    t, a = _target_actual(target, actual)
    text = _kind_text(t, a)
    if text is not None:
        return text
    _score, met, rule, _band, _applicable = score_measures(t, a, Decimal(1), None, current_pack())
    if met is None:
        return "定性" if rule == "qualitative" else "不适用"
    return bool(met)


@xw.func
@xw.arg("target", err_to_str=True, doc="指标值：年度指标值，如 ≥85%")
@xw.arg("actual", err_to_str=True, doc="完成值：实际完成值，如 80%")
@xw.arg("weight", err_to_str=True, doc="分值：该三级指标的分值")
@xw.arg("level2", err_to_str=True, doc="二级指标（可选）：如 成本指标，决定无运算符时按上限还是下限计分")
@xw.ret(doc="按规则计算的得分")
def XT_SCORE(target, actual, weight, level2=None):
    """按评分规则计算一个三级指标的得分。"""
    return _score(target, actual, weight, level2)


@_guard
def _score(target, actual, weight, level2):
    from ..core.decimals import fmt
    from ..core.scoring import band_range, score_measures

    if _is_error_value(level2):
        raise ArgError(_cell_error("二级指标是错误值"))
    if level2 is not None and not isinstance(level2, str):
        raise ArgError(_cell_error("二级指标应为文字"))
    t, a = _target_actual(target, actual)
    text = _kind_text(t, a)
    if text is not None and text != "定性":
        return text
    w = number_arg(weight, "分值")
    score, _met, rule, band, _ok = score_measures(t, a, w, (level2 or "").strip() or None, current_pack())
    if score is None and band is not None:
        low, high = band_range(band, w)
        return f"定性：{fmt(low)}–{fmt(high)}分"
    if score is None:
        return {"not_applicable": "不适用", "not_comparable": "#无法比较：单位不一致",
                "qualitative": "定性：无法判断档次"}.get(rule, "#无法计算")
    return _out(score, 2)


@xw.func
@xw.arg("total", err_to_str=True, doc="总分：自评总分（0–100）")
@xw.ret(doc="等级：优/良/中/差")
def XT_GRADE(total):
    """总分对应的评价等级（优 ≥ 90，良 ≥ 80，中 ≥ 60，差 < 60）。"""
    return _grade(total)


@_guard
def _grade(total):
    from ..core.scoring import grade

    t = number_arg(total, "总分")
    if t > 100:
        raise ArgError(_cell_error("总分超过100"))
    return grade(t, current_pack())


@xw.func
@xw.arg("text", err_to_str=True, doc="文本：年度指标值或实际完成值")
@xw.ret(doc="一行三格：运算符 | 数值 | 单位（Excel 365 自动溢出到右侧；旁边有内容时显示 #SPILL!，不会覆盖）")
def XT_PARSE(text):
    """把指标值拆成 运算符 | 数值 | 单位（定性、不适用、日期也给出说明）。"""
    return _parse(text)


def _parse(text):
    try:
        m = measure_arg(text, "文本")
    except ArgError as exc:
        return [[str(exc)]]
    except Exception as exc:
        return [[f"#计算出错：{type(exc).__name__}"]]
    op = OP_DISPLAY.get(m.op or "", "")
    if m.kind == "number":
        return [[op, _out(m.value, 6), m.unit or ""]]
    if m.kind == "date" and m.date:
        year, month, day = m.date
        when = f"{year}年{month}月" + (f"{day}日" if day else "底")
        return [[op or "≤", when, "日期"]]
    if m.kind == "qualitative":
        return [["定性", m.text, ""]]
    if m.kind in ("not_applicable", "empty"):
        return [["不适用", m.text, ""]]
    return [[f"#无法识别：{m.note or m.text}", "", ""]]


@xw.func
@xw.arg("form", "range", doc="自评表区域：整张项目支出绩效自评表所在的单元格区域")
@xw.ret(doc="问题：严重程度 | 代码 | 指标 | 问题说明（每条一行，自动溢出；不会覆盖已有内容）")
def XT_AUDIT(form):
    """校验一个区域中的自评表，逐条列出发现的问题。"""
    return _audit(form)


def audit_grid(form):
    """The argument as a :class:`Grid`: an xlwings Range keeps its sheet and addresses.

    A plain 2-D list (what tests and non-range callers pass) gets addresses relative to its
    top-left cell (A1 = the range's first cell).
    """
    from ..readers.grid import Grid, normalise_value

    file, sheet, origin = "", "", (0, 0)
    values = form
    if hasattr(form, "value") and hasattr(form, "row"):  # an xlwings Range
        values = form.options(ndim=2).value if hasattr(form, "options") else form.value
        try:
            origin = (int(form.row) - 1, int(form.column) - 1)
            sheet = str(form.sheet.name)
            file = str(form.sheet.book.name)
        except Exception:
            origin = (0, 0)
    if values is None:
        values = [[None]]
    if not isinstance(values, (list, tuple)):
        values = [[values]]
    elif values and not isinstance(values[0], (list, tuple)):
        values = [list(values)]
    rows = [[None if _is_error_value(v) else normalise_value(v) for v in row] for row in values]
    return Grid(file or "区域", sheet or "区域", rows, origin=origin)


def _audit(form):
    from ..core.engine import evaluate
    from ..core.model import SEVERITY_CN
    from ..readers.locate import locate_forms

    try:
        grid = audit_grid(form)
        forms, findings = locate_forms(grid)
        pack = current_pack()
        all_findings = list(findings)
        for f in forms:
            all_findings.extend(evaluate(f, pack).findings)
    except Exception as exc:
        return [[f"#计算出错：{type(exc).__name__}", "", "", ""]]
    if not forms:
        return [["提示", "NO_FORM", "", "区域中未找到项目支出绩效自评表"]]
    if not all_findings:
        return [["", "", "", "未发现问题"]]
    all_findings.sort(key=lambda f: f.sort_key())
    return [[SEVERITY_CN.get(f.severity, f.severity), f.code, f.indicator,
             f.message + (f"（{f.location.cell}）" if f.location else "")] for f in all_findings]
