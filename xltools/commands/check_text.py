"""The Chinese text report that ``xltools check`` prints (JSON: :mod:`xltools.writers.json_doc`).

One block per form — a title line, where it comes from, the funds line, the totals, and the
form's findings — then the findings that belong to no form (a file without a form, the same
project filed twice) and a closing count. The indicator table is shown only when asked
(``--detail``) or when there is a single form::

    ── 疫情防控宣传补助经费 ──────────────────────────────────────────────
    来源：自评表.xlsx｜疫情防控宣传补助经费!A1　主管部门：昌吉州党委宣传部　年度：2020
    预算执行：全年预算数 115.8　全年执行数 68.43　执行率 59.09%　得分 5.91（报告 5.9）
    总分：报告 91.8　复核 95.32　等级 优　错误 1 条，警告 2 条，提示 2 条
    错误 MISSED_TARGET_FULL_SCORE 群众对疫情防控宣传工作的满意度（%）：…（应为 9.41，报告 10）　@ H28

Everything here is plain string building, linear in the length of the text: user text (project
names, indicator text, messages) is never interpreted as markup nor run through a highlighter.
Colour (ANSI) only when :class:`Style` says so (stdout is a terminal and ``NO_COLOR`` is unset).
The indicator table is a list (one entry per indicator, two lines each) unless the terminal is
at least :data:`WIDE` columns wide, where a rich table of bounded cells is used.

These functions run in the pool's workers (:func:`xltools.commands.check.checked_file`), so the
main process only writes finished text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..core.decimals import fmt
from ..core.model import SEVERITY_CN, Finding, FormResult, Source

WIDE = 100  # terminal columns from which the indicator table is a table, not a list
CELL_CHARS = 60  # longest text shown in a table cell (the rest as …)
ANSI = {"error": "31", "warning": "33", "info": "36", "bold": "1", "red": "31"}


# control characters in user text (a line break typed in a cell, an escape sequence) would break
# the layout or drive the terminal: line breaks and tabs become spaces, the rest visible symbols
_SAFE = str.maketrans({**{c: chr(0x2400 + c) for c in range(0x20)}, 0x7F: "␡",
                       **{c: "\ufffd" for c in range(0x80, 0xA0)}, 0x0A: " ", 0x0D: " ", 0x09: " ",
                       0x2028: " ", 0x2029: " "})


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def safe(text: str) -> str:
    """User text fit to print: no control characters (linear: one regex scan, and a
    ``translate`` only for text that holds any).

    >>> safe("项目\\n名称\\x1b[2J")
    '项目 名称␛[2J'
    """
    return text.translate(_SAFE) if _CONTROL.search(text) else text


@dataclass(frozen=True)
class Style:
    """How the report is laid out: its width, whether tables fit, whether to colour."""

    width: int = 80
    wide: bool = False
    colour: bool = False

    def paint(self, text: str, what: str) -> str:
        return f"\x1b[{ANSI[what]}m{text}\x1b[0m" if self.colour else text


def cell_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: 2 for wide (CJK) characters, 1 otherwise.

    >>> cell_width("执行率 59%")
    10
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def rule(title: str, style: Style) -> str:
    """``── title ─────`` filling the width (a title wider than the line is not cut)."""
    head = f"── {title} "
    # every character takes at least one column: a title as long as the line is not measured
    fill = max(2, style.width - cell_width(head)) if len(head) < style.width else 2
    return style.paint(head + "─" * fill, "bold")


def location_text(source: Source | None) -> str:
    if source is None:
        return ""
    if source.sheet and source.cell:
        return f"{source.file}｜{source.sheet}!{source.cell}"
    return source.file


def _subject(finding: Finding, project: str | None = None) -> str:
    """``项目 · 指标：`` before a finding's message (the project left out inside its own block);
    nothing for file-level findings."""
    parts = [x for x in (finding.project, finding.indicator) if x]
    if project is not None and parts and parts[0] == project and finding.indicator:
        parts = parts[1:]
    about = " · ".join(parts)
    return f"{about}：" if about else ""


def finding_line(finding: Finding, style: Style, project: str | None = None,
                 home: Source | None = None) -> str:
    """One finding on one line: severity, code, subject, message, expected/reported, place
    (only the cell when the finding is on the sheet of ``home``, the form's own source)."""
    loc = finding.location
    if home is not None and loc is not None and loc.cell and (loc.file, loc.sheet) == (home.file, home.sheet):
        where = loc.cell
    else:
        where = location_text(loc)
    detail = ""
    if finding.expected or finding.reported:
        detail = f"（应为 {finding.expected or '—'}，报告 {finding.reported or '—'}）"
    text = f"{_subject(finding, project)}{finding.message}{detail}{'　@ ' + where if where else ''}"
    return f"{style.paint(SEVERITY_CN[finding.severity], finding.severity)} {finding.code} {safe(text)}"


def _rate(result: FormResult) -> str:
    rate = result.funds.execution_rate
    return "—" if rate is None else fmt(rate * 100, 2) + "%"


def form_block(result: FormResult, style: Style) -> str:
    """The form's title, source, funds and totals lines (no indicator table, no findings)."""
    form, funds = result.form, result.funds
    lines = [
        rule(safe(form.project.text) or "（未填写项目名称）", style),
        safe(f"来源：{location_text(form.source)}　主管部门：{form.department.text or '—'}　"
             f"年度：{form.year.text or '—'}"),
        f"预算执行：全年预算数 {fmt(funds.budget, 4) or '—'}　全年执行数 {fmt(funds.executed, 4) or '—'}　"
        f"执行率 {_rate(result)}　得分 {fmt(funds.score) or '—'}（报告 {fmt(funds.reported_score) or '—'}）",
    ]
    return "\n".join(lines)


def totals_line(result: FormResult) -> str:
    return (f"总分：报告 {fmt(result.reported_total) or '—'}　复核 {fmt(result.total) or '—'}　"
            f"等级 {result.grade or '—'}　错误 {result.count('error')} 条，警告 {result.count('warning')} 条，"
            f"提示 {result.count('info')} 条")


def _indicator_cells(result: FormResult) -> list[tuple[list[str], bool]]:
    """Each applicable indicator's cells (一级 … 达成) and whether its score differs."""
    rows = []
    for ir in result.indicators:
        if not ir.applicable:
            continue
        differs = ir.score is not None and ir.reported_score is not None and ir.score != ir.reported_score
        ind = ir.indicator
        texts = [safe(x) for x in (ind.level1, ind.level2, ind.name, ind.target.text, ind.actual.text)]
        rows.append((texts + [fmt(ir.weight) or "—", fmt(ir.reported_score) or "—",
                              fmt(ir.score) if ir.score is not None else "—",
                              {True: "是", False: "否", None: "—"}[ir.met]], differs))
    return rows


TABLE_TITLES = ("一级指标", "二级指标", "三级指标", "指标值", "完成值", "分值", "报告得分", "复核得分", "达成")


def _short(text: str) -> str:
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS - 1] + "…"


