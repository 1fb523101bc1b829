"""The 部门汇总 workbook written from hand-built results (no reader or engine involved)."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from xltools.core.model import (Cell, Finding, Form, FormResult, FundsResult, Indicator,
                                IndicatorResult, Measure, Source)
from xltools.pipeline import FileReport, Report, read_failed
from xltools.writers import rows as R
from xltools.writers.atomic import OutputError
from xltools.writers.summary_workbook import write_summary

INJECTION = '=HYPERLINK("http://x","点击")'


def indicator(file, sheet, row, level1, level2, name, target, actual, weight, reported, score, met,
              rule="positive"):
    src = Source(file, sheet, f"C{row}")
    ind = Indicator(level1, level2, name, target=Cell(target, src.with_cell(f"D{row}")),
                    actual=Cell(actual, src.with_cell(f"E{row}")), weight=Cell(D(weight)),
                    score=Cell(D(reported)), source=src)
    return IndicatorResult(ind, Measure("unparsed", target), Measure("unparsed", actual), D(weight),
                           D(reported), D(score), met, rule)


def result(file, sheet, project, budget, executed, total, grade, *, reported_total=None,
           indicators=(), findings=(), subtotals=None):
    budget, executed = D(budget), D(executed)
    rate = executed / budget
    funds = FundsResult(budget, executed, rate, D(10), min(D(10), D(10) * rate), rate, None)
    form = Form(Source(file, sheet, "A1"), "national", project=Cell(project),
                department=Cell("中共昌吉州委宣传部"), implementing_unit=Cell("州文明办"),
                year=Cell(D(2020)))
    return FormResult(form, funds, tuple(indicators), subtotals=subtotals or {},
                      reported_total=D(reported_total) if reported_total else None,
                      total=D(total), grade=grade, findings=tuple(findings))


@pytest.fixture
def sources(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Three input files that exist, so hyperlinks can be checked."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    a, b = folder / "宣传部.xlsx", folder / "文明办.xlsx"
    for path, sheets in ((a, ["访惠聚经费", "疫情防控"]), (b, ["文化强州"])):
        wb = openpyxl.Workbook()
        wb.active.title = sheets[0]
        for name in sheets[1:]:
            wb.create_sheet(name)
        wb.save(path)
    word = folder / "说明.docx"
    word.write_bytes(b"not really a docx")
    return a, b, word


def make_report(a: Path, b: Path, word: Path) -> Report:
    fa, fb = str(a), str(b)
    r1 = result(fa, "访惠聚经费", "访惠聚驻村工作经费", "1000", "760", "87.6", "良",
                reported_total="96",
                subtotals={"产出指标": D("50"), "效益指标": D("20"), "满意度指标": D("10")},
                indicators=[indicator(fa, "访惠聚经费", 12, "产出指标", "数量指标", INJECTION,
                                      "≥10次", "12次", "20", "20", "20", True),
                            indicator(fa, "访惠聚经费", 13, "效益指标", "社会效益指标",
                                      "群众满意度提升", "有一定增强", "有一定增强", "30", "30",
                                      "20", None, "qualitative")],
                findings=[Finding("TOTAL_MISMATCH", "error", "报告总分 96 与重算总分 87.6 不一致",
                                  project="访惠聚驻村工作经费",
                                  location=Source(fa, "访惠聚经费", "C30"),
                                  expected="87.6", reported="96")])
    r2 = result(fa, "疫情防控", "疫情防控专项经费", "200.5", "118.3", "55.1", "差",
                findings=[Finding("NO_DEVIATION_REASON", "warning", "扣分但未说明偏差原因",
                                  project="疫情防控专项经费", indicator="核酸检测覆盖率",
                                  location=Source(fa, "疫情防控", "H15"))])
    r3 = result(fb, "文化强州", "+文化强州建设", "300", "297", "95", "优")
    bad = FileReport(str(word), (), (read_failed(word, "无法读取文件 说明.docx：文件已损坏"),),
                     "无法读取文件 说明.docx：文件已损坏")
    return Report((FileReport(fa, (r1, r2)), FileReport(fb, (r3,)), bad))


@pytest.fixture
def written(tmp_path, sources):
    report = make_report(*sources)
    out = tmp_path / "out" / "部门汇总.xlsx"
    out.parent.mkdir()
    return write_summary(report, out), report, sources


def test_sheets_and_one_row_per_form(written):
    out, report, _ = written
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "问题清单", "指标明细", "图表"]
    ws = wb["汇总"]
    assert ws["A1"].value == "部门汇总（共 3 个项目）"
    assert [c.value for c in ws[2]] == [c.header for c in R.FORM_COLUMNS]
    projects = [ws.cell(r, 2).value for r in range(3, 6)]
    assert projects == ["访惠聚驻村工作经费", "疫情防控专项经费", "+文化强州建设"]
    assert ws.cell(6, 2).value == "合计"
    assert ws.freeze_panes == "C3"
    assert ws.auto_filter.ref == "A2:R5"


def test_numbers_equal_the_results_rounded_half_up(written):
    out, report, _ = written
    ws = openpyxl.load_workbook(out)["汇总"]
    r2 = report.results[1]
    row = {c.header: ws.cell(4, i + 1) for i, c in enumerate(R.FORM_COLUMNS)}
    assert row["全年预算数"].value == 200.5 and row["全年预算数"].number_format == "#,##0.00"
    assert D(str(row["执行率"].value)) == (r2.funds.execution_rate).quantize(D("0.0001"))
    assert row["执行率"].number_format == "0.00%"
    assert row["预算执行得分"].value == 5.9  # 10 × 0.590 → 5.90
    assert row["复核总分"].value == 55.1 and row["等级"].value == "差"
    assert row["错误数"].value == 0 and row["警告数"].value == 1
    first = {c.header: ws.cell(3, i + 1).value for i, c in enumerate(R.FORM_COLUMNS)}
    assert (first["产出指标"], first["效益指标"], first["满意度指标"]) == (50, 20, 10)
    assert first["报告总分"] == 96 and first["错误数"] == 1
    assert first["年度"] == "2020"


def test_totals_row_sums_and_overall_rate(written):
    out, _, _ = written
    ws = openpyxl.load_workbook(out, data_only=True)["汇总"]
    formulas = openpyxl.load_workbook(out)["汇总"]
    assert ws["F6"].value == pytest.approx(1500.5)
    assert ws["G6"].value == pytest.approx(1175.3)
    assert ws["H6"].value == pytest.approx(float((D("1175.3") / D("1500.5")).quantize(D("0.0001"))))
    assert formulas["F6"].value == "=SUM(F3:F5)"
    assert formulas["H6"].value == '=IF(F6=0,"",G6/F6)'
    assert ws["N6"].value is None  # a mean is not a total: it sits in the block below
    assert ws["B8"].value == "复核总分平均值"
    assert ws["C8"].value == pytest.approx(79.23)  # (87.6 + 55.1 + 95) / 3 = 79.233…
    assert formulas["C8"].value == "=AVERAGE(N3:N5)"
    weighted = (D("1000") * D("87.6") + D("200.5") * D("55.1") + D("300") * D("95")) / D("1500.5")
    assert ws["C9"].value == pytest.approx(float(weighted.quantize(D("0.01"))))
    block = {ws.cell(r, 2).value: ws.cell(r, 3).value for r in range(12, 16)}
    assert block == {"优": 1, "良": 1, "中": 0, "差": 1}


def test_totals_match_the_row_builder():
    rows = [(1, "甲", "", "", "", D("100.00"), D("50.00"), D("0.5"), None, None, None, None, None,
             D("60"), "中", 0, 0, None),
            (2, "乙", "", "", "", D("300.00"), D("300.00"), D("1"), None, None, None, None, None,
             D("100"), "优", 0, 0, None)]
    t = R.totals(rows)
    assert (t.budget, t.executed, t.rate) == (D("400.00"), D("350.00"), D("0.8750"))
    assert t.mean_total == D("80.00") and t.weighted_total == D("90.00")
    assert t.grades == {"优": 1, "良": 0, "中": 1, "差": 0}


def test_hyperlinks_point_to_existing_files_and_sheets(written):
    out, _, (a, b, word) = written
    wb = openpyxl.load_workbook(out)
    ws = wb["汇总"]
    for r in range(3, 6):
        cell = ws.cell(r, 18)
        link = cell.hyperlink
        assert link is not None and link.target
        target = (out.parent / link.target.replace("\\", "/")).resolve()
        assert target.is_file()
        sheet, addr = link.location.rsplit("!", 1)
        assert sheet.strip("'") in openpyxl.load_workbook(target).sheetnames
        assert cell.value == f"{target.name}｜{sheet.strip(chr(39))}!A1"
    problems = wb["问题清单"]
    links = {problems.cell(r, 3).value: problems.cell(r, 9).hyperlink for r in range(2, 5)}
    assert links["TOTAL_MISMATCH"].location == "'访惠聚经费'!C30"
    word_link = links["READ_FAILED"]
    assert word_link.location is None
    assert (out.parent / word_link.target.replace("\\", "/")).resolve() == word.resolve()


def test_formula_text_from_a_form_is_stored_as_text(written):
    out, _, _ = written
    ws = openpyxl.load_workbook(out)["指标明细"]
    names = [ws.cell(r, 4) for r in range(2, ws.max_row + 1)]
    hit = [c for c in names if c.value == INJECTION]
    assert len(hit) == 1 and hit[0].data_type == "s"
    summary = openpyxl.load_workbook(out)["汇总"]
    assert summary["B5"].value == "+文化强州建设" and summary["B5"].data_type == "s"
    with zipfile.ZipFile(out) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/s"))
    formulas = re.findall(r"<f>(.*?)</f>", xml)
    assert formulas and not any("HYPERLINK" in f for f in formulas)
    assert '<is><t>=HYPERLINK("http://x","点击")</t></is>' in xml


def test_findings_sorted_by_severity_with_unreadable_files(written):
    out, _, _ = written
    ws = openpyxl.load_workbook(out)["问题清单"]
    assert [c.value for c in ws[1]] == [c.header for c in R.FINDING_COLUMNS]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [r[1] for r in rows] == ["错误", "错误", "警告"]
    assert {r[2] for r in rows[:2]} == {"READ_FAILED", "TOTAL_MISMATCH"}
    failed = next(r for r in rows if r[2] == "READ_FAILED")
    assert failed[5] == "无法读取文件 说明.docx：文件已损坏"
    assert rows[2][4] == "核酸检测覆盖率" and rows[2][8] == "宣传部.xlsx｜疫情防控!H15"


def test_indicator_detail_long_format(written):
    out, _, _ = written
    ws = openpyxl.load_workbook(out)["指标明细"]
    assert [c.value for c in ws[1]] == [c.header for c in R.INDICATOR_COLUMNS]
    second = [c.value for c in ws[3]]
    assert second == ["访惠聚驻村工作经费", "效益指标", "社会效益指标", "群众满意度提升", "有一定增强",
                      "有一定增强", 30, 30, 20, None, "定性分档", "宣传部.xlsx｜访惠聚经费!C13"]
    assert ws.cell(2, 10).value == "是"


def test_indicator_detail_continues_on_a_second_sheet(tmp_path, sources):
    report = make_report(*sources)
    out = write_summary(report, tmp_path / "split.xlsx", rows_per_sheet=1)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "问题清单", "指标明细", "指标明细2", "图表"]
    assert wb["指标明细"].max_row == 2 and wb["指标明细2"].max_row == 2
    assert wb["指标明细2"]["D2"].value == "群众满意度提升"


def test_conditional_formats_and_charts(written):
    out, _, _ = written
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        sheet1 = z.read("xl/worksheets/sheet1.xml").decode()
        charts = [z.read(n).decode() for n in names if n.startswith("xl/charts/chart")]
    assert "H3&lt;0.9" in sheet1 or "H3<0.9" in sheet1
    assert "<formula>\"差\"</formula>" in sheet1
    assert "$P3&gt;0" in sheet1
    assert len(charts) == 2
    assert any("<c:barDir val=\"bar\"/>" in c and "汇总!$H$3:$H$5" in c for c in charts)
    assert any("<c:barDir val=\"col\"/>" in c and "图表!$B$2:$B$5" in c for c in charts)


def test_refuses_to_overwrite_an_input_and_leaves_no_temp_file(tmp_path, sources):
    a, b, word = sources
    report = make_report(a, b, word)
    before = a.read_bytes()
    with pytest.raises(OutputError, match="输入文件"):
        write_summary(report, a)
    assert a.read_bytes() == before
    other = tmp_path / "other.xlsx"
    other.write_bytes(b"keep me")
    with pytest.raises(OutputError, match="输入文件"):
        write_summary(report, other, inputs=[other])
    assert other.read_bytes() == b"keep me"
    with pytest.raises(OutputError, match=".xlsx"):
        write_summary(report, tmp_path / "汇总.xls")
    assert not list(a.parent.glob(".~xltools-*")) and not list(tmp_path.glob(".~xltools-*"))


def test_atomic_write_replaces_the_old_summary_and_cleans_up(tmp_path, sources):
    report = make_report(*sources)
    out = tmp_path / "部门汇总.xlsx"
    out.write_bytes(b"old summary")
    write_summary(report, out)
    assert zipfile.is_zipfile(out)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".~")] == []
    with pytest.raises(OutputError, match="不存在"):
        write_summary(report, tmp_path / "没有这个文件夹" / "x.xlsx")


def test_a_failure_while_writing_keeps_the_old_file(tmp_path, sources, monkeypatch):
    report = make_report(*sources)
    out = tmp_path / "部门汇总.xlsx"
    out.write_bytes(b"old summary")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("xltools.writers.summary_workbook._write_charts", boom)
    with pytest.raises(RuntimeError):
        write_summary(report, out)
    assert out.read_bytes() == b"old summary"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".~")] == []


def test_empty_report_still_writes_a_valid_workbook(tmp_path):
    out = write_summary(Report(()), tmp_path / "空.xlsx")
    ws = openpyxl.load_workbook(out)["汇总"]
    assert ws["A1"].value == "部门汇总（共 0 个项目）" and ws["B3"].value == "合计"


def test_libreoffice_converts_the_summary_to_pdf(written, tmp_path):
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    out, _, _ = written
    try:
        from lo import to_pdf  # the shared helper (tests/lo.py), when present
    except ImportError:
        to_pdf = None
    if to_pdf is not None:
        pdf = Path(to_pdf(out, tmp_path))
    else:
        profile = (tmp_path / "lo-profile").as_uri()
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(out)],
                       check=True, capture_output=True, timeout=120)
        pdf = tmp_path / "pdf" / (out.stem + ".pdf")
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "部门汇总" in text and "合计" in text


def test_no_scratch_files_are_left_however_the_writer_ends(tmp_path, monkeypatch):
    import tempfile as T

    from xltools.writers.summary_workbook import SummaryWriter

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(T, "tempdir", str(scratch))
    with SummaryWriter(tmp_path / "a.xlsx") as w:
        w.add(R.FileRows("x.xlsx", (), (), (), {"error": 0, "warning": 0, "info": 0}))
    with pytest.raises(RuntimeError):
        with SummaryWriter(tmp_path / "b.xlsx"):
            raise RuntimeError("interrupted")
    assert list(scratch.iterdir()) == []
    assert (tmp_path / "a.xlsx").is_file() and not (tmp_path / "b.xlsx").exists()
