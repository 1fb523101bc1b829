"""The page of ``xltools serve`` in Debian's chromium (Selenium): add the sample forms by the
file picker, by dropping them and by the folder picker; see the results table; sort, filter and
open a form; download the 部门汇总 and the findings and read them with openpyxl; choose a rule
pack; stop the service from the page. Every number is compared with ``xltools check --json``."""

from __future__ import annotations

import base64
import os
import shutil
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from serve_support import ROOT, SAMPLES, check_json, chromium, start_service

SCREENSHOT = ROOT / "docs" / "images" / "serve-page.png"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = start_service(tmp_path_factory.mktemp("home"))
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads):
    driver = chromium(downloads)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def cli():
    return check_json(str(SAMPLES))


def samples() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.suffix in (".xlsx", ".docx"))


def wait(driver, seconds=60):
    return WebDriverWait(driver, seconds)


def run_check(driver):
    driver.find_element(By.ID, "start").click()
    wait(driver).until(lambda d: d.execute_script(
        "const r = window.xltoolsPage.result(); return r && !document.getElementById('start').disabled"))
    return driver.execute_script("return window.xltoolsPage.result()")


def table_rows(driver) -> list[list[str]]:
    return [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in driver.find_elements(By.CSS_SELECTOR, "#forms tbody tr")]


def pct(rate: str | None) -> str:
    return "" if rate is None else f"{Decimal(rate) * 100:.2f}%"


@pytest.fixture(scope="module")
def checked(service, browser):
    """The page with the six sample files picked and checked (the tests below share it)."""
    browser.get(service.page)
    assert browser.title.startswith("xltools")
    picker = browser.find_element(By.ID, "pick-files")
    picker.send_keys("\n".join(str(p) for p in samples()))
    assert "已添加 6 个文件" in browser.find_element(By.ID, "chosen-summary").text
    return run_check(browser)


