"""``xltools consolidate PATH... -o OUT.xlsx``: the 部门汇总 workbook of many forms.

Exit codes: 0 — the summary was written (with or without findings); 2 — no input file was found,
no input could be read, the rules file is bad, or the output cannot be written (one Chinese line
on stderr). The output never replaces an input file; missing folders above it are created (and
removed again when nothing is written).

``--json`` prints on stdout the counts, ``failed_files`` (``path``, ``code``, ``reason``), the
same files as ``READ_FAILED`` ``findings`` in the shape of ``check --json``, and one entry of
``rows`` per form keyed in English like ``check --json`` (:data:`ROW_KEYS`; numbers as strings).

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

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="自评表文件或文件夹（.xlsx .xlsm .xls .docx，文件夹递归查找）")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.xlsx", help="汇总工作簿的保存路径")
    parser.add_argument("--rules", metavar="FILE", help="规则包文件（TOML），默认使用全国规则包")
    parser.add_argument("--layouts", metavar="FILE",
                        help="表头配置文件（TOML，extends = \"default\"，[aliases] 增加表头文字），见 docs/layouts.md")
    parser.add_argument("--workers", type=int, default=None, metavar="N", help="并行进程数（默认自动）")
    parser.add_argument("--json", action="store_true", help="在标准输出打印 JSON 摘要")
    parser.add_argument("--max-file-mb", type=float, default=None, metavar="N",
                        help="单个文件的大小上限（MB），超过则跳过并报告")


# The keys of ``consolidate --json``'s rows: English snake_case like ``check --json`` (same names
# where the meaning is the same: project, department, year, budget, executed, execution_rate…).
ROW_KEYS = {
    "序号": "index", "项目名称": "project", "主管部门": "department", "实施单位": "implementing_unit",
    "年度": "year", "全年预算数": "budget", "全年执行数": "executed", "执行率": "execution_rate",
    "预算执行得分": "funds_score", "产出指标": "output_score", "效益指标": "outcome_score",
    "满意度指标": "satisfaction_score", "报告总分": "reported_total", "复核总分": "total",
    "等级": "grade", "错误数": "errors", "警告数": "warnings", "来源": "source",
}


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


def bad_max_file_mb(max_file_mb: float | None) -> str | None:
    """Why ``--max-file-mb`` cannot be used (one Chinese sentence), or ``None`` when it can."""
    if max_file_mb is not None and not 0.01 <= max_file_mb <= 1_000_000:
        return "--max-file-mb 必须是 0.01 到 1000000 之间的数（单位 MB）。"
    return None


def batch_options(args: argparse.Namespace):
    """The options ``check`` and ``consolidate`` share, checked: ``(rule pack, None)``, or
    ``(None, why)`` with one Chinese sentence. ``--layouts`` is made active on the way."""
    from ..core.rulepack import RulePackError, load_rulepack
    from .inspect import use_layouts

    try:
        pack = load_rulepack(args.rules)
    except RulePackError as exc:
        return None, str(exc.args[0]) if exc.args else str(exc)
    if problem := use_layouts(getattr(args, "layouts", None)):
        return None, problem
    if args.workers is not None and args.workers < 1:
        return None, "--workers 必须是正整数。"
    if (why := bad_max_file_mb(args.max_file_mb)) is not None:
        return None, why
    return pack, None


def make_limits(max_file_mb: float | None):
    """``Limits`` with the file-size cap replaced (``None`` keeps the readers' defaults). The
    bytes are rounded up, so that messages show the cap as given (``0.01`` MB, not 0.00999…)."""
    import math

    from ..readers.files import Limits

    if max_file_mb is None:
        return None
    limits = Limits()
    size = math.ceil(max_file_mb * 1024 * 1024)
    for name in ("max_file_bytes", "max_bytes", "max_file_size"):
        if any(f.name == name for f in dataclasses.fields(limits)):
            return dataclasses.replace(limits, **{name: size})
    return limits


@contextlib.contextmanager
def _no_gc():
    """The cyclic garbage collector paused while the summary is made: the rows coming from the
    pool are tuples and strings (no cycles), and the collector would walk them again and
    again (≈ 0.1 s of the main process at 2,000 forms, when the writer still kept every row).
    Memory is still freed as usual, by reference counting."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
    from ..pipeline import expand_paths
    from ..writers.atomic import OutputError

    _quiet_unraisable()
    pack, problem = batch_options(args)
    if problem is not None:
        return _fail(problem)

    files = _without_output(expand_paths(args.paths), args.paths, Path(args.output))
    if not files:
        return _fail("没有找到可读取的自评表文件（支持 .xlsx .xlsm .xls .docx）。")
    out = Path(args.output)
    try:
        created = make_parents(out)
    except OutputError as exc:
        return _fail(str(exc.args[0]))
    written = False
    try:
        with _no_gc():  # on again once the summary's rows are freed: nothing left to walk
            code = _consolidate(args, pack, files, out)
        written = code == 0
        return code
    finally:
        if not written:
            remove_empty(created)


def make_parents(out: Path) -> list[Path]:
    """Create the missing folders above ``out``; return those created (outermost first), so
    that a run which writes nothing can remove them again. Raises ``OutputError``."""
    from ..writers.atomic import OutputError

    missing = []
    parent = out.parent
    while not parent.exists() and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    missing.reverse()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        remove_empty(missing)
        raise OutputError(f"无法创建文件夹“{out.parent}”（{exc.strerror or exc}），未生成汇总。") from None
    return missing


def remove_empty(folders: list[Path]) -> None:
    """Remove the folders :func:`make_parents` created, innermost first, if still empty."""
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            return


def _consolidate(args: argparse.Namespace, pack, files, out: Path) -> int:
    from ..pipeline import iter_files
    from ..writers import rows as R
    from ..writers.atomic import OutputError
    from ..writers.summary_workbook import SummaryWriter
    from .progress import Bar

    try:  # fails before the long part when the output would replace an input
        writer = SummaryWriter(out, pack=pack, inputs=files, keep_form_rows=bool(args.json))
    except OutputError as exc:
        return _fail(str(exc.args[0]))

    try:
        with writer:  # rows are written while the pool is still reading (the collector paused: run)
            bar = Bar(len(files), "正在汇总")
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

            failed = list(writer.failed)  # (path, reason) of every file that failed
            for _path, reason in failed:
                print(f"错误：{reason}", file=sys.stderr)
            n_forms = writer.form_count
            if not n_forms:
                writer.discard()
                if len(failed) == writer.file_count:
                    return _fail("没有任何输入文件能够读取，未生成汇总。")
                return _fail("输入文件中没有找到任何自评表，未生成汇总。")
            # closing the writer adds the batch findings (the same project filed twice) to
            # its counts, so the counts below include them
    except OutputError as exc:
        return _fail(str(exc.args[0]))

    errors, warnings, infos = (writer.counts.get(k, 0) for k in ("error", "warning", "info"))
    line = (f"已读取 {n_forms} 个表单（{len(files)} 个文件），失败文件 {len(failed)} 个，"
            f"错误 {errors} 条，警告 {warnings} 条；汇总已写入：{out}")
    if args.json:
        from ..pipeline import read_failed
        from ..writers.json_doc import finding_to_json

        keys = [ROW_KEYS[c.header] for c in R.FORM_COLUMNS]
        payload = {
            "output": str(out),
            "files": len(files),
            "forms": n_forms,
            "failed_files": [{"path": path, "code": "READ_FAILED", "reason": reason}
                             for path, reason in failed],
            "errors": errors,
            "warnings": warnings,
            "infos": infos,
            "rows": [dict(zip(keys, map(R.display, row))) for row in writer.form_rows],
            "findings": [finding_to_json(read_failed(path, reason)) for path, reason in failed],
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
