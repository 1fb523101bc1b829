"""The batch pipeline: read and score many files, one unreadable file never stops the batch.

``check_files`` expands folders (recursively), reads every form of every file, scores each form
with the engine and returns a :class:`Report` that keeps the input order: files in the order
``iter_input_files`` yields them, forms in sheet/position order inside each file.

Files are read in reading processes of our own (``_read_in_workers``), whose death is caught: a
native library that aborts costs the one file it was reading (READER_CRASHED). One worker for a
small batch (on Linux even a single file is read in a forked child; ``XLTOOLS_IN_PROCESS=1`` reads
in this process), several from ``POOL_THRESHOLD`` files on, each task a chunk of up to
``CHUNK_SIZE`` files; a task returns only the scored results and findings, never grids.
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


def _refused(path: str, reason: str, code: str) -> Finding:
    """READ_FAILED, or FILE_TOO_LARGE for a file over one of the readers' limits."""
    if code == "FILE_TOO_LARGE":
        return Finding("FILE_TOO_LARGE", "error", reason, location=Source(path, "", ""))
    return read_failed(path, reason)


def reader_crashed(path: str) -> FileReport:
    """The report of a file whose reading process died (a native library aborted, or the file
    needed more memory than a reader may have)."""
    from .readers.files import displayable

    shown = displayable(str(path))
    reason = (f"无法读取“{displayable(Path(path).name)}”：读取该文件时读取程序异常退出"
              "（文件可能已损坏，或内容过大超出内存限制），已跳过该文件，其余文件照常处理。")
    return FileReport(shown, (), (Finding("READER_CRASHED", "error", reason,
                                          location=Source(shown, "", "")),), reason)


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
        code = getattr(exc, "code", "READ_FAILED")
        return FileReport(path_text, (), (_refused(path_text, reason, code),), reason)
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
    # a sheet or table that could not be read makes the file a failed one (counted, exit code)
    lost = [f.message for f in findings if f.code in ("SHEET_UNREADABLE", "SHEET_TOO_LARGE")]
    return FileReport(path_text, tuple(results), tuple(findings), lost[0] if lost else None)


# --- reading processes ---------------------------------------------------------------------------
#
# Files are read in worker processes whose death is caught: a native library that aborts
# (python-calamine on a huge allocation), a segfault or the memory limit costs the one file being
# read. Each worker takes one chunk at a time over its own pipe and writes the index of the file
# it is reading into a shared integer, so when it dies the parent knows the file: that file is
# reported READER_CRASHED, the chunk's other files go to a fresh worker.


def _become_worker(parent_pid: int, limits) -> None:
    """Set up a worker: it dies with its parent (Linux: the parent-death signal; elsewhere a
    thread that watches the parent), has a memory limit, leaves Ctrl-C to the parent (which stops
    the workers itself), and collects cycles between files (see :func:`_collect_after`: the
    parent may pause its own collector while it writes the summary, and a forked worker would
    inherit that)."""
    import gc
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    watched = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            watched = libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            watched = False
    if os.getppid() != parent_pid:  # the parent died before the signal was asked for
        os._exit(1)
    if not watched:
        import threading
        import time

        def watch() -> None:
            while True:
                time.sleep(1.0)
                if os.getppid() != parent_pid:
                    os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    _limit_memory(getattr(limits, "max_process_bytes", None) or 2 * 1024 ** 3)
    try:  # a native library dying prints its own English lines: the parent reports it in Chinese
        import faulthandler

        faulthandler.disable()
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 2)
        os.close(quiet)
    except OSError:
        pass
    gc.freeze()  # what the parent built before the fork is not scanned (nor copied) again
    gc.disable()  # collected by _worker_main between files instead (see there)


def _limit_memory(limit: int) -> None:
    """At most ``limit`` bytes of address space (never below what the process already uses)."""
    try:
        import resource
    except ImportError:  # Windows: no limit; the worker's death is still caught
        return
    try:
        with open("/proc/self/statm") as fh:
            used = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        used = 0
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = max(limit, used + 512 * 1024 * 1024)
        if hard != resource.RLIM_INFINITY:
            want = min(want, hard)
        if soft == resource.RLIM_INFINITY or soft > want:
            resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    except (ValueError, OSError, AttributeError):
        pass


_since_collect = 0
_young_collections = 0


def _collect_after(path: str) -> None:
    """The worker's cycle collection, between files: after every Word document (python-docx
    leaves its document in cycles, ≈ 6 MB each: measured flat at ≈ 41 MB over 300 documents,
    against 417 MB with the collector off and 440 MB with a lazy threshold) and after every
    64 other files. The automatic collector stays off: it would walk each form's many small
    objects again and again while they are alive (≈ 5 % of a worker's time). Between workbooks
    the younger generations only (what the last 64 files left), every 16th time all of them: a
    full collection walks the worker's caches each time (≈ 2 ms)."""
    global _since_collect, _young_collections
    import gc

    _since_collect += 1
    if str(path).lower().endswith(".docx") or (_since_collect >= 64 and _young_collections >= 15):
        _since_collect = _young_collections = 0
        gc.collect()
    elif _since_collect >= 64:
        _since_collect = 0
        _young_collections += 1
        gc.collect(1)


def _user_layouts():
    """The ``--layouts`` pack the workers must read with (``None``: the default pack)."""
    from .readers.layout_pack import user_pack

    return user_pack()


