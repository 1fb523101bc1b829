"""``xltools check PATH... [--json] [--detail] [--rules FILE]``: recompute and audit every form.

The files go through the same pipeline as ``consolidate`` (:func:`xltools.pipeline.iter_files`:
a process pool for many files, results streamed in input order). Each worker turns its file's
report into finished text — the text blocks of :mod:`.check_text`, or the pieces of the JSON
document (:func:`xltools.writers.json_doc.nested_text`) — so the main process only writes
strings. A progress bar goes to stderr when stderr is a terminal.

Text: one block per form (funds line, totals, that form's findings); the indicator table with
``--detail`` or when there is a single form; a list layout unless stdout is a terminal at least
100 columns wide. A file that cannot be read is one ``错误：…`` line on stderr (not repeated on
stdout). JSON: every form and every finding, a file that cannot be read or does not exist
included as a ``READ_FAILED`` finding (and one line on stderr).

Exit codes: 0 — every form was read and no finding is an error; 1 — at least one error finding;
2 — an input could not be read or does not exist, no input was found, or the rules file is bad.
Nothing is written anywhere.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
from dataclasses import dataclass

from .check_text import WIDE, Style

SINGLE_MAX_FILES = 8  # up to this many files, a single form's indicator table is prepared


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="自评表文件或文件夹（.xlsx .xlsm .xls .docx）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出（数字为字符串）")
    parser.add_argument("--detail", action="store_true", help="每个表单都列出指标明细（只有一个表单时总会列出）")
    parser.add_argument("--rules", metavar="FILE", help="规则包文件（TOML），默认使用全国规则包")
    parser.add_argument("--layouts", metavar="FILE",
                        help="表头配置文件（TOML，extends = \"default\"，[aliases] 增加表头文字），见 docs/layouts.md")
    parser.add_argument("--workers", type=int, default=None, metavar="N", help="并行进程数（默认自动）")
    parser.add_argument("--max-file-mb", type=float, default=None, metavar="N",
                        help="单个文件的大小上限（MB），超过则跳过并报告")


@dataclass(frozen=True)
class CheckedFile:
    """One file's share of the report, made in a worker: finished strings, small to send back.

    ``forms``: each form's text block or JSON piece; ``detailed``: the text blocks with the
    indicator table, when asked for a possibly single form; ``findings``: ``(sort key, text)``
    — in text, the findings outside any form; in JSON, all of the file's findings;
    ``counts``: errors, warnings, infos among them (the reason a file cannot be read left out,
    it is ``error``); ``keys``: what the batch check (the same project twice) needs.
    """

    path: str
    forms: tuple[str, ...]
    detailed: tuple[str, ...]
    findings: tuple[tuple[tuple, str], ...]
    counts: tuple[int, int, int]
    keys: tuple
    error: str | None


def checked_file(report, as_json: bool, detail: str, style: Style) -> CheckedFile:
    """A :class:`~xltools.pipeline.FileReport` → :class:`CheckedFile` (runs in the worker).

    ``detail``: ``"yes"`` (every block with its indicator table), ``"no"``, or ``"single"``
    (blocks without, plus ``detailed`` blocks with the table, for when the run has one form).
    """
    from ..core.batch import batch_entry
    from . import check_text as T

    results = report.results
    file_level = [f for f in report.findings
                  if not (report.error is not None and f.message == report.error)]
    if as_json:
        from ..writers.json_doc import finding_to_json, form_to_json, nested_text

        forms = tuple(nested_text(form_to_json(r)) for r in results)
        every = list(report.findings) + [f for r in results for f in r.findings]
        found = tuple((f.sort_key(), nested_text(finding_to_json(f))) for f in every)
        detailed: tuple[str, ...] = ()
    else:
        forms = tuple(T.render_form(r, style, detail == "yes") for r in results)
        detailed = tuple(T.render_form(r, style, True) for r in results) if detail == "single" else ()
        every = file_level + [f for r in results for f in r.findings]
        found = tuple((f.sort_key(), T.finding_line(f, style)) for f in file_level)
    counts = tuple(sum(1 for f in every if f.severity == s) for s in ("error", "warning", "info"))
    keys = tuple(batch_entry(r) for r in results)
    return CheckedFile(report.path, forms, detailed, found, counts, keys, report.error)


def text_style() -> Style:
    """Layout for stdout: a terminal's width (tables from :data:`~.check_text.WIDE` columns)
    and colour, or 80 columns, lists and no colour when piped or saved."""
    if not sys.stdout.isatty():
        return Style()
    width = shutil.get_terminal_size((80, 24)).columns
    # colour as ANSI codes: not with NO_COLOR, nor in the old Windows console (no VT processing)
    colour = "NO_COLOR" not in os.environ and (os.name != "nt" or "WT_SESSION" in os.environ
                                                or "TERM" in os.environ)
    return Style(width=max(40, width), wide=width >= WIDE, colour=colour)


def missing_finding(path: str):
    from ..core.model import Finding, Source
    from ..inputs import PathNotFoundError

    return Finding(code="READ_FAILED", severity="error", message=PathNotFoundError(path).args[0],
                   location=Source(path, "", ""))


def run(args: argparse.Namespace) -> int:
    from ..core.batch import tagged_duplicate_findings
    from ..pipeline import expand_paths, iter_files
    from . import check_text as T
    from .consolidate import batch_options, make_limits
    from .progress import Bar

    pack, problem = batch_options(args)
    if problem is not None:
        return _fail(problem)

    missing = [p for p in args.paths if p and not os.path.exists(p)]
    files = expand_paths([p for p in args.paths if p not in missing])
    if not files and not missing:
        return _fail("没有找到可读取的自评表文件（支持 .xlsx .xlsm .xls .docx）。")

    style = Style() if args.json else text_style()
    detail = "yes" if args.detail else "single" if len(files) <= SINGLE_MAX_FILES else "no"
    fn = functools.partial(checked_file, as_json=args.json, detail=detail, style=style)
    bar = Bar(len(files), "正在校验")
    out = _Out(hold=bar.shown and sys.stdout.isatty())  # the bar and the report share a terminal

    missing_lines = [missing_finding(p).message for p in missing]
    unreadable: list[str] = []
    keys: list[tuple] = []
    other: list[tuple[tuple, str]] = []  # text: outside any form; JSON: every finding
    counts = [0, 0, 0]
    n_forms = 0

    def stream():
        """Each file's :class:`CheckedFile` in input order, its findings and counts noted."""
        nonlocal counts, n_forms
        for cf in iter_files(files, fn, pack, workers=args.workers,
                             limits=make_limits(args.max_file_mb), progress=bar):
            if cf.error is not None:
                unreadable.append(cf.error)
            keys.extend((*k, cf.path) for k in cf.keys)
            other.extend(cf.findings)
            counts = [a + b for a, b in zip(counts, cf.counts)]
            n_forms += len(cf.forms)
            yield cf

    def batch_findings():
        found = [f for f, _ in tagged_duplicate_findings(keys)]
        for f in found:
            counts[("error", "warning", "info").index(f.severity)] += 1
        return found

    try:
        if args.json:
            from ..writers.json_doc import document_parts, finding_to_json, nested_text

            def findings_json():  # after the last form: every finding, sorted
                extra = [missing_finding(path) for path in missing] + batch_findings()
                other.extend((f.sort_key(), nested_text(finding_to_json(f))) for f in extra)
                other.sort(key=lambda pair: pair[0])
                return (text for _, text in other)

            for part in document_parts((piece for cf in stream() for piece in cf.forms), findings_json):
                out.write(part)  # forms as they come: a 10,000-form document is never held
        else:
            pending: CheckedFile | None = None  # the first form waits, in case it is the only one
            for cf in stream():
                if detail == "single" and pending is None and n_forms == 1:
                    pending = cf  # its one form
                elif cf.forms:
                    if pending is not None:
                        out.blocks(pending.forms)
                        pending = None
                    out.blocks(cf.forms)
            if pending is not None:
                out.blocks(pending.detailed)
            other.extend((f.sort_key(), T.finding_line(f, style)) for f in batch_findings())
            if other:
                other.sort(key=lambda pair: pair[0])
                out.blocks(["\n".join([T.rule("其他问题", style)] + [text for _, text in other])])
    finally:
        bar.close()
    out.flush()
    for line in missing_lines + unreadable:
        print(f"错误：{line}", file=sys.stderr)
    if not args.json:
        n_unreadable = len(unreadable) + len(missing)
        tail = f"；无法读取 {n_unreadable} 个文件（原因见“错误：”行）" if n_unreadable else ""
        sys.stdout.write(f"{chr(10) if out.started else ''}共检查 {len(files) + len(missing)} 个文件、{n_forms} 个表单："
                         f"错误 {counts[0]} 条，警告 {counts[1]} 条，提示 {counts[2]} 条{tail}。\n")
        sys.stdout.flush()
    if unreadable or missing:
        return 2
    return 1 if counts[0] else 0


class _Out:
    """stdout, written as it comes, or held back while a progress bar shares the terminal."""

    def __init__(self, hold: bool):
        self.hold = hold
        self.parts: list[str] = []
        self.started = False

    def write(self, text: str) -> None:
        if self.hold:
            self.parts.append(text)
        else:
            sys.stdout.write(text)

    def blocks(self, blocks) -> None:
        for block in blocks:
            self.write(("\n" if self.started else "") + block + "\n")
            self.started = True

    def flush(self) -> None:
        if self.parts:
            sys.stdout.write("".join(self.parts))
            self.parts.clear()
        sys.stdout.flush()


def _fail(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return 2
