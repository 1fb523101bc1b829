"""Word markup real forms carry, read as the filer sees the document.

Each case starts from one made-up, fully consistent national form written as .docx by the test
fixtures (budget 20, executed 20, five indicators, total 100 — read on its own it has no
finding), changes the XML the way Word, WPS or a fill-in template does, and checks what the
reader gives: content controls around a cell's text, a whole cell or whole rows; a text box
(Word stores it twice: ``mc:Choice`` and an ``mc:Fallback`` copy); ``≤`` inserted from the
Symbol font (``w:sym``); hidden template hints (``w:vanish``); a tracked move; full-width
digits with a full-width decimal point; an amount written ``20（万元）``.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from fixtures.national import write_seed_docx
from fixtures.seed import SeedForm
from xltools.core.engine import evaluate
from xltools.readers.files import read_forms

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
      'xmlns:v="urn:schemas-microsoft-com:vml" '
      'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"')
FUNDS = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
INDICATORS = [
    ["", "产出指标", "数量指标", "举办培训次数（次）", "≥10次", "12次", "20", "20", "/"],
    ["", "", "质量指标", "培训合格率", "≥95%", "96%", "15", "15", "/"],
    ["", "", "成本指标", "学员投诉率", "≤5%", "3%", "15", "15", "/"],
    ["", "效益指标", "社会效益指标", "群众知晓率", "有一定提升", "达成预期指标", "30", "30", "/"],
    ["", "满意度指标", "服务对象满意度指标", "参训人员满意度（%）", "≥85%", "90%", "10", "10", "/"],
]


def _form() -> SeedForm:
    rows = [
        ["项目名称", "干部培训经费（虚构）"],
        ["主管部门", "示例县委组织部（虚构）", "实施单位", "示例县委党校（虚构）"],
        ["项目资金（万元）", "", *FUNDS],
        ["", "年度资金总额", "20", "20", "20", "10", "100%", "10"],
        ["", "其中：当年财政拨款", "20", "20", "20", "—", "", "—"],
        ["", "上年结转资金", "", "", "", "—", "", "—"],
        ["", "其他资金", "", "", "", "—", "", "—"],
        ["年度总体目标", "预期目标", "实际完成情况"],
        ["", "完成干部培训任务。", "全面完成。"],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "年度", "实际", "分值", "得分",
         "偏差原因分析及改进措施"],
        ["", "", "", "", "指标值", "完成值", "", "", ""],
        *[list(r) for r in INDICATORS],
        ["总分", "100", "100", ""],
    ]
    return SeedForm(title_rows=[["项目支出绩效自评表"], ["（2020年度）"]], rows=rows)


def _text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def _cell(tbl, row_label: str, col: int):
    tr = next(tr for tr in tbl.iter(qn("w:tr")) if row_label in [_text(tc) for tc in tr.iter(qn("w:tc"))])
    return list(tr.iterchildren(qn("w:tc")))[col]


def _runs(tc, xml: str) -> None:
    """Replace the runs of the cell's first paragraph by ``xml`` (runs in the w namespace)."""
    p = tc.find(qn("w:p"))
    for r in p.findall(qn("w:r")):
        p.remove(r)
    for child in etree.fromstring(f"<root {NS}>{xml}</root>"):
        p.append(child)


def _wrap(element, tag: str = "w:sdt") -> None:
    """Put ``element`` inside ``<w:sdt><w:sdtContent>…`` (a content control) where it stands."""
    sdt = etree.fromstring(f"<w:sdt {NS}><w:sdtPr/><w:sdtContent/></w:sdt>")
    element.addprevious(sdt)
    sdt.find(qn("w:sdtContent")).append(element)


def _read(tmp_path: Path, change) -> tuple:
    path = tmp_path / "自评表.docx"
    write_seed_docx([_form()], path, fixed_times=True)
    document = docx.Document(str(path))
    change(document.tables[0]._tbl)
    document.save(str(path))
    outcome = read_forms(path)
    assert len(outcome.forms) == 1, outcome.findings
    form = outcome.forms[0]
    return form, evaluate(form)


