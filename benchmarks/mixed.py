"""Memory and time of ``xltools consolidate`` on a mixed set: the six sample files of
``workbooks/samples`` (four provinces' workbooks, the seed workbook and its Word document)
copied until there are N files.

Reports the wall time, the peak memory of the largest process (``ru_maxrss`` of
``RUSAGE_CHILDREN`` in a small wrapper around the command: the main process or a worker), the
peak of each process (``VmHWM`` of the main process and of each worker, read every 50 ms from
``/proc``) and the peak of the whole process tree (the sum of the resident sizes of the command
and its workers, sampled at the same times); the last two on Linux only, else not shown.

Usage::

    .venv/bin/python benchmarks/mixed.py                # N = 2000 and 10000
    .venv/bin/python benchmarks/mixed.py 5000 --workers 2

Targets: the largest process < 500 MB at N = 5000; from 2,000 to 10,000 files it grows by
≤ 10 %.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from consolidate import MAXRSS_WRAPPER  # this folder's speed benchmark

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "workbooks" / "samples"


def make_set(folder: Path, n: int) -> int:
    """``n`` files: the samples copied round-robin into sub-folders of 500 (hard links where
    the file system allows, so the set costs no space)."""
    samples = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".xlsx", ".docx"))
    for i in range(n):
        src = samples[i % len(samples)]
        sub = folder / f"单位{i // 500:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        dst = sub / f"{i:05d}_{src.name}"
        try:
            os.link(src, dst)
        except OSError:
            shutil.copyfile(src, dst)
    return n


def _tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(p for p, pp in parents.items() if pp == pid)
    return out


def _status_kb(pid: int, field: str = "VmRSS") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(folder: Path, out: Path, workers: int | None
        ) -> tuple[float, float, float | None, str, dict[str, float]]:
    """Wall time, largest-process peak (MB), process-tree peak (MB), the summary line and the
    peak of each process (MB: ``main``, ``worker 1`` …)."""
    cmd = [sys.executable, "-m", "xltools", "consolidate", str(folder), "-o", str(out)]
    if workers:
        cmd += ["--workers", str(workers)]
    linux = Path("/proc/self/status").exists()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", MAXRSS_WRAPPER, *cmd], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    tree_peak = 0
    peaks: dict[int, int] = {}  # pid → its VmHWM (peak resident size), as last read
    main_pid = None  # the command itself: the wrapper's only child
    if linux:
        while proc.poll() is None:
            pids = [p for p in _tree(proc.pid) if p != proc.pid]
            if main_pid is None and pids:
                main_pid = pids[0]
            tree_peak = max(tree_peak, sum(_status_kb(p) for p in pids))
            for p in pids:
                peaks[p] = max(peaks.get(p, 0), _status_kb(p, "VmHWM"))
            time.sleep(0.05)
    stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"consolidate failed ({proc.returncode}):\n{stderr[-2000:]}")
    peak_kb = int(stderr.rsplit("MAXRSS", 1)[1].split()[0])
    each = {"main": peaks.pop(main_pid) / 1024} if main_pid in peaks else {}
    each.update((f"worker {i}", kb / 1024) for i, kb in enumerate(peaks.values(), 1))
    return elapsed, peak_kb / 1024, (tree_peak / 1024 if linux else None), \
        stdout.strip().splitlines()[-1], each


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, help="numbers of files (default 2000 10000)")
    parser.add_argument("--workers", type=int, default=None, help="passed to consolidate")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")
    peaks = {}
    for n in args.sizes or [2000, 10000]:
        tmp = Path(tempfile.mkdtemp(prefix=f"xltools-mixed-{n}-"))
        try:
            make_set(tmp / "forms", n)
            t, largest, tree, line, each = run(tmp / "forms", tmp / "部门汇总.xlsx", args.workers)
            peaks[n] = largest
            tree_text = f"{tree:6.0f} MB" if tree is not None else "   n/a"
            print(f"N = {n:6d}: {t:7.2f} s  {1000 * t / n:6.2f} ms/file  largest process "
                  f"{largest:6.0f} MB  process tree {tree_text}  "
                  f"{'< 500 MB' if largest < 500 else 'OVER 500 MB'}")
            if each:
                print("           peak per process: " +
                      ", ".join(f"{name} {mb:.0f} MB" for name, mb in each.items()))
            print(f"           {line}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if len(peaks) >= 2:
        lo, hi = min(peaks), max(peaks)
        growth = peaks[hi] / peaks[lo] - 1
        print(f"growth of the largest process from {lo} to {hi} files: {100 * growth:+.1f} % "
              f"({'≤ 10 %' if growth <= 0.10 else 'OVER 10 %'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
