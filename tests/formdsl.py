"""A tiny literal notation for forms in tests, so a test reads like the form it checks.

One line per form row, cells separated by ``|``::

    form = parse_form('''
    项目名称 | 文化强州专项资金
    年度资金总额 | 1060.58 | 1060.58 | 805.51 | 10 | 76% | 7.6
    其中：当年财政拨款 | 825 | 825 | 569.93 | — | | —
    产出指标 | 成本指标 | 全民志愿服务工作成本概算 | 90万元 | 10万元 | 5 | 3 | 受疫情影响
      | | 宣传文化工作成本概算 | 820.58万元 | 645.51万元 | 5 | 5 | /
    总分 | 100 | 87.6
    ''')

Rows:
- ``项目名称 | …``, ``主管部门``, ``实施单位``, ``年度``: header cells (value in column B).
- ``项目资金（元）``: the funds block is in 元 (``Form.money_unit``).
- ``预算执行情况(10分)``: a declared budget weight.
- ``执行说明 | …``: the cell explaining a low 执行率 (``Form.execution_note``).
- funds rows (``年度资金总额``, ``其中：当年财政拨款``, ``上年结转资金``, ``其他资金``):
  label | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分.
- ``总分 | 100 | <score> [| <grade>]``.
- anything else with at least four cells is an indicator row:
  一级 | 二级 | 三级 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因. An empty 一级/二级 repeats
  the row above (a merged cell); an empty 一级 with nothing above is inferred from 二级
  (``level1_inferred``). ``产出指标(50分)`` sets ``level1_weight``.

A cell written ``=?`` is a formula without a cached value. Every cell gets a fake
``Source("test.xlsx", "表1", <column letter><line number>)`` where the line number counts the
non-blank lines from 1 and column A is the first cell, so findings' locations can be asserted.
"""

from __future__ import annotations

import re
from decimal import Decimal

from xltools.core.decimals import to_decimal
from xltools.core.model import EMPTY, Cell, Form, FundsRow, Indicator, Source
from xltools.readers.grid import column_letter

HEADER = {"项目名称": "project", "主管部门": "department", "实施单位": "implementing_unit", "年度": "year"}
FUNDS_KINDS = (("年度资金总额", "total"), ("资金总额", "total"), ("当年财政拨款", "appropriation"),
               ("本年财政拨款", "appropriation"), ("财政拨款", "appropriation"), ("上年结转", "carryover"),
               ("其他资金", "other"), ("单位资金", "other"))
LEVEL1_BY_LEVEL2 = (("满意度", "满意度指标"), ("数量", "产出指标"), ("质量", "产出指标"), ("时效", "产出指标"),
                    ("成本", "产出指标"), ("经济效益", "效益指标"), ("社会效益", "效益指标"),
                    ("生态效益", "效益指标"), ("可持续", "效益指标"))
WEIGHT_IN_LABEL = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")


def _cell(text: str, src: Source, numbers: bool) -> Cell:
    text = text.strip()
    if text == "=?":
        return Cell(None, source=src, no_cached_value=True)
    if not text:
        return Cell(None, source=src)
    if numbers:
        number = to_decimal(text)
        if number is not None:
            return Cell(number, source=src)
    return Cell(text, source=src)


def _split_label(label: str) -> tuple[str, Decimal | None]:
    match = WEIGHT_IN_LABEL.search(label)
    if not match:
        return label.strip(), None
    return (label[:match.start()] + label[match.end():]).strip(), Decimal(match.group(1))


def _funds_kind(label: str) -> str | None:
    return next((kind for word, kind in FUNDS_KINDS if word in label), None)


def form_from_rows(rows: list[list[str]], *, file: str = "test.xlsx", sheet: str = "表1",
                   numbers: bool = False) -> Form:
    """Build a :class:`Form` from rows of cell texts (see the module docstring)."""
    fields: dict = {"money_unit": "万元"}
    funds: list[FundsRow] = []
    indicators: list[Indicator] = []
    level1 = level2 = ""
    level1_weight: Decimal | None = None
    inferred = False
    for number, cells in enumerate(rows, start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue  # a row the test skips keeps its number, so addresses match the source

        def cell(i: int) -> Cell:
            src = Source(file, sheet, f"{column_letter(i)}{number}")
            return _cell(cells[i], src, numbers) if i < len(cells) else Cell(None, source=src)

        head = cells[0]
        if head in HEADER:
            fields[HEADER[head]] = cell(1)
        elif head.startswith("项目资金"):
            fields["money_unit"] = "元" if "（元）" in head or "(元)" in head else "万元"
        elif head.startswith("预算执行情况"):
            fields["budget_weight_declared"] = _split_label(head)[1]
        elif head == "执行说明":
            fields["execution_note"] = cell(1)
        elif head == "总分":
            fields["reported_total"] = cell(2)
            fields["reported_grade"] = cell(3) if len(cells) > 3 else EMPTY
        elif _funds_kind(head) and len(cells) <= 7:
            funds.append(FundsRow(_funds_kind(head), head, initial_budget=cell(1), budget=cell(2),
                                  executed=cell(3), weight=cell(4), rate=cell(5), score=cell(6),
                                  source=Source(file, sheet, f"A{number}")))
        elif len(cells) >= 4:
            if cells[1]:
                level2 = cells[1]
            if head:
                level1, level1_weight = _split_label(head)
                inferred = False
            elif not level1 or inferred:
                level1 = next((l1 for word, l1 in LEVEL1_BY_LEVEL2 if word in level2), "")
                level1_weight, inferred = None, bool(level1)
            indicators.append(Indicator(
                level1=level1, level2=level2, name=cells[2], target=cell(3), actual=cell(4),
                weight=cell(5), score=cell(6), deviation=cell(7), level1_weight=level1_weight,
                level1_inferred=inferred, source=Source(file, sheet, f"C{number}")))
    return Form(source=Source(file, sheet, "A1"), layout="national", funds=tuple(funds),
                indicators=tuple(indicators), **fields)


def parse_form(text: str, *, file: str = "test.xlsx", sheet: str = "表1", numbers: bool = False) -> Form:
    """Parse the literal notation (one form) into a :class:`Form`."""
    rows = [line.split("|") for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return form_from_rows(rows, file=file, sheet=sheet, numbers=numbers)
