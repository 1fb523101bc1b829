"""The six seed forms written to real files in every variant, read back by ``read_forms``."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from fixtures.builders import (libreoffice_resave, load_seed, soffice_available, write_anhui_xlsx,
                               write_hebei_xlsx, write_national_xlsx, write_seed_docx,
                               write_shanxi_xlsx, write_sichuan_xlsx, write_yuan_funds_xlsx)

from xltools.core.decimals import to_decimal
from xltools.readers.files import read_forms

TOTALS = [Decimal(100), Decimal(100), Decimal("87.6"), Decimal(100), Decimal(100), Decimal("91.8")]


@pytest.fixture(scope="module")
def seed(seed_path):
    return load_seed(seed_path)


def number(cell) -> Decimal | None:
    return cell.value if isinstance(cell.value, Decimal) else to_decimal(cell.text.rstrip("%"))


def check_seed_forms(forms, seed, *, scale=Decimal(1), year="2020"):
    assert [f.project_name for f in forms] == [s.project_name for s in seed]
    assert [number(f.reported_total) for f in forms] == TOTALS
    culture = next(f for f in forms if f.project_name == "文化强州专项资金")
    inferred = [i for i in culture.indicators if i.level1_inferred]
    assert inferred and all(i.level1 == "产出指标" for i in inferred)
    assert any(f.code == "LEVEL1_INFERRED" for f in culture.read_findings)
    assert not any(i.level1_inferred for f in forms if f is not culture for i in f.indicators)
    news = next(f for f in forms if f.project_name == "新闻出版电影放映工作经费")
    total = news.funds_row("total")
    assert number(total.budget) == 5 * scale and number(total.executed) == 5 * scale
    assert total.rate.text in ("1", "100%")
    assert number(total.score) == 10
    assert any(f.code == "ROW_REALIGNED" for f in news.read_findings)
    for form in forms:
        assert form.layout == "national" and form.year.text == year
        assert form.department.text == "昌吉州党委宣传部"
        assert [r.kind for r in form.funds] == ["total", "appropriation", "carryover", "other"]
        assert form.indicators and all(i.level1 for i in form.indicators)
        assert not any(f.code == "FORM_INCOMPLETE" for f in form.read_findings)


@pytest.mark.parametrize("options", [
    {},
    {"stacked": True, "offset": (3, 2)},
    {"rate_as": "text", "numbers_as_text": True, "unit_note": True},
    {"title_rows": False, "offset": (1, 4)},
])
def test_national_workbooks(seed, tmp_path, options):
    path = write_national_xlsx(seed, tmp_path / "自评表.xlsx", **options)
    outcome = read_forms(path)
    assert outcome.findings == []
    check_seed_forms(outcome.forms, seed, year="2020" if options.get("title_rows", True) else "")
    if options.get("offset"):
        r, c = options["offset"]
        first = outcome.forms[0].source.cell
        assert first[0] == "ABCDEFGHIJ"[c]


def test_seed_as_word_document(seed, tmp_path):
    outcome = read_forms(write_seed_docx(seed, tmp_path / "自评表.docx"))
    check_seed_forms(outcome.forms, seed)  # the year is a paragraph above the table
    assert all(f.source.sheet.startswith("表") for f in outcome.forms)
    culture = outcome.forms[2]
    assert culture.funds_row("total").rate.text == "76%"


def test_funds_in_yuan(seed, tmp_path):
    outcome = read_forms(write_yuan_funds_xlsx(seed, tmp_path / "元.xlsx"))
    check_seed_forms(outcome.forms, seed)
    assert {f.money_unit for f in outcome.forms} == {"元"}
    culture = outcome.forms[2].funds_row("total")
    assert (number(culture.budget), number(culture.executed)) == (Decimal("1060.58"), Decimal("805.51"))


def test_formulas_without_cached_values_are_flagged(seed, tmp_path):
    outcome = read_forms(write_national_xlsx(seed, tmp_path / "公式.xlsx", formulas=True))
    for form in outcome.forms:
        assert form.reported_total.no_cached_value and form.reported_total.is_empty
        assert form.funds_row("total").rate.no_cached_value
        assert number(form.funds_row("total").budget) is not None


@pytest.mark.skipif(not soffice_available(), reason="LibreOffice is not installed")
def test_libreoffice_resaved_copy_has_cached_values(seed, tmp_path):
    src = write_national_xlsx(seed, tmp_path / "src" / "公式.xlsx", formulas=True)
    resaved = libreoffice_resave(src, tmp_path / "out")
    outcome = read_forms(resaved)
    # the formulas recompute from the inputs: 805.51 / 1060.58 × 10 = 7.595…, total 87.59…
    totals = [number(f.reported_total) for f in outcome.forms]
    assert all(abs(t - e) < Decimal("0.1") for t, e in zip(totals, TOTALS, strict=True))
    assert not any(f.reported_total.no_cached_value for f in outcome.forms)
    assert abs(number(outcome.forms[2].funds_row("total").score) - Decimal("7.6")) <= Decimal("0.01")


@pytest.fixture(scope="module")
def real_forms(real_forms_path):
    return json.loads(real_forms_path.read_text(encoding="utf-8"))


def test_sichuan_layout(real_forms, tmp_path):
    forms = read_forms(write_sichuan_xlsx(real_forms, tmp_path / "四川.xlsx")).forms
    assert forms and all(f.layout == "sichuan" for f in forms)
    first = forms[0]
    assert first.budget_weight_declared == Decimal(10)
    total = first.funds_row("total")
    assert number(total.initial_budget) == 0 and number(total.budget) == Decimal("3.36")
    assert number(total.weight) == 10
    assert not any(f.code == "ROW_REALIGNED" for f in first.read_findings)
    assert first.goal_expected.text.startswith("根据要求购买安可设备")
    assert first.indicators[0].target.text.startswith("=100")
    joined = [i.target.text for f in forms for i in f.indicators]
    assert "=6万元" in joined and "≥90%" in joined


def test_hebei_layout(real_forms, tmp_path):
    (form,) = read_forms(write_hebei_xlsx(real_forms, tmp_path / "河北.xlsx")).forms
    assert form.layout == "hebei" and form.project_name == "19名百岁老人高龄津贴"
    total = form.funds_row("total")
    assert number(total.budget) == Decimal("6.84") and number(total.rate) == 100
    first = form.indicators[0]
    assert first.target.text == ">=98%(百分比)"
    assert (number(first.weight), number(first.score)) == (25, 25)
    assert [i.level1 for i in form.indicators] == ["产出指标", "产出指标", "效果指标", "满意度指标"]


def test_anhui_and_shanxi_layouts(real_forms, tmp_path):
    (anhui,) = read_forms(write_anhui_xlsx(real_forms, tmp_path / "安徽.xlsx")).forms
    assert anhui.funds_row("appropriation").label.endswith("本年财政拨款")
    assert number(anhui.funds_row("appropriation").executed) == Decimal("89.974")
    assert anhui.indicators[0].level1_weight == 50
    (shanxi,) = read_forms(write_shanxi_xlsx(real_forms, tmp_path / "山西.xlsx")).forms
    assert shanxi.indicators[0].name == "全县参合人数"
    assert number(shanxi.reported_total) == 94
