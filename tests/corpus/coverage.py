"""How much of the corpus of real forms xltools reads: coverage per province.

Renders every corpus form (tests/corpus/forms/*.json) to a temporary folder in its layout as
published (.xlsx, and .docx for Word originals and every 4th form), reads and scores each file
with xltools (``pipeline.process_file``: the readers, then the engine), and compares what was
read with the expectations written by hand in the corpus file.

    python tests/corpus/coverage.py            # the table per province
    python tests/corpus/coverage.py --json     # the same numbers, and every miss, as JSON
    python tests/corpus/coverage.py --detail   # the table and each difference
    python tests/corpus/coverage.py --variants # the same per kind of variant (variants.py)

What counts (per rendered file):

- **found**: a form whose project name is the expected one (whitespace ignored);
- **funds exact**: 全年预算数 and 全年执行数 equal the expected amounts (in 万元), and the
  分值, reported 执行率 and reported 得分 too where the form has them;
- **indicator rows exact**: an expected row read with the same 一级/二级 (labels compared
  without spaces or weights written in them), 三级 name, target, actual, 分值 and 得分;
  rows read that are not indicators count against (placeholder rows ``/`` are ignored);
- **totals exact**: the reported 总分 equals the expected one;
- **misses flagged**: every indicator the corpus marks as a clear miss has ``met=false``.

Worked example of the label comparison::

    >>> same_label("产 出 指 标 (50分)", "产出指标"), same_label("社会效益", "社会效益指标")
    (True, True)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

import render  # noqa: E402

PLACEHOLDERS = {"", "/", "／", "—", "-", "——", "无", "…", "……"}


# --- normalising --------------------------------------------------------------------------------

def squash(text) -> str:
    """No whitespace, full width folded to half width (NFKC)."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


WEIGHT_IN_LABEL = re.compile(r"[(（]?\s*\d+(\.\d+)?\s*分\s*[)）]?")


def label_key(text: str) -> str:
    t = squash(text)
    t = WEIGHT_IN_LABEL.sub("", t)
    t = re.sub(r"[(（][^)）]*[)）]", "", t)
    t = re.sub(r"^[一二三四五六七八九十\d]+[、.．]", "", t)
    return t.removesuffix("指标")


NAME_PREFIX = re.compile(r"^指标\d+[:：]?")


def name_key(text) -> str:
    """三级指标 names compared without spaces and without a template prefix ``指标1:``."""
    return NAME_PREFIX.sub("", squash(text))


def same_label(expected: str, read: str) -> bool:
    return label_key(expected) == label_key(read)


def number(text) -> Decimal | None:
    """A number written in a cell: ``"43.2"`` → 43.2, ``"86%"`` → 0.86, ``"10分"`` → 10, ``"5.8万"`` → 5.8."""
    if text is None:
        return None
    if isinstance(text, Decimal):
        return text
    t = squash(text).replace(",", "")
    pct = t.endswith("%")
    t = t.rstrip("%").removesuffix("分").removesuffix("万元").removesuffix("元").removesuffix("万")
    try:
        d = Decimal(t)
    except (InvalidOperation, ValueError):
        return None
    return d / 100 if pct else d


def same_number(expected, read: Decimal | None) -> bool:
    e = number(expected)
    if e is None:
        return read is None
    return read is not None and e == read


def same_rate(expected, read: Decimal | None) -> bool:
    """执行率 as written (``76%``, ``0.76``, ``100``) against the reader's fraction."""
    e = number(expected)
    if e is None:
        return True  # the form writes none: nothing to compare
    if read is None:
        return False
    if not str(expected).strip().endswith("%") and e > 1:
        e = e / 100
    return abs(e - read) < Decimal("0.00005")


# --- one file ------------------------------------------------------------------------------------

@dataclass
class FileScore:
    """What one rendered file scored against its expectations."""

    form_id: str
    province: str
    file: str
    found: bool = False
    funds_expected: bool = False
    funds_exact: bool = False
    rows_expected: int = 0
    rows_exact: int = 0
    rows_extra: int = 0
    total_expected: bool = False
    total_exact: bool = False
    misses: int = 0
    misses_flagged: int = 0
    problems: list[str] = field(default_factory=list)


