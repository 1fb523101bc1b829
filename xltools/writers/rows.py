"""The rows of the 部门汇总: built once, written by the XlsxWriter sheets and the pandas frames.

Each table is a list of :class:`Column` (Chinese header, kind, width) and rows of plain values:
``str`` (text copied verbatim, always written as text), ``Decimal`` (rounded half-up here, once),
``int``, ``None`` (blank) or :class:`Link` (display text + target file, sheet and cell).

Example (one form whose funds are 1000 / 760 万元 and whose recomputed total is 87.6)::

    >>> from xltools.core.model import *
    >>> form = Form(Source("a.xlsx", "表1", "A1"), "national", project=Cell("访惠聚经费"))
    >>> funds = FundsResult(Decimal(1000), Decimal(760), Decimal("0.76"), Decimal(10),
    ...                     Decimal("7.6"), None, None)
    >>> r = FormResult(form, funds, (), total=Decimal("87.6"), grade="良")
    >>> row = form_rows([("a.xlsx", r)])[0]
    >>> row[1], row[5], row[7], row[13], row[14]
    ('访惠聚经费', Decimal('1000.00'), Decimal('0.7600'), Decimal('87.60'), '良')
    >>> totals([row]).rate
    Decimal('0.7600')
"""

from __future__ import annotations

import itertools
import os
import pickle
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator, Literal, Sequence

from ..core.batch import batch_entry, key_findings, tagged_duplicate_findings
from ..core.decimals import fmt, round_half_up
from ..core.model import SEVERITY_CN, Finding, FormResult, Source
from ..core.remember import remember
from ..core.rule_names import rule_cn
from .sorted_spill import SortedSpill, chunk_items

Kind = Literal["int", "text", "money", "rate", "score", "link"]
GRADES = ("优", "良", "中", "差")
WORD_SUFFIXES = (".docx", ".doc")


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind
    width: float


@dataclass(frozen=True)
class Link:
    """A hyperlink to a source: ``path`` is the file, ``sheet``/``cell`` the location (Excel)."""

    text: str
    path: str
    sheet: str = ""
    cell: str = ""

    def __str__(self) -> str:
        return self.text


Value = str | Decimal | int | Link | None
Row = tuple[Value, ...]

FORM_COLUMNS: tuple[Column, ...] = (
    Column("序号", "int", 6),
    Column("项目名称", "text", 36),
    Column("主管部门", "text", 26),
    Column("实施单位", "text", 26),
    Column("年度", "text", 7),
    Column("全年预算数", "money", 13),
    Column("全年执行数", "money", 13),
    Column("执行率", "rate", 9),
    Column("预算执行得分", "score", 9),
    Column("产出指标", "score", 9),
    Column("效益指标", "score", 9),
    Column("满意度指标", "score", 9),
    Column("报告总分", "score", 9),
    Column("复核总分", "score", 9),
    Column("等级", "text", 6),
    Column("错误数", "int", 7),
    Column("警告数", "int", 7),
    Column("来源", "link", 60),
)

FINDING_COLUMNS: tuple[Column, ...] = (
    Column("序号", "int", 6),
    Column("严重程度", "text", 8),
    Column("代码", "text", 32),
    Column("项目", "text", 30),
    Column("指标", "text", 30),
    Column("问题说明", "text", 90),
    Column("应为", "text", 14),
    Column("报告值", "text", 14),
    Column("位置", "link", 60),
)

INDICATOR_COLUMNS: tuple[Column, ...] = (
    Column("项目名称", "text", 26),
    Column("一级指标", "text", 11),
    Column("二级指标", "text", 14),
    Column("三级指标", "text", 28),
    Column("年度指标值", "text", 16),
    Column("实际完成值", "text", 16),
    Column("分值", "score", 7),
    Column("报告得分", "score", 9),
    Column("复核得分", "score", 9),
    Column("是否达成", "text", 8),
    Column("规则", "text", 14),
    Column("位置", "text", 40),
)

# 汇总 column indexes used by the totals, conditional formats and charts
COL = {c.header: i for i, c in enumerate(FORM_COLUMNS)}
LEVEL1 = ("产出指标", "效益指标", "满意度指标")


