"""``xltools inspect PATH [--json] [--layouts FILE]``: how each form in a file was understood.

For every sheet (or Word table) it prints, in Chinese, which cell gave each role (项目名称,
主管部门…), the funds block's header columns and cells, every indicator row taken, every row
or block skipped with its reason, and for a sheet without a form the closest candidate and what
it lacks. This is what a user sends when a layout is not read. Nothing is scored or written.

    $ xltools inspect 某县自评表.xlsx
    文件：某县自评表.xlsx
    工作表“Sheet1”：找到 1 张表
      表 1（A1 起）：项目名称“农村饮水安全项目”
        项目名称：A3“项目名称” → B3“农村饮水安全项目”
        …

Exit codes: 0 — read (whether or not a form was found); 2 — the file cannot be read or the
layout file is bad.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="自评表文件或文件夹（.xlsx .xlsm .xls .docx）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    parser.add_argument("--layouts", metavar="FILE", help="表头配置文件（TOML，extends = \"default\"，[aliases] 增加表头文字）")


def use_layouts(path: str | None) -> str | None:
    """Make the ``--layouts`` pack active; the Chinese error message, or ``None`` when fine."""
    from ..readers.layout_pack import LayoutPackError, load_layout_pack, use

    if not path:
        use(None)
        return None
    try:
        use(load_layout_pack(path))
    except LayoutPackError as exc:
        return str(exc)
    return None


def inspect_file(path: str | Path) -> dict:
    """What the locator decided for one file, as a JSON-ready dict (see :func:`render`)."""
    from ..readers.files import ReadError, displayable, read_grids
    from ..readers.locate import join_split_tables, locate_forms
    from ..readers.trace import SheetTrace

    name = displayable(Path(path).name)
    try:
        grids = join_split_tables(read_grids(Path(path), name=name))
    except ReadError as exc:
        return {"file": name, "error": getattr(exc, "reason", None) or str(exc), "sheets": []}
    sheets = []
    for grid in grids:
        trace = SheetTrace(grid.sheet)
        try:
            forms, _ = locate_forms(grid, trace)
        except Exception as exc:  # noqa: BLE001 - inspect must show what it can
            trace.note(f"读取此表时出错（{type(exc).__name__}）。")
            forms = []
        sheets.append(_sheet(trace, forms))
    return {"file": name, "error": None, "sheets": sheets}


def _text(cell) -> str:
    return "" if cell is None or cell.is_empty else cell.text


def _addr(cell) -> str:
    return cell.source.cell if cell is not None and cell.source is not None else ""


def _sheet(trace, forms) -> dict:
    out = {"sheet": trace.sheet, "notes": list(trace.notes), "forms": []}
    for i, form in enumerate(forms):
        ft = trace.forms[i] if i < len(trace.forms) else None
        out["forms"].append(_form(ft, form))
    if not forms:
        out["closest"] = trace.candidate
        out["found"] = list(trace.found_parts)
        out["missing"] = list(trace.missing_parts)
    return out


_FUNDS_FIELDS = (("initial_budget", "年初预算数"), ("budget", "全年预算数"), ("executed", "全年执行数"),
                 ("weight", "分值"), ("rate", "执行率"), ("score", "得分"))
_ROW_KIND = {"total": "合计", "appropriation": "财政拨款", "carryover": "上年结转", "other": "其他资金"}


def _form(ft, form) -> dict:
    roles = [vars(r) for r in ft.roles] if ft else []
    funds = []
    for row in form.funds:
        cells = {cn: {"cell": _addr(getattr(row, f)), "value": _text(getattr(row, f))}
                 for f, cn in _FUNDS_FIELDS}
        funds.append({"label": row.label, "kind": _ROW_KIND.get(row.kind, row.kind),
                      "cell": row.source.cell if row.source else "", "cells": cells})
    rows = []
    for ind in form.indicators:
        rows.append({"cell": ind.source.cell if ind.source else "", "level1": ind.level1,
                     "level2": ind.level2, "name": ind.name, "target": _text(ind.target),
                     "actual": _text(ind.actual), "weight": _text(ind.weight),
                     "score": _text(ind.score)})
    return {
        "start": ft.start if ft else form.source.cell,
        "project": form.project_name,
        "year": _text(form.year),
        "money_unit": form.money_unit,
        "roles": roles,
        "funds_header": [vars(c) for c in ft.funds_header] if ft else [],
        "funds": funds,
        "indicator_header": [vars(c) for c in ft.indicator_header] if ft else [],
        "indicators": rows,
        "total": {"cell": _addr(form.reported_total), "value": _text(form.reported_total)},
        "grade": {"cell": _addr(form.reported_grade), "value": _text(form.reported_grade)},
        "skipped": [vars(s) for s in ft.skipped] if ft else [],
        "notes": list(ft.notes) if ft else [],
        "findings": [{"code": f.code, "message": f.message,
                      "cell": f.location.cell if f.location else ""} for f in form.read_findings],
    }


def render(doc: dict) -> list[str]:
    """The Chinese text of one file's :func:`inspect_file` result."""
    lines = [f"文件：{doc['file']}"]
    if doc["error"]:
        lines.append(f"  无法读取：{doc['error']}")
        return lines
    if not doc["sheets"]:
        lines.append("  文件中没有工作表或表格。")
    for sheet in doc["sheets"]:
        n = len(sheet["forms"])
        lines.append(f"工作表“{sheet['sheet']}”：" + (f"找到 {n} 张表" if n else "没有找到自评表"))
        for note in sheet["notes"]:
            lines.append(f"  · {note}")
        if not n:
            if sheet.get("closest"):
                lines.append(f"  最接近自评表的是 {sheet['closest']}。")
            elif "closest" in sheet:
                lines.append("  没有一行含有已知的表头文字（项目名称、预算数、三级指标……）。")
            if sheet.get("found"):
                lines.append(f"  已找到：{'、'.join(sheet['found'])}。")
            if sheet.get("missing"):
                lines.append(f"  缺少：{'、'.join(sheet['missing'])}。")
        for i, form in enumerate(sheet["forms"], 1):
            lines.extend(_render_form(i, form))
    return lines


