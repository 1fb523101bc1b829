"""``xltools report PATH... -o 绩效自评报告.docx``: a draft 绩效自评报告 from the forms.

The forms are read and scored exactly as ``consolidate`` does; the draft's numbers are the
部门汇总's. Exit codes: 0 — the draft was written; 2 — no input, no form, a bad rules or wording
file, or the output cannot be written (one Chinese line on stderr).

Example::

    $ xltools report 2020年自评表/ -o out/绩效自评报告.docx
    已读取 6 个表单（6 个文件），失败文件 0 个；自评报告初稿已写入：out/绩效自评报告.docx
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="自评表文件或文件夹（.xlsx .xlsm .xls .docx，文件夹递归查找）")
    parser.add_argument("-o", "--output", metavar="OUT.docx", help="自评报告初稿的保存路径（.docx）")
    parser.add_argument("--rules", metavar="FILE", help="规则包文件（TOML），默认使用全国规则包")
    parser.add_argument("--department", metavar="NAME", help="部门名称（默认取自评表中的主管部门）")
    parser.add_argument("--year", metavar="YYYY", help="年度（默认取自评表中的年度）")
    parser.add_argument("--wording", metavar="FILE", help="措辞文件（TOML），默认使用内置措辞")
    parser.add_argument("--show-wording", action="store_true",
                        help="打印内置措辞文件（可复制修改后用 --wording 指定），不生成报告")
    parser.add_argument("--workers", type=int, default=None, metavar="N", help="并行进程数（默认自动）")


def _fail(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from ..core.rulepack import RulePackError, load_rulepack
    from ..pipeline import check_files, expand_paths
    from ..writers.report_draft import (OutputError, WordingError, default_wording_text,
                                        load_wording, write_report_docx)

    if args.show_wording:
        sys.stdout.write(default_wording_text())
        return 0
    if not args.paths or not args.output:
        return _fail("请给出自评表文件或文件夹，并用 -o 指定报告的保存路径，例如：xltools report 自评表/ -o 绩效自评报告.docx")
    if Path(args.output).suffix.lower() != ".docx":
        return _fail(f"报告须保存为 .docx 文件，而不是 {Path(args.output).name}。")
    if args.year is not None and not (args.year.isdigit() and len(args.year) == 4):
        return _fail(f"--year 应为四位年份（如 2020），而不是 {args.year}。")
    if args.workers is not None and args.workers < 1:
        return _fail("--workers 必须是正整数。")
    try:
        pack = load_rulepack(args.rules)
        wording = load_wording(args.wording)
    except (RulePackError, WordingError) as exc:
        return _fail(str(exc.args[0]) if exc.args else str(exc))
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        return _fail(f"文件或文件夹不存在：{'、'.join(missing)}")
    files = expand_paths(args.paths)
    if not files:
        return _fail("没有找到可读取的自评表文件（支持 .xlsx .xlsm .xls .docx）。")
    report = check_files(files, pack, workers=args.workers)
    for f in report.failed_files:
        print(f"错误：{f.error}", file=sys.stderr)
    if not report.results:
        return _fail("输入文件中没有找到任何自评表，未生成报告。")
    out = Path(args.output)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_report_docx(report, out, pack=pack, department=args.department, year=args.year,
                          wording=wording, inputs=files)
    except OutputError as exc:
        return _fail(str(exc.args[0]))
    except OSError as exc:
        from ..writers.atomic import os_reason

        return _fail(f"无法创建文件夹 {out.parent}：{os_reason(exc)}。")
    print(f"已读取 {len(report.results)} 个表单（{len(report.files)} 个文件），"
          f"失败文件 {len(report.failed_files)} 个；自评报告初稿已写入：{out}")
    return 0
