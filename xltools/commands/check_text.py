"""The Chinese text report that ``xltools check`` prints (JSON: :mod:`xltools.writers.json_doc`)."""

from __future__ import annotations

from ..core.decimals import fmt
from ..core.model import SEVERITY_CN, Finding, FormResult, Source


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
