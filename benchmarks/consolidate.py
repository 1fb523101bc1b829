"""Speed of ``xltools consolidate`` against a naive openpyxl loop and a python-calamine floor.

Generates N realistic single-form workbooks (national 附件1 layout on 9 columns, seed-shaped: 13–20 indicator rows incl. /-rows, ~30 merged
ranges, Chinese text, formulas with cached values, numbers varied per file) with XlsxWriter into a
temporary folder, then measures in one run:

* ``consolidate``: the whole ``python -m xltools consolidate DIR -o OUT.xlsx`` command as a
  subprocess (start-up, reading, scoring, writing the summary), with its peak memory
  (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` of that child);
* ``naive``: ``openpyxl.load_workbook`` of each file and reading every cell, one process (measured
  on a sample of files when N is large and extrapolated — the output says so);
* ``floor``: python-calamine opening each file and reading every cell, one process.

Usage::

    .venv/bin/python benchmarks/consolidate.py --quick        # N = 200, while developing
    .venv/bin/python benchmarks/consolidate.py                # N = 2000 and 10000
    .venv/bin/python benchmarks/consolidate.py 5000 --keep    # keep the generated files

Targets at N = 2000 on 2 cores: consolidate ≤ 0.08 × naive, ≤ 4 × floor, peak < 500 MB, and
linear up to 10,000.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAIVE_SAMPLE = 200

# The national frame with several 三级指标 per 二级, as departments fill it in (the seed's forms
# carry 13–20 indicator rows, /-rows for 经济效益/生态效益 included: ~35 rows, ~30 merged ranges).
LEVEL2 = {
    "产出指标": [("数量指标", ["举办培训班次数", "覆盖村（社区）数", "印发宣传资料份数", "开展文艺演出场次",
                               "组织志愿服务次数"]),
                 ("质量指标", ["培训合格率", "资金拨付准确率", "验收合格率", "活动完成率"]),
                 ("时效指标", ["资金拨付及时率", "项目完成时间"]),
                 ("成本指标", ["项目总成本", "培训成本", "宣传资料印制成本"])],
    "效益指标": [("经济效益指标", ["/"]),
                 ("社会效益指标", ["群众知晓率", "社会文明程度", "基层宣传阵地作用"]),
                 ("生态效益指标", ["/"]),
                 ("可持续影响指标", ["长效机制建设", "群众参与积极性"])],
    "满意度指标": [("服务对象满意度指标", ["群众满意度", "参训人员满意度"])],
}
DEPARTMENTS = ["中共昌吉州委宣传部", "昌吉州文化体育广播电视和旅游局", "昌吉州教育局", "昌吉州卫生健康委员会"]


def _indicators(rng: random.Random) -> list[list]:
    """Indicator rows: level1, level2, name, target, actual, weight, score, reason."""
    rows = []
    weights = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    for level1, groups in LEVEL2.items():
        chosen = [(l2, name) for l2, names in groups
                  for name in rng.sample(names, rng.randint(1, len(names)))]
        scored = sum(1 for _, name in chosen if name != "/")
        left, i = weights[level1], 0
        for level2, name in chosen:
            if name == "/":  # not applicable (经济效益/生态效益 in most forms): the whole row is /
                rows.append([level1, level2, "/", "/", "/", "/", "/", "/"])
                continue
            i += 1
            weight = left if i == scored else max(1, round(weights[level1] / scored))
            left -= weight
            if level2 == "数量指标":
                target = rng.randint(5, 200)
                actual = target + rng.randint(-target // 3, target // 4)
                t_text, a_text = f"≥{target}次", f"{actual}次"
                ratio = min(1, actual / target)
            elif level2 in ("质量指标", "时效指标", "服务对象满意度指标"):
                target = rng.choice([85, 90, 95, 100])
                actual = min(100, target + rng.randint(-12, 5))
                t_text, a_text = f"≥{target}%", f"{actual}%"
                ratio = min(1, actual / target)
            elif level2 == "成本指标":
                target = round(rng.uniform(50, 900), 2)
                actual = round(target * rng.uniform(0.7, 1.1), 2)
                t_text, a_text = f"≤{target}万元", f"{actual}万元"
                ratio = 1 if actual <= target else target / actual
            else:
                t_text, a_text = "有一定提升", rng.choice(["有效提升", "达到预期", "部分达成"])
                ratio = rng.choice([1, 0.9, 0.8])
            score = round(weight * ratio, 1)
            reason = "/" if score >= weight else "受疫情影响，部分工作延后开展，下一步加强统筹。"
            rows.append([level1, level2, name, t_text, a_text, weight, score, reason])
    return rows


def write_form(path: Path, seed: int) -> None:
    """One national form on one sheet, with merges and formulas carrying cached values."""
    import xlsxwriter

    rng = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(f"项目{seed % 1000:03d}")
    base = {"border": 1, "valign": "vcenter", "text_wrap": True, "font_size": 10}
    cell = wb.add_format({**base, "align": "center"})
    left = wb.add_format({**base, "align": "left"})
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    money = wb.add_format({**base, "num_format": "0.00"})
    pct = wb.add_format({**base, "num_format": "0%"})
    ws.set_column(0, 0, 8)
    ws.set_column(1, 2, 13)
    ws.set_column(3, 3, 34)
    ws.set_column(4, 8, 11)

    budget = round(rng.uniform(5, 2000), 2)
    executed = round(budget * rng.uniform(0.45, 1.0), 2)
    rate = executed / budget
    budget_score = round(10 * min(rate, 1), 2)
    project = f"{rng.choice(['访惠聚驻村工作经费', '文化强州建设', '疫情防控专项经费', '新时代文明实践'])}（{seed}）"
    dept = rng.choice(DEPARTMENTS)

    ws.merge_range(0, 0, 0, 8, "项目支出绩效自评表", title)
    ws.merge_range(1, 0, 1, 8, "（2020年度）", wb.add_format({"align": "center"}))
    ws.write(2, 0, "项目名称", cell)
    ws.merge_range(2, 1, 2, 8, project, left)
    ws.write(3, 0, "主管部门", cell)
    ws.merge_range(3, 1, 3, 3, dept, left)
    ws.merge_range(3, 4, 3, 5, "实施单位", cell)
    ws.merge_range(3, 6, 3, 8, dept, left)
    ws.merge_range(4, 0, 7, 0, "项目资金（万元）", cell)
    ws.write_row(4, 1, ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率"], cell)
    ws.merge_range(4, 7, 4, 8, "得分", cell)
    carry = round(budget * rng.choice([0, 0, 0.1, 0.2]), 2)
    funds = [("年度资金总额", budget, executed), ("其中：当年财政拨款", round(budget - carry, 2),
             round(executed - min(carry, executed), 2)), ("上年结转资金", carry, min(carry, executed)),
             ("其他资金", None, None)]
    for i, (label, b, e) in enumerate(funds):
        r = 5 + i
        ws.write(r, 1, label, left)
        for c, v in ((2, b), (3, b), (4, e)):
            ws.write(r, c, v, money) if v is not None else ws.write_blank(r, c, None, cell)
        if i == 0:
            ws.write_number(r, 5, 10, cell)
            ws.write_formula(r, 6, f"=IFERROR(E{r + 1}/D{r + 1},0)", pct, rate)
            ws.merge_range(r, 7, r, 8, "", cell)
            ws.write_formula(r, 7, f"=ROUND(F{r + 1}*MIN(G{r + 1},1),2)", cell, budget_score)
        else:
            ws.write(r, 5, "—", cell)
            ws.write_blank(r, 6, None, cell)
            ws.merge_range(r, 7, r, 8, "—", cell)
    ws.merge_range(9, 0, 10, 0, "年度总体目标", cell)
    ws.merge_range(9, 1, 9, 4, "预期目标", cell)
    ws.merge_range(9, 5, 9, 8, "实际完成情况", cell)
    ws.merge_range(10, 1, 10, 4, f"完成{project}各项任务，资金使用规范，群众满意度不低于90%。", left)
    ws.merge_range(10, 5, 10, 8, "已按计划完成年度主要任务，个别任务受疫情影响有所延后。", left)
    ws.write_row(11, 1, ["一级指标", "二级指标", "三级指标", "年度", "实际", "分值", "得分"], cell)
    ws.merge_range(11, 8, 12, 8, "偏差原因分析及改进措施", cell)
    ws.write(12, 4, "指标值", cell)
    ws.write(12, 5, "完成值", cell)
    for c in (1, 2, 3, 6, 7):
        ws.merge_range(11, c, 12, c, ["", "一级指标", "二级指标", "三级指标", "", "", "分值", "得分"][c], cell)
    rows = _indicators(rng)
    first = 13
    for i, (l1, l2, name, target, actual, weight, score, reason) in enumerate(rows):
        r = first + i
        ws.write(r, 1, l1, cell)
        ws.write(r, 2, l2, cell)
        ws.write(r, 3, name, left)
        ws.write(r, 4, target, cell)
        ws.write(r, 5, actual, cell)
        ws.write(r, 6, weight, cell)
        ws.write(r, 7, score, cell)
        ws.write(r, 8, reason, left)
    last = first + len(rows) - 1
    ws.merge_range(11, 0, last, 0, "绩效指标", cell)
    for col in (1, 2):  # vertical merges of runs of equal 一级/二级
        start = first
        for r in range(first + 1, last + 2):
            if r > last or rows[r - first][col - 1] != rows[start - first][col - 1] or \
                    rows[r - first][0] != rows[start - first][0]:
                if r - 1 > start:
                    ws.merge_range(start, col, r - 1, col, rows[start - first][col - 1], cell)
                start = r
    total_weight = 10 + sum(row[5] for row in rows if row[5] != "/")
    total = budget_score + sum(row[6] for row in rows if row[6] != "/")
    t = last + 1
    ws.merge_range(t, 0, t, 5, "总分", cell)
    ws.write_formula(t, 6, f"=F6+SUM(G{first + 1}:G{last + 1})", cell, total_weight)
    ws.write_formula(t, 7, f"=H6+SUM(H{first + 1}:H{last + 1})", cell, round(total, 2))
    ws.write(t, 8, "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差", cell)
    wb.close()


def _write_chunk(args: tuple[str, list[int]]) -> None:
    folder, seeds = args
    for seed in seeds:
        write_form(Path(folder) / f"自评表_{seed:05d}.xlsx", seed)


def generate(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    seeds = list(range(n))
    chunks = [(str(folder), seeds[i:i + 100]) for i in range(0, n, 100)]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(_write_chunk, chunks))
    return sorted(folder.glob("*.xlsx"))


def naive(files: list[Path]) -> int:
    import openpyxl

    count = 0
    for f in files:
        wb = openpyxl.load_workbook(f, data_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                count += sum(1 for v in row if v is not None)
    return count


def floor(files: list[Path]) -> int:
    from python_calamine import CalamineWorkbook

    count = 0
    for f in files:
        wb = CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            for row in wb.get_sheet_by_name(name).to_python():
                count += sum(1 for v in row if v != "")
    return count


# runs a command and prints its peak memory (the largest of its processes) on stderr
MAXRSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr)\n"
    "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(p.returncode)\n"
)


def run_consolidate(folder: Path, out: Path, workers: int | None) -> tuple[float, float, str]:
    """Wall time, peak RSS in MB and the summary line of ``xltools consolidate``.

    The command runs under a tiny wrapper process, so ``RUSAGE_CHILDREN`` there sees only the
    command and its worker processes (the largest of them), not this script's generator pool.
    """
    cmd = [sys.executable, "-m", "xltools", "consolidate", str(folder), "-o", str(out)]
    if workers:
        cmd += ["--workers", str(workers)]
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", MAXRSS_WRAPPER, *cmd], cwd=ROOT, capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"consolidate failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    peak_kb = int(proc.stderr.rsplit("MAXRSS", 1)[1].split()[0])
    return elapsed, peak_kb / 1024, proc.stdout.strip().splitlines()[-1]


def measure(n: int, workers: int | None, keep: bool) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"xltools-bench-{n}-"))
    try:
        t0 = time.perf_counter()
        files = generate(tmp / "forms", n)
        gen = time.perf_counter() - t0
        print(f"\nN = {n}: generated {len(files)} files in {gen:.1f} s ({tmp / 'forms'})", flush=True)

        t_cons, peak, line = run_consolidate(tmp / "forms", tmp / "部门汇总.xlsx", workers)
        print(f"  consolidate : {t_cons:8.2f} s  {1000 * t_cons / n:7.2f} ms/file  peak {peak:6.0f} MB")
        print(f"                {line}")

        sample = files if n <= NAIVE_SAMPLE else random.Random(1).sample(files, NAIVE_SAMPLE)
        t0 = time.perf_counter()
        naive(sample)
        t_naive = (time.perf_counter() - t0) * n / len(sample)
        note = "" if len(sample) == n else f"  (measured on {len(sample)} files, extrapolated)"
        print(f"  naive       : {t_naive:8.2f} s  {1000 * t_naive / n:7.2f} ms/file{note}")

        t0 = time.perf_counter()
        floor(files)
        t_floor = time.perf_counter() - t0
        print(f"  floor       : {t_floor:8.2f} s  {1000 * t_floor / n:7.2f} ms/file")
        r_naive, r_floor = t_cons / t_naive, t_cons / t_floor
        ok = r_naive <= 0.08 and r_floor <= 4 and peak < 500
        print(f"  ratios      : consolidate/naive = {r_naive:.3f} (target ≤ 0.08), "
              f"consolidate/floor = {r_floor:.2f} (target ≤ 4), peak < 500 MB: "
              f"{'yes' if peak < 500 else 'NO'}  → {'OK' if ok else 'MISSED'}")
        return {"n": n, "consolidate": t_cons, "naive": t_naive, "floor": t_floor, "peak": peak}
    finally:
        if keep:
            print(f"  kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, help="numbers of files (default 2000 10000)")
    parser.add_argument("--quick", action="store_true", help="N = 200 only")
    parser.add_argument("--workers", type=int, default=None, help="passed to consolidate")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args(argv)
    sizes = [200] if args.quick else (args.sizes or [2000, 10000])
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")
    results = [measure(n, args.workers, args.keep) for n in sizes]
    if len(results) > 1:
        base = results[0]
        for r in results[1:]:
            scale = (r["consolidate"] / r["n"]) / (base["consolidate"] / base["n"])
            print(f"\nper-file time at N={r['n']} vs N={base['n']}: × {scale:.2f} (1.00 = linear)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
