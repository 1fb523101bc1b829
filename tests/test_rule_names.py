"""Rule names: one catalogue (xltools/core/rule_names.py) names every rule id the engine can
produce in Chinese, and no sheet of the 部门汇总 shows an English rule id."""

from __future__ import annotations

import ast
import dataclasses
import re
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from xltools.core.notation import parse_measure
from xltools.core.rule_names import (CANDIDATE_RULES_CN, INDICATOR_RULES_CN, RULE_NAMES_CN,
                                     UNKNOWN_RULE_CN, rule_cn)
from xltools.core.rulepack import load_rulepack
from xltools.core.scoring import candidate_scores, score_indicator, score_measures
from xltools.core.model import Cell, Indicator
from xltools.pipeline import Report, process_file
from xltools.writers.summary_workbook import write_summary

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = load_rulepack()
LINEAR = dataclasses.replace(NATIONAL, reverse_formula="linear")
ASCII_LETTER = re.compile(r"[A-Za-z]")

# one row per rule: (pack, 二级指标, 指标值, 实际完成值, 分值) → rule id
CASES = [
    (NATIONAL, "数量指标", "≥10次", "12次", "5", "positive"),
    (NATIONAL, "成本指标", "≤90万元", "120万元", "5", "reverse_ratio"),
    (LINEAR, "成本指标", "≤90万元", "120万元", "5", "reverse_linear"),
    (NATIONAL, "质量指标", "=100%", "100%", "5", "equal"),
    (NATIONAL, "质量指标", "0起", "0起", "5", "zero"),
    (NATIONAL, "数量指标", ">10次", "12次", "5", "strict_gt"),
    (NATIONAL, "质量指标", "<5%", "3%", "5", "strict_lt"),
    (NATIONAL, "时效指标", "2020年12月底前", "2020年11月", "5", "deadline"),
    (NATIONAL, "社会效益指标", "有一定增强", "显著", "5", "qualitative"),
    (NATIONAL, "质量指标", "优良中低差", "优", "5", "five_grade"),
    (NATIONAL, "数量指标", "/", "/", None, "not_applicable"),
    (NATIONAL, "数量指标", "12..5%", "10%", "5", "unparsed"),
    (NATIONAL, "数量指标", "≥10%", "5次", "5", "not_comparable"),
]


@pytest.mark.parametrize("pack, level2, target, actual, weight, rule", CASES,
                         ids=[c[-1] for c in CASES])
def test_each_rule_the_engine_produces_has_a_chinese_name(pack, level2, target, actual, weight, rule):
    produced = score_measures(parse_measure(target), parse_measure(actual),
                              None if weight is None else D(weight), level2, pack)[2]
    assert produced == rule
    assert rule_cn(produced) == INDICATOR_RULES_CN[rule]
    assert not ASCII_LETTER.search(rule_cn(produced))


def test_the_cases_cover_the_whole_catalogue():
    assert {c[-1] for c in CASES} == set(INDICATOR_RULES_CN)


def test_every_rule_literal_in_the_scorer_is_catalogued():
    """Every lower-case id scoring.py returns or assigns as a rule (``return …, "deadline"``,
    ``rule = "reverse_ratio" if …``, ``out["full"] = …``) is in the catalogue."""
    tree = ast.parse((ROOT / "xltools" / "core" / "scoring.py").read_text(encoding="utf-8"))
    found = set()

    def strings(node):
        """String values a node can evaluate to (through tuples and ``a if … else b``)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value} if re.fullmatch(r"[a-z][a-z_]*[a-z]", node.value) else set()
        if isinstance(node, ast.Tuple):
            return set().union(*(strings(e) for e in node.elts))
        if isinstance(node, ast.IfExp):
            return strings(node.body) | strings(node.orelse)
        return set()

    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
            found |= strings(node.value)
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "rule"
                                                  for t in node.targets):
            found |= strings(node.value)
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "out":
            found |= strings(node.slice)
        elif isinstance(node, ast.Dict):
            found |= {k.value for k in node.keys if isinstance(k, ast.Constant)
                      and isinstance(k.value, str) and k.value in RULE_NAMES_CN}
    assert {"positive", "deadline", "reverse_linear", "full", "budget_proportional"} <= found
    assert sorted(found - set(RULE_NAMES_CN)) == []


def test_candidate_rules_are_catalogued():
    ind = Indicator("产出指标", "成本指标", "严格控制经费成本", target=Cell("0"), actual=Cell("68.43"),
                    weight=Cell(D(10)), score=Cell(D("5.9")))
    ir = score_indicator(ind, NATIONAL)
    names = set(candidate_scores(ir, NATIONAL, D("0.5909")))
    assert names >= set(CANDIDATE_RULES_CN) and names <= set(RULE_NAMES_CN)


def test_unknown_and_empty_ids_are_never_shown_in_english():
    assert rule_cn("brand_new_rule") == UNKNOWN_RULE_CN and rule_cn(None) == rule_cn("") == ""
    assert all(not ASCII_LETTER.search(name) for name in RULE_NAMES_CN.values())
    assert len(set(RULE_NAMES_CN.values())) == len(RULE_NAMES_CN)  # no two rules share a name


@pytest.fixture(scope="module")
def summary_book(tmp_path_factory):
    samples = sorted((ROOT / "workbooks" / "samples").iterdir())
    report = Report(tuple(process_file(p) for p in samples))
    out = write_summary(report, tmp_path_factory.mktemp("rules") / "部门汇总.xlsx")
    return openpyxl.load_workbook(out, read_only=True), report


def test_indicator_sheet_shows_chinese_rule_names(summary_book):
    book, report = summary_book
    ws = book["指标明细"]
    rows = ws.iter_rows(values_only=True)
    header = next(rows)
    column = header.index("规则")
    shown = [row[column] for row in rows if row[0] is not None]
    produced = {ir.rule for r in report.results for ir in r.indicators}
    # the samples exercise the rules the issue saw in English
    assert {"positive", "reverse_ratio", "qualitative", "not_applicable", "five_grade"} <= produced
    assert set(shown) == {rule_cn(rule) for rule in produced}
    assert all(not ASCII_LETTER.search(name) for name in shown)


def test_no_sheet_shows_an_english_rule_id(summary_book):
    book, _ = summary_book
    ids = set(RULE_NAMES_CN)
    leaked = [(ws.title, value) for ws in book.worksheets
              for row in ws.iter_rows(values_only=True) for value in row if value in ids]
    assert leaked == []