def indicator_list(result: FormResult, style: Style) -> str:
    """The indicators as a list: two lines each, readable at any width."""
    lines = ["指标明细："]
    for cells, differs in _indicator_cells(result):
        l1, l2, name, target, actual, weight, reported, score, met = cells
        mark = style.paint(f"{score}（与报告不同）", "red") if differs else score
        lines.append(f"  · {' / '.join(x for x in (l1, l2, name) if x)}")
        lines.append(f"    指标值 {target or '—'}　完成值 {actual or '—'}　分值 {weight}　"
                     f"报告得分 {reported}　复核得分 {mark}　达成 {met}")
    return "\n".join(lines)


def indicator_table(result: FormResult, style: Style) -> str:
    """The indicators as a table (for terminals of at least :data:`WIDE` columns). Cells are
    rich ``Text`` (no markup, no highlighting) cut to :data:`CELL_CHARS` characters."""
    import io

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, header_style="bold")
    for title in TABLE_TITLES:
        table.add_column(title, overflow="fold")
    for cells, differs in _indicator_cells(result):
        texts = [Text(_short(c)) for c in cells]
        if differs:
            texts[7].stylize("red")
        table.add_row(*texts)
    out = io.StringIO()
    console = Console(file=out, width=style.width, force_terminal=style.colour,
                      color_system="standard" if style.colour else None, highlight=False,
                      markup=False, emoji=False, soft_wrap=False)
    console.print(table)
    return out.getvalue().rstrip("\n")


def indicator_detail(result: FormResult, style: Style) -> str:
    return indicator_table(result, style) if style.wide else indicator_list(result, style)


def form_findings(result: FormResult, style: Style) -> list[str]:
    """The form's findings, most severe first, without repeating the project name."""
    project = result.form.project.text or None
    return [finding_line(f, style, project, result.form.source)
            for f in sorted(result.findings, key=Finding.sort_key)]


def render_form(result: FormResult, style: Style, detail: bool) -> str:
    """One form's whole block (with its indicator table when ``detail``)."""
    parts = [form_block(result, style)]
    if detail:
        parts.append(indicator_detail(result, style))
    parts.append(totals_line(result))
    parts.extend(form_findings(result, style))
    return "\n".join(parts)


def other_findings(findings: list[Finding], style: Style) -> str:
    """The findings outside any form, under their own title."""
    return "\n".join([rule("其他问题", style)] +
                     [finding_line(f, style) for f in sorted(findings, key=Finding.sort_key)])
