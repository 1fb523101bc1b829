"""Variants of the real forms, made by code: the same form as other filers lay it out.

Each variant changes the layout of a corpus form the way forms seen elsewhere in the corpus
differ, and transforms the expectations accordingly:

- ``wording``: header texts replaced by other wordings of the same column seen in the corpus
  (全年执行数 → 全年执行数(B), 实际完成值 → 全年完成值, 分值 → 权重, 项目名称 → 专项资金名称 …);
- ``linebreak``: a line break inside every header (``年度\\n指标值``);
- ``two_row``: the indicator header split over two rows (``年度`` over ``指标值``), the other
  header cells merged down over both;
- ``repeated``: 一级/二级 labels written on every row instead of merged;
- ``merged``: 一级/二级 labels merged down over their block (blank cells under a label);
- ``offset``: the form moved 3 rows down and 2 columns right, with a note above it;
- ``two_forms``: the form and the next corpus form on one sheet, one under the other;
- ``yuan``: the funds amounts in 元 (×10000), with 元 declared where 万元 was;
- ``footer``: 填报人/联系电话/填报日期 and a 说明 line under the form.

Worked example::

    >>> form = {"id": "f", "province": "x", "layout": {"rows": [["项目名称", "甲"], ["实际完成值", "1"]]},
    ...         "expected": {"project": "甲"}}
    >>> v = make_variant(form, "linebreak")
    >>> v.grids[0][0].cells[(1, 0)].text
    '实际完\\n成值'

Nothing here knows xltools. The header texts below are test knowledge of the corpus, used to
build layouts; the readers must not need them spelled this way.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import render
from render import Grid, Placed

# Wordings of the same column seen in the corpus (each list: alternatives for one role).
WORDINGS: list[list[str]] = [
    ["项目名称", "专项资金名称", "项目名称:"],
    ["全年预算数", "全年预算数(A)", "调整后预算数", "预算数"],
    ["全年执行数", "全年执行数(B)", "预算执行数", "执行数"],
    ["执行率", "执行率(B/A)", "预算执行率"],
    ["年度指标值", "年初目标值(A)", "年度指标 值", "年初指标值"],
    ["实际完成值", "全年 完成值", "年终完成值", "实际完成值(B)", "完成值"],
    ["分值", "权重", "指标分值"],
    ["得分", "自评得分"],
    ["偏差原因分析及改进措施", "未完成原因分析", "未完成原因和 改进措施"],
    ["三级指标", "指标名称(三级指标)"],
    ["总分", "自评总分", "合计"],
]

HEADERS = {re.sub(r"\s+", "", w) for group in WORDINGS for w in group} | {
    "一级指标", "二级指标", "年初预算数", "主管部门", "实施单位", "年度资金总额", "项目资金(万元)"}

KINDS = ["wording", "linebreak", "two_row", "repeated", "merged", "offset", "two_forms", "yuan", "footer"]

FUNDS_AMOUNT_HEADERS = ("年初预算", "全年预算", "全年执行", "预算数", "执行数", "预算执行数", "调整后预算", "到位数",
                        "年初預算", "全年預算", "全年執行")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


@dataclass
class Variant:
    """A variant: the grids to write on one sheet (grid, top, left) and the forms it holds."""

    form_id: str
    kind: str
    province: str
    grids: list[tuple[Grid, int, int]]
    expected: list[dict] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.form_id}--{self.kind}"


# --- grid surgery --------------------------------------------------------------------------------

def _copy(grid: Grid) -> Grid:
    return copy.deepcopy(grid)


def _rebuild_merges(grid: Grid) -> None:
    grid.merges = [(r, c, r + p.rs - 1, c + p.cs - 1) for (r, c), p in sorted(grid.cells.items())
                   if p.rs > 1 or p.cs > 1]
    grid.height = max((r + p.rs for (r, _), p in grid.cells.items()), default=0)
    grid.width = max((c + p.cs for (_, c), p in grid.cells.items()), default=0)


def _is_header(text: str) -> bool:
    return squash(text) in HEADERS


def _header_row(grid: Grid, label: str) -> int | None:
    for (r, c), p in sorted(grid.cells.items()):
        if squash(p.text) == label:
            return r
    return None


def _covering(grid: Grid, r: int, c: int) -> tuple[int, int] | None:
    """The anchor whose merged range covers (r, c)."""
    for (ar, ac), p in grid.cells.items():
        if ar <= r < ar + p.rs and ac <= c < ac + p.cs:
            return ar, ac
    return None


def wording(grid: Grid) -> Grid:
    g = _copy(grid)
    for p in g.cells.values():
        key = squash(p.text)
        for group in WORDINGS:
            keys = [squash(w) for w in group]
            if key in keys:
                p.text = group[(keys.index(key) + 1) % len(group)]
                break
    return g


def linebreak(grid: Grid) -> Grid:
    g = _copy(grid)
    for p in g.cells.values():
        t = squash(p.text)
        if _is_header(p.text) and len(t) >= 4:
            half = (len(t) + 1) // 2
            p.text = t[:half] + "\n" + t[half:]
    return g


def two_row(grid: Grid) -> Grid:
    """Split the indicator header row (the one holding 三级指标) over two rows.

    Value headers are split (``年度指标值`` → ``年度`` over ``指标值``, as the seed prints them);
    the other header cells are merged down over both rows.
    """
    r0 = _header_row(grid, "三级指标")
    if r0 is None:
        return _copy(grid)
    cells: dict[tuple[int, int], Placed] = {}
    for (r, c), p in grid.cells.items():
        q = copy.copy(p)
        if r < r0 and r + p.rs - 1 >= r0:
            q.rs += 1  # a label merged down across the header row
        if r > r0:
            cells[(r + 1, c)] = q
        elif r == r0:
            t = squash(p.text)
            if _is_header(p.text) and len(t) >= 4 and p.rs == 1 and "值" in t and t.index("值") >= 3:
                half = t.index("值") - 2
                q.text = t[:half]
                cells[(r0, c)] = q
                cells[(r0 + 1, c)] = Placed(t[half:], 1, p.cs)
            else:
                q.rs += 1
                cells[(r0, c)] = q
        else:
            cells[(r, c)] = q
    g = Grid(cells)
    _rebuild_merges(g)
    return g


def has_two_row_header(grid: Grid) -> bool:
    """The indicator header already spans two rows (a header cell merged down, or a parent above)."""
    r0 = _header_row(grid, "三级指标")
    if r0 is None:
        return False
    c0 = min(c for (r, c), p in grid.cells.items() if r == r0 and squash(p.text) == "三级指标")
    for (r, c), p in grid.cells.items():
        if c >= c0 - 2 and p.text.strip() and r <= r0 <= r + p.rs - 1 and (p.rs > 1 and r == r0 or r < r0):
            if r < r0 and r + p.rs - 1 < r0:
                continue
            return True
    return False


def _level_columns(grid: Grid) -> tuple[int | None, list[int]]:
    r0 = _header_row(grid, "三级指标")
    if r0 is None:
        return None, []
    cols = [c for (r, c), p in grid.cells.items() if r <= r0 and squash(p.text) in ("一级指标", "二级指标")]
    return r0, sorted(cols)


def _data_start(grid: Grid, r0: int, first_col: int) -> int:
    """First row under the (possibly two-row) indicator header (a section label at its left,
    merged down over the whole block, does not count)."""
    return max(r + p.rs for (r, c), p in grid.cells.items() if r == r0 and c >= first_col)


def _data_end(grid: Grid, start: int, col: int) -> int:
    """Rows of the indicator block: until a row whose first cell spans past the level columns."""
    end = start
    while end < grid.height:
        first = min((c for (r, c) in grid.cells if r == end), default=None)
        anchor = grid.cells.get((end, first)) if first is not None else None
        if anchor is not None and first <= col and first + anchor.cs - 1 > col + 1 and anchor.text.strip():
            break  # 总分 / 其他需要说明事项 / 合计 rows span across the level columns
        end += 1
    return end


def _level_block(g: Grid) -> tuple[int, list[int]] | None:
    """``(first row of the indicator rows, level columns)`` of ``g``; ``None`` when the form
    has no level columns. (Each column's last row, :func:`_data_end`, is found as the column
    is reached: the columns before it may have changed the grid.)"""
    r0, cols = _level_columns(g)
    if r0 is None or not cols:
        return None
    return _data_start(g, r0, cols[0]), cols


def repeated(grid: Grid) -> Grid:
    """一级/二级 labels repeated on every row of their block instead of merged."""
    g = _copy(grid)
    block = _level_block(g)
    if block is None:
        return g
    start, cols = block
    for col in cols:
        end = _data_end(g, start, col)
        for (r, c), p in list(g.cells.items()):
            if c == col and start <= r < end and p.rs > 1 and p.cs == 1:
                for k in range(1, p.rs):
                    g.cells[(r + k, c)] = Placed(p.text)
                p.rs = 1
    _rebuild_merges(g)
    return g


def merged(grid: Grid) -> Grid:
    """一级/二级 labels merged down over the blank cells under them."""
    g = _copy(grid)
    block = _level_block(g)
    if block is None:
        return g
    start, cols = block
    for col in cols:
        end = _data_end(g, start, col)
        r = start
        while r < end:
            p = g.cells.get((r, col))
            if p is None or not p.text.strip() or p.cs != 1:
                r += 1
                continue
            k = r + p.rs
            while k < end and (k, col) in g.cells and not g.cells[(k, col)].text.strip() \
                    and g.cells[(k, col)].rs == 1 and g.cells[(k, col)].cs == 1 \
                    and (col == cols[0] or _blank_left(g, k, cols[0])):
                del g.cells[(k, col)]
                p.rs += 1
                k += 1
            r = k
    _rebuild_merges(g)
    return g


def _blank_left(g: Grid, r: int, col: int) -> bool:
    cov = _covering(g, r, col)
    return cov is not None and (cov[0] < r or not g.cells[cov].text.strip())


def _number(text: str) -> Decimal | None:
    t = text.strip().replace(",", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", t):
        return None
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def _yuan_text(d: Decimal) -> str:
    v = (d * 10000).normalize()
    return format(v, "f")


def yuan(grid: Grid, expected: dict) -> tuple[Grid, dict] | None:
    """The funds block in 元: amounts under the budget/executed headers ×10000, 万元 → 元."""
    if expected.get("money_unit", "万元") != "万元" or not expected.get("funds"):
        return None
    g = _copy(grid)
    amount_cols: set[int] = set()
    header_rows: set[int] = set()
    for (r, c), p in g.cells.items():
        t = squash(p.text)
        if any(t.startswith(h) for h in FUNDS_AMOUNT_HEADERS) and "指标" not in t and "进度" not in t:
            amount_cols.update(range(c, c + p.cs))
            header_rows.add(r)
    if not amount_cols:
        return None
    top = min(header_rows)
    stop = _header_row(g, "三级指标") or g.height
    for label in ("年度总体目标", "年度總體目標", "三、目标完成情况", "项目基本情况"):
        rr = next((r for (r, c), p in g.cells.items() if squash(p.text) == squash(label) and r > top), None)
        if rr is not None:
            stop = min(stop, rr)
    changed = 0
    for (r, c), p in g.cells.items():
        if top < r < stop and c in amount_cols:
            d = _number(p.text)
            if d is not None:
                p.text = _yuan_text(d)
                changed += 1
    if not changed:
        return None
    declared = False
    for p in g.cells.values():
        if "万元" in p.text and ("资金" in p.text or "金额单位" in p.text or "预算数" in p.text):
            p.text = p.text.replace("万元", "元")
            declared = True
        elif "萬元" in p.text and "資金" in p.text:
            p.text = p.text.replace("萬元", "元")
            declared = True
    if not declared:
        return None
    exp = copy.deepcopy(expected)
    exp["money_unit"] = "元"
    for key in ("budget", "executed", "initial_budget"):
        d = _number(str(exp["funds"].get(key) or ""))
        if d is not None:
            exp["funds"][key] = _yuan_text(d)
    return g, exp


def footer(grid: Grid) -> Grid:
    g = _copy(grid)
    h, w = g.height, max(g.width, 4)
    third = max(w // 3, 1)
    g.cells[(h + 1, 0)] = Placed("填报人：王某某", 1, third)
    g.cells[(h + 1, third)] = Placed("联系电话：0000-0000000", 1, third)
    g.cells[(h + 1, 2 * third)] = Placed("填报日期：2021年3月1日", 1, w - 2 * third)
    g.cells[(h + 2, 0)] = Placed("说明：1.本表金额单位为万元；2.得分保留两位小数。", 1, w)
    _rebuild_merges(g)
    return g


# --- variants of one form ------------------------------------------------------------------------

def make_variant(form: dict, kind: str, other: dict | None = None) -> Variant | None:
    """One variant of a corpus form, or None when the kind does not apply to it."""
    grid = render.place(form["layout"]["rows"])
    exp = copy.deepcopy(form["expected"])
    base = dict(form_id=form["id"], kind=kind, province=form["province"])
    if kind == "wording":
        return Variant(**base, grids=[(wording(grid), 0, 0)], expected=[exp])
    if kind == "linebreak":
        return Variant(**base, grids=[(linebreak(grid), 0, 0)], expected=[exp])
    if kind == "two_row":
        if _header_row(grid, "三级指标") is None or has_two_row_header(grid):
            return None
        return Variant(**base, grids=[(two_row(grid), 0, 0)], expected=[exp])
    if kind == "repeated":
        return Variant(**base, grids=[(repeated(grid), 0, 0)], expected=[exp])
    if kind == "merged":
        return Variant(**base, grids=[(merged(grid), 0, 0)], expected=[exp])
    if kind == "offset":
        note = Grid({(0, 0): Placed("附件2")}, [], 1, 1)
        return Variant(**base, grids=[(note, 0, 0), (grid, 3, 2)], expected=[exp])
    if kind == "two_forms":
        if other is None:
            return None
        g2 = render.place(other["layout"]["rows"])
        return Variant(**base, grids=[(grid, 0, 0), (g2, grid.height + 3, 0)],
                       expected=[exp, copy.deepcopy(other["expected"])])
    if kind == "yuan":
        done = yuan(grid, exp)
        if done is None:
            return None
        return Variant(**base, grids=[(done[0], 0, 0)], expected=[done[1]])
    if kind == "footer":
        return Variant(**base, grids=[(footer(grid), 0, 0)], expected=[exp])
    raise ValueError(kind)


def all_variants(forms: list[dict], kinds: list[str] = KINDS) -> list[Variant]:
    """Every applicable variant of every form (``two_forms`` pairs a form with the next one)."""
    out = []
    for i, form in enumerate(forms):
        other = forms[(i + 1) % len(forms)] if len(forms) > 1 else None
        for kind in kinds:
            v = make_variant(form, kind, other)
            if v is not None:
                out.append(v)
    return out


def write_variant(v: Variant, outdir: Path) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    return render.write_xlsx(v.grids, outdir / f"{v.id}.xlsx", "自评表")
