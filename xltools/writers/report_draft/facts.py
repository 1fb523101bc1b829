"""The facts a 绩效自评报告 restates, gathered once from a batch of scored forms.

Every number here is the one the 部门汇总 shows: the per-project rows are
:func:`xltools.writers.rows.form_rows` and the 合计 is :func:`xltools.writers.rows.totals` over
them, so the report's 附表 and the 汇总 sheet cannot disagree. Nothing is inferred beyond what
the forms say: a missing reason stays missing (``reason is None``) and the wording marks it as
owed.

Example (one project, one missed target without a reason)::

    >>> from decimal import Decimal as D
    >>> from xltools.core.model import *
    >>> from xltools.core.notation import parse_measure
    >>> ind = Indicator("满意度指标", "服务对象满意度指标", "群众满意度", Cell("≥85%"), Cell("80%"))
    >>> ir = IndicatorResult(ind, parse_measure("≥85%"), parse_measure("80%"), D(10), D(10),
    ...                      D("9.41"), False, "positive")
    >>> form = Form(Source("a.xlsx", "表1", "A1"), "national", project=Cell("宣传经费"),
    ...             department=Cell("某部门"), year=Cell("2020"))
    >>> funds = FundsResult(D(100), D(50), D("0.5"), D(10), D(5), None, None)
    >>> r = FormResult(form, funds, (ir,), total=D("94.41"), grade="优")
    >>> facts = gather([("a.xlsx", r)], [], low_rate=D("0.9"))
    >>> facts.department, facts.year, facts.projects[0].rate
    ('某部门', '2020', Decimal('0.5000'))
    >>> miss = facts.projects[0].shortfalls[0]
    >>> miss.name, miss.met, miss.reason, miss.share
    ('群众满意度', False, None, Decimal('0.9412'))
    >>> [(c.name, c.met, c.missed) for c in facts.level1]
    [('满意度指标', 0, 1)]
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Sequence

from ...core.model import Finding, FormResult, IndicatorResult, Measure
from ...core.notation import parse_measure
from .. import rows as R

LEVEL1_ORDER = ("产出指标", "效益指标", "满意度指标")
OTHER_LEVEL1 = "其他指标"
_YEAR = re.compile(r"(19|20)\d\d")
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


@dataclass(frozen=True)
class Shortfall:
    """An indicator that missed its target (``met is False``) or lost points (报告得分 < 分值)."""

    project: str
    level1: str
    name: str
    target: str
    actual: str
    weight: Decimal | None
    reported_score: Decimal | None
    score: Decimal | None
    met: bool | None
    reason: str | None  # the filer's 偏差原因, None when not given
    share: Decimal | None  # actual ÷ target (4 places) when both are comparable numbers
    location: str  # 文件｜工作表!单元格


@dataclass(frozen=True)
class ProjectFacts:
    """One form: its 汇总 row values and what it missed."""

    index: int
    project: str
    department: str
    budget: Decimal | None
    executed: Decimal | None
    rate: Decimal | None  # fraction, 4 places (as 汇总)
    reported_total: Decimal | None
    total: Decimal | None
    grade: str
    shortfalls: tuple[Shortfall, ...]
    low_rate: bool
    execution_reason: str | None
    notes: tuple[str, ...]  # the filer's own 偏差原因分析及改进措施 texts, in form order
    location: str


@dataclass(frozen=True)
class Level1Count:
    name: str
    indicators: int
    met: int
    missed: int

    @property
    def unjudged(self) -> int:
        """Qualitative or otherwise not judged met/missed by numbers."""
        return self.indicators - self.met - self.missed


@dataclass(frozen=True)
class ReportFacts:
    department: str | None  # None: the forms name none, or several
    year: str | None
    projects: tuple[ProjectFacts, ...]
    rows: tuple[R.Row, ...]  # the 汇总 rows (R.FORM_COLUMNS)
    totals: R.Totals
    level1: tuple[Level1Count, ...]
    grades: tuple[str, ...]
    low_rate: Decimal  # fraction
    errors: tuple[tuple[str, Finding], ...]  # error-level findings with their file path
    duplicates: int  # DUPLICATE_FORM findings
    files: int
    unreadable: int

    @property
    def shortfalls(self) -> list[Shortfall]:
        return [s for p in self.projects for s in p.shortfalls]

    @property
    def misses(self) -> list[Shortfall]:
        return [s for p in self.projects for s in p.shortfalls if s.met is False]

    @property
    def low_projects(self) -> list[ProjectFacts]:
        return [p for p in self.projects if p.low_rate]


def given(text: str) -> str | None:
    """The filer's text, or ``None`` when the cell is empty or a placeholder (/ 无 — ……).

    >>> given("  资金拨付较晚 "), given("/"), given("无"), given("")
    ('资金拨付较晚', None, None, None)
    """
    text = (text or "").strip()
    if not text or parse_measure(text).kind in ("not_applicable", "empty"):
        return None
    return text


def common(values: Iterable[str], pattern: re.Pattern | None = None) -> str | None:
    """The one value all forms agree on (or the most frequent when one clearly leads).

    >>> common(["甲", "甲", "乙"]), common(["甲", "乙"]), common(["", ""])
    ('甲', None, None)
    """
    found = [v for v in (x.strip() for x in values) if v]
    if pattern is not None:
        found = [m.group(0) for m in (pattern.search(v.translate(_CN_DIGITS)) for v in found) if m]
    if not found:
        return None
    ranked = Counter(found).most_common(2)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def _share(target: Measure, actual: Measure) -> Decimal | None:
    """actual ÷ target for two numbers of the same kind of unit, else ``None``."""
    if target.kind != "number" or actual.kind != "number":
        return None
    if target.base is None or actual.base is None or not target.base:
        return None
    if target.unit and actual.unit and target.scale == actual.scale and target.unit != actual.unit:
        return None  # 次 against 场: not comparable
    return R.rate(actual.base / target.base)


def _level1(name: str) -> str:
    for standard in LEVEL1_ORDER:
        if standard[:2] in name:
            return standard
    return name.strip() or OTHER_LEVEL1


def _shortfall(project: str, ir: IndicatorResult) -> Shortfall | None:
    ind = ir.indicator
    lost = (ir.weight is not None and ir.reported_score is not None
            and ir.reported_score < ir.weight)
    if ir.met is not False and not lost:
        return None
    return Shortfall(project, _level1(ind.level1), ind.name, ind.target.text, ind.actual.text,
                     R.score(ir.weight), R.score(ir.reported_score), R.score(ir.score), ir.met,
                     given(ind.deviation.text), _share(ir.target, ir.actual),
                     R.link_text(ind.source) if ind.source else "")


def gather(results: Sequence[tuple[str, FormResult]], findings: Iterable[tuple[str, Finding]], *,
           low_rate: Decimal, grades: Sequence[str] = R.GRADES, files: int | None = None,
           unreadable: int = 0) -> ReportFacts:
    """The facts of ``results`` (``(file path, FormResult)``, in 汇总 order) and their findings."""
    rows = R.form_rows(results)
    projects = []
    counts: dict[str, list[int]] = {}
    for row, (path, r) in zip(rows, results):
        form = r.form
        shortfalls = tuple(s for s in (_shortfall(form.project.text, ir) for ir in r.indicators) if s)
        for ir in r.indicators:
            if not ir.applicable:
                continue
            c = counts.setdefault(_level1(ir.indicator.level1), [0, 0, 0])
            c[0] += 1
            c[1] += ir.met is True
            c[2] += ir.met is False
        notes = tuple(dict.fromkeys(t for t in (given(ir.indicator.deviation.text)
                                                for ir in r.indicators) if t))
        rate = row[R.COL["执行率"]]
        projects.append(ProjectFacts(
            index=row[0], project=form.project.text, department=form.department.text,
            budget=row[R.COL["全年预算数"]], executed=row[R.COL["全年执行数"]], rate=rate,
            reported_total=row[R.COL["报告总分"]], total=row[R.COL["复核总分"]],
            grade=str(row[R.COL["等级"]] or ""), shortfalls=shortfalls,
            low_rate=rate is not None and rate < low_rate,
            execution_reason=given(form.execution_note.text), notes=notes,
            location=R.link_text(form.source)))
    order = [n for n in LEVEL1_ORDER if n in counts] + sorted(n for n in counts if n not in LEVEL1_ORDER)
    found = list(findings)
    return ReportFacts(
        department=common(r.form.department.text for _, r in results),
        year=common((r.form.year.text for _, r in results), _YEAR),
        projects=tuple(projects),
        rows=tuple(rows),
        totals=R.totals(rows, grades),
        level1=tuple(Level1Count(n, *counts[n]) for n in order),
        grades=tuple(grades),
        low_rate=low_rate,
        errors=tuple((p, f) for p, f in sorted(found, key=lambda x: x[1].sort_key())
                     if f.severity == "error"),
        duplicates=sum(1 for _, f in found if f.code == "DUPLICATE_FORM"),
        files=len({p for p, _ in results}) if files is None else files,
        unreadable=unreadable,
    )
