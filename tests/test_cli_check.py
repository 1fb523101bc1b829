"""``xltools check`` end to end on the seed written as a department's workbook (issue acceptance)."""

from __future__ import annotations

import json
import os
from decimal import Decimal as D
from pathlib import Path

import pytest

from fixtures.builders import load_seed, write_bad_inputs, write_national_xlsx
from xltools.cli import main


def run_json(capsys, *args: str) -> tuple[int, dict, str]:
    code = main(["check", "--json", *args])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


@pytest.fixture(scope="module")
def seed(seed_path):
    return load_seed(seed_path)


@pytest.fixture
def seed_xlsx(seed, tmp_path) -> Path:
    return write_national_xlsx(seed, tmp_path / "昌吉州党委宣传部.xlsx")


def form_named(doc: dict, project: str) -> dict:
    return next(f for f in doc["forms"] if f["project"] == project)


def findings_of(doc: dict, project: str, code: str) -> list[dict]:
    return [f for f in doc["findings"] if f["project"] == project and f["code"] == code]


def test_json_has_the_documented_shape(seed_xlsx, capsys):
    code, doc, _ = run_json(capsys, str(seed_xlsx))
    assert set(doc) == {"forms", "findings"}
    form = doc["forms"][0]
    assert set(form) == {"source", "project", "department", "year", "funds", "indicators",
                         "reported_total", "total", "grade"}
    assert set(form["source"]) == {"file", "sheet", "cell"}
    assert set(form["funds"]) == {"budget", "executed", "execution_rate", "weight", "score",
                                  "reported_score"}
    assert set(form["indicators"][0]) == {"level1", "level2", "name", "target", "actual", "weight",
                                          "reported_score", "score", "met", "rule", "cell"}
    assert set(doc["findings"][0]) == {"code", "severity", "project", "indicator", "location",
                                       "message", "expected", "reported"}
    # numbers are strings, met is a boolean or null
    assert isinstance(form["total"], str) and isinstance(form["funds"]["budget"], str)
    assert {type(i["met"]) for f in doc["forms"] for i in f["indicators"]} <= {bool, type(None)}
    assert code == 1  # the seed holds an error (a full score on a missed target)


def test_reports_the_six_reported_totals_in_file_order(seed, seed_xlsx, capsys):
    _, doc, _ = run_json(capsys, str(seed_xlsx))
    assert [f["project"] for f in doc["forms"]] == [s.project_name for s in seed]
    assert [D(f["reported_total"]) for f in doc["forms"]] == [D(x) for x in
                                                              ("100", "100", "87.6", "100", "100", "91.8")]
    assert all(f["year"] == "2020" and f["department"] == "昌吉州党委宣传部" for f in doc["forms"])


def test_infers_the_missing_level1_of_wenhua(seed_xlsx, capsys):
    _, doc, _ = run_json(capsys, str(seed_xlsx))
    form = form_named(doc, "文化强州专项资金")
    first = form["indicators"][0]
    assert (first["level1"], first["level2"]) == ("产出指标", "数量指标")
    inferred = findings_of(doc, "文化强州专项资金", "LEVEL1_INFERRED")
    assert inferred and all(f["severity"] == "info" for f in inferred)
    assert inferred[0]["location"]["sheet"] == "文化强州专项资金"


def test_reads_the_shifted_funds_row_of_xinwen(seed_xlsx, capsys):
    _, doc, _ = run_json(capsys, str(seed_xlsx))
    funds = form_named(doc, "新闻出版电影放映工作经费")["funds"]
    assert (D(funds["budget"]), D(funds["executed"]), D(funds["execution_rate"])) == (D(5), D(5), D(1))
    assert D(funds["score"]) == D(10)


def test_flags_the_satisfaction_row_of_yiqing_with_its_cell(seed_xlsx, capsys):
    _, doc, _ = run_json(capsys, str(seed_xlsx))
    errors = [f for f in doc["findings"]
              if f["project"] == "疫情防控宣传补助经费" and f["severity"] == "error"]
    satisfaction = [f for f in errors if "满意度" in f["indicator"]]
    assert len(satisfaction) == 1
    finding = satisfaction[0]
    assert D(finding["reported"]) == D(10) and D(finding["expected"]) < D(10)
    assert finding["location"]["sheet"] == "疫情防控宣传补助经费"
    row = next(i for i in form_named(doc, "疫情防控宣传补助经费")["indicators"] if "满意度" in i["name"])
    assert row["met"] is False and row["cell"]
    # the location is the reported score cell on the same row as the indicator
    assert finding["location"]["cell"].lstrip("ABCDEFGHIJ") == row["cell"].lstrip("ABCDEFGHIJ")


def test_flags_the_two_cost_rows_of_wenhua_scored_by_different_rules(seed_xlsx, capsys):
    _, doc, _ = run_json(capsys, str(seed_xlsx))
    mixed = findings_of(doc, "文化强州专项资金", "MIXED_RULES")
    assert len(mixed) == 1 and mixed[0]["severity"] == "warning"
    assert "90万元" in mixed[0]["message"] and "820.58万元" in mixed[0]["message"]


