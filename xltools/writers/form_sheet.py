"""Write one 项目支出绩效自评表 in the national 附件1 layout onto an openpyxl worksheet.

The sheet has nine columns, A–I, as the Excel versions of the official form do::

    A            B        C        D            E            F            G     H       I
    项目名称     (B:I merged)
    主管部门     (B:E merged)                   实施单位     (G:I merged)
    项目资金     (B:C)             年初预算数   全年预算数   全年执行数   分值  执行率  得分
    （万元）     年度资金总额      ...                                     10    =rate   =score
                 其中：当年财政拨款                                        —     =rate   —
                 上年结转资金 / 其他资金                                   —     =rate   —
    年度总体目标 预期目标 (B:E)                 实际完成情况 (F:I)
    绩效指标     一级指标 二级指标 三级指标     年度指标值   实际完成值   分值  得分    偏差原因…
    总分 (A:F)                                                             =Σ分值 =总分

Formulas (only functions every Excel since 2010 has, and LibreOffice computes the same)::

    执行率        =IFERROR(ROUND(F/E,4),"")                 (each funds row; rounded to 0.01 % as
                                                            the national rule pack says)
    budget 得分   =IF(OR(H="",G=""),"",ROUND(G*MIN(H,1),2))  (年度资金总额 row)
    总分 分值     =SUM(G_budget,G_first:G_last)
    总分 得分     =ROUND(SUM(I_budget,H_first:H_last),2)

Every row is as tall as its wrapped text needs (:func:`~xltools.writers.text_fit.fit_rows`:
the text's length, the column or merged width, the font); a row left empty keeps no height,
so the spreadsheet grows it as the user types. The sheet prints as the national form
(:func:`print_as_national_form`): A4 portrait, one page wide, centred, the title row repeated,
GB/T 9704 margins.

``formulas`` chooses where those formulas go:

- ``True``: in every computed cell (the empty template; or a filled form shown "recomputed" —
  the filer's reported 执行率/得分/总分 are then replaced by formulas);
- ``"missing"``: keep every value the filer reported and put a formula only where the form has
  none (the sample workbook: a reader of the sample sees exactly what was filed);
- ``False``: values only.

Example::

    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> where = write_form_sheet(ws)
    >>> where.budget_rate, ws[where.budget_rate].value
    ('H6', '=IFERROR(ROUND(F6/E6,4),"")')
    >>> where.columns["score"], ws[where.total_score].value.startswith("=ROUND(SUM(I6,")
    ('H', True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from ..core.decimals import HUNDRED, to_decimal
from ..core.model import EMPTY, Cell, Form, FundsRow, Indicator
from .text_fit import fit_rows

FormulaMode = bool | Literal["missing"]

TITLE = "项目支出绩效自评表"
NATIONAL_FRAME: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = (
    ("产出指标", (("数量指标", 3), ("质量指标", 3), ("时效指标", 2), ("成本指标", 2))),
    ("效益指标", (("经济效益指标", 2), ("社会效益指标", 2), ("生态效益指标", 2),
                  ("可持续影响指标", 2))),
    ("满意度指标", (("服务对象满意度指标", 2),)),
)
LEVEL1_NAMES = tuple(level1 for level1, _ in NATIONAL_FRAME)
LEVEL2_NAMES = tuple(level2 for _, rows in NATIONAL_FRAME for level2, _ in rows)

FUNDS_ROWS: tuple[tuple[str, str], ...] = (
    ("total", "年度资金总额"),
    ("appropriation", "其中：当年财政拨款"),
    ("carryover", "上年结转资金"),
    ("other", "其他资金"),
)
FUNDS_HEADERS = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
INDICATOR_HEADERS = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                     "偏差原因分析及改进措施")
# Indicator block columns (B..I) and funds block columns (D..I).
INDICATOR_COLUMNS = {"level1": "B", "level2": "C", "name": "D", "target": "E", "actual": "F",
                     "weight": "G", "score": "H", "deviation": "I"}
FUNDS_COLUMNS = {"label": "B", "initial_budget": "D", "budget": "E", "executed": "F",
                 "weight": "G", "rate": "H", "score": "I"}
# Narrow enough that the form prints on A4 portrait at about three quarters of its size; long
# texts wrap and their rows grow (xltools.writers.text_fit).
COLUMN_WIDTHS = {"A": 8, "B": 10, "C": 12, "D": 24, "E": 12, "F": 12, "G": 7, "H": 8, "I": 20}
ROW_MIN_HEIGHT = 18.0  # points: a one-line row of the form
TITLE_HEIGHT = 30.0
GOAL_MIN_HEIGHT = 45.0  # the 年度总体目标 text row leaves room to write by hand
# Page margins in inches, as GB/T 9704-2012 (党政机关公文格式) sets them for the documents the
# national form is an attachment of: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
MARGINS = {"top": 37 / 25.4, "bottom": 35 / 25.4, "left": 28 / 25.4, "right": 26 / 25.4,
           "header": 0.5, "footer": 0.6}
FOOTER = "第 &P 页，共 &N 页"
DEFAULT_BUDGET_WEIGHT = Decimal(10)
DASH = "—"

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = Font(name="宋体", size=10)
_BOLD = Font(name="宋体", size=10, bold=True)
_TITLE_FONT = Font(name="宋体", size=16, bold=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_PERCENT = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*[%％]\s*$")


@dataclass(frozen=True)
class FormSheetMap:
    """Where the parts of the written form are (A1 addresses on the worksheet).

    ``funds[kind][column]`` gives a funds cell (kind: total/appropriation/carryover/other;
    column: initial_budget/budget/executed/weight/rate/score). ``indicator_rows`` is the
    inclusive 1-based row range of the indicator rows; ``columns`` maps indicator fields to
    column letters.
    """

    first_row: int
    last_row: int
    title: str
    year: str
    project: str
    department: str
    implementing_unit: str
    funds: dict[str, dict[str, str]]
    goal_expected: str
    goal_actual: str
    indicator_header_row: int
    indicator_rows: tuple[int, int]
    columns: dict[str, str] = field(default_factory=lambda: dict(INDICATOR_COLUMNS))
    total_weight: str = ""
    total_score: str = ""
    grade: str = ""

    @property
    def budget_rate(self) -> str:
        return self.funds["total"]["rate"]

    @property
    def budget_score(self) -> str:
        return self.funds["total"]["score"]


def write_form_sheet(ws, form: Form | None = None, *, formulas: FormulaMode = True,
                     start_row: int = 1, rate_places: int | None = None) -> FormSheetMap:
    """Write one form (or the empty national frame when ``form`` is None) from ``start_row``.

    ``rate_places`` is how many decimals 执行率 is rounded to before its score is computed
    (default: the national rule pack's, 4 = 0.01 %), so the formulas agree with the engine.

    Returns a :class:`FormSheetMap` with the addresses of every part. Column widths and print
    setup are set for the whole sheet; merges, borders, formulas and data validation only cover
    the rows written.
    """
    if rate_places is None:
        from ..core.rulepack import load_rulepack

        rate_places = load_rulepack().rate_places
    w = _Writer(ws, form, formulas, start_row, rate_places)
    return w.write()


class _Writer:
    def __init__(self, ws, form: Form | None, formulas: FormulaMode, start_row: int,
                 rate_places: int) -> None:
        self.rate_places = int(rate_places)
        if formulas not in (True, False, "missing"):
            raise ValueError(f"formulas must be True, False or 'missing', not {formulas!r}")
        self.ws = ws
        self.form = form
        self.formulas = formulas
        self.row = start_row
        self.start_row = start_row

    # -- helpers ---------------------------------------------------------------------------
    def put(self, ref: str, value, *, align: Alignment = _CENTER, font: Font = _FONT,
            number_format: str | None = None) -> None:
        cell = self.ws[ref]
        cell.value = value
        cell.alignment = align
        cell.font = font
        if number_format:
            cell.number_format = number_format

    def merge(self, ref: str) -> None:
        if ":" in ref:
            self.ws.merge_cells(ref)

    def want_formula(self, reported: Cell) -> bool:
        if self.formulas is True:
            return True
        if self.formulas == "missing":
            return reported.is_empty
        return False

    def border(self, first: int, last: int) -> None:
        for row in self.ws.iter_rows(min_row=first, max_row=last, min_col=1, max_col=9):
            for cell in row:
                cell.border = _BORDER
                if cell.font is None or not cell.font.name:
                    cell.font = _FONT

    # -- blocks ----------------------------------------------------------------------------
    def write(self) -> FormSheetMap:
        ws = self.ws
        for letter, width in COLUMN_WIDTHS.items():
            ws.column_dimensions[letter].width = width
        first = self.row
        title, year = f"A{self.row}", f"A{self.row + 1}"
        self.put(title, TITLE, font=_TITLE_FONT)
        self.merge(f"A{self.row}:I{self.row}")
        ws.row_dimensions[self.row].height = TITLE_HEIGHT
        self.put(year, _year_label(self.form), font=_FONT)
        self.merge(f"A{self.row + 1}:I{self.row + 1}")
        self.row += 2
        table_first = self.row

        form = self.form
        r = self.row
        self.put(f"A{r}", "项目名称", font=_BOLD)
        self.put(f"B{r}", _text(form.project) if form else None, align=_LEFT)
        self.merge(f"B{r}:I{r}")
        project = f"B{r}"
        r += 1
        self.put(f"A{r}", "主管部门", font=_BOLD)
        self.put(f"B{r}", _text(form.department) if form else None, align=_LEFT)
        self.merge(f"B{r}:E{r}")
        self.put(f"F{r}", "实施单位", font=_BOLD)
        self.put(f"G{r}", _text(form.implementing_unit) if form else None, align=_LEFT)
        self.merge(f"G{r}:I{r}")
        department, unit = f"B{r}", f"G{r}"
        self.row = r + 1

        funds = self.write_funds()
        goal_expected, goal_actual = self.write_goals()
        header_row, ind_rows = self.write_indicators()
        total_weight, total_score, grade = self.write_total(funds, ind_rows)
        last = self.row - 1
        self.border(table_first, last)
        fit_rows(ws, first + 1, last, minimum=ROW_MIN_HEIGHT)
        self.page_setup(first, last)
        return FormSheetMap(
            first_row=first, last_row=last, title=title, year=year, project=project,
            department=department, implementing_unit=unit, funds=funds,
            goal_expected=goal_expected, goal_actual=goal_actual,
            indicator_header_row=header_row, indicator_rows=ind_rows,
            total_weight=total_weight, total_score=total_score, grade=grade,
        )

    def write_funds(self) -> dict[str, dict[str, str]]:
        r = self.row
        label = f"A{r}"
        self.put(label, "项目资金（万元）", font=_BOLD)
        self.merge(f"A{r}:A{r + len(FUNDS_ROWS)}")
        self.merge(f"B{r}:C{r}")
        for letter, text in zip("DEFGHI", FUNDS_HEADERS):
            self.put(f"{letter}{r}", text, font=_BOLD)
        addresses: dict[str, dict[str, str]] = {}
        for offset, (kind, text) in enumerate(FUNDS_ROWS, start=1):
            rr = r + offset
            row = self.form.funds_row(kind) if self.form else None
            cols = {name: f"{letter}{rr}" for name, letter in FUNDS_COLUMNS.items()}
            addresses[kind] = cols
            shown = row.label.strip() if row is not None and row.label.strip() else text
            self.put(cols["label"], shown, align=_LEFT if kind != "total" else _CENTER)
            self.merge(f"B{rr}:C{rr}")
            for name in ("initial_budget", "budget", "executed"):
                cell = getattr(row, name) if row is not None else EMPTY
                value, fmt_ = _number_or_text(cell)
                self.put(cols[name], value, number_format=fmt_)
            rate_cell = row.rate if row is not None else EMPTY
            if self.want_formula(rate_cell):
                self.put(cols["rate"], f'=IFERROR(ROUND({cols["executed"]}/{cols["budget"]},{self.rate_places}),"")',
                         number_format="0.00%")
            else:
                value, fmt_ = _number_or_text(rate_cell, percent=True)
                self.put(cols["rate"], value, number_format=fmt_ or "0.00%")
            if kind == "total":
                weight_cell = row.weight if row is not None else EMPTY
                if self.form is None or weight_cell.is_empty and self.formulas is not False:
                    weight = self.form.budget_weight_declared if self.form else None
                    self.put(cols["weight"], weight if weight is not None else DEFAULT_BUDGET_WEIGHT)
                else:
                    self.put(cols["weight"], _number_or_text(weight_cell)[0])
                score_cell = row.score if row is not None else EMPTY
                if self.want_formula(score_cell):
                    g, h = cols["weight"], cols["rate"]
                    self.put(cols["score"], f'=IF(OR({h}="",{g}=""),"",ROUND({g}*MIN({h},1),2))')
                else:
                    self.put(cols["score"], _number_or_text(score_cell)[0])
            else:
                self.put(cols["weight"], _dash_or_value(row.weight if row else EMPTY))
                self.put(cols["score"], _dash_or_value(row.score if row else EMPTY))
        self.add_validation("decimal", f"D{r + 1}:G{r + len(FUNDS_ROWS)}", operator="greaterThanOrEqual",
                            formula1="0", error="请填写不小于 0 的数字（单位：万元；分值填数字）。")
        self.row = r + len(FUNDS_ROWS) + 1
        return addresses

    def write_goals(self) -> tuple[str, str]:
        r = self.row
        self.put(f"A{r}", "年度总体目标", font=_BOLD)
        self.merge(f"A{r}:A{r + 1}")
        self.put(f"B{r}", "预期目标", font=_BOLD)
        self.merge(f"B{r}:E{r}")
        self.put(f"F{r}", "实际完成情况", font=_BOLD)
        self.merge(f"F{r}:I{r}")
        expected = _text(self.form.goal_expected) if self.form else None
        actual = _text(self.form.goal_actual) if self.form else None
        self.put(f"B{r + 1}", expected, align=_LEFT)
        self.merge(f"B{r + 1}:E{r + 1}")
        self.put(f"F{r + 1}", actual, align=_LEFT)
        self.merge(f"F{r + 1}:I{r + 1}")
        self.ws.row_dimensions[r + 1].height = GOAL_MIN_HEIGHT  # fit_rows makes it taller
        self.row = r + 2
        return f"B{r + 1}", f"F{r + 1}"

    def write_indicators(self) -> tuple[int, tuple[int, int]]:
        header = self.row
        for letter, text in zip("BCDEFGHI", INDICATOR_HEADERS):
            self.put(f"{letter}{header}", text, font=_BOLD)
        rows = _indicator_rows(self.form)
        first = header + 1
        for offset, ind in enumerate(rows):
            rr = first + offset
            self.put(f"B{rr}", _level1_label(ind))
            self.put(f"C{rr}", ind.level2)
            self.put(f"D{rr}", ind.name.strip() or None, align=_LEFT)
            for key in ("target", "actual"):
                cell = getattr(ind, key)
                value = _display_text(cell)
                self.put(f"{INDICATOR_COLUMNS[key]}{rr}", value)
            for key in ("weight", "score"):
                self.put(f"{INDICATOR_COLUMNS[key]}{rr}", _number_or_text(getattr(ind, key))[0])
            self.put(f"I{rr}", _display_text(ind.deviation), align=_LEFT)
        last = first + len(rows) - 1
        self.merge_runs(rows, first)
        self.put(f"A{header}", "绩效指标", font=_BOLD)
        self.merge(f"A{header}:A{last}")
        rng = f"G{first}:H{last}"
        self.add_validation("decimal", rng, operator="greaterThanOrEqual", formula1="0",
                            error="分值和得分请填写不小于 0 的数字。")
        self.add_validation("list", f"B{first}:B{last}", formula1='"' + ",".join(LEVEL1_NAMES) + '"',
                            error="一级指标一般为：" + "、".join(LEVEL1_NAMES) + "。")
        self.add_validation("list", f"C{first}:C{last}", formula1='"' + ",".join(LEVEL2_NAMES) + '"',
                            error="二级指标一般为国家框架中的名称（如 数量指标、社会效益指标）。")
        self.row = last + 1
        return header, (first, last)

    def merge_runs(self, rows: list[Indicator], first: int) -> None:
        """Merge the 一级 and 二级 cells of consecutive rows that share them, as the form does."""
        def runs(key):
            start = 0
            for i in range(1, len(rows) + 1):
                if i == len(rows) or key(rows[i]) != key(rows[start]) or not key(rows[start])[-1]:
                    yield start, i - 1
                    start = i
        for a, b in runs(lambda ind: (ind.level1,)):
            if b > a:
                self.merge(f"B{first + a}:B{first + b}")
        for a, b in runs(lambda ind: (ind.level1, ind.level2)):
            if b > a:
                self.merge(f"C{first + a}:C{first + b}")

    def write_total(self, funds, ind_rows) -> tuple[str, str, str]:
        r = self.row
        first, last = ind_rows
        self.put(f"A{r}", "总分", font=_BOLD)
        self.merge(f"A{r}:F{r}")
        weight, score, grade = f"G{r}", f"H{r}", f"I{r}"
        if self.formulas is False:
            self.put(weight, None)
        else:
            self.put(weight, f"=SUM({funds['total']['weight']},G{first}:G{last})")
        reported = self.form.reported_total if self.form else EMPTY
        if self.want_formula(reported):
            self.put(score, f"=ROUND(SUM({funds['total']['score']},H{first}:H{last}),2)", font=_BOLD)
        else:
            self.put(score, _number_or_text(reported)[0], font=_BOLD)
        if self.form is not None and not self.form.reported_grade.is_empty:
            self.put(grade, _text(self.form.reported_grade))
        self.row = r + 1
        return weight, score, grade

    def add_validation(self, kind: str, rng: str, *, error: str, operator: str | None = None,
                       formula1: str) -> None:
        dv = DataValidation(type=kind, operator=operator, formula1=formula1, allow_blank=True,
                            showErrorMessage=True, errorStyle="warning",
                            errorTitle="请核对", error=error)
        dv.add(rng)
        self.ws.add_data_validation(dv)

    def page_setup(self, first: int, last: int) -> None:
        print_as_national_form(self.ws, title_row=first)


def print_as_national_form(ws, *, title_row: int = 1) -> None:
    """A4 portrait, one page wide (as many pages down as it takes), centred horizontally, the
    title row repeated on every page, the margins of the national form and a page-number footer.

    A sheet that already repeats a row (an earlier form on the same sheet) keeps it.
    """
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    for side, inches in MARGINS.items():
        setattr(ws.page_margins, side, round(inches, 3))
    if not ws.print_title_rows:
        ws.print_title_rows = f"{title_row}:{title_row}"
    ws.oddFooter.center.text = FOOTER


# -- value conversion -------------------------------------------------------------------------

def _text(cell: Cell) -> str | None:
    text = cell.text
    return text or None


def _display_text(cell: Cell):
    """Targets, actuals and explanations stay as written (``≥10次``, ``100%``, ``/``)."""
    if cell.is_empty:
        return None
    if isinstance(cell.value, Decimal):
        return cell.value if not cell.is_percent_formatted else cell.text
    return cell.text


def _number_or_text(cell: Cell, *, percent: bool = False) -> tuple[object, str | None]:
    """A reported amount or score as a number where it is one; ``100%`` → 1 with a % format.

    >>> _number_or_text(Cell("13"))
    (Decimal('13'), None)
    >>> _number_or_text(Cell("76%"), percent=True)
    (Decimal('0.76'), '0%')
    >>> _number_or_text(Cell("—"))
    ('—', None)
    """
    if cell.is_empty:
        return None, None
    if isinstance(cell.value, Decimal):
        return cell.value, cell.number_format if cell.number_format not in (None, "General") else None
    text = cell.text
    match = _PERCENT.match(text)
    if match:
        number = Decimal(match.group(1)) / HUNDRED
        places = len(match.group(1).partition(".")[2])
        return number, "0%" if places == 0 else "0." + "0" * places + "%"
    number = to_decimal(text)
    if number is not None:
        return number, None
    return text, None


def _dash_or_value(cell: Cell):
    return DASH if cell.is_empty else _number_or_text(cell)[0]


def _year_label(form: Form | None) -> str:
    if form is None or form.year.is_empty:
        return "（      年度）"
    text = form.year.text.strip("（）() ")
    digits = re.search(r"\d{4}", text)
    if digits and "年" not in text:
        text = f"{digits.group()}年度"
    elif digits and "年度" not in text:
        text = text.replace("年", "年度", 1)
    return f"（{text}）"


def _level1_label(ind: Indicator) -> str:
    if ind.level1_weight is not None and ind.level1:
        w = ind.level1_weight
        return f"{ind.level1}({format(w.normalize(), 'f')}分)"
    return ind.level1


def _indicator_rows(form: Form | None) -> list[Indicator]:
    if form is not None and form.indicators:
        return list(form.indicators)
    return [Indicator(level1, level2, "")
            for level1, level2s in NATIONAL_FRAME
            for level2, count in level2s
            for _ in range(count)]