def _clean(result) -> None:
    """Read exactly as the untouched form: every number, and no finding at all."""
    form = result.form
    assert form.project.text == "干部培训经费（虚构）"
    assert (result.funds.budget, result.funds.executed, result.funds.score) == (20, 20, 10)
    assert [i.name for i in form.indicators] == [r[3] for r in INDICATORS]
    assert [i.actual.text for i in form.indicators] == [r[5] for r in INDICATORS]
    assert (result.reported_total, result.total) == (100, 100)
    assert [f.code for f in result.findings] == []


def test_the_untouched_form_has_no_finding(tmp_path):
    _clean(_read(tmp_path, lambda tbl: None)[1])


def test_content_control_around_a_cells_text(tmp_path):
    def change(tbl):
        _wrap(_cell(tbl, "项目名称", 1).find(qn("w:p")))
        _wrap(_cell(tbl, "年度资金总额", 4).find(qn("w:p")))
    _clean(_read(tmp_path, change)[1])


def test_content_control_around_a_whole_cell(tmp_path):
    _clean(_read(tmp_path, lambda tbl: _wrap(_cell(tbl, "年度资金总额", 4)))[1])


def test_repeating_section_around_indicator_rows(tmp_path):
    def change(tbl):
        rows = [tr for tr in tbl.iterchildren(qn("w:tr"))
                if any(_text(tc) in ("举办培训次数（次）", "培训合格率") for tc in tr.iter(qn("w:tc")))]
        for tr in rows:
            _wrap(tr)
    _clean(_read(tmp_path, change)[1])


def test_a_number_in_a_text_box_is_read_once(tmp_path):
    inner = "<w:txbxContent><w:p><w:r><w:t>20</w:t></w:r></w:p></w:txbxContent>"
    box = (f"<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:txbx>{inner}"
           f"</wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{inner}"
           "</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>")
    _clean(_read(tmp_path, lambda tbl: _runs(_cell(tbl, "年度资金总额", 4), box))[1])


def test_less_or_equal_from_the_symbol_font(tmp_path):
    sym = '<w:r><w:sym w:font="Symbol" w:char="F0A3"/></w:r><w:r><w:t>5%</w:t></w:r>'
    form, result = _read(tmp_path, lambda tbl: _runs(_cell(tbl, "学员投诉率", 4), sym))
    assert form.indicators[2].target.text == "≤5%"
    _clean(result)


def test_hidden_template_hint_and_a_tracked_move_are_not_read(tmp_path):
    hint = '<w:r><w:rPr><w:vanish/></w:rPr><w:t>示例：≥5次</w:t></w:r><w:r><w:t>≥10次</w:t></w:r>'
    moved = '<w:moveFrom w:id="1" w:author="审核人"><w:r><w:t>96%</w:t></w:r></w:moveFrom>'

    def change(tbl):
        _runs(_cell(tbl, "举办培训次数（次）", 4), hint)
        _runs(_cell(tbl, "培训合格率", 8), '<w:r><w:t>/</w:t></w:r>' + moved)
    form, result = _read(tmp_path, change)
    assert form.indicators[0].target.text == "≥10次"
    assert form.indicators[1].deviation.text == "/"
    _clean(result)


@pytest.mark.parametrize("executed", ["２０．０", "20（万元）", "20\n万元"])
def test_amounts_typed_full_width_or_with_their_unit(tmp_path, executed):
    def change(tbl):
        parts = executed.split("\n")
        _runs(_cell(tbl, "年度资金总额", 4), "<w:r><w:br/></w:r>".join(
            f"<w:r><w:t>{p}</w:t></w:r>" for p in parts))
    form, result = _read(tmp_path, change)
    assert result.funds.executed == 20
    _clean(result)


def test_a_form_in_a_text_box_is_one_form(tmp_path):
    """Word keeps a text box twice (the DrawingML box and its VML fallback): a form table
    inside one is read once, not as two forms counted twice in the summary."""
    import copy

    def change(tbl):
        box = etree.fromstring(
            f"<w:p {NS}><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:txbx>"
            "<w:txbxContent/></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape>"
            "<v:textbox><w:txbxContent/></v:textbox></v:shape></w:pict></mc:Fallback>"
            "</mc:AlternateContent></w:r></w:p>")
        tbl.addprevious(box)
        first, second = box.iter(qn("w:txbxContent"))
        second.append(copy.deepcopy(tbl))
        first.append(tbl)
    _clean(_read(tmp_path, change)[1])