def money(value: Decimal | None) -> Decimal | None:
    return None if value is None else round_half_up(value, 2)


def rate(value: Decimal | None) -> Decimal | None:
    return None if value is None else round_half_up(value, 4)


def score(value: Decimal | None) -> Decimal | None:
    return None if value is None else round_half_up(value, 2)


FILES_REMEMBERED = 1024  # per-file caches of the writers: a bound that keeps memory flat


def file_name(path: str) -> str:
    """``Path(path).name``, remembered: every row of a form names the same file. (Without
    making a ``Path``: pathlib interns every part of a path for good, which would keep each
    input's name in memory until the process ends.)

    >>> file_name("2020年自评表/甲单位/自评表.xlsx"), file_name("自评表.xlsx")
    ('自评表.xlsx', '自评表.xlsx')
    """
    name = _FILE_NAMES.get(path)
    if name is None:
        name = remember(_FILE_NAMES, path, os.path.basename(
            path.rstrip("/" + os.sep) if len(path) > 1 else path), FILES_REMEMBERED)
    return name


_FILE_NAMES: dict[str, str] = {}


def link_text(source: Source) -> str:
    """``文件名｜工作表!单元格``; just the file name when the location is unknown."""
    name = file_name(source.file) or source.file
    if not source.sheet:
        return name
    return f"{name}｜{source.sheet}!{source.cell}" if source.cell else f"{name}｜{source.sheet}"


def source_link(source: Source | None, file_path: str) -> Link | None:
    """A link to ``source`` inside the input file ``file_path`` (which may be a full path)."""
    if source is None:
        return Link(file_name(file_path), file_path)
    return Link(link_text(source), file_path, source.sheet, source.cell)


def _subtotal(result: FormResult, name: str) -> Decimal | None:
    if name in result.subtotals:
        return result.subtotals[name]
    for key, value in result.subtotals.items():  # 服务对象满意度指标, 产出指标(50分) …
        if name in key:
            return value
    return None


def form_rows(results: Iterable[tuple[str, FormResult]]) -> list[Row]:
    """One 汇总 row per ``(file_path, result)``; the columns are :data:`FORM_COLUMNS`."""
    rows: list[Row] = []
    for i, (path, r) in enumerate(results, 1):
        f = r.form
        rows.append((
            i,
            f.project.text,
            f.department.text,
            f.implementing_unit.text,
            f.year.text,
            money(r.funds.budget),
            money(r.funds.executed),
            rate(r.funds.execution_rate),
            score(r.funds.score),
            *(score(_subtotal(r, name)) for name in LEVEL1),
            score(r.reported_total),
            score(r.total),
            r.grade or "",
            r.count("error"),
            r.count("warning"),
            source_link(f.source, path),
        ))
    return rows


def finding_rows(pairs: Iterable[tuple[str, Finding]]) -> list[Row]:
    """Every ``(file_path, finding)``, sorted by severity then project; :data:`FINDING_COLUMNS`."""
    ordered = sorted(pairs, key=lambda p: p[1].sort_key())
    rows: list[Row] = []
    for i, (path, f) in enumerate(ordered, 1):
        loc = f.location
        target = source_link(loc, path) if loc is not None and loc.sheet else Link(
            file_name(path), path)
        rows.append((i, SEVERITY_CN.get(f.severity, f.severity), f.code, f.project, f.indicator,
                     f.message, f.expected, f.reported, target))
    return rows


