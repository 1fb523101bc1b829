"""Rule packs: loading, extending, and Chinese errors for bad files."""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D
from pathlib import Path

import pytest

from xltools.core.rulepack import PACK_DIR, RulePackError, load_rulepack


def test_national_defaults():
    pack = load_rulepack()
    assert pack.name == "national" and load_rulepack("national") == pack
    assert (pack.budget_weight, pack.low_execution_rate, pack.over_achievement_factor) == (D(10), D("0.9"), D("1.5"))
    assert (pack.tol_score, pack.tol_total, pack.tol_rate) == (D("0.05"), D("0.5"), D("0.005"))
    assert [(s.name, s.weight) for s in pack.level1_standard] == [
        ("产出指标", D(50)), ("效益指标", D(30)), ("满意度指标", D(10)), ("预算执行", D(10))]
    assert dict(pack.five_grade) == {"优": D(1), "良": D("0.8"), "中": D("0.6"), "低": D("0.4"), "差": D("0.2")}
    assert [b.name for b in pack.bands] == ["达成", "部分达成", "未达成"]
    assert pack.bare_operator("成本指标") == "<=" and pack.bare_operator("时效指标") == "<="
    assert pack.bare_operator("数量指标") == ">=" and pack.bare_operator(None) == ">="
    assert pack.execution_caps == () and pack.deviation_rate is None


def test_pack_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        load_rulepack().reverse_formula = "linear"  # type: ignore[misc]


@pytest.mark.parametrize("rate, cap", [("0.81", None), ("0.79", "89"), ("0.7", "89"), ("0.69", "79"),
                                       ("0.59", "69"), ("0.49", "59")])
def test_platform_caps(rate, cap):
    pack = load_rulepack("platform_example")
    assert pack.execution_cap(D(rate)) == (None if cap is None else D(cap))
    assert pack.reverse_formula == "ratio"  # inherited from national


def test_platform_by_path(tmp_path: Path):
    pack = load_rulepack(PACK_DIR / "platform_example.toml")
    assert (pack.deviation_rate, pack.deviation_penalty) == (D("0.3"), D(2))


def test_extends_overrides_only_given_keys(tmp_path: Path):
    path = tmp_path / "my.toml"
    path.write_text('extends = "national"\nname = "mine"\n[indicators]\nreverse_formula = "linear"\n',
                    encoding="utf-8")
    pack = load_rulepack(path)
    assert (pack.name, pack.reverse_formula, pack.deadline_formula) == ("mine", "linear", "zero")


@pytest.mark.parametrize("body, key", [
    ('extends = "national"\n[indicators]\nreverse_formula = "sideways"\n', "indicators.reverse_formula"),
    ('extends = "national"\n[tolerances]\nscore = 0.05\n', "tolerances.score"),
    ('extends = "national"\n[tolerances]\nscores = "0.05"\n', "tolerances.scores"),
    ('extends = "national"\nbogus = 1\n', "bogus"),
    ('name = "x"\n', "five_grade"),  # a pack without extends must hold every key
])
def test_bad_packs_name_the_file_and_key(tmp_path: Path, body, key):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RulePackError) as err:
        load_rulepack(path)
    assert str(path) in str(err.value) and f"“{key}”" in str(err.value)


def test_unknown_names_and_broken_files(tmp_path: Path):
    with pytest.raises(RulePackError, match="规则包“hunan”不存在"):
        load_rulepack("hunan")
    with pytest.raises(RulePackError, match="不存在"):
        load_rulepack(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("name = [", encoding="utf-8")
    with pytest.raises(RulePackError, match="不是有效的 TOML"):
        load_rulepack(broken)
