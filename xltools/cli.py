"""The ``xltools`` command: ``check``, ``consolidate``, ``report``, ``template build``, ``rules show``
and ``serve``.

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
    "report": ("根据自评表生成部门绩效自评报告初稿（Word）", "xltools.commands.report"),
    "template": ("生成 Excel 模板、加载项和示例工作簿", "xltools.commands.template"),
    "rules": ("显示规则包（可复制后修改）", "xltools.commands.rules"),
    "serve": ("启动本机网页（浏览器和 WPS 加载项使用）", "xltools.commands.serve"),
    "bundle": ("生成 Windows 离线安装包", "xltools.commands.bundle"),
    "inspect": ("显示每张自评表是怎样读取的（各栏取自哪个单元格、跳过了哪些行）", "xltools.commands.inspect"),
}


# argparse's own words (usage line, section titles, error messages) in Chinese: users see them.
ARGPARSE_CN = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的值",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "one of the arguments %s is required": "必须提供以下参数之一：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
}


def _chinese_argparse() -> None:
    """Have argparse speak Chinese: it looks its messages up through its module-level ``_``."""
    english = getattr(argparse, "_", None)
    if english is None or getattr(english, "xltools", False):
        return

    def translate(message: str) -> str:
        return ARGPARSE_CN.get(message, english(message))

    translate.xltools = True  # type: ignore[attr-defined]
    argparse._ = translate  # type: ignore[attr-defined]


def build_parser() -> argparse.ArgumentParser:
    _chinese_argparse()
    parser = argparse.ArgumentParser(
        prog="xltools",
        description="项目支出绩效自评表：重算、校验与部门汇总",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"xltools {__version__}",
                        help="显示版本号并退出")
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


def _silence_stdout() -> None:
    """Point stdout at the null device, so that flushing it at exit raises nothing more."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _stop_on_terminate() -> dict:
    """``kill``, ``timeout`` or a closed terminal (SIGTERM, SIGHUP) stop the command like Ctrl-C:
    the pool's workers are shut down and no temporary output is left behind. Returns the
    handlers replaced (restored when :func:`main` returns)."""
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt

    replaced = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            try:
                replaced[sig] = signal.signal(sig, stop)
            except (ValueError, OSError):  # not the main thread, or not allowed here
                pass
    return replaced


def main(argv: list[str] | None = None) -> int:
    import signal

    replaced = _stop_on_terminate()
    try:
        return _main(argv)
    finally:
        for sig, handler in replaced.items():
            signal.signal(sig, handler)


def _main(argv: list[str] | None) -> int:
    _utf8_console()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_module", None):
        parser.print_help()
        return 2
    try:
        code = int(args._module.run(args))
        sys.stdout.flush()  # here, not at exit: a full disk under stdout is reported below
        return code
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of our output went away (``| head -1``): not our error
        _silence_stdout()
        return 1
    except OSError as exc:
        import errno

        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS):
            print(f"错误：程序内部错误（{type(exc).__name__}: {exc}）。请把这一行报告给开发者。",
                  file=sys.stderr)
            return 2
        from .core.os_errors import os_reason

        _silence_stdout()  # what is still buffered cannot be written either
        print(f"错误：无法写出结果：{os_reason(exc)}。", file=sys.stderr)
        return 2
    except Exception as exc:  # last line of defence: one Chinese line, never a traceback
        print(f"错误：程序内部错误（{type(exc).__name__}: {exc}）。请把这一行报告给开发者。", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
