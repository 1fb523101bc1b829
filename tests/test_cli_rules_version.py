"""``xltools rules show`` prints the effective rule pack for copying; ``xltools --version``."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

import xltools
from xltools.cli import main
from xltools.core.rulepack import PACK_DIR, load_rulepack


def same_pack(a, b) -> bool:
    """Equal rule packs, wherever they were loaded from."""
    return dataclasses.replace(b, path=a.path) == a


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"xltools {xltools.__version__}"


def test_national_is_printed_as_it_stands_with_its_sources(capsys):
    assert main(["rules", "show"]) == 0
    out = capsys.readouterr().out
    assert out == (PACK_DIR / "national.toml").read_text(encoding="utf-8")
    assert main(["rules", "show", "national"]) == 0
    assert capsys.readouterr().out == out


def test_a_copy_loads_as_the_same_pack(tmp_path, capsys):
    assert main(["rules", "show", "national"]) == 0
    copy = tmp_path / "我省规则.toml"
    copy.write_text(capsys.readouterr().out, encoding="utf-8")
    assert same_pack(load_rulepack(copy), load_rulepack("national"))


def test_extends_is_resolved(tmp_path, capsys):
    mine = tmp_path / "我省规则.toml"
    mine.write_text('extends = "national"\nname = "我省"\ntitle = "我省规则"\n\n[budget]\nlow_rate_percent = "85"\n',
                    encoding="utf-8")
    assert main(["rules", "show", str(mine)]) == 0
    out = capsys.readouterr().out
    data = tomllib.loads(out)
    national = tomllib.loads((PACK_DIR / "national.toml").read_text(encoding="utf-8"))
    assert "extends" not in data and data["name"] == "我省"
    assert data["budget"]["low_rate_percent"] == "85"
    assert data["budget"]["weight"] == national["budget"]["weight"]  # inherited
    assert {k: v for k, v in data.items() if k not in ("name", "title", "budget")} == \
        {k: v for k, v in national.items() if k not in ("name", "title", "budget")}
    # the printed text, saved, is the same pack as the file that extends
    saved = tmp_path / "展开.toml"
    saved.write_text(out, encoding="utf-8")
    assert same_pack(load_rulepack(mine), load_rulepack(saved))
    assert not same_pack(load_rulepack(mine), load_rulepack("national"))


def test_the_builtin_platform_pack(capsys):
    assert main(["rules", "show", "platform_example"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# 规则包“platform_example.toml”实际生效的内容")
    assert tomllib.loads(out)["name"] == "platform_example"


@pytest.mark.parametrize("arg", ["没有这个规则包", "missing/rules.toml"])
def test_an_unknown_pack_is_one_chinese_line(arg, capsys):
    assert main(["rules", "show", arg]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("错误：") and len(captured.err.splitlines()) == 1


def test_a_bad_pack_is_not_printed(tmp_path, capsys):
    bad = tmp_path / "坏.toml"
    bad.write_text("this is = = not toml", encoding="utf-8")
    assert main(["rules", "show", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "坏.toml" in captured.err
