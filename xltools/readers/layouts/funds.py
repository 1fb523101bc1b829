"""The 项目资金 block: its header columns and its rows, wherever they sit on the sheet.

The header row is the row holding at least two known column labels. Each label owns the
columns its (merged) cell spans; a row's value for that column is the first non-empty cell in
the span. National, Sichuan and Hebei headers map onto the same fields::

    年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分              (national)
    年初预算 | 调整后预算数 | 预算执行数 | 预算执行率 | 权重 | 得分          (Sichuan: budget = 调整后预算数)
    预算数(调整后) | 到位数 | 执行数 | 预算执行进度(%)                    (Hebei)

A row with more cells than headers is realigned: with the headers above
``年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分`` the seed row
``年度资金总额 | 5 | 5 | (empty) | 5 | 10 | 100% | 10`` has seven cells for six headers; the
empty cell before the trailing 分值/执行率/得分 is dropped, giving budget 5, executed 5,
分值 10, 执行率 100%, 得分 10, and an info finding ``ROW_REALIGNED``.

Only the cells under the headers' overall span (first header column to the last column of the
last header) are read: a value to the right with no header above it (our own 复核得分, a
filer's note ``已核对``) or to the left of the first header is ignored, so the seed row above
with a stray ``9`` written after its 得分 still reads 5 / 5 / 100%.

Amounts written in 元 (``项目资金（元）`` or ``单位：元``) are converted to 万元 (÷ 10000) and the
form keeps ``money_unit='元'``.

The labels are the layout pack's (``xltools/layouts/default.toml``: funds columns, funds row
labels by their ending — ``年度财政资金总额`` is a total row). Besides the vertical block above:

- label–value pairs (:func:`_pairs`): ``预算数 | 6.84 | 到位数 | 6.84 | 执行数 | 6.84``;
- a row longer than its header read where 执行数 ÷ 预算数 agrees with its 执行率
  (:func:`_shift`, ``FUNDS_ROW_SHIFTED``);
- the 分值 of budget execution from ``预算执行情况（20分）`` or ``得分（20分*执行率）`` when the
  block has no 分值 column (:func:`_declared_weight`);
- ``年初预算数`` as the budget when it is the block's only budget column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ...core.decimals import to_decimal
from ...core.model import EMPTY, Cell, Finding, FundsRow
from ..grid import Grid
from ..layout_pack import active
from .common import LabelIndex, label_key, label_weight, row_anchors, span_of, split_label, squeeze_label

TRAILING_FIELDS = ("weight", "rate", "score")
AMOUNT_FIELDS = ("initial_budget", "budget", "executed")

_UNIT = re.compile(r"(?:单位|金额单位)[:：](万元|元)")
TEN_THOUSAND = Decimal(10000)


@dataclass
class FundsBlock:
    rows: list[FundsRow]
    header_row: int
    last_row: int
    money_unit: str = "万元"
    budget_weight: Decimal | None = None
    layout: str = "national"
    findings: list[Finding] = field(default_factory=list)
    note: Cell | None = None  # Sichuan 原因说明 cell of the total row (why 执行率 is low)
    horizontal: bool = False  # read from label–value pairs on one or a few rows
    shifted: tuple[int, ...] | None = None  # columns dropped from the total row (FUNDS_ROW_SHIFTED)


def find_header(index: LabelIndex, r1: int, r2: int) -> int | None:
    """First row in ``r1..r2-1`` with at least two funds column labels (one of them a budget)."""
    columns = active().funds_columns
    for r in range(r1, r2):
        fields = {columns[k] for _, k in index.row_keys[r] if k in columns}
        if len(fields) >= 2 and ("budget" in fields or "executed" in fields):
            return r
    return None


def header_spans(grid: Grid, index: LabelIndex, r: int) -> list[tuple[str, int, int]]:
    """``[(field, c1, c2)]`` for the header row, left to right; first occurrence of a field wins."""
    spans: list[tuple[str, int, int]] = []
    seen: set[str] = set()
    columns = active().funds_columns
    for c, key in index.row_keys[r]:
        name = columns.get(key)
        if name and name not in seen:
            seen.add(name)
            c1, c2 = span_of(grid, r, c)
            spans.append((name, c1, c2))
    return spans


def detect_unit(grid: Grid, index: LabelIndex, r1: int, r2: int) -> tuple[str, Decimal | None]:
    """(money unit, declared budget weight) from the funds title and ``单位：…`` cells."""
    unit = "万元"
    weight: Decimal | None = None
    titles = active().role_keys("funds_title")
    for r in range(r1, r2):
        for c, key in index.row_keys[r]:
            if key in titles:
                _, parts = split_label(str(grid.raw(r, c)))
                for part in parts:  # 项目资金（元） or 项目资金（单位：元）
                    m = _UNIT.search(part)
                    if part in ("元", "万元") or m:
                        unit = m.group(1) if m else part
                weight = label_weight(str(grid.raw(r, c))) or weight  # 预算执行情况（20分）
            m = _UNIT.search(key)
            if m:
                unit = m.group(1)
            elif r == r2 - 1:  # the header row: 年度预算数(元) | 年初预算 | …
                parts = split_label(str(grid.raw(r, c)))[1]
                if parts and parts[0] in ("元", "万元"):
                    unit = parts[0]
        for c in range(grid.width):  # a note in brackets, （单位：元）, is not in the label index
            value = grid.raw(r, c)
            if isinstance(value, str) and "单位" in value and len(value) <= 30:
                m = _UNIT.search(squeeze_label(value))
                if m:
                    unit = m.group(1)
    return unit, weight


def _row_label(index: LabelIndex, r: int, before: int) -> tuple[int, str, str] | None:
    """The row's label left of the amounts: one of the pack's funds row labels, or a label ending
    with one (``年度财政资金总额`` → total, ``其中：省级财政资金`` → appropriation)."""
    pack = active()
    rows = pack.funds_rows
    for c, key in index.row_keys[r]:
        if c < before and key in rows:
            return c, key, rows[key]
    for c, key in index.row_keys[r]:
        if c < before and len(key) <= 16:
            for n in range(len(key) - 1, 1, -1):  # the longest known ending first
                kind = rows.get(key[-n:])
                if kind is not None:
                    return c, key, kind
    return None


def _to_wan(cell: Cell) -> Cell:
    number = cell.value if isinstance(cell.value, Decimal) else to_decimal(cell.value)
    if number is None:
        return cell
    return Cell(number / TEN_THOUSAND, cell.source, None, cell.no_cached_value)


def read_funds(grid: Grid, index: LabelIndex, r1: int, r2: int, project: str = "",
               unit_from: int | None = None, trace=None) -> FundsBlock | None:
    """Read the funds block between rows ``r1`` and ``r2`` (exclusive); ``None`` when absent.

    ``unit_from`` is where to start looking for a ``单位：元`` line (it may stand above the
    form's first label); defaults to ``r1``.
    """
    hr = find_header(index, r1, r2)
    if hr is None:
        return None
    spans = header_spans(grid, index, hr)
    if trace is not None:
        for name, c1, c2 in spans:
            trace.column("funds", FIELD_CN.get(name, name), grid.source(hr, c1).cell, grid.text(hr, c1),
                         _cols(grid, hr, c1, c2))
    unit, declared = detect_unit(grid, index, r1 if unit_from is None else unit_from, hr + 1)
    pairs = _pairs(grid, index, hr, r2)
    if pairs is not None:  # 预算数 | 6.84 | 到位数 | 6.84 | 执行数 | 6.84 | 预算执行进度(%) | 100
        block = FundsBlock([], hr, pairs[1], unit, declared, "pairs")
        values = pairs[0]
        if "budget" not in values and "initial_budget" in values:
            values["budget"] = values["initial_budget"]
        if unit == "元":
            values = {k: (_to_wan(v) if k in AMOUNT_FIELDS else v) for k, v in values.items()}
        label = grid.text(hr, 0) if grid.text(hr, 0) and label_key(grid.text(hr, 0)) not in active().funds_columns else ""
        block.rows.append(FundsRow(kind="total", label=label or "资金总额", source=grid.source(hr, 0), **values))
        block.horizontal = True
        if trace is not None:
            trace.note("项目资金按“标签 | 数值”成对横排读取（每个标签右边一格是它的值）。")
        return block
    first_col = min(c1 for _, c1, _ in spans)
    last_col = max(c2 for _, _, c2 in spans)
    names = {n for n, _, _ in spans}
    # a column right of the funds headers under a header of its own (Sichuan 原因说明) is not read
    stop = grid.width
    for c in row_anchors(grid, hr, last_col + 1):
        if grid.text(hr, c) and label_key(grid.text(hr, c)) not in active().funds_columns:
            stop = c
            break
    layout = active().layout_name({k for _, k in index.row_keys[hr]})
    end = min(stop, last_col + 1)  # cells right of the headers' span are not the row's values
    block = FundsBlock([], hr, hr, unit, declared, layout)
    misses = 0
    for r in range(hr + 1, min(r2, hr + 12)):
        found = _row_label(index, r, first_col)
        if found is None:
            found = _hebei_unlabelled_total(grid, index, r, hr, first_col, end, block)
        if found is None:
            misses += 1
            if block.rows or misses > 1:
                break
            continue
        c, key, kind = found
        values = _row_values(grid, r, c, spans, first_col, end, block, project)
        if unit == "元":
            values = {k: (_to_wan(v) if k in AMOUNT_FIELDS else v) for k, v in values.items()}
        if "budget" not in values and "initial_budget" in values:
            # 年初预算数(A) | 全年执行数(B) | 执行率(B/A): the only budget is the year's budget
            values["budget"] = values["initial_budget"]
        label = grid.text(r, c)
        if kind == "total" and not block.rows and values.get("weight", EMPTY).is_empty:
            weight = _declared_weight(grid, hr, spans, declared)
            if weight is not None:
                values["weight"] = Cell(weight[0], weight[1])
        block.rows.append(FundsRow(kind=kind, label=label, source=grid.source(r, c), **values))
        block.last_row = r
        if kind == "total" and stop < grid.width and block.note is None:
            anchor = grid.anchor(r, stop)
            if anchor[0] > hr and grid.text(r, stop):  # not the template's instruction header
                block.note = grid.cell(r, stop)
    return block


_POINTS = re.compile(r"(\d+(?:\.\d+)?)分")


def _declared_weight(grid: Grid, hr: int, spans, declared: Decimal | None):
    """The 分值 of budget execution where the block has no 分值 column: written in its title
    (``预算执行情况（20分）``) or in the 得分 header (``得分（20分*执行率）``); ``(weight, source)``."""
    for name, c1, _ in spans:
        if name == "score":
            for part in split_label(grid.text(hr, c1))[1]:
                m = _POINTS.search(part)
                if m:
                    return Decimal(m.group(1)), grid.source(hr, c1)
    if declared is not None:
        return declared, grid.source(hr, 0)
    return None


def _is_value(grid: Grid, r: int, c: int) -> bool:
    """A number, a percentage or a formula without a cached value: a pair's value cell."""
    if grid.filled_or_uncached(r, c) and not grid.text(r, c):
        return True
    text = grid.text(r, c)
    return bool(text) and to_decimal(_AMOUNT_SUFFIX.sub("", text.strip())) is not None


_AMOUNT_SUFFIX = re.compile(r"\s*(%|％|万元|万|元)$")


def _pairs(grid: Grid, index: LabelIndex, hr: int, r2: int) -> tuple[dict[str, Cell], int] | None:
    """Horizontal funds: each label followed on its row by its value (``预算数 | 6.84 |
    执行数 | 6.84 | 执行率 | 100%``), on the header row and the rows right under it that carry
    more such pairs. ``None`` unless at least two labels on the header row have a value right
    of them (a vertical header has labels side by side, its values in the rows below)."""
    columns = active().funds_columns
    values: dict[str, Cell] = {}
    last = hr
    for r in range(hr, min(r2, hr + 3)):
        found: dict[str, Cell] = {}
        keys = index.row_keys[r]
        for i, (c, key) in enumerate(keys):
            name = columns.get(key)
            if name is None or name in values or name in found:
                continue
            nxt = keys[i + 1][0] if i + 1 < len(keys) else grid.width
            if r == hr and i + 1 < len(keys) and keys[i + 1][1] in columns \
                    and span_of(grid, r, c)[1] + 1 == nxt:
                return None  # two column labels side by side: a vertical header
            c2 = span_of(grid, r, c)[1] + 1
            if c2 < grid.width and c2 <= nxt and _is_value(grid, r, c2):
                found[name] = grid.cell(r, c2)
            elif c2 < grid.width and c2 < nxt and not grid.text(r, c2):
                found[name] = grid.cell(r, c2)  # the pair's value left empty
        if r == hr and sum(1 for c in found.values() if not c.is_empty) < 2:
            return None
        if r > hr and not found:
            break
        values.update(found)
        last = r
    if hr > 0:  # a label standing above its value (预算执行进度(%) over 100), beside the pairs
        for c, key in index.row_keys[hr - 1]:
            name = columns.get(key)
            if name and name not in values and grid.anchor(hr, c)[0] == hr and _is_value(grid, hr, c):
                values[name] = grid.cell(hr, c)
    values.pop("arrived", None)
    if not ({"budget", "executed"} & set(values)):
        return None
    return values, last


def _hebei_unlabelled_total(grid, index, r, hr, first_col, end, block):
    """The totals in the row right under the header without a row label (Hebei)."""
    if block.rows or r != hr + 1 or any(grid.text(r, c) and grid.anchor(r, c)[0] == r
                                        and not _is_value(grid, r, c) for c in range(first_col)):
        return None  # (a label merged down from the header row, or a number, is no row label)
    if any(to_decimal(grid.raw(r, c)) is not None for c in range(first_col, end)):
        return first_col - 1 if first_col > 0 else 0, "总额", "total"
    return None


def _filled(grid: Grid, r: int, c: int) -> bool:
    """A cell with a value, or a formula whose value was never computed."""
    return grid.filled_or_uncached(r, c)


def _row_values(grid: Grid, r: int, label_col: int, spans, first_col: int, stop: int,
                block: FundsBlock, project: str) -> dict[str, Cell]:
    """The row's value per header field, read from columns ``first_col .. stop-1`` only."""
    start = max(first_col, label_col + 1)
    values: dict[str, Cell] = {}
    for name, c1, c2 in spans:
        if name == "arrived":
            continue
        first = max(c1, start)
        if first >= c2:  # one column: its cell, filled or not
            values[name] = grid.cell(r, first)
            continue
        for c in range(first, c2 + 1):
            if _filled(grid, r, c):
                values[name] = grid.cell(r, c)
                break
        else:
            values[name] = grid.cell(r, first)  # empty, but with its address
    realigned = _realign(grid, r, start, stop, spans)
    if realigned is not None and any(
            realigned[k].source != values[k].source and not (realigned[k].is_empty and values[k].is_empty)
            for k in realigned):
        values, code = realigned, "ROW_REALIGNED"
    else:
        code = None
    if (block.shifted is not None or not values.get("rate", EMPTY).is_empty) and not agrees(values):
        shifted = _shift(grid, r, label_col, stop, spans, block.shifted)
        if shifted is not None:
            (values, block.shifted), code = shifted, "FUNDS_ROW_SHIFTED"
    if code == "ROW_REALIGNED":
        block.findings.append(Finding(
            "ROW_REALIGNED", "info",
            f"“{grid.text(r, label_col)}”一行的单元格比表头多（拆分或错位的单元格），"
            "已去掉多出的空单元格后按表头顺序读取。",
            project=project, location=grid.source(r, label_col)))
    elif code == "FUNDS_ROW_SHIFTED":
        read = "、".join(f"{FIELD_CN[k]} {values[k].text or '（空）'}" for k in AMOUNT_FIELDS + ("rate",)
                        if k in values)
        why = ("按表头位置读出的金额与执行率不符；已按与执行率相符的读法读取" if agrees(values) else
               "已按上面资金总额一行的对齐方式读取")
        block.findings.append(Finding(
            "FUNDS_ROW_SHIFTED", "info",
            f"“{grid.text(r, label_col)}”一行的单元格比表头多，{why}：{read}。请核对该行是否错位。",
            project=project, location=grid.source(r, label_col)))
    return values


FIELD_CN = {"initial_budget": "年初预算数", "budget": "全年预算数", "executed": "全年执行数",
            "rate": "执行率", "weight": "分值", "score": "得分", "arrived": "到位数"}


def _cols(grid: Grid, r: int, c1: int, c2: int) -> str:
    a, b = grid.source(r, c1).cell.rstrip("0123456789-"), grid.source(r, c2).cell.rstrip("0123456789-")
    return a if a == b else f"{a}–{b}"


def _rate(cell: Cell | None) -> Decimal | None:
    """A reported 执行率 as a fraction: ``100%`` → 1, ``0.76`` → 0.76, ``76`` → 0.76."""
    if cell is None or cell.is_empty:
        return None
    if isinstance(cell.value, Decimal):
        number = cell.value
        return number / 100 if number > Decimal("1.5") else number
    text = cell.text.strip()
    percent = text.endswith(("%", "％"))
    number = to_decimal(text.rstrip("%％").strip())
    if number is None:
        return None
    return number / 100 if percent or number > Decimal("1.5") else number


def agrees(values: dict[str, Cell]) -> bool:
    """全年执行数 ÷ 全年预算数 equals the reported 执行率 (to the percent it is written to)."""
    budget = to_decimal(values["budget"].value) if "budget" in values else None
    executed = to_decimal(values["executed"].value) if "executed" in values else None
    rate = _rate(values.get("rate"))
    if budget is None or executed is None or rate is None or budget <= 0:
        return False
    return abs(executed / budget - rate) <= Decimal("0.006")


def _shift(grid: Grid, r: int, label_col: int, stop: int, spans,
           prefer: tuple[int, ...] | None) -> tuple[dict[str, Cell], tuple[int, ...]] | None:
    """The reading of a row longer than its header whose arithmetic agrees with its 执行率.

    The row's cells right of its label (``5 | 5 | (empty) | 5 | 10 | 100% | 10`` under
    ``年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分``, the first 5 under the
    label's merged cell) are given to the headers in order, leaving out as many cells as the row
    has too many; of the readings whose 执行数 ÷ 预算数 equals 执行率 the one leaving out the
    fewest filled cells wins (here: the empty one → 5 / 5 / 5). ``prefer``: the cells left out
    of the block's total row, used for a row without its own 执行率 when its cells line up.
    """
    from itertools import combinations

    label_end = span_of(grid, r, label_col)[1]
    anchors = row_anchors(grid, r, label_end + 1, stop - 1)
    filled = [c for c in anchors if _filled(grid, r, c)]
    if not filled:
        return None
    anchors = [c for c in anchors if c <= filled[-1]]
    surplus = len(anchors) - len(spans)
    if surplus <= 0 or len(anchors) > 14:
        return None
    trailing = sum(1 for n, _, _ in spans if n in TRAILING_FIELDS)
    head = len(anchors) - trailing

    def reading(drop: tuple[int, ...]) -> dict[str, Cell]:
        cols = [c for c in anchors if c not in drop]
        return {name: grid.cell(r, c) for (name, _, _), c in zip(spans, cols) if name != "arrived"}

    if prefer is not None and all(c in anchors for c in prefer) and len(prefer) == surplus:
        values = reading(prefer)
        if _rate(values.get("rate")) is None or agrees(values):
            return values, prefer
    best: tuple[int, tuple[int, ...]] | None = None
    for drop in combinations(anchors[:max(head, 0)], surplus):
        values = reading(drop)
        if agrees(values):
            cost = sum(1 for c in drop if _filled(grid, r, c))
            if best is None or cost < best[0]:
                best = (cost, drop)
    if best is None:
        return None
    return reading(best[1]), best[1]


def _realign(grid: Grid, r: int, start: int, stop: int, spans) -> dict[str, Cell] | None:
    """Map a row's cells in ``start .. stop-1`` to the headers by order, dropping surplus empty
    cells (see module doc); ``None`` when the row has no more cells than headers or cannot be
    matched."""
    anchors = row_anchors(grid, r, start, stop - 1)
    if len(anchors) <= len(spans):
        return None  # never more cells than headers (the usual row): nothing to look at
    filled = [c for c in anchors if _filled(grid, r, c)]
    if not filled:
        return None
    last = filled[-1]
    cols = [c for c in anchors if c <= last]  # = row_anchors(grid, r, start, last)
    surplus = len(cols) - len(spans)
    if surplus <= 0:
        return None
    trailing = sum(1 for n, _, _ in spans if n in TRAILING_FIELDS)
    head = len(cols) - trailing
    for i in range(head - 1, -1, -1):
        if surplus == 0:
            break
        if not _filled(grid, r, cols[i]):
            del cols[i]
            surplus -= 1
    if surplus:
        return None
    return {name: grid.cell(r, c)
            for (name, _, _), c in zip(spans, cols) if name != "arrived"}