def _pick_result(results, expected: dict, taken: frozenset = frozenset()):
    """The form read whose project name is the expected one; ``taken`` holds ids already matched."""
    free = [r for r in results if id(r) not in taken]
    want = squash(expected.get("project") or "")
    if not want:  # a fragment without its name: the one form read
        return free[0] if len(free) == 1 else None
    for r in free:
        if squash(r.form.project.text) == want:
            return r
    for r in free:  # a name read with a prefix or suffix (部门整体 forms named from titles)
        got = squash(r.form.project.text)
        if want and got and (want in got or got in want):
            return r
    return None


def _template_row(ir) -> bool:
    """A row left as the template had it (``/`` rows, ``指标2`` with nothing filled in): not counted."""
    ind = ir.indicator
    empty = squash(ind.target.text) in PLACEHOLDERS and squash(ind.actual.text) in PLACEHOLDERS
    return ir.weight is None and (squash(ind.name) in PLACEHOLDERS or empty)


def scored(form: dict) -> bool:
    """Fragments without any header (``"readable": false``) are kept for their rows, not scored."""
    return form.get("readable", True)


def score_result(result, expected: dict, fs: FileScore) -> None:
    """Compare one FormResult with one form's expectations, adding to ``fs``."""
    unit = Decimal(10000) if expected.get("money_unit") == "元" else Decimal(1)
    ef = expected.get("funds")
    if ef:
        fs.funds_expected = True
        funds = result.funds
        checks = {
            "budget": same_number(number(ef.get("budget")) / unit if number(ef.get("budget")) is not None else None,
                                  funds.budget),
            "executed": same_number(number(ef.get("executed")) / unit if number(ef.get("executed")) is not None else None,
                                    funds.executed),
            "rate": same_rate(ef.get("rate"), funds.reported_rate) if ef.get("rate") else True,
            "weight": same_number(ef.get("weight"), funds.weight) if ef.get("weight") else True,
            "score": same_number(ef.get("score"), funds.reported_score) if ef.get("score") else True,
        }
        fs.funds_exact = all(checks.values())
        if not fs.funds_exact:
            fs.problems.append(
                "funds: " + ", ".join(k for k, ok in checks.items() if not ok)
                + f" (read budget={funds.budget} executed={funds.executed} rate={funds.reported_rate}"
                  f" weight={funds.weight} score={funds.reported_score}; expected {ef})")
    wanted = {name_key(row["name"]) for row in expected.get("indicators", [])}
    read = [ir for ir in result.indicators  # an empty row the form itself lists is still a row
            if not _template_row(ir) or name_key(ir.indicator.name) in wanted]
    used: set[int] = set()
    for row in expected.get("indicators", []):
        fs.rows_expected += 1
        idx = next((i for i, ir in enumerate(read)
                    if i not in used and name_key(ir.indicator.name) == name_key(row["name"])), None)
        if idx is None:
            fs.problems.append(f"row not read: {row['name']!r}")
            continue
        used.add(idx)
        ir = read[idx]
        ind = ir.indicator
        diffs = []
        if row.get("level1") is not None and not same_label(row["level1"], ind.level1):
            diffs.append(f"level1 {ind.level1!r}≠{row.get('level1')!r}")
        if row.get("level2") is not None and not same_label(row["level2"], ind.level2):
            diffs.append(f"level2 {ind.level2!r}≠{row.get('level2')!r}")
        if squash(ind.target.text) != squash(row.get("target", "")):
            diffs.append(f"target {ind.target.text!r}≠{row.get('target')!r}")
        if squash(ind.actual.text) != squash(row.get("actual", "")):
            diffs.append(f"actual {ind.actual.text!r}≠{row.get('actual')!r}")
        if not same_number(row.get("weight"), ir.weight):
            diffs.append(f"weight {ir.weight}≠{row.get('weight')!r}")
        if not same_number(row.get("score"), ir.reported_score):
            diffs.append(f"score {ir.reported_score}≠{row.get('score')!r}")
        if diffs:
            fs.problems.append(f"row {row['name']!r}: " + "; ".join(diffs))
        else:
            fs.rows_exact += 1
    extra = [read[i].indicator.name for i in range(len(read)) if i not in used]
    fs.rows_extra += len(extra)
    if extra:
        fs.problems.append(f"rows read that are not expected: {extra!r}")
    if expected.get("total") not in (None, ""):
        fs.total_expected = True
        fs.total_exact = same_number(expected["total"], result.reported_total)
        if not fs.total_exact:
            fs.problems.append(f"total read {result.reported_total}, expected {expected['total']}")
    for name in expected.get("misses", []):
        fs.misses += 1
        ir = next((ir for ir in result.indicators if name_key(ir.indicator.name) == name_key(name)), None)
        if ir is not None and ir.met is False:
            fs.misses_flagged += 1
        else:
            fs.problems.append(f"miss not flagged: {name!r} (met={None if ir is None else ir.met})")


