"""The 绩效指标 block: header columns (one or two header rows), indicator rows, the 总分 row.

Header labels map onto fields; a header split over two rows is read column by column, the
two texts joined first (``年度`` + ``指标值`` → ``年度指标值``, ``实际`` + ``完成值``), then the
lower text alone, then the upper one. So all of these are read the same way::

    一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
    一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分 | 未完成原因分析
    一级指标 | 二级指标 | 三级指标 | 指标分值 | 预期指标值 (符号 | 值 | 单位(文字描述)) |
        单项指标实际完成值 | 单项指标完成情况 | 自评得分 (单项指标得分 | 权重占比(%) | 单项指标折算得分)

The header is found by its labels (the layout pack's indicator roles): 三级指标 or 指标名称 with
一级/二级指标, or — a flat list — with a target and an actual, or with 分值 and 得分. Rows that
are not indicators are skipped (``inspect`` shows each with its reason): a footer label
(其他需要说明事项, 附件1, 填表人… — a 总分 row right under it is still read), ``其中…`` rows
without 分值, a 预算执行率 row (its 分值/得分 go to the funds block), a line merged across
the table, an empty merged row carrying only a subtotal, a header cell merged down over the
data rows; a second header of other columns starts a new column map.

Split targets are joined into one text with the value cell's source: ``≥`` | ``95`` | ``%``
→ ``≥95%``. Hebei: 分值 is 指标分值 (or 权重占比(%) when 指标分值 is empty), 得分 is
单项指标得分; 单项指标折算得分 is ignored (it applies the weight a second time).

一级/二级 carry down through merged or empty cells. An empty 一级 before any 一级 appeared is
inferred from 二级 (数量指标 → 产出指标, 社会效益指标 → 效益指标, 服务对象满意度指标 → 满意度指标)
with ``level1_inferred=True`` and one info finding ``LEVEL1_INFERRED`` per run of rows.
The block ends at ``总分`` / ``合计``: the reported total is that row's score cell (the cell
under 得分, else the last number that is not under 分值) and a grade after it (``优``) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ...core.decimals import to_decimal
from ...core.model import EMPTY, Cell, Finding, Indicator, Source
from ..grid import Grid
from ..layout_pack import active
from .common import LabelIndex, label_key, label_weight, squeeze_label, row_anchors, split_label

def infer_level1(level2: str) -> str | None:
    """``数量指标`` → ``产出指标``; ``经济成本指标`` → ``产出指标`` (the layout pack's
    ``[level1_by_level2]``, looked at in order: cost wins over economy)."""
    for level1, words in active().level1_by_level2.items():
        if any(w in level2 for w in words):
            return level1
    return None


@dataclass
class IndicatorBlock:
    indicators: list[Indicator]
    header_row: int
    last_row: int
    columns: dict[str, tuple[int, int]]
    reported_total: Cell = EMPTY
    reported_grade: Cell = EMPTY
    layout: str = "national"
    findings: list[Finding] = field(default_factory=list)
    budget_row: tuple[Cell, Cell] | None = None  # (分值, 得分) of a 预算执行率 row in the table


def find_header(index: LabelIndex, r1: int, r2: int) -> int | None:
    """First row holding 三级指标 (or 指标名称…) with 一级指标 or 二级指标, or — a flat list
    (指标名称 | 计量单位 | 指标性质 | 年初指标值 | 全年完成值 | 指标权重 | 指标得分) — with a
    target and an actual column."""
    columns = active().indicator_columns
    for r in range(r1, r2):
        if _is_header_row(index.row_keys[r], columns):
            return r
    return None


def _is_header_row(row_keys: list[tuple[int, str]], columns: dict[str, str] | None = None) -> bool:
    if columns is None:
        columns = active().indicator_columns
    fields = {columns[k] for _, k in row_keys if k in columns}
    if "name" not in fields:
        return False
    return ("level1" in fields or "level2" in fields or {"target", "actual"} <= fields
            or {"weight", "score"} <= fields)


def _classify(upper: str, lower: str) -> str | None:
    columns = active().indicator_columns
    for key in (upper + lower, lower, upper):
        if key and key in columns:
            return columns[key]
    return None


def header_columns(grid: Grid, hr: int, r2: int) -> tuple[dict[str, tuple[int, int]], int]:
    """``({field: (c1, c2)}, last header row)`` — reads the header's further rows when present
    (up to three rows: ``年度`` merged over two rows, ``指标值`` in the third)."""
    rows = [hr]
    while len(rows) < 3 and rows[-1] + 1 < r2 and _is_header_continuation(grid, rows[-1]):
        rows.append(rows[-1] + 1)
    lower_row = rows[-1] if len(rows) > 1 else None
    fields: dict[str, tuple[int, int]] = {}
    last: tuple[str, int] | None = None  # the field classified last and its last column
    for c in range(grid.width):
        parts: list[str] = []
        seen_anchor = None
        for r in rows:
            anchor = grid.anchor(r, c)
            if anchor != seen_anchor:
                seen_anchor = anchor
                text = grid.text(r, c)
                if text:
                    parts.append(label_key(text))
        if len(parts) > 1:
            upper, lower = "".join(parts[:-1]), parts[-1]
        else:
            upper, lower = (parts[0] if parts else ""), ""
        name = _classify(upper, lower)
        if name is None:
            continue
        if name == "weight" and last is not None and last[0] in ("level1", "level2") \
                and last[1] == c - 1:
            # 一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值 | 得分: a level's own 分值
            name = last[0] + "_weight"
        last = (name, c)
        if name in fields:
            c1, c2 = fields[name]
            if c2 == c - 1 and not lower:
                fields[name] = (c1, c)  # same label continues (a merged header)
                last = (name, c)
            continue
        fields[name] = (c, c)
    if hr > 0:
        _fields_above(grid, hr, fields)
    if "score" not in fields and "weight" not in fields and fields:
        # no 分值/得分 header, but the column right of the headers holds a number in the header
        # row (the block's score, 50) and each row's score below it
        c = max(c2 for _, c2 in fields.values()) + 1
        if c < grid.width and grid.anchor(hr, c) == (hr, c) and to_decimal(grid.text(hr, c) or None) is not None:
            fields["score"] = (c, c)
    return fields, (lower_row if lower_row is not None else hr)


def _fields_above(grid: Grid, hr: int, fields: dict[str, tuple[int, int]]) -> None:
    """A grouped header: ``绩效指标`` over 一级/二级/三级指标 on the header row, while 年度指标值,
    实际完成值, 分值, 得分 stand once in the row above (not merged down): take the columns the
    header row leaves unnamed from there."""
    r = hr - 1
    found: dict[str, int] = {}
    taken = {c for c1, c2 in fields.values() for c in range(c1, c2 + 1)}
    for c in range(grid.width):
        if c in taken or grid.anchor(r, c) != (r, c) or grid.text(hr, c):
            continue
        name = _classify(label_key(grid.text(r, c)), "") if grid.text(r, c) else None
        if name is not None and name not in fields and name not in found:
            found[name] = c
    if len(found) >= 2:  # a real header row, not a stray label above the table
        for name, c in found.items():
            fields[name] = (c, c)


def _is_header_continuation(grid: Grid, hr: int) -> bool:
    """The row under the header holds only header words (指标值, 完成值, 符号…), or nothing of
    its own under header cells merged down over it (a two-row template header whose second
    row adds no word)."""
    r = hr + 1
    seen = merged_down = False
    for c in row_anchors(grid, r):
        if grid.anchor(r, c)[0] != r:
            merged_down = True  # a header merged down
            continue
        text = grid.text(r, c)
        if not text:
            continue
        key = label_key(text)
        if key not in active().indicator_columns:
            # a header word cut in two by a line break: 偏差原因分 over 析及改进措施
            upper = grid.text(hr, c)
            if not upper or _classify(label_key(upper), key) is None or \
                    label_key(upper) + key not in active().indicator_columns:
                return False
        seen = True
    return seen or merged_down


def _cell(grid: Grid, r: int, span: tuple[int, int] | None) -> Cell:
    if span is None:
        return EMPTY
    c1, c2 = span
    if c1 == c2:  # one column: first_filled would return this cell, filled or not
        return grid.cell(r, c1)
    return grid.first_filled(r, c1, c2)


def _text(grid: Grid, r: int, span: tuple[int, int] | None) -> str:
    """``_cell(grid, r, span).text``, without building a :class:`Cell` for a one-column text.

    一级/二级 cells are only read as text (``产出指标``), so their cells need not be made.
    """
    if span is None:
        return ""
    c1, c2 = span
    if c1 == c2:
        value = grid.raw(*grid.anchor(r, c1))
        if value is None:
            return ""
        if isinstance(value, str):
            return value.strip()
    return _cell(grid, r, span).text


def _joined_target(grid: Grid, r: int, cols: dict[str, tuple[int, int]]) -> Cell:
    value = _cell(grid, r, cols.get("target"))
    if "nature" not in cols and "unit" not in cols:
        return value
    nature = _cell(grid, r, cols.get("nature")).text
    unit = _cell(grid, r, cols.get("unit")).text
    if squeeze_label(nature).endswith("指标"):
        nature = ""  # 定量指标 / 定性指标: the kind of indicator, not an operator
    if not value.text:
        return value  # nothing to join: a unit alone is no target
    if unit and value.text.endswith(unit):
        unit = ""  # 100% under 计量单位 %
    if not nature and not unit:
        return value
    text = f"{nature}{value.text}{unit}"
    return Cell(text, value.source, None, value.no_cached_value)


def _is_number(cell: Cell) -> bool:
    """A number, a number written as text, or a formula without a cached value."""
    if isinstance(cell.value, Decimal) or cell.no_cached_value:
        return True
    return to_decimal(str(cell.value).rstrip("分")) is not None if cell.value else False


FIELD_CN = {"level1": "一级指标", "level2": "二级指标", "name": "三级指标", "target": "指标值",
            "nature": "指标性质/符号", "unit": "度量单位", "actual": "实际完成值", "weight": "分值",
            "weight_pct": "权重占比", "score": "得分", "converted": "折算得分",
            "deviation": "偏差原因", "coefficient": "得分系数", "core": "是否核心指标",
            "status": "完成情况", "level1_weight": "一级指标分值", "level2_weight": "二级指标分值"}


def _trace_columns(grid: Grid, hr: int, last_header: int, cols, trace) -> None:
    for name, (c1, c2) in sorted(cols.items(), key=lambda item: item[1]):
        r = last_header if grid.text(last_header, c1) and last_header != hr and \
            grid.anchor(last_header, c1)[0] == last_header else hr
        a = grid.source(r, c1).cell.rstrip("0123456789-")
        b = grid.source(r, c2).cell.rstrip("0123456789-")
        trace.column("indicators", FIELD_CN.get(name, name), grid.source(r, c1).cell,
                      grid.text(r, c1) or grid.text(hr, c1), a if a == b else f"{a}–{b}")


def _is_breakdown(text: str) -> bool:
    """``其中：…`` — a breakdown of the row above, not an indicator of its own."""
    return squeeze_label(text).startswith("其中")


def read_indicators(grid: Grid, index: LabelIndex, hr: int, r2: int, project: str = "",
                    trace=None) -> IndicatorBlock:
    cols, last_header = header_columns(grid, hr, r2)
    if trace is not None:
        _trace_columns(grid, hr, last_header, cols, trace)
    keys = {k for _, k in index.row_keys[hr]} | (
        {k for _, k in index.row_keys[last_header]} if last_header != hr else set())
    layout = active().layout_name(keys)
    block = IndicatorBlock([], hr, last_header, cols, layout=layout)
    level1 = level2 = ""
    level1_weight: Decimal | None = None
    seen_level1 = False
    run: tuple[str, Source] | None = None
    # the spans of the cells read on every row, looked up once (this loop runs for every row)
    (name_col, span1, span2, value_spans, plain_target, target_span, weight_pct,
     l1_weight_span) = _spans(cols)
    grid_cell, first_filled = grid.cell, grid.first_filled
    merged = grid.anchor_table()
    skip_to = -1
    footer, totals = active().role_keys("footer"), active().role_keys("total")
    columns = active().indicator_columns
    budget_keys = active().role_keys("execution_rate")
    # rows holding a 三级指标-like label (a header repeated?) or a 执行率 label (a budget row?)
    name_rows = {r for k, f in columns.items() if f == "name" for r, _ in index.positions.get(k, ())}
    budget_rows = {r for k in budget_keys for r, _ in index.positions.get(k, ())}
    head1 = _text(grid, hr, span1) if span1 else ""
    head2 = _text(grid, hr, span2) if span2 else ""
    ended_at: int | None = None  # the footer row that ended the indicator rows
    for r in range(last_header + 1, r2):
        row_keys = index.row_keys[r]
        is_total = bool(row_keys) and any(labelled_as(k, totals) for c, k in row_keys if c <= name_col)
        if ended_at is not None:
            # after 其他需要说明事项 / 附件: only a 总分 row right under it still belongs here
            if not is_total:
                if r - ended_at >= 3:
                    break
                continue
        elif row_keys and any(is_footer(k, footer) for c, k in row_keys if c <= name_col):
            if trace is not None:
                c = row_keys[0][0]
                trace.skip(grid.source(r, c).cell, grid.text(r, c), "表尾标签（说明、附件、填表人等）：指标表到此结束")
            ended_at = r  # 填表人：… 联系电话：… under a form without a 总分 row
            continue
        if is_total:
            _read_total(grid, r, cols, block)
            block.last_row = r
            if block.reported_grade.is_empty:
                _read_grade_row(grid, index, r + 1, min(r + 3, r2), block)
            if trace is not None:
                c = row_keys[0][0]
                trace.role("总分", grid.source(r, c).cell, grid.text(r, c),
                           block.reported_total.source.cell if block.reported_total.source else "",
                           block.reported_total.text or "（空）")
            break
        if r in name_rows and _is_header_row(row_keys, columns):
            new_cols, skip_to = header_columns(grid, r, r2)
            if set(new_cols) != set(cols) or new_cols.get("name") != cols.get("name"):
                # a second table of other columns (评价内容 | 分值 | 自评分, then 一级指标 | …)
                cols = new_cols
                (name_col, span1, span2, value_spans, plain_target, target_span, weight_pct,
                 l1_weight_span) = _spans(cols)
                head1 = _text(grid, r, span1) if span1 else ""
                head2 = _text(grid, r, span2) if span2 else ""
                level1 = level2 = ""
                if trace is not None:
                    trace.skip(grid.source(r, row_keys[0][0]).cell, grid.text(r, row_keys[0][0]),
                               "另一段指标表的表头：以下按它的栏目读取")
                    _trace_columns(grid, r, skip_to, cols, trace)
            elif trace is not None:
                trace.skip(grid.source(r, row_keys[0][0]).cell, grid.text(r, row_keys[0][0]),
                           "表头重复（表格跨页或拆成两张表）")
            continue  # the header repeated (a table split over two pages or two tables)
        if r <= skip_to:
            continue
        if name_col is not None and _spans_whole_row(grid, r, name_col, value_spans, target_span):
            if trace is not None:
                trace.skip(grid.source(r, name_col).cell, grid.text(r, name_col),
                           "通栏的一行文字（小标题或说明），不是指标")
            continue
        # a header cell merged down over the data rows (Word: 一级指标 spanning the column)
        # names no row: its text is the header's, not a value
        raw1 = _text(grid, r, span1)
        raw2 = _text(grid, r, span2)
        if raw1 and raw1 == head1 and grid.anchor(r, span1[0])[0] <= last_header:
            raw1 = ""
        if raw2 and raw2 == head2 and grid.anchor(r, span2[0])[0] <= last_header:
            raw2 = ""
        # _cell(grid, r, span) for each span, inline
        name_cell, actual, weight, score, deviation = [
            EMPTY if span is None else grid_cell(r, span[0]) if span[0] == span[1]
            else first_filled(r, span[0], span[1]) for span in value_spans]
        if plain_target:
            target = _cell(grid, r, target_span)
        else:
            target = _joined_target(grid, r, cols)
        if weight_pct and (weight.is_empty or not _is_number(weight)):
            # 指标分值 empty, or holding the indicator's description (a header whose column
            # holds other content): 权重占比(%) is the weight
            weight = _cell(grid, r, cols.get("weight_pct"))
        if not weight.is_empty and _merged_from_above(grid, r, value_spans[2]):
            weight = EMPTY  # one 分值 for several rows: counted once, on its first row
        if not score.is_empty and _merged_from_above(grid, r, value_spans[3]):
            score = EMPTY
        if raw1:
            level1 = split_label(raw1)[0]
            level1_weight = label_weight(raw1)
            if level1_weight is None and l1_weight_span is not None:
                level1_weight = to_decimal(_text(grid, r, l1_weight_span) or None)
            seen_level1 = True
        if raw2:
            level2 = split_label(raw2)[0]
        if r in budget_rows and (
                label_key(name_cell.text) in budget_keys or (raw1 and label_key(raw1) in budget_keys)):
            # budget execution scored as a row of the indicator table (预算执行率 | 10 | 10):
            # the funds block's concern, not an indicator
            if not (weight.is_empty and score.is_empty):
                block.budget_row = (weight, score)
            if trace is not None:
                trace.skip(name_cell.source.cell if name_cell.source else "", name_cell.text or raw1,
                           "预算执行率行：属于预算执行，不作为绩效指标")
            continue
        if all(c.is_empty for c in (name_cell, target, actual, weight, score, deviation)):
            if trace is not None and (raw1 or raw2):
                trace.skip(grid.source(r, (span1 or span2)[0]).cell, raw1 or raw2,
                           "只有一级/二级指标名称，没有三级指标和数值")
            continue  # an empty row, or a row holding only 一级/二级 labels or notes
        if target_span is not None and (r, name_col) in merged and not name_cell.text \
                and target.is_empty and actual.is_empty \
                and grid.anchor(r, target_span[0]) == grid.anchor(r, name_col):
            # one empty cell merged across the name and value columns, numbers only under
            # 分值/得分: the block's subtotal (90 | 90), not an indicator
            if trace is not None:
                trace.skip(grid.source(r, name_col).cell, f"{weight.text} | {score.text}",
                           "没有指标名称、指标值和完成值（合并的空白格），只有分值/得分：小计行，不是指标")
            continue
        if weight.is_empty and score.is_empty and _is_breakdown(name_cell.text or raw2):
            if trace is not None:
                trace.skip(name_cell.source.cell if name_cell.source else "", name_cell.text or raw2,
                           "“其中…”明细行，没有分值：不是单独的指标")
            continue
        inferred = False
        l1 = level1
        if not seen_level1:
            guess = infer_level1(level2)
            if guess:
                l1, inferred = guess, True
                loc = grid.source(r, cols["level1"][0]) if "level1" in cols else name_cell.source
                if run is None or run[0] != guess:
                    run = (guess, loc)
                    block.findings.append(Finding(
                        "LEVEL1_INFERRED", "info",
                        f"一级指标为空，已按二级指标“{level2}”推断为“{guess}”。",
                        project=project, indicator=name_cell.text, location=loc,
                        expected=guess))
        block.indicators.append(Indicator(
            level1=l1, level2=level2, name=normalise_name(name_cell.text), target=target,
            actual=actual, weight=weight, score=score, deviation=deviation,
            level1_weight=level1_weight, level1_inferred=inferred, source=name_cell.source))
        block.last_row = r
    return block


def _spans(cols: dict[str, tuple[int, int]]):
    """The spans the row loop reads, looked up once per header."""
    return (cols.get("name", (0, 0))[0], cols.get("level1"), cols.get("level2"),
            [cols.get(k) for k in ("name", "actual", "weight", "score", "deviation")],
            "nature" not in cols and "unit" not in cols, cols.get("target"), "weight_pct" in cols,
            cols.get("level1_weight"))


def _spans_whole_row(grid: Grid, r: int, name_col: int, value_spans, target_span) -> bool:
    """One merged cell across the name and value columns: a heading line inside the table
    (``项目年度目标 1：乡村道路建设养护项目``)."""
    own = grid.anchor_table().get((r, name_col))
    if own is None:
        return False  # the usual row: its name cell is no merged range
    others = [s for s in (target_span, *value_spans[1:4]) if s is not None]
    return bool(others) and all(grid.anchor(r, s[0]) == own for s in others)


def _merged_from_above(grid: Grid, r: int, span: tuple[int, int] | None) -> bool:
    """The cell at (r, span) is part of a range merged down from an earlier row."""
    return span is not None and grid.anchor(r, span[0])[0] < r


def normalise_name(text: str) -> str:
    """三级指标 name without the template's ``指标1:`` prefix; inner text kept as written."""
    stripped = text.strip()
    key = squeeze_label(stripped)
    if key[:2] == "指标" and len(key) > 3 and key[2].isdigit():
        for sep in (":", "："):
            if sep in stripped[:6]:
                rest = stripped.split(sep, 1)[1].strip()
                return rest or stripped  # a blank template row keeps its ``指标2:``
    return stripped