def test_pick_samples_see_results_and_download(checked, browser, downloads, cli):
    result = checked

    # the same document as `xltools check --json` of the folder (paths aside: the CLI was given
    # workbooks/samples, the page the files themselves)
    assert result["document"]["forms"] == cli["forms"]
    strip = lambda fs: [{**f, "message": f["message"].replace(str(SAMPLES) + os.sep, "")} for f in fs]
    assert strip(result["document"]["findings"]) == strip(cli["findings"])

    rows = table_rows(browser)
    assert len(rows) == len(cli["forms"]) == 17
    for row, form in zip(rows, cli["forms"]):
        assert row[1] == form["project"]
        assert row[4] == pct(form["funds"]["execution_rate"])
        assert row[6] == (form["reported_total"] or "") and row[7] == (form["total"] or "")
        assert row[8] == (form["grade"] or "")
    errors = sum(1 for f in cli["findings"] if f["severity"] == "error")
    warnings = sum(1 for f in cli["findings"] if f["severity"] == "warning")
    totals = browser.find_element(By.ID, "totals").text
    assert f"错误 {errors} 条，警告 {warnings} 条" in totals and "17 个表单" in totals
    assert [int(r[9]) for r in rows] and sum(int(r[9]) for r in rows) <= errors

    # the screenshot in the README
    browser.find_element(By.CSS_SELECTOR, "#forms tbody tr:nth-child(2)").click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "detail")))
    browser.set_window_size(1400, 1500)
    browser.execute_script("document.getElementById('results').scrollIntoView()")
    shot = downloads / "serve-page.png"
    browser.save_screenshot(str(shot))
    browser.set_window_size(1400, 1000)
    assert shot.stat().st_size > 20_000
    if os.environ.get("XLTOOLS_UPDATE_SCREENSHOTS"):
        from PIL import Image

        with Image.open(shot) as image:  # 256 colours: a third of the size, the same to the eye
            image.convert("RGB").quantize(256).save(SCREENSHOT, optimize=True)
    with open(SCREENSHOT, "rb") as fh:  # the README's picture is this page
        data = fh.read()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and 20_000 < len(data) < 300_000

    # downloads, by the page's links, checked with openpyxl
    browser.find_element(By.ID, "dl-summary").click()
    browser.find_element(By.ID, "dl-findings").click()
    browser.find_element(By.ID, "dl-report").click()
    summary, findings = downloads / "部门汇总.xlsx", downloads / "问题清单.xlsx"
    report = downloads / "绩效自评报告.docx"
    deadline = time.time() + 30
    while time.time() < deadline and not (summary.exists() and findings.exists() and report.exists()):
        time.sleep(0.2)
    wb = openpyxl.load_workbook(summary, read_only=True)
    assert {"汇总", "问题清单", "指标明细"} <= set(wb.sheetnames)
    values = list(wb["汇总"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(values) if r and r[0] == "序号")
    names = values[header]
    body = [r for r in values[header + 1:header + 1 + len(cli["forms"])]]
    col = {name: i for i, name in enumerate(names)}
    for row, form in zip(body, cli["forms"]):
        assert row[col["项目名称"]] == form["project"]
        total = row[col["复核总分"]]
        assert (None if total is None else Decimal(str(total)).quantize(Decimal("0.01"))) == \
            (None if form["total"] is None else Decimal(form["total"]).quantize(Decimal("0.01")))
        assert (row[col["等级"]] or None) == form["grade"]
    wf = openpyxl.load_workbook(findings, read_only=True)
    listed = [r for r in wf["问题清单"].iter_rows(min_row=2, values_only=True) if r[0] is not None]
    assert len(listed) == len(cli["findings"])
    assert sorted(r[2] for r in listed) == sorted(f["code"] for f in cli["findings"])
    import docx  # the draft report: the same forms as the CLI, its 附表 rows are the forms

    draft = docx.Document(str(report))
    appendix = [[c.text for c in r.cells] for r in draft.tables[-1].rows]
    assert [r[1] for r in appendix[1:-1]] == [f["project"] for f in cli["forms"]]


def test_sort_filter_and_detail(checked, browser, cli):
    headers = browser.find_elements(By.CSS_SELECTOR, "#forms thead th")
    total_th = next(th for th in headers if th.text.startswith("复核总分"))
    total_th.click()
    totals = [r[7] for r in table_rows(browser)]
    numbers = [Decimal(t) for t in totals if t]
    assert numbers == sorted(numbers) and "asc" in total_th.get_attribute("class")
    total_th = next(th for th in browser.find_elements(By.CSS_SELECTOR, "#forms thead th")
                    if th.text.startswith("复核总分"))
    total_th.click()
    numbers = [Decimal(r[7]) for r in table_rows(browser) if r[7]]
    assert numbers == sorted(numbers, reverse=True)

    project = cli["forms"][0]["project"]
    box = browser.find_element(By.ID, "filter")
    box.send_keys(project[:6])
    rows = table_rows(browser)
    assert rows and all(project[:6] in " ".join(r) for r in rows) and len(rows) < 17
    box.clear()
    box.send_keys("x")
    box.clear()
    browser.execute_script("document.getElementById('filter').dispatchEvent(new Event('input'))")
    browser.find_element(By.ID, "only-errors").click()
    rows = table_rows(browser)
    assert rows and all(int(r[9]) > 0 for r in rows)
    browser.find_element(By.ID, "only-errors").click()
    assert len(table_rows(browser)) == 17

    # a form's indicators and findings, each with file, sheet and cell
    wanted = next(i for i, f in enumerate(cli["forms"]) if any(
        x["severity"] == "error" and x["project"] == f["project"] for x in cli["findings"]))
    form = cli["forms"][wanted]
    row = browser.find_element(By.CSS_SELECTOR, f"#forms tbody tr[data-index='{wanted}']")
    row.click()
    assert browser.find_element(By.ID, "detail-title").text == form["project"]
    indicators = browser.find_elements(By.CSS_SELECTOR, "#indicators tbody tr")
    assert len(indicators) == len(form["indicators"])
    first = indicators[0].find_elements(By.TAG_NAME, "td")
    assert first[2].text == form["indicators"][0]["name"]
    assert first[-1].text == f"{form['source']['sheet']}!{form['indicators'][0]['cell']}"
    items = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#detail-findings li")]
    mine = [f for f in cli["findings"] if f["project"] == form["project"]
            and f["location"] and f["location"]["file"] == form["source"]["file"] and f["code"] != "DUPLICATE_FORM"]
    assert len(items) == len(mine)
    for f in mine:
        loc = f["location"]
        assert any(f["message"] in t and f"{loc['file']}｜{loc['sheet']}!{loc['cell']}" in t for t in items)


def test_drop_files_and_a_folder_and_choose_rules(service, browser, tmp_path):
    browser.get(service.page)
    sample = SAMPLES / "河北_自评表示例.xlsx"
    data = base64.b64encode(sample.read_bytes()).decode("ascii")
    browser.execute_script("""
        const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], arguments[1]));
        dt.items.add(new File(["x"], "说明.txt"));
        const drop = document.getElementById('drop');
        drop.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
        drop.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    """, data, sample.name)
    wait(browser, 10).until(lambda d: "已添加 1 个文件" in d.find_element(By.ID, "chosen-summary").text)
    assert "1 个不是自评表文件" in browser.find_element(By.ID, "chosen-summary").text

    folder = tmp_path / "2020年自评表"
    (folder / "子目录").mkdir(parents=True)
    shutil.copyfile(SAMPLES / "山西_自评表示例.xlsx", folder / "山西.xlsx")
    shutil.copyfile(SAMPLES / "安徽_自评表示例.xlsx", folder / "子目录" / "安徽.xlsx")
    (folder / "~$山西.xlsx").write_bytes(b"lock")
    browser.find_element(By.ID, "pick-folder").send_keys(str(folder))
    wait(browser, 10).until(lambda d: "已添加 3 个文件" in d.find_element(By.ID, "chosen-summary").text)
    listed = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#chosen-list li")]
    assert "2020年自评表/子目录/安徽.xlsx" in listed

    browser.find_element(By.CSS_SELECTOR, "#rules option[value='platform_example']").click()
    result = run_check(browser)
    expected = check_json("--rules", "platform_example", str(sample), str(folder / "山西.xlsx"),
                          str(folder / "子目录" / "安徽.xlsx"))
    key = lambda f: (f["source"]["file"], f["source"]["sheet"])
    assert sorted(result["document"]["forms"], key=key) == sorted(expected["forms"], key=key)
    assert len(table_rows(browser)) == len(expected["forms"])


def test_uploaded_rule_pack_is_used(service, browser, tmp_path):
    rules = tmp_path / "本省规则.toml"
    rules.write_text('extends = "national"\n[grades]\nlevels = [{ name = "优", min = "99" }, '
                     '{ name = "良", min = "80" }, { name = "中", min = "60" }, { name = "差", min = "0" }]\n',
                     encoding="utf-8")
    browser.get(service.page)
    browser.find_element(By.ID, "pick-files").send_keys(str(SAMPLES / "昌吉州党委宣传部2020_自评表.xlsx"))
    browser.execute_script("const s = document.getElementById('rules'); s.value = 'upload';")
    browser.find_element(By.ID, "rules-file").send_keys(str(rules))
    wait(browser, 10).until(lambda d: d.find_element(By.ID, "rules-name").text == rules.name)
    result = run_check(browser)
    expected = check_json("--rules", str(rules), str(SAMPLES / "昌吉州党委宣传部2020_自评表.xlsx"))
    assert result["document"]["forms"] == expected["forms"]
    grades = [r[8] for r in table_rows(browser)]
    assert grades == [f["grade"] for f in expected["forms"]]
    # 95.32 is 优 by the national pack, 良 by this one
    assert [r[8] for r in table_rows(browser) if r[7] == "95.32"] == ["良"]


def test_dropped_folder_is_walked_with_its_subfolders(service, browser):
    """A folder dropped from the file manager arrives as a DataTransferItem whose
    webkitGetAsEntry() is a directory entry; its reader hands out entries in pieces until an
    empty one. (A script cannot make real directory entries, so they are built here with the
    same interface.)"""
    browser.get(service.page)
    paths = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const file = (path) => ({isFile: true, isDirectory: false, fullPath: path,
                                 file: (ok) => ok(new File(["x"], path.split('/').pop()))});
        const dir = (path, pieces) => ({isFile: false, isDirectory: true, fullPath: path,
            createReader: () => { let i = 0; return {readEntries: (ok) => ok(pieces[i++] || [])}; }});
        const tree = dir("/2020年自评表", [
            [file("/2020年自评表/a.xlsx"), file("/2020年自评表/说明.txt")],
            [dir("/2020年自评表/乡镇", [[file("/2020年自评表/乡镇/b.docx"), file("/2020年自评表/乡镇/~$b.docx")]])]]);
        const item = {kind: "file", webkitGetAsEntry: () => tree, getAsFile: () => null};
        const loose = {kind: "file", webkitGetAsEntry: () => null, getAsFile: () => new File(["y"], "c.xls")};
        window.xltoolsPage.fromDrop({items: [item, loose], files: []}).then((items) => {
            window.xltoolsPage.add(items);
            done(window.xltoolsPage.chosen());
        });
    """)
    assert paths == ["2020年自评表/a.xlsx", "2020年自评表/乡镇/b.docx", "c.xls"]
    assert "另有 2 个不是自评表文件" in browser.find_element(By.ID, "chosen-summary").text


def test_shutdown_button_stops_the_service(tmp_path):
    svc = start_service(tmp_path / "home")
    driver = chromium()
    try:
        driver.get(svc.page)
        driver.find_element(By.ID, "shutdown").click()
        wait(driver, 20).until(lambda d: "已停止" in d.find_element(By.TAG_NAME, "main").text)
        assert svc.proc.wait(timeout=20) == 0
    finally:
        driver.quit()
        svc.stop()
