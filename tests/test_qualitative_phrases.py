"""Qualitative completion phrases are data (the rule pack's [qualitative] section), documented in
docs/rule-packs.md, and every qualitative actual of the reference forms gets a band."""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal as D
from pathlib import Path

import pytest

from fixtures.seed import load_seed
from formdsl import parse_form
from xltools.core.engine import evaluate
from xltools.core.notation import parse_measure
from xltools.core.rulepack import RulePackError, load_rulepack
from xltools.core.scoring import classify_band

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "qualitative_actuals.json"
DOC = ROOT / "docs" / "rule-packs.md"
NATIONAL = load_rulepack()
FUNDS = "年度资金总额 | 100 | 100 | 100 | 10 | 100% | 10\n"


def band_of(actual: str, target: str = "有一定增强", pack=NATIONAL) -> str | None:
    band = classify_band(parse_measure(target), parse_measure(actual), pack)
    return None if band is None else band.name


# ------------------------------------------------------------------------------------------
# the phrases of the issue, and their negations


@pytest.mark.parametrize("actual, band", [
    ("达到预期", "达成"), ("已完成", "达成"), ("超额完成", "达成"), ("达成预期指标", "达成"),
    ("显著", "达成"), ("效果显著", "达成"), ("明显", "达成"), ("成效明显", "达成"), ("良好", "达成"),
    ("达标", "达成"), ("符合预期", "达成"), ("满意", "达成"),
    ("基本完成", "部分达成"), ("部分完成", "部分达成"), ("基本达到预期", "部分达成"), ("较好", "部分达成"),
    ("一般", "部分达成"), ("效果一般", "部分达成"), ("有一定效果", "部分达成"),
    ("未完成", "未达成"), ("较差", "未达成"), ("效果较差", "未达成"), ("差", "未达成"), ("无效", "未达成"),
    # negations: 未能…, 不…, 没有…, 尚未…
    ("未能完成", "未达成"), ("未能达到预期", "未达成"), ("不及时", "未达成"), ("效果不明显", "未达成"),
    ("不显著", "未达成"), ("没有完成", "未达成"), ("没有达到预期", "未达成"), ("尚未完成", "未达成"),
    ("尚未达到预期", "未达成"), ("未按期完成", "未达成"), ("不满意", "未达成"), ("无法完成", "未达成"),
    # a negation with a "not quite" word between: partly done
    ("未全部完成", "部分达成"), ("没有完全达到预期", "部分达成"), ("效果不够明显", "部分达成"),
    ("提升不太显著", "部分达成"),
    # the bad thing did not happen
    ("无差错", "达成"), ("零投诉", "达成"), ("未发生安全事故", "达成"), ("没有出现重大问题", "达成"),
    # numbers in words and percentages
    ("完成60%", "部分达成"), ("完成率95%", "达成"), ("95%", "达成"), ("70%", "部分达成"), ("50%", "未达成"),
    ("不断提升", "达成"), ("见附件", None),
])
def test_phrase_bands(actual, band):
    assert band_of(actual) == band


def test_达到预期_is_classified_in_a_form_without_a_warning():
    """The issue's case: 达到预期 gave QUALITATIVE_UNCLASSIFIED on every generated form."""
    result = evaluate(parse_form(FUNDS + "效益指标 | 社会效益指标 | 群众获得感 | 有一定提升 | 达到预期 | 15 | 14 | /"),
                      NATIONAL)
    [ir] = result.indicators
    assert (ir.rule, ir.band, ir.score) == ("qualitative", (D(12), D(15)), D(14))
    assert [f.code for f in result.findings if f.code == "QUALITATIVE_UNCLASSIFIED"] == []
    unknown = evaluate(parse_form(FUNDS + "效益指标 | 社会效益指标 | 群众获得感 | 有一定提升 | 见附件 | 15 | 14 | /"),
                       NATIONAL)
    [f] = [f for f in unknown.findings if f.code == "QUALITATIVE_UNCLASSIFIED"]
    assert "“达成/部分达成/未达成”" in f.message


# ------------------------------------------------------------------------------------------
# every qualitative actual of the reference material


def _reference_pairs(reference_dir: Path) -> set[tuple[str, str]]:
    """(target, actual) of every row of the seed and real_forms.json where either is words."""
    pairs = []
    for form in load_seed(reference_dir / "seed" / "000_1da36edc9b667a9e.txt"):
        pairs += [(ind["target"], ind["actual"]) for ind in form.indicators()]
    for form in json.loads((reference_dir / "forms" / "real_forms.json").read_text(encoding="utf-8")):
        pairs += [(ind.get("target") or "", ind.get("actual") or "") for ind in form.get("indicators", [])]
    return {(t, a) for t, a in pairs
            if "qualitative" in (parse_measure(t).kind, parse_measure(a).kind)}


