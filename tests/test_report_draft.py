"""The draft 绩效自评报告 (issue 13): outline, numbers equal to the 部门汇总, owed reminders,
wording as data, an official page, and LibreOffice converting it to PDF."""

from __future__ import annotations

import dataclasses
import doctest
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from fixtures.builders import synthetic_form, write_national_xlsx
from lo import soffice_available, soffice_binary

import xltools
from xltools.pipeline import check_files
from xltools.writers import report_draft
from xltools.writers.report_draft import chart, document, facts, outline, wording
from xltools.writers.report_draft import load_wording, write_report_docx
from xltools.writers.report_draft.wording import WordingError
from xltools.writers.summary_workbook import write_summary

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "workbooks" / "samples"
HEADINGS = ("一、基本情况", "二、绩效目标完成情况", "（一）总体完成情况", "（二）各项目完成情况",
            "三、自评结果", "四、存在的问题及原因", "五、改进措施及结果应用",
            "附表：项目支出绩效自评结果汇总表")


def _text(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def _table_text(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


@pytest.fixture(scope="module")
def sample_draft(tmp_path_factory):
    out = tmp_path_factory.mktemp("draft")
    report = check_files([SAMPLES])
    path = write_report_docx(report, out / "绩效自评报告.docx")
    summary = write_summary(report, out / "部门汇总.xlsx")
    return path, summary, report


def test_module_doctests():
    for module in (facts, wording, outline, document):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_every_heading_is_present_and_is_a_navigable_heading(sample_draft):
    doc = docx.Document(str(sample_draft[0]))
    styles = {p.text: p.style.name for p in doc.paragraphs}
    for title in HEADINGS:
        assert title in styles, title
        assert styles[title] in ("Heading 1", "Heading 2"), (title, styles[title])
    assert doc.paragraphs[0].style.name == "Title"
    assert doc.paragraphs[0].text == "昌吉州党委宣传部2020年度项目支出绩效自评报告"
    outline = {s.name: s.element.pPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}outlineLvl") for s in
        (doc.styles["Heading 1"], doc.styles["Heading 2"])}
    assert outline["Heading 1"].get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") == "0"
    assert outline["Heading 2"].get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") == "1"


def test_appendix_equals_the_summary_sheet(sample_draft):
    path, summary, _ = sample_draft
    doc = docx.Document(str(path))
    appendix = _table_text(doc.tables[-1])
    ws = openpyxl.load_workbook(summary, read_only=True)["汇总"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    top = next(i for i, r in enumerate(rows) if "项目名称" in r)
    header = list(rows[top])
    data = [r for r in rows[top + 1:] if isinstance(r[0], int)]
    assert len(appendix) == len(data) + 2  # header + projects + 合计
    col = {h: header.index(h) for h in ("项目名称", "全年预算数", "全年执行数", "执行率", "复核总分", "等级")}
    for drow, srow in zip(appendix[1:-1], data):
        assert drow[1] == srow[col["项目名称"]]
        assert drow[2] == (f"{Decimal(str(srow[col['全年预算数']])):,.2f}" if srow[col["全年预算数"]] is not None else "")
        assert drow[3] == (f"{Decimal(str(srow[col['全年执行数']])):,.2f}" if srow[col["全年执行数"]] is not None else "")
        if srow[col["执行率"]] is not None:
            assert drow[4] == f"{Decimal(str(srow[col['执行率']])) * 100:.2f}%"
        if srow[col["复核总分"]] is not None:
            assert drow[6] == f"{Decimal(str(srow[col['复核总分']])):.2f}"
        assert drow[7] == (srow[col["等级"]] or "")
    # the 合计 row equals the 汇总 sheet's totals (budgets and executed summed as shown)
    budgets = sum(Decimal(str(r[col["全年预算数"]])) for r in data if r[col["全年预算数"]] is not None)
    executed = sum(Decimal(str(r[col["全年执行数"]])) for r in data if r[col["全年执行数"]] is not None)
    total = appendix[-1]
    assert total[1] == "合计"
    assert total[2] == f"{budgets:,.2f}" and total[3] == f"{executed:,.2f}"
    rate = (executed / budgets * 100).quantize(Decimal("0.01"))
    assert total[4] == f"{rate:.2f}%"
    # and the first paragraph of 一、基本情况 restates the same totals
    text = _text(doc)
    assert f"共对{len(data)}个项目" in text
    assert f"全年预算数合计{budgets:,.2f}万元" in text and f"全年执行数合计{executed:,.2f}万元" in text
    assert f"总体预算执行率为{rate:.2f}%" in text


def test_sample_draft_states_the_audit_and_misses_as_facts(sample_draft):
    path, _, report = sample_draft
    text = _text(docx.Document(str(path)))
    errors = [f for f in report.findings if f.severity == "error"]
    assert f"复核发现错误级问题{len(errors)}条" in text
    for f in errors:
        assert f.message in text
    misses = [(r.project, ir.indicator.name) for r in report.results for ir in r.indicators
              if ir.met is False]
    assert misses, "the samples hold missed targets"
    assert f"共有{len(misses)}个指标未达成年度指标值" in text
    for project, name in misses:
        assert f"{project}的“{name}”" in text
    # a low 执行率 (疫情防控宣传补助经费, 59.09 %) is named in 四、(一)
    assert "疫情防控宣传补助经费执行率为59.09%，低于90.00%" in text
    # the grade table adds up to the number of projects
    grades = next(t for t in docx.Document(str(path)).tables if _table_text(t)[0][0] == "等级")
    rows = _table_text(grades)
    assert sum(int(r[1]) for r in rows[1:-1]) == int(rows[-1][1]) == len(report.results)


def _form_set(tmp_path: Path, *, missed: bool) -> Path:
    form = synthetic_form("示例培训项目（虚构）")
    rows = [list(r) for r in form.rows]
    for r in rows:
        if len(r) > 3 and r[3] == "培训合格率":
            if missed:
                r[5], r[7], r[8] = "90%", "18", ""  # missed, and no reason given
            else:
                r[5], r[7], r[8] = "96%", "20", "/"
    for r in rows:  # keep the reported total consistent
        if r and r[0] == "总分":
            r[2] = "93.5" if missed else "95.5"
    folder = tmp_path / ("missed" if missed else "met")
    folder.mkdir()
    write_national_xlsx([dataclasses.replace(form, rows=rows)], folder / "示例.xlsx")
    return folder


def test_no_misses_gives_no_paragraph_about_misses(tmp_path):
    folder = _form_set(tmp_path, missed=False)
    out = xltools.write_report([folder], tmp_path / "met.docx")
    doc = docx.Document(str(out))
    text = _text(doc)
    assert "绩效目标完成方面" not in text and "未达成年度指标值" not in text
    assert "各项指标均已完成" in text
    # 执行率 75 % is below 90 %: stated, and its missing reason is owed
    assert "示例培训项目（虚构）执行率为75.00%，低于90.00%" in text


def test_misses_are_named_and_a_missing_reason_is_highlighted(tmp_path):
    folder = _form_set(tmp_path, missed=True)
    out = xltools.write_report(str(folder), tmp_path / "missed.docx")
    doc = docx.Document(str(out))
    text = _text(doc)
    assert "（二）绩效目标完成方面" in text
    assert "共有1个指标未达成年度指标值，涉及1个项目：示例培训项目（虚构）的“培训合格率”" in text
    para = next(p for p in doc.paragraphs if p.text.startswith("“培训合格率”"))
    assert "年度指标值≥95%，实际完成值90%，为指标值的94.74%" in para.text
    owed = [r for r in para.runs if r.font.highlight_color is not None]
    assert [r.text for r in owed] == ["（请补充偏差原因）"]
    plain = [r for r in para.runs if r.font.highlight_color is None]
    assert all("请补充" not in r.text for r in plain)


def test_department_and_year_options_and_owed_department(tmp_path):
    folder = _form_set(tmp_path, missed=False)
    report = check_files([folder])
    out = write_report_docx(report, tmp_path / "a.docx", department="某某局", year="2021")
    assert docx.Document(str(out)).paragraphs[0].text == "某某局2021年度项目支出绩效自评报告"
    # forms that disagree on the department: the title owes it
    other = tmp_path / "met" / "其他.xlsx"
    form = synthetic_form("另一个项目（虚构）")
    rows = [list(r) for r in form.rows]
    rows[1][1] = "另一局（虚构）"
    write_national_xlsx([dataclasses.replace(form, rows=rows)], other)
    doc = docx.Document(str(write_report_docx(check_files([folder]), tmp_path / "b.docx")))
    title = doc.paragraphs[0]
    assert title.text == "（请补充部门名称）2020年度项目支出绩效自评报告"
    assert [r.text for r in title.runs if r.font.highlight_color is not None] == ["（请补充部门名称）"]


def test_wording_file_extends_the_default(tmp_path):
    mine = tmp_path / "我的措辞.toml"
    mine.write_text('extends = "default"\n[sentences]\nproject_all_met = "全部指标完成。"\n'
                    '[owed]\nreason = "【待补充原因】"\n', encoding="utf-8-sig")
    folder = _form_set(tmp_path, missed=True)
    out = xltools.write_report([folder], tmp_path / "w.docx", wording=mine)
    text = _text(docx.Document(str(out)))
    assert "【待补充原因】" in text and "（请补充偏差原因）" not in text
    assert "一、基本情况" in text  # everything not overridden is the default


@pytest.mark.parametrize("content, words", [
    ('extends = "default"\n[sentences]\nproject = "{project}{预算}"\n', ["project", "{预算}", "可以使用"]),
    ('extends = "default"\n[sentences]\nprojekt = "x"\n', ["未知的句子", "projekt"]),
    ('extends = "default"\n[sentences]\nproject = "{project"\n', ["花括号不成对"]),
    ('extends = "national"\n', ["extends", "national"]),
    ('extends = "default"\n[tables]\ngrade_headers = ["等级"]\n', ["grade_headers", "3 个列标题"]),
    ('extends = "default"\nsentences = ?\n', ["格式有误", "第 2 行"]),
    ('extends = "default"\nsentences = [\n', ["格式有误", "文件末尾"]),
    ('[sentences]\nbasic = "x"\n', ["缺少"]),
])
def test_bad_wording_files_say_what_is_wrong_in_chinese(tmp_path, content, words):
    bad = tmp_path / "坏措辞.toml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(WordingError) as info:
        load_wording(bad)
    message = info.value.args[0]
    assert "坏措辞.toml" in message
    for word in words:
        assert word in message, message
    assert not any(w in message for w in ("Traceback", "Error", "Expected", "Invalid"))


def test_the_shipped_wording_uses_every_sentence_it_declares():
    w = load_wording()
    declared = set(wording.FIELDS["sentences"])
    assert set(w.data["sentences"]) == declared
    source = Path(outline.__file__).read_text(encoding="utf-8")
    for key in declared:
        assert f'"{key}"' in source, f"sentence {key} is never used"


def test_official_page_fonts_and_page_number(sample_draft):
    path = sample_draft[0]
    doc = docx.Document(str(path))
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    fonts = {name: doc.styles[name].element.rPr.find(f"{w}rFonts").get(f"{w}eastAsia")
             for name in ("Normal", "Title", "Heading 1", "Heading 2")}
    assert fonts == {"Normal": "仿宋_GB2312", "Title": "方正小标宋简体", "Heading 1": "黑体",
                     "Heading 2": "楷体_GB2312"}
    assert doc.styles["Normal"].font.size.pt == 16 and doc.styles["Title"].font.size.pt == 22
    with zipfile.ZipFile(path) as z:
        table = z.read("word/fontTable.xml").decode("utf-8")
        footer = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/footer"))
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in table
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>' in table
    assert "PAGE" in footer and "fldChar" in footer


def test_chart_is_drawn_from_the_grade_counts():
    png = chart.grade_chart([("优", 3), ("良", 1), ("中", 0), ("差", 2)])
    if chart.cjk_font_path() is None:
        assert png is None
        return
    from PIL import Image
    import io

    image = Image.open(io.BytesIO(png))
    assert image.size == (chart.WIDTH, chart.HEIGHT)
    # bar heights follow the counts: sample the bar colour along each slot's centre
    left, right, bottom = 110, chart.WIDTH - 60, chart.HEIGHT - 90
    slot = (right - left) / 4
    heights = []
    for i in range(4):
        x = int(left + slot * (i + 0.5))
        heights.append(sum(1 for y in range(0, bottom) if image.getpixel((x, y)) == chart.BAR))
    assert heights[1] == 0 or heights[0] > heights[3] > heights[1] > heights[2] == 0


def test_cli_report_writes_the_draft_and_checks_its_arguments(tmp_path):
    exe = [sys.executable, "-m", "xltools", "report"]
    ok = subprocess.run([*exe, str(SAMPLES), "-o", str(tmp_path / "新文件夹" / "报告.docx")],
                        capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert "自评报告初稿已写入" in ok.stdout and (tmp_path / "新文件夹" / "报告.docx").is_file()
    for args, words in (([str(SAMPLES), "-o", str(tmp_path / "报告.xlsx")], "须保存为 .docx"),
                        ([str(tmp_path / "没有这个文件夹"), "-o", str(tmp_path / "r.docx")], "不存在"),
                        ([str(SAMPLES), "-o", str(tmp_path / "r.docx"), "--year", "20"], "四位年份"),
                        ([str(SAMPLES)], "-o")):
        bad = subprocess.run([*exe, *args], capture_output=True, text=True, encoding="utf-8", timeout=300)
        assert bad.returncode == 2 and words in bad.stderr and "Traceback" not in bad.stderr, bad.stderr
    shown = subprocess.run([*exe, "--show-wording"], capture_output=True, text=True, encoding="utf-8")
    assert shown.returncode == 0 and shown.stdout == wording.default_wording_text()


def test_refuses_to_write_over_an_input(tmp_path):
    folder = _form_set(tmp_path, missed=False)
    target = folder / "示例.xlsx"
    before = target.read_bytes()
    with pytest.raises(report_draft.OutputError):
        write_report_docx(check_files([folder]), target)
    assert target.read_bytes() == before


@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_the_draft_to_pdf(sample_draft, tmp_path):
    path = sample_draft[0]
    profile = tmp_path / "profile"
    result = subprocess.run([soffice_binary(), f"-env:UserInstallation=file://{profile}", "--headless",
                             "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                            capture_output=True, timeout=240)
    pdf = tmp_path / (path.stem + ".pdf")
    assert result.returncode == 0 and pdf.is_file(), result.stderr
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        for title in ("一、基本情况", "五、改进措施及结果应用", "附表"):
            assert title in text
        assert "— 2 —" in text or "—2—" in text.replace(" ", "")  # page numbers are rendered


def test_docs_list_every_sentence_and_field():
    doc = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    for table, keys in wording.FIELDS.items():
        for key, fields in keys.items():
            assert f"`{key}`" in doc, key
            for field in fields:
                assert f"{{{field}}}" in doc, (key, field)
    for key in wording.PLAIN_HEADINGS:
        assert f"`{key}`" in doc, key
    assert (ROOT / "docs" / "images" / "report-pages.png").is_file()