def _read_grade_row(grid: Grid, index: LabelIndex, r1: int, r2: int, block: IndicatorBlock) -> None:
    """``自评等级 | 优`` on one of the rows right under 总分 (some provinces' footers)."""
    for r in range(r1, r2):
        keys = index.row_keys[r]
        if not keys:
            continue
        if not any(labelled_as(k, active().role_keys("grade_label")) for _, k in keys):
            return
        for c in row_anchors(grid, r):
            grade = _inline_grade(grid, r, c)
            if grade is not None:
                block.reported_grade = grade
                block.last_row = r
                return
            if squeeze_label(grid.text(r, c)) in active().role_keys("grade"):
                block.reported_grade = grid.cell(r, c)
                block.last_row = r
                return
        return


def labelled_as(key: str, labels: frozenset[str]) -> bool:
    """``key`` is one of ``labels``, or one of them followed by a colon and a value
    (``总分：99.5``, ``自评等级：良`` typed into one cell)."""
    return key in labels or (":" in key and key.split(":", 1)[0] in labels)


_NUMBERED = "0123456789一二三四五六七八九十"


def is_footer(key: str, footer: frozenset[str]) -> bool:
    """A footer label, also numbered (``附件1``, ``说明二``) or with its value (``填表人：张三``)."""
    if key in footer:
        return True
    if ":" in key:
        return key.split(":", 1)[0] in footer
    return key[-1:] in _NUMBERED and key.rstrip(_NUMBERED) in footer


