"""The worksheets of the built workbooks (openpyxl): 说明, 自评表 and the xlwings config sheet.

Everything the user reads is Chinese; code names (what VBA sees) are ASCII.

The config sheet follows xlwings' rule: keys in column A from A1 down with no header row and no
gap, values in column B; keys are case-insensitive, ``%VARS%`` are expanded.

>>> [k for k, _ in config_rows(addin=False)]
['UDF Modules', 'Show Console']
"""

from __future__ import annotations

import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from ...core.model import Form
from ...writers.form_sheet import write_form_sheet
from .sources import ADDIN_PROJECT_NAME
from .udf_wrappers import DEFAULT_UDF_MODULE

GUIDE_SHEET = "说明"
FORM_SHEET = "自评表"
CONFIG_SHEET = "xlwings.conf"
ADDIN_CONFIG_SHEET = f"{ADDIN_PROJECT_NAME}.conf"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

BUTTONS = (
    ("新建项目表", "在本工作簿中新建一张空白的国家格式（附件1）项目支出绩效自评表。"),
    ("导入Word", "选择 Word（.docx）文件，把其中的每张自评表导入为一个工作表。"),
    ("重算得分", "按评分规则重算执行率、预算执行得分、各三级指标得分和总分，结果写在表格右侧空白列。"),
    ("校验", "检查分值合计、得分是否超过分值、总分、扣分未写偏差原因等，问题单元格标色加批注，"
             "并生成“问题清单”工作表（可点击跳转）。"),
    ("清除标记", "清除“校验”和“重算得分”添加的颜色、批注、复核得分列和“问题清单”工作表，不改动您填写的内容。"),
    ("汇总本工作簿", "把本工作簿中所有自评表汇总为部门汇总表（项目、执行率、得分、问题数）。"),
    ("汇总文件夹", "选择一个文件夹，汇总其中所有 Excel 和 Word 自评表，生成部门汇总工作簿。"),
    ("关于/环境检查", "显示版本、设置文件和 Python 是否找到（不需要 Python），并可继续检查 xlwings 和评分规则包。"),
)
UDFS = (
    ("XT_EXEC_RATE(预算数, 执行数)", "执行率（小数）", "=XT_EXEC_RATE(E6, F6) → 0.76"),
    ("XT_BUDGET_SCORE(分值, 预算数, 执行数)", "预算执行得分", "=XT_BUDGET_SCORE(10, 10, 7.6) → 7.6"),
    ("XT_MEETS(指标值, 完成值)", "是否完成指标", '=XT_MEETS("≧85%", "80%") → FALSE'),
    ("XT_SCORE(指标值, 完成值, 分值, [二级指标])", "按规则计算的得分", '=XT_SCORE("≧85%", "80%", 10) → 9.41'),
    ("XT_GRADE(总分)", "等级：优/良/中/差", "=XT_GRADE(87.6) → 良"),
    ("XT_PARSE(文本)", "拆分指标值：运算符 | 数值 | 单位", '=XT_PARSE("≥95%") → ≥ | 95 | %'),
    ("XT_AUDIT(表格区域)", "列出该表的问题（多行）", "=XT_AUDIT(A1:I40)"),
)


def config_rows(*, addin: bool) -> list[tuple[str, str | None]]:
    """The xlwings settings written into the workbook: never the interpreter.

    Where Python is comes from the one user config ``%LOCALAPPDATA%\\xltools\\xltools.conf``
    that 安装.cmd writes (see :mod:`xltools.excel.config`); nothing in a workbook overrides it.
    """
    return [("UDF Modules", DEFAULT_UDF_MODULE), ("Show Console", "False")]


def sheet_title(name: str, taken: set[str], fallback: str) -> str:
    """A valid, unique sheet name (≤ 31 characters, none of ``[]:*?/\\``).

    >>> sheet_title("访惠聚经费", set(), "自评表1")
    '访惠聚经费'
    >>> sheet_title("a/b", {"a_b"}, "x")
    'a_b (2)'
    """
    base = _BAD_SHEET_CHARS.sub("_", name).strip().strip("'")[:31] or fallback
    title, n = base, 2
    while title.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    return title


def write_config(ws, *, addin: bool) -> None:
    for row, (key, value) in enumerate(config_rows(addin=addin), start=1):
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=value)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 60


