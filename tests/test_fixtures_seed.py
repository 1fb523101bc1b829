"""The seed loader: six forms, names, totals and quirks, all read from the text."""

from decimal import Decimal

import pytest

from fixtures.seed import load_seed, parse_seed


@pytest.fixture(scope="module")
def seed(seed_path):
    return load_seed(seed_path)


def test_six_forms_with_names_and_titles(seed, seed_path):
    text = seed_path.read_text(encoding="utf-8")
    assert len(seed) == 6
    names = [f.project_name for f in seed]
    # every name is the cell after a 项目名称 cell in the text, in file order
    lines = text.splitlines()
    expected = [lines[i + 1].strip() for i, l in enumerate(lines) if l.strip() == "项目名称"]
    assert names == expected
    assert all(f.title_rows[0] == ["项目支出绩效自评表"] for f in seed)
    assert {f.year for f in seed} == {"2020"}


def test_reported_totals_match_text_and_readme(seed, seed_path):
    readme = (seed_path.parent / "README.md").read_text(encoding="utf-8")
    line = next(l for l in readme.splitlines() if l.startswith("Reported totals:"))
    listed = [Decimal(x.strip(" .")) for x in line.split(":", 1)[1].split("(")[0].split(",")]
    assert [f.reported_total for f in seed] == listed
    assert listed == [Decimal(x) for x in ("100", "100", "87.6", "100", "100", "91.8")]


def test_split_cell_rows_of_one_form_keep_the_extra_cell(seed):
    widths = [[len(r) for r in f.funds_rows] for f in seed]
    odd = [f.project_name for f, w in zip(seed, widths) if w[:2] == [9, 9]]
    assert odd == ["新闻出版电影放映工作经费"]
    form = seed[[f.project_name for f in seed].index(odd[0])]
    assert form.funds_rows[0][4] == ""          # the extra empty cell
    assert form.funds_rows[2] == ["", "      上年结转资金", "", "", "", "—", "", "—"]


def test_empty_level1_of_one_output_block_stays_empty(seed):
    empties = [f.project_name for f in seed if f.indicators()[0]["level1"] == ""]
    assert empties == ["文化强州专项资金"]
    form = seed[[f.project_name for f in seed].index("文化强州专项资金")]
    rows = form.indicators()
    assert rows[0]["level2"] == "数量指标" and rows[0]["target"] == "≧1批"
    assert next(r["level1"] for r in rows if r["level1"]) == "效益指标"


def test_parser_rules_on_a_literal_snippet():
    text = ("\t项目支出绩效自评表\n\n\t（2021年度）\n\n\t项目名称\n\t甲项目\n\n"
            "\t年度总体目标\n\t预期目标\n\t实际完成情况\n\n\t\n\t\n第一行\n第二行\n\t完成\n\n"
            "\t总分\n\t100\n\t95.5\n\t\n\n[bookmark: _GoBack]\n")
    (form,) = parse_seed(text)
    assert form.year == "2021" and form.project_name == "甲项目"
    assert form.rows[2] == ["", "\n第一行\n第二行", "完成"]
    assert form.goal == ("第一行\n第二行", "完成")
    assert form.reported_total == Decimal("95.5") and form.total_weight == Decimal(100)