def test_level1_weight_deviations_are_info(seed_xlsx, capsys):
    _, doc, _ = run_json(capsys, str(seed_xlsx))
    nonstandard = [f for f in doc["findings"] if f["code"] == "LEVEL1_WEIGHTS_NONSTANDARD"]
    assert {f["project"] for f in nonstandard} == {"文化强州专项资金", "新闻出版电影放映工作经费",
                                                   "疫情防控宣传补助经费"}
    assert all(f["severity"] == "info" for f in nonstandard)
    assert any(f["reported"] == "70/10/10/10" for f in nonstandard)


def test_text_report_is_chinese_and_names_cells(seed_xlsx, capsys):
    code = main(["check", str(seed_xlsx)])
    out = capsys.readouterr().out
    assert code == 1
    assert "疫情防控宣传补助经费" in out and "错误 MISSED_TARGET_FULL_SCORE" in out
    assert "来源：昌吉州党委宣传部.xlsx｜疫情防控宣传补助经费!A1" in out
    # inside its form's block a finding names only its cell
    block = out.split("── 疫情防控宣传补助经费 ")[1].split("\n\n")[0]
    assert "MISSED_TARGET_FULL_SCORE" in block and block.split("MISSED_TARGET_FULL_SCORE")[1].split("\n")[0].endswith("@ H28")


def test_the_platform_pack_caps_a_low_execution_total(seed_xlsx, capsys):
    code = main(["check", "--json", "--rules", "platform_example", str(seed_xlsx)])
    doc = json.loads(capsys.readouterr().out)
    yiqing = form_named(doc, "疫情防控宣传补助经费")
    assert D(yiqing["total"]) <= D(69)  # 执行率 59 % caps the total under the platform pack
    assert code == 1


def test_a_users_rule_file_changes_a_formula_without_code(seed_xlsx, tmp_path, capsys):
    # a province that scores missed cost ceilings linearly and treats bare cost values as floors
    pack = tmp_path / "省级规则.toml"
    pack.write_text(
        'extends = "national"\nname = "province"\ntitle = "某省规则"\n\n'
        '[bare_defaults]\ndefault = ">="\nby_level2 = []\n',
        encoding="utf-8",
    )
    _, national, _ = run_json(capsys, str(seed_xlsx))
    _, province, _ = run_json(capsys, "--rules", str(pack), str(seed_xlsx))

    def cost_row(doc):
        form = form_named(doc, "疫情防控宣传补助经费")
        return next(i for i in form["indicators"] if i["level2"] == "成本指标")

    # 115.8 → 68.43: a ceiling under the national pack (full marks), a floor under this one
    assert D(cost_row(national)["score"]) == D(10)
    assert D(cost_row(province)["score"]) == D("5.91")
    assert cost_row(province)["met"] is False


def test_a_bad_rules_file_is_exit_2_with_a_chinese_line(seed_xlsx, tmp_path, capsys):
    bad = tmp_path / "坏规则.toml"
    bad.write_text("this is = = not toml", encoding="utf-8")
    assert main(["check", "--rules", str(bad), str(seed_xlsx)]) == 2
    err = capsys.readouterr().err
    assert "坏规则.toml" in err and "Traceback" not in err


@pytest.mark.parametrize("case", ["text_as_xlsx", "empty", "truncated", "encrypted", "zip_bomb"])
def test_unreadable_inputs_exit_2_naming_the_file(case, tmp_path, capsys):
    bad = write_bad_inputs(tmp_path / "bad")[case]
    before = sorted(os.listdir(tmp_path / "bad"))
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert bad.name in err and "Traceback" not in err
    assert len(err.splitlines()) == 1
    assert sorted(os.listdir(tmp_path / "bad")) == before  # nothing written anywhere


def test_missing_file_is_exit_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "不存在.xlsx")]) == 2
    assert "不存在.xlsx" in capsys.readouterr().err


@pytest.mark.parametrize("case", ["empty_sheet", "no_form"])
def test_a_workbook_without_a_form_is_an_error_finding(case, tmp_path, capsys):
    bad = write_bad_inputs(tmp_path / "bad")[case]
    code, doc, _ = run_json(capsys, str(bad))
    assert doc["forms"] == []
    assert code in (1, 2)
    if code == 1:
        assert any(f["code"] == "NO_FORM" and f["severity"] == "error" for f in doc["findings"])


def test_one_bad_file_among_good_ones_still_reports_the_good_ones(seed_xlsx, tmp_path, capsys):
    bad = write_bad_inputs(tmp_path / "bad")["text_as_xlsx"]
    code, doc, err = run_json(capsys, str(seed_xlsx), str(bad))
    assert code == 2 and len(doc["forms"]) == 6
    assert bad.name in err


def test_file_level_findings_read_cleanly_in_the_text_report(tmp_path, capsys):
    bad = write_bad_inputs(tmp_path / "bad")["no_form"]
    assert main(["check", str(bad)]) == 1
    line = next(l for l in capsys.readouterr().out.splitlines() if "NO_FORM" in l)
    assert "NO_FORM “" in line and "：“" not in line.split("NO_FORM")[1][:3]


def test_command_line_mistakes_are_explained_in_chinese(capsys):
    for argv, expected in ((["check"], "缺少必需的参数"), (["check", "--workers", "x", "a.xlsx"], "不是有效的值"),
                           (["不存在的命令"], "无效的选择")):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert expected in err and "用法：" in err
        assert "usage" not in err and "error" not in err and "required" not in err
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "显示本帮助并退出" in out and "show this help" not in out
