"""Consolidate many forms into pandas DataFrames (for notebooks) and the 部门汇总 workbook.

The frames have exactly the columns of the workbook's sheets, because both are built from the
same rows (:mod:`xltools.writers.rows`). Money, rates and scores are rounded half-up to the
places the workbook shows (万元 and scores to 2 places, 执行率 to 4 places as a fraction) and
then converted to ``float``, so pandas can sum and average them; the exact ``Decimal`` values
stay available in ``summary.report`` (``FormResult.funds``, ``.total``…). 来源/位置 hold the
display text ``文件名｜工作表!单元格``.

Worked example (a notebook)::

    >>> from xltools.api import consolidate
    >>> s = consolidate(["2020年自评表/"])                         # doctest: +SKIP
    >>> s.forms[["项目名称", "执行率", "复核总分", "等级"]].head(2)   # doctest: +SKIP
           项目名称    执行率  复核总分 等级
    0  访惠聚驻村工作经费  0.7600    87.60   良
    1  疫情防控专项经费    0.5900    91.80   优
    >>> s.forms.groupby("等级")["全年预算数"].sum()                  # doctest: +SKIP
    >>> s.findings[s.findings["严重程度"] == "错误"]                   # doctest: +SKIP
    >>> s.indicators.pivot_table(index="一级指标", values="复核得分", aggfunc="sum")  # doctest: +SKIP
    >>> s.write("部门汇总.xlsx")                                     # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd

from .pipeline import Report, check_files
from .writers import rows as R
from .writers.summary_workbook import pairs_of, write_summary


def _frame(columns: tuple[R.Column, ...], rows: Iterable[R.Row]) -> pd.DataFrame:
    data = [[R.plain(v) for v in row] for row in rows]
    frame = pd.DataFrame(data, columns=[c.header for c in columns])
    for col in columns:
        if col.kind in ("money", "rate", "score"):
            frame[col.header] = pd.to_numeric(frame[col.header], errors="coerce").astype("float64")
    return frame


@dataclass
class Summary:
    """The consolidated forms: the pipeline's :class:`Report` and three DataFrames."""

    report: Report
    pack: object = None
    forms: pd.DataFrame = field(init=False)
    indicators: pd.DataFrame = field(init=False)
    findings: pd.DataFrame = field(init=False)
    totals: R.Totals = field(init=False)

    def __post_init__(self) -> None:
        results, findings = pairs_of(self.report)
        form_rows = R.form_rows(results)
        self.totals = R.totals(form_rows, R.grade_names(self.pack))
        self.forms = _frame(R.FORM_COLUMNS, form_rows)
        self.findings = _frame(R.FINDING_COLUMNS, R.finding_rows(findings))
        self.indicators = _frame(R.INDICATOR_COLUMNS, R.indicator_rows(results))

    def write(self, path: str | Path) -> Path:
        """Write the 部门汇总 workbook (refuses to overwrite an input file)."""
        return write_summary(self.report, path, pack=self.pack)


def consolidate(paths: Iterable[str | Path], rules=None, workers: int | None = None) -> Summary:
    """Read, score and consolidate every form under ``paths`` (files or folders).

    ``rules`` is a rule pack file (path) or a loaded RulePack; ``None`` uses the national pack.
    A bad rules file raises ``RulePackError`` (its ``args[0]`` is a Chinese sentence).
    """
    from .core.rulepack import load_rulepack

    pack = rules if rules is not None and not isinstance(rules, (str, Path)) else load_rulepack(rules)
    report = check_files(list(paths), pack, workers=workers)
    return Summary(report, pack)


def write_report(paths, out: str | Path, rules=None, *, department: str | None = None,
                 year: str | None = None, wording: str | Path | None = None,
                 workers: int | None = None) -> Path:
    """Write a draft 绩效自评报告 (.docx) of the forms under ``paths`` (or of a :class:`Summary`).

    The forms are read and scored as :func:`consolidate` does, so the draft's numbers equal the
    部门汇总's. ``department``/``year`` override what the forms say; ``wording`` is a wording
    file (``extends = "default"``). Raises ``OutputError`` or ``WordingError`` (Chinese
    ``args[0]``).

        >>> write_report(["2020年自评表/"], "out/绩效自评报告.docx")   # doctest: +SKIP
    """
    from .writers.report_draft import write_report_docx

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    summary = paths if isinstance(paths, Summary) else consolidate(paths, rules=rules, workers=workers)
    return write_report_docx(summary.report, out, pack=summary.pack, department=department,
                             year=year, wording=wording)
