"""The batch pipeline: read and score many files, one unreadable file never stops the batch.

``check_files`` expands folders (recursively), reads every form of every file, scores each form
with the engine and returns a :class:`Report` that keeps the input order: files in the order
``iter_input_files`` yields them, forms in sheet/position order inside each file.

Small batches run in this process (a single file must stay fast: no pool start-up). From
``POOL_THRESHOLD`` files on, a ``ProcessPoolExecutor`` with one task per chunk of ``CHUNK_SIZE``
files does the work; a task returns only the scored results and findings, never grids.
``map_files`` applies a function to each file's report inside the worker; ``iter_files`` is the
same as an iterator that yields results in input order while later chunks are still running
(the consolidate command writes the summary meanwhile).

Example::

    >>> report = check_files(["2020年自评表/"])            # doctest: +SKIP
    >>> len(report.results), len(report.failed_files)       # doctest: +SKIP
    (6, 1)
    >>> report.failed_files[0].error                        # doctest: +SKIP
    '无法读取文件 坏文件.xlsx：不是有效的 Excel 工作簿'
    >>> report.findings[0].code                             # doctest: +SKIP
    'READ_FAILED'
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from .core.model import Finding, FormResult, Source

POOL_THRESHOLD = 32  # fewer files than this: no process pool
CHUNK_SIZE = 32  # files per pool task

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class FileReport:
    """What became of one input file: its scored forms, file-level findings, or the error."""

    path: str
    results: tuple[FormResult, ...] = ()
    findings: tuple[Finding, ...] = ()  # file-level: READ_FAILED, NO_FORM, …
    error: str | None = None  # one Chinese line when the file could not be read at all


@dataclass(frozen=True)
class Report:
    """The outcome of a batch, in input order."""

    files: tuple[FileReport, ...]

    @property
    def results(self) -> list[FormResult]:
        """Every form, in file order then sheet/position order."""
        return [result for file in self.files for result in file.results]

    @property
    def batch_findings(self) -> list[Finding]:
        """Findings across files: the same project filed twice (DUPLICATE_FORM)."""
        return [finding for finding, _ in self.batch_findings_with_paths]

    @property
    def batch_findings_with_paths(self) -> list[tuple[Finding, str]]:
        """:attr:`batch_findings`, each with the path of the file it is about."""
        from .core.batch import batch_entry, tagged_duplicate_findings

        entries = ((*batch_entry(r), f.path) for f in self.files for r in f.results)
        return tagged_duplicate_findings(entries)

    @property
    def findings(self) -> list[Finding]:
        """File-level, batch and every form's findings, sorted by severity (stable)."""
        found = [f for file in self.files for f in file.findings]
        found += [f for result in self.results for f in result.findings]
        found += self.batch_findings
        return sorted(found, key=Finding.sort_key)

    @property
    def failed_files(self) -> list[FileReport]:
        return [file for file in self.files if file.error is not None]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


def read_failed(path: str | Path, reason: str) -> Finding:
    """The file-level finding for a file that could not be read."""
    return Finding(code="READ_FAILED", severity="error", message=reason,
                   location=Source(str(path), "", ""))


def _unexpected(path: str | Path, stage: str, exc: BaseException) -> str:
    name = Path(path).name
    return f"{stage}文件 {name} 时出现意外错误（{type(exc).__name__}: {exc}），已跳过该文件。"


