"""The funds block reads only the cells under its headers: stray values beside a row (our own
复核得分, a filer's note) do not change how the row is read, split rows included."""

from __future__ import annotations

from decimal import Decimal

from xltools.readers.grid import Grid
from xltools.readers.layouts.common import LabelIndex
from xltools.readers.layouts.funds import read_funds

HEADER = ["项目资金       （万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率",
          "得分", None]
# the seed's 新闻出版电影放映工作经费 funds block as Word reads it: 得分 spans two grid columns,
# the total row has one cell more (a split cell) and an empty cell after 全年预算数
SPLIT_TOTAL = [None, "年度资金总额", "5", "5", None, "5", "10", "100%", "10"]
APPROPRIATION = [None, "其中：当年财政拨款", "5", "5", None, "5", "—", None, "—"]
CARRYOVER = [None, "      上年结转资金", None, None, None, "—", None, "—", None]


def funds_grid(rows, width=None):
    width = width or max(len(r) for r in rows)
    rows = [list(r) + [None] * (width - len(r)) for r in rows]
    return Grid("新闻出版.docx", "表4", rows, merged=[(0, 7, 0, 8), (0, 0, len(rows) - 1, 0)],
                kind="word_table")


def read(grid):
    block = read_funds(grid, LabelIndex.build(grid), 0, grid.height, project="新闻出版电影放映工作经费")
    assert block is not None
    return block


def total_of(block):
    return next(r for r in block.rows if r.kind == "total")


def assert_seed_total(block):
    total = total_of(block)
    assert (total.budget.text, total.executed.text) == ("5", "5")
    assert (total.weight.text, total.rate.text, total.score.text) == ("10", "100%", "10")
    assert total.executed.source.cell == "F2"  # the 5 after the empty split cell
    assert any(f.code == "ROW_REALIGNED" for f in block.findings)


def test_split_row_is_realigned():
    assert_seed_total(read(funds_grid([HEADER, SPLIT_TOTAL, APPROPRIATION, CARRYOVER])))


def test_split_row_with_a_stray_number_to_the_right():
    rows = [HEADER, SPLIT_TOTAL + ["9"], APPROPRIATION, CARRYOVER]
    block = read(funds_grid(rows))
    assert_seed_total(block)
    assert all(r.score.source.cell != "J2" for r in block.rows)


def test_split_row_with_our_review_score_and_a_note_far_right():
    rows = [HEADER, SPLIT_TOTAL + [None, Decimal("8.5"), "已核对"], APPROPRIATION + [None, "5"],
            CARRYOVER]
    block = read(funds_grid(rows))
    assert_seed_total(block)
    appropriation = next(r for r in block.rows if r.kind == "appropriation")
    assert (appropriation.budget.text, appropriation.executed.text) == ("5", "5")


def test_stray_value_left_of_the_first_header_is_ignored():
    header = ["项目资金", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    total = ["年度资金总额", None, "备注", "100", "120", "96", "10", "80%", "8"]
    grid = Grid("a.xlsx", "Sheet1", [header, total])
    row = total_of(read(grid))
    assert (row.initial_budget.text, row.budget.text, row.executed.text) == ("100", "120", "96")
    assert (row.rate.text, row.score.text) == ("80%", "8")
    assert row.initial_budget.source.cell == "D2"


def test_regular_row_with_stray_number_is_not_realigned():
    header = ["项目资金", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    total = ["年度资金总额", "100", "120", "96", "10", "80%", "8", "7.5"]
    block = read(Grid("a.xlsx", "Sheet1", [header + [None], total]))
    row = total_of(block)
    assert (row.budget.text, row.executed.text, row.score.text) == ("120", "96", "8")
    assert not any(f.code == "ROW_REALIGNED" for f in block.findings)


def test_a_note_column_with_its_own_header_is_still_the_execution_note():
    header = ["项目资金", "年初预算数", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分",
              "原因说明"]
    total = ["年度资金总额", "100", "120", "96", "80%", "10", "8", "资金未拨付"]
    block = read(Grid("川.xlsx", "Sheet1", [header, total]))
    row = total_of(block)
    assert (row.budget.text, row.executed.text, row.score.text) == ("120", "96", "8")
    assert block.note is not None and block.note.text == "资金未拨付"
