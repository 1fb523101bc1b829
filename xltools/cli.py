"""The ``xltools`` command: ``check``, ``consolidate`` and ``template build``.

Each subcommand lives in ``xltools.commands.<name>`` with two functions: ``add_arguments(parser)``
and ``run(args) -> int`` (the exit code). This module only wires them together, makes sure the
console speaks UTF-8, and turns any unexpected error into one Chinese line instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "check": ("重算并校验绩效自评表，输出报告", "xltools.commands.check"),
    "consolidate": ("汇总多个自评表，生成部门汇总工作簿", "xltools.commands.consolidate"),
    "template": ("生成 Excel 模板、加载项和示例工作簿", "xltools.commands.template"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xltools",
        description="项目支出绩效自评表：重算、校验与部门汇总",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令")
    for name, (help_text, module_name) in COMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def _utf8_console() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass


def main(argv: list[str] | None = None) -> int:
    _utf8_console()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_module", None):
        parser.print_help()
        return 2
    try:
        return int(args._module.run(args))
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except Exception as exc:  # last line of defence: one Chinese line, never a traceback
        print(f"错误：程序内部错误（{type(exc).__name__}: {exc}）。请把这一行报告给开发者。", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