def score_expected(report, expected: dict, fs: FileScore, taken: set | None = None) -> FileScore:
    """Score one expected form against what xltools read from a file (``process_file``'s report).

    ``taken`` collects the forms already matched to other expected forms of the same file.
    """
    taken = taken if taken is not None else set()
    result = _pick_result(report.results, expected, frozenset(taken))
    free = [r for r in report.results if id(r) not in taken]
    if result is None and len(free) == 1 and len(report.results) == 1:
        # one form read, under another name: not "found", but its rows are still compared
        result = free[0]
        taken.add(id(result))
        fs.problems.append(f"project name read as {result.form.project.text!r}, expected {expected.get('project')!r}")
        score_result(result, expected, fs)
        return fs
    if result is None:
        fs.problems.append("form not found (read: %r; findings: %s)" % (
            [r.form.project.text for r in report.results],
            sorted({f.code for f in report.findings})))
        fs.funds_expected = bool(expected.get("funds"))
        fs.rows_expected = len(expected.get("indicators", []))
        fs.total_expected = expected.get("total") not in (None, "")
        fs.misses = len(expected.get("misses", []))
        return fs
    taken.add(id(result))
    fs.found = True
    score_result(result, expected, fs)
    return fs


def score_path(path: Path, expected: list[dict], form_id: str, province: str, pack=None) -> list[FileScore]:
    """Read one file once and score each form it should hold (named forms matched first)."""
    from xltools.pipeline import process_file

    report = process_file(path, pack)
    taken: set = set()
    scores: dict[int, FileScore] = {}
    # first the forms found by name, then the rest (a nameless fragment, a name read wrongly)
    order = sorted(range(len(expected)), key=lambda i: not expected[i].get("project"))
    named = [i for i in order if _pick_result(report.results, expected[i], frozenset(taken)) is not None
             and expected[i].get("project")]
    for i in named + [i for i in order if i not in named]:
        scores[i] = score_expected(report, expected[i], FileScore(form_id, province, path.name), taken)
    return [scores[i] for i in range(len(expected))]


def score_file(path: Path, form: dict, pack=None) -> FileScore:
    """Read one rendered corpus file with xltools and score it against the form's expectations."""
    return score_path(path, [form["expected"]], form["id"], form["province"], pack)[0]


# --- the corpus ----------------------------------------------------------------------------------

@dataclass
class Totals:
    forms: int = 0
    found: int = 0
    funds: int = 0
    funds_exact: int = 0
    rows: int = 0
    rows_exact: int = 0
    rows_extra: int = 0
    totals: int = 0
    totals_exact: int = 0
    misses: int = 0
    misses_flagged: int = 0

    form_ids: set = field(default_factory=set)

    def add(self, fs: FileScore) -> None:
        self.form_ids.add(fs.form_id)
        self.forms += 1
        self.found += fs.found
        self.funds += fs.funds_expected
        self.funds_exact += fs.funds_exact
        self.rows += fs.rows_expected
        self.rows_exact += fs.rows_exact
        self.rows_extra += fs.rows_extra
        self.totals += fs.total_expected
        self.totals_exact += fs.total_exact
        self.misses += fs.misses
        self.misses_flagged += fs.misses_flagged

    def as_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "form_ids"}
        out["distinct_forms"] = len(self.form_ids)
        return out


