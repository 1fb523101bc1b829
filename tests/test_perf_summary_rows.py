"""The fast row writer of the 部门汇总 produces the very bytes XlsxWriter's per-cell calls do.

``writers.summary_workbook._Sheet.write_rows`` writes data rows as XML straight into XlsxWriter's
constant_memory row file. These tests write the same rows twice — fast path on, and off (every
cell through ``write_string``/``write_number``/``write_url``) — and compare every part of the
two workbooks byte for byte, for plain rows and for rows holding everything unusual a form can
contain.
"""

from __future__ import annotations

import os
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from xltools.pipeline import ExpandedPaths, expand_paths
from xltools.writers import rows as R
from xltools.writers import summary_workbook as S
from xltools.writers.atomic import OutputError

_DATES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def _form_row(name: str, budget: str, rate: str, total: str, path: str, cell: str = "A3") -> R.Row:
    return (0, name, "中共昌吉州委宣传部", "昌吉州文化体育广播电视和旅游局", "2020",
            Decimal(budget), Decimal("760.00"), Decimal(rate), Decimal("7.60"), Decimal("45.5"),
            Decimal("25"), Decimal("9"), Decimal("88.00"), Decimal(total), "良", 1, 2,
            R.Link(f"{Path(path).name}｜项目001!{cell}", path, "项目001", cell))


def _finding_row(message: str, path: str, sheet: str = "项目001", cell: str = "E14") -> R.Row:
    return (0, "警告", "TARGET_NOT_MET", "访惠聚驻村工作经费", "群众满意度", message, "10.00",
            "9.50", R.Link(f"{Path(path).name}｜{sheet}!{cell}", path, sheet, cell))


def _indicator_row(name: str, target: str, actual: str) -> R.Row:
    return ("访惠聚驻村工作经费", "产出指标", "数量指标", name, target, actual, Decimal("10.00"),
            Decimal("9.50"), Decimal("9.67"), "否", "正向比例", "自评表.xlsx｜项目001!D14")


def _file(path: str, forms, findings, indicators) -> R.FileRows:
    keyed = tuple(((i, 1, "访惠聚驻村工作经费"), row) for i, row in enumerate(findings))
    return R.FileRows(path, tuple(forms), keyed, tuple(indicators),
                      {"error": 0, "warning": len(findings), "info": 0})


def _inputs(tmp_path: Path, n: int) -> list[str]:
    folder = tmp_path / "2020年自评表"
    folder.mkdir()
    paths = []
    for i in range(n):
        p = folder / f"自评表_{i:03d}.xlsx"
        p.write_bytes(b"PK\x03\x04 not read here")
        paths.append(str(p))
    return paths


def _write_both(tmp_path: Path, files, monkeypatch, **kw) -> tuple[dict, dict]:
    """(parts written with the fast path, parts written cell by cell)."""
    (tmp_path / "fast").mkdir()
    (tmp_path / "slow").mkdir()
    fast = S.write_rows(files, tmp_path / "fast" / "部门汇总.xlsx", **kw)
    with monkeypatch.context() as m:
        m.setattr(S, "_fast_capable", lambda ws: False)
        slow = S.write_rows(files, tmp_path / "slow" / "部门汇总.xlsx", **kw)
    return _parts(fast), _parts(slow)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: _DATES.sub(b"", z.read(n)) for n in z.namelist()}


def test_plain_rows_are_byte_identical(tmp_path, monkeypatch):
    paths = _inputs(tmp_path, 3)
    files = [
        _file(paths[0], [_form_row("访惠聚驻村工作经费", "1000.00", "0.7600", "87.60", paths[0])],
              [_finding_row("实际完成值低于年度指标值。", paths[0])],
              [_indicator_row("举办培训班次数", "≥12次", "10次"),
               _indicator_row("群众知晓率", "≥90%", "95%")]),
        _file(paths[1], [_form_row("文化强州建设", "20.5", "1.0000", "100.00", paths[1])], [], []),
        _file(paths[2], [], [], []),
    ]
    fast, slow = _write_both(tmp_path, files, monkeypatch)
    assert fast.keys() == slow.keys()
    assert [n for n in fast if fast[n] != slow[n]] == []
    assert b"inlineStr" in fast["xl/worksheets/sheet3.xml"]  # the rows are really there
    assert "访惠聚驻村工作经费".encode() in fast["xl/worksheets/sheet1.xml"]


UNUSUAL_TEXTS = [
    "  前后有空格  ",
    "\t制表符开头",
    "结尾换行\n",
    "控制字符\x01\x07在中间",
    "_x0041_ 像转义的文本",
    "<r>看起来像富文本</r>",
    'A&B <c r="A1"> "引号" 和 >',
    "=HYPERLINK(\"http://x\",\"点击\")",
    "表情😀与\ufffe非字符",
    "很长" * 9000,  # over 16,383 characters: XlsxWriter's own length check applies
    "ok",
]