def _met(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def indicator_rows(results: Iterable[tuple[str, FormResult]]) -> Iterable[Row]:
    """Every indicator of every form, long format (a generator: this table can be huge)."""
    for _path, r in results:
        project = r.project
        for ir in r.indicators:
            ind = ir.indicator
            yield (project, ind.level1, ind.level2, ind.name, ind.target.text, ind.actual.text,
                   score(ir.weight), score(ir.reported_score), score(ir.score), _met(ir.met),
                   rule_cn(ir.rule), link_text(ind.source) if ind.source else "")


@dataclass(frozen=True)
class Totals:
    """The 合计 row: sums, overall rate, means and the count per grade."""

    count: int
    budget: Decimal | None
    executed: Decimal | None
    rate: Decimal | None  # Σ执行 ÷ Σ预算
    mean_total: Decimal | None  # mean 复核总分
    weighted_total: Decimal | None  # Σ(预算 × 复核总分) ÷ Σ预算 over forms having both
    grades: dict[str, int]


def grade_names(pack=None) -> tuple[str, ...]:
    """The grade labels of a rule pack, best first (``优 良 中 差`` without a pack)."""
    grades = getattr(pack, "grades", None)
    return tuple(str(g[0]) for g in grades) if grades else GRADES


def totals(rows: Sequence[Row], grades: Sequence[str] = GRADES) -> Totals:
    """Totals of :func:`form_rows` rows (computed on the rounded values the sheet shows)."""
    running = RunningTotals()
    for r in rows:
        running.add(r)
    return running.totals(grades)


class RunningTotals:
    """:func:`totals` kept row by row, for a writer that does not keep the rows: the same sums
    in the same order, so the same :class:`Totals`; also the 错误数 and 警告数 sums.

    >>> running = RunningTotals()
    >>> running.add((1, "甲", "", "", "", Decimal(10), Decimal(8), None, None, None, None, None,
    ...              None, Decimal(90), "优", 2, 1, None))
    >>> running.totals().rate, running.errors, running.warnings, running.totals().grades["优"]
    (Decimal('0.8000'), 2, 1, 1)
    """

    def __init__(self) -> None:
        self.count = self.errors = self.warnings = 0
        self._budget = self._executed = self._scores = self._weight = self._weighted = Decimal(0)
        self._budgets = self._executeds = self._n_scores = self._pairs = 0
        self._grades: dict[str, int] = {}

    def add(self, r: Row) -> None:
        b, e, t = r[COL["全年预算数"]], r[COL["全年执行数"]], r[COL["复核总分"]]
        self.count += 1
        if isinstance(b, Decimal):
            self._budget += b
            self._budgets += 1
        if isinstance(e, Decimal):
            self._executed += e
            self._executeds += 1
        if isinstance(t, Decimal):
            self._scores += t
            self._n_scores += 1
            if isinstance(b, Decimal):
                self._weight += b
                self._weighted += b * t
                self._pairs += 1
        grade = r[COL["等级"]]
        if grade:
            self._grades[str(grade)] = self._grades.get(str(grade), 0) + 1
        self.errors += int(r[COL["错误数"]] or 0)
        self.warnings += int(r[COL["警告数"]] or 0)

    def totals(self, grades: Sequence[str] = GRADES) -> Totals:
        sum_b = self._budget if self._budgets else None
        sum_e = self._executed if self._executeds else None
        overall = rate(sum_e / sum_b) if sum_b and sum_e is not None else None
        mean = score(self._scores / self._n_scores) if self._n_scores else None
        weight = self._weight
        weighted = score(self._weighted / weight) if weight else None
        counts = {name: 0 for name in grades}
        for name, n in self._grades.items():
            counts[name] = counts.get(name, 0) + n
        return Totals(self.count, money(sum_b), money(sum_e), overall, mean, weighted, counts)


def plain(value: Value) -> str | int | float | None:
    """A value for pandas or JSON-like use: Decimal → float, Link → its text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Link):
        return value.text
    return value


def display(value: Value) -> str | int | None:
    """A value for JSON output: Decimal → text without trailing zeros (``87.6``)."""
    if isinstance(value, Decimal):
        return fmt(value, 4)
    if isinstance(value, Link):
        return value.text
    return value


def link_target(link: Link, out_dir: str | Path) -> str:
    """The file part of a hyperlink: relative to the summary's folder when possible."""
    target = os.path.abspath(link.path)
    try:
        rel = os.path.relpath(target, os.path.abspath(out_dir))
    except ValueError:  # another drive on Windows
        return target
    return target if rel.startswith(".." + os.sep + ".." + os.sep + "..") else rel


@dataclass(frozen=True)
class FileRows:
    """One input file's share of the summary, small enough to send between processes.

    ``forms`` rows have 序号 0 (numbered when written); ``findings`` are ``(sort key, row)``
    pairs with 序号 0, sorted when written; ``counts`` maps severity → number of findings.
    An ``indicators`` item that is a ``str`` is that row already rendered as sheet XML by the
    summary writer's renderer (see :func:`file_rows`), with a placeholder for its row number.
    """

    path: str
    forms: tuple[Row, ...]
    findings: tuple[tuple[tuple, Row], ...]
    indicators: tuple[Row, ...]
    counts: dict[str, int]
    error: str | None = None
    keys: tuple = ()  # (FormKey | None, project, Source) per form, for the batch checks


def file_rows(file_report, render: Callable[[Row], str | None] | None = None) -> FileRows:
    """A :class:`~xltools.pipeline.FileReport` → its :class:`FileRows` (runs in a worker).

    ``render`` (from ``writers.summary_workbook.SummaryWriter.detail_renderer``) turns an indicator row
    into its 指标明细 XML, so the worker does that work instead of the writing process; a row
    it cannot render (``None``) stays a row of values.
    """
    path = file_report.path
    results = [(path, r) for r in file_report.results]
    found = list(file_report.findings) + [f for r in file_report.results for f in r.findings]
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in found:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    finding_pairs = [(path, f) for f in found]
    keyed = tuple((f.sort_key(), row) for (_, f), row in
                  zip(sorted(finding_pairs, key=lambda p: p[1].sort_key()),
                      finding_rows(finding_pairs)))
    forms = tuple((0, *row[1:]) for row in form_rows(results))
    keys = tuple(batch_entry(r) for r in file_report.results)
    indicators = tuple(indicator_rows(results))
    if render is not None:
        indicators = tuple(row if (xml := render(row)) is None else xml for row in indicators)
    return FileRows(path, forms, keyed, indicators, counts, file_report.error, keys)


def batch_rows(files: Sequence[FileRows], entries: Iterable[tuple] = ()) -> FileRows | None:
    """The batch findings (the same project in several places) as one more, form-less share of
    the summary; ``None`` when there are none. Each finding links to its own file.
    ``entries``: more ``(key, project, source, path)`` after those of ``files`` (what
    :func:`batch_entries` kept of files no longer in memory)."""
    tagged = tagged_duplicate_findings(itertools.chain(
        ((*key, f.path) for f in files for key in f.keys), entries))
    if not tagged:
        return None
    found = [x for x, _ in tagged]
    pairs = [(path or "", x) for x, path in tagged]  # each finding links to its own file
    keyed = tuple((x.sort_key(), row) for (_, x), row in
                  zip(sorted(pairs, key=lambda p: p[1].sort_key()), finding_rows(pairs)))
    counts = {"error": 0, "warning": 0, "info": 0}
    for x in found:
        counts[x.severity] += 1
    return FileRows("", (), keyed, (), counts)


def batch_entries(f: FileRows) -> list[bytes]:
    """What :func:`batch_rows` needs of ``f``, in a few hundred bytes per form: each form's
    ``(key, project, source, path)`` pickled (forms without a key are never matched: left out).

    >>> import pickle
    >>> from xltools.core.batch import FormKey
    >>> src = Source("甲/a.xlsx", "表1", "B1")
    >>> f = FileRows("甲/a.xlsx", (), (), (), {}, keys=((FormKey("项目", "部门", "2020", None),
    ...     "项目", src), (None, "", src)))
    >>> [pickle.loads(e)[1:] for e in batch_entries(f)]
    [('项目', Source(file='甲/a.xlsx', sheet='表1', cell='B1'), '甲/a.xlsx')]
    """
    return [pickle.dumps((*key, f.path), protocol=pickle.HIGHEST_PROTOCOL)
            for key in f.keys if key[0] is not None]


class BatchKeys:
    """Every form's batch key (:func:`batch_entries`) while the files go by, kept sorted by
    the key's hash in runs on disk (:class:`~xltools.writers.sorted_spill.SortedSpill`), so
    that a batch of any size needs no more memory than a few thousand of them.
    :meth:`findings` then reads the forms of one key at a time.

    >>> from xltools.core.batch import FormKey
    >>> k = FormKey("项目", "部门", "2020", None)
    >>> import tempfile
    >>> keys = BatchKeys(tempfile.mkdtemp(), run_size=1)
    >>> for p in ("甲.xlsx", "乙.xlsx", "丙.xlsx"):
    ...     keys.add(FileRows(p, (), (), (), {}, keys=((k, "项目", Source(p, "表1", "B1")),)))
    >>> [(x.code, path, first) for x, path, first in keys.findings()]
    [('DUPLICATE_FORM', '乙.xlsx', 0), ('DUPLICATE_FORM', '丙.xlsx', 0)]
    """

    hash = staticmethod(hash)  # what the keys are sorted by (equal keys, equal hashes)

    def __init__(self, folder: str | os.PathLike, run_size: int | None = None):
        self._spill = SortedSpill(folder, run_size)
        self._seq = 0

    def __len__(self) -> int:
        return self._seq

    def add(self, f: FileRows) -> None:
        keys = (key for key, *_ in f.keys if key is not None)  # what batch_entries pickles
        for key, blob in zip(keys, batch_entries(f)):
            self._spill.add(self.hash(key), (self._seq, blob))
            self._seq += 1

    def findings(self) -> Iterator[tuple[Finding, str, int]]:
        """``(finding, path of its file, first)`` for every key held by more than one form;
        ``first``: the input position of that key's first form (sorting by it gives the
        order of :func:`batch_rows`: keys in the order they first appear)."""
        for _, group in itertools.groupby(self._spill.keyed(), key=lambda kv: kv[0]):
            first_seq, first_blob = next(group)[1]
            second = next(group, None)
            if second is None:  # one form with this hash: no repeat (the usual case)
                continue
            by_key: dict = {}  # a hash shared by two keys: each key's forms on their own
            first: dict = {}
            for _, (seq, blob) in itertools.chain(((None, (first_seq, first_blob)), second),
                                                   group):
                key = pickle.loads(blob)[0]
                if key not in by_key:
                    by_key[key] = _Places(self._spill.folder)
                    first[key] = seq
                by_key[key].add(blob)
            for key, places in by_key.items():
                with places:
                    if len(places) > 1:
                        for x, path in key_findings(key, places.read):
                            yield x, path or "", first[key]


class _Places:
    """The pickled batch entries of one key (:class:`BatchKeys`), read as many times as
    needed: in memory up to :data:`PLACES_IN_MEMORY`, beyond that (a form copied thousands of
    times) in a scratch file, so that no key needs memory in proportion to its copies."""

    def __init__(self, folder: str):
        self.folder, self.count = folder, 0
        self._blobs: list[bytes] = []
        self._file = None

    def __len__(self) -> int:
        return self.count

    def __enter__(self) -> "_Places":
        return self

    def __exit__(self, *exc) -> None:
        if self._file is not None:
            self._file.close()

    def add(self, blob: bytes) -> None:
        self.count += 1
        self._blobs.append(blob)
        if len(self._blobs) >= PLACES_IN_MEMORY:
            if self._file is None:
                self._file = tempfile.TemporaryFile(prefix="places-", dir=self.folder)
            pickle.dump(self._blobs, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._blobs = []

    def read(self) -> Iterator[tuple]:
        """``(project, source, path)`` of each entry, in the order added."""
        if self._file is not None:
            self._file.seek(0)
            yield from (pickle.loads(blob)[1:] for blob in chunk_items(self._file))
            self._file.seek(0, os.SEEK_END)
        yield from (pickle.loads(blob)[1:] for blob in self._blobs)


PLACES_IN_MEMORY = 256


def merge_rows(files: Sequence[FileRows]) -> tuple[list[Row], list[Row], Iterable[Row]]:
    """All files' rows: numbered form rows, findings sorted and numbered, indicator rows."""
    forms = [(i, *row[1:]) for i, row in
             enumerate((row for f in files for row in f.forms), 1)]
    keyed = sorted((pair for f in files for pair in f.findings), key=lambda p: p[0])
    findings = [(i, *row[1:]) for i, (_, row) in enumerate(keyed, 1)]
    indicators = (row for f in files for row in f.indicators)
    return forms, findings, indicators
