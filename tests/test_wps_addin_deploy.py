"""The WPS add-in's offline deployment files: the Linux installer puts the add-in where WPS
looks for it and registers it once, keeping other add-ins; the registration templates name the
folder the installers use."""

from __future__ import annotations

import os
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from serve_support import ADDIN

FOLDER = "xltools_1.0.0"


@pytest.mark.skipif(os.name == "nt", reason="the Linux installer")
def test_linux_installer_copies_and_registers_once(tmp_path):
    jsaddons = tmp_path / ".local" / "share" / "Kingsoft" / "wps" / "jsaddons"
    jsaddons.mkdir(parents=True)
    (jsaddons / "jsplugins.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<jsplugins>\n'
        '  <jsplugin name="other" type="wps" url="other_1.0" version="1.0"/>\n</jsplugins>\n', encoding="utf-8")
    for _ in range(2):  # installing again replaces, never duplicates
        out = subprocess.run(["sh", str(ADDIN / "deploy" / "install-linux.sh")], capture_output=True, text=True,
                             env=dict(os.environ, HOME=str(tmp_path)))
        assert out.returncode == 0, out.stderr
        assert "已安装" in out.stdout
    for name in ("ribbon.xml", "index.html", "main.js", "js/ribbon.js", "js/service.js", "js/workbook.js",
                 "images/validate.svg"):
        assert (jsaddons / FOLDER / name).read_bytes() == (ADDIN / name).read_bytes()
    for xml in ("jsplugins.xml", "publish.xml"):
        root = ET.parse(jsaddons / xml).getroot()
        mine = [e for e in root if e.get("name") == "xltools"]
        assert len(mine) == 1 and mine[0].get("type") == "et" and mine[0].get("url") == FOLDER
    assert [e.get("name") for e in ET.parse(jsaddons / "jsplugins.xml").getroot()] == ["other", "xltools"]


def test_templates_and_version_agree():
    version = re.search(r'var VERSION = "([^"]+)"', (ADDIN / "js" / "ribbon.js").read_text(encoding="utf-8")).group(1)
    assert FOLDER == f"xltools_{version}"
    for name in ("jsplugins.xml", "publish.xml"):
        entry = ET.parse(ADDIN / "deploy" / name).getroot().find("jsplugin")
        assert entry.get("url") == FOLDER and entry.get("version") == version and entry.get("type") == "et"
    assert FOLDER in (ADDIN / "deploy" / "install-windows.cmd").read_text(encoding="utf-8")