def measure(outdir: Path | None = None, forms: list[dict] | None = None) -> tuple[list[FileScore], dict[str, Totals], Totals]:
    """Render and read the corpus; per-file scores, totals per province and overall."""
    forms = forms if forms is not None else render.load_corpus()
    with tempfile.TemporaryDirectory(prefix="xltools-corpus-") as tmp:
        out = Path(outdir) if outdir else Path(tmp)
        scores = []
        for i, form in enumerate(forms, start=1):  # the same .docx choice as render.py
            if not scored(form):
                continue
            for path in render.render_form(form, out, i):
                scores.append(score_file(path, form))
    by_province: dict[str, Totals] = defaultdict(Totals)
    overall = Totals()
    for fs in scores:
        by_province[fs.province].add(fs)
        overall.add(fs)
    return scores, dict(sorted(by_province.items())), overall


def measure_variants(outdir: Path | None = None) -> dict[str, Totals]:
    """Every variant of every readable form (variants.py), read and scored; totals per kind."""
    import variants

    forms = [f for f in render.load_corpus() if scored(f)]
    by_kind: dict[str, Totals] = defaultdict(Totals)
    with tempfile.TemporaryDirectory(prefix="xltools-variants-") as tmp:
        out = Path(outdir) if outdir else Path(tmp)
        for v in variants.all_variants(forms):
            path = variants.write_variant(v, out)
            for fs in score_path(path, v.expected, v.form_id, v.province):
                by_kind[v.kind].add(fs)
    return {k: by_kind[k] for k in variants.KINDS if k in by_kind}


def _pct(a: int, b: int) -> str:
    return "—" if b == 0 else f"{a}/{b} ({100 * a / b:.0f}%)"


def table(by_province: dict[str, Totals], overall: Totals) -> str:
    head = "| 省份 | 表单（渲染文件） | 找到表单 | 资金准确 | 指标行准确（多读行） | 总分准确 | 未完成标为 met=false |"
    lines = [head, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, t in list(by_province.items()) + [("合计", overall)]:
        lines.append(
            f"| {name} | {len(t.form_ids)}（{t.forms}） | {_pct(t.found, t.forms)} | {_pct(t.funds_exact, t.funds)} | "
            f"{_pct(t.rows_exact, t.rows)}（{t.rows_extra}） | {_pct(t.totals_exact, t.totals)} | "
            f"{_pct(t.misses_flagged, t.misses)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="语料库覆盖率：按省统计 xltools 读对了多少真实表单")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    parser.add_argument("--detail", action="store_true", help="列出每个文件的差异")
    parser.add_argument("--keep", metavar="DIR", help="把渲染出的文件留在 DIR")
    parser.add_argument("--variants", action="store_true", help="改为按变体类型统计（variants.py 生成的变体）")
    args = parser.parse_args(argv)
    if args.variants:
        by_kind = measure_variants(Path(args.keep) if args.keep else None)
        overall = Totals()
        for t in by_kind.values():
            for key, value in t.__dict__.items():
                if key == "form_ids":
                    overall.form_ids |= value
                else:
                    setattr(overall, key, getattr(overall, key) + value)
        if args.json:
            print(json.dumps({k: v.as_dict() for k, v in by_kind.items()}, ensure_ascii=False, indent=1))
        else:
            print(table(by_kind, overall).replace("| 省份 |", "| 变体 |", 1))
        return 0
    scores, by_province, overall = measure(Path(args.keep) if args.keep else None)
    if args.json:
        print(json.dumps({
            "provinces": {k: v.as_dict() for k, v in by_province.items()},
            "overall": overall.as_dict(),
            "files": [fs.__dict__ for fs in scores],
            "not_scored": [f["id"] for f in render.load_corpus() if not scored(f)],
        }, ensure_ascii=False, indent=1))
        return 0
    print(table(by_province, overall))
    if args.detail:
        for fs in scores:
            if fs.problems:
                print(f"\n{fs.file} [{fs.province}]")
                for p in fs.problems:
                    print("  -", p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
