"""The 部门汇总 written while the pool still reads: ``SummaryWriter`` and rows rendered in workers.

``SummaryWriter.add`` writes each file's 汇总 and 指标明细 rows as the file arrives; the 汇总
title (which names the final count), the totals, the sorted 问题清单 and 图表 are written at the
end. These tests check that the result is the workbook the whole-list writer makes: the same
bytes whether rows are written through XlsxWriter's own calls, the fast path, or rendered
beforehand (as pool workers do), and that a stopped run leaves no file behind.
"""

from __future__ import annotations

import functools
from decimal import Decimal

import openpyxl
import pytest

from test_perf_summary_rows import (_file, _finding_row, _form_row, _indicator_row, _inputs,
                                    _parts, _write_both)
from xltools.cli import main
from xltools.writers import rows as R
from xltools.writers import summary_workbook as S


def _files(paths, n_indicators=3):
    return [
        _file(p, [_form_row(f"项目{i}", str(100 + i), "0.9", str(80 + i), p)],
              [_finding_row(f"第{i}个文件的问题", p)],
              [_indicator_row(f"指标{i}-{k}", "≥10次", f"{k}次") for k in range(n_indicators)])
        for i, p in enumerate(paths)
    ]


def _rendered(writer: S.SummaryWriter, files):
    """The files as pool workers send them: indicator rows already XML where possible."""
    render = writer.detail_renderer()
    assert render is not None
    return [R.FileRows(f.path, f.forms, f.findings,
                       tuple(x if (x := render(row)) is not None else row for row in f.indicators),
                       f.counts, f.error, f.keys) for f in files]


def test_rows_rendered_in_workers_give_the_same_bytes(tmp_path):
    paths = _inputs(tmp_path, 4)
    files = _files(paths)
    files[2] = _file(paths[2], [], [], [_indicator_row("<r>像富文本</r>", "1", "2"),
                                        _indicator_row("控制字符\x01", " 前空格", "3"),
                                        (None,) * 12])
    plain = S.write_rows(files, tmp_path / "plain.xlsx")
    with S.SummaryWriter(tmp_path / "streamed.xlsx", inputs=paths) as w:
        rendered = _rendered(w, files)
        for f in rendered:
            w.add(f)
    assert sum(isinstance(x, str) for f in rendered for x in f.indicators) == 3 * 3 + 2
    assert any(not isinstance(x, str) for x in rendered[2].indicators)  # the rich-string one
    a, b = _parts(plain), _parts(tmp_path / "streamed.xlsx")
    assert [n for n in a if a[n] != b.get(n)] == []


def test_title_counts_every_form_and_sits_above_the_rows(tmp_path):
    paths = _inputs(tmp_path, 5)
    out = S.write_rows(_files(paths), tmp_path / "汇总.xlsx")
    ws = openpyxl.load_workbook(out)["汇总"]
    assert ws["A1"].value == "部门汇总（共 5 个项目）" and ws["A1"].font.b
    assert ws["B2"].value == "项目名称" and ws.row_dimensions[2].height == 30
    assert [ws.cell(r, 1).value for r in range(3, 8)] == [1, 2, 3, 4, 5]
    assert [ws.cell(r, 2).value for r in range(3, 8)] == [f"项目{i}" for i in range(5)]
    assert ws["B8"].value == "合计" and ws["F8"].value == "=SUM(F3:F7)"


def test_without_deferral_the_bytes_are_the_same(tmp_path, monkeypatch):
    paths = _inputs(tmp_path, 3)
    files = _files(paths)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    deferred = S.write_rows(files, tmp_path / "a" / "x.xlsx")
    monkeypatch.setattr(S, "_deferrable", lambda ws: False)  # rows kept, written at the end
    kept = S.write_rows(files, tmp_path / "b" / "x.xlsx")
    a, b = _parts(deferred), _parts(kept)
    assert [n for n in a if a[n] != b[n]] == []


def test_detail_sheets_are_added_when_one_fills(tmp_path, monkeypatch):
    paths = _inputs(tmp_path, 2)
    files = _files(paths, n_indicators=5)  # 10 rows: exactly two sheets of 5, not three
    fast, slow = _write_both(tmp_path, files, monkeypatch, rows_per_sheet=5)
    assert [n for n in fast if fast[n] != slow[n]] == []
    wb = openpyxl.load_workbook(tmp_path / "fast" / "部门汇总.xlsx")
    assert wb.sheetnames == ["汇总", "问题清单", "指标明细", "指标明细2", "图表"]
    assert wb["指标明细2"]["D6"].value == "指标1-4" and wb["指标明细2"].max_row == 6
    assert wb["指标明细"].auto_filter.ref == "A1:L6"


def test_findings_rendered_early_still_respect_the_link_limit(tmp_path, monkeypatch):
    paths = _inputs(tmp_path, 3)
    monkeypatch.setattr(S, "MAX_LINKS", 2)
    files = [_file(p, [_form_row("甲", "1", "1", "90", p)] if i == 0 else [],
                   [_finding_row(f"问题{i}{k}", p) for k in range(2)], [])
             for i, p in enumerate(paths)]  # 6 findings, links for the first 2 only
    fast, slow = _write_both(tmp_path, files, monkeypatch)
    assert [n for n in fast if fast[n] != slow[n]] == []
    assert fast["xl/worksheets/_rels/sheet2.xml.rels"].count(b"<Relationship ") == 2


def test_a_stopped_run_leaves_the_old_file(tmp_path):
    paths = _inputs(tmp_path, 2)
    out = tmp_path / "部门汇总.xlsx"
    out.write_bytes(b"old")
    w = S.SummaryWriter(out, inputs=paths)
    w.add(_files(paths)[0])
    w.discard()
    with pytest.raises(ZeroDivisionError):
        with S.SummaryWriter(out, inputs=paths) as w2:
            w2.add(_files(paths)[1])
            1 / 0
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["2020年自评表", "部门汇总.xlsx"])


def test_the_writer_refuses_an_input_before_anything_is_read(tmp_path):
    paths = _inputs(tmp_path, 2)
    with pytest.raises(S.OutputError):
        S.SummaryWriter(paths[0], inputs=paths)
    with pytest.raises(S.OutputError):
        S.SummaryWriter(tmp_path / "没有的文件夹" / "x.xlsx")


def test_a_pool_run_writes_the_workbook_of_a_serial_run(tmp_path):
    from fixtures.national import synthetic_form, write_national_xlsx

    folder = tmp_path / "自评表"
    folder.mkdir()
    for i in range(5):
        write_national_xlsx([synthetic_form(f"示例项目{i}（虚构）", budget=str(20 + i),
                                            executed=str(15 + i))], folder / f"表{i}.xlsx")
    (folder / "坏.xlsx").write_bytes(b"nope")
    (tmp_path / "s").mkdir()
    (tmp_path / "p").mkdir()
    assert main(["consolidate", str(folder), "-o", str(tmp_path / "s" / "汇总.xlsx"),
                 "--workers", "1"]) == 0
    assert main(["consolidate", str(folder), "-o", str(tmp_path / "p" / "汇总.xlsx"),
                 "--workers", "2"]) == 0  # rows rendered in the workers
    a, b = _parts(tmp_path / "s" / "汇总.xlsx"), _parts(tmp_path / "p" / "汇总.xlsx")
    assert [n for n in a if a[n] != b[n]] == []
    ws = openpyxl.load_workbook(tmp_path / "p" / "汇总.xlsx")["汇总"]
    assert ws["A1"].value == "部门汇总（共 5 个项目）"
    assert Decimal(str(ws["F3"].value)) == Decimal("20")
