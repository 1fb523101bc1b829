"""The ribbon's actions. Excel runs ``import xltools.excel.macros as m; m.recalculate()``.

Every action is a one-line adapter: it takes the calling workbook's port (``xw.Book.caller()``
wrapped in an :class:`~xltools.excel.port_xlwings.XlwingsPort`) and calls a ``do_*`` function
that takes any :class:`~xltools.excel.port.WorkbookPort` — the functions the tests drive with an
:class:`~xltools.excel.port_openpyxl.OpenpyxlPort`. Every failure becomes one Chinese message
box line (``重算失败：…``), never a traceback. Actions do not save: the user saves in Excel.

What each action does (worked example: the seed's 疫情防控宣传补助经费 sheet)::

    重算      → column 复核得分 right of the form: 9.41 next to the satisfaction row whose reported
                score is 10 (≧85% target, 80% actual); that G-cell is filled light red with the
                comment "xltools: [错误] …"; 执行率 score and 总分 recomputed in their rows.
    校验      → the same, every finding marked, plus a 问题清单 sheet (one row per finding, 位置
                links to the cell) and a message with the counts.
    清除标记  → takes out exactly what the two above added (see :mod:`xltools.excel.marks`).
"""

from __future__ import annotations

import datetime as _dt
import platform
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable

from ..core.model import SEVERITY_CN, Finding, Form, FormResult
from ..readers.grid import Grid, a1, column_letter
from .port import PortError, WorkbookPort

SCORE_HEADER = "复核得分"
ISSUES_SHEET = "问题清单"
ISSUE_HEADER = ["严重程度", "代码", "项目", "指标", "问题说明", "应为", "报告值", "位置"]
CONF_SHEETS = ("xlwings.conf", "_xlwings.conf", "xltools.conf")
SUMMARY_PREFIX = "部门汇总_"
MAX_MESSAGE_LINES = 12


# --------------------------------------------------------------------------------------------
# the ribbon entry points (RunPython targets): one line each


def new_form(port: WorkbookPort | None = None) -> str:
    return _run("新建项目表", do_new_form, port)


def import_word(port: WorkbookPort | None = None) -> str:
    return _run("导入Word", do_import_word, port)


def recalculate(port: WorkbookPort | None = None) -> str:
    return _run("重算", do_recalculate, port)


def validate(port: WorkbookPort | None = None) -> str:
    return _run("校验", do_validate, port)


def clear_marks(port: WorkbookPort | None = None) -> str:
    return _run("清除标记", do_clear_marks, port)


def consolidate_workbook(port: WorkbookPort | None = None) -> str:
    return _run("汇总本工作簿", do_consolidate_workbook, port)


def consolidate_folder(port: WorkbookPort | None = None) -> str:
    return _run("汇总文件夹", do_consolidate_folder, port)


def draft_report(port: WorkbookPort | None = None) -> str:
    return _run("生成自评报告", do_draft_report, port)


def about(port: WorkbookPort | None = None) -> str:
    return _run("环境检查", do_about, port)


def _caller_port() -> WorkbookPort:
    """The workbook the user is looking at in the Excel that pressed the button.

    The ribbon is shared by the add-in, the template and the sample (one 绩效自评 tab), so the
    button's VBA may live in another open workbook than the one in front of the user: the
    macros act on the calling Excel's *active* workbook (Windows/macOS only).
    """
    import xlwings as xw

    from .port_xlwings import XlwingsPort

    caller = xw.Book.caller()
    try:
        active = caller.app.books.active
    except Exception:
        active = None
    return XlwingsPort(active if active is not None else caller)


