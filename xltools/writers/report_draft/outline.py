"""The outline of the 部门项目支出绩效自评报告, filled from :class:`ReportFacts` by the wording.

一、基本情况 · 二、绩效目标完成情况 · 三、自评结果 · 四、存在的问题及原因 ·
五、改进措施及结果应用 · 附表. Every sentence is a template of ``wording.toml`` over the facts;
numbers are displayed as the 部门汇总 shows them (金额 ``#,##0.00`` 万元, 执行率 ``0.00%``,
scores ``0.00``).

Example::

    >>> money(Decimal("1060.5")), percent(Decimal("0.5909")), points(Decimal("91.8"))
    ('1,060.50', '59.09%', '91.80')
"""

from __future__ import annotations

from decimal import Decimal

from .. import rows as R
from . import document as D
from .chart import grade_chart
from .facts import ProjectFacts, ReportFacts, Shortfall
from .wording import Wording

CN_NUMBERS = "一二三四五六七八九十"
APPENDIX_COLUMNS = ("序号", "项目名称", "全年预算数", "全年执行数", "执行率", "报告总分", "复核总分", "等级")
APPENDIX_WIDTHS = (9, 43, 22, 22, 18, 14, 14, 10)  # mm, within the 156 mm body


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:,.2f}"


def percent(value: Decimal | None) -> str | None:
    return None if value is None else f"{value * 100:.2f}%"