# --- where the year sits, and tables that are not forms ------------------------------------------


def _located(rows):
    from xltools.readers.grid import Grid
    from xltools.readers.locate import locate_forms

    return locate_forms(Grid("a.docx", "表1", rows, origin=(-len(rows) + 1, 0)))[0]


@pytest.mark.parametrize("year_line", ["（2020年度）", "（二〇二〇年度）", "（2020年）", "( 2020 年度 )"])
def test_the_year_line_under_the_title_wins_over_a_note_above_it(year_line):
    forms = _located([["注：年度指标值按2019年度批复的绩效目标填写。"], ["项目支出绩效自评表"],
                      [year_line], ["项目名称", "干部培训经费（虚构）"]])
    assert [(f.project_name, f.year.text) for f in forms] == [("干部培训经费（虚构）", "2020")]


def test_a_list_of_projects_is_not_a_form():
    rows = [["序号", "项目名称", "全年预算数", "全年执行数", "执行率", "自评得分", "等级"],
            ["1", "干部培训经费（虚构）", "20", "20", "100%", "100", "优"],
            ["2", "党员教育经费（虚构）", "30", "27", "90%", "95", "优"]]
    assert _located(rows) == []
    assert _located([["序号", "项目名称", "主管部门", "实施单位"], ["1", "干部培训经费", "某部", "某中心"]]) == []


def test_a_long_preamble_keeps_the_title_and_year(tmp_path):
    def change(tbl):
        body = tbl.getparent()
        for text in ("填报单位：示例县委党校（虚构）", "填表日期：2021年3月1日", "联系人：张三",
                     "联系电话：0994-1234567", "单位：万元"):
            tbl.addprevious(etree.fromstring(f"<w:p {NS}><w:r><w:t>{text}</w:t></w:r></w:p>"))
        assert body is not None
    form, result = _read(tmp_path, change)
    assert form.year.text == "2020"
    _clean(result)


# --- one form over several tables ---------------------------------------------------------------


def _split(tbl, cuts: list[str], repeat_header: bool = False) -> None:
    """Cut the form's table before the rows whose first cells read ``cuts`` (拆分表格), with a
    paragraph between the pieces; ``repeat_header`` repeats the indicator header rows at the top
    of a piece cut inside the indicator block."""
    import copy

    rows = list(tbl.iterchildren(qn("w:tr")))
    texts = ["".join(_text(tc) for tc in tr.iter(qn("w:tc"))) for tr in rows]
    header = [i for i, t in enumerate(texts) if "三级指标" in t or "指标值" in t]
    bounds = [0] + [next(i for i, t in enumerate(texts) if t.startswith(cut) or cut in t)
                    for cut in cuts] + [len(rows)]
    pieces = []
    for a, b in zip(bounds, bounds[1:]):
        piece = copy.deepcopy(tbl)
        for k, tr in enumerate(list(piece.iterchildren(qn("w:tr")))):
            if not a <= k < b:
                piece.remove(tr)
        if repeat_header and a > max(header):
            first = piece.find(qn("w:tr"))
            for k in header:
                first.addprevious(copy.deepcopy(rows[k]))
        pieces.append(piece)
    for piece in pieces:
        tbl.addprevious(piece)
        if piece is not pieces[-1]:
            tbl.addprevious(etree.fromstring(f"<w:p {NS}><w:r><w:t>（续表）</w:t></w:r></w:p>"))
    tbl.getparent().remove(tbl)


@pytest.mark.parametrize("cuts, repeat", [
    (["群众知晓率"], False),  # the indicator block cut in two
    (["群众知晓率"], True),  # … with the header repeated on the next page's table
    (["项目资金", "绩效指标"], False),  # 项目名称 / 项目资金 / 绩效指标: three tables
])
def test_a_form_over_several_tables_is_one_form(tmp_path, cuts, repeat):
    form, result = _read(tmp_path, lambda tbl: _split(tbl, cuts, repeat))
    assert form.year.text == "2020"
    _clean(result)
    last = form.indicators[-1].source
    assert last.sheet.endswith(f"表{len(cuts) + 1}")  # each cell keeps its own table's address