def total_keys() -> frozenset[str]:
    """The active layout pack's total labels (总分, 合计, 自评总分…)."""
    return active().role_keys("total")


def _inline(grid: Grid, r: int, c: int, labels: frozenset[str]) -> tuple[str, Cell] | None:
    """``(value text, cell)`` of a ``label：value`` cell whose label is in ``labels``."""
    text = squeeze_label(grid.text(r, c))
    if ":" not in text:
        return None
    label, value = text.split(":", 1)
    return (value, grid.cell(r, c)) if label_key(label) in labels and value else None


def _inline_total(grid: Grid, r: int, c: int) -> Cell | None:
    """``总分：99.5`` in one cell → a cell holding 99.5, at that cell's address."""
    found = _inline(grid, r, c, active().role_keys("total"))
    if found is None:
        return None
    number = to_decimal(found[0].rstrip("分"))
    return None if number is None else Cell(number, found[1].source)


def _inline_grade(grid: Grid, r: int, c: int) -> Cell | None:
    """``自评等级：良`` in one cell → a cell holding 良, at that cell's address."""
    found = _inline(grid, r, c, active().role_keys("grade_label"))
    if found is None or found[0] not in active().role_keys("grade"):
        return None
    return Cell(found[0], found[1].source)


def _read_total(grid: Grid, r: int, cols: dict[str, tuple[int, int]], block: IndicatorBlock) -> None:
    anchors = row_anchors(grid, r)
    for c in anchors:  # 总分：99.5 / 自评等级：良 typed into one cell
        total, grade = _inline_total(grid, r, c), _inline_grade(grid, r, c)
        if total is not None:
            block.reported_total = total
        if grade is not None:
            block.reported_grade = grade
    cells = [(c, grid.cell(r, c)) for c in anchors
             if grid.text(r, c) or grid.anchor(r, c) in grid.no_cache]
    if not block.reported_total.is_empty:
        for c, cell in cells:  # 总分：99.5 | 优
            if block.reported_grade.is_empty and squeeze_label(cell.text) in active().role_keys("grade"):
                block.reported_grade = cell
        return
    total_col: int | None = None
    score_span = cols.get("score")
    if score_span:
        for c, cell in cells:
            if score_span[0] <= c <= score_span[1] and _is_number(cell):
                total_col = c
                break
    if total_col is None:
        numbers = [c for c, cell in cells if _is_number(cell)]
        weight_span = cols.get("weight")
        if numbers and (len(numbers) > 1 or not (
                weight_span and weight_span[0] <= numbers[-1] <= weight_span[1])):
            total_col = numbers[-1]
    if total_col is None:
        return
    for c, cell in cells:
        if c == total_col:
            block.reported_total = cell
        elif c > total_col and block.reported_grade.is_empty and squeeze_label(cell.text) in active().role_keys("grade"):
            block.reported_grade = cell
            break
