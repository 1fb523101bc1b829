"""``xltools consolidate PATH... -o OUT.xlsx``: the 部门汇总 workbook of many forms.

Exit codes: 0 — the summary was written (with or without findings); 2 — no input file was found,
no input could be read, the rules file is bad, or the output cannot be written (one Chinese line
on stderr). The output never replaces an input file.

Example::

    $ xltools consolidate 2020年自评表/ -o 部门汇总.xlsx
    已读取 6 个表单（6 个文件），失败文件 0 个，错误 3 条，警告 5 条；汇总已写入：部门汇总.xlsx
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import json
import sys
from pathlib import Path

BAR_MIN_FILES = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="自评表文件或文件夹（.xlsx .xlsm .xls .docx，文件夹递归查找）")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.xlsx", help="汇总工作簿的保存路径")
    parser.add_argument("--rules", metavar="FILE", help="规则包文件（TOML），默认使用全国规则包")
    parser.add_argument("--workers", type=int, default=None, metavar="N", help="并行进程数（默认自动）")
    parser.add_argument("--json", action="store_true", help="在标准输出打印 JSON 摘要")
    parser.add_argument("--max-file-mb", type=float, default=None, metavar="N",
                        help="单个文件的大小上限（MB），超过则跳过并报告")


def _without_output(files, given, out: Path):
    """The inputs less the output file when a folder search found it and it is a summary of an
    earlier run saved in the folder being summed up: it is replaced, not read. Any other file
    (a form) stays an input, and writing over it is refused."""
    import os

    from ..pipeline import ExpandedPaths

    from ..readers.files import is_summary_workbook

    target = os.path.realpath(out)
    named = {os.path.realpath(p) for p in given if os.path.isfile(p)}
    if target in named or not is_summary_workbook(out):
        return files  # a form of the folder, or named: writing over it is refused
    kept = [f for f in files if os.path.realpath(f) != target]
    return files if len(kept) == len(files) else ExpandedPaths(kept)


def _fail(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return 2


def make_limits(max_file_mb: float | None):
    """``Limits`` with the file-size cap replaced (``None`` keeps the readers' defaults)."""
    from ..readers.files import Limits

    if max_file_mb is None:
        return None
    limits = Limits()
    size = int(max_file_mb * 1024 * 1024)
    for name in ("max_file_bytes", "max_bytes", "max_file_size"):
        if any(f.name == name for f in dataclasses.fields(limits)):
            return dataclasses.replace(limits, **{name: size})
    return limits


@contextlib.contextmanager
def _no_gc():
    """The cyclic garbage collector paused while the summary is made: the writer keeps every
    form's row and finding (tuples and strings, no cycles) until it closes, and the collector
    would walk them again and again (≈ 0.1 s of the main process at 2,000 forms). Memory is
    still freed as usual, by reference counting."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Bar:
    """A rich progress bar on stderr, only for long runs on a terminal."""

    def __init__(self, total: int):
        self.progress = None
        if total >= BAR_MIN_FILES and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self.progress = Progress("正在汇总", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                     console=Console(file=sys.stderr), transient=True)
            self.task = self.progress.add_task("汇总", total=total)
            self.progress.start()

    def __call__(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.update(self.task, completed=done, total=total)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _quiet_unraisable() -> None:
    """A write that failed (a full disk) leaves XlsxWriter's ``ZipFile`` open; its ``__del__``
    tries to close it, fails again and prints a traceback after our one Chinese line. Errors
    of the operating system raised from a finaliser are not shown (any other still is)."""
    default = sys.unraisablehook

    def hook(unraisable) -> None:
        if isinstance(unraisable.exc_value, OSError):
            return
        default(unraisable)

    sys.unraisablehook = hook


def run(args: argparse.Namespace) -> int:
    from ..core.rulepack import RulePackError, load_rulepack
    from ..pipeline import expand_paths, iter_files
    from ..writers import rows as R
    from ..writers.atomic import OutputError
    from ..writers.summary_workbook import SummaryWriter

    _quiet_unraisable()
    try:
        pack = load_rulepack(args.rules)
    except RulePackError as exc:
        return _fail(str(exc.args[0]) if exc.args else str(exc))
    if args.workers is not None and args.workers < 1:
        return _fail("--workers 必须是正整数。")
    if args.max_file_mb is not None and not 0.01 <= args.max_file_mb <= 1_000_000:
        return _fail("--max-file-mb 必须是 0.01 到 1000000 之间的数（单位 MB）。")

    files = _without_output(expand_paths(args.paths), args.paths, Path(args.output))
    if not files:
        return _fail("没有找到可读取的自评表文件（支持 .xlsx .xlsm .xls .docx）。")
    out = Path(args.output)
    try:  # fails before the long part when the output would replace an input
        writer = SummaryWriter(out, pack=pack, inputs=files)
    except OutputError as exc:
        return _fail(str(exc.args[0]))

    try:
        with _no_gc(), writer:  # rows are written while the pool is still reading
            bar = _Bar(len(files))
            # workers hand back summary rows, not whole forms (see pipeline.map_files)
            render = writer.detail_renderer()  # workers render the 指标明细 rows
            fn = R.file_rows if render is None else functools.partial(R.file_rows, render=render)
            with contextlib.closing(iter_files(files, fn, pack, workers=args.workers,
                                               limits=make_limits(args.max_file_mb),
                                               progress=bar)) as per_file_rows:
                try:
                    for rows in per_file_rows:
                        writer.add(rows)
                finally:
                    bar.close()

            per_file = writer.files  # every file's share, without its indicator rows
            failed = [f for f in per_file if f.error is not None]
            for f in failed:
                print(f"错误：{f.error}", file=sys.stderr)
            n_forms = len(writer.form_rows)
            if not n_forms:
                writer.discard()
                if len(failed) == len(per_file):
                    return _fail("没有任何输入文件能够读取，未生成汇总。")
                return _fail("输入文件中没有找到任何自评表，未生成汇总。")
            # closing the writer adds the batch findings (the same project filed twice) to
            # per_file (its own list), so the counts below include them
    except OutputError as exc:
        return _fail(str(exc.args[0]))

    errors, warnings, infos = (sum(f.counts.get(k, 0) for f in per_file)
                               for k in ("error", "warning", "info"))
    line = (f"已读取 {n_forms} 个表单（{len(files)} 个文件），失败文件 {len(failed)} 个，"
            f"错误 {errors} 条，警告 {warnings} 条；汇总已写入：{out}")
    if args.json:
        headers = [c.header for c in R.FORM_COLUMNS]
        payload = {
            "output": str(out),
            "files": len(files),
            "forms": n_forms,
            "failed_files": [{"path": f.path, "reason": f.error} for f in failed],
            "errors": errors,
            "warnings": warnings,
            "infos": infos,
            "rows": [dict(zip(headers, map(R.display, row))) for row in writer.form_rows],
        }
        print(line, file=sys.stderr)
        _say(lambda: (json.dump(payload, sys.stdout, ensure_ascii=False, indent=2),
                      sys.stdout.write("\n")))
    else:
        _say(lambda: print(line))
    return 0  # the summary is written, whether or not anyone still reads stdout


def _say(write) -> None:
    """Write the closing output; a reader gone away (``| head -1``) does not undo the summary."""
    try:
        write()
        sys.stdout.flush()
    except BrokenPipeError:
        from ..cli import _silence_stdout

        _silence_stdout()