def points(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def appendix_rows(facts: ReportFacts) -> tuple[list[str], list[list[str]], list[str]]:
    """The 附表 as text: headers, one row per project, and the 合计 row (the 汇总's totals)."""
    headers = [h + ("（万元）" if h in ("全年预算数", "全年执行数") else "") for h in APPENDIX_COLUMNS]
    kinds = {c.header: c.kind for c in R.FORM_COLUMNS}
    show = {"money": money, "rate": percent, "score": points}
    body = []
    for row in facts.rows:
        body.append([
            str(row[R.COL[h]]) if kinds[h] in ("int", "text") else (show[kinds[h]](row[R.COL[h]]) or "")
            for h in APPENDIX_COLUMNS
        ])
    t = facts.totals
    total = ["", "", money(t.budget) or "", money(t.executed) or "", percent(t.rate) or "", "",
             points(t.mean_total) or "", ""]
    return headers, body, total


def _subheading(w: Wording, key: str, n: int) -> str:
    return w.text("headings", key, n=CN_NUMBERS[n - 1] if n <= len(CN_NUMBERS) else str(n))


def _project(doc, w: Wording, p: ProjectFacts) -> None:
    D.paragraph(doc, w.runs("sentences", "project", index=p.index, project=p.project,
                            department=p.department, budget=money(p.budget),
                            executed=money(p.executed), rate=percent(p.rate),
                            reported_total=points(p.reported_total), total=points(p.total),
                            grade=p.grade or None))
    if not p.shortfalls:
        D.paragraph(doc, w.runs("sentences", "project_all_met"))
        return
    D.paragraph(doc, w.runs("sentences", "project_shortfalls", count=len(p.shortfalls)))
    for s in p.shortfalls:
        D.paragraph(doc, _shortfall_runs(w, s))


def _shortfall_runs(w: Wording, s: Shortfall):
    share = w.runs("sentences", "share", share=percent(s.share)) if s.share is not None else []
    key = "shortfall_missed" if s.met is False else "shortfall_deducted"
    return w.runs("sentences", key, name=s.name, level1=s.level1, target=s.target or None,
                  actual=s.actual or None, share=share, weight=points(s.weight),
                  reported_score=points(s.reported_score), score=points(s.score), reason=s.reason)


def compose(facts: ReportFacts, w: Wording, *, department: str | None = None,
            year: str | None = None):
    """The whole document for ``facts``."""
    dept = department or facts.department
    yr = year or facts.year
    title = w.text("", "title", department=dept, year=yr)
    doc = D.new_document(title)
    D.paragraph(doc, w.runs("", "title", department=dept, year=yr), style="Title")
    t = facts.totals

    D.heading(doc, w.text("headings", "basic"), 1)
    D.paragraph(doc, w.runs("sentences", "basic", department=dept, year=yr, projects=t.count,
                            budget=money(t.budget), executed=money(t.executed), rate=percent(t.rate)))
    D.paragraph(doc, w.runs("sentences", "basic_files", files=facts.files, forms=t.count))
    if facts.unreadable:
        D.paragraph(doc, w.runs("sentences", "basic_unreadable", unreadable=facts.unreadable))
    if facts.duplicates:
        D.paragraph(doc, w.runs("sentences", "basic_duplicates", duplicates=facts.duplicates))

    D.heading(doc, w.text("headings", "goals"), 1)
    D.heading(doc, w.text("headings", "goals_overall"), 2)
    n_ind = sum(c.indicators for c in facts.level1)
    n_met = sum(c.met for c in facts.level1)
    n_missed = sum(c.missed for c in facts.level1)
    D.paragraph(doc, w.runs("sentences", "goals_overall", indicators=n_ind, met=n_met,
                            missed=n_missed, unjudged=n_ind - n_met - n_missed))
    rows = [[c.name, str(c.indicators), str(c.met), str(c.missed), str(c.unjudged)] for c in facts.level1]
    D.table(doc, w.tables["level1_headers"], rows,
            total=[w.tables["total_label"], str(n_ind), str(n_met), str(n_missed),
                   str(n_ind - n_met - n_missed)])
    D.heading(doc, w.text("headings", "goals_projects"), 2)
    for p in facts.projects:
        _project(doc, w, p)

    D.heading(doc, w.text("headings", "results"), 1)
    counts = [(g, t.grades.get(g, 0)) for g in facts.grades]
    counts += [(g, n) for g, n in t.grades.items() if g not in facts.grades]
    sep = w.text("sentences", "grade_separator")
    grade_list = sep.join(w.text("sentences", "grade_item", grade=g, count=n) for g, n in counts)
    D.paragraph(doc, w.runs("sentences", "results_grades", grades=grade_list, projects=t.count,
                            mean=points(t.mean_total), weighted=points(t.weighted_total)))
    graded = sum(n for _, n in counts)
    D.table(doc, w.tables["grade_headers"],
            [[g, str(n), percent(R.rate(Decimal(n) / graded)) if graded else "—"] for g, n in counts],
            total=[w.tables["total_label"], str(graded), percent(Decimal(1)) if graded else "—"])
    changed = sum(1 for p in facts.projects if p.total is not None and p.reported_total is not None
                  and p.total != p.reported_total)
    if changed:
        D.paragraph(doc, w.runs("sentences", "results_changed", count=changed))
    png = grade_chart(counts)
    if png is not None:
        D.picture(doc, png)
        D.paragraph(doc, w.runs("sentences", "chart_caption"), style="Caption")

    D.heading(doc, w.text("headings", "problems"), 1)
    n = 0
    threshold = percent(facts.low_rate)
    n += 1
    D.heading(doc, _subheading(w, "problems_execution", n), 2)
    if facts.low_projects:
        for p in facts.low_projects:
            D.paragraph(doc, w.runs("sentences", "problems_execution", project=p.project,
                                    rate=percent(p.rate), threshold=threshold, reason=p.execution_reason))
    else:
        D.paragraph(doc, w.runs("sentences", "problems_execution_none", threshold=threshold))
    misses = facts.misses
    if misses:
        n += 1
        D.heading(doc, _subheading(w, "problems_targets", n), 2)
        sep = w.text("sentences", "problems_targets_separator")
        names = sep.join(w.text("sentences", "problems_targets_item", project=s.project, name=s.name)
                         for s in misses)
        D.paragraph(doc, w.runs("sentences", "problems_targets", count=len(misses),
                                projects=len({s.project for s in misses}), names=names))
    n += 1
    D.heading(doc, _subheading(w, "problems_audit", n), 2)
    if facts.errors:
        D.paragraph(doc, w.runs("sentences", "problems_audit", count=len(facts.errors)))
        for path, f in facts.errors:
            subject = " · ".join(x for x in (f.project, f.indicator) if x)
            location = R.link_text(f.location) if f.location is not None else R.file_name(path)
            D.paragraph(doc, w.runs("sentences", "problems_audit_item",
                                    subject=f"{subject}：" if subject else "", project=f.project,
                                    indicator=f.indicator, message=f.message,
                                    location=location or R.file_name(path), code=f.code))
    else:
        D.paragraph(doc, w.runs("sentences", "problems_audit_none"))

    D.heading(doc, w.text("headings", "measures"), 1)
    noted = [p for p in facts.projects if p.notes]
    if noted:
        D.paragraph(doc, w.runs("sentences", "measures_intro"))
        for p in noted:
            D.paragraph(doc, w.runs("sentences", "measures_item", project=p.project,
                                    text="；".join(p.notes)))
    else:
        D.paragraph(doc, w.runs("sentences", "measures_none"))
    D.paragraph(doc, w.runs("sentences", "measures_use"))

    doc.add_page_break()
    D.heading(doc, w.text("headings", "appendix"), 1)
    headers, body, total = appendix_rows(facts)
    total[1] = w.tables["total_label"]
    D.table(doc, headers, body, total=total, widths_mm=APPENDIX_WIDTHS)
    return doc