def _worker_main(conn, slot, parent_pid: int, pack, limits, fn, layouts=None) -> None:
    """A worker's loop: a chunk in, its reports (or ``fn`` of each) out, until told to stop.
    ``layouts``: the user's layout pack (``--layouts``), made active in the worker too (a forked
    worker has it already; a spawned one does not)."""
    _become_worker(parent_pid, limits)
    if layouts is not None:
        from .readers.layout_pack import use

        use(layouts)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            break  # the parent is gone
        if task is None:
            break
        key, paths = task
        out = []
        for k, path in enumerate(paths):
            slot.value = k
            report = process_file(path, pack, limits)
            out.append(fn(report) if fn else report)
            _collect_after(path)
        slot.value = len(paths)
        try:
            conn.send((key, out))
        except (OSError, ValueError):
            break
    conn.close()


class _Worker:
    """One reading process, its pipe, the index it is at and the task it holds."""

    def __init__(self, ctx, pack, limits, fn, layouts=None):
        self.conn, child = ctx.Pipe(duplex=True)
        self.slot = ctx.RawValue("i", -1)
        self.proc = ctx.Process(target=_worker_main, daemon=True,
                                args=(child, self.slot, os.getpid(), pack, limits, fn, layouts))
        self.proc.start()
        child.close()
        self.task: tuple | None = None

    def give(self, task) -> None:
        self.slot.value = -1
        self.task = task
        self.conn.send(task)

    def stop(self, wait: bool) -> None:
        if wait:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                pass
            self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.conn.close()


def _context():
    """``fork`` on Linux (workers start with the parent's modules, in milliseconds), else the
    platform's default (spawn: each worker imports what it needs)."""
    import multiprocessing
    import sys

    if sys.platform.startswith("linux"):  # macOS: fork is unsafe with its system libraries
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _read_in_workers(chunks: list[Sequence[str]], n_workers: int, pack, limits, fn,
                     progress: Progress | None, total: int) -> Iterator[Any]:
    """Every chunk's results in input order, read by ``n_workers`` worker processes; a worker
    that dies costs the one file it was reading (READER_CRASHED) and is replaced."""
    from collections import deque
    from multiprocessing.connection import wait

    ctx = _context()
    layouts = _user_layouts()
    pending = deque(((i, 0), list(chunk)) for i, chunk in enumerate(chunks))
    slots: list[list] = [[_MISSING] * len(chunk) for chunk in chunks]
    left = [len(chunk) for chunk in chunks]
    retried: set[tuple[int, int]] = set()
    workers = [_Worker(ctx, pack, limits, fn, layouts) for _ in range(min(n_workers, len(chunks)))]
    next_chunk = done = 0
    finished = False

    def fill(key: tuple[int, int], out: list) -> None:
        nonlocal done
        i, offset = key
        for k, value in enumerate(out):
            slots[i][offset + k] = value
        left[i] -= len(out)
        done += len(out)

    try:
        while next_chunk < len(chunks):
            for n, w in enumerate(workers):
                if w.task is None and pending:
                    task = pending.popleft()
                    try:
                        w.give(task)
                    except (OSError, ValueError):  # it died while idle (the OOM killer…)
                        w.stop(wait=False)
                        workers[n] = _Worker(ctx, pack, limits, fn, layouts)
                        workers[n].give(task)
            busy = [w for w in workers if w.task is not None]
            before = done
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy])
            for n, w in enumerate(workers):
                if w.task is None or (w.conn not in ready and w.proc.sentinel not in ready):
                    continue
                message = None
                try:
                    if w.conn.poll():
                        message = w.conn.recv()
                except (EOFError, OSError):
                    message = None
                if message is not None:
                    fill(*message)
                    w.task = None
                    continue
                # the worker died: the file it was at is the culprit, the others go again
                (i, offset), paths = w.task
                at = w.slot.value
                w.stop(wait=False)
                workers[n] = _Worker(ctx, pack, limits, fn, layouts)
                if 0 <= at < len(paths):
                    crashed = reader_crashed(paths[at])
                    fill((i, offset + at), [fn(crashed) if fn else crashed])
                    if at + 1 < len(paths):
                        pending.appendleft(((i, offset + at + 1), paths[at + 1:]))
                    if at:
                        pending.appendleft(((i, offset), paths[:at]))
                elif (i, offset) not in retried:  # died between files: once more
                    retried.add((i, offset))
                    pending.appendleft(((i, offset), paths))
                else:
                    fill((i, offset), [fn(r) if fn else r for r in map(reader_crashed, paths)])
            if progress and done != before:
                progress(done, total)
            while next_chunk < len(chunks) and left[next_chunk] == 0:
                yield from slots[next_chunk]
                slots[next_chunk] = []
                next_chunk += 1
        finished = True
    finally:  # early exit (the consumer failed, Ctrl-C): stop the workers at once
        for w in workers:
            w.stop(wait=finished)


_MISSING = object()


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
    if n_workers == 1 and not in_child_process():
        for i, path in enumerate(files, 1):  # no fork here: read in this process
            report = process_file(path, pack, limits)
            if progress:
                progress(i, total)
            yield fn(report) if fn else report
        return

    # one worker: a file per task for a small batch (progress per file), else whole chunks
    step = max(1, chunk_size) if total >= POOL_THRESHOLD else 1
    chunks = _chunks(files, max(1, chunk_size), n_workers) if n_workers > 1 else \
        [files[i:i + step] for i in range(0, total, step)]
    preload_worker_modules()  # before the fork: paid once, not once per worker
    yield from _read_in_workers(chunks, n_workers, pack, limits, fn, progress, total)


def in_child_process() -> bool:
    """Read even a single-process batch in a child process (so that a crash in a reader never
    ends this one)? Yes on Linux, where a worker forks in milliseconds; elsewhere it would
    import everything again, and the guards alone protect a small batch. ``XLTOOLS_IN_PROCESS=1``
    reads in this process (for debugging a reader)."""
    import sys

    return sys.platform.startswith("linux") and os.environ.get("XLTOOLS_IN_PROCESS") != "1"
