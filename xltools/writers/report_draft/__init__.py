"""A draft 部门项目支出绩效自评报告 (.docx) from the forms of a batch.

The draft restates what the forms and the audit already hold — projects, money, 执行率, grades,
missed targets with the filers' reasons, low execution, error-level findings, the filers' 改进措施
— in sentences taken from ``wording.toml`` (a department may copy and adapt it). Nothing is
invented: what the forms do not say appears as a highlighted reminder (``（请补充偏差原因）``).
Its numbers are the 部门汇总's (same rows, same rounding, same totals).

    facts.py     ReportFacts gathered from (file path, FormResult) pairs and findings
    wording.py   the sentence templates: load, extend, check, fill into runs
    chart.py     the grade-distribution chart (Pillow PNG)
    document.py  the GB/T 9704 page, fonts, heading styles, tables, page numbers (python-docx)
    outline.py   the outline: 一、基本情况 … 五、改进措施及结果应用, 附表

Example::

    >>> from xltools.pipeline import check_files
    >>> report = check_files(["workbooks/samples"])                      # doctest: +SKIP
    >>> write_report_docx(report, "out/绩效自评报告.docx")                 # doctest: +SKIP
    PosixPath('out/绩效自评报告.docx')
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ...pipeline import Report
from .. import rows as R
from ..atomic import OutputError, atomic_path, os_reason, refuse_inputs
from .outline import compose
from .facts import ReportFacts, gather
from .wording import Wording, WordingError, default_wording_text, load_wording

__all__ = ["write_report_docx", "report_facts", "ReportFacts", "WordingError", "load_wording",
           "default_wording_text", "OutputError"]


def report_facts(report: Report, pack=None) -> ReportFacts:
    """The facts of a batch, ordered and rounded as the 部门汇总 shows them."""
    from ...core.rulepack import load_rulepack
    from ..summary_workbook import pairs_of

    pack = pack if pack is not None else load_rulepack(None)
    results, findings = pairs_of(report)
    return gather(results, findings, low_rate=pack.low_execution_rate, grades=R.grade_names(pack),
                  files=len(report.files), unreadable=len(report.failed_files))


def write_report_docx(report: Report, out_path: str | Path, *, pack=None,
                      department: str | None = None, year: str | None = None,
                      wording: str | Path | Wording | None = None,
                      inputs: Iterable[str | Path] = ()) -> Path:
    """Write the draft to ``out_path`` atomically; never over one of ``inputs``.

    Raises :class:`OutputError` (cannot write) or :class:`WordingError` (bad wording file), each
    with one Chinese sentence in ``args[0]``.
    """
    out = Path(out_path)
    refuse_inputs(out, [*inputs, *(f.path for f in report.files)])
    w = wording if isinstance(wording, Wording) else load_wording(wording)
    doc = compose(report_facts(report, pack), w, department=department, year=year)
    with atomic_path(out, "自评报告") as tmp:
        try:
            doc.save(tmp)
        except OSError as exc:
            raise OutputError(f"无法写入自评报告 {out.name}：{os_reason(exc)}。") from exc
    return out
