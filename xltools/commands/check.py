"""``xltools check PATH... [--json] [--rules FILE]``: recompute and audit every form.

Exit codes: 0 — every form was read and no finding is an error; 1 — at least one error finding;
2 — an input could not be read (one Chinese line per file on stderr), no input was found, or the
rules file is bad. Nothing is written anywhere.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="自评表文件或文件夹（.xlsx .xlsm .xls .docx）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出（数字为字符串）")
    parser.add_argument("--rules", metavar="FILE", help="规则包文件（TOML），默认使用全国规则包")
    parser.add_argument("--layouts", metavar="FILE",
                        help="表头配置文件（TOML，extends = \"default\"，[aliases] 增加表头文字），见 docs/layouts.md")
    parser.add_argument("--workers", type=int, default=None, help="并行进程数（默认自动）")


def run(args: argparse.Namespace) -> int:
    from ..core.rulepack import RulePackError, load_rulepack
    from ..pipeline import check_files
    from ..readers.files import iter_input_files
    from ..writers.json_doc import to_json
    from .check_text import render_text

    try:
        pack = load_rulepack(args.rules)
    except RulePackError as exc:
        print(f"错误：{exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    from .inspect import use_layouts

    if problem := use_layouts(getattr(args, "layouts", None)):
        print(f"错误：{problem}", file=sys.stderr)
        return 2

    missing = []
    from pathlib import Path

    for raw in args.paths:
        if not Path(raw).exists():
            missing.append(f"无法读取“{raw}”：文件或文件夹不存在。")
    existing = [p for p in args.paths if Path(p).exists()]
    files = list(iter_input_files(existing)) if existing else []
    if not files and not missing:
        print("错误：没有找到可读取的自评表文件（支持 .xlsx .xlsm .xls .docx）。", file=sys.stderr)
        return 2

    report = check_files(files, pack, workers=args.workers) if files else None
    results = report.results if report else []
    findings = report.findings if report else []
    unreadable = list(missing) + [fr.error for fr in (report.failed_files if report else []) if fr.error]

    if args.json:
        json.dump(to_json(results, findings), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        from rich.console import Console

        console = Console(soft_wrap=True)
        render_text(results, findings, console)
        errors = sum(1 for f in findings if f.severity == "error")
        warnings = sum(1 for f in findings if f.severity == "warning")
        console.print()
        console.print(
            f"共检查 {len(files)} 个文件、{len(results)} 个表单：错误 {errors} 条，警告 {warnings} 条。",
            markup=False,
            highlight=False,
        )
    for line in unreadable:
        print(f"错误：{line}", file=sys.stderr)
    if unreadable:
        return 2
    return 1 if any(f.severity == "error" for f in findings) else 0
