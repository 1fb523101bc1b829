"""Speed of ``xltools check`` and ``check --json`` against ``xltools consolidate``, same files, one run.

Generates N workbooks with :func:`benchmarks.consolidate.generate` (the same seed-shaped national
forms), then runs each command as a subprocess (start-up counts), output to a file as a user
would redirect it, alternating the commands ``--rounds`` times and keeping each one's best:

* ``consolidate DIR -o OUT.xlsx``
* ``check DIR > report.txt``
* ``check --json DIR > report.json``

and prints ``check / consolidate`` and ``check --json / consolidate`` (target: each ≤ 1.2).

Usage::

    .venv/bin/python benchmarks/check.py             # N = 2000, 2 rounds
    .venv/bin/python benchmarks/check.py 200 --rounds 1
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from consolidate import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.2


def timed(cmd: list[str], stdout_path: Path) -> float:
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "xltools", *cmd], cwd=ROOT, stdout=out,
                              stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # check exits 1 when a form has an error finding
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr.decode()[-2000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=2000, help="number of files (default 2000)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each command (best kept)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")
    tmp = Path(tempfile.mkdtemp(prefix=f"xltools-bench-check-{args.n}-"))
    try:
        t0 = time.perf_counter()
        files = generate(tmp / "forms", args.n)
        print(f"N = {args.n}: generated {len(files)} files in {time.perf_counter() - t0:.1f} s")
        forms = str(tmp / "forms")
        commands = {
            "consolidate": (["consolidate", forms, "-o", str(tmp / "部门汇总.xlsx")], tmp / "consolidate.txt"),
            "check": (["check", forms], tmp / "report.txt"),
            "check --json": (["check", "--json", forms], tmp / "report.json"),
        }
        best = {name: float("inf") for name in commands}
        for _ in range(args.rounds):
            for name, (cmd, out) in commands.items():
                best[name] = min(best[name], timed(cmd, out))
        base = best["consolidate"]
        ok = True
        for name, seconds in best.items():
            size = commands[name][1].stat().st_size
            line = f"  {name:<13}: {seconds:7.2f} s  {1000 * seconds / args.n:6.2f} ms/file  stdout {size / 1e6:6.1f} MB"
            if name != "consolidate":
                ratio = seconds / base
                ok &= ratio <= TARGET
                line += f"  × consolidate = {ratio:.2f} (target ≤ {TARGET})"
            print(line)
        print("  → OK" if ok else "  → MISSED")
    finally:
        if args.keep:
            print(f"  kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