def log_failure(title: str, exc: BaseException) -> Path | None:
    """Append the full detail of a failure to the log file; returns its path (``None`` if unwritable)."""
    import tempfile
    import traceback

    from .config import log_path

    detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    stamp = _dt.datetime.now().isoformat(timespec="seconds")
    for path in (log_path(), Path(tempfile.gettempdir()) / "xltools.log"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(f"==== {stamp} {title} (Python {platform.python_version()}, {sys.executable})\n{detail}\n")
            return path
        except OSError:
            continue
    return None


def _detail(path: Path | None) -> str:
    return f"详细信息已记录在 {path}" if path is not None else "详细信息无法写入日志文件"


class MacroFailed(SystemExit):
    """Raised from Excel when no message box could be shown: xlwings shows stderr on exit 1."""


def _fail_loudly(text: str, from_excel: bool) -> None:
    try:
        print(text, file=sys.stderr)  # the locale's code page: what xlwings' VBA reads back
    except Exception:
        pass
    if from_excel:
        raise MacroFailed(1)


def _run(title: str, action: Callable[[WorkbookPort], str], port: WorkbookPort | None) -> str:
    """Run ``action`` on the port and show its one message; every error becomes one Chinese line.

    The full detail of an unexpected error goes to the log file the message names. When the
    message cannot be shown (no connection to Excel), the text goes to stderr and, inside Excel,
    the process exits with status 1 so that xlwings shows it: a failure never ends in silence.
    """
    from_excel = port is None
    try:
        port = port if port is not None else _caller_port()
    except Exception as exc:
        text = f"{title}失败：无法连接到调用的 Excel 工作簿（{type(exc).__name__}）。{_detail(log_failure(title, exc))}"
        _fail_loudly(text, from_excel)
        return text
    try:
        text = action(port)
    except PortError as exc:
        text = f"{title}失败：{exc}"
    except Exception as exc:
        reason = exc.args[0] if exc.args and isinstance(exc.args[0], str) and _is_chinese(exc.args[0]) \
            else f"程序内部错误（{type(exc).__name__}）"
        text = f"{title}失败：{reason.rstrip('。')}。{_detail(log_failure(title, exc))}"
    if "失败：" in text:
        text = " ".join(text.split("\n"))  # one line in the message box
    try:
        port.message(text)
    except Exception as exc:
        log_failure(title, exc)
        _fail_loudly(text, from_excel)
    return text


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# --------------------------------------------------------------------------------------------
# reading the workbook


@dataclass
class Located:
    sheet: str
    grid: Grid
    form: Form
    result: FormResult


def configured_rules(port: WorkbookPort | None = None) -> str | None:
    """The rule pack of the one user config (see :mod:`xltools.excel.config`): the same one the
    XT_ functions use. ``None`` is the national pack. No sheet in a workbook overrides it; a port
    that is not Excel may carry the user's own choice as ``port.rules`` (the local page's
    rule-pack choice, for the WPS add-in's workbook: :mod:`xltools.serve.wpsport`)."""
    from .config import configured_rules as from_config

    own = getattr(port, "rules", None)
    if isinstance(own, str) and own:
        return own

    return from_config()


def load_pack(port: WorkbookPort):
    from ..core.rulepack import load_rulepack

    return load_rulepack(configured_rules(port))


def form_sheets(port: WorkbookPort) -> list[str]:
    """Sheets that may hold forms: all but ours and the xlwings configuration."""
    ours = set(port.our_sheets()) if hasattr(port, "our_sheets") else {ISSUES_SHEET}
    return [s for s in port.sheet_names() if s not in ours and s not in CONF_SHEETS]


def locate_all(port: WorkbookPort, pack) -> tuple[list[Located], list[Finding]]:
    from ..core.engine import evaluate
    from ..readers.locate import locate_forms

    located: list[Located] = []
    loose: list[Finding] = []
    for sheet in form_sheets(port):
        grid = port.read_grid(sheet)
        forms, findings = locate_forms(grid)
        loose.extend(findings)
        for form in forms:
            located.append(Located(sheet, grid, form, evaluate(form, pack)))
    return located, loose


# --------------------------------------------------------------------------------------------
# where our column goes


def _row_col(address: str) -> tuple[int, int]:
    letters = "".join(ch for ch in address if ch.isalpha()).upper()
    digits = "".join(ch for ch in address if ch.isdigit())
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - 64)
    return int(digits) - 1, col - 1


def _form_cells(form: Form) -> list[str]:
    cells = [form.source.cell]
    for c in (form.project, form.reported_total, form.reported_grade):
        if c.source is not None:
            cells.append(c.source.cell)
    for row in form.funds:
        for c in (row.initial_budget, row.budget, row.executed, row.weight, row.rate, row.score):
            if c.source is not None:
                cells.append(c.source.cell)
    for ind in form.indicators:
        for c in (ind.target, ind.actual, ind.weight, ind.score, ind.deviation):
            if c.source is not None:
                cells.append(c.source.cell)
        if ind.source is not None:
            cells.append(ind.source.cell)
    return cells