def process_file(path: str | Path, pack=None, limits=None) -> FileReport:
    """Read and score one file; never raises for anything the file contains.

    >>> process_file("不存在.xlsx").error                     # doctest: +SKIP
    '无法读取文件 不存在.xlsx：文件不存在'
    """
    from .core.engine import evaluate, is_blank
    from .readers.files import ReadError, displayable, read_forms

    path_text = displayable(str(path))  # what the report shows; the file is read by its own path
    try:
        name = displayable(Path(path).name)
        outcome = read_forms(Path(path), limits, name) if limits is not None else \
            read_forms(Path(path), name=name)
    except ReadError as exc:
        reason = getattr(exc, "reason", None) or (exc.args[0] if exc.args else str(exc))
        return FileReport(path_text, (), (read_failed(path_text, reason),), reason)
    except Exception as exc:  # a reader bug must not stop the batch
        reason = _unexpected(path_text, "读取", exc)
        return FileReport(path_text, (), (read_failed(path_text, reason),), reason)

    results: list[FormResult] = []
    findings: list[Finding] = list(outcome.findings)
    for form in outcome.forms:
        try:
            result = evaluate(form, pack)
            if is_blank(form):  # an unfilled template sheet: say so, but it is not a project
                findings.extend(result.findings)
            else:
                results.append(result)
        except Exception as exc:  # an engine bug: report the form, keep going
            reason = _unexpected(path_text, "评分", exc)
            loc = form.source if form.source is not None else Source(path_text, "", "")
            findings.append(Finding(code="READ_FAILED", severity="error", message=reason,
                                    project=form.project_name, location=loc))
    return FileReport(path_text, tuple(results), tuple(findings), None)


# --- process pool -------------------------------------------------------------------------------

_WORKER_PACK = None
_WORKER_LIMITS = None


def _init_worker(pack, limits, layouts=None) -> None:
    """A pool worker: the rule pack and limits, and Ctrl-C left to the main process (which
    cancels the chunks not started and waits for the running ones; a worker interrupted while
    handing back its result could leave the pool waiting on a lock for ever). ``layouts``: the
    user's layout pack (``--layouts``), made active in the worker too."""
    global _WORKER_PACK, _WORKER_LIMITS
    _WORKER_PACK, _WORKER_LIMITS = pack, limits
    if layouts is not None:
        from .readers.layout_pack import use

        use(layouts)
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _user_layouts():
    """The ``--layouts`` pack the workers must read with (``None``: the default pack)."""
    from .readers.layout_pack import user_pack

    return user_pack()


def _process_chunk(paths: Sequence[str], fn: Callable[[FileReport], Any] | None = None) -> list:
    reports = (process_file(p, _WORKER_PACK, _WORKER_LIMITS) for p in paths)
    return [fn(r) if fn else r for r in reports]


