"""The worksheets of the built workbooks (openpyxl): 说明, 自评表 and the xlwings config sheet.

Everything the user reads is Chinese; code names (what VBA sees) are ASCII.

The config sheet follows xlwings' rule: keys in column A from A1 down with no header row and no
gap, values in column B; keys are case-insensitive, ``%VARS%`` are expanded.

>>> [k for k, _ in config_rows(addin=False)]
['UDF Modules', 'Show Console']
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from ...core.model import Form
from ...writers.form_sheet import print_as_national_form, write_form_sheet
from ...writers.text_fit import fit_rows
from . import udf_wrappers
from .sources import ADDIN_PROJECT_NAME, ribbon_xml
from .udf_wrappers import DEFAULT_UDF_MODULE

GUIDE_SHEET = "说明"
FORM_SHEET = "自评表"
CONFIG_SHEET = "xlwings.conf"
ADDIN_CONFIG_SHEET = f"{ADDIN_PROJECT_NAME}.conf"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_CUSTOM_UI = "http://schemas.microsoft.com/office/2009/07/customui"

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


GUIDE_WIDTHS = {"A": 30, "B": 66}  # the two columns of the 说明 sheet; paragraphs span both
_GUIDE_FONT = "宋体"


def ribbon_buttons(bridge: Path | None = None) -> list[tuple[str, str, str]]:
    """``(group, label, what it does)`` of every ribbon button, read from customUI14.xml.

    >>> ("表单", "新建项目表") in [(g, label) for g, label, _ in ribbon_buttons()]
    True
    """
    root = ElementTree.fromstring(ribbon_xml(bridge))
    out = []
    for group in root.iter(f"{{{_CUSTOM_UI}}}group"):
        for button in group.iter(f"{{{_CUSTOM_UI}}}button"):
            what = button.get("supertip") or button.get("screentip") or ""
            out.append((group.get("label", ""), button.get("label", ""), what))
    return out


def udf_entries(module_name: str = DEFAULT_UDF_MODULE) -> list[tuple[str, str]]:
    """``(call, what it does)`` of every ``XT_`` worksheet function, from the UDF module itself:
    the argument names and the result from its ``@xw.arg``/``@xw.ret`` docs, what it computes
    from its docstring, an example from the module docstring's ``=XT_…  → …`` lines.

    >>> calls = dict(udf_entries())
    >>> calls["XT_GRADE(总分)"].splitlines()[0]
    '总分对应的评价等级（优 ≥ 90，良 ≥ 80，中 ≥ 60，差 < 60）。'
    """
    module, records = udf_wrappers.udf_records(module_name)
    examples: dict[str, str] = {}
    for line in (module.__doc__ or "").splitlines():
        line = line.strip()
        match = re.match(r"=(\w+)\(", line)
        if match and "→" in line and match.group(1) not in examples:
            line = re.sub(r"\s+\([ -~]*\)$", "", line)  # a developer's note in English
            examples[match.group(1)] = re.sub(r"\s{2,}", " ", line)
    out = []
    for rec in records:
        names = []
        for arg in rec["args"]:
            doc = arg.get("doc") or arg["name"]
            label = doc.split("：", 1)[0]
            optional = "（可选）" in label
            label = label.replace("（可选）", "")
            names.append(f"[{label}]" if optional else label)
        call = f"{rec['name']}({', '.join(names)})"
        lines = [rec["ret"].get("doc") or ""]
        result = rec["ret"].get("options", {}).get("doc")
        if result:
            lines.append(f"返回：{result}")
        if rec["name"] in examples:
            lines.append(f"例：{examples[rec['name']]}")
        out.append((call, "\n".join(line for line in lines if line)))
    return out


def guide_blocks(*, sample: bool = False, bridge: Path | None = None) -> list[tuple[str, ...]]:
    """The 说明 sheet as blocks: ``("title", text)``, ``("heading", text)``, ``("para", text)``,
    ``("table", left header, right header)`` followed by ``("row", left, right)`` rows."""
    from ..macros import ISSUES_SHEET, SCORE_HEADER, SUMMARY_PREFIX

    blocks: list[tuple[str, ...]] = [("title", "xltools 项目支出绩效自评工具 · 使用说明")]
    if sample:
        blocks.append(("para", "本工作簿为示例：昌吉州党委宣传部 2020 年度的项目支出绩效自评表，"
                               "每个项目一张工作表，保留填报单位原填的数值，只在原表没有填写的地方加了公式。"))
    blocks += [
        ("heading", "一、使用方法"),
        ("para", f"1. 在“{FORM_SHEET}”工作表中按财政部附件1格式填写。需要更多项目时，"
                 "点功能区“绩效自评”选项卡中的“新建项目表”，每个项目一张工作表。"),
        ("para", "2. 执行率、预算执行得分和总分已设好公式，不装 Python 也会自动计算。"),
        ("para", "3. 功能区中的按钮和下面的 XT_ 函数需要先运行 xltools 安装包中的“安装.cmd”（不需要管理员权限，见安装说明.txt）。"),
        ("para", "4. 打开文件时如提示“宏已被阻止”，请关闭文件，右键文件 → 属性 → 勾选“解除锁定”后重新打开。"),
        ("para", "5. 打印：每张自评表已设为 A4 纵向、缩放到一页宽、水平居中，标题行在每页重复，"
                 "直接打印即可。"),
        ("heading", "二、功能区按钮（选项卡：绩效自评）"),
        ("table", "按钮", "作用"),
        *[("row", f"{label}（{group}）", what) for group, label, what in ribbon_buttons(bridge)],
        ("heading", "三、工作表函数（需要 Python 和 xlwings）"),
        ("table", "函数", "作用、返回值和示例"),
        *[("row", call, what) for call, what in udf_entries()],
        ("heading", "四、结果写在哪里"),
        ("para", f"“重算得分”把复核得分写在每张表右侧的“{SCORE_HEADER}”列；“校验”把有问题的单元格标色、"
                 f"加批注，并列在“{ISSUES_SHEET}”工作表中（点击位置可跳转）。"),
        ("para", f"“汇总本工作簿”和“汇总文件夹”生成单独的汇总工作簿（{SUMMARY_PREFIX}日期.xlsx）。"),
        ("para", "所有标记都可用“清除标记”一键去掉，您填写的内容不会被改动。"),
        ("heading", "五、WPS 和 LibreOffice 用户"),
        ("para", "WPS 不支持 xlwings，按钮和 XT_ 函数在 WPS 中不可用（表中的公式照常计算）。"
                 "请在命令行使用同样的功能："),
        ("row", "xltools check 自评表.xlsx", "重算并校验，输出报告"),
        ("row", "xltools consolidate 文件夹 -o 部门汇总.xlsx", "汇总文件夹中的全部自评表"),
    ]
    return blocks


def write_guide(ws, *, sample: bool = False, bridge: Path | None = None) -> None:
    """The 说明 sheet: a page of help — a title, headings, wrapped paragraphs across the two
    columns, and two-column tables of the ribbon buttons and the ``XT_`` functions (generated
    from customUI14.xml and the UDF module, so they cannot drift). Every row is as tall as its
    wrapped text; it prints like the forms (A4 portrait, one page wide)."""
    font = Font(name=_GUIDE_FONT, size=11)
    fonts = {"title": Font(name=_GUIDE_FONT, size=16, bold=True),
             "heading": Font(name=_GUIDE_FONT, size=12, bold=True),
             "table": Font(name=_GUIDE_FONT, size=11, bold=True)}
    fill = PatternFill("solid", fgColor="DDEBF7")
    thin = Side(style="thin", color="A6A6A6")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    for letter, width in GUIDE_WIDTHS.items():
        ws.column_dimensions[letter].width = width
    row = 1
    for kind, *texts in guide_blocks(sample=sample, bridge=bridge):
        if kind == "heading" and row > 2:
            row += 1  # a blank line before each heading
        if kind in ("title", "heading", "para"):
            cell = ws.cell(row=row, column=1, value=texts[0])
            cell.font, cell.alignment = fonts.get(kind, font), wrap
            if kind == "heading":
                cell.fill = fill
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        else:
            for col, text in enumerate(texts, start=1):
                cell = ws.cell(row=row, column=col, value=text)
                cell.font, cell.alignment, cell.border = fonts.get(kind, font), wrap, box
                if kind == "table":
                    cell.fill = fill
        row += 1
    fit_rows(ws, 1, row - 1, minimum=18)
    ws.row_dimensions[1].height = max(ws.row_dimensions[1].height or 0, 30)
    ws.sheet_view.showGridLines = False
    print_as_national_form(ws, title_row=1)


def workbook(forms: list[Form] | None, *, sample: bool = False, formulas=True,
             bridge: Path | None = None) -> Workbook:
    """The template (``forms=None``: one empty 自评表) or a workbook with one sheet per form.
    ``bridge``: the folder of customUI14.xml, whose buttons the 说明 sheet lists."""
    wb = Workbook()
    wb.code_name = "ThisWorkbook"
    guide = wb.active
    guide.title = GUIDE_SHEET
    guide.sheet_properties.codeName = "shtGuide"
    write_guide(guide, sample=sample, bridge=bridge)
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