def _render_form(i: int, form: dict) -> list[str]:
    lines = [f"  表 {i}（{form['start']} 起）：项目名称“{form['project'] or '（未找到）'}”"
             f"　年度 {form['year'] or '（未找到）'}　金额单位 {form['money_unit']}"]
    for note in form["notes"]:
        lines.append(f"    · {note}")
    for role in form["roles"]:
        value = f"{role['value_cell']}“{role['value']}”" if role["value_cell"] else role["value"]
        lines.append(f"    {role['role']}：{role['label_cell']}“{role['label']}” → {value}")
    if form["funds_header"]:
        cols = "；".join(f"{c['role']} = {c['label_cell']}“{c['label']}”（{c['value_cell']} 列）"
                        for c in form["funds_header"])
        lines.append(f"    项目资金表头：{cols}")
    if form["funds"]:
        lines.append("    项目资金：")
        for row in form["funds"]:
            cells = "，".join(f"{cn} {c['cell']}={c['value'] or '（空）'}" for cn, c in row["cells"].items()
                             if c["cell"])
            lines.append(f"      {row['cell']}“{row['label']}”（{row['kind']}）：{cells}")
    else:
        lines.append("    项目资金：未找到")
    if form["indicator_header"]:
        cols = "；".join(f"{c['role']} = {c['label_cell']}“{c['label']}”（{c['value_cell']} 列）"
                        for c in form["indicator_header"])
        lines.append(f"    绩效指标表头：{cols}")
    lines.append(f"    读取的指标行（{len(form['indicators'])} 行）：")
    for row in form["indicators"]:
        lines.append(f"      {row['cell']} {row['level1']} / {row['level2']} / {row['name']}："
                     f"指标值 {row['target'] or '（空）'}，完成值 {row['actual'] or '（空）'}，"
                     f"分值 {row['weight'] or '（空）'}，得分 {row['score'] or '（空）'}")
    if form["skipped"]:
        lines.append(f"    跳过的行（{len(form['skipped'])} 行）：")
        for s in form["skipped"]:
            lines.append(f"      {s['cell']}“{s['text']}”：{s['reason']}")
    total = form["total"]
    lines.append(f"    总分：{total['cell']} = {total['value']}" if total["value"] else "    总分：未找到")
    if form["grade"]["value"]:
        lines.append(f"    等级：{form['grade']['cell']} = {form['grade']['value']}")
    for f in form["findings"]:
        lines.append(f"    [{f['code']}] {f['message']}")
    return lines


def run(args: argparse.Namespace) -> int:
    from ..readers.files import iter_input_files

    problem = use_layouts(args.layouts)
    if problem:
        print(f"错误：{problem}", file=sys.stderr)
        return 2
    missing = [p for p in args.paths if not Path(p).exists()]
    files = list(iter_input_files([p for p in args.paths if Path(p).exists()]))
    for p in missing:
        print(f"错误：无法读取“{p}”：文件或文件夹不存在。", file=sys.stderr)
    if not files:
        if not missing:
            print("错误：没有找到可读取的自评表文件（支持 .xlsx .xlsm .xls .docx）。", file=sys.stderr)
        return 2
    docs = [inspect_file(f) for f in files]
    if args.json:
        json.dump({"files": docs}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for doc in docs:
            print("\n".join(render(doc)))
            print()
    failed = missing or any(d["error"] for d in docs)
    return 2 if failed else 0