def write_guide(ws, *, sample: bool = False) -> None:
    """The 说明 sheet: how to use the workbook, in Chinese."""
    bold, title = Font(name="宋体", size=11, bold=True), Font(name="宋体", size=16, bold=True)
    normal = Font(name="宋体", size=11)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 40
    lines: list[tuple[str, ...] | str] = [
        ("xltools 项目支出绩效自评工具",),
        "",
        ("一、使用方法",),
        "1. 在“自评表”工作表中按财政部附件1格式填写（可用功能区“新建项目表”增加项目表）。",
        "2. 执行率、预算执行得分和总分已设好公式，不需要 Python 也会自动计算。",
        "3. 功能区“绩效自评”选项卡中的按钮和 XT_ 函数需要先运行 xltools 安装包中的“安装.cmd”（不需要管理员权限）。",
        "4. 打开文件时如提示“宏已被阻止”，请关闭文件，右键文件 → 属性 → 勾选“解除锁定”后重新打开。",
        "",
        ("二、功能区按钮（选项卡：绩效自评）", "作用"),
        *BUTTONS,
        "",
        ("三、工作表函数（需要 Python）", "返回", "示例"),
        *UDFS,
        "",
        ("四、结果写在哪里",),
        "重算结果写在每张表右侧空白处的“复核得分”列；校验问题标色并加批注，同时列在“问题清单”工作表；汇总生成单独的部门汇总工作簿（部门汇总_日期.xlsx）。",
        "所有标记都可用“清除标记”一键去掉，您填写的内容不会被改动。",
        "",
        ("五、WPS 用户",),
        "WPS 不支持 xlwings，按钮和 XT_ 函数在 WPS 中不可用（公式计算仍可用）。请在命令行使用：",
        "xltools check 自评表.xlsx        （重算并校验，输出报告）",
        "xltools consolidate 文件夹 -o 部门汇总.xlsx   （汇总）",
    ]
    if sample:
        lines[1] = "本工作簿为示例：昌吉州党委宣传部 2020 年度六个项目的自评表，保留填报单位原填数值。"
    row = 1
    for line in lines:
        cells = (line,) if isinstance(line, str) else line
        for col, text in enumerate(cells, start=1):
            c = ws.cell(row=row, column=col, value=text or None)
            c.alignment = wrap
            c.font = normal
        if isinstance(line, tuple) and len(line) in (1, 2, 3) and line[0].startswith(("一", "二", "三", "四", "五")):
            for col in range(1, len(line) + 1):
                ws.cell(row=row, column=col).font = bold
                ws.cell(row=row, column=col).fill = head_fill
        if row == 1:
            ws.cell(row=1, column=1).font = title
        row += 1
    ws.sheet_view.showGridLines = False


def workbook(forms: list[Form] | None, *, sample: bool = False, formulas=True) -> Workbook:
    """The template (``forms=None``: one empty 自评表) or a workbook with one sheet per form."""
    wb = Workbook()
    wb.code_name = "ThisWorkbook"
    guide = wb.active
    guide.title = GUIDE_SHEET
    guide.sheet_properties.codeName = "shtGuide"
    write_guide(guide, sample=sample)
    taken = {GUIDE_SHEET, CONFIG_SHEET}
    entries = forms if forms else [None]
    first_form = None
    for n, form in enumerate(entries, start=1):
        name = FORM_SHEET if form is None else sheet_title(form.project_name, taken, f"{FORM_SHEET}{n}")
        taken.add(name)
        ws = wb.create_sheet(name)
        ws.sheet_properties.codeName = f"shtForm{n}"
        write_form_sheet(ws, form, formulas=formulas)
        first_form = first_form or ws
    conf = wb.create_sheet(CONFIG_SHEET)
    conf.sheet_properties.codeName = "shtConfig"
    write_config(conf, addin=False)
    conf.sheet_state = "hidden"
    wb.active = wb.sheetnames.index(first_form.title)
    guide.sheet_view.tabSelected = False
    return wb


def addin_workbook() -> Workbook:
    """The add-in's one sheet: its ``xltools.conf`` settings (an add-in's sheets are never shown)."""
    wb = Workbook()
    wb.code_name = "ThisWorkbook"
    ws = wb.active
    ws.title = ADDIN_CONFIG_SHEET
    ws.sheet_properties.codeName = "shtConfig"
    write_config(ws, addin=True)
    return wb