def form_rows(grid: Grid, form: Form) -> tuple[int, int]:
    """First and last grid row of the form (0-based)."""
    rows = [_row_col(a)[0] - grid.origin[0] for a in _form_cells(form)]
    return min(rows), max(rows)


def score_column(grid: Grid, form: Form) -> int:
    """The first column right of the form whose cells in the form's rows are all empty.

    The form's width is its widest non-empty cell (merged ranges count to their right edge),
    so a 偏差原因 column merged over two cells pushes ours one further.
    """
    r1, r2 = form_rows(grid, form)
    last = 0
    for r in range(r1, r2 + 1):
        for c in range(grid.width):
            if grid.raw(r, c) is not None:
                last = max(last, c)
    for m1, n1, m2, n2 in grid.merged:
        if m1 <= r2 and m2 >= r1:
            last = max(last, n2)
    col = last + 1
    while any(grid.value(r, col) is not None for r in range(r1, r2 + 1)):
        col += 1
    return col


def header_row(grid: Grid, form: Form) -> int:
    """The indicator header row (the one holding 三级指标), else the row above the first indicator."""
    r1, r2 = form_rows(grid, form)
    for r in range(r1, r2 + 1):
        for c in range(grid.width):
            if "三级指标" in grid.text(r, c).replace(" ", "").replace("\u3000", ""):
                return r
    if form.indicators and form.indicators[0].source is not None:
        return _row_col(form.indicators[0].source.cell)[0] - grid.origin[0] - 1
    return r1


def funds_header_row(grid: Grid, form: Form) -> int | None:
    """The funds header row (the one holding 全年预算数 / 预算数), else the row above the funds."""
    if not form.funds:
        return None
    first = _row_of(grid, form.funds[0])
    r1 = form_rows(grid, form)[0]
    for r in range(first - 1 if first is not None else r1, r1 - 1, -1):
        if any("预算数" in grid.text(r, c) for c in range(grid.width)):
            return r
    return None if first is None else first - 1


def _row_of(grid: Grid, cell) -> int | None:
    if cell is None or getattr(cell, "source", None) is None:
        return None
    return _row_col(cell.source.cell)[0] - grid.origin[0]


def _first_row(grid: Grid, *things) -> int | None:
    for thing in things:
        row = _row_of(grid, thing)
        if row is not None:
            return row
    return None


# --------------------------------------------------------------------------------------------
# 重算 / 校验 / 清除标记


def _note(f: Finding) -> str:
    extra = []
    if f.expected and f.expected not in f.message:
        extra.append(f"应为 {f.expected}")
    if f.reported and f.reported not in f.message:
        extra.append(f"报告值 {f.reported}")
    tail = f"（{'，'.join(extra)}）" if extra else ""
    return f"[{SEVERITY_CN.get(f.severity, f.severity)}] {f.message}{tail}"


def score_cells(form: Form) -> set[str]:
    """The reported cells 重算 checks: every 得分, the 执行率 and its score, 总分."""
    cells = {ind.score.source.cell for ind in form.indicators if ind.score.source is not None}
    total = form.funds_row("total")
    if total is not None:
        cells |= {c.source.cell for c in (total.rate, total.score) if c.source is not None}
    if form.reported_total.source is not None:
        cells.add(form.reported_total.source.cell)
    return cells


