"""The Python API takes one path or many, in every common form, and says clearly what is wrong.

``xltools.consolidate("folder")`` once iterated the string's characters ("/" became the
filesystem root); ``Path`` raised ``TypeError``. Forms here are synthetic (tests/fixtures/national.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import xltools
from fixtures.national import synthetic_form, write_national_xlsx
from xltools.inputs import _count_files, as_path_list


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "收到的自评表"
    (root / "二级单位").mkdir(parents=True)
    write_national_xlsx([synthetic_form("访惠聚驻村工作经费（虚构）")], root / "宣传部.xlsx")
    write_national_xlsx([synthetic_form("疫情防控专项经费（虚构）"), synthetic_form("文化强州建设（虚构）")],
                        root / "二级单位" / "文明办.xlsx")
    return root


PROJECTS = ["访惠聚驻村工作经费（虚构）", "疫情防控专项经费（虚构）", "文化强州建设（虚构）"]


def projects(summary) -> list[str]:
    return sorted(summary.forms["项目名称"].tolist())


def test_one_string_is_one_folder(folder):
    assert projects(xltools.consolidate(str(folder))) == sorted(PROJECTS)


def test_one_path(folder):
    assert projects(xltools.consolidate(folder)) == sorted(PROJECTS)
    assert [r.project for r in xltools.check(folder / "宣传部.xlsx").results] == [PROJECTS[0]]


def test_a_list_of_strings(folder):
    s = xltools.consolidate([str(folder / "宣传部.xlsx"), str(folder / "二级单位")])
    assert s.forms["项目名称"].tolist() == PROJECTS  # input order kept


def test_a_tuple_of_paths(folder):
    s = xltools.consolidate((folder / "二级单位" / "文明办.xlsx", folder / "宣传部.xlsx"))
    assert s.forms["项目名称"].tolist() == PROJECTS[1:] + PROJECTS[:1]


def test_a_generator(folder):
    report = xltools.check(p for p in sorted(folder.rglob("*.xlsx")))
    assert sorted(r.project for r in report.results) == sorted(PROJECTS)


def test_a_string_is_never_iterated():
    assert as_path_list("/") == ["/"]
    assert as_path_list(Path("a")) == [Path("a")]
    with pytest.raises(xltools.PathNotFoundError) as err:
        xltools.consolidate("不存在的文件夹/x")
    assert err.value.path == "不存在的文件夹/x"


def test_a_missing_path_is_a_chinese_error_naming_it(folder):
    missing = folder / "没有这个文件.xlsx"
    with pytest.raises(xltools.InputError) as err:
        xltools.check([folder / "宣传部.xlsx", missing])
    assert isinstance(err.value, xltools.PathNotFoundError) and isinstance(err.value, FileNotFoundError)
    assert str(missing) in str(err.value) and "不存在" in str(err.value)


def test_not_a_path_is_a_chinese_error():
    for bad in (42, [Path("a"), 3], b"bytes"):
        with pytest.raises(xltools.InputError) as err:
            xltools.check(bad)
        assert "路径" in str(err.value)


def test_a_walk_over_the_limit_stops_and_says_so(tmp_path):
    many = tmp_path / "很多"
    many.mkdir()
    for i in range(12):
        (many / f"{i:02d}.xlsx").write_bytes(b"x")
    (many / "说明.txt").write_text("不计入")
    (many / "~$01.xlsx").write_bytes(b"lock")  # lock files are not counted either
    with pytest.raises(xltools.TooManyFilesError) as err:
        xltools.check(many, max_files=10)
    message = str(err.value)
    assert "超过 10 个" in message and str(many) in message and "max_files" in message
    assert isinstance(err.value, xltools.InputError)
    # several inputs add up
    with pytest.raises(xltools.TooManyFilesError):
        xltools.check([many, many / "00.xlsx"], max_files=12)
    # raised, or removed, the limit lets the run go on (the files are unreadable: findings)
    report = xltools.check(many, max_files=12)
    assert len(report.failed_files) == 12
    assert len(xltools.check(many, max_files=None).failed_files) == 12
    assert xltools.MAX_FILES == 20_000


def test_the_count_stops_early(tmp_path):
    for d in range(5):
        sub = tmp_path / f"d{d}"
        sub.mkdir()
        for i in range(10):
            (sub / f"{i}.docx").write_bytes(b"x")
    assert _count_files(str(tmp_path), 1000) == 50
    assert _count_files(str(tmp_path), 7) == 8  # stops at budget + 1


def test_check_returns_results_and_findings(folder):
    bad = folder / "损坏.xlsx"
    bad.write_bytes(b"not a workbook")
    report = xltools.check(folder, rules="national")
    assert len(report.results) == 3
    assert [f.code for f in report.findings if f.location and f.location.file.endswith("损坏.xlsx")] == ["READ_FAILED"]
    assert report.results[0].total is not None and report.results[0].grade


def test_the_pipeline_functions_take_one_path_too(folder):
    from xltools.pipeline import check_files, expand_paths
    from xltools.readers.files import iter_input_files

    one = str(folder / "宣传部.xlsx")
    assert expand_paths(one) == [one]
    assert list(iter_input_files(Path(one))) == [Path(one)]
    assert [r.project for r in check_files(Path(one)).results] == [PROJECTS[0]]
    assert len(check_files(str(folder)).results) == 3