def test_unusual_cells_are_byte_identical(tmp_path, monkeypatch):
    paths = _inputs(tmp_path, 4)
    indicators = [_indicator_row(text, text[:20], "完成") for text in UNUSUAL_TEXTS]
    indicators.append(("项目", None, "", "空单元格之后", True, 7, Decimal("-0.5"), Decimal("1E+3"),
                       Decimal("0.1"), 3.25, "规则", ""))  # bool, int, float and None cells
    indicators.append((None, None, "", None, None, None, None, None, None, None, None, None))
    indicators.append(_indicator_row("空行之后的行", "1", "2"))
    findings = [_finding_row(text, paths[i % 4]) for i, text in enumerate(UNUSUAL_TEXTS)]
    findings.append(_finding_row("Word 表格的位置", str(Path(paths[0]).with_suffix(".docx")), "表1"))
    findings.append(_finding_row("工作表名带引号", paths[1], "张三's 表"))
    findings.append(_finding_row("路径带 #", paths[2].replace("自评表_002", "自评#表")))
    findings.append(_finding_row("没有单元格", paths[3], "项目001", ""))
    files = [_file(p, [_form_row(f"项目{i}  ", "1000", "0.5", "60", p)],
                   findings if i == 0 else [], indicators if i == 1 else [])
             for i, p in enumerate(paths)]
    fast, slow = _write_both(tmp_path, files, monkeypatch)
    assert [n for n in fast if fast[n] != slow[n]] == []
    assert "_x0001_".encode() in fast["xl/worksheets/sheet3.xml"]


def test_link_limit_and_detail_sheets_split_the_same_way(tmp_path, monkeypatch):
    paths = _inputs(tmp_path, 2)
    monkeypatch.setattr(S, "MAX_LINKS", 3)  # the fourth link and later become plain text
    findings = [_finding_row(f"第{i}条", paths[i % 2]) for i in range(6)]
    indicators = [_indicator_row(f"指标{i}", "≥1", "1") for i in range(7)]
    files = [_file(paths[0], [_form_row("甲", "1", "1", "90", paths[0])], findings, indicators),
             _file(paths[1], [_form_row("乙", "2", "1", "80", paths[1])], [], indicators)]
    fast, slow = _write_both(tmp_path, files, monkeypatch, rows_per_sheet=5)
    assert [n for n in fast if fast[n] != slow[n]] == []
    assert "xl/worksheets/sheet5.xml" in fast  # 14 indicator rows on 3 sheets of 5
    assert fast["xl/worksheets/_rels/sheet2.xml.rels"].count(b"<Relationship ") == 3


def test_a_number_that_is_not_finite_fails_as_before(tmp_path, monkeypatch):
    paths = _inputs(tmp_path, 1)
    bad = _form_row("非数", "1", "1", "1", paths[0])
    bad = bad[:5] + (Decimal("NaN"),) + bad[6:]
    files = [_file(paths[0], [bad], [], [])]
    (tmp_path / "fast").mkdir()
    with pytest.raises(TypeError):
        S.write_rows(files, tmp_path / "fast" / "部门汇总.xlsx")
    with monkeypatch.context() as m:
        m.setattr(S, "_fast_capable", lambda ws: False)
        with pytest.raises(TypeError):
            S.write_rows(files, tmp_path / "fast" / "部门汇总.xlsx")


def test_output_that_is_an_input_is_refused(tmp_path):
    paths = _inputs(tmp_path, 3)
    files = [_file(p, [_form_row("甲", "1", "1", "90", p)], [], []) for p in paths]
    with pytest.raises(OutputError, match="是输入文件之一"):
        S.write_rows(files, paths[1])
    os.link(paths[2], tmp_path / "硬链接.xlsx")
    with pytest.raises(OutputError, match="是输入文件之一"):
        S.write_rows(files, tmp_path / "硬链接.xlsx")
    os.symlink(paths[0], tmp_path / "软链接.xlsx")
    with pytest.raises(OutputError, match="是输入文件之一"):
        S.write_rows(files, tmp_path / "软链接.xlsx", inputs=[])
    missing = str(tmp_path / "不存在.xlsx")
    with pytest.raises(OutputError, match="是输入文件之一"):
        S.write_rows(files, missing, inputs=[missing])
    assert S.write_rows(files, tmp_path / "部门汇总.xlsx", inputs=paths + [missing]).exists()


def test_expanded_paths_are_not_expanded_twice_unless_changed(tmp_path):
    paths = _inputs(tmp_path, 3)
    folder = str(Path(paths[0]).parent)
    once = expand_paths([folder, paths[1]])
    assert isinstance(once, ExpandedPaths) and once == paths
    assert expand_paths(once) == paths
    once.append(folder)  # changed by the caller: expanded (and de-duplicated) again
    assert expand_paths(once) == paths


@pytest.mark.parametrize("target", [
    "external:2020年自评表/自评表_001.xlsx",
    "external:../上级 文件夹/100%完成 [定稿].xlsx",
    "external:C:/Users/会计/Desktop/表.xlsm",
    "external://server/share/表.xlsx",
])
@pytest.mark.parametrize("anchor", ["", "'项目001'!H28", "'a/b 表'!A1", "'它''s'!Z100"])
def test_a_cloned_link_is_the_link_xlsxwriter_makes(tmp_path, target, anchor):
    """Links into a file already linked reuse its parsed ``Url``: every field must equal what
    ``Url(url)`` makes (the slow path), first link and later ones alike."""
    import xlsxwriter
    from xlsxwriter.url import Url

    ws = xlsxwriter.Workbook(str(tmp_path / "x.xlsx")).add_worksheet()
    S._URL_BASES.clear()
    url = target + ("#" + anchor if anchor else "")
    for _ in range(2):  # the first parses, the second clones
        made = S._url_object(ws, url, "自评表_001.xlsx｜项目001!H28", 0)
        expected = Url(url)
        expected.text, expected.tip = "自评表_001.xlsx｜项目001!H28", S.LINK_TIP
        assert vars(made) == vars(expected)
    assert target in S._URL_BASES