def _write_scores(port: WorkbookPort, loc: Located) -> None:
    grid, form, result = loc.grid, loc.form, loc.result
    col = score_column(grid, form)

    def put(row: int | None, value) -> None:
        if row is not None and value is not None:
            port.write(loc.sheet, a1(grid.origin[0] + row, grid.origin[1] + col), value)

    put(header_row(grid, form), SCORE_HEADER)
    funds_header = funds_header_row(grid, form)
    if funds_header is not None and funds_header != header_row(grid, form):
        # a header of its own above the funds rows tells the reader our column is not a funds cell
        put(funds_header, SCORE_HEADER)
    for ir in result.indicators:
        if ir.score is not None:
            value = ir.score
        elif not ir.applicable:
            value = "不计分"
        elif ir.band is not None:
            value = f"{_fmt(ir.band[0])}–{_fmt(ir.band[1])}"
        else:
            value = "无法计算"
        put(_first_row(grid, ir.indicator.score, ir.indicator), value)
    total = form.funds_row("total")
    if total is not None:
        put(_first_row(grid, total.score, total), result.funds.score)
    put(_row_of(grid, form.reported_total), result.total)


def _fmt(value: Decimal) -> str:
    from ..core.decimals import fmt

    return fmt(value)


def _findings(loc: Located) -> list[Finding]:
    return list(loc.result.findings)


def _mark(port: WorkbookPort, located: list[Located], loose: list[Finding], *, everything: bool) -> int:
    """Mark the cells findings point at (all, or only the score cells); returns cells marked."""
    names = set(port.sheet_names())
    notes: dict[tuple[str, str], list[str]] = {}
    for loc in located:
        wanted = None if everything else score_cells(loc.form)
        for f in _findings(loc):
            src = f.location
            if src is None or src.sheet not in names or src.file != loc.grid.file:
                continue
            if wanted is not None and src.cell not in wanted:
                continue
            notes.setdefault((src.sheet, src.cell), [])
            if _note(f) not in notes[(src.sheet, src.cell)]:
                notes[(src.sheet, src.cell)].append(_note(f))
    if everything:
        for f in loose:
            if f.location is not None and f.location.sheet in names:
                notes.setdefault((f.location.sheet, f.location.cell), []).append(_note(f))
    for (sheet, cell), lines in notes.items():
        for line in lines:
            port.mark(sheet, cell, line)
    return len(notes)


def _refresh(port: WorkbookPort, *, everything: bool):
    pack = load_pack(port)
    port.clear_marks(sheets=False)
    located, loose = locate_all(port, pack)
    for loc in located:
        _write_scores(port, loc)
    marked = _mark(port, located, loose, everything=everything)
    return pack, located, loose, marked


def do_recalculate(port: WorkbookPort) -> str:
    """重算: write 复核得分 beside every form and mark the reported scores that differ."""
    _pack, located, _loose, marked = _refresh(port, everything=False)
    if not located:
        return "未在本工作簿中找到项目支出绩效自评表。"
    lines = [f"重算完成：{len(located)} 张自评表，复核得分写在各表右侧的「{SCORE_HEADER}」列；"
             f"{marked} 个单元格与规则不符，已用红色底纹和批注标出。"]
    for loc in located[:MAX_MESSAGE_LINES]:
        r = loc.result
        lines.append(f"{loc.sheet}：报告总分 {_fmt(r.reported_total) if r.reported_total is not None else '—'}，"
                     f"复核总分 {_fmt(r.total) if r.total is not None else '—'}"
                     + (f"（{r.grade}）" if r.grade else ""))
    if len(located) > MAX_MESSAGE_LINES:
        lines.append(f"……另有 {len(located) - MAX_MESSAGE_LINES} 张")
    return "\n".join(lines)


def issue_rows(port: WorkbookPort, located: list[Located], loose: list[Finding]):
    """问题清单 rows (header first) and the hyperlink of each 位置 cell."""
    names = set(port.sheet_names())
    findings = [f for loc in located for f in _findings(loc)] + list(loose)
    findings.sort(key=lambda f: f.sort_key())
    rows = [list(ISSUE_HEADER)]
    links = {}
    for f in findings:
        where = f"{f.location.sheet}!{f.location.cell}" if f.location else ""
        rows.append([SEVERITY_CN.get(f.severity, f.severity), f.code, f.project, f.indicator,
                     f.message, f.expected, f.reported, where])
        if f.location is not None and f.location.sheet in names:
            links[(len(rows) - 1, len(ISSUE_HEADER) - 1)] = (f.location.sheet, f.location.cell)
    return rows, links, findings


