"""The data model: what a 项目支出绩效自评表 holds, where each value came from, and what we found.

Everything here is an immutable dataclass. Readers build :class:`Form` objects out of
:class:`Cell` values that remember their :class:`Source` (file, sheet, cell address); the
scoring engine turns a form into a :class:`FormResult`; every check adds :class:`Finding` data.
Nothing in this module does I/O.

Example (a form row as the reader hands it over)::

    >>> src = Source("部门.xlsx", "访惠聚经费", "E12")
    >>> Cell("≥10次", source=src).text
    '≥10次'
    >>> Cell(Decimal("0.76"), number_format="0%").text
    '76%'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from .decimals import HUNDRED, fmt

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_CN = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value came from.

    ``cell`` is an A1 address. For a Word table ``sheet`` is ``表N`` (N counts tables from 1 in
    document order) and ``cell`` is the A1 address in the table's grid (row 1 = first table row,
    column A = first grid column), so every source reads the same way.
    """

    file: str
    sheet: str
    cell: str

    def __str__(self) -> str:
        return f"{self.file}｜{self.sheet}!{self.cell}"

    def with_cell(self, cell: str) -> "Source":
        return Source(self.file, self.sheet, cell)


@dataclass(frozen=True, slots=True)
class Cell:
    """One value as read from a source: text, a number, or nothing.

    ``value`` is ``str`` for text, ``Decimal`` for a number stored as a number, ``None`` when
    empty. ``number_format`` is the Excel number format where the reader knows it (openpyxl),
    ``None`` otherwise (calamine, Word). ``no_cached_value`` is set when the cell holds a formula
    whose result was never computed (a file written by a library and never opened in Excel).
    """

    value: str | Decimal | None
    source: Source | None = None
    number_format: str | None = None
    no_cached_value: bool = False

    @property
    def is_empty(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())

    @property
    def is_percent_formatted(self) -> bool:
        return bool(self.number_format) and "%" in self.number_format  # type: ignore[operator]

    @property
    def text(self) -> str:
        """The value as a person sees it in the cell."""
        if self.value is None:
            return ""
        if isinstance(self.value, Decimal):
            if self.is_percent_formatted:
                return fmt(self.value * HUNDRED, 2) + "%"
            return fmt(self.value, 6)
        return self.value.strip()


EMPTY = Cell(None)

_new = object.__new__
_SET_SOURCE = (Source.file.__set__, Source.sheet.__set__, Source.cell.__set__)  # type: ignore[attr-defined]
_SET_CELL = (Cell.value.__set__, Cell.source.__set__, Cell.number_format.__set__,  # type: ignore[attr-defined]
             Cell.no_cached_value.__set__)  # type: ignore[attr-defined]


def make_source(file: str, sheet: str, cell: str) -> Source:
    """``Source(file, sheet, cell)`` without the frozen dataclass' ``__init__`` (which sets
    each field through ``object.__setattr__``): readers make one per cell they read.

    >>> make_source("a.xlsx", "表1", "E12") == Source("a.xlsx", "表1", "E12")
    True
    """
    obj = _new(Source)
    set_file, set_sheet, set_cell = _SET_SOURCE
    set_file(obj, file)
    set_sheet(obj, sheet)
    set_cell(obj, cell)
    return obj


def make_cell(value: str | Decimal | None, source: Source | None,
              number_format: str | None = None, no_cached_value: bool = False) -> Cell:
    """``Cell(value, source, number_format, no_cached_value)``, faster (see :func:`make_source`).

    >>> make_cell("≥10次", make_source("a.xlsx", "表1", "E12")) == Cell("≥10次", Source("a.xlsx", "表1", "E12"))
    True
    """
    obj = _new(Cell)
    set_value, set_source, set_format, set_no_cache = _SET_CELL
    set_value(obj, value)
    set_source(obj, source)
    set_format(obj, number_format)
    set_no_cache(obj, no_cached_value)
    return obj

MeasureKind = Literal[
    "number",  # a quantity: value + unit (+ operator for targets)
    "date",  # a calendar deadline or date: year, month (, day)
    "qualitative",  # free text such as 有一定增强, 达成预期指标, 优
    "not_applicable",  # / — - 无 …… : nothing to score
    "empty",  # blank cell
    "unparsed",  # something we could not read; the audit reports it
]
Operator = Literal[">=", "<=", "=", ">", "<"]


@dataclass(frozen=True, slots=True)
class Measure:
    """A target (年度指标值) or an actual (实际完成值) turned into a typed value.

    ``value`` is the number as written (85 for ``≥85%``); ``unit`` is normalised (``%``, ``‰``,
    ``万元``, ``元``, ``次``, ``年``, …) and ``scale`` converts ``value`` to a comparable base
    (``%`` → 0.01, ``‰`` → 0.001, ``万元`` → 10000, ``元`` → 1, otherwise 1), so
    ``base = value * scale``. ``op`` is ``None`` when no operator was written (a bare value).
    ``date`` is ``(year, month, day)`` with day 0 meaning the month's end (``2020年12月底前``).
    ``text`` is the original text, stripped.
    """

    kind: MeasureKind
    text: str = ""
    op: Operator | None = None
    value: Decimal | None = None
    unit: str | None = None
    scale: Decimal = Decimal(1)
    date: tuple[int, int, int] | None = None
    note: str | None = None  # why it is unparsed, or what was normalised
    numeric_cell: bool = False  # read from a number cell whose format was not known

    @property
    def base(self) -> Decimal | None:
        return None if self.value is None else self.value * self.scale

    @property
    def is_scorable(self) -> bool:
        return self.kind in ("number", "date", "qualitative")