def _fixture() -> list[dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))["actuals"]


def test_the_fixture_holds_every_qualitative_actual_of_the_reference_forms(reference_dir):
    pairs = _reference_pairs(reference_dir)
    assert len(pairs) >= 8  # 有一定增强 → 100%, 效果明显 → 达成预期指标, 定性 优良中低差 → 优 …
    listed = {(row["target"], row["actual"]) for row in _fixture()}
    assert pairs - listed == set()
    assert all(row["source"].split(" ")[0] in ("shared/seed/000_1da36edc9b667a9e.txt",
                                               "shared/forms/real_forms.json", "shared/docs/notations.md",
                                               "benchmarks/consolidate.py") for row in _fixture())


@pytest.mark.parametrize("row", _fixture(), ids=lambda row: f"{row['target']}→{row['actual']}")
def test_every_collected_actual_gets_its_band(row):
    band = band_of(row["actual"], row["target"])
    assert band is not None and band == row["band"], row["source"]


# ------------------------------------------------------------------------------------------
# the phrases are data: a pack changes them without code


def test_a_pack_changes_the_phrases(tmp_path):
    path = tmp_path / "我省.toml"
    path.write_text('extends = "national"\nname = "我省"\n[qualitative]\nnegations = ["未"]\n'
                    'negated_partial = []\n[qualitative.none_happened]\nevents = ["事故"]\n',
                    encoding="utf-8")
    pack = load_rulepack(path)
    assert band_of("未及时", pack=pack) == "未达成"        # 未 is still a negation
    assert band_of("未能完成", pack=pack) == "达成"        # 未能 no longer is (能完成: top)
    assert band_of("不及时", pack=pack) == "达成"          # 不 no longer is
    assert band_of("未全部完成", pack=pack) == "达成"      # 未 + 全部 is not a negated phrase here
    assert band_of("未发生安全事故", pack=pack) == "达成"
    assert band_of("无差错", pack=pack) == "未达成"         # 差错 is not an event here: 差 is bottom


def test_a_bad_phrase_table_names_the_key(tmp_path):
    path = tmp_path / "坏.toml"
    path.write_text('extends = "national"\n[qualitative.none_happened]\nevent = ["事故"]\n', encoding="utf-8")
    with pytest.raises(RulePackError, match="“qualitative.none_happened.event”不是已知的规则项"):
        load_rulepack(path)
    path.write_text('extends = "national"\n[qualitative]\nnegations = "未"\n', encoding="utf-8")
    with pytest.raises(RulePackError, match="“qualitative.negations”应为字符串列表"):
        load_rulepack(path)


# ------------------------------------------------------------------------------------------
# the user doc says what the pack holds


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _words(cell: str) -> set[str]:
    return {w.strip() for w in cell.split("、") if w.strip()}


def test_the_doc_lists_each_bands_phrases_as_the_pack_does():
    rows = {m.group(1): m.group(2) for m in
            re.finditer(r"^\| (\S+) \| [^|]+ \| ([^|]+) \|$", _doc(), re.M)}
    for band in NATIONAL.bands:
        assert _words(rows[band.name]) == set(band.keywords), band.name


def test_the_doc_lists_the_negation_and_none_happened_words():
    doc = _doc()
    three = re.findall(r"^ *\| ([^|`]+) \| ([^|`]+) \| ([^|`]+) \|$", doc, re.M)
    tables = [tuple(_words(c) for c in row) for row in three]
    prefixes, qualifiers, events = (set(w) for w in NATIONAL.none_happened)
    assert (prefixes, qualifiers, events) in tables
    assert (set(NATIONAL.negations), set(NATIONAL.negated_partial), set(NATIONAL.negated_adverbs)) in tables


def test_the_docs_examples_hold():
    section = _doc().split("### 示例", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", section, re.M)[2:]  # skip the header rows
    assert len(examples) >= 20
    for actual, band in examples:
        expected = None if band.startswith("（无法归档") else band
        assert band_of(actual) == expected, actual


def test_the_docs_error_examples_are_real(tmp_path, monkeypatch):
    block = _doc().split("## 规则包文件有误时", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    syntax, key = block.strip().splitlines()
    monkeypatch.chdir(tmp_path)
    Path("我省规则.toml").write_text('extends = "national"\nname = "我省"\ntitle = "我省绩效自评规则"\n'
                                  '[budget]\nlow_rate_percent = 90%\n', encoding="utf-8")
    with pytest.raises(RulePackError) as err:
        load_rulepack("我省规则.toml")
    assert str(err.value) == syntax
    Path("我省规则.toml").write_text('extends = "national"\n[indicators]\nreverse_formula = "sideways"\n',
                                  encoding="utf-8")
    with pytest.raises(RulePackError) as err:
        load_rulepack(os.path.join("我省规则.toml"))
    assert str(err.value) == key