def do_validate(port: WorkbookPort) -> str:
    """校验: everything 重算 does, every finding marked, and the 问题清单 sheet."""
    _pack, located, loose, marked = _refresh(port, everything=True)
    rows, links, findings = issue_rows(port, located, loose)
    if not located and not findings:
        return "未在本工作簿中找到项目支出绩效自评表。"
    port.replace_sheet(ISSUES_SHEET, rows, links=links)
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    return (f"校验完成：{len(located)} 张自评表，错误 {counts['error']} 条、警告 {counts['warning']} 条、"
            f"提示 {counts['info']} 条；已标记 {marked} 个单元格，详见「{ISSUES_SHEET}」工作表。")


def do_clear_marks(port: WorkbookPort) -> str:
    """清除标记: our fills (original fill restored), our comments, the 复核得分 cells we wrote and
    the 问题清单 sheet. The filer's values, fills and comments are never touched."""
    undone = port.clear_marks(sheets=True)
    if not undone:
        return "没有需要清除的 xltools 标记。"
    return f"已清除 xltools 添加的 {undone} 处标记、复核得分和「{ISSUES_SHEET}」工作表。"


# --------------------------------------------------------------------------------------------
# 汇总


def dated_path(folder: Path, prefix: str, suffix: str, today: _dt.date | None = None) -> Path:
    """``<prefix>YYYYMMDD<suffix>`` in ``folder``; ``_2``, ``_3``… when that name is taken."""
    stamp = (today or _dt.date.today()).strftime("%Y%m%d")
    path = folder / f"{prefix}{stamp}{suffix}"
    n = 2
    while path.exists():
        path = folder / f"{prefix}{stamp}_{n}{suffix}"
        n += 1
    return path


def summary_path(folder: Path, today: _dt.date | None = None) -> Path:
    """``部门汇总_YYYYMMDD.xlsx`` in ``folder``; ``_2``, ``_3``… when that name is taken."""
    return dated_path(folder, SUMMARY_PREFIX, ".xlsx", today)


def _consolidate(port: WorkbookPort, inputs: list[str], out: Path, what: str) -> str:
    from ..api import consolidate

    if not inputs:
        return f"{what}中没有可汇总的 Excel 或 Word 文件。"
    summary = consolidate(inputs, rules=configured_rules(port), workers=1 if len(inputs) < 8 else None)
    written = summary.write(out)
    n_forms = len(summary.forms)
    n_failed = len(summary.report.failed_files) if hasattr(summary.report, "failed_files") else 0
    tail = f"，{n_failed} 个文件无法读取（见汇总表）" if n_failed else ""
    return f"汇总完成：{len(inputs)} 个文件、{n_forms} 张自评表{tail}。\n已保存到：{written}"


def do_consolidate_workbook(port: WorkbookPort) -> str:
    """汇总本工作簿: the saved file of this workbook → 部门汇总_YYYYMMDD.xlsx beside it."""
    if port.path is None or not Path(port.path).is_file():
        return "请先保存本工作簿，再汇总。"
    path = Path(port.path)
    return _consolidate(port, [str(path)], summary_path(path.parent), "本工作簿") \
        + "\n（按已保存的文件汇总，未保存的修改不计入。）"


def folder_inputs(folder: Path) -> list[str]:
    """The forms in a folder (recursive), without Office lock files and earlier summaries."""
    from ..pipeline import expand_paths

    return [p for p in expand_paths([folder])
            if not Path(p).name.startswith(SUMMARY_PREFIX) and not Path(p).name.startswith("~$")]


def picked_folder(port: WorkbookPort) -> Path | str:
    """The folder the user picks, or what to tell them (cancelled, not found)."""
    folder = port.pick_folder()
    if folder is None:
        return "已取消。"
    folder = Path(folder)
    return folder if folder.is_dir() else f"找不到文件夹：{folder}"


def do_consolidate_folder(port: WorkbookPort) -> str:
    """汇总文件夹: every form file in a picked folder → 部门汇总_YYYYMMDD.xlsx in that folder."""
    folder = picked_folder(port)
    if isinstance(folder, str):
        return folder
    return _consolidate(port, folder_inputs(folder), summary_path(folder), f"文件夹 {folder}")


REPORT_PREFIX = "绩效自评报告_"


