"""Find 项目支出绩效自评表 on a grid by their labels and read them into :class:`Form` objects.

Nothing here depends on fixed addresses: a form may start at any row or column, sit alone on
a sheet or be stacked with others (a new form starts at each title ``…绩效自评表`` or
``项目名称``), carry title/unit rows, merged cells, spaced labels (``绩 效 指 标``) or a
provincial frame (Sichuan, Hebei). The label index is built once per grid, so locating costs
one pass over the cells plus the rows of each form.

Example — a form shifted to C3 with its title above the 项目名称 row::

    >>> from xltools.readers.grid import Grid
    >>> rows = [["项目支出绩效自评表"], ["（2020年度）"], ["项目名称", "访惠聚经费"]]
    >>> forms, _ = locate_forms(Grid("a.xlsx", "表1", rows, origin=(2, 2)))
    >>> forms[0].project_name, forms[0].year.text, str(forms[0].source)
    ('访惠聚经费', '2020', 'a.xlsx｜表1!C3')

That form has neither a funds nor an indicator block, so it carries ``FORM_INCOMPLETE``
findings in ``read_findings``. ``locate_forms`` returns ``(forms, findings)`` where each form
holds its own findings in ``Form.read_findings`` and the list holds findings that belong to no
form (none today: a grid without any form yields ``([], [])``; ``files.read_forms`` reports
``NO_FORM`` for a file).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..core.decimals import to_decimal
from ..core.model import EMPTY, Cell, Finding, Form
from .grid import Grid, JoinedGrid
from .layouts.common import LabelIndex, inline_value, label_key, split_label, squeeze_label, value_right_of
from .layout_pack import LayoutPack, active
from .layouts.funds import read_funds
from .layouts.indicators import find_header as find_indicator_header
from .layouts.indicators import labelled_as, read_indicators, total_keys
from .trace import FormTrace, SheetTrace

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?")


def _is_title(key: str) -> bool:
    """``项目支出绩效自评表`` (any prefix, any of the pack's title endings); not the
    department-wide ``部门整体支出绩效自评表``."""
    pack = active()
    return len(key) <= 30 and key.endswith(pack.title_suffixes) and not _is_department_wide(key, pack)


def _title_suffixes() -> tuple[str, ...]:
    return active().title_suffixes


def _is_department_wide(key: str, pack: LayoutPack | None = None) -> bool:
    return any(word in key for word in (pack or active()).department_wide)


def _project_keys() -> tuple[str, ...]:
    return active().header_keys["project_name"]


def _stop_keys() -> frozenset[str]:
    """Labels that end the search for a header label's value (another header label)."""
    return active().stop_keys


def _list_heading_keys() -> frozenset[str]:
    """Column headings of a list of projects (序号 | 项目名称 | 全年预算数 | 执行率 | 自评得分 |
    等级): two of them right of 项目名称 on its row make that row a table header."""
    return active().list_headings


def _is_list_header(index: LabelIndex, r: int, c: int) -> bool:
    """``项目名称`` at (r, c) heads a column of a list (a summary table in a report, a list of
    projects on its own sheet): two amount or score headers to its right, or its neighbour is
    itself a heading (``项目名称 | 主管部门``) where a form has the project's name."""
    right = [key for col, key in index.row_keys[r] if col > c]
    headings = _list_heading_keys()
    if sum(1 for key in right if key in headings) >= 2:
        return True
    return bool(right) and (right[0] in headings or right[0] in _stop_keys()
                            or right[0] in active().role_keys("list_neighbour"))


def _side_by_side(index: LabelIndex) -> list[int]:
    """First columns of forms standing next to each other (two 项目名称 on one row, neither a
    list's column heading); ``[]`` for forms stacked or alone. The first band starts at 0."""
    by_row: dict[int, list[int]] = {}
    for r, c in _project_positions(index):
        if not _is_list_header(index, r, c):
            by_row.setdefault(r, []).append(c)
    cols = sorted({c for cs in by_row.values() if len(cs) > 1 for c in cs})
    return [0, *cols[1:]] if len(cols) > 1 else []


def _project_positions(index: LabelIndex) -> list[tuple[int, int]]:
    keys = _project_keys()
    if len(keys) == 1:
        return index.positions.get(keys[0], [])
    return sorted(p for key in keys for p in index.positions.get(key, ()))


def form_starts(index: LabelIndex) -> list[int]:
    """Rows where a form starts: a title row, or a 项目名称 row not preceded by its title.

    A 项目名称 that heads a column of a list (``序号 | 项目名称 | 全年预算数 | 执行率 | 等级``,
    the summary table of a 自评报告) starts nothing.
    """
    titles = _title_rows(index)[0]
    names = sorted({r for r, c in _project_positions(index) if not _is_list_header(index, r, c)})
    starts: list[int] = []
    events = sorted([(r, "t") for r in titles] + [(r, "n") for r in names])
    open_title: int | None = None
    for r, kind in events:
        if kind == "t":
            starts.append(r)
            open_title = r
        else:
            # a title owns the 项目名称 under it, unless a whole indicator table stands between
            # them (the title's form had no 项目名称; this one is the next form's)
            if open_title is None or find_indicator_header(index, open_title, r) is not None:
                starts.append(r)
            open_title = None
    return starts


def locate_forms(grid: Grid, trace: SheetTrace | None = None) -> tuple[list[Form], list[Finding]]:
    """Every form on ``grid`` (see the module doc); never raises on content.

    ``trace`` (for ``xltools inspect``) receives every decision; ``None`` records nothing."""
    if grid.sheet.strip() in active().role_keys("skip_sheet") or not grid.rows:
        if trace is not None:
            trace.note("说明类工作表或空表，不查找自评表。" if grid.rows else "空表。")
        return [], []
    index = LabelIndex.build(grid)
    bands = _side_by_side(index) if not isinstance(grid, JoinedGrid) else []
    if len(bands) > 1:  # forms next to each other: each band of columns on its own
        forms: list[Form] = []
        if trace is not None:
            trace.note(f"同一行有 {len(bands)} 个“项目名称”：按列分成 {len(bands)} 张并排的表分别读取。")
        for c1, c2 in zip(bands, bands[1:] + [grid.width]):
            forms.extend(locate_forms(grid.columns(c1, c2), trace)[0])
        return forms, []
    starts = form_starts(index)
    wide = department_starts(index)
    if trace is not None:
        _trace_list_headers(grid, index, trace)
    if not starts and not wide:
        hr = find_indicator_header(index, 0, grid.height)
        if hr is None:
            if trace is not None:
                _trace_candidate(grid, index, trace)
            return [], []
        if any(_is_department_wide(key) for key in index.positions):
            wide = [0]  # a 部门整体 title somewhere in a long cell: the sheet is that form
        else:
            if trace is not None:
                trace.note(f"没有标题和“项目名称”，但第 {hr + grid.origin[0] + 1} 行是绩效指标表头：从表首读取一张表。")
            starts = [0]
    all_starts = sorted(set(starts) | set(wide))
    if all_starts and all_starts[0] > 0:
        hr = find_indicator_header(index, 0, all_starts[0])
        if hr is not None:  # the lower half of a form (its top on an earlier page) above the next form
            all_starts.insert(0, 0)
            if trace is not None:
                trace.note(f"第 {hr + grid.origin[0] + 1} 行的绩效指标表在第一张表的标题之前：单独读作一张表（只有下半部分）。")
    all_starts = _after_empty_tables(grid, index, all_starts, trace)
    forms = []
    for i, start in enumerate(all_starts):
        end = all_starts[i + 1] if i + 1 < len(all_starts) else grid.height
        above = max(all_starts[i - 1] + 1 if i else 0, start - 3)
        department_wide = start in wide and start not in starts
        if department_wide:
            # 部门整体支出绩效自评表: the department's own form, read and marked as such
            if find_indicator_header(index, start, end) is None:
                if trace is not None:
                    trace.note(f"{_a1(grid, start, _first_label_col(index, start))} 起是部门整体绩效自评表，"
                               "但没有绩效指标表头，不读取。")
                continue
            if trace is not None:
                trace.note("标题为部门整体（支出）绩效自评表：按部门自身的表读取（不是一个项目）。")
        form_trace = trace.new_form(_a1(grid, start, _first_label_col(index, start))) if trace is not None else None
        forms.append(read_form(grid, index, start, end, above, form_trace, department_wide=department_wide))
    return forms, []


def _after_empty_tables(grid: Grid, index: LabelIndex, starts: list[int],
                        trace: SheetTrace | None) -> list[int]:
    """A form whose indicator table has a header and nothing under it, followed by another
    indicator header: that second header starts a form of its own (the lower half of the next
    form, printed on its own page), not a repeat of the first one.

    绩效指标 | 一级指标 | 二级指标 | 三级指标 …   (form A: no rows)
    (empty rows)
    绩效指标 | 一级指标 | 二级指标 | 三级指标 …   ← starts form B
    产出指标 | 经济成本指标 | 成本控制数 | ≤ | 30 | 万元 | 完成 | 90 | 90
    """
    out = list(starts)
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else grid.height
        h1 = find_indicator_header(index, start, end)
        if h1 is None:
            continue
        h2 = find_indicator_header(index, h1 + 2, end)
        if h2 is None:
            continue
        if all(not index.row_keys[r] and not any(grid.filled_or_uncached(r, c) for c in range(grid.width))
               for r in range(h1 + 2, h2)) and not index.row_keys[h1 + 1] and h2 - h1 > 2:
            out.append(h2)
            if trace is not None:
                trace.note(f"第 {h1 + grid.origin[0] + 1} 行的绩效指标表头下没有指标，"
                           f"第 {h2 + grid.origin[0] + 1} 行又是一个表头：从那里起是另一张表。")
    return sorted(set(out))


def department_starts(index: LabelIndex) -> list[int]:
    """Rows of 部门整体（支出）绩效自评表 titles: each starts the department's own form."""
    return _title_rows(index)[1]


def _title_rows(index: LabelIndex) -> tuple[list[int], list[int]]:
    """(rows of project form titles, rows of 部门整体 titles), found in one pass over the keys
    and kept on the index."""
    found = getattr(index, "_titles", None)
    if found is None:
        pack = active()
        suffixes = pack.title_suffixes
        projects: set[int] = set()
        wide: set[int] = set()
        for key, ps in index.positions.items():
            if len(key) <= 30 and key.endswith(suffixes):
                (wide if _is_department_wide(key, pack) else projects).update(r for r, _ in ps)
        found = (sorted(projects), sorted(wide))
        index._titles = found  # type: ignore[attr-defined]
    return found


def _a1(grid: Grid, r: int, c: int) -> str:
    return grid.source(r, c).cell


def _trace_list_headers(grid: Grid, index: LabelIndex, trace: SheetTrace) -> None:
    for r, c in _project_positions(index):
        if _is_list_header(index, r, c):
            trace.note(f"{_a1(grid, r, c)}“{grid.text(r, c)}”是项目清单的列标题（右边是金额、得分等列名），"
                       "不是一张自评表的开始。")


def _trace_candidate(grid: Grid, index: LabelIndex, trace: SheetTrace) -> None:
    """No form on the sheet: the row most like a form's header, and what it lacks."""
    pack = active()
    best: tuple[int, int] | None = None
    for r, keys in enumerate(index.row_keys):
        n = sum(1 for _, k in keys if k in pack.indicator_columns or k in pack.funds_columns
                or k in pack.inline_labels)
        if n and (best is None or n > best[0]):
            best = (n, r)
    found, missing = [], []
    positions = index.positions
    if any(k in positions for k in pack.role_keys("project_name")):
        found.append("项目名称")
    else:
        missing.append("项目名称（或自评表标题）")
    if _has_funds_header(index):
        found.append("项目资金表头")
    else:
        missing.append("项目资金表头（全年预算数、全年执行数）")
    ind = {pack.indicator_columns[k] for k in positions if k in pack.indicator_columns}
    if "name" in ind and ({"level1", "level2"} & ind or {"target", "actual"} <= ind):
        found.append("绩效指标表头")
    else:
        missing.append("绩效指标表头（三级指标/指标名称，以及一级、二级指标或指标值、完成值）")
    trace.found_parts, trace.missing_parts = found, missing
    if best is not None:
        r = best[1]
        labels = "、".join(k for _, k in index.row_keys[r][:8])
        trace.candidate = f"第 {r + grid.origin[0] + 1} 行（{labels}）"


def join_split_tables(grids: list[Grid]) -> list[Grid]:
    """Word forms split over several tables, joined back into one grid each.

    表1: 项目名称 … 项目资金 … 年度总体目标 (no 绩效指标 header)
    (a paragraph typed between the tables)
    表2: 绩效指标 | 一级指标 | 二级指标 | 三级指标 … 总分 (no 项目名称, no title)
    → one :class:`JoinedGrid` 表1+表2 whose cells keep their own table's addresses.

    The same for a form in three tables (项目名称 / 项目资金 / 绩效指标), and for an indicator
    table cut in two (拆分表格: the rows after the cut, with or without the header repeated,
    up to 总分, in the next table).
    """
    out: list[Grid] = []
    i = 0
    while i < len(grids):
        grid = grids[i]
        while i + 1 < len(grids) and _continues(grid, grids[i + 1]):
            grid = JoinedGrid.of(grid, grids[i + 1])
            i += 1
        out.append(grid)
        i += 1
    return out


def _continues(first: Grid, second: Grid) -> bool:
    """``second`` carries on the last form of ``first``: it starts no form of its own, and
    either ``first`` stops before the indicator block (``second`` holds the funds block or the
    indicator header) or ``first``'s indicator block has no 总分 yet (``second`` holds one, or
    the header repeated)."""
    if first.kind != "word_table" or second.kind != "word_table" or not first.rows or not second.rows:
        return False
    head = LabelIndex.build(first)
    starts = form_starts(head)
    if not starts:
        return False  # no form in the first table
    tail = LabelIndex.build(second)
    if form_starts(tail):
        return False
    tail_header = find_indicator_header(tail, 0, second.height)
    hr = find_indicator_header(head, starts[-1], first.height)
    if hr is None:
        return tail_header is not None or _has_funds_header(tail)
    closed = any(labelled_as(key, total_keys()) for r in range(hr + 1, first.height)
                 for _, key in head.row_keys[r])
    if closed:
        return False  # the last form is complete
    return tail_header is not None or any(
        labelled_as(key, total_keys()) for keys in tail.row_keys for _, key in keys)


def _has_funds_header(index: LabelIndex) -> bool:
    columns = active().funds_columns
    fields = {columns[k] for k in index.positions if k in columns}
    return {"budget", "executed"} <= fields


def _first_label_col(index: LabelIndex, r: int) -> int:
    return index.row_keys[r][0][0] if index.row_keys[r] else 0


_ROLE_CN = {"project": "项目名称", "department": "主管部门", "implementing_unit": "实施单位"}


def read_form(grid: Grid, index: LabelIndex, r1: int, r2: int, above: int | None = None,
              trace: FormTrace | None = None, department_wide: bool = False) -> Form:
    """Read one form from rows ``r1 .. r2-1``; ``above`` is the first row that may hold its
    title lines (``单位：元``, ``（2020年度）``) above its first label.

    ``department_wide``: a 部门整体支出绩效自评表 — named after its department (部门名称 /
    主管部门) when it has no 项目名称, with ``layout="department_wide"`` and a
    ``DEPARTMENT_WIDE_FORM`` finding, so that it is told apart from the projects."""
    above = r1 if above is None else above
    findings: list[Finding] = []
    source = grid.source(r1, _first_label_col(index, r1))
    header_keys = active().header_keys
    header = {name: _labelled(grid, index, header_keys[role], r1, r2, trace, _ROLE_CN[name])
              for name, role in (("project", "project_name"), ("department", "department"),
                                 ("implementing_unit", "implementing_unit"))}
    project = header["project"]
    if grid.origin[0] + r1 < 0:
        # a Word form starts at its title paragraph above the table (addresses A0, A-1 …):
        # point people at the table itself, where the 项目名称 is
        source = project.source if project.source and not project.is_empty else grid.source(-grid.origin[0], 0)
    ind_hr = find_indicator_header(index, r1, r2)
    if project.is_empty and department_wide and not header["department"].is_empty:
        project = header["department"]
        if trace is not None:
            trace.note("部门整体表没有“项目名称”栏：名称取自部门。")
    if project.is_empty:
        project = _name_from_title(grid, index, above, ind_hr if ind_hr is not None else r2, trace)
    name = project.text
    funds = read_funds(grid, index, r1, ind_hr if ind_hr is not None else r2, project=name,
                       unit_from=above, trace=trace)
    goal_end = ind_hr if ind_hr is not None else r2
    indicators = read_indicators(grid, index, ind_hr, r2, project=name, trace=trace) \
        if ind_hr is not None else None
    missing = []
    if project.is_empty and not department_wide:
        missing.append("项目名称")
    if funds is None or not funds.rows:
        missing.append("项目资金表头（年初预算数/全年预算数/全年执行数）")
    if indicators is None:
        missing.append("绩效指标表头（一级指标/二级指标/三级指标）")
    if missing:
        severity = "error" if indicators is None else "warning"
        findings.append(Finding(
            "FORM_INCOMPLETE", severity,
            f"“{name or grid.sheet}”看起来是一张绩效自评表，但缺少：{'、'.join(missing)}；"
            "已读取能识别的部分。",
            project=name, location=source, expected="、".join(missing)))
        if trace is not None:
            trace.note(f"缺少：{'、'.join(missing)}。")
    if funds:
        findings.extend(funds.findings)
    if indicators:
        findings.extend(indicators.findings)
    funds_rows = tuple(funds.rows) if funds else ()
    if indicators is not None and indicators.budget_row is not None and funds_rows \
            and funds_rows[0].kind == "total":
        weight, score = indicators.budget_row  # 预算执行率 scored as a row of the indicator table
        total = funds_rows[0]
        funds_rows = (replace(total, weight=total.weight if not total.weight.is_empty else weight,
                              score=total.score if not total.score.is_empty else score),
                      *funds_rows[1:])
    reported_total = indicators.reported_total if indicators else EMPTY
    if reported_total.is_empty and not reported_total.no_cached_value:
        reported_total = _total_elsewhere(grid, index, above, r2, indicators, funds, trace)
    layouts = {funds.layout if funds else "national", indicators.layout if indicators else "national"}
    layout = next((name for name in active().layout_names if name in layouts), "national")
    if department_wide:
        layout = "department_wide"
        findings.append(Finding(
            "DEPARTMENT_WIDE_FORM", "info",
            f"“{name or grid.sheet}”是部门整体支出绩效自评表（部门自身的表，不是一个项目）；已读取并校验，"
            "汇总时请勿与项目相加。", project=name, location=source))
    expected, actual = _goals(grid, index, r1, goal_end)
    return Form(
        source=source,
        layout=layout,
        project=project,
        department=header["department"],
        implementing_unit=header["implementing_unit"],
        year=_year(grid, index, above, min(r2, (funds.header_row if funds else goal_end) + 1), r1),
        funds=funds_rows,
        goal_expected=expected,
        goal_actual=actual,
        indicators=tuple(indicators.indicators) if indicators else (),
        reported_total=reported_total,
        reported_grade=indicators.reported_grade if indicators else EMPTY,
        money_unit=funds.money_unit if funds else "万元",
        budget_weight_declared=funds.budget_weight if funds else None,
        read_findings=tuple(findings),
        **({"execution_note": funds.note} if funds and funds.note is not None else {}),
    )


_TITLE_YEAR = re.compile(r"^[（(]?(?:19|20)\d{2}年度?[)）]?")
_TOTAL_VALUE = re.compile(r"^(\d+(?:\.\d+)?)分?$")


def _name_from_title(grid: Grid, index: LabelIndex, r1: int, r2: int,
                     trace: FormTrace | None) -> Cell:
    """A form without a 项目名称 cell: the name its title gives (``2020年度农村饮水安全项目绩效
    自评表`` → ``农村饮水安全项目``), the year and the title's ending taken off; nothing when
    the title says no more than what kind of form it is."""
    suffixes = sorted(_title_suffixes(), key=len, reverse=True)
    for r in range(r1, r2):
        for c, key in index.row_keys[r]:
            if not key.endswith(tuple(suffixes)) or len(key) > 40:
                continue
            name = _TITLE_YEAR.sub("", split_label(grid.text(r, c))[0])  # as written
            for suffix in suffixes:
                if key.endswith(suffix):
                    name = name[: -len(suffix)]
                    break
            for generic in ("项目支出", "支出", "项目"):
                if name == generic or not name:
                    name = ""
                    break
            if name.endswith("项目支出"):
                name = name[: -len("支出")]
            if name:
                if trace is not None:
                    trace.role("项目名称", _a1(grid, r, c), grid.text(r, c), _a1(grid, r, c), name)
                    trace.note("表中没有“项目名称”栏：项目名称取自标题。")
                return Cell(name, grid.source(r, c))
            return EMPTY
    return EMPTY


def _total_elsewhere(grid: Grid, index: LabelIndex, r1: int, r2: int, indicators, funds,
                     trace: FormTrace | None) -> Cell:
    """A total written away from the indicator table: ``项目总得分 99分`` right of the title,
    ``自评总分：95`` on a line of its own under the table."""
    totals = total_keys() | active().role_keys("score")  # 得分 | 100 at the top right
    start = r1
    for r in range(start, r2):
        if indicators is not None and indicators.header_row <= r <= indicators.last_row:
            continue
        if funds is not None and funds.header_row <= r <= funds.last_row:
            continue  # 合计 | 80 | 80 is the funds total, not the form's
        for c, key in index.row_keys[r]:
            label, _, value = key.partition(":")
            if label not in totals:
                continue
            text = grid.text(r, c)
            parts = split_label(text)[1]
            candidates = [value] if value else []
            candidates += [p for p in parts if _TOTAL_VALUE.match(p)]
            for cand in candidates:
                m = _TOTAL_VALUE.match(cand)
                if m:
                    cell = Cell(to_decimal(m.group(1)), grid.source(r, c))
                    if trace is not None:
                        trace.role("总分", _a1(grid, r, c), text, _a1(grid, r, c), m.group(1))
                    return cell
            nxt = value_right_of(grid, r, c)
            below = r + 1 if r + 1 < r2 and grid.anchor(r + 1, c)[0] == r + 1 else None
            for rr, cc in ((r, nxt), (below, c)):  # right of the label, else under it
                if rr is None or cc is None:
                    continue
                m = _TOTAL_VALUE.match(squeeze_label(grid.text(rr, cc)))
                if m:
                    if trace is not None:
                        trace.role("总分", _a1(grid, r, c), text, _a1(grid, rr, cc), m.group(1))
                    return Cell(to_decimal(m.group(1)), grid.source(rr, cc))
    return EMPTY


def _labelled(grid: Grid, index: LabelIndex, keys, r1: int, r2: int,
              trace: FormTrace | None = None, role: str = "") -> Cell:
    pos = None
    for key in keys:  # the pack's order: 主管部门 before 单位名称
        pos = index.first((key,), r1, r2)
        if pos is not None:
            break
    if pos is None:
        return EMPTY
    inline = inline_value(grid.text(*pos))
    if inline is not None:  # ``项目名称：城乡环境整治`` in one cell
        if trace is not None:
            trace.role(role, _a1(grid, *pos), grid.text(*pos), _a1(grid, *pos), inline[1])
        return Cell(inline[1], grid.source(*pos))
    c = value_right_of(grid, pos[0], pos[1], _stop_keys())
    if trace is not None:
        trace.role(role, _a1(grid, *pos), grid.text(*pos), _a1(grid, pos[0], c) if c is not None else "",
                   grid.text(pos[0], c) if c is not None else "（空）")
    return grid.cell(pos[0], c) if c is not None else EMPTY


_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_YEAR_LINE = re.compile(r"[（(]?((?:19|20)\d{2})年度?[)）]?")


def _year(grid: Grid, index: LabelIndex, r1: int, r2: int, start: int | None = None) -> Cell:
    """The form's year: a ``年度`` label's value, else a year line such as ``（2020年度）``.

    Lines are looked at from the form's first row ``start`` down to ``r2``, then upwards to
    ``r1`` (a note above the next form's title may name another year); a line that is only a
    year wins over a sentence naming one. ``二〇二〇年度`` is read as 2020.
    """
    pos = index.first(active().header_keys["year"], r1, r2)
    if pos is not None:
        inline = inline_value(grid.text(*pos))
        m = _YEAR.search(inline[1] + "年") if inline else None
        if m:
            return Cell(m.group(1), grid.source(*pos))
        c = value_right_of(grid, pos[0], pos[1], _stop_keys())
        if c is not None:
            m = _YEAR.search(grid.text(pos[0], c) + "年")
            if m:
                return Cell(m.group(1), grid.source(pos[0], c))
    start = r1 if start is None else max(r1, min(start, r2))
    fallback: Cell | None = None
    for r in [*range(start, r2), *range(start - 1, r1 - 1, -1)]:
        for c in range(grid.width):
            if grid.anchor(r, c) != (r, c):
                continue
            value = grid.raw(r, c)
            if not (isinstance(value, str) and "年" in value and len(value) <= 40):
                continue
            text = value.translate(_CN_DIGITS) if not value.isascii() else value
            if _YEAR_LINE.fullmatch(_SPACES.sub("", text)):
                return Cell(_YEAR_LINE.fullmatch(_SPACES.sub("", text)).group(1), grid.source(r, c))
            if fallback is None and "年度" in text:
                m = _YEAR.search(text)
                if m:
                    fallback = Cell(m.group(1), grid.source(r, c))
    return fallback if fallback is not None else EMPTY


_SPACES = re.compile(r"\s+")


def _goals(grid: Grid, index: LabelIndex, r1: int, r2: int) -> tuple[Cell, Cell]:
    pe = index.first(active().header_keys["goal_expected"], r1, r2)
    pa = index.first(active().header_keys["goal_actual"], r1, r2)
    if pe and pa and pe[0] == pa[0]:  # labels side by side, texts in the row(s) below
        return _below(grid, pe, r2), _below(grid, pa, r2)
    return (_right(grid, pe), _right(grid, pa))


def _below(grid: Grid, pos: tuple[int, int], r2: int) -> Cell:
    r, c = pos
    own = grid.anchor(r, c)
    for rr in range(r + 1, min(r2, r + 4)):
        if grid.anchor(rr, c) != own and grid.text(rr, c):
            return grid.cell(rr, c)
    return EMPTY


def _right(grid: Grid, pos: tuple[int, int] | None) -> Cell:
    if pos is None:
        return EMPTY
    keys = active().header_keys
    c = value_right_of(grid, pos[0], pos[1], frozenset(keys["goal_expected"] + keys["goal_actual"]))
    return grid.cell(pos[0], c) if c is not None else EMPTY


__all__ = ["locate_forms", "read_form", "form_starts", "label_key"]
