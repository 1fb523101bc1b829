"""Helpers for the ``xltools serve`` tests: a real service in a subprocess, HTTP calls with any
headers, Debian's chromium driven by Selenium, and a workbook described for the fake WPS model.

Nothing here downloads a browser: Selenium is given /usr/bin/chromium and /usr/bin/chromedriver.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "workbooks" / "samples"
ADDIN = ROOT / "wps_addin"
FAKE_ET = Path(__file__).resolve().parent / "wps_fake" / "fake_et.js"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
URL_LINE = re.compile(r"(http://127\.0\.0\.1:(\d+)/)\?token=([A-Za-z0-9_\-]+)")


@dataclass
class Service:
    proc: subprocess.Popen
    base: str  # http://127.0.0.1:PORT/
    port: int
    token: str
    home: Path

    @property
    def page(self) -> str:
        return f"{self.base}?token={self.token}"

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                token: bool = True, host: str | None = None) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": host or f"127.0.0.1:{self.port}"}
        if token:
            sent["X-XLTools-Token"] = self.token
        sent.update(headers or {})
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in sent.items():
            conn.putheader(k, v)
        if body is not None and "Content-Length" not in sent and "Transfer-Encoding" not in sent:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        if body is not None:
            conn.send(body)
        response = conn.getresponse()
        data = response.read()
        result = response.status, {k.lower(): v for k, v in response.getheaders()}, data
        conn.close()
        return result

    def json(self, method: str, path: str, payload=None, **kw):
        body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"} if body is not None else {}
        status, _, data = self.request(method, path, body, headers, **kw)
        return status, (json.loads(data) if data and data[:1] in (b"{", b"[") else data)

    def upload(self, batch: str, name: str, data: bytes) -> tuple[int, dict]:
        from urllib.parse import quote

        status, _, body = self.request("PUT", f"/api/v1/batches/{batch}/files?path={quote(name)}", data)
        return status, json.loads(body)

    def check(self, batch: str, rules: str = "national", rules_toml: str | None = None) -> list[dict]:
        body = json.dumps({"rules": rules, "rules_toml": rules_toml}, ensure_ascii=False).encode("utf-8")
        status, headers, data = self.request("POST", f"/api/v1/batches/{batch}/check", body,
                                             {"Content-Type": "application/json"})
        assert status == 200 and headers["content-type"].startswith("application/x-ndjson"), data
        return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]

    def private_folders(self) -> list[Path]:
        return sorted(Path(tempfile.gettempdir()).glob("xltools-serve-*"))

    def stop(self, sig=signal.SIGINT) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def start_service(home: Path, *args: str) -> Service:
    """``xltools serve --no-browser`` in a subprocess whose home folder is ``home``."""
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(home), USERPROFILE=str(home), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "xltools", "serve", "--no-browser", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=str(ROOT),
                            text=True, encoding="utf-8")
    deadline = time.time() + 30
    line = ""
    while time.time() < deadline:
        line = proc.stdout.readline()
        m = URL_LINE.search(line)
        if m:
            service = Service(proc, m.group(1), int(m.group(2)), m.group(3), home)
            _wait_until_up(service)
            return service
        if proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(f"xltools serve did not start: {line!r} {proc.stderr.read()}")


def _wait_until_up(service: Service) -> None:
    for _ in range(100):
        try:
            if service.request("GET", "/api/v1/health")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError("the service never answered")


def check_json(*args: str) -> dict:
    """``xltools check --json ARGS`` (the CLI the page must agree with)."""
    out = subprocess.run([sys.executable, "-m", "xltools", "check", "--json", *args], cwd=str(ROOT),
                         capture_output=True, text=True, encoding="utf-8")
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


def chromium(download_dir: Path | None = None):
    """Debian's chromium under Selenium, headless, with a fresh profile; skips if not installed."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("chromium / chromedriver not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=zh-CN"):
        options.add_argument(flag)
    options.add_argument("--user-data-dir=" + tempfile.mkdtemp(prefix="xltools-chromium-"))
    if download_dir is not None:
        options.add_experimental_option("prefs", {"download.default_directory": str(download_dir),
                                                  "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=DriverService(CHROMEDRIVER), options=options)
    if download_dir is not None:
        driver.execute_cdp_cmd("Page.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": str(download_dir)})
    driver.set_script_timeout(120)
    return driver


def workbook_spec(path: Path) -> dict:
    """An .xlsx described for tests/wps_fake/fake_et.js: what WPS would show of it (Value2 values,
    number formats, merged areas, solid fills, comments)."""
    import openpyxl
    from openpyxl.utils.datetime import to_excel

    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        cells, fills, comments = [], [], []
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, (datetime.datetime, datetime.date)):
                    value = float(to_excel(value))
                elif isinstance(value, datetime.time):
                    value = None
                if value is not None and not (isinstance(value, str) and not value):
                    fmt = cell.number_format if cell.number_format != "General" else None
                    cells.append([cell.row, cell.column, value, fmt])
                fill = cell.fill
                if fill is not None and fill.fill_type == "solid" and isinstance(fill.fgColor.rgb, str):
                    fills.append([cell.row, cell.column, fill.fgColor.rgb[-6:]])
                if cell.comment is not None:
                    comments.append([cell.row, cell.column, cell.comment.text])
        sheets.append({"name": ws.title, "cells": cells, "fills": fills, "comments": comments,
                       "merges": [str(m) for m in ws.merged_cells.ranges]})
    return {"name": path.name, "sheets": sheets}
