"""Legacy .xls (BIFF8) workbooks, as older county systems still export them, read like .xlsx."""

from __future__ import annotations

from decimal import Decimal as D

from fixtures.builders import load_seed, write_national_xlsx
from lo import convert, requires_soffice
from xltools.readers.files import read_forms


@requires_soffice
def test_seed_saved_as_xls_by_libreoffice_reads_the_same(seed_path, tmp_path):
    seed = load_seed(seed_path)
    xlsx = write_national_xlsx(seed, tmp_path / "自评表.xlsx")
    xls = convert(xlsx, "xls", tmp_path / "xls", profile_dir=tmp_path / "profile")
    assert xls.suffix == ".xls" and xls.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    from_xls = read_forms(xls).forms
    from_xlsx = read_forms(xlsx).forms
    assert [f.project_name for f in from_xls] == [s.project_name for s in seed]
    assert [D(f.reported_total.text) for f in from_xls] == [D(f.reported_total.text) for f in from_xlsx]
    # merged cells survive: 文化强州's empty 一级 is still inferred, the split funds row still reads 5/5
    wenhua = next(f for f in from_xls if f.project_name == "文化强州专项资金")
    assert wenhua.indicators[0].level1 == "产出指标" and wenhua.indicators[0].level1_inferred
    xinwen = next(f for f in from_xls if f.project_name == "新闻出版电影放映工作经费")
    total = xinwen.funds_row("total")
    assert (total.budget.value, total.executed.value) == (D(5), D(5))
    assert all(f.source.file == "自评表.xls" for f in from_xls)
    # the same .xls renamed .xlsx (a common mistake): read by its content, not refused as damaged
    renamed = tmp_path / "改了扩展名.xlsx"
    renamed.write_bytes(xls.read_bytes())
    assert [f.project_name for f in read_forms(renamed).forms] == [s.project_name for s in seed]
