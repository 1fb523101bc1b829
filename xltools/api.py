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

Paths: one ``str`` or ``Path`` (never iterated character by character) or an iterable of them;
a path that does not exist raises :class:`~xltools.inputs.PathNotFoundError`, a folder search
over ``max_files`` files (default 20,000) raises :class:`~xltools.inputs.TooManyFilesError` —
both are :class:`~xltools.inputs.InputError` (``xltools.InputError``) with a Chinese message.
:func:`check` is the same without pandas: it returns the pipeline's :class:`Report`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .core.rulepack import RulePack
from .inputs import MAX_FILES, Paths, Rules, input_files
from .pipeline import Report, check_files
from .writers import rows as R
from .writers.summary_workbook import pairs_of, write_summary

if TYPE_CHECKING:
    import pandas as pd



def _frame(columns: tuple[R.Column, ...], rows: Iterable[R.Row]) -> "pd.DataFrame":
    import pandas as pd

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
    forms: "pd.DataFrame" = field(init=False)
    indicators: "pd.DataFrame" = field(init=False)
    findings: "pd.DataFrame" = field(init=False)
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


def _pack(rules: Rules) -> RulePack:
    from .core.rulepack import load_rulepack

    if rules is not None and not isinstance(rules, (str, os.PathLike)):
        return rules  # a loaded RulePack
    return load_rulepack(rules if rules is None or isinstance(rules, str) else Path(os.fspath(rules)))


def check(paths: Paths, rules: Rules = None, workers: int | None = None, *,
          max_files: int | None = MAX_FILES) -> Report:
    """Read, score and audit every form under ``paths``; return the :class:`Report`.

    ``paths`` is one file or folder (``str`` or ``Path``) or an iterable of them; folders are
    searched recursively. ``report.results`` holds each form's :class:`FormResult` (scores,
    total, grade), ``report.findings`` every finding (a file that cannot be read is a
    ``READ_FAILED`` finding and is in ``report.failed_files``).

    ``rules``: a rule pack file, a built-in name (``"platform_example"``) or a loaded RulePack;
    ``None`` uses the national pack (a bad file raises ``RulePackError``). ``workers``: processes
    (``None`` chooses). ``max_files``: bound of the folder search (``None``: no bound).

    Raises :class:`~xltools.inputs.InputError` for a path that does not exist
    (``PathNotFoundError``) or a search over ``max_files`` files (``TooManyFilesError``).

    >>> report = check("2020年自评表")                             # doctest: +SKIP
    >>> [(r.project, str(r.total), r.grade) for r in report.results][:1]  # doctest: +SKIP
    [('访惠聚驻村工作经费', '87.60', '良')]
    """
    files = input_files(paths, max_files)
    return check_files(files, _pack(rules), workers=workers)


def consolidate(paths: Paths, rules: Rules = None, workers: int | None = None, *,
                max_files: int | None = MAX_FILES) -> Summary:
    """Read, score and consolidate every form under ``paths``; return a :class:`Summary`
    (``.forms``, ``.indicators``, ``.findings`` DataFrames; ``.write(path)`` saves the workbook).

    ``paths``, ``rules``, ``workers`` and ``max_files`` are as for :func:`check`, with the same
    errors: ``consolidate("收到的自评表")``, ``consolidate(Path("a.xlsx"))`` and
    ``consolidate(["甲/", Path("乙.docx")])`` all work.
    """
    files = input_files(paths, max_files)
    pack = _pack(rules)
    report = check_files(files, pack, workers=workers)
    return Summary(report, pack)


def write_report(paths: "Paths | Summary", out: str | Path, rules: Rules = None, *,
                 department: str | None = None, year: str | None = None,
                 wording: str | Path | None = None, workers: int | None = None,
                 max_files: int | None = MAX_FILES) -> Path:
    """Write a draft 绩效自评报告 (.docx) of the forms under ``paths`` (or of a :class:`Summary`).

    The forms are read and scored as :func:`consolidate` does, so the draft's numbers equal the
    部门汇总's. ``department``/``year`` override what the forms say; ``wording`` is a wording
    file (``extends = "default"``). ``paths`` is taken as by :func:`consolidate` (one path or
    many; :class:`~xltools.InputError` for a missing one). Raises ``OutputError`` or
    ``WordingError`` (Chinese ``args[0]``) when the draft cannot be written.

        >>> write_report(["2020年自评表/"], "out/绩效自评报告.docx")   # doctest: +SKIP
    """
    from .writers.report_draft import write_report_docx

    summary = paths if isinstance(paths, Summary) else consolidate(
        paths, rules=rules, workers=workers, max_files=max_files)
    return write_report_docx(summary.report, out, pack=summary.pack, department=department,
                             year=year, wording=wording)
