"""Turn check results into the ``xltools check --json`` document and the Chinese text report.

The JSON shape (numbers are strings, so no precision is lost)::

    {"forms": [{"source": {"file", "sheet", "cell"}, "project", "department", "year",
                "funds": {"budget", "executed", "execution_rate", "weight", "score",
                          "reported_score"},
                "indicators": [{"level1", "level2", "name", "target", "actual", "weight",
                                "reported_score", "score", "met", "rule", "cell"}],
                "reported_total", "total", "grade"}],
     "findings": [{"code", "severity", "project", "indicator", "location", "message",
                   "expected", "reported"}]}

``execution_rate`` is a fraction with four decimals (``"0.7595"`` for 75.95 %); ``met`` is
``true``/``false``/``null`` (null for qualitative or not-applicable rows); ``location`` is
``{"file", "sheet", "cell"}`` or ``null``; missing numbers are ``null``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from .core.decimals import fmt
from .core.model import SEVERITY_CN, Finding, FormResult, Source


def _num(value: Decimal | None, places: int = 2) -> str | None:
    return None if value is None else fmt(value, places)


def _source(source: Source | None) -> dict | None:
    if source is None:
        return None
    return {"file": source.file, "sheet": source.sheet, "cell": source.cell}


def form_to_json(result: FormResult) -> dict:
    """One form's block of the JSON document."""
    form = result.form
    funds = result.funds
    return {
        "source": _source(form.source),
        "project": form.project.text,
        "department": form.department.text,
        "year": form.year.text,
        "funds": {
            "budget": _num(funds.budget, 6),
            "executed": _num(funds.executed, 6),
            "execution_rate": _num(funds.execution_rate, 4),
            "weight": _num(funds.weight),
            "score": _num(funds.score),
            "reported_score": _num(funds.reported_score),
        },
        "indicators": [
            {
                "level1": ir.indicator.level1,
                "level2": ir.indicator.level2,
                "name": ir.indicator.name,
                "target": ir.indicator.target.text,
                "actual": ir.indicator.actual.text,
                "weight": _num(ir.weight),
                "reported_score": _num(ir.reported_score),
                "score": _num(ir.score),
                "met": ir.met,
                "rule": ir.rule,
                "cell": ir.indicator.source.cell if ir.indicator.source else None,
            }
            for ir in result.indicators
        ],
        "reported_total": _num(result.reported_total),
        "total": _num(result.total),
        "grade": result.grade,
    }


def finding_to_json(finding: Finding) -> dict:
    return {
        "code": finding.code,
        "severity": finding.severity,
        "project": finding.project,
        "indicator": finding.indicator,
        "location": _source(finding.location),
        "message": finding.message,
        "expected": finding.expected,
        "reported": finding.reported,
    }


def to_json(results: Iterable[FormResult], findings: Iterable[Finding]) -> dict:
    """The whole ``check --json`` document."""
    return {
        "forms": [form_to_json(r) for r in results],
        "findings": [finding_to_json(f) for f in findings],
    }


def _location_text(source: Source | None) -> str:
    if source is None:
        return ""
    if source.sheet and source.cell:
        return f"{source.file}｜{source.sheet}!{source.cell}"
    return source.file


def _subject(finding: Finding) -> str:
    """``项目 · 指标：`` before a finding's message; nothing for file-level findings."""
    about = " · ".join(x for x in (finding.project, finding.indicator) if x)
    return f"{about}：" if about else ""


def render_text(results: list[FormResult], findings: list[Finding], console) -> None:
    """Print a readable Chinese report with rich: a table per form, then every finding."""
    from rich.markup import escape as esc
    from rich.table import Table

    for result in results:
        form = result.form
        funds = result.funds
        rate = "—" if funds.execution_rate is None else fmt(funds.execution_rate * 100, 2) + "%"
        console.print()
        console.rule(f"[bold]{esc(form.project.text) or '（未填写项目名称）'}[/bold]")
        console.print(
            f"来源：{_location_text(form.source)}　主管部门：{form.department.text or '—'}　"
            f"年度：{form.year.text or '—'}",
            markup=False,
            highlight=False,
        )
        console.print(
            f"预算执行：全年预算数 {fmt(funds.budget, 4) or '—'}　全年执行数 {fmt(funds.executed, 4) or '—'}　"
            f"执行率 {rate}　得分 {fmt(funds.score) or '—'}（报告 {fmt(funds.reported_score) or '—'}）"
        )
        table = Table(show_lines=False, header_style="bold")
        for title in ("一级指标", "二级指标", "三级指标", "指标值", "完成值", "分值", "报告得分", "复核得分", "达成"):
            table.add_column(title, overflow="fold")
        for ir in result.indicators:
            if not ir.applicable:
                continue
            differs = (
                ir.score is not None
                and ir.reported_score is not None
                and ir.score != ir.reported_score
            )
            met = {True: "是", False: "否", None: "—"}[ir.met]
            score = fmt(ir.score) if ir.score is not None else "—"
            table.add_row(
                esc(ir.indicator.level1),
                esc(ir.indicator.level2),
                esc(ir.indicator.name[:40]),
                esc(ir.indicator.target.text),
                esc(ir.indicator.actual.text),
                fmt(ir.weight),
                fmt(ir.reported_score),
                f"[red]{score}[/red]" if differs else score,
                met,
            )
        console.print(table)
        console.print(
            f"总分：报告 {fmt(result.reported_total) or '—'}　复核 {fmt(result.total) or '—'}　"
            f"等级 {result.grade or '—'}　错误 {result.count('error')} 条，警告 {result.count('warning')} 条，"
            f"提示 {result.count('info')} 条"
        )
    if findings:
        console.print()
        console.rule("[bold]问题清单[/bold]")
        colour = {"error": "red", "warning": "yellow", "info": "cyan"}
        for f in findings:
            where = _location_text(f.location)
            detail = ""
            if f.expected or f.reported:
                detail = f"（应为 {f.expected or '—'}，报告 {f.reported or '—'}）"
            console.print(
                f"[{colour[f.severity]}]{SEVERITY_CN[f.severity]}[/] {f.code} "
                + esc(f"{_subject(f)}{f.message}{detail}{'　@ ' + where if where else ''}"),
                markup=True,
                highlight=False,
            )