@dataclass(frozen=True, slots=True)
class FundsRow:
    """A row of the 项目资金 block.

    ``kind`` is ``total`` (年度资金总额 / 总额), ``appropriation`` (当年/本年财政拨款, 财政资金),
    ``carryover`` (上年结转资金), ``other`` (其他资金, 单位资金, 财政专户管理资金…).
    ``budget`` is 全年预算数 (Sichuan: 调整后预算数); ``initial_budget`` is 年初预算数.
    """

    kind: Literal["total", "appropriation", "carryover", "other"]
    label: str
    initial_budget: Cell = EMPTY
    budget: Cell = EMPTY
    executed: Cell = EMPTY
    weight: Cell = EMPTY
    rate: Cell = EMPTY
    score: Cell = EMPTY
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class Indicator:
    """One 三级指标 row: 一级/二级/三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因.

    ``level1``/``level2`` are normalised labels without weights or prefixes (``产出指标``,
    ``数量指标``); ``level1_weight`` is a weight written into the label (``产出指标(50分)`` → 50).
    ``level1_inferred`` is set when the sheet left 一级 empty and it was inferred from 二级.
    ``target`` holds the whole target text; when the layout splits it into 指标性质 | 指标值 |
    度量单位 cells the reader joins them (``≥`` + ``95`` + ``%`` → ``≥95%``) and keeps the
    source of the value cell.
    """

    level1: str
    level2: str
    name: str
    target: Cell = EMPTY
    actual: Cell = EMPTY
    weight: Cell = EMPTY
    score: Cell = EMPTY
    deviation: Cell = EMPTY
    level1_weight: Decimal | None = None
    level1_inferred: bool = False
    source: Source | None = None  # the row's 三级指标 cell


@dataclass(frozen=True, slots=True)
class Form:
    """One 项目支出绩效自评表 as read from a source.

    ``layout`` names the frame it was read with (``national``, ``sichuan``, ``hebei``…).
    ``money_unit`` is the unit the funds block was written in; readers convert 元 to 万元 and
    leave ``money_unit='元'`` so the audit can say so. ``read_findings`` are what the reader
    noticed (an inferred 一级指标, a formula without a cached value, a shifted row…).
    """

    source: Source
    layout: str
    project: Cell = EMPTY
    department: Cell = EMPTY
    implementing_unit: Cell = EMPTY
    year: Cell = EMPTY
    funds: tuple[FundsRow, ...] = ()
    goal_expected: Cell = EMPTY
    goal_actual: Cell = EMPTY
    indicators: tuple[Indicator, ...] = ()
    reported_total: Cell = EMPTY
    reported_grade: Cell = EMPTY
    money_unit: str = "万元"
    budget_weight_declared: Decimal | None = None  # e.g. 预算执行情况(10分)
    read_findings: tuple["Finding", ...] = ()
    # Why 执行率 is low, where the layout has a cell for it (Sichuan 预算执行 row 未完成原因分析).
    execution_note: Cell = EMPTY

    @property
    def project_name(self) -> str:
        return self.project.text

    def funds_row(self, kind: str) -> FundsRow | None:
        for row in self.funds:
            if row.kind == kind:
                return row
        return None


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or remark) about a form, with the cell it points at.

    ``message`` is Chinese and complete on its own; ``expected``/``reported`` are display strings.
    """

    code: str
    severity: Severity
    message: str
    project: str = ""
    indicator: str = ""
    location: Source | None = None
    expected: str = ""
    reported: str = ""

    def sort_key(self) -> tuple:
        loc = self.location
        return (SEVERITY_ORDER[self.severity], self.project,
                loc.file if loc else "", loc.sheet if loc else "", self.code)


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    """The engine's view of one indicator row.

    ``score`` is the score by the rule pack (``None`` when not applicable or not computable);
    ``met`` is True/False for quantitative rows, ``None`` for qualitative or not-applicable ones.
    ``rule`` names the rule applied (``positive``, ``reverse_ratio``, ``reverse_linear``,
    ``equal``, ``zero``, ``strict_gt``, ``strict_lt``, ``deadline``, ``qualitative``,
    ``not_applicable``, ``unparsed``). For qualitative rows ``band`` is the allowed score range.
    """

    indicator: Indicator
    target: Measure
    actual: Measure
    weight: Decimal | None
    reported_score: Decimal | None
    score: Decimal | None
    met: bool | None
    rule: str
    band: tuple[Decimal, Decimal] | None = None
    applicable: bool = True


@dataclass(frozen=True, slots=True)
class FundsResult:
    """执行率 and its score as recomputed from the funds block."""

    budget: Decimal | None
    executed: Decimal | None
    execution_rate: Decimal | None  # a fraction: 0.76 for 76 %
    weight: Decimal | None
    score: Decimal | None
    reported_rate: Decimal | None
    reported_score: Decimal | None


@dataclass(frozen=True, slots=True)
class FormResult:
    """A form with every score recomputed, its totals, grade and findings."""

    form: Form
    funds: FundsResult
    indicators: tuple[IndicatorResult, ...]
    subtotals: dict[str, Decimal] = field(default_factory=dict)  # 一级指标 → recomputed score
    reported_subtotals: dict[str, Decimal] = field(default_factory=dict)
    weights: dict[str, Decimal] = field(default_factory=dict)  # 一级指标 → Σ分值 (+ 预算执行)
    reported_total: Decimal | None = None
    total: Decimal | None = None
    grade: str | None = None
    findings: tuple[Finding, ...] = ()

    @property
    def project(self) -> str:
        return self.form.project_name

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)