def _chunks(items: Sequence[str], size: int, workers: int = 1) -> list[Sequence[str]]:
    """``items`` in chunks of ``size``, the last ``2 × workers`` chunks' worth cut four times
    finer: the pool's last tasks are short, so no worker idles long while another finishes.

    >>> [len(c) for c in _chunks(list(range(100)), 16, workers=2)]
    [16, 16, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]
    """
    tail = min(len(items), 2 * workers * size) if workers > 1 else 0
    head = len(items) - tail
    fine = max(1, size // 4)
    return ([items[i:min(i + size, head)] for i in range(0, head, size)] +
            [items[i:i + fine] for i in range(head, len(items), fine)])


def default_workers(n_files: int) -> int:
    """Automatic worker count: 1 below ``POOL_THRESHOLD`` files, else the CPU count."""
    if n_files < POOL_THRESHOLD:
        return 1
    return max(1, min(os.cpu_count() or 1, (n_files + CHUNK_SIZE - 1) // CHUNK_SIZE))


class ExpandedPaths(list):
    """The result of :func:`expand_paths`. Expanding it again gives the same list, so while it
    is unchanged :func:`expand_paths` returns a copy at once (the consolidate command expands
    its inputs, then hands them to :func:`map_files`: no second walk and ``resolve`` of 10,000
    paths)."""

    def __init__(self, items: Iterable[str] = ()):
        super().__init__(items)
        self.snapshot = tuple(self)

    def unchanged(self) -> bool:
        return tuple(self) == self.snapshot


def expand_paths(paths: Iterable[str | Path]) -> list[str]:
    """Input files in order: folders are searched recursively; a missing path is kept so that
    reading it reports it as a READ_FAILED file instead of dropping it silently."""
    from .readers.files import input_file_names

    if isinstance(paths, ExpandedPaths) and paths.unchanged():
        return ExpandedPaths(paths)
    return ExpandedPaths(input_file_names(paths))


def check_files(paths: Iterable[str | Path], pack=None, *, workers: int | None = None,
                limits=None, progress: Progress | None = None,
                chunk_size: int = CHUNK_SIZE) -> Report:
    """Read and score every form in ``paths`` (files or folders).

    ``pack`` is a RulePack (``None``: the national default, loaded once here). ``workers=None``
    chooses automatically (see :func:`default_workers`); ``workers=1`` never starts a pool;
    ``workers>=2`` always does. ``progress(done, total)`` is called as files complete.
    """
    return Report(tuple(map_files(paths, None, pack, workers=workers, limits=limits,
                                  progress=progress, chunk_size=chunk_size)))


def map_files(paths: Iterable[str | Path], fn: Callable[[FileReport], Any] | None, pack=None, *,
              workers: int | None = None, limits=None, progress: Progress | None = None,
              chunk_size: int = CHUNK_SIZE) -> list:
    """Like :func:`check_files`, but apply ``fn`` to each :class:`FileReport` where it was made
    (in the worker process) and return the list of ``fn``'s results, in input order.

    ``fn`` must be picklable (a module-level function or a ``functools.partial`` of one). The
    consolidate command passes a function that turns a file's results into summary rows, so
    workers send back small tuples instead of whole forms (unpickling every form in the parent
    would be serial work). :func:`iter_files` is the same as an iterator.
    """
    return list(iter_files(paths, fn, pack, workers=workers, limits=limits, progress=progress,
                           chunk_size=chunk_size))


def preload_worker_modules() -> None:
    """Import what every worker needs (reader, locator, engine, python-calamine) in this
    process, so that forked workers start with them instead of each importing them again."""
    import html  # noqa: F401  (the Excel reader's, imported on first use)

    from .core import engine  # noqa: F401
    from .readers import excel, files  # noqa: F401

    try:
        import python_calamine  # noqa: F401
    except ImportError:  # the reader reports it per file
        pass


def iter_files(paths: Iterable[str | Path], fn: Callable[[FileReport], Any] | None, pack=None, *,
               workers: int | None = None, limits=None, progress: Progress | None = None,
               chunk_size: int = CHUNK_SIZE) -> Iterator[Any]:
    """:func:`map_files` as an iterator: each file's ``fn(report)`` (or the report), in input
    order, as soon as the file's chunk and every earlier chunk are done — the consumer (the
    summary writer) works while the pool is still reading.

    ``progress(done, total)`` is called as chunks complete (before their results are yielded).
    Leaving the loop early cancels the chunks not started yet.

    >>> [r.path for r in iter_files(["a.xlsx", "b.xlsx"], None)]       # doctest: +SKIP
    ['a.xlsx', 'b.xlsx']
    """
    files = expand_paths(paths)
    if pack is None:
        from .core.rulepack import load_rulepack

        pack = load_rulepack()
    total = len(files)
    n_workers = default_workers(total) if workers is None else max(1, int(workers))
    if total == 0:
        return
    if n_workers == 1:
        for i, path in enumerate(files, 1):
            report = process_file(path, pack, limits)
            if progress:
                progress(i, total)
            yield fn(report) if fn else report
        return

    chunks = _chunks(files, max(1, chunk_size), n_workers)
    preload_worker_modules()  # before the fork: paid once, not once per worker
    done_chunks: dict[int, list] = {}
    next_chunk = done = 0
    pool = ProcessPoolExecutor(max_workers=min(n_workers, len(chunks)), initializer=_init_worker,
                               initargs=(pack, limits, _user_layouts()))
    finished = False
    try:
        futures = {pool.submit(_process_chunk, chunk, fn): i for i, chunk in enumerate(chunks)}
        for future in as_completed(futures):
            i = futures.pop(future)
            try:
                done_chunks[i] = future.result()
            except Exception as exc:  # a worker died: report its files, keep the rest
                lost = []
                for p in chunks[i]:
                    reason = _unexpected(p, "处理", exc)
                    report = FileReport(p, (), (read_failed(p, reason),), reason)
                    lost.append(fn(report) if fn else report)
                done_chunks[i] = lost
            done += len(chunks[i])
            if progress:
                progress(done, total)
            while next_chunk in done_chunks:
                yield from done_chunks.pop(next_chunk)
                next_chunk += 1
        finished = True
    finally:  # early exit (the consumer failed): do not wait for chunks nobody will read
        pool.shutdown(wait=True, cancel_futures=not finished)