def do_draft_report(port: WorkbookPort) -> str:
    """生成自评报告: the forms of a picked folder → 绩效自评报告_YYYYMMDD.docx in that folder,
    read and scored as 汇总文件夹 does (:func:`xltools.api.write_report`)."""
    from ..api import consolidate, write_report

    folder = picked_folder(port)
    if isinstance(folder, str):
        return folder
    inputs = [p for p in folder_inputs(folder) if not Path(p).name.startswith(REPORT_PREFIX)]
    if not inputs:
        return f"文件夹 {folder} 中没有可读取的 Excel 或 Word 自评表。"
    summary = consolidate(inputs, rules=configured_rules(port), workers=1 if len(inputs) < 8 else None)
    if not summary.report.results:
        return f"文件夹 {folder} 的 {len(inputs)} 个文件中没有找到自评表，未生成报告。"
    written = write_report(summary, dated_path(folder, REPORT_PREFIX, ".docx"))
    n_failed = len(summary.report.failed_files)
    tail = f"，{n_failed} 个文件无法读取（报告中已注明）" if n_failed else ""
    return (f"自评报告初稿已生成：{len(summary.report.results)} 张自评表{tail}。\n"
            f"已保存到：{written}\n黄色高亮处是自评表中没有、需要补充的内容。")


# --------------------------------------------------------------------------------------------
# 导入Word / 新建项目表 / 关于


def do_import_word(port: WorkbookPort) -> str:
    """导入Word: each form of a picked .docx becomes a sheet in the national layout."""
    from ..readers.locate import locate_forms
    from ..readers.word import read_docx_grids

    path = port.pick_file("Word 文档 (*.docx),*.docx")
    if path is None:
        return "已取消。"
    path = Path(path)
    if path.suffix.lower() != ".docx":
        return f"请选择 .docx 格式的 Word 文件（{path.name} 不是）。旧版 .doc 请先在 Word 中另存为 .docx。"
    try:
        grids = read_docx_grids(path)
    except Exception as exc:
        if exc.args and isinstance(exc.args[0], str) and _is_chinese(exc.args[0]):
            return f"无法读取 Word 文件 {path.name}：{exc.args[0]}"
        return (f"无法读取 Word 文件 {path.name}：文件已损坏或不是 Word 文档（{type(exc).__name__}）。"
                f"{_detail(log_failure('导入Word', exc))}")
    names = []
    for grid in grids:
        forms, _findings = locate_forms(grid)
        for form in forms:
            names.append(port.add_sheet_from_form(form.project_name or "导入项目", form))
    if not names:
        return f"未在 {path.name} 中找到项目支出绩效自评表。"
    shown = "、".join(names[:MAX_MESSAGE_LINES]) + ("……" if len(names) > MAX_MESSAGE_LINES else "")
    return f"已从 {path.name} 导入 {len(names)} 张自评表：{shown}。"


def do_new_form(port: WorkbookPort) -> str:
    """新建项目表: an empty national form on a new sheet."""
    name = port.add_sheet_from_form("新项目", None)
    return f"已新建工作表「{name}」，请填写项目名称和各项数据。"


def do_about(port: WorkbookPort) -> str:
    """关于/环境检查: versions, the rule pack, the workbook."""
    import xltools

    lines = [f"Python {platform.python_version()}（{sys.executable}）"]
    lines.append(f"xltools {getattr(xltools, '__version__', '未知')}")
    for module in ("xlwings", "openpyxl"):
        try:
            lines.append(f"{module} {__import__(module).__version__}")
        except Exception:
            lines.append(f"{module}：未安装")
    try:
        pack = load_pack(port)
        lines.append(f"规则包：{pack.title or pack.name}（{pack.path}）")
    except Exception as exc:
        reason = exc.args[0] if exc.args else type(exc).__name__
        lines.append(f"规则包无法加载：{reason}")
    from .config import config_path, log_path

    conf = config_path()
    lines.append(f"设置文件：{conf}（{'已找到' if conf.is_file() else '未找到，请运行安装.cmd'}）")
    lines.append(f"出错时的详细信息：{log_path()}")
    lines.append(f"工作簿：{port.path if port.path is not None else '（尚未保存）'}")
    return "\n".join(lines)
