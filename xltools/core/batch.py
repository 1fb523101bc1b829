"""Checks across the forms of a batch (one department's year end), not inside one form.

So far one check: the same project filed twice. A department that receives a project's form as
Excel and again as Word, or a form copied into two workbooks, would count its budget twice in
the 部门汇总; the batch check says so instead of silently adding it up.

Example — two files carry 访惠聚经费 (昌吉州党委宣传部, 2020, 全年预算数 13)::

    宣传部.xlsx｜访惠聚经费!B4   访惠聚经费 | 昌吉州党委宣传部 | 2020 | 13
    宣传部.docx｜表1!B1          访惠聚经费 | 昌吉州党委宣传部 | 2020 | 13

    → DUPLICATE_FORM (warning) at 宣传部.docx｜表1!B1: “访惠聚经费”（昌吉州党委宣传部，2020年度，
      全年预算数 13 万元）在 2 处出现：宣传部.xlsx｜访惠聚经费!B4、宣传部.docx｜表1!B1。汇总时会
      重复计算，请核对后只保留一份。
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from .decimals import fmt
from .model import Finding, FormResult, Source


@dataclass(frozen=True, slots=True)
class FormKey:
    """What identifies a project's form within a batch: name, department, year and budget."""

    project: str
    department: str
    year: str
    budget: Decimal | None

    @classmethod
    def of(cls, result: FormResult) -> "FormKey | None":
        form = result.form
        project = "".join(form.project.text.split())
        if not project:
            return None  # an unnamed form cannot be matched
        budget = result.funds.budget
        return cls(project, "".join(form.department.text.split()), form.year.text.strip(),
                   None if budget is None else budget.normalize())


def batch_entry(result: FormResult) -> tuple[FormKey | None, str, Source | None]:
    """What :func:`duplicate_findings` needs of one scored form (built where the form is)."""
    return FormKey.of(result), result.project, result.form.source


MAX_PLACES = 5  # places named in one DUPLICATE_FORM message (a form copied 300 times: the first 5)


def _where(source: Source | None, path: str | None = None) -> str:
    if source is None:
        return "（位置未知）"
    file = path or source.file
    return f"{file}｜{source.sheet}!{source.cell}" if source.sheet else file


def duplicate_findings(entries: Iterable[tuple[FormKey | None, str, Source | None]]) -> list[Finding]:
    """One DUPLICATE_FORM warning for every repeat of a project already seen in the batch.

    ``entries`` are ``(key, project name as written, source)`` in input order; the first
    occurrence is kept silent, each later one is reported at its own source.
    """
    return [f for f, _ in tagged_duplicate_findings((*e, None) for e in entries)]


def tagged_duplicate_findings(entries) -> list[tuple[Finding, object]]:
    """:func:`duplicate_findings` for ``(key, project, source, tag)`` entries (a tag is the
    file's path): each finding comes with the tag of the form it is about, and a place whose
    source reads the same as another's (自评表.xlsx in two folders) is named by its tag.

    >>> k = FormKey("访惠聚经费", "宣传部", "2020", Decimal(13))
    >>> src = Source("自评表.xlsx", "表1", "B1")
    >>> [(f.message.split("：")[1][:19], tag) for f, tag in tagged_duplicate_findings(
    ...     [(k, "访惠聚经费", src, "甲/自评表.xlsx"), (k, "访惠聚经费", src, "乙/自评表.xlsx")])]
    [('甲/自评表.xlsx｜表1!B1、乙/', '乙/自评表.xlsx')]
    """
    seen: dict[FormKey, list[tuple[str, Source | None, object]]] = {}
    order: list[FormKey] = []
    for key, project, source, tag in entries:
        if key is None:
            continue
        if key not in seen:
            seen[key] = []
            order.append(key)
        seen[key].append((project, source, tag))
    out: list[tuple[Finding, object]] = []
    for key in order:
        places = seen[key]
        if len(places) > 1:
            out.extend(key_findings(key, lambda places=places: iter(places)))
    return out


def key_findings(key: FormKey, places: Callable[[], Iterator[tuple[str, Source | None, object]]]
                 ) -> Iterator[tuple[Finding, object]]:
    """The findings of :func:`tagged_duplicate_findings` for the places of one key, one at a
    time. ``places()`` gives a fresh iterator over ``(project, source, tag)`` in input order
    each time it is called (it is read twice: what the message names, then each repeat), so
    a form copied ten thousand times needs no list of its places.

    >>> k = FormKey("访惠聚经费", "宣传部", "2020", None)
    >>> places = [("访惠聚经费", Source(f"{i}.xlsx", "表1", "B1"), i) for i in range(8)]
    >>> found = list(key_findings(k, lambda: iter(places)))
    >>> len(found), found[0][1], found[0][0].message.split("：")[1].split("。")[0]
    (7, 1, '0.xlsx｜表1!B1、1.xlsx｜表1!B1、2.xlsx｜表1!B1、3.xlsx｜表1!B1、4.xlsx｜表1!B1 等 8 处')
    """
    shown: set[str] = set()
    first: list[tuple[Source | None, object]] = []
    count, clash = 0, False
    for _, source, tag in places():
        count += 1
        if len(first) < MAX_PLACES:
            first.append((source, tag))
        if not clash:
            where = _where(source)
            clash = where in shown
            shown.add(where)
    shown.clear()
    if count < 2:
        return
    where = "、".join(_where(src, str(tag) if clash and tag else None) for src, tag in first)
    if count > MAX_PLACES:  # each repeat's message stays short: linear, not quadratic
        where += f" 等 {count} 处"
    about = "，".join(x for x in (key.department, f"{key.year}年度" if key.year else "",
                                  f"全年预算数 {fmt(key.budget, 6)} 万元" if key.budget is not None else "")
                      if x)
    repeats = places()
    next(repeats)  # the first place is not a repeat
    for project, source, tag in repeats:
        yield (Finding(
            "DUPLICATE_FORM", "warning",
            f"“{project}”（{about}）在 {count} 处出现：{where}。汇总时会重复计算，"
            "请核对后只保留一份。",
            project=project, location=source,
            expected="只出现一次", reported=f"出现 {count} 次"), tag)
