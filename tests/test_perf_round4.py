"""Round 4 of the consolidate speed work: the faster paths give exactly what the slow ones gave.

Covers the cell constructors without the frozen ``__init__`` (``model.make_cell``,
``model.make_source``), the label index's per-text key cache, the precomputed quanta of
``round_half_up`` and the per-row escape test of ``summary.render_row``.
"""

from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal

import pytest

from xltools.core.decimals import round_half_up
from xltools.core.model import Cell, Source, make_cell, make_source
from xltools.readers.grid import Grid
from xltools.readers.layouts import common as C
from xltools.writers import summary_workbook as S


def test_made_cells_equal_cells_built_the_usual_way():
    src = make_source("昌吉州教育局.xlsx", "访惠聚经费", "E12")
    made = make_cell("≥10次", src, "0%", True)
    usual = Cell("≥10次", Source("昌吉州教育局.xlsx", "访惠聚经费", "E12"), "0%", True)
    assert made == usual and hash(made) == hash(usual) and repr(made) == repr(usual)
    assert type(made) is Cell and type(src) is Source
    assert pickle.loads(pickle.dumps(made)) == usual
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.value = "改了"  # type: ignore[misc]
    assert make_cell(None, None) == Cell(None)


def test_grid_cells_keep_value_address_and_uncached_formula():
    g = Grid("a.xlsx", "表1", [["项目名称", "城乡环境整治", None], ["分值", Decimal("10"), None]],
             origin=(2, 1), merged=[(1, 1, 1, 2)], no_cache={(1, 1)})
    assert g.cell(0, 1) == Cell("城乡环境整治", Source("a.xlsx", "表1", "C3"))
    assert g.cell(1, 2) == Cell(Decimal("10"), Source("a.xlsx", "表1", "C4"), None, True)
    assert g.cell(1, 2) is g.cell(1, 1)  # a merged follower is its anchor's cell
    assert g.source(1, 0) == Source("a.xlsx", "表1", "B4")


def test_label_index_files_each_text_under_the_same_key_every_time():
    rows = [["项目名称：城乡环境整治", None, "绩 效 指 标"],
            ["其中：当年财政拨款", "长" * 200, "一级指标"],
            ["指标1:全县参合人数", Decimal("5"), "说明：这是一句很长的说明文字" * 3]]
    first = C.LabelIndex.build(Grid("a.xlsx", "表1", rows))
    again = C.LabelIndex.build(Grid("b.xlsx", "表1", rows))  # now from the cache
    assert first == again
    assert first.row_keys[0] == [(0, "项目名称"), (2, "绩效指标")]
    assert first.row_keys[1] == [(0, "当年财政拨款"), (2, "一级指标")]  # the long text is no label
    assert first.row_keys[2] == [(0, "全县参合人数")]
    assert first.positions["项目名称"] == [(0, 0)]


@pytest.mark.parametrize("value, places, expected", [
    ("2.345", 2, "2.35"), ("-2.345", 2, "-2.35"), ("87.6", 0, "88"), ("0.76045", 4, "0.7605"),
    ("1.23456789012", 10, "1.2345678901"), ("1250", -2, "1.3E+3"),
])
def test_round_half_up_with_and_without_a_precomputed_quantum(value, places, expected):
    assert str(round_half_up(Decimal(value), places)) == expected


SPEC = S.RowSpec(("A", "B", "C", "D"), ("4", "5", "6", "7"), "3", "8")


@pytest.mark.parametrize("values", [
    ("_x00", "41_", "正常文本", Decimal("9.5")),  # a look-alike split over two cells
    ("举办培训班次数", "A&B", "<r>x</r>", None),
    ("控制字符\x01", " 前导空格", "结尾空格 ", Decimal("1E+3")),
    ("普通", "文本", "", "_x0041_"),
])
def test_render_row_escapes_exactly_like_one_cell_at_a_time(values):
    rendered = S.render_row(values, SPEC)
    expected = []
    for letter, xf, value in zip(SPEC.letters, SPEC.number_xf, values):
        if value is None or value == "":
            continue
        if isinstance(value, Decimal):
            expected.append(f'<c r="{letter}{S.ROW}" s="{xf}"><v>{float(value):.16G}</v></c>')
        else:
            cell = S._string_cell(letter + S.ROW, value, SPEC.text_xf)
            if cell is None:  # a rich-string look-alike: the whole row takes the slow path
                assert rendered is None
                return
            expected.append(cell)
    assert rendered[0] == f'<row r="{S.ROW}">{"".join(expected)}</row>'
